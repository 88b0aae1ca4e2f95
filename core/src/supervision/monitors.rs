//! The monitors: each reads the journal and the derived tables and proposes hits; [`run`] journals
//! the ones not raised before (the hit id is the idempotency key), projects them into
//! `supervision_hits` and queues each on the outbox stream `supervision`.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::hit::{Hit, Rule, Severity};
use super::record::{days_left, due_after, to_json};
use super::settings::Config;
use crate::calendar::Calendar;
use crate::case::{Action, Role};
use crate::deadline::{Board, Light, Phase, Running};
use crate::error::{CoreError, Result};
use crate::events;
use crate::journal::{Event, hex};
use crate::staff::Actor;
use crate::sync::contract::ItemKind;
use crate::workstation::Workstation;

/// A stored hit with the time it was detected.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredHit {
    #[serde(flatten)]
    pub hit: Hit,
    pub detected_at: String,
    pub journal_seq: i64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RunReport {
    /// Hits raised by this run, in order.
    pub raised: Vec<Hit>,
    /// Findings already raised before (not journaled again).
    pub known: usize,
}

impl RunReport {
    pub fn count(&self, rule: Rule) -> usize {
        self.raised.iter().filter(|h| h.rule == rule).count()
    }
}

fn hit(
    rule: Rule,
    subject: &str,
    case: Option<&CaseRow>,
    staff: Option<String>,
    evidence: serde_json::Value,
    on: NaiveDate,
) -> Hit {
    Hit {
        hit_id: format!("{}:{subject}", rule.code()),
        rule,
        severity: rule.severity(),
        case_no: case.map(|c| c.case_no.clone()),
        department: case.map(|c| c.department.clone()),
        staff,
        evidence,
        occurred_on: on,
    }
}

impl Workstation {
    /// Runs every monitor as of the workstation's today. Administrators only (it writes the record
    /// for every department). Running twice raises nothing new.
    pub fn run_monitors(&self, by: &Actor) -> Result<RunReport> {
        by.require_role(Role::Admin, "运行电子监察")?;
        let cfg = self.supervision_config()?;
        let today = self.today();
        let cal = self.calendar().clone();
        let found = {
            let conn = self.store().reader()?;
            detect(&conn, &cal, &self.policy, &cfg, today)?
        };
        let now = self.clock().now();
        let label = self.label();
        self.store().write(|tx| {
            let mut rep = RunReport::default();
            for h in found {
                if known(tx, &h.hit_id)? {
                    rep.known += 1;
                    continue;
                }
                raise(tx, by, now, &label, &h)?;
                rep.raised.push(h);
            }
            Ok(rep)
        })
    }
}

impl Workstation {
    /// What the monitors find as of today, raised before or not, without recording anything (a dry
    /// run: what [`Self::run_monitors`] evaluates; the bench times it on the 1M-case store).
    pub fn supervision_findings(&self, by: &Actor) -> Result<Vec<Hit>> {
        by.require_role(Role::Admin, "运行电子监察")?;
        let cfg = self.supervision_config()?;
        let cal = self.calendar().clone();
        let conn = self.store().reader()?;
        detect(&conn, &cal, &self.policy, &cfg, self.today())
    }
}

fn known(tx: &Transaction<'_>, hit_id: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT 1 FROM supervision_hits WHERE hit_id = ?1")?
        .query_row([hit_id], |_| Ok(()))
        .optional()?
        .is_some())
}

fn raise(tx: &Transaction<'_>, by: &Actor, now: DateTime<FixedOffset>, label: &str, h: &Hit) -> Result<()> {
    let ev = super::record::append(tx, by, Role::Admin.code(), events::SUPERVISION_HIT, now, to_json(h)?)?;
    project(tx, &ev)?;
    let mut payload = to_json(h)?;
    if let Some(o) = payload.as_object_mut() {
        o.insert("workstation".into(), label.into());
        o.insert("rule_zh".into(), h.rule.zh().into());
        o.insert("detected_at".into(), ev.at.clone().into());
        o.insert("journal_seq".into(), ev.seq.into());
        o.insert("journal_hash".into(), hex(&ev.hash).into());
    }
    super::record::enqueue(tx, &ev, ItemKind::SupervisionHit, h.department.as_deref(), &payload)
}

