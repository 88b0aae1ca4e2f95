//! What every supervision module does the same way: journal an event, find a case's owner,
//! count working days through the statutory clock.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Transaction};
use serde::Serialize;

use crate::calendar::Calendar;
use crate::deadline::{self, DeadlineInput};
use crate::error::{CoreError, Result};
use crate::journal::{self, Event, NewEvent};
use crate::staff::Actor;

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

pub(crate) fn to_json<T: Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| CoreError::Invalid(e.to_string()))
}
