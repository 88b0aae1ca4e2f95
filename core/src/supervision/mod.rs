//! Electronic supervision (电子监察), 好差评 evaluation and complaints (投诉).
//!
//! Everything here is journaled first and derived second: a monitor hit, a rating, a work-order
//! step and a complaint are journal events (`supervision.hit`, `rating.record`, `work_order.step`,
//! `complaint.*`) with `case_no` NULL and the case inside the payload — a case's own journal order
//! (and the `cases` stream's per-case `seq`) stays the order of its handling. [`project`] turns
//! them into the tables of migration 0008, live and in `yc rebuild`.
//! Thresholds are configuration ([`Config`], settings key `supervision.config`), documented in
//! docs/supervision.md.

pub mod complaint;
pub mod evaluation;
pub mod monitors;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::case::Role;
use crate::deadline::{self, DeadlineInput};
use crate::error::{CoreError, Result};
use crate::journal::{self, Event, NewEvent};
use crate::staff::Actor;
use crate::sync::contract::ItemKind;
use crate::workstation::Workstation;

pub use complaint::{Complaint, NewComplaint};
pub use evaluation::{Channel, Level, NewRating, WorkOrder, WorkOrderStep};
pub use monitors::{Hit, Rule, Severity};

/// Journal actions of this module.
pub mod actions {
    pub const CONFIG: &str = "supervision.config";
    pub const HIT: &str = "supervision.hit";
    pub const RATING: &str = "rating.record";
    pub const WORK_ORDER_STEP: &str = "work_order.step";
    pub const COMPLAINT_REGISTER: &str = "complaint.register";
    pub const COMPLAINT_ASSIGN: &str = "complaint.assign";
    pub const COMPLAINT_LINK: &str = "complaint.link";
    pub const COMPLAINT_ANSWER: &str = "complaint.answer";
}

/// Derived tables (emptied and replayed by `yc rebuild`, covered by the fingerprint), in the
/// order they can be emptied (work orders reference ratings).
pub const DERIVED_TABLES: &[(&str, &str)] = &[
    ("supervision_hits", "hit_id"),
    ("work_orders", "order_id"),
    ("ratings", "rating_id"),
    ("complaints", "complaint_id"),
];

pub const SETTINGS_KEY: &str = "supervision.config";

/// Monitor thresholds and time limits. Every field has a documented default (docs/supervision.md);
/// a stored config that lacks a field takes the default for it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Working days from filing to the first handling (受理/补正告知/不予受理/当场办结).
    pub pre_review_days: u32,
    /// Supplement requests a case may have without a flag: the next one is 多次补正 (default 1).
    pub supplements_allowed: u32,
    /// A refusal's legal basis shorter than this (characters, trimmed) is generic.
    pub basis_min_chars: usize,
    /// Phrases that are no basis at all when they are the whole basis (punctuation ignored).
    pub generic_basis: Vec<String>,
    /// A basis must name a law (《…》) or an article (第…条).
    pub basis_requires_citation: bool,
    /// A 承诺件 decided sooner than this many minutes after filing is implausible.
    pub min_decision_minutes: u32,
    /// Per catalog item code: its own minimum (minutes), overriding the default.
    pub min_decision_minutes_by_item: BTreeMap<String, u32>,
    /// Back-filling: at least `burst_events` case events by one staff member within
    /// `burst_window_minutes`, on cases filed at least `burst_case_age_days` calendar days earlier.
    pub burst_events: u32,
    pub burst_window_minutes: u32,
    pub burst_case_age_days: u32,
    /// Working days a 差评 work order has (德州: 5).
    pub work_order_days: u32,
    /// Working days to answer a complaint.
    pub complaint_answer_days: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            pre_review_days: deadline::PRE_REVIEW_DAYS,
            supplements_allowed: 1,
            basis_min_chars: 8,
            generic_basis: ["相关规定", "有关规定", "相关法律法规", "有关法律法规", "法律法规", "规定", "不符合条件"]
                .map(str::to_owned)
                .to_vec(),
            basis_requires_citation: true,
            min_decision_minutes: 30,
            min_decision_minutes_by_item: BTreeMap::new(),
            burst_events: 10,
            burst_window_minutes: 10,
            burst_case_age_days: 3,
            work_order_days: 5,
            complaint_answer_days: 5,
        }
    }
}

impl Config {
    fn check(&self) -> Result<()> {
        if self.burst_events < 2 || self.burst_window_minutes == 0 {
            return Err(CoreError::Invalid("突击补录阈值：事件数至少为 2，时间窗至少 1 分钟".into()));
        }
        if self.work_order_days == 0 || self.complaint_answer_days == 0 || self.pre_review_days == 0 {
            return Err(CoreError::Invalid("整改、投诉答复与预审时限至少为 1 个工作日".into()));
        }
        Ok(())
    }
}

