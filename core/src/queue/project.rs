//! Journal → `queue_tickets` (live, right after each `queue.*` event, and in `yc rebuild`).
//! The commands checked each step; this only records what it says.

use rusqlite::{Transaction, params};

use super::{Step, TicketStatus};
use crate::error::{CoreError, Result};
use crate::journal::Event;

pub fn projects(action: &str) -> bool {
    super::Op::of_event(action).is_some()
}

pub fn project(tx: &Transaction<'_>, ev: &Event) -> Result<()> {
    let step: Step = serde_json::from_value(ev.payload.clone()).map_err(|e| CoreError::JournalBroken {
        seq: ev.seq,
        id: ev.id.clone(),
        problem: format!("叫号事件无法解析：{e}"),
    })?;
    apply(tx, &step, &ev.at, ev.seq)
}

fn apply(tx: &Transaction<'_>, step: &Step, at: &str, seq: i64) -> Result<()> {
    match step {
        Step::Take { ticket_id, service, seq: n, number, priority, booking_id } => {
            let day = at.get(..10).unwrap_or_default();
            tx.prepare_cached(
                "INSERT INTO queue_tickets (ticket_id, day, service, taken_service, seq, number, priority, booking_id,
                    status, taken_at, updated_seq)
                 VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                ticket_id,
                day,
                service.code(),
                n,
                number,
                priority,
                booking_id,
                TicketStatus::Waiting.code(),
                at,
                seq
            ])?;
        }
        Step::Call { ticket_id, window } => {
            // The window moves on: whoever it called before has been served.
            tx.prepare_cached(
                "UPDATE queue_tickets SET status = ?2, done_at = ?3, updated_seq = ?4
                 WHERE at_window = ?1 AND status = ?5",
            )?
            .execute(params![window, TicketStatus::Done.code(), at, seq, TicketStatus::Called.code()])?;
            tx.prepare_cached(
                "UPDATE queue_tickets SET status = ?2, at_window = ?3, target_window = NULL, called_at = ?4,
                    first_called_at = COALESCE(first_called_at, ?4), updated_seq = ?5 WHERE ticket_id = ?1",
            )?
            .execute(params![ticket_id, TicketStatus::Called.code(), window, at, seq])?;
        }
        Step::Recall { ticket_id, window } => {
            tx.prepare_cached(
                "UPDATE queue_tickets SET status = ?2, at_window = ?3, called_at = ?4, recalls = recalls + 1,
                    updated_seq = ?5 WHERE ticket_id = ?1",
            )?
            .execute(params![ticket_id, TicketStatus::Called.code(), window, at, seq])?;
        }
        Step::Skip { ticket_id, .. } => {
            tx.prepare_cached("UPDATE queue_tickets SET status = ?2, updated_seq = ?3 WHERE ticket_id = ?1")?
                .execute(params![ticket_id, TicketStatus::Skipped.code(), seq])?;
        }
        Step::Done { ticket_id, .. } => {
            tx.prepare_cached(
                "UPDATE queue_tickets SET status = ?2, done_at = ?3, updated_seq = ?4 WHERE ticket_id = ?1",
            )?
            .execute(params![ticket_id, TicketStatus::Done.code(), at, seq])?;
        }
        Step::Transfer { ticket_id, service, to_window, .. } => {
            tx.prepare_cached(
                "UPDATE queue_tickets SET status = ?2, service = ?3, target_window = ?4,
                    priority = 1, transfers = transfers + 1, updated_seq = ?5 WHERE ticket_id = ?1",
            )?
            .execute(params![ticket_id, TicketStatus::Waiting.code(), service.code(), to_window, seq])?;
        }
    }
    Ok(())
}

/// Journals one queue step inside the caller's transaction and projects it. The caller has
/// checked the role and the ticket's state.
pub(crate) fn write(
    tx: &Transaction<'_>,
    actor: &str,
    role: &str,
    step: &Step,
    at: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Event> {
    crate::journal::append_step(tx, actor, role, step.op().event(), at, step, None, project)
}
