//! 好差评 (国办发〔2019〕51号; GB/T 39734/39735-2020): the applicant's rating of a closed case, and
//! the work order a 差评 opens (核实 → 整改 → 反馈 → 回访 → 复核/申诉) with its own working-day
//! deadline and light. A real-name bad rating cannot be closed before the call-back (回访).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::hit::{Hit, Rule};
use super::record::{case_owner, days_left, due_after, to_json};
use crate::calendar::Calendar;
use crate::case::Role;
use crate::deadline::{Light, light};
use crate::error::{CoreError, Result};
use crate::events;
use crate::journal::Event;
use crate::staff::{ALL_DEPARTMENTS, Actor};
use crate::sync::contract::{CaseSnapshot, ItemKind};
use crate::sync::outbox::Routes;
use crate::workstation::Workstation;

/// The five levels (GB/T 39734-2020). The last two are 差评.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    VerySatisfied,
    Satisfied,
    FairlySatisfied,
    Dissatisfied,
    VeryDissatisfied,
}

impl Level {
    pub const ALL: &'static [Level] =
        &[Level::VerySatisfied, Level::Satisfied, Level::FairlySatisfied, Level::Dissatisfied, Level::VeryDissatisfied];

    pub fn code(self) -> &'static str {
        match self {
            Level::VerySatisfied => "very_satisfied",
            Level::Satisfied => "satisfied",
            Level::FairlySatisfied => "fairly_satisfied",
            Level::Dissatisfied => "dissatisfied",
            Level::VeryDissatisfied => "very_dissatisfied",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Level::VerySatisfied => "非常满意",
            Level::Satisfied => "满意",
            Level::FairlySatisfied => "基本满意",
            Level::Dissatisfied => "不满意",
            Level::VeryDissatisfied => "非常不满意",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.iter().copied().find(|l| l.code() == s || l.zh() == s)
    }

    /// 差评: 不满意 or 非常不满意.
    pub fn is_bad(self) -> bool {
        matches!(self, Level::Dissatisfied | Level::VeryDissatisfied)
    }
}

/// Where the rating was given.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "RatingChannel"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The rating device (or screen turned toward the applicant) at the window.
    WindowDevice,
    /// The QR code on the materials receipt.
    ReceiptQr,
    Sms,
    Online,
}

impl Channel {
    pub const ALL: &'static [Channel] = &[Channel::WindowDevice, Channel::ReceiptQr, Channel::Sms, Channel::Online];

    pub fn code(self) -> &'static str {
        match self {
            Channel::WindowDevice => "window_device",
            Channel::ReceiptQr => "receipt_qr",
            Channel::Sms => "sms",
            Channel::Online => "online",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Channel::WindowDevice => "窗口评价器",
            Channel::ReceiptQr => "回执二维码",
            Channel::Sms => "短信",
            Channel::Online => "网上",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.iter().copied().find(|c| c.code() == s || c.zh() == s)
    }
}

/// A rating as given (the payload of `rating.record`, plus the work-order limit in force).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRating {
    pub case_no: String,
    pub channel: Channel,
    pub level: Level,
    /// Indicator (效率, 水平, 态度…) → level.
    #[serde(default)]
    pub indicators: BTreeMap<String, Level>,
    #[serde(default)]
    pub comment: Option<String>,
    /// Named (实名) or anonymous. A named 差评 is always called back.
    #[serde(default)]
    pub real_name: bool,
    #[serde(default)]
    pub rater_name: Option<String>,
    #[serde(default)]
    pub rater_phone: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RatingPayload {
    #[serde(flatten)]
    rating: NewRating,
    /// The work order's limit when the rating arrived (a later config change does not move an
    /// order's deadline, and a rebuild gives the same date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    work_order_days: Option<u32>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub rating_id: String,
    /// The work order a 差评 opened.
    pub work_order: Option<String>,
}

impl Workstation {
    /// Records a rating of a closed (办结) case. The window's clerk captures it (the applicant taps),
    /// an administrator enters one from another channel; both within the case's department. The
    /// rating goes up to the 好差评 system on the `evaluations` stream.
    pub fn record_rating(&self, by: &Actor, r: &NewRating) -> Result<Recorded> {
        self.rate(by, r, true)
    }

