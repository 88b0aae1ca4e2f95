//! Fees (一次性收费): what a case is charged, from the catalog item's fees for the case's
//! situation (办理情形), paid once with the receipt number of the non-tax payment (缴款书/票据号),
//! exempted with a reason, or refunded with a reason and the refund voucher's number.
//!
//! Collected **once**: one account per case — or per theme (主题/套餐, crate::theme), whose
//! branches' fees the lead department's window collects in one payment (一口收费) — and a second
//! payment, an exemption of a paid account or a refund of an unpaid one is refused. Every step is
//! a journal event (`fee.pay`, `fee.exempt`, `fee.refund`) carrying the lines and amount it was
//! for, so the `fees` table is a function of the journal alone (`yc rebuild` reproduces it) even
//! after the catalog changes. Amounts are integer fen.
//!
//! Roles: the clerk collects (收费); an exemption (减免) and a refund (退费) are the decision
//! maker's, as a fee waived or paid back is a decision on public money, not a window step.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::case::{Role, State};
use crate::error::{CoreError, Result};
use crate::events;
use crate::journal::{self, Event};
use crate::staff::Actor;
use crate::workstation::Workstation;

crate::case::coded_enum! {
    /// Where a fee account stands.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "FeeStatus"))]
    pub enum Status {
        Free = ("free", "不收费", "Free of charge"),
        Due = ("due", "待缴费", "Due"),
        Paid = ("paid", "已缴费", "Paid"),
        Exempted = ("exempted", "已减免", "Exempted"),
        Refunded = ("refunded", "已退费", "Refunded"),
    }
}

/// One fee line of an account, as the catalog states it for the case's situation.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "FeeLine"))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// The case the line is for (a theme's account has every branch's lines).
    pub case_no: String,
    pub item_name: String,
    pub name: String,
    pub basis: String,
    /// The fixed amount for the case's situation; None when only the text says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_fen: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_text: Option<String>,
}

/// The journal payload of a fee step (the event's `case_no` is NULL, as for deliveries: the
/// account may be a theme's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Step {
    Pay {
        account: String,
        /// The case number, or the theme number for a theme's account.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        theme_no: Option<String>,
        department: String,
        /// The item code (a theme's code for a theme), for the statistics by item.
        item_code: String,
        lines: Vec<Line>,
        amount_fen: i64,
        receipt_no: String,
    },
    Exempt {
        account: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        theme_no: Option<String>,
        department: String,
        item_code: String,
        lines: Vec<Line>,
        /// The amount waived.
        amount_fen: i64,
        reason: String,
    },
    Refund {
        account: String,
        amount_fen: i64,
        receipt_no: String,
        reason: String,
    },
}

impl Step {
    fn action(&self) -> &'static str {
        match self {
            Step::Pay { .. } => events::FEE_PAY,
            Step::Exempt { .. } => events::FEE_EXEMPT,
            Step::Refund { .. } => events::FEE_REFUND,
        }
    }
}

/// A case's (or its theme's) fees as staff see them.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeeAccount {
    /// The case number, or the theme number when the case is a theme's branch.
    pub account: String,
    pub theme_no: Option<String>,
    pub department: String,
    pub lines: Vec<Line>,
    /// The sum of the fixed amounts; None when a line's amount is only described in text (the
    /// clerk enters it).
    pub due_fen: Option<i64>,
    pub status: Status,
    /// Paid (or waived, when exempted).
    pub amount_fen: Option<i64>,
    pub receipt_no: Option<String>,
    pub paid_on: Option<NaiveDate>,
    pub paid_by: Option<String>,
    pub exempt_reason: Option<String>,
    pub refunded_fen: Option<i64>,
    pub refund_receipt_no: Option<String>,
    pub refund_reason: Option<String>,
    pub refunded_on: Option<NaiveDate>,
}

