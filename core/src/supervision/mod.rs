//! Electronic supervision (电子监察), 好差评 evaluation and complaints (投诉).
//!
//! Everything here is journaled first and derived second: a monitor hit, a rating, a work-order
//! step and a complaint are journal events (`supervision.hits`, `rating.record`, `work_order.step`,
//! `complaint.*`) with `case_no` NULL and the case inside the payload — a case's own journal order
//! (and the `cases` stream's per-case `seq`) stays the order of its handling. [`project`] turns
//! them into the tables of migration 0008, live and in `yc rebuild`.
//! Thresholds are configuration ([`Config`], settings key `supervision.config`), documented in
//! docs/supervision.md.

pub mod complaint;
pub mod evaluation;
pub mod hit;
pub mod monitors;
pub mod record;
pub mod settings;

use rusqlite::Transaction;

use crate::calendar::Calendar;
use crate::error::{CoreError, Result};
use crate::events;
use crate::journal::Event;

pub use complaint::{Complaint, NewComplaint};
pub use evaluation::{Channel, Level, NewRating, WorkOrder, WorkOrderStep};
pub use hit::{Hit, Rule, Severity};
pub use settings::{Config, SETTINGS_KEY};

/// Whether the projection hands this journal action to [`project`].
pub fn projects(action: &str) -> bool {
    matches!(
        action,
        events::SUPERVISION_HIT
            | events::SUPERVISION_HITS
            | events::RATING
            | events::WORK_ORDER_STEP
            | events::COMPLAINT_REGISTER
            | events::COMPLAINT_ASSIGN
            | events::COMPLAINT_LINK
            | events::COMPLAINT_ANSWER
    )
}

/// Journal → the tables of migration 0008 (live and in a rebuild).
pub fn project(tx: &Transaction<'_>, ev: &Event, cal: &Calendar) -> Result<()> {
    let broken = |e: String| CoreError::JournalBroken { seq: ev.seq, id: ev.id.clone(), problem: e };
    match ev.action.as_str() {
        events::SUPERVISION_HIT | events::SUPERVISION_HITS => {
            monitors::project(tx, ev).map_err(|e| broken(e.to_string()))
        }
        events::RATING => evaluation::project_rating(tx, ev, cal),
        events::WORK_ORDER_STEP => evaluation::project_step(tx, ev),
        _ => complaint::project(tx, ev, cal),
    }
}