pub(crate) fn project(tx: &Transaction<'_>, ev: &Event) -> Result<()> {
    let h: Hit =
        serde_json::from_value(ev.payload.clone()).map_err(|e| CoreError::Invalid(format!("监察事件无法解析：{e}")))?;
    tx.prepare_cached(
        "INSERT INTO supervision_hits (hit_id, rule, severity, case_no, department, staff, evidence, occurred_on, detected_at, journal_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT(hit_id) DO NOTHING",
    )?
    .execute(params![
        h.hit_id,
        h.rule.code(),
        h.severity.code(),
        h.case_no,
        h.department,
        h.staff,
        h.evidence.to_string(),
        h.occurred_on.to_string(),
        ev.at,
        ev.seq
    ])?;
    Ok(())
}

impl Workstation {
    /// Stored hits, newest first, optionally of one rule or case. Staff see their departments only.
    pub fn supervision_hits(
        &self,
        by: &Actor,
        rule: Option<Rule>,
        case_no: Option<&str>,
        limit: usize,
    ) -> Result<Vec<StoredHit>> {
        let conn = self.store().reader()?;
        let mut st = conn.prepare_cached(
            "SELECT hit_id, rule, severity, case_no, department, staff, evidence, occurred_on, detected_at, journal_seq
         FROM supervision_hits WHERE (?1 IS NULL OR rule = ?1) AND (?2 IS NULL OR case_no = ?2)
         ORDER BY journal_seq DESC",
        )?;
        let rows = st.query_map(params![rule.map(Rule::code), case_no], |r| {
            let rule: String = r.get(1)?;
            let evidence: String = r.get(6)?;
            let on: String = r.get(7)?;
            Ok(StoredHit {
                hit: Hit {
                    hit_id: r.get(0)?,
                    rule: Rule::parse(&rule).unwrap_or(Rule::DecisionOverdue),
                    severity: if r.get::<_, String>(2)? == "serious" { Severity::Serious } else { Severity::Warning },
                    case_no: r.get(3)?,
                    department: r.get(4)?,
                    staff: r.get(5)?,
                    evidence: serde_json::from_str(&evidence).unwrap_or_default(),
                    occurred_on: on.parse().unwrap_or_default(),
                },
                detected_at: r.get(8)?,
                journal_seq: r.get(9)?,
            })
        })?;
        let mut out = Vec::new();
        for r in rows {
            let r = r?;
            if r.hit.department.as_deref().is_none_or(|d| by.covers(d)) {
                out.push(r);
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }
}

// ---- detection ---------------------------------------------------------------------------------

struct CaseRow {
    case_no: String,
    department: String,
    item_code: String,
    kind: String,
    state: String,
    created_by: String,
    accepted_on: Option<NaiveDate>,
    stopped_since: Option<NaiveDate>,
    due_date: Option<NaiveDate>,
    limit_days: u32,
    extension_days: u32,
    closed_on: Option<NaiveDate>,
    decided_on: Option<NaiveDate>,
    decision_due: Option<NaiveDate>,
    decision_late_days: Option<u32>,
    delivery_due: Option<NaiveDate>,
}

fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| s.parse().ok())
}

fn cases(conn: &Connection) -> Result<HashMap<String, CaseRow>> {
    let mut st = conn.prepare(
        "SELECT case_no, department, item_code, kind, state, created_by, accepted_on, stopped_since, due_date,
                limit_days, extension_days, closed_on, decided_on, decision_due, decision_late_days, delivery_due
         FROM cases WHERE state <> 'appointed'",
    )?;
    let rows = st.query_map([], |r| {
        Ok(CaseRow {
            case_no: r.get(0)?,
            department: r.get(1)?,
            item_code: r.get(2)?,
            kind: r.get(3)?,
            state: r.get(4)?,
            created_by: r.get(5)?,
            accepted_on: date(r.get(6)?),
            stopped_since: date(r.get(7)?),
            due_date: date(r.get(8)?),
            limit_days: r.get(9)?,
            extension_days: r.get(10)?,
            closed_on: date(r.get(11)?),
            decided_on: date(r.get(12)?),
            decision_due: date(r.get(13)?),
            decision_late_days: r.get(14)?,
            delivery_due: date(r.get(15)?),
        })
    })?;
    let mut out = HashMap::new();
    for r in rows {
        let r = r?;
        out.insert(r.case_no.clone(), r);
    }
    Ok(out)
}