/// What the clerk enters when the applicant pays.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "FeePayment"))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// 缴款书号 / 票据号 of the non-tax payment.
    pub receipt_no: String,
    /// Needed when the catalog gives the amount only in text (分档收费); checked against the
    /// catalog's figure otherwise.
    #[serde(default)]
    pub amount_fen: Option<i64>,
}

/// A receipt or voucher number: 4–40 letters, digits or hyphens (full-width folded).
pub fn normalize_receipt(raw: &str) -> Result<String> {
    let s: String = crate::ids::normalize(raw).chars().filter(|c| !c.is_whitespace()).collect();
    if (4..=40).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        Ok(s)
    } else {
        Err(CoreError::Invalid(format!("票据号格式不对（4–40 位字母、数字或连字符）：{raw}")))
    }
}

/// `¥80.00`-style yuan text of an amount in fen.
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, (fen % 100).abs())
}

fn reason_text(what: &str, r: &str) -> Result<String> {
    let r = r.trim();
    if r.is_empty() {
        return Err(CoreError::Missing { action: what.into(), field: "理由".into() });
    }
    if r.chars().count() > 200 {
        return Err(CoreError::Invalid(format!("理由过长（{} 字，至多 200 字）", r.chars().count())));
    }
    Ok(r.to_owned())
}

/// The amount an account is settled for: the catalog's sum, or the clerk's figure where the
/// catalog describes the amount in text (分档). A figure against a fixed catalog amount is refused.
fn settle_amount(lines: &[Line], given: Option<i64>, what: &str) -> Result<i64> {
    if lines.is_empty() {
        return Err(CoreError::Invalid("本事项不收费（事项目录未列收费项目）".into()));
    }
    let fixed: Option<i64> = lines.iter().map(|l| l.amount_fen).sum();
    let described = lines.iter().any(|l| l.amount_text.is_some());
    match (given, fixed) {
        (Some(a), _) if a < 0 => Err(CoreError::Invalid(format!("金额不能为负：{}", yuan(a)))),
        (Some(a), Some(f)) if a != f && !described => {
            Err(CoreError::Invalid(format!("金额 {} 元与事项目录的收费标准不符：应收 {} 元", yuan(a), yuan(f))))
        }
        (Some(a), _) => Ok(a),
        (None, Some(f)) => Ok(f),
        (None, None) => Err(CoreError::Missing {
            action: what.into(),
            field: format!(
                "金额（目录按情形收费：{}）",
                lines.iter().filter_map(|l| l.amount_text.as_deref()).collect::<Vec<_>>().join("；")
            ),
        }),
    }
}

