//! Delivery of the result (制证与送达): how the decision or certificate reaches the applicant —
//! picked up at the window, sent by post or courier, by the city platform's unified courier
//! (统一快递), or carried to the village by the township agent (代办员) — with the address, the
//! waybill, the dispatch and receipt dates and who signed, and undeliverable results (退件).
//!
//! Every step is a journal event (`delivery.plan`, `.dispatch`, `.receipt`, `.return`) with the
//! case in the payload and `case_no` NULL, as supervision's are, so a case's own event order (and
//! the `cases` stream's per-case `seq`) stays the order of its handling. [`project`] derives the
//! `deliveries` table from them, live and in `yc rebuild`; [`command`] holds the commands.
//!
//! The §44 limit (10 working days from the decision) is the case clock's delivery phase
//! (crate::deadline); this module only says when it was met: on the day the result was handed
//! over at the window, or handed to the carrier — time in transit (在途时间) is not the
//! department's (the rule civil procedure applies to documents sent by post).

pub mod command;
pub mod project;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::events;

crate::case::coded_enum! {
    /// 送达方式.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "DeliveryMethod"))]
    pub enum Method {
        Window = ("window", "窗口领取", "Pickup at the window"),
        Post = ("post", "邮政寄递", "Post (EMS, registered mail)"),
        Courier = ("courier", "快递", "Courier"),
        Unified = ("unified", "统一快递", "City platform's unified courier"),
        Agent = ("agent", "代办员送达", "Township agent to the village"),
    }
}

crate::case::coded_enum! {
    /// Where a delivery stands.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "DeliveryStatus"))]
    pub enum Status {
        Planned = ("planned", "待送达", "Awaiting delivery"),
        Dispatched = ("dispatched", "已寄出", "Dispatched"),
        Received = ("received", "已签收", "Received"),
        Returned = ("returned", "已退件", "Returned undelivered"),
    }
}

crate::case::coded_enum! {
    /// The steps of a delivery: each is a journal event `delivery.<code>` and an outbox kind of
    /// the same name on the `deliveries` stream.
    pub enum Op {
        Plan = ("plan", "登记送达方式", "Delivery method set"),
        Dispatch = ("dispatch", "寄出", "Dispatched"),
        Receipt = ("receipt", "签收", "Received"),
        Return = ("return", "退件", "Returned"),
    }
}

impl Op {
    /// The journal action (and outbox kind) of this step.
    pub fn event(self) -> &'static str {
        match self {
            Op::Plan => events::DELIVERY_PLAN,
            Op::Dispatch => events::DELIVERY_DISPATCH,
            Op::Receipt => events::DELIVERY_RECEIPT,
            Op::Return => events::DELIVERY_RETURN,
        }
    }

    pub fn of_event(action: &str) -> Option<Op> {
        Op::ALL.iter().copied().find(|o| o.event() == action)
    }
}

impl Method {
    /// Methods that go to an address (all but the window).
    pub fn needs_address(self) -> bool {
        self != Method::Window
    }

    /// Post and couriers give a waybill (运单号) at dispatch; the unified courier's comes from
    /// the platform, the agent carries it by hand.
    pub fn needs_waybill(self) -> bool {
        matches!(self, Method::Post | Method::Courier)
    }
}

/// How the result is to reach the applicant: chosen at intake (`NewCase::delivery`) and
/// changeable until it is sent, or after it came back.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "DeliveryPlan"))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub method: Method,
    /// Postal address, or the village (村) for the township agent. None for the window.
    #[serde(default)]
    pub address: Option<String>,
    /// Who it is addressed to when not the applicant (a company's contact, a relative).
    #[serde(default)]
    pub recipient: Option<String>,
}

/// What the clerk records when the result leaves.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "DeliveryDispatch"))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispatch {
    /// The post office or courier company; the agent's name for the township agent.
    #[serde(default)]
    pub carrier: Option<String>,
    #[serde(default)]
    pub waybill: Option<String>,
}

/// The journal payload of a delivery step. The case is named inside (the event's `case_no` is
/// NULL, see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Step {
    Plan {
        case_no: String,
        method: Method,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recipient: Option<String>,
    },
    Dispatch {
        case_no: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        carrier: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        waybill: Option<String>,
    },
    Receipt {
        case_no: String,
        signed_by: String,
        /// The date on the receipt (回执), which may be before the day it is recorded.
        received_on: NaiveDate,
    },
    Return {
        case_no: String,
        reason: String,
        returned_on: NaiveDate,
    },
}

impl Step {
    pub fn case_no(&self) -> &str {
        match self {
            Step::Plan { case_no, .. }
            | Step::Dispatch { case_no, .. }
            | Step::Receipt { case_no, .. }
            | Step::Return { case_no, .. } => case_no,
        }
    }

