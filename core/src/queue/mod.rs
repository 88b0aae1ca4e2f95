//! Queue calling (排队叫号): the hall's tickets by service type, numbered per day and type
//! (`A001`), called to a window by the clerk — next, recall, skip, transfer to another window or
//! type — and the hall display's read, which carries numbers and windows only, never a name.
//!
//! Every step is a journal event (`queue.take`, `.call`, `.recall`, `.skip`, `.transfer`, `.done`) with
//! `case_no` NULL; [`project`] derives `queue_tickets` from them, live and in `yc rebuild`;
//! [`command`] holds the commands and reads. A ticket belongs to the day it was taken: at the
//! next day's first ticket the numbers start again at 001 and yesterday's waiting tickets are no
//! longer called (the hall closed on them).
//!
//! Order of calling: a ticket with priority (a checked-in appointment, or one transferred, whose
//! holder has waited once already) before the others, then by the time it was taken.

pub mod command;
pub mod project;

use serde::{Deserialize, Serialize};

use crate::events;

crate::case::coded_enum! {
    /// 业务类型: what the ticket is for; its letter begins the number.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "QueueService"))]
    pub enum Service {
        General = ("general", "综合受理", "General intake"),
        Business = ("business", "企业服务", "Business services"),
        Pickup = ("pickup", "取件领证", "Result pickup"),
        Enquiry = ("enquiry", "咨询", "Enquiries"),
    }
}

impl Service {
    /// The letter numbers of this service begin with (A001, B001 …).
    pub fn letter(self) -> char {
        match self {
            Service::General => 'A',
            Service::Business => 'B',
            Service::Pickup => 'C',
            Service::Enquiry => 'D',
        }
    }
}

crate::case::coded_enum! {
    /// Where a ticket stands.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "TicketStatus"))]
    pub enum TicketStatus {
        Waiting = ("waiting", "等候中", "Waiting"),
        Called = ("called", "已叫号", "Called"),
        Skipped = ("skipped", "已过号", "Skipped"),
        Done = ("done", "已办理", "Served"),
    }
}

crate::case::coded_enum! {
    /// The steps of a ticket: each is the journal event `queue.<code>`.
    pub enum Op {
        Take = ("take", "取号", "Ticket taken"),
        Call = ("call", "叫号", "Called"),
        Recall = ("recall", "重呼", "Called again"),
        Skip = ("skip", "过号", "Skipped"),
        Transfer = ("transfer", "转移", "Transferred"),
        Done = ("done", "办理完毕", "Served"),
    }
}

impl Op {
    pub fn event(self) -> &'static str {
        match self {
            Op::Take => events::QUEUE_TAKE,
            Op::Call => events::QUEUE_CALL,
            Op::Recall => events::QUEUE_RECALL,
            Op::Skip => events::QUEUE_SKIP,
            Op::Transfer => events::QUEUE_TRANSFER,
            Op::Done => events::QUEUE_DONE,
        }
    }

    pub fn of_event(action: &str) -> Option<Op> {
        Op::ALL.iter().copied().find(|o| o.event() == action)
    }
}

/// The journal payload of a queue step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Step {
    Take {
        ticket_id: String,
        service: Service,
        seq: u32,
        number: String,
        priority: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        booking_id: Option<String>,
    },
    /// Called to `window`; the ticket that window called before is served (done).
    Call { ticket_id: String, window: String },
    /// Called again: the one at the window, or a skipped ticket whose holder came back.
    Recall { ticket_id: String, window: String },
    /// Called and not come: set aside, recallable the same day.
    Skip { ticket_id: String, window: String },
    /// Sent to another service type or window, waiting again with priority.
    Transfer {
        ticket_id: String,
        from_window: String,
        service: Service,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_window: Option<String>,
    },
    /// Served, when the window called next and nobody waited (a call serves the one before).
    Done { ticket_id: String, window: String },
}

impl Step {
    pub fn op(&self) -> Op {
        match self {
            Step::Take { .. } => Op::Take,
            Step::Call { .. } => Op::Call,
            Step::Recall { .. } => Op::Recall,
            Step::Skip { .. } => Op::Skip,
            Step::Transfer { .. } => Op::Transfer,
            Step::Done { .. } => Op::Done,
        }
    }
}

/// `A007` for the 7th ticket of the general service.
pub fn number(service: Service, seq: u32) -> String {
    format!("{}{seq:03}", service.letter())
}

/// A window's name as the hall display shows it: trimmed, 1–20 characters.
pub fn window_name(raw: &str) -> crate::error::Result<String> {
    let w = crate::ids::normalize(raw).trim().to_owned();
    let n = w.chars().count();
    if n == 0 || n > 20 || w.chars().any(char::is_control) {
        return Err(crate::error::CoreError::Invalid(format!("窗口名称须为 1–20 个字符：「{raw}」")));
    }
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_begin_with_the_service_letter() {
        assert_eq!(number(Service::General, 7), "A007");
        assert_eq!(number(Service::Enquiry, 123), "D123");
        for &op in Op::ALL {
            assert_eq!(Op::of_event(op.event()), Some(op));
        }
        assert!(window_name("  ").is_err());
        assert_eq!(window_name(" ３号窗口 ").unwrap(), "3号窗口");
    }
}