/// The lines the catalog gives one case: its item's fees, at the catalog version the case was
/// opened under, for the situation chosen at intake.
fn case_lines(conn: &Connection, case_no: &str) -> Result<Vec<Line>> {
    let (code, version, item_name): (String, i64, String) = conn
        .prepare_cached("SELECT item_code, catalog_version, item_name FROM cases WHERE case_no = ?1")?
        .query_row([case_no], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or_else(|| CoreError::UnknownCase(case_no.into()))?;
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM catalog_items WHERE code = ?1 AND version = ?2")?
        .query_row(params![code, version], |r| r.get(0))
        .optional()?;
    let Some(body) = body else { return Ok(Vec::new()) };
    let item: crate::catalog::Item = serde_json::from_str(&body).map_err(|e| CoreError::Invalid(e.to_string()))?;
    let filed: Option<String> = conn
        // The case's first event (filing or appointment) carries the situation chosen at intake.
        .prepare_cached("SELECT payload FROM journal WHERE case_no = ?1 ORDER BY seq LIMIT 1")?
        .query_row([case_no], |r| r.get(0))
        .optional()?;
    let situation = filed
        .and_then(|p| serde_json::from_str::<serde_json::Value>(&p).ok())
        .and_then(|v| v.get("sub_item").and_then(|s| s.get("code")).and_then(|c| c.as_str()).map(str::to_owned));
    Ok(item
        .fees
        .iter()
        .map(|f| Line {
            case_no: case_no.into(),
            item_name: item_name.clone(),
            name: f.name.clone(),
            basis: f.basis.clone(),
            amount_fen: f.amount_fen(situation.as_deref()),
            amount_text: f.amount_text.clone(),
        })
        .collect())
}

/// The account a case's fees are collected on: the case's own, or its theme's (lead department,
/// every branch's lines).
struct Target {
    account: String,
    theme_no: Option<String>,
    department: String,
    item_code: String,
    states: Vec<State>,
    lines: Vec<Line>,
}

fn target(conn: &Connection, case_no: &str) -> Result<Target> {
    let case: Option<(String, String, String)> = conn
        .prepare_cached("SELECT department, item_code, state FROM cases WHERE case_no = ?1")?
        .query_row([case_no], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let (department, item_code, state) = case.ok_or_else(|| CoreError::UnknownCase(case_no.into()))?;
    let theme: Option<(String, String, String)> = conn
        .prepare_cached(
            "SELECT t.theme_no, t.lead_department, t.theme_code FROM theme_branches b JOIN themes t USING (theme_no)
             WHERE b.case_no = ?1",
        )?
        .query_row([case_no], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let parse = |s: &str| State::parse(s).unwrap_or(State::Submitted);
    match theme {
        None => Ok(Target {
            account: case_no.into(),
            theme_no: None,
            department,
            item_code,
            states: vec![parse(&state)],
            lines: case_lines(conn, case_no)?,
        }),
        Some((theme_no, lead, code)) => {
            let mut st = conn.prepare_cached(
                "SELECT b.case_no, c.state FROM theme_branches b JOIN cases c USING (case_no) WHERE b.theme_no = ?1 ORDER BY b.pos",
            )?;
            let branches: Vec<(String, String)> =
                st.query_map([&theme_no], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
            let mut lines = Vec::new();
            for (b, _) in &branches {
                lines.extend(case_lines(conn, b)?);
            }
            Ok(Target {
                account: theme_no.clone(),
                theme_no: Some(theme_no),
                department: lead,
                item_code: code,
                states: branches.iter().map(|(_, s)| parse(s)).collect(),
                lines,
            })
        }
    }
}

/// A stored account row.
struct Stored {
    status: Status,
    amount_fen: i64,
    receipt_no: Option<String>,
    paid_on: Option<String>,
    paid_by: Option<String>,
    exempt_reason: Option<String>,
    refunded_fen: Option<i64>,
    refund_receipt_no: Option<String>,
    refund_reason: Option<String>,
    refunded_on: Option<String>,
    lines: String,
}

fn stored(conn: &Connection, account: &str) -> Result<Option<Stored>> {
    Ok(conn
        .prepare_cached(
            "SELECT status, amount_fen, receipt_no, paid_on, paid_by, exempt_reason, refunded_fen, refund_receipt_no,
                    refund_reason, refunded_on, lines FROM fees WHERE account = ?1",
        )?
        .query_row([account], |r| {
            let s: String = r.get(0)?;
            Ok(Stored {
                status: Status::parse(&s).unwrap_or(Status::Paid),
                amount_fen: r.get(1)?,
                receipt_no: r.get(2)?,
                paid_on: r.get(3)?,
                paid_by: r.get(4)?,
                exempt_reason: r.get(5)?,
                refunded_fen: r.get(6)?,
                refund_receipt_no: r.get(7)?,
                refund_reason: r.get(8)?,
                refunded_on: r.get(9)?,
                lines: r.get(10)?,
            })
        })
        .optional()?)
}

fn account_of(conn: &Connection, case_no: &str) -> Result<FeeAccount> {
    let t = target(conn, case_no)?;
    let due_fen: Option<i64> = t.lines.iter().map(|l| l.amount_fen).sum();
    let day = |s: Option<String>| s.and_then(|s| s.parse().ok());
    Ok(match stored(conn, &t.account)? {
        None => FeeAccount {
            status: if t.lines.is_empty() { Status::Free } else { Status::Due },
            account: t.account,
            theme_no: t.theme_no,
            department: t.department,
            due_fen,
            lines: t.lines,
            amount_fen: None,
            receipt_no: None,
            paid_on: None,
            paid_by: None,
            exempt_reason: None,
            refunded_fen: None,
            refund_receipt_no: None,
            refund_reason: None,
            refunded_on: None,
        },
        // Settled: the lines it was settled on, not today's catalog.
        Some(s) => FeeAccount {
            account: t.account,
            theme_no: t.theme_no,
            department: t.department,
            lines: serde_json::from_str(&s.lines).unwrap_or(t.lines),
            due_fen,
            status: s.status,
            amount_fen: Some(s.amount_fen),
            receipt_no: s.receipt_no,
            paid_on: day(s.paid_on),
            paid_by: s.paid_by,
            exempt_reason: s.exempt_reason,
            refunded_fen: s.refunded_fen,
            refund_receipt_no: s.refund_receipt_no,
            refund_reason: s.refund_reason,
            refunded_on: day(s.refunded_on),
        },
    })
}

pub fn projects(action: &str) -> bool {
    matches!(action, events::FEE_PAY | events::FEE_EXEMPT | events::FEE_REFUND)
}

/// Journal → `fees` (live and in `yc rebuild`).
pub fn project(tx: &Transaction<'_>, ev: &Event) -> Result<()> {
    let step: Step = serde_json::from_value(ev.payload.clone()).map_err(|e| CoreError::JournalBroken {
        seq: ev.seq,
        id: ev.id.clone(),
        problem: format!("收费事件无法解析：{e}"),
    })?;
    let day = ev.date()?.to_string();
    let json = |l: &Vec<Line>| serde_json::to_string(l).map_err(|e| CoreError::Invalid(e.to_string()));
    match step {
        Step::Pay { account, theme_no, department, item_code, lines, amount_fen, receipt_no } => {
            tx.prepare_cached(
                "INSERT INTO fees (account, theme_no, department, item_code, status, amount_fen, lines, receipt_no,
                    paid_on, paid_by, updated_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                account,
                theme_no,
                department,
                item_code,
                Status::Paid.code(),
                amount_fen,
                json(&lines)?,
                receipt_no,
                day,
                ev.actor,
                ev.seq
            ])?;
        }
        Step::Exempt { account, theme_no, department, item_code, lines, amount_fen, reason } => {
            tx.prepare_cached(
                "INSERT INTO fees (account, theme_no, department, item_code, status, amount_fen, lines, exempt_reason,
                    paid_on, paid_by, updated_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                account,
                theme_no,
                department,
                item_code,
                Status::Exempted.code(),
                amount_fen,
                json(&lines)?,
                reason,
                day,
                ev.actor,
                ev.seq
            ])?;
        }
        Step::Refund { account, amount_fen, receipt_no, reason } => {
            tx.prepare_cached(
                "UPDATE fees SET status = ?2, refunded_fen = ?3, refund_receipt_no = ?4, refund_reason = ?5,
                    refunded_on = ?6, updated_seq = ?7 WHERE account = ?1",
            )?
            .execute(params![
                account,
                Status::Refunded.code(),
                amount_fen,
                receipt_no,
                reason,
                day,
                ev.seq
            ])?;
        }
    }
    Ok(())
}

impl Workstation {
    /// A case's fees (its theme's when it is a branch): the catalog's lines and where the account
    /// stands. Staff of the account's department (a theme's: the lead department).
    pub fn fee(&self, by: &Actor, case_no: &str) -> Result<FeeAccount> {
        let conn = self.store().reader()?;
        let a = account_of(&conn, case_no)?;
        by.require_department(&a.department)?;
        Ok(a)
    }

    /// One checked step in one transaction: `role` and the account's department, then `check`
    /// on the account as it stands, then the event.
    fn fee_step(
        &self,
        by: &Actor,
        case_no: &str,
        role: Role,
        what: &str,
        check: impl FnOnce(&Transaction<'_>, &Target, &FeeAccount) -> Result<Step>,
    ) -> Result<FeeAccount> {
        by.require_role(role, what)?;
        let now = self.now();
        self.store().write(|tx| {
            let t = target(tx, case_no)?;
            by.require_department(&t.department)?;
            let current = account_of(tx, case_no)?;
            let step = check(tx, &t, &current)?;
            let reason = match &step {
                Step::Pay { .. } => None,
                Step::Exempt { reason, .. } | Step::Refund { reason, .. } => Some(reason.as_str()),
            };
            journal::append_step(tx, &by.id, role.code(), step.action(), now, &step, reason, project).map(|_| ())
        })?;
        account_of(&*self.store().reader()?, case_no)
    }

    /// Records the payment of a case's (or its theme's) fees with the receipt number. Once: a
    /// paid, exempted or refunded account is not charged again; a receipt number pays one account.
    pub fn pay_fee(&self, by: &Actor, case_no: &str, payment: &Payment) -> Result<FeeAccount> {
        let receipt = normalize_receipt(&payment.receipt_no)?;
        self.fee_step(by, case_no, Role::Clerk, "收费", |tx, t, cur| {
            settled_refusal(cur, "收费")?;
            open_for_fees(t, "收费")?;
            receipt_unused(tx, &receipt)?;
            let amount_fen = settle_amount(&t.lines, payment.amount_fen, "收费")?;
            Ok(Step::Pay {
                account: t.account.clone(),
                theme_no: t.theme_no.clone(),
                department: t.department.clone(),
                item_code: t.item_code.clone(),
                lines: t.lines.clone(),
                amount_fen,
                receipt_no: receipt.clone(),
            })
        })
    }

    /// Waives a case's (or its theme's) fees for a stated reason (减免: 小微企业, 低保对象 …).
    /// Decision makers; before anything is paid (a paid fee is refunded instead).
    pub fn exempt_fee(&self, by: &Actor, case_no: &str, reason: &str, amount_fen: Option<i64>) -> Result<FeeAccount> {
        let reason = reason_text("减免收费", reason)?;
        self.fee_step(by, case_no, Role::Decider, "减免收费", |_, t, cur| {
            settled_refusal(cur, "减免")?;
            open_for_fees(t, "减免")?;
            let amount_fen = settle_amount(&t.lines, amount_fen, "减免收费")?;
            Ok(Step::Exempt {
                account: t.account.clone(),
                theme_no: t.theme_no.clone(),
                department: t.department.clone(),
                item_code: t.item_code.clone(),
                lines: t.lines.clone(),
                amount_fen,
                reason: reason.clone(),
            })
        })
    }

    /// Refunds a paid account in full (退费) with the refund voucher's number and the reason.
    /// Decision makers; once.
    pub fn refund_fee(&self, by: &Actor, case_no: &str, receipt_no: &str, reason: &str) -> Result<FeeAccount> {
        let reason = reason_text("退费", reason)?;
        let receipt = normalize_receipt(receipt_no)?;
        self.fee_step(by, case_no, Role::Decider, "退费", |tx, t, cur| {
            match cur.status {
                Status::Paid => {}
                Status::Refunded => {
                    return Err(CoreError::Invalid(format!(
                        "已于 {} 退费（退付凭证 {}），不能重复退费",
                        cur.refunded_on.map(|d| d.to_string()).unwrap_or_default(),
                        cur.refund_receipt_no.as_deref().unwrap_or("")
                    )));
                }
                s => return Err(CoreError::Invalid(format!("收费状态为「{}」，没有可退的款项", s.zh()))),
            }
            receipt_unused(tx, &receipt)?;
            Ok(Step::Refund {
                account: t.account.clone(),
                amount_fen: cur.amount_fen.unwrap_or(0),
                receipt_no: receipt.clone(),
                reason: reason.clone(),
            })
        })
    }
}

/// 一次性收费: an account settled once is not settled again.
fn settled_refusal(cur: &FeeAccount, what: &str) -> Result<()> {
    let on = cur.paid_on.map(|d| d.to_string()).unwrap_or_default();
    let whose = cur.theme_no.as_ref().map_or_else(String::new, |t| format!("（随主题 {t} 一次收取）"));
    match cur.status {
        Status::Free | Status::Due => Ok(()),
        Status::Paid => Err(CoreError::Invalid(format!(
            "已于 {on} 缴费 {} 元（票据号 {}）{whose}，不能再{what}",
            yuan(cur.amount_fen.unwrap_or(0)),
            cur.receipt_no.as_deref().unwrap_or("")
        ))),
        Status::Exempted => Err(CoreError::Invalid(format!(
            "已于 {on} 减免（{}）{whose}，不能再{what}",
            cur.exempt_reason.as_deref().unwrap_or("")
        ))),
        Status::Refunded => Err(CoreError::Invalid(format!("已缴费并于 {} 退费{whose}，不能再{what}", {
            cur.refunded_on.map(|d| d.to_string()).unwrap_or_default()
        }))),
    }
}

/// No fee on an application that never became a case to handle (预约, 不予受理, 撤回).
fn open_for_fees(t: &Target, what: &str) -> Result<()> {
    let dead = t.states.iter().all(|s| matches!(s, State::Appointed | State::NotAccepted | State::Withdrawn));
    match t.states.first() {
        Some(s) if dead => {
            Err(CoreError::IllegalTransition { state: s.zh().into(), action: what.into(), detail: String::new() })
        }
        _ => Ok(()),
    }
}

/// A receipt or voucher number is one payment's: used twice it would hide a missing payment.
fn receipt_unused(tx: &Transaction<'_>, receipt: &str) -> Result<()> {
    let used: Option<String> = tx
        .prepare_cached("SELECT account FROM fees WHERE receipt_no = ?1 OR refund_receipt_no = ?1")?
        .query_row([receipt], |r| r.get(0))
        .optional()?;
    match used {
        Some(a) => Err(CoreError::Invalid(format!("票据号 {receipt} 已用于 {a}，每张票据只对应一笔款项"))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(fen: Option<i64>, text: Option<&str>) -> Line {
        Line {
            case_no: "C".into(),
            item_name: "I".into(),
            name: "登记费".into(),
            basis: "B".into(),
            amount_fen: fen,
            amount_text: text.map(str::to_owned),
        }
    }

    #[test]
    fn the_amount_is_the_catalogs_unless_the_catalog_describes_it_in_text() {
        assert!(settle_amount(&[], None, "收费").is_err());
        assert_eq!(settle_amount(&[line(Some(8000), None), line(Some(1000), None)], None, "x").unwrap(), 9000);
        assert!(settle_amount(&[line(Some(8000), None)], Some(55000), "x").is_err());
        assert_eq!(settle_amount(&[line(Some(8000), Some("住宅 80 非住宅 550"))], Some(55000), "x").unwrap(), 55000);
        assert!(matches!(settle_amount(&[line(None, Some("按件"))], None, "x"), Err(CoreError::Missing { .. })));
        assert!(settle_amount(&[line(None, Some("按件"))], Some(-1), "x").is_err());
    }

    #[test]
    fn receipts_are_folded_and_yuan_printed() {
        assert_eq!(normalize_receipt(" ＦＳ-2026 0001 ").unwrap(), "FS-20260001");
        assert!(normalize_receipt("x1").is_err());
        assert_eq!(yuan(8000), "80.00");
        assert_eq!(yuan(1005), "10.05");
    }
}