    /// `send_up`: false for a rating the far side sent (it has it already).
    fn rate(&self, by: &Actor, r: &NewRating, send_up: bool) -> Result<Recorded> {
        if !(by.has_role(Role::Clerk) || by.has_role(Role::Admin)) {
            return Err(CoreError::RoleDenied {
                actor: by.name.clone(),
                role: "受理员或管理员".into(),
                action: "登记评价".into(),
            });
        }
        if r.real_name && r.rater_name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(CoreError::Missing { action: "实名评价".into(), field: "评价人姓名".into() });
        }
        let cfg = self.supervision_config()?;
        let cal = self.calendar().clone();
        let now = self.clock().now();
        let label = self.label();
        self.store().write(|tx| {
            let (department, _, _, state) = case_owner(tx, &r.case_no)?;
            by.require_department(&department)?;
            if state != "completed" {
                return Err(CoreError::IllegalTransition {
                    state: crate::case::State::parse(&state).map_or(state.clone(), |s| s.zh().to_owned()),
                    action: "评价".into(),
                    detail: "（办结后才能评价）".into(),
                });
            }
            let dup: Option<String> = tx
                .prepare_cached("SELECT rating_id FROM ratings WHERE case_no = ?1 AND channel = ?2")?
                .query_row(params![r.case_no, r.channel.code()], |row| row.get(0))
                .optional()?;
            if dup.is_some() {
                return Err(CoreError::Invalid(format!(
                    "办件 {} 已通过「{}」评价过，每个渠道只能评价一次",
                    r.case_no,
                    r.channel.zh()
                )));
            }
            let payload =
                RatingPayload { rating: r.clone(), work_order_days: r.level.is_bad().then_some(cfg.work_order_days) };
            let role = if by.has_role(Role::Clerk) { Role::Clerk } else { Role::Admin };
            let ev = super::record::append(tx, by, role.code(), events::RATING, now, to_json(&payload)?)?;
            project_rating(tx, &ev, &cal)?;
            let work_order = r.level.is_bad().then(|| order_id(&ev.id));
            if send_up {
                let item = rating_item(tx, &label, &ev, r, work_order.as_deref())?;
                let mut routes = Routes::load(tx)?;
                crate::sync::outbox::enqueue_item(
                    tx,
                    &ev.id,
                    &ev,
                    ItemKind::Rating,
                    Some(&department),
                    &item,
                    &mut routes,
                )?;
            }
            Ok(Recorded { work_order, rating_id: ev.id })
        })
    }
}

/// The `evaluation.rating` item: the rating as the 好差评 system files it, with the case snapshot.
/// The rater's phone stays here (the call-back is made from this workstation); the name goes only
/// with a real-name rating.
fn rating_item(
    tx: &Transaction<'_>,
    workstation: &str,
    ev: &Event,
    r: &NewRating,
    work_order: Option<&str>,
) -> Result<serde_json::Value> {
    let (_, staff, _, _) = case_owner(tx, &r.case_no)?;
    Ok(serde_json::json!({
        "workstation": workstation,
        "rating_id": ev.id,
        "case_no": r.case_no,
        "case": CaseSnapshot::read(tx, &r.case_no)?,
        "channel": r.channel.code(),
        "level": r.level.code(),
        "indicators": r.indicators.iter().map(|(k, v)| (k.clone(), v.code())).collect::<BTreeMap<_, _>>(),
        "comment": r.comment,
        "real_name": r.real_name,
        "rater_name": if r.real_name { r.rater_name.as_deref() } else { None },
        "staff": staff,
        "rated_at": ev.at,
        "work_order": work_order,
    }))
}

impl Workstation {
    /// A rating that arrived through the inbox (kind `evaluation.rating`): applied once (the inbox
    /// dedupes on its key, and a case takes one rating per channel).
    pub fn record_rating_from_sync(&self, adapter: &str, payload: &serde_json::Value) -> Result<Recorded> {
        let r: NewRating =
            serde_json::from_value(payload.clone()).map_err(|e| CoreError::Invalid(format!("评价内容不完整：{e}")))?;
        let by = Actor {
            id: format!("sync:{adapter}"),
            name: format!("同步（{adapter}）"),
            roles: vec![Role::Clerk],
            departments: vec![ALL_DEPARTMENTS.into()],
        };
        self.rate(&by, &r, false)
    }
}

fn order_id(rating_id: &str) -> String {
    format!("WO-{rating_id}")
}