/// A case event as the monitors read it.
struct Ev {
    seq: i64,
    id: String,
    case_no: String,
    actor: String,
    action: Action,
    at: DateTime<FixedOffset>,
    legal_basis: Option<String>,
}

fn case_events(conn: &Connection) -> Result<Vec<Ev>> {
    let mut st = conn.prepare(
        "SELECT seq, id, case_no, actor, action, at, payload FROM journal WHERE case_no IS NOT NULL ORDER BY seq",
    )?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let action: String = r.get(4)?;
        let Some(action) = Action::parse(&action) else { continue };
        let at: String = r.get(5)?;
        let Ok(at) = DateTime::parse_from_rfc3339(&at) else { continue };
        let legal_basis = if matches!(action, Action::RefuseAcceptance | Action::Deny) {
            let payload: String = r.get(6)?;
            serde_json::from_str::<serde_json::Value>(&payload)
                .ok()
                .and_then(|p| p.get("legal_basis").and_then(|b| b.as_str()).map(str::to_owned))
        } else {
            None
        };
        out.push(Ev { seq: r.get(0)?, id: r.get(1)?, case_no: r.get(2)?, actor: r.get(3)?, action, at, legal_basis });
    }
    Ok(out)
}

/// Every finding as of `today`, raised or not (the caller drops the known ones).
pub(crate) fn detect(
    conn: &Connection,
    cal: &Calendar,
    policy: &crate::deadline::LightPolicy,
    cfg: &Config,
    today: NaiveDate,
) -> Result<Vec<Hit>> {
    let cases = cases(conn)?;
    let events = case_events(conn)?;
    let mut by_case: HashMap<&str, Vec<&Ev>> = HashMap::new();
    for e in &events {
        by_case.entry(e.case_no.as_str()).or_default().push(e);
    }
    let board = Board::new(cal, *policy, today);
    let mut out = Vec::new();
    let mut ordered: Vec<&CaseRow> = cases.values().collect();
    ordered.sort_by(|a, b| a.case_no.cmp(&b.case_no));
    for c in &ordered {
        let evs = by_case.get(c.case_no.as_str()).map(Vec::as_slice).unwrap_or_default();
        let last_of = |acts: &[Action]| evs.iter().rev().find(|e| acts.contains(&e.action)).copied();
        let decider = last_of(&[Action::Approve, Action::Deny, Action::DecideOnSpot]);
        deadlines(c, decider, last_of(&[Action::Deliver]), &board, &mut out);
        pre_review(c, evs, cal, cfg, today, &mut out);
        let mut requests = 0;
        for e in evs {
            match e.action {
                Action::RequestSupplement => {
                    requests += 1;
                    if requests > cfg.supplements_allowed {
                        let ev =
                            serde_json::json!({ "nth": requests, "allowed": cfg.supplements_allowed, "event": e.id });
                        out.push(hit(
                            Rule::RepeatedSupplement,
                            &e.id,
                            Some(c),
                            Some(e.actor.clone()),
                            ev,
                            e.at.date_naive(),
                        ));
                    }
                }
                Action::RefuseAcceptance | Action::Deny => {
                    if let Some(why) = weak_basis(e.legal_basis.as_deref(), cfg) {
                        let ev = serde_json::json!({ "action": e.action.code(), "legal_basis": e.legal_basis, "why": why, "event": e.id });
                        out.push(hit(
                            Rule::WeakLegalBasis,
                            &e.id,
                            Some(c),
                            Some(e.actor.clone()),
                            ev,
                            e.at.date_naive(),
                        ));
                    }
                }
                _ => {}
            }
        }
        hasty(c, evs, cfg, &mut out);
        if c.state == "completed" {
            missing_materials(conn, c, last_of(&[Action::Deliver]), &mut out)?;
        }
    }
    backfill(&events, &cases, cfg, &mut out);
    super::evaluation::overdue(conn, cal, today, &mut out)?;
    super::complaint::overdue(conn, cal, today, &mut out)?;
    // 并联审批: a theme late against its overall deadline (crate::theme::clock).
    crate::theme::clock::overdue(conn, cal, policy, today, &mut out)?;
    Ok(out)
}

