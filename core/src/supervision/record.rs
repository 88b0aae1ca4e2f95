//! What every supervision module does the same way: journal an event, find a case's owner,
//! queue an item on a non-case stream, count working days through the statutory clock.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::calendar::Calendar;
use crate::deadline::{self, DeadlineInput};
use crate::error::{CoreError, Result};
use crate::journal::{self, Event, NewEvent};
use crate::staff::Actor;
use crate::sync::contract::ItemKind;

/// `n` working days after `from`, through the statutory clock's own counting
/// ([`deadline::compute`] with no stops), so supervision limits and case deadlines agree.
pub(crate) fn due_after(cal: &Calendar, from: NaiveDate, n: u32) -> std::result::Result<NaiveDate, String> {
    deadline::compute(
        cal,
        &DeadlineInput { accepted_on: from, limit_days: n, extension_days: 0, stops: Vec::new() },
        from,
    )
    .map(|d| d.due)
    .map_err(|e| e.to_string())
}

/// Working days from `today` to `due` (negative once overdue), as the case lights count them.
/// Working days from `today` to `due` (negative once overdue), as the case lights count them.
pub(crate) fn days_left(cal: &Calendar, due: NaiveDate, today: NaiveDate) -> Option<i64> {
    deadline::working_days_left(cal, due, today).ok()
}

/// Appends one of this module's events inside the caller's transaction; the caller projects it
/// with its own projector (so this file names none of them).
pub(crate) fn append(
    tx: &Transaction<'_>,
    by: &Actor,
    role: &str,
    action: &str,
    at: chrono::DateTime<chrono::FixedOffset>,
    payload: serde_json::Value,
) -> Result<Event> {
    journal::append(tx, NewEvent { case_no: None, actor: &by.id, role, action, at, payload, reason: None })
}

/// The case's department (for the scope check) and the staff who took it in.
pub(crate) fn case_owner(conn: &rusqlite::Connection, case_no: &str) -> Result<(String, String, String, String)> {
    conn.prepare_cached("SELECT department, created_by, item_code, state FROM cases WHERE case_no = ?1")?
        .query_row([case_no], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?
        .ok_or_else(|| CoreError::UnknownCase(case_no.into()))
}

/// Queues an item on a stream that is not the per-case `cases` stream (no case order; the
/// case is named in the payload) under its own idempotency `key`, routed like every other outbox
/// item (`routes` read once per transaction).
pub(crate) fn enqueue(
    tx: &Transaction<'_>,
    key: &str,
    ev: &Event,
    kind: ItemKind,
    department: Option<&str>,
    payload: &serde_json::Value,
    routes: &mut crate::sync::outbox::Routes,
) -> Result<()> {
    let stream = kind.stream().code();
    // The canonical text is valid compact JSON: stored as the body, it is hashed once.
    let body = yc_adapter_sdk::canonical_json(payload);
    let sha = yc_adapter_sdk::sha256_hex(body.as_bytes());
    tx.prepare_cached(
        "INSERT INTO outbox (key, journal_seq, stream, kind, case_no, case_seq, department, occurred_at, payload, payload_sha256)
         VALUES (?1, ?2, ?3, ?4, NULL, 0, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![key, ev.seq, stream, kind.code(), department, ev.at, body, sha])?;
    let id = tx.last_insert_rowid();
    routes.route(tx, id, stream, department, &ev.at)
}

pub(crate) fn to_json<T: Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| CoreError::Invalid(e.to_string()))
}