    pub fn op(&self) -> Op {
        match self {
            Step::Plan { .. } => Op::Plan,
            Step::Dispatch { .. } => Op::Dispatch,
            Step::Receipt { .. } => Op::Receipt,
            Step::Return { .. } => Op::Return,
        }
    }
}

fn text(v: Option<&str>) -> Option<String> {
    v.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

const MAX_TEXT: usize = 200;

fn bounded(what: &str, v: Option<String>) -> Result<Option<String>> {
    match v {
        Some(s) if s.chars().count() > MAX_TEXT => {
            Err(CoreError::Invalid(format!("{what}过长（{} 字，至多 {MAX_TEXT} 字）", s.chars().count())))
        }
        v => Ok(v),
    }
}

impl Plan {
    /// Trims the plan and checks it is complete for its method: an address for everything but
    /// the window (the village for the agent), none for the window.
    pub fn normalized(&self) -> Result<Plan> {
        let address = bounded("送达地址", text(self.address.as_deref()))?;
        let recipient = bounded("收件人", text(self.recipient.as_deref()))?;
        if self.method.needs_address() && address.is_none() {
            let field = if self.method == Method::Agent { "送达村（社区）及地址" } else { "送达地址" };
            return Err(CoreError::Missing {
                action: format!("登记送达方式「{}」", self.method.zh()),
                field: field.into(),
            });
        }
        let address = if self.method.needs_address() { address } else { None };
        Ok(Plan { method: self.method, address, recipient })
    }
}

/// A waybill number as carriers print them: 6–40 letters, digits or hyphens (full-width forms
/// and spaces a scanner or IME leaves are folded first).
pub fn normalize_waybill(raw: &str) -> Result<String> {
    let s: String = crate::ids::normalize(raw).chars().filter(|c| !c.is_whitespace()).collect();
    let ok = (6..=40).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(s)
    } else {
        Err(CoreError::Invalid(format!("运单号格式不对（6–40 位字母、数字或连字符）：{raw}")))
    }
}

impl Dispatch {
    /// Checks the dispatch is complete for `method`: a waybill for post and courier, the agent's
    /// name for the township agent; the window is not dispatched (it is handed over).
    pub fn normalized(&self, method: Method) -> Result<Dispatch> {
        let carrier = bounded("承运方", text(self.carrier.as_deref()))?;
        let waybill = match text(self.waybill.as_deref()) {
            Some(w) => Some(normalize_waybill(&w)?),
            None => None,
        };
        let action = || format!("寄出（{}）", method.zh());
        match method {
            Method::Window => {
                return Err(CoreError::Invalid("窗口领取的结果不寄出：申请人到窗口签收即可（登记签收）".into()));
            }
            Method::Post | Method::Courier if waybill.is_none() => {
                return Err(CoreError::Missing { action: action(), field: "运单号".into() });
            }
            Method::Agent if carrier.is_none() => {
                return Err(CoreError::Missing { action: action(), field: "代办员姓名".into() });
            }
            _ => {}
        }
        Ok(Dispatch { carrier, waybill })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_name_the_journal_events_and_parse_back() {
        for &op in Op::ALL {
            assert_eq!(op.event(), format!("delivery.{}", op.code()));
            assert_eq!(Op::of_event(op.event()), Some(op));
        }
        assert_eq!(Op::of_event("delivery.lost"), None);
    }

    #[test]
    fn a_plan_needs_an_address_except_at_the_window() {
        let p = Plan { method: Method::Post, address: Some("  ".into()), recipient: None };
        assert!(matches!(p.normalized(), Err(CoreError::Missing { .. })));
        let w = Plan { method: Method::Window, address: Some("某地".into()), recipient: None };
        assert_eq!(w.normalized().unwrap().address, None);
        let a = Plan { method: Method::Agent, address: Some(" 石门村3组 ".into()), recipient: None };
        assert_eq!(a.normalized().unwrap().address.as_deref(), Some("石门村3组"));
    }

    #[test]
    fn waybills_are_folded_and_checked() {
        assert_eq!(normalize_waybill(" ＳＦ１２３４５６７８９ ").unwrap(), "SF123456789");
        assert!(normalize_waybill("12").is_err());
        assert!(normalize_waybill("SF12345;DROP").is_err());
        let d = Dispatch { carrier: None, waybill: None };
        assert!(matches!(d.normalized(Method::Courier), Err(CoreError::Missing { .. })));
        assert!(d.normalized(Method::Unified).is_ok());
        assert!(d.normalized(Method::Window).is_err());
        assert!(matches!(d.normalized(Method::Agent), Err(CoreError::Missing { .. })));
    }
}