pub(crate) fn project_rating(tx: &Transaction<'_>, ev: &Event, cal: &Calendar) -> Result<()> {
    let p: RatingPayload = serde_json::from_value(ev.payload.clone()).map_err(|e| CoreError::JournalBroken {
        seq: ev.seq,
        id: ev.id.clone(),
        problem: format!("评价事件无法解析：{e}"),
    })?;
    let r = &p.rating;
    let (department, staff, item_code, _) = case_owner(tx, &r.case_no)?;
    let day = ev.date()?;
    let indicators = serde_json::to_string(&r.indicators).map_err(|e| CoreError::Invalid(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO ratings (rating_id, case_no, channel, level, indicators, comment, real_name, rater_name, rater_phone,
             department, staff, item_code, rated_on, journal_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        ev.id,
        r.case_no,
        r.channel.code(),
        r.level.code(),
        indicators,
        r.comment,
        r.real_name,
        r.rater_name,
        r.rater_phone,
        department,
        staff,
        item_code,
        day.to_string(),
        ev.seq
    ])?;
    if let (true, Some(days)) = (r.level.is_bad(), p.work_order_days) {
        let (due, note) = match due_after(cal, day, days) {
            Ok(d) => (Some(d.to_string()), None),
            Err(e) => (None, Some(e)),
        };
        tx.prepare_cached(
            "INSERT INTO work_orders (order_id, rating_id, case_no, department, real_name, state, opened_on, due_on, note, journal_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, 'verifying', ?6, ?7, ?8, ?9)",
        )?
        .execute(params![order_id(&ev.id), ev.id, r.case_no, department, r.real_name, day.to_string(), due, note, ev.seq])?;
    }
    Ok(())
}

/// A step of a work order. 复核 closes it as rectified; 申诉 closes it as an appeal upheld
/// (the rating found unfounded on review).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkOrderStep {
    Verify,
    Rectify,
    Feedback,
    Callback,
    Review,
    Appeal,
}

impl WorkOrderStep {
    pub const ALL: &'static [WorkOrderStep] = &[
        WorkOrderStep::Verify,
        WorkOrderStep::Rectify,
        WorkOrderStep::Feedback,
        WorkOrderStep::Callback,
        WorkOrderStep::Review,
        WorkOrderStep::Appeal,
    ];

    pub fn code(self) -> &'static str {
        match self {
            WorkOrderStep::Verify => "verify",
            WorkOrderStep::Rectify => "rectify",
            WorkOrderStep::Feedback => "feedback",
            WorkOrderStep::Callback => "callback",
            WorkOrderStep::Review => "review",
            WorkOrderStep::Appeal => "appeal",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            WorkOrderStep::Verify => "核实",
            WorkOrderStep::Rectify => "整改",
            WorkOrderStep::Feedback => "反馈",
            WorkOrderStep::Callback => "回访",
            WorkOrderStep::Review => "复核",
            WorkOrderStep::Appeal => "申诉",
        }
    }

    pub fn parse(s: &str) -> Option<WorkOrderStep> {
        WorkOrderStep::ALL.iter().copied().find(|x| x.code() == s || x.zh() == s)
    }
}

/// Where a work order stands: the step it waits for.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    Verifying,
    Rectifying,
    Feedback,
    Callback,
    Review,
    Closed,
}

