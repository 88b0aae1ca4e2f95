//! 办件查询: where a case stands, for anyone holding its number — the receipt's QR
//! (`YCCASE:<case no>`) or the number typed at a window or a self-service screen. It says the
//! state, the next step and the due date, and never who applied: no name, no ID number, no
//! phone, no address (the number is printed on a slip anyone may pick up).

use rusqlite::OptionalExtension;
use serde::Serialize;

use crate::case::State;
use crate::deadline::{Light, Phase};
use crate::error::{CoreError, Result};
use crate::workstation::Workstation;

/// The QR payload the materials receipt prints (crate::seal's receipt).
pub const RECEIPT_QR_PREFIX: &str = "YCCASE:";

/// A case's progress without anything that identifies the applicant.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub case_no: String,
    pub item_name: String,
    pub department: String,
    pub state: State,
    pub state_zh: String,
    pub filed_on: String,
    /// What happens next, in the applicant's words.
    pub next_step: String,
    /// The day the running limit ends (decision, or §44 delivery once decided); None when closed.
    pub due_date: Option<String>,
    pub days_left: Option<i64>,
    pub light: Option<Light>,
    /// The clock is stopped (awaiting a supplement, suspended, special procedure).
    pub paused: bool,
    pub closed_on: Option<String>,
    /// How the result leaves and, once sent, the carrier and waybill to track it.
    pub delivery: Option<String>,
}

/// The case number in what was typed or scanned: the receipt QR's payload or the bare number
/// (full-width characters and spaces an input method leaves are folded).
pub fn case_no_of(input: &str) -> Result<String> {
    let s: String = crate::ids::normalize(input);
    let s = s.strip_prefix(RECEIPT_QR_PREFIX).unwrap_or(&s);
    let ok = !s.is_empty() && s.len() <= 40 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(s.to_owned())
    } else {
        Err(CoreError::Invalid(format!("不是办件编号或回执二维码：{input}")))
    }
}

fn next_step(state: State, delivery: Option<&(String, String)>) -> String {
    use crate::delivery::{Method, Status};
    let d = delivery.map(|(m, s)| (Method::parse(m), Status::parse(s)));
    match state {
        State::Appointed => "请按预约时间携带材料到窗口办理".into(),
        State::Submitted => "窗口预审中，符合条件即予受理".into(),
        State::Supplementing => "请按一次性告知书补正材料（补正期间不计入办理时限）".into(),
        State::Accepted => "已受理，等待审查".into(),
        State::UnderReview => "审查中".into(),
        State::Suspended => "办理已中止，待中止情形消除后恢复（不计入办理时限）".into(),
        State::SpecialProcedure => "听证、检验检测或专家评审等特别程序中（不计入办理时限）".into(),
        State::Approved | State::Denied => match d {
            Some((_, Some(Status::Dispatched))) => "结果已寄出，请注意签收".into(),
            Some((_, Some(Status::Returned))) => "结果被退回，请联系窗口确认送达方式".into(),
            Some((Some(Method::Window), _)) | None => "已作出决定，请到窗口领取结果".into(),
            Some(_) => "已作出决定，制证后寄送".into(),
        },
        State::Completed => "已办结".into(),
        State::NotAccepted | State::Withdrawn | State::Terminated | State::Cancelled | State::Revoked => {
            "已结束".into()
        }
    }
}

impl Workstation {
    /// 办件查询 by case number or receipt QR, for a window or a self-service screen: no actor,
    /// because it shows nothing the slip does not already print.
    pub fn progress(&self, input: &str) -> Result<Progress> {
        let case_no = case_no_of(input)?;
        let s = self.case_summary(&case_no).map_err(|e| match e {
            CoreError::UnknownCase(_) => CoreError::Invalid(format!("未找到办件 {case_no}，请核对回执上的办件编号")),
            e => e,
        })?;
        let delivery: Option<(String, String, Option<String>, Option<String>)> = self
            .store()
            .reader()?
            .prepare_cached("SELECT method, status, carrier, waybill FROM deliveries WHERE case_no = ?1")?
            .query_row([&case_no], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?;
        let step = next_step(s.state, delivery.as_ref().map(|(m, st, ..)| (m.clone(), st.clone())).as_ref());
        let delivery = delivery.map(|(m, st, carrier, waybill)| {
            let m = crate::delivery::Method::parse(&m).map_or(m.clone(), |m| m.zh().to_owned());
            let st = crate::delivery::Status::parse(&st).map_or(st.clone(), |s| s.zh().to_owned());
            let mut t = format!("{m}（{st}）");
            if let Some(c) = carrier.filter(|_| waybill.is_some()) {
                t.push_str(&format!("，{c}"));
            }
            if let Some(w) = waybill {
                t.push_str(&format!("，运单号 {w}"));
            }
            t
        });
        let due_date = match s.phase {
            Some(Phase::Delivery) => s.delivery_due.clone(),
            Some(_) => s.due_date.clone(),
            None => None,
        };
        Ok(Progress {
            case_no: s.case_no,
            item_name: s.item_name,
            department: s.department,
            state: s.state,
            state_zh: s.state_zh,
            filed_on: s.filed_on,
            next_step: step,
            due_date,
            days_left: s.days_left,
            light: s.light,
            paused: s.paused,
            closed_on: s.closed_on,
            delivery,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_receipt_qr_and_a_typed_number_give_the_case_number() {
        assert_eq!(case_no_of("YCCASE:440305-W01-20261120-00001").unwrap(), "440305-W01-20261120-00001");
        assert_eq!(
            case_no_of(" ４４０３０５－Ｗ０１－２０２６１１２０－００００１ ").unwrap(),
            "440305-W01-20261120-00001"
        );
        assert!(case_no_of("").is_err());
        assert!(case_no_of("1' OR '1'='1").is_err());
    }
}
