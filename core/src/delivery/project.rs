//! Journal → `deliveries` (live, right after each `delivery.*` event, and in `yc rebuild`).
//! The commands checked each step before it was journaled; this only records what it says.

use rusqlite::{Transaction, params};

use super::{Status, Step};
use crate::error::{CoreError, Result};
use crate::journal::Event;

/// Whether the projection hands this journal action to [`project`].
pub fn projects(action: &str) -> bool {
    super::Op::of_event(action).is_some()
}

pub fn parse(ev: &Event) -> Result<Step> {
    serde_json::from_value(ev.payload.clone()).map_err(|e| CoreError::JournalBroken {
        seq: ev.seq,
        id: ev.id.clone(),
        problem: format!("送达事件无法解析：{e}"),
    })
}

pub fn project(tx: &Transaction<'_>, ev: &Event) -> Result<()> {
    let step = parse(ev)?;
    let day = ev.date()?.to_string();
    match step {
        Step::Plan { case_no, method, address, recipient } => {
            // A new plan (first, changed, or after a 退件) waits to be sent again: the last
            // dispatch's carrier and waybill no longer describe it; the last return is kept.
            tx.prepare_cached(
                "INSERT INTO deliveries (case_no, method, address, recipient, status, planned_on, updated_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(case_no) DO UPDATE SET method = excluded.method, address = excluded.address,
                    recipient = excluded.recipient, status = excluded.status, carrier = NULL, waybill = NULL,
                    dispatched_on = NULL, updated_seq = excluded.updated_seq",
            )?
            .execute(params![
                case_no,
                method.code(),
                address,
                recipient,
                Status::Planned.code(),
                day,
                ev.seq
            ])?;
        }
        Step::Dispatch { case_no, carrier, waybill } => {
            tx.prepare_cached(
                "UPDATE deliveries SET status = ?2, carrier = ?3, waybill = ?4, dispatched_on = ?5,
                    attempts = attempts + 1, updated_seq = ?6 WHERE case_no = ?1",
            )?
            .execute(params![case_no, Status::Dispatched.code(), carrier, waybill, day, ev.seq])?;
        }
        Step::Receipt { case_no, signed_by, received_on } => {
            tx.prepare_cached(
                "UPDATE deliveries SET status = ?2, signed_by = ?3, received_on = ?4, updated_seq = ?5 WHERE case_no = ?1",
            )?
            .execute(params![case_no, Status::Received.code(), signed_by, received_on.to_string(), ev.seq])?;
        }
        Step::Return { case_no, reason, returned_on } => {
            tx.prepare_cached(
                "UPDATE deliveries SET status = ?2, return_reason = ?3, returned_on = ?4, updated_seq = ?5
                 WHERE case_no = ?1",
            )?
            .execute(params![
                case_no,
                Status::Returned.code(),
                reason,
                returned_on.to_string(),
                ev.seq
            ])?;
        }
    }
    Ok(())
}

/// Journals one delivery step inside the caller's transaction, projects it, and queues it on the
/// `deliveries` stream for the adapters subscribed to it (the city platform's unified courier).
/// The caller has checked role, scope and state.
pub(crate) fn write(
    tx: &Transaction<'_>,
    actor: &str,
    role: &str,
    step: &Step,
    at: chrono::DateTime<chrono::FixedOffset>,
    workstation: &str,
) -> Result<Event> {
    let ev = crate::journal::append_step(tx, actor, role, step.op().event(), at, step, None, project)?;
    enqueue(tx, &ev, step, workstation)?;
    Ok(ev)
}

/// The outbox item of a step. The address travels only with the unified courier, the one far
/// side that carries the result (the applicant's address is not every adapter's business).
fn enqueue(tx: &Transaction<'_>, ev: &Event, step: &Step, workstation: &str) -> Result<()> {
    use crate::sync::contract::{CaseSnapshot, ItemKind};
    let case_no = step.case_no();
    let snapshot = CaseSnapshot::read(tx, case_no)?;
    let (method, status): (String, String) = tx
        .prepare_cached("SELECT method, status FROM deliveries WHERE case_no = ?1")?
        .query_row([case_no], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut data = serde_json::to_value(step).map_err(|e| CoreError::Invalid(e.to_string()))?;
    if method != super::Method::Unified.code()
        && let Some(o) = data.as_object_mut()
    {
        o.remove("address");
    }
    let kind = ItemKind::Delivery(step.op());
    let department = snapshot.department.clone();
    let payload = serde_json::json!({
        "workstation": workstation,
        "case_no": case_no,
        "action": ev.action,
        "actor": ev.actor,
        "role": ev.role,
        "at": ev.at,
        "method": method,
        "status_after": status,
        "data": data,
        "department": department,
        "journal_seq": ev.seq,
        "case": snapshot,
    });
    let mut routes = crate::sync::outbox::Routes::load(tx)?;
    crate::sync::outbox::enqueue_item(tx, &ev.id, ev, kind, Some(&department), &payload, &mut routes)
}