fn deadlines(c: &CaseRow, decider: Option<&Ev>, deliverer: Option<&Ev>, board: &Board<'_>, out: &mut Vec<Hit>) {
    let staff = |e: Option<&Ev>| e.map(|e| e.actor.clone());
    // Decided: lateness was fixed at the decision (deadline.rs); undecided: the running light.
    if let (Some(decided), Some(late)) = (c.decided_on, c.decision_late_days) {
        if late > 0 {
            let ev = serde_json::json!({ "decision_due": c.decision_due, "decided_on": decided, "late_days": late });
            out.push(hit(Rule::DecisionOverdue, &c.case_no, Some(c), staff(decider), ev, decided));
        }
    } else if let (Some(_), None, Some(due)) = (c.accepted_on, c.closed_on, c.due_date) {
        let r = Running {
            phase: Phase::Decision,
            due,
            total_days: c.limit_days + c.extension_days,
            stopped_since: c.stopped_since,
        };
        if let Some((left, Light::Red)) = board.left(&r) {
            let ev = serde_json::json!({ "decision_due": due, "undecided": true, "days_overdue": -left });
            out.push(hit(Rule::DecisionOverdue, &c.case_no, Some(c), Some(c.created_by.clone()), ev, board.today()));
        }
    }
    let (Some(decided), Some(due)) = (c.decided_on, c.delivery_due) else { return };
    match c.closed_on {
        Some(closed) if c.state == "completed" && closed > due => {
            let ev = serde_json::json!({ "delivery_due": due, "decided_on": decided, "delivered_on": closed });
            out.push(hit(Rule::DeliveryOverdue, &c.case_no, Some(c), staff(deliverer), ev, closed));
        }
        None => {
            let r = Running {
                phase: Phase::Delivery,
                due,
                total_days: crate::deadline::DELIVERY_DAYS,
                stopped_since: None,
            };
            if let Some((left, Light::Red)) = board.left(&r) {
                let ev = serde_json::json!({ "delivery_due": due, "decided_on": decided, "days_overdue": -left });
                out.push(hit(Rule::DeliveryOverdue, &c.case_no, Some(c), staff(decider), ev, board.today()));
            }
        }
        Some(_) => {}
    }
}

fn pre_review(c: &CaseRow, evs: &[&Ev], cal: &Calendar, cfg: &Config, today: NaiveDate, out: &mut Vec<Hit>) {
    let Some(filed) = evs.iter().find(|e| e.action == Action::File) else { return };
    let filed_on = filed.at.date_naive();
    let Ok(due) = due_after(cal, filed_on, cfg.pre_review_days) else { return };
    let first = evs.iter().find(|e| {
        matches!(e.action, Action::Accept | Action::RequestSupplement | Action::RefuseAcceptance | Action::DecideOnSpot)
    });
    let late = match first {
        Some(e) => (e.at.date_naive() > due).then(|| (e.at.date_naive(), Some(e.actor.clone()))),
        // Still waiting: late once the due day has passed (a later day off does not count).
        None if c.closed_on.is_none() => {
            days_left(cal, due, today).filter(|l| *l < 0).map(|_| (today, Some(c.created_by.clone())))
        }
        None => None,
    };
    if let Some((on, staff)) = late {
        let ev = serde_json::json!({ "filed_on": filed_on, "due": due, "handled_on": first.map(|e| e.at.date_naive()), "limit_days": cfg.pre_review_days });
        out.push(hit(Rule::PreReviewLate, &c.case_no, Some(c), staff, ev, on));
    }
}

/// Why a refusal's basis is no basis, or `None` when it names one.
pub fn weak_basis(basis: Option<&str>, cfg: &Config) -> Option<&'static str> {
    let Some(b) = basis.map(str::trim).filter(|b| !b.is_empty()) else { return Some("未填写法律依据") };
    let bare: String = b.chars().filter(|c| !c.is_whitespace() && !"。，,.;；:：、".contains(*c)).collect();
    if cfg.generic_basis.contains(&bare) {
        return Some("法律依据笼统（仅写“相关规定”之类）");
    }
    if b.chars().count() < cfg.basis_min_chars {
        return Some("法律依据过短");
    }
    let cites = b.contains('《') || (b.contains('第') && b.contains('条'));
    if cfg.basis_requires_citation && !cites {
        return Some("法律依据未注明法规名称或条款");
    }
    None
}

