//! The delivery commands (intake clerks, the role that delivers): set or change the method,
//! dispatch, record the receipt (which completes the case: 送达 → 办结), record a 退件; and the
//! reads, with the §44 light. Role, department scope and the delivery's and case's state are
//! checked here; a refusal says why in Chinese and changes nothing.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::Serialize;

use super::{Dispatch, Method, Plan, Status, Step};
use crate::case::{self, Action, Role, State};
use crate::casework::ActRequest;
use crate::deadline::{self, Light};
use crate::error::{CoreError, Result};
use crate::projection::Projector;
use crate::staff::Actor;
use crate::workstation::Workstation;

/// A case's delivery as staff see it, with the §44 limit.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    pub case_no: String,
    pub department: String,
    pub method: Method,
    pub address: Option<String>,
    pub recipient: Option<String>,
    pub status: Status,
    pub carrier: Option<String>,
    pub waybill: Option<String>,
    pub dispatched_on: Option<NaiveDate>,
    pub received_on: Option<NaiveDate>,
    pub signed_by: Option<String>,
    pub returned_on: Option<NaiveDate>,
    pub return_reason: Option<String>,
    /// Dispatches so far (a 退件 sent again counts twice).
    pub attempts: u32,
    pub planned_on: NaiveDate,
    /// §44: the decision day + 10 working days; None until the case is decided.
    pub due: Option<NaiveDate>,
    /// The day the department met the limit: handed over at the window, or handed to the carrier
    /// (在途时间 is not counted). None while it has not, and again after a 退件.
    pub met_on: Option<NaiveDate>,
    /// Working days left until `due` (negative: overdue), while the limit runs.
    pub days_left: Option<i64>,
    pub light: Option<Light>,
    /// Working days after `due` on which it was met; 0 when on time.
    pub late_days: Option<i64>,
}

/// The case facts a delivery command checks.
struct CaseRow {
    department: String,
    state: State,
    outcome: Option<String>,
}

fn case_row(conn: &Connection, case_no: &str) -> Result<CaseRow> {
    conn.prepare_cached("SELECT department, state, outcome FROM cases WHERE case_no = ?1")?
        .query_row([case_no], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?)))
        .optional()?
        .map(|(department, state, outcome)| CaseRow {
            department,
            state: State::parse(&state).unwrap_or(State::Submitted),
            outcome,
        })
        .ok_or_else(|| CoreError::UnknownCase(case_no.into()))
}

const COLS: &str = "d.case_no, c.department, d.method, d.address, d.recipient, d.status, d.carrier, d.waybill,
    d.dispatched_on, d.received_on, d.signed_by, d.returned_on, d.return_reason, d.attempts, d.planned_on,
    c.delivery_due, c.closed_on";

/// A row before the light: `closed_on` says when a case delivered without a record closed.
fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Delivery, Option<NaiveDate>)> {
    let d = |i: usize| -> rusqlite::Result<Option<NaiveDate>> {
        Ok(r.get::<_, Option<String>>(i)?.and_then(|s| s.parse().ok()))
    };
    let method: String = r.get(2)?;
    let status: String = r.get(5)?;
    Ok((
        Delivery {
            case_no: r.get(0)?,
            department: r.get(1)?,
            method: Method::parse(&method).unwrap_or(Method::Window),
            address: r.get(3)?,
            recipient: r.get(4)?,
            status: Status::parse(&status).unwrap_or(Status::Planned),
            carrier: r.get(6)?,
            waybill: r.get(7)?,
            dispatched_on: d(8)?,
            received_on: d(9)?,
            signed_by: r.get(10)?,
            returned_on: d(11)?,
            return_reason: r.get(12)?,
            attempts: r.get(13)?,
            planned_on: d(14)?.unwrap_or_default(),
            due: d(15)?,
            met_on: None,
            days_left: None,
            light: None,
            late_days: None,
        },
        d(16)?,
    ))
}

impl Workstation {
    /// The standing of a delivery against §44 as of today.
    fn with_light(&self, (mut d, closed_on): (Delivery, Option<NaiveDate>)) -> Delivery {
        d.met_on = match d.status {
            Status::Received if d.method == Method::Window => d.received_on,
            Status::Received | Status::Dispatched => d.dispatched_on.or(d.received_on),
            // A plain 送达 on the case (handed over without a delivery record) closes it.
            Status::Planned | Status::Returned => closed_on,
        };
        let Some(due) = d.due else { return d };
        let cal = self.calendar();
        match d.met_on {
            Some(met) => {
                d.late_days = deadline::working_days_left(&cal, due, met).ok().map(|l| (-l).max(0));
            }
            None => {
                if let Ok(left) = deadline::working_days_left(&cal, due, self.today()) {
                    d.days_left = Some(left);
                    d.light = Some(deadline::light(&self.policy, deadline::DELIVERY_DAYS, left));
                }
            }
        }
        d
    }

