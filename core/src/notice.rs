//! Notices to the applicant (办件通知): templated texts — accepted, supplement needed, decided,
//! ready for pickup, delivered — queued on the outbox stream `notifications` for the adapter
//! that carries them (the city platform's SMS gateway), in the transaction of the case action
//! that prompts them, so a notice exists exactly when its action does and goes out once (the
//! item's key is its event id; the far side dedupes on it, across retries and kills).
//!
//! A notice goes only to a phone number the applicant consented to receive notices at
//! (`notice.consent`, recorded by a clerk); without consent nothing is queued. The number is kept
//! in the consent record and the outbox item that carries it, never in a log line, and shown
//! masked (`138****5678`). The texts name the item and case number, never the applicant.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::case::{Action, Role};
use crate::error::{CoreError, Result};
use crate::events;
use crate::journal::{self, Event, NewEvent};
use crate::staff::Actor;
use crate::workstation::Workstation;

crate::case::coded_enum! {
    /// 通知模板.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "NoticeTemplate"))]
    pub enum Template {
        Accepted = ("accepted", "受理通知", "Accepted"),
        SupplementNeeded = ("supplement_needed", "补正通知", "Supplement needed"),
        Decided = ("decided", "办理结果通知", "Decided"),
        ReadyForPickup = ("ready_for_pickup", "领取通知", "Ready for pickup"),
        Delivered = ("delivered", "送达通知", "Delivered"),
    }
}

/// The notice a case action prompts, if any.
pub fn template_for(action: Action) -> Option<Template> {
    match action {
        Action::Accept => Some(Template::Accepted),
        Action::RequestSupplement => Some(Template::SupplementNeeded),
        Action::Approve | Action::Deny | Action::DecideOnSpot => Some(Template::Decided),
        Action::IssueCertificate => Some(Template::ReadyForPickup),
        Action::Deliver => Some(Template::Delivered),
        _ => None,
    }
}

/// `13812345678` → `138****5678`; anything shorter keeps only its last two characters.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() >= 7 {
        let (head, tail) = (&chars[..3], &chars[chars.len() - 4..]);
        format!("{}****{}", head.iter().collect::<String>(), tail.iter().collect::<String>())
    } else {
        let keep = chars.len().min(2);
        format!("{}{}", "*".repeat(chars.len() - keep), chars[chars.len() - keep..].iter().collect::<String>())
    }
}