fn hasty(c: &CaseRow, evs: &[&Ev], cfg: &Config, out: &mut Vec<Hit>) {
    if c.kind != "promised" {
        return; // 即办件 are decided on the spot by design.
    }
    let (Some(filed), Some(decided)) = (
        evs.iter().find(|e| e.action == Action::File),
        evs.iter().find(|e| matches!(e.action, Action::Approve | Action::Deny)),
    ) else {
        return;
    };
    let min = cfg.min_decision_minutes_by_item.get(&c.item_code).copied().unwrap_or(cfg.min_decision_minutes);
    let minutes = (decided.at - filed.at).num_minutes();
    if minutes < i64::from(min) {
        let ev =
            serde_json::json!({ "filed_at": filed.at, "decided_at": decided.at, "minutes": minutes, "minimum": min });
        out.push(hit(
            Rule::HastyDecision,
            &c.case_no,
            Some(c),
            Some(decided.actor.clone()),
            ev,
            decided.at.date_naive(),
        ));
    }
}

fn missing_materials(conn: &Connection, c: &CaseRow, deliverer: Option<&Ev>, out: &mut Vec<Hit>) -> Result<()> {
    let mut st = conn.prepare_cached(
        "SELECT name FROM case_materials WHERE case_no = ?1 AND required = 1 AND provided = 0 ORDER BY material_id",
    )?;
    let missing: Vec<String> = st.query_map([&c.case_no], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    if !missing.is_empty() {
        let on = c.closed_on.unwrap_or_default();
        let ev = serde_json::json!({ "missing": missing, "closed_on": c.closed_on });
        out.push(hit(Rule::ClosedWithoutMaterials, &c.case_no, Some(c), deliverer.map(|e| e.actor.clone()), ev, on));
    }
    Ok(())
}

type Flag<'a> = (&'a Ev, usize, DateTime<FixedOffset>, DateTime<FixedOffset>);

/// 线下办理后集中录入: a sliding window over each staff member's events on old cases (filed at least
/// `burst_case_age_days` before the event). Every case touched by a window holding at least
/// `burst_events` events is flagged once.
fn backfill(events: &[Ev], cases: &HashMap<String, CaseRow>, cfg: &Config, out: &mut Vec<Hit>) {
    let filed: HashMap<&str, NaiveDate> = events
        .iter()
        .filter(|e| e.action == Action::File)
        .map(|e| (e.case_no.as_str(), e.at.date_naive()))
        .rev()
        .collect();
    let mut per_staff: BTreeMap<&str, Vec<&Ev>> = BTreeMap::new();
    for e in events {
        if matches!(e.action, Action::File | Action::Appoint) {
            continue;
        }
        let Some(f) = filed.get(e.case_no.as_str()) else { continue };
        if (e.at.date_naive() - *f).num_days() >= i64::from(cfg.burst_case_age_days) {
            per_staff.entry(e.actor.as_str()).or_default().push(e);
        }
    }
    let window = chrono::Duration::minutes(i64::from(cfg.burst_window_minutes));
    let need = usize::try_from(cfg.burst_events).unwrap_or(usize::MAX);
    // case → (its first event in a burst, events in that window, window start, window end)
    let mut flagged: BTreeMap<&str, Flag<'_>> = BTreeMap::new();
    for (_, mut evs) in per_staff {
        evs.sort_by_key(|e| (e.at, e.seq));
        let mut lo = 0;
        for hi in 0..evs.len() {
            while evs[hi].at - evs[lo].at > window {
                lo += 1;
            }
            if hi + 1 - lo >= need {
                for e in &evs[lo..=hi] {
                    flagged.entry(e.case_no.as_str()).or_insert((e, hi + 1 - lo, evs[lo].at, evs[hi].at));
                }
            }
        }
    }
    for (case_no, (e, n, from, to)) in flagged {
        let c = cases.get(case_no);
        let ev = serde_json::json!({
            "events_in_window": n, "window_from": from, "window_to": to,
            "filed_on": filed.get(case_no), "event_on": e.at.date_naive(), "window_minutes": cfg.burst_window_minutes,
        });
        let mut h = hit(Rule::BackfillBurst, case_no, c, Some(e.actor.clone()), ev, e.at.date_naive());
        h.case_no = Some(case_no.to_owned());
        out.push(h);
    }
}