    fn load_delivery(&self, conn: &Connection, case_no: &str) -> Result<Option<Delivery>> {
        let r = conn
            .prepare_cached(&format!(
                "SELECT {COLS} FROM deliveries d JOIN cases c USING (case_no) WHERE d.case_no = ?1"
            ))?
            .query_row([case_no], row)
            .optional()?;
        Ok(r.map(|r| self.with_light(r)))
    }

    /// The delivery of a case (None when no method was recorded), for staff of its department.
    pub fn delivery(&self, by: &Actor, case_no: &str) -> Result<Option<Delivery>> {
        let conn = self.store().reader()?;
        by.require_department(&case_row(&conn, case_no)?.department)?;
        self.load_delivery(&conn, case_no)
    }

    /// Deliveries in the actor's departments, optionally of one status, oldest plan first.
    pub fn delivery_list(&self, by: &Actor, status: Option<Status>) -> Result<Vec<Delivery>> {
        let conn = self.store().reader()?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT {COLS} FROM deliveries d JOIN cases c USING (case_no)
             WHERE ?1 IS NULL OR d.status = ?1 ORDER BY d.planned_on, d.case_no"
        ))?;
        let rows = st.query_map([status.map(Status::code)], row)?;
        let mut out = Vec::new();
        for r in rows {
            let r = r?;
            if by.covers(&r.0.department) {
                out.push(self.with_light(r));
            }
        }
        Ok(out)
    }

    /// One checked step: the clerk's role and the case's department first, then `check` on the
    /// case and its current delivery, then the event in one transaction (plus what `then` adds).
    fn delivery_step(
        &self,
        by: &Actor,
        case_no: &str,
        what: &str,
        check: impl FnOnce(&CaseRowView, Option<&Delivery>) -> Result<Step>,
        then: impl FnOnce(&Transaction<'_>, &mut Projector, &CaseRowView) -> Result<()>,
    ) -> Result<Delivery> {
        by.require_role(Role::Clerk, what)?;
        let now = self.now();
        let label = self.label();
        let mut projector = Projector::new(self.calendar().clone());
        self.store().write(|tx| {
            let c = case_row(tx, case_no)?;
            by.require_department(&c.department)?;
            let view = CaseRowView { state: c.state, outcome: c.outcome };
            let current = self.load_delivery(tx, case_no)?;
            let step = check(&view, current.as_ref())?;
            super::project::write(tx, &by.id, Role::Clerk.code(), &step, now, &label)?;
            then(tx, &mut projector, &view)
        })?;
        self.load_delivery(&*self.store().reader()?, case_no)?
            .ok_or_else(|| CoreError::Invalid(format!("办件 {case_no} 的送达记录未写入")))
    }

    /// Sets or changes how the result reaches the applicant. Allowed until it is sent (and again
    /// after a 退件), on a case not yet closed.
    pub fn plan_delivery(&self, by: &Actor, case_no: &str, plan: &Plan) -> Result<Delivery> {
        let plan = plan.normalized()?;
        self.delivery_step(
            by,
            case_no,
            "登记送达方式",
            |c, cur| {
                if !case::is_open(c.state) {
                    return Err(refused(c.state, "登记送达方式", "（办件已办结或已终结）"));
                }
                if let Some(d) = cur
                    && matches!(d.status, Status::Dispatched | Status::Received)
                {
                    return Err(CoreError::Invalid(format!(
                        "办件 {case_no} 的结果{}，不能再改送达方式（退件后可改）",
                        d.status.zh()
                    )));
                }
                Ok(Step::Plan {
                    case_no: case_no.into(),
                    method: plan.method,
                    address: plan.address.clone(),
                    recipient: plan.recipient.clone(),
                })
            },
            |_, _, _| Ok(()),
        )
    }

    /// The result leaves: handed to the post, a courier, the unified courier or the township
    /// agent. Only a decided case whose decision is sealed (an unsealed decision is void).
    pub fn dispatch_delivery(&self, by: &Actor, case_no: &str, d: &Dispatch) -> Result<Delivery> {
        self.delivery_step(
            by,
            case_no,
            "寄出",
            |c, cur| {
                let cur = cur.ok_or_else(|| no_plan(case_no))?;
                if !matches!(cur.status, Status::Planned | Status::Returned) {
                    return Err(CoreError::Invalid(format!("办件 {case_no} 的结果{}，不能再寄出", cur.status.zh())));
                }
                let d = d.normalized(cur.method)?;
                decided(c, "寄出")?;
                Ok(Step::Dispatch { case_no: case_no.into(), carrier: d.carrier, waybill: d.waybill })
            },
            |tx, _, c| self.require_sealed(tx, case_no, c),
        )
    }

    /// The applicant (or a proxy) signed for the result: at the window for a window pickup, else
    /// the date on the return card. A case still waiting for delivery is completed (送达) in the
    /// same transaction.
    pub fn record_delivery_receipt(
        &self,
        by: &Actor,
        case_no: &str,
        signed_by: &str,
        received_on: Option<NaiveDate>,
    ) -> Result<Delivery> {
        let signer = signed_by.trim();
        let today = self.today();
        let on = received_on.unwrap_or(today);
        let now = self.now();
        self.delivery_step(
            by,
            case_no,
            "登记签收",
            |c, cur| {
                let cur = cur.ok_or_else(|| no_plan(case_no))?;
                match (cur.method, cur.status) {
                    (Method::Window, Status::Planned) => decided(c, "窗口签收")?,
                    (_, Status::Dispatched) => {}
                    (_, s) => {
                        return Err(CoreError::Invalid(format!("办件 {case_no} 的结果{}，不能登记签收", s.zh())));
                    }
                }
                if signer.is_empty() {
                    return Err(CoreError::Missing { action: "登记签收".into(), field: "签收人".into() });
                }
                if on > today || cur.dispatched_on.is_some_and(|d| on < d) {
                    return Err(CoreError::Invalid(format!(
                        "签收日期 {on} 不在寄出日（{}）与今天（{today}）之间",
                        cur.dispatched_on.map_or_else(|| "—".into(), |d| d.to_string())
                    )));
                }
                Ok(Step::Receipt { case_no: case_no.into(), signed_by: signer.into(), received_on: on })
            },
            |tx, projector, c| {
                if matches!(c.state, State::Approved | State::Denied) {
                    let req = ActRequest {
                        detail: Some(format!("签收人：{signer}，签收日期：{on}")),
                        ..ActRequest::default()
                    };
                    let input = case::Input::default();
                    self.act_in(tx, projector, by, case_no, Action::Deliver, &req, &input, &[], now)?;
                }
                Ok(())
            },
        )
    }

    /// The result came back undelivered (退件: moved, refused, nobody home). The method or
    /// address may then be changed and the result sent again, or kept for the window.
    pub fn record_delivery_return(
        &self,
        by: &Actor,
        case_no: &str,
        reason: &str,
        returned_on: Option<NaiveDate>,
    ) -> Result<Delivery> {
        let reason = reason.trim();
        let today = self.today();
        let on = returned_on.unwrap_or(today);
        self.delivery_step(
            by,
            case_no,
            "登记退件",
            |_, cur| {
                let cur = cur.ok_or_else(|| no_plan(case_no))?;
                if cur.status != Status::Dispatched {
                    return Err(CoreError::Invalid(format!("办件 {case_no} 的结果{}，不能登记退件", cur.status.zh())));
                }
                if reason.is_empty() {
                    return Err(CoreError::Missing { action: "登记退件".into(), field: "退件原因".into() });
                }
                if on > today || cur.dispatched_on.is_some_and(|d| on < d) {
                    return Err(CoreError::Invalid(format!("退件日期 {on} 不在寄出日与今天（{today}）之间")));
                }
                Ok(Step::Return { case_no: case_no.into(), reason: reason.into(), returned_on: on })
            },
            |_, _, _| Ok(()),
        )
    }

    /// What 送达 itself will need, checked when the result leaves rather than when it is signed
    /// for: the sealed decision for the case's outcome, and the certificate made when approved.
    fn require_sealed(&self, tx: &Transaction<'_>, case_no: &str, c: &CaseRowView) -> Result<()> {
        if !self.has_sealed_decision(tx, case_no, c.outcome.as_deref())? {
            return Err(refused(c.state, "寄出", "（尚无加盖电子印章的决定书，请先用印）"));
        }
        let f = crate::projection::facts(tx, case_no)?;
        if f.outcome == Some(case::Outcome::Approved) && f.has_certificate && !f.certificate_made {
            return Err(refused(c.state, "寄出", "（证照尚未制作，请先制证）"));
        }
        Ok(())
    }
}

/// What the step checks see of the case.
struct CaseRowView {
    state: State,
    outcome: Option<String>,
}

/// A result leaves only once decided (准予 or 不予许可) and not yet delivered.
fn decided(c: &CaseRowView, what: &str) -> Result<()> {
    if matches!(c.state, State::Approved | State::Denied) {
        Ok(())
    } else {
        Err(refused(c.state, what, "（尚未作出决定，或已送达办结）"))
    }
}

fn refused(state: State, action: &str, detail: &str) -> CoreError {
    CoreError::IllegalTransition { state: state.zh().into(), action: action.into(), detail: detail.into() }
}

fn no_plan(case_no: &str) -> CoreError {
    CoreError::Invalid(format!("办件 {case_no} 尚未登记送达方式（yc delivery plan）"))
}