/// The stored configuration, or the defaults.
pub fn config(ws: &Workstation) -> Result<Config> {
    match ws.setting(SETTINGS_KEY)? {
        None => Ok(Config::default()),
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| CoreError::Invalid(format!("监察配置（settings.{SETTINGS_KEY}）无法解析：{e}"))),
    }
}

/// Stores a new configuration (administrators only), journaled for audit.
pub fn set_config(ws: &Workstation, by: &Actor, cfg: &Config) -> Result<()> {
    by.require_role(Role::Admin, "修改监察配置")?;
    cfg.check()?;
    let body = serde_json::to_value(cfg).map_err(|e| CoreError::Invalid(e.to_string()))?;
    let now = ws.clock().now();
    ws.store().write(|tx| {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![SETTINGS_KEY, body.to_string()],
        )?;
        journal::append(
            tx,
            NewEvent {
                case_no: None,
                actor: &by.id,
                role: Role::Admin.code(),
                action: actions::CONFIG,
                at: now,
                payload: body.clone(),
                reason: None,
            },
        )?;
        Ok(())
    })
}

/// `n` working days after `from`, through the statutory clock's own counting
/// ([`deadline::compute`] with no stops), so supervision limits and case deadlines agree.
pub(crate) fn due_after(cal: &Calendar, from: NaiveDate, n: u32) -> std::result::Result<NaiveDate, String> {
    deadline::compute(
        cal,
        &DeadlineInput { accepted_on: from, limit_days: n, extension_days: 0, stops: Vec::new() },
        from,
    )
    .map(|d| d.due)
    .map_err(|e| e.to_string())
}

/// Working days from `today` to `due` (negative once overdue), as the case lights count them.
pub(crate) fn days_left(cal: &Calendar, due: NaiveDate, today: NaiveDate) -> Option<i64> {
    deadline::working_days_left(cal, due, today).ok()
}

/// Whether the projection hands this journal action to [`project`].
pub fn projects(action: &str) -> bool {
    matches!(
        action,
        actions::HIT
            | actions::RATING
            | actions::WORK_ORDER_STEP
            | actions::COMPLAINT_REGISTER
            | actions::COMPLAINT_ASSIGN
            | actions::COMPLAINT_LINK
            | actions::COMPLAINT_ANSWER
    )
}

/// Journal → the tables of migration 0008 (live and in a rebuild).
pub fn project(tx: &Transaction<'_>, ev: &Event, cal: &Calendar) -> Result<()> {
    let broken = |e: String| CoreError::JournalBroken { seq: ev.seq, id: ev.id.clone(), problem: e };
    match ev.action.as_str() {
        actions::HIT => monitors::project(tx, ev).map_err(|e| broken(e.to_string())),
        actions::RATING => evaluation::project_rating(tx, ev, cal),
        actions::WORK_ORDER_STEP => evaluation::project_step(tx, ev),
        _ => complaint::project(tx, ev, cal),
    }
}

/// Appends one of this module's events and projects it, inside the caller's transaction.
pub(crate) fn append(
    tx: &Transaction<'_>,
    cal: &Calendar,
    by: &Actor,
    role: &str,
    action: &str,
    at: chrono::DateTime<chrono::FixedOffset>,
    payload: serde_json::Value,
) -> Result<Event> {
    let ev = journal::append(tx, NewEvent { case_no: None, actor: &by.id, role, action, at, payload, reason: None })?;
    project(tx, &ev, cal)?;
    Ok(ev)
}

/// The case's department (for the scope check) and the staff who took it in.
pub(crate) fn case_owner(conn: &rusqlite::Connection, case_no: &str) -> Result<(String, String, String, String)> {
    conn.prepare_cached("SELECT department, created_by, item_code, state FROM cases WHERE case_no = ?1")?
        .query_row([case_no], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?
        .ok_or_else(|| CoreError::UnknownCase(case_no.into()))
}

/// Queues an item on a stream that is not the per-case `cases` stream (no case order; the
/// case is named in the payload), routed like every other outbox item.
pub(crate) fn enqueue(
    tx: &Transaction<'_>,
    ev: &Event,
    kind: ItemKind,
    department: Option<&str>,
    payload: &serde_json::Value,
) -> Result<()> {
    let stream = kind.stream().code();
    let sha = yc_adapter_sdk::payload_sha256(payload);
    let body = serde_json::to_string(payload).map_err(|e| CoreError::Invalid(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO outbox (key, journal_seq, stream, kind, case_no, case_seq, department, occurred_at, payload, payload_sha256)
         VALUES (?1, ?2, ?3, ?4, NULL, 0, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![ev.id, ev.seq, stream, kind.code(), department, ev.at, body, sha])?;
    let id = tx.last_insert_rowid();
    crate::sync::outbox::route(tx, id, stream, department, &ev.at)
}

pub(crate) fn to_json<T: Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| CoreError::Invalid(e.to_string()))
}