/// A mainland mobile number: 11 digits starting with 1 (full-width digits and spaces folded).
pub fn normalize_phone(raw: &str) -> Result<String> {
    let p: String = crate::ids::normalize(raw).chars().filter(|c| *c != '-').collect();
    let p = p.strip_prefix("+86").unwrap_or(&p).to_owned();
    if p.len() == 11 && p.starts_with('1') && p.bytes().all(|b| b.is_ascii_digit()) {
        Ok(p)
    } else {
        Err(CoreError::Invalid(format!("手机号码应为 11 位数字（{}）", mask_phone(&p))))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Payload {
    /// The applicant agrees to notices at `phone`, or (None) withdraws.
    Consent { case_no: String, phone: Option<String> },
    /// A notice queued (the phone is in the outbox item, not here).
    Queued { case_no: String, template: Template, text: String },
}

/// What the texts say about a case.
struct Facts {
    item_name: String,
    department: String,
    due_date: Option<String>,
    outcome: Option<String>,
}

fn text(t: Template, no: &str, f: &Facts, reason: Option<&str>) -> String {
    let item = &f.item_name;
    match t {
        Template::Accepted => format!(
            "【一窗】您的「{item}」申请已受理，办件编号 {no}{}。凭编号可随时查询办理进度。",
            f.due_date.as_deref().map(|d| format!("，将于 {d} 前办结")).unwrap_or_default()
        ),
        Template::SupplementNeeded => format!(
            "【一窗】您的「{item}」申请（{no}）需补正材料{}。请一次性补齐后提交，补正期间不计入办理时限。",
            reason.map(|r| format!("：{r}")).unwrap_or_default()
        ),
        Template::Decided => format!(
            "【一窗】您的「{item}」申请（{no}）已作出{}决定，结果将按您选择的方式送达。",
            if f.outcome.as_deref() == Some("denied") { "不予许可" } else { "准予" }
        ),
        Template::ReadyForPickup => {
            format!("【一窗】您的「{item}」（{no}）证照已制作完成，请携带身份证件到{}窗口领取。", f.department)
        }
        Template::Delivered => format!("【一窗】您的「{item}」（{no}）办理结果已送达，欢迎对本次服务作出评价。"),
    }
}

pub fn projects(action: &str) -> bool {
    matches!(action, events::NOTICE_CONSENT | events::NOTICE_QUEUED)
}

/// Journal → `notice_consents` and `notices` (live and in `yc rebuild`).
pub fn project(tx: &Transaction<'_>, ev: &Event) -> Result<()> {
    let p: Payload = serde_json::from_value(ev.payload.clone()).map_err(|e| CoreError::JournalBroken {
        seq: ev.seq,
        id: ev.id.clone(),
        problem: format!("通知事件无法解析：{e}"),
    })?;
    match p {
        Payload::Consent { case_no, phone: Some(phone) } => {
            tx.prepare_cached(
                "INSERT INTO notice_consents (case_no, phone, recorded_on, updated_seq) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(case_no) DO UPDATE SET phone = excluded.phone, recorded_on = excluded.recorded_on,
                    updated_seq = excluded.updated_seq",
            )?
            .execute(params![case_no, phone, ev.date()?.to_string(), ev.seq])?;
        }
        // Withdrawn: the number is no longer kept.
        Payload::Consent { case_no, phone: None } => {
            tx.prepare_cached("DELETE FROM notice_consents WHERE case_no = ?1")?.execute([case_no])?;
        }
        Payload::Queued { case_no, template, text } => {
            tx.prepare_cached(
                "INSERT INTO notices (notice_id, case_no, template, text, queued_at, journal_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![ev.id, case_no, template.code(), text, ev.at, ev.seq])?;
        }
    }
    Ok(())
}

/// Queues the notice `action` prompts when the applicant consented, inside the action's
/// transaction (called by casework after the case event is projected).
pub(crate) fn on_case_action(
    tx: &Transaction<'_>,
    case_ev: &Event,
    case_no: &str,
    action: Action,
    workstation: &str,
) -> Result<()> {
    let Some(template) = template_for(action) else { return Ok(()) };
    let phone: Option<String> = tx
        .prepare_cached("SELECT phone FROM notice_consents WHERE case_no = ?1")?
        .query_row([case_no], |r| r.get(0))
        .optional()?;
    let Some(phone) = phone else { return Ok(()) };
    let facts = tx
        .prepare_cached("SELECT item_name, department, due_date, outcome FROM cases WHERE case_no = ?1")?
        .query_row([case_no], |r| {
            Ok(Facts { item_name: r.get(0)?, department: r.get(1)?, due_date: r.get(2)?, outcome: r.get(3)? })
        })?;
    let body = text(template, case_no, &facts, case_ev.reason.as_deref());
    let p = Payload::Queued { case_no: case_no.into(), template, text: body.clone() };
    let ev = journal::append(
        tx,
        NewEvent {
            case_no: None,
            actor: &case_ev.actor,
            role: &case_ev.role,
            action: events::NOTICE_QUEUED,
            at: chrono::DateTime::parse_from_rfc3339(&case_ev.at)
                .map_err(|e| CoreError::Invalid(format!("事件时间无法解析：{e}")))?,
            payload: serde_json::to_value(&p).map_err(|e| CoreError::Invalid(e.to_string()))?,
            reason: None,
        },
    )?;
    project(tx, &ev)?;
    let kind = crate::sync::contract::ItemKind::Notice;
    let snapshot = crate::sync::contract::CaseSnapshot::read(tx, case_no)?;
    let department = snapshot.department.clone();
    let payload = serde_json::json!({
        "workstation": workstation,
        "notice_id": ev.id,
        "case_no": case_no,
        "template": template.code(),
        "to": phone,
        "text": body,
        "department": department,
        "at": ev.at,
        "journal_seq": ev.seq,
        "case": snapshot,
    });
    let mut routes = crate::sync::outbox::Routes::load(tx)?;
    crate::sync::outbox::enqueue_item(tx, &ev.id, &ev, kind, Some(&department), &payload, &mut routes)
}

/// A notice of a case with where it stands in sending.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeRow {
    pub notice_id: String,
    pub template: Template,
    pub text: String,
    pub queued_at: String,
    /// Per adapter routed to: `adapter: state` (pending, sending, failed, acked, quarantined);
    /// empty when no adapter carries notices yet (it waits in the outbox for one).
    pub sending: Vec<String>,
    /// Acknowledged by a far side: sent.
    pub sent: bool,
}

/// A case's notice consent as staff see it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeStatus {
    pub case_no: String,
    /// The consented number, masked; None: no consent, no notices.
    pub phone_masked: Option<String>,
    pub notices: Vec<NoticeRow>,
}

fn case_department(conn: &rusqlite::Connection, case_no: &str) -> Result<String> {
    conn.prepare_cached("SELECT department FROM cases WHERE case_no = ?1")?
        .query_row([case_no], |r| r.get(0))
        .optional()?
        .ok_or_else(|| CoreError::UnknownCase(case_no.into()))
}

impl Workstation {
    /// Records the applicant's consent to notices at `phone` (None: withdrawn, the number is
    /// dropped). Clerks of the case's department.
    pub fn record_notice_consent(&self, by: &Actor, case_no: &str, phone: Option<&str>) -> Result<NoticeStatus> {
        by.require_role(Role::Clerk, "登记短信通知同意")?;
        let phone = phone.map(normalize_phone).transpose()?;
        let now = self.now();
        self.store().write(|tx| {
            by.require_department(&case_department(tx, case_no)?)?;
            let p = Payload::Consent { case_no: case_no.into(), phone };
            let ev = journal::append(
                tx,
                NewEvent {
                    case_no: None,
                    actor: &by.id,
                    role: Role::Clerk.code(),
                    action: events::NOTICE_CONSENT,
                    at: now,
                    payload: serde_json::to_value(&p).map_err(|e| CoreError::Invalid(e.to_string()))?,
                    reason: None,
                },
            )?;
            project(tx, &ev)
        })?;
        self.notice_status(by, case_no)
    }

    /// The consent (masked) and every notice of a case with its sending state.
    pub fn notice_status(&self, by: &Actor, case_no: &str) -> Result<NoticeStatus> {
        let conn = self.store().reader()?;
        by.require_department(&case_department(&conn, case_no)?)?;
        let phone: Option<String> = conn
            .prepare_cached("SELECT phone FROM notice_consents WHERE case_no = ?1")?
            .query_row([case_no], |r| r.get(0))
            .optional()?;
        let mut st = conn.prepare_cached(
            "SELECT n.notice_id, n.template, n.text, n.queued_at,
                    (SELECT group_concat(d.adapter || ': ' || d.state, '\n') FROM outbox o JOIN outbox_delivery d ON d.outbox_id = o.id
                      WHERE o.key = n.notice_id),
                    EXISTS (SELECT 1 FROM outbox o JOIN outbox_delivery d ON d.outbox_id = o.id
                      WHERE o.key = n.notice_id AND d.state = 'acked')
             FROM notices n WHERE n.case_no = ?1 ORDER BY n.journal_seq",
        )?;
        let rows = st.query_map([case_no], |r| {
            let template: String = r.get(1)?;
            let sending: Option<String> = r.get(4)?;
            Ok(NoticeRow {
                notice_id: r.get(0)?,
                template: Template::parse(&template).unwrap_or(Template::Accepted),
                text: r.get(2)?,
                queued_at: r.get(3)?,
                sending: sending.map(|s| s.lines().map(str::to_owned).collect()).unwrap_or_default(),
                sent: r.get(5)?,
            })
        })?;
        Ok(NoticeStatus {
            case_no: case_no.into(),
            phone_masked: phone.as_deref().map(mask_phone),
            notices: rows.collect::<rusqlite::Result<_>>()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_checked_and_masked() {
        assert_eq!(normalize_phone(" １３８-1234-5678 ").unwrap(), "13812345678");
        assert_eq!(normalize_phone("+8613812345678").unwrap(), "13812345678");
        let e = normalize_phone("0755-1234567").unwrap_err().to_string();
        assert!(!e.contains("07551234567"), "the error masks the number: {e}");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("12"), "12");
        assert_eq!(mask_phone("12345"), "***45");
    }

    #[test]
    fn texts_name_the_case_not_the_applicant() {
        let f = Facts {
            item_name: "食品经营许可".into(),
            department: "示范区市场监督管理局".into(),
            due_date: Some("2026-12-04".into()),
            outcome: Some("approved".into()),
        };
        for &t in Template::ALL {
            let s = text(t, "440305-W01-20261120-00001", &f, Some("营业执照复印件"));
            assert!(s.starts_with("【一窗】") && s.contains("440305-W01-20261120-00001"), "{s}");
        }
        assert!(text(Template::Accepted, "N", &f, None).contains("2026-12-04"));
    }
}