impl OrderState {
    pub fn code(self) -> &'static str {
        match self {
            OrderState::Verifying => "verifying",
            OrderState::Rectifying => "rectifying",
            OrderState::Feedback => "feedback",
            OrderState::Callback => "callback",
            OrderState::Review => "review",
            OrderState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<OrderState> {
        [Self::Verifying, Self::Rectifying, Self::Feedback, Self::Callback, Self::Review, Self::Closed]
            .into_iter()
            .find(|x| x.code() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            OrderState::Verifying => "待核实",
            OrderState::Rectifying => "待整改",
            OrderState::Feedback => "待反馈",
            OrderState::Callback => "待回访",
            OrderState::Review => "待复核",
            OrderState::Closed => "已办结",
        }
    }
}

/// The state after `step`, or why it is not allowed. Pure, so the rule is testable alone.
pub fn next(
    state: OrderState,
    step: WorkOrderStep,
    real_name: bool,
    called_back: bool,
) -> std::result::Result<OrderState, String> {
    use OrderState as S;
    use WorkOrderStep as W;
    match (state, step) {
        (S::Verifying, W::Verify) => Ok(S::Rectifying),
        (S::Rectifying, W::Rectify) => Ok(S::Feedback),
        (S::Feedback, W::Feedback) => Ok(S::Callback),
        (S::Callback, W::Callback) => Ok(S::Review),
        // An anonymous rater cannot be called; a named one always is.
        (S::Callback, W::Review | W::Appeal) if !real_name => Ok(S::Closed),
        (S::Callback, W::Review | W::Appeal) => Err("实名差评须先回访评价人，才能复核或申诉".into()),
        (S::Review, W::Review | W::Appeal) if real_name && !called_back => Err("实名差评须先回访".into()),
        (S::Review, W::Review | W::Appeal) => Ok(S::Closed),
        (S::Closed, _) => Err("工单已办结".into()),
        (s, w) => Err(format!("工单{}，不能「{}」", s.zh(), w.zh())),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StepPayload {
    order_id: String,
    step: WorkOrderStep,
    note: String,
}

impl Workstation {
    /// Takes the next step of a work order: staff of the rated case's department, as reviewer,
    /// decider or administrator, with a note saying what was done.
    pub fn step_work_order(&self, by: &Actor, order_id: &str, step: WorkOrderStep, note: &str) -> Result<WorkOrder> {
        let Some(role) = [Role::Reviewer, Role::Decider, Role::Admin].into_iter().find(|r| by.has_role(*r)) else {
            return Err(CoreError::RoleDenied {
                actor: by.name.clone(),
                role: "审查员、决定人或管理员".into(),
                action: step.zh().into(),
            });
        };
        if note.trim().is_empty() {
            return Err(CoreError::Missing { action: format!("工单{}", step.zh()), field: "处理情况".into() });
        }
        let now = self.clock().now();
        let label = self.label();
        self.store().write(|tx| {
            let o = load(tx, order_id)?;
            by.require_department(&o.department)?;
            next(o.state, step, o.real_name, o.called_back).map_err(CoreError::Invalid)?;
            let p = StepPayload { order_id: order_id.into(), step, note: note.trim().into() };
            let ev = super::record::append(tx, by, role.code(), events::WORK_ORDER_STEP, now, to_json(&p)?)?;
            project_step(tx, &ev)?;
            // The rectification goes up as it happens: the 好差评 system tracks every 差评 to its end.
            let after = load(tx, order_id)?;
            let item = serde_json::json!({
                "workstation": label,
                "order_id": after.order_id,
                "rating_id": after.rating_id,
                "case_no": after.case_no,
                "case": CaseSnapshot::read(tx, &after.case_no)?,
                "step": step,
                "state_after": after.state.code(),
                "outcome": after.outcome,
                "note": p.note,
                "by": ev.actor,
                "at": ev.at,
                "due_on": after.due_on,
            });
            let mut routes = Routes::load(tx)?;
            crate::sync::outbox::enqueue_item(
                tx,
                &ev.id,
                &ev,
                ItemKind::WorkOrderStep,
                Some(&after.department),
                &item,
                &mut routes,
            )?;
            Ok(())
        })?;
        let conn = self.store().reader()?;
        let mut o = load(&conn, order_id)?;
        o.light_up(&self.calendar(), &self.policy, self.today());
        Ok(o)
    }
}

pub(crate) fn project_step(tx: &Transaction<'_>, ev: &Event) -> Result<()> {
    let broken = |p: String| CoreError::JournalBroken { seq: ev.seq, id: ev.id.clone(), problem: p };
    let p: StepPayload =
        serde_json::from_value(ev.payload.clone()).map_err(|e| broken(format!("工单事件无法解析：{e}")))?;
    let o = load(tx, &p.order_id)?;
    let state = next(o.state, p.step, o.real_name, o.called_back).map_err(broken)?;
    let day = ev.date()?.to_string();
    let mut steps = o.steps;
    steps.push(StepRecord { step: p.step, by: ev.actor.clone(), at: ev.at.clone(), note: p.note });
    let outcome = match (state, p.step) {
        (OrderState::Closed, WorkOrderStep::Appeal) => Some(OrderOutcome::AppealUpheld.code()),
        (OrderState::Closed, _) => Some(OrderOutcome::Rectified.code()),
        _ => None,
    };
    tx.prepare_cached(
        "UPDATE work_orders SET state = ?2, steps = ?3, called_back = called_back OR ?4,
             closed_on = CASE WHEN ?5 IS NULL THEN closed_on ELSE ?6 END, outcome = COALESCE(?5, outcome), journal_seq = ?7
         WHERE order_id = ?1",
    )?
    .execute(params![
        p.order_id,
        state.code(),
        serde_json::to_string(&steps).map_err(|e| CoreError::Invalid(e.to_string()))?,
        p.step == WorkOrderStep::Callback,
        outcome,
        day,
        ev.seq
    ])?;
    Ok(())
}

/// How a closed work order ended: rectified (复核), or the staff's appeal upheld (申诉).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderOutcome {
    Rectified,
    AppealUpheld,
}

impl OrderOutcome {
    pub fn code(self) -> &'static str {
        match self {
            OrderOutcome::Rectified => "rectified",
            OrderOutcome::AppealUpheld => "appeal_upheld",
        }
    }

    pub fn parse(s: &str) -> Option<OrderOutcome> {
        [OrderOutcome::Rectified, OrderOutcome::AppealUpheld].into_iter().find(|o| o.code() == s)
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepRecord {
    pub step: WorkOrderStep,
    pub by: String,
    pub at: String,
    pub note: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct WorkOrder {
    pub order_id: String,
    pub rating_id: String,
    pub case_no: String,
    pub department: String,
    pub real_name: bool,
    pub state: OrderState,
    pub opened_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub called_back: bool,
    pub closed_on: Option<NaiveDate>,
    pub outcome: Option<OrderOutcome>,
    pub steps: Vec<StepRecord>,
    /// Working days left (open orders), and the light, as a case's.
    pub days_left: Option<i64>,
    pub light: Option<Light>,
}

impl WorkOrder {
    fn light_up(&mut self, cal: &Calendar, policy: &crate::deadline::LightPolicy, today: NaiveDate) {
        if self.closed_on.is_some() {
            return;
        }
        if let Some(due) = self.due_on {
            self.days_left = days_left(cal, due, today);
            let total = self.due_on.and_then(|d| days_left(cal, d, self.opened_on)).and_then(|n| u32::try_from(n).ok());
            self.light = self.days_left.map(|l| light(policy, total.unwrap_or(0), l));
        }
    }
}

const COLS: &str = "order_id, rating_id, case_no, department, real_name, state, opened_on, due_on, note, called_back,
                    closed_on, outcome, steps";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WorkOrder> {
    let state: String = r.get(5)?;
    let steps: String = r.get(12)?;
    let d = |s: Option<String>| s.and_then(|s| s.parse().ok());
    Ok(WorkOrder {
        order_id: r.get(0)?,
        rating_id: r.get(1)?,
        case_no: r.get(2)?,
        department: r.get(3)?,
        real_name: r.get(4)?,
        state: OrderState::parse(&state).unwrap_or(OrderState::Verifying),
        opened_on: d(r.get(6)?).unwrap_or_default(),
        due_on: d(r.get(7)?),
        note: r.get(8)?,
        called_back: r.get(9)?,
        closed_on: d(r.get(10)?),
        outcome: r.get::<_, Option<String>>(11)?.as_deref().and_then(OrderOutcome::parse),
        steps: serde_json::from_str(&steps).unwrap_or_default(),
        days_left: None,
        light: None,
    })
}

fn load(conn: &Connection, order_id: &str) -> Result<WorkOrder> {
    conn.prepare_cached(&format!("SELECT {COLS} FROM work_orders WHERE order_id = ?1"))?
        .query_row([order_id], row)
        .optional()?
        .ok_or_else(|| CoreError::Invalid(format!("差评工单不存在：{order_id}")))
}

impl Workstation {
    /// Work orders of the actor's departments (open ones only unless `all`), with their lights.
    pub fn work_orders(&self, by: &Actor, all: bool) -> Result<Vec<WorkOrder>> {
        let conn = self.store().reader()?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT {COLS} FROM work_orders WHERE ?1 OR closed_on IS NULL ORDER BY due_on IS NULL, due_on, order_id"
        ))?;
        let cal = self.calendar();
        let mut out = Vec::new();
        for o in st.query_map([all], row)? {
            let mut o = o?;
            if by.covers(&o.department) {
                o.light_up(&cal, &self.policy, self.today());
                out.push(o);
            }
        }
        Ok(out)
    }
}

/// Monitor: a work order closed after its due day, or still open once the due day has passed.
pub(crate) fn overdue(conn: &Connection, cal: &Calendar, today: NaiveDate, out: &mut Vec<Hit>) -> Result<()> {
    let mut st = conn.prepare(&format!("SELECT {COLS} FROM work_orders WHERE due_on IS NOT NULL ORDER BY order_id"))?;
    for o in st.query_map([], row)? {
        let o = o?;
        let Some(due) = o.due_on else { continue };
        let late_on = match o.closed_on {
            Some(c) => (c > due).then_some(c),
            None => days_left(cal, due, today).filter(|l| *l < 0).map(|_| today),
        };
        if let Some(on) = late_on {
            out.push(Hit {
                hit_id: format!("{}:{}", Rule::WorkOrderOverdue.code(), o.order_id),
                rule: Rule::WorkOrderOverdue,
                severity: Rule::WorkOrderOverdue.severity(),
                case_no: Some(o.case_no.clone()),
                department: Some(o.department.clone()),
                staff: None,
                evidence: serde_json::json!({ "order_id": o.order_id, "opened_on": o.opened_on, "due_on": due, "closed_on": o.closed_on, "state": o.state }),
                occurred_on: on,
            });
        }
    }
    Ok(())
}
