//! Journal → `appointment_schedules`, `appointments` (live after each `appointment.*` event, and
//! in `yc rebuild`). The commands checked each step; this only records what it says.

use rusqlite::{Transaction, params};

use super::{Status, Step};
use crate::error::{CoreError, Result};
use crate::journal::Event;

pub fn projects(action: &str) -> bool {
    super::Op::of_event(action).is_some()
}

pub fn project(tx: &Transaction<'_>, ev: &Event) -> Result<()> {
    let step: Step = serde_json::from_value(ev.payload.clone()).map_err(|e| CoreError::JournalBroken {
        seq: ev.seq,
        id: ev.id.clone(),
        problem: format!("预约事件无法解析：{e}"),
    })?;
    let status = |tx: &Transaction<'_>, id: &str, s: Status, reason: Option<&str>| -> Result<()> {
        tx.prepare_cached(
            "UPDATE appointments SET status = ?2, reason = COALESCE(?3, reason), updated_seq = ?4 WHERE booking_id = ?1",
        )?
        .execute(params![id, s.code(), reason, ev.seq])?;
        Ok(())
    };
    match &step {
        Step::Schedule(s) => {
            let times = serde_json::to_string(&s.times).map_err(|e| CoreError::Invalid(e.to_string()))?;
            tx.prepare_cached(
                "INSERT INTO appointment_schedules (target_kind, target, department, times, capacity, updated_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(target_kind, target) DO UPDATE SET department = excluded.department,
                    times = excluded.times, capacity = excluded.capacity, updated_seq = excluded.updated_seq",
            )?
            .execute(params![
                s.target.kind.code(),
                s.target.name,
                s.department,
                times,
                s.capacity,
                ev.seq
            ])?;
        }
        Step::Book {
            booking_id,
            target,
            department,
            date,
            start,
            end,
            item_code,
            applicant_id,
            applicant_name,
            channel,
            external_ref,
        } => {
            tx.prepare_cached(
                "INSERT INTO appointments (booking_id, target_kind, target, slot_date, slot_start, slot_end, department,
                    item_code, applicant_id, applicant_name, channel, external_ref, status, booked_at, updated_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                booking_id,
                target.kind.code(),
                target.name,
                date.to_string(),
                start,
                end,
                department,
                item_code,
                applicant_id,
                applicant_name,
                channel.code(),
                external_ref,
                Status::Booked.code(),
                ev.at,
                ev.seq
            ])?;
        }
        Step::Cancel { booking_id, reason } => status(tx, booking_id, Status::Cancelled, Some(reason))?,
        Step::NoShow { booking_id } => status(tx, booking_id, Status::NoShow, None)?,
        Step::CheckIn { booking_id, case_no, ticket_id } => {
            tx.prepare_cached(
                "UPDATE appointments SET status = ?2, case_no = ?3, ticket_id = ?4, updated_seq = ?5 WHERE booking_id = ?1",
            )?
            .execute(params![booking_id, Status::CheckedIn.code(), case_no, ticket_id, ev.seq])?;
        }
    }
    Ok(())
}

/// Journals one appointment step inside the caller's transaction and projects it. The caller
/// has checked role, scope and state.
pub(crate) fn write(
    tx: &Transaction<'_>,
    actor: &str,
    role: &str,
    step: &Step,
    at: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Event> {
    crate::journal::append_step(tx, actor, role, step.op().event(), at, step, None, project)
}
