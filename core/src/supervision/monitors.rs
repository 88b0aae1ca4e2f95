//! The monitors: each reads the journal and the derived tables and proposes hits;
//! [`Workstation::run_monitors`] journals the ones not raised before (the hit id is the idempotency
//! key) in `supervision.hits` events of up to [`HITS_PER_EVENT`], projects them into
//! `supervision_hits` and queues each on the outbox stream `supervision`.
//! A run resumes from the last one's journal cursor (`monitor_state`) and reads only the cases
//! with new events or a time-driven deadline come (`monitor_watch`), so a day's run on a million
//! cases reads a day's events, not the million; a run from scratch gives the same hits.

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
    /// Hits recorded before this run (a finding among them is not journaled again).
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
    ///
    /// The monitors resume where the last run stopped (`monitor_state`): they read the case
    /// events journaled since, the cases a time-driven monitor is due to look at again
    /// (`monitor_watch`), and the work orders, complaints and themes; what they raise is what a
    /// run from scratch would raise (tests/it/supervision.rs proves it over random histories).
    /// No state, or a change to the thresholds, light policy or calendar, starts from scratch.
    pub fn run_monitors(&self, by: &Actor) -> Result<RunReport> {
        by.require_role(Role::Admin, "运行电子监察")?;
        let cfg = self.supervision_config()?;
        let today = self.today();
        let cal = self.calendar().clone();
        let policy = self.policy;
        let print = fingerprint(&cfg, &policy, &cal)?;
        let now = self.clock().now();
        let label = self.label();
        self.store().write(|tx| {
            let recorded: i64 = tx.query_row("SELECT COUNT(*) FROM supervision_hits", [], |r| r.get(0))?;
            let head: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM journal", [], |r| r.get(0))?;
            let state: Option<(i64, String)> = tx
                .query_row("SELECT cursor, fingerprint FROM monitor_state WHERE id = 1", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            let mut watch = Vec::new();
            let found = match state {
                Some((cursor, f)) if f == print => since(tx, &cal, &policy, &cfg, today, cursor, &mut watch)?,
                _ => {
                    tx.execute("DELETE FROM monitor_watch", [])?;
                    detect(tx, &cal, &policy, &cfg, today, Some(&mut watch))?
                }
            };
            let mut rep = RunReport { raised: Vec::new(), known: usize::try_from(recorded).unwrap_or(0) };
            let mut seen = std::collections::HashSet::new();
            for h in found {
                if known(tx, &h.hit_id)? || !seen.insert(h.hit_id.clone()) {
                    continue;
                }
                rep.raised.push(h);
            }
            let mut routes = crate::sync::outbox::Routes::load(tx)?;
            for batch in rep.raised.chunks(HITS_PER_EVENT) {
                raise(tx, by, now, &label, batch, &mut routes)?;
            }
            for (case_no, wake) in watch {
                match wake {
                    Some(d) => tx
                        .prepare_cached(
                            "INSERT INTO monitor_watch (case_no, wake_on) VALUES (?1, ?2)
                             ON CONFLICT(case_no) DO UPDATE SET wake_on = excluded.wake_on",
                        )?
                        .execute(params![case_no, d.to_string()])?,
                    None => tx.prepare_cached("DELETE FROM monitor_watch WHERE case_no = ?1")?.execute([case_no])?,
                };
            }
            tx.execute(
                "INSERT INTO monitor_state (id, cursor, fingerprint) VALUES (1, ?1, ?2)
                 ON CONFLICT(id) DO UPDATE SET cursor = excluded.cursor, fingerprint = excluded.fingerprint",
                params![head, print],
            )?;
            Ok(rep)
        })
    }
}

/// What the findings depend on besides the journal: thresholds, light policy, calendar.
fn fingerprint(cfg: &Config, policy: &crate::deadline::LightPolicy, cal: &Calendar) -> Result<String> {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(to_json(cfg)?.to_string().as_bytes());
    ctx.update(to_json(policy)?.to_string().as_bytes());
    for y in cal.years() {
        if let Some(t) = cal.year_table(y) {
            ctx.update(t.to_json().as_bytes());
        }
    }
    Ok(crate::hash::hex(ctx.finish().as_ref()))
}

/// The findings a run from scratch would add to those recorded by runs up to journal seq
/// `cursor`: the per-case monitors on every case with an event after the cursor or a wake day
/// come ([`wake_on`]), the back-filling monitor around the new events, and the monitors over work
/// orders, complaints and themes.
fn since(
    conn: &Connection,
    cal: &Calendar,
    policy: &crate::deadline::LightPolicy,
    cfg: &Config,
    today: NaiveDate,
    cursor: i64,
    watch: &mut Vec<(String, Option<NaiveDate>)>,
) -> Result<Vec<Hit>> {
    let fresh = events_where(conn, "seq > ?1 AND case_no IS NOT NULL ORDER BY seq", [cursor])?;
    let mut look: std::collections::BTreeSet<String> = fresh.iter().map(|e| e.case_no.clone()).collect();
    {
        let mut st = conn.prepare_cached("SELECT case_no FROM monitor_watch WHERE wake_on <= ?1")?;
        for r in st.query_map([today.to_string()], |r| r.get::<_, String>(0))? {
            look.insert(r?);
        }
    }
    let x = Ctx { cal, cfg, board: Board::new(cal, *policy, today), today };
    let mut out = Vec::new();
    let mut rows: HashMap<String, CaseRow> = HashMap::new();
    for case_no in look {
        let Some(c) = case_row(conn, &case_no)? else {
            watch.push((case_no, None));
            continue;
        };
        let evs = events_where(conn, "case_no = ?1 ORDER BY seq", [&case_no])?;
        let evs: Vec<&Ev> = evs.iter().collect();
        let from = out.len();
        case_findings(conn, &c, &evs, &x, &mut out)?;
        watch.push((case_no.clone(), wake_on(conn, &c, &evs, &x, &out[from..])?));
        rows.insert(case_no, c);
    }
    backfill_since(conn, &fresh, &mut rows, cfg, &mut out)?;
    others(conn, cal, policy, today, &mut out)?;
    Ok(out)
}

/// The back-filling monitor around the events after the cursor. A burst window either holds a
/// new event or held only old ones, and a full window of old events flagged its cases in an
/// earlier run; so only the windows holding a new event can flag a new case, and those lie within
/// the staff member's events from the first new one − the window to the last new one + the window.
/// Over those events the sliding window runs exactly as [`backfill`] runs over all of them.
fn backfill_since(
    conn: &Connection,
    fresh: &[Ev],
    rows: &mut HashMap<String, CaseRow>,
    cfg: &Config,
    out: &mut Vec<Hit>,
) -> Result<()> {
    let mut filed: HashMap<String, Option<NaiveDate>> = HashMap::new();
    let mut filed_on = |case_no: &str| -> Result<Option<NaiveDate>> {
        if let Some(f) = filed.get(case_no) {
            return Ok(*f);
        }
        let f = events_where(conn, "case_no = ?1 AND action = ?2 ORDER BY seq", params![case_no, Action::File.code()])?
            .first()
            .map(|e| e.at.date_naive());
        filed.insert(case_no.to_owned(), f);
        Ok(f)
    };
    let age = i64::from(cfg.burst_case_age_days);
    let mut old_enough = |e: &Ev| -> Result<bool> {
        if matches!(e.action, Action::File | Action::Appoint) {
            return Ok(false);
        }
        Ok(filed_on(&e.case_no)?.is_some_and(|f| (e.at.date_naive() - f).num_days() >= age))
    };
    let mut span: BTreeMap<&str, (DateTime<FixedOffset>, DateTime<FixedOffset>)> = BTreeMap::new();
    for e in fresh {
        if old_enough(e)? {
            let s = span.entry(e.actor.as_str()).or_insert((e.at, e.at));
            s.0 = s.0.min(e.at);
            s.1 = s.1.max(e.at);
        }
    }
    let window = chrono::Duration::minutes(i64::from(cfg.burst_window_minutes));
    let need = usize::try_from(cfg.burst_events).unwrap_or(usize::MAX);
    let mut near: Vec<Ev> = Vec::new();
    let mut per_staff: Vec<(usize, usize)> = Vec::new();
    for (actor, (lo, hi)) in &span {
        let (lo, hi) = (*lo - window, *hi + window);
        // `at` is RFC 3339 text: a day's margin either side covers any offset; the exact bounds
        // are applied to the parsed times.
        let day = |t: DateTime<FixedOffset>| t.date_naive().to_string();
        let (a, b) = (day(lo - chrono::Duration::days(1)), day(hi + chrono::Duration::days(2)));
        let start = near.len();
        for e in
            events_where(conn, "actor = ?1 AND case_no IS NOT NULL AND at >= ?2 AND at < ?3", params![actor, a, b])?
        {
            if e.at >= lo && e.at <= hi && old_enough(&e)? {
                near.push(e);
            }
        }
        per_staff.push((start, near.len()));
    }
    let mut flagged: BTreeMap<&str, Flag<'_>> = BTreeMap::new();
    for (start, end) in per_staff {
        flag_bursts(near[start..end].iter().collect(), window, need, &mut flagged);
    }
    for (case_no, (e, n, from, to)) in flagged {
        if !rows.contains_key(case_no)
            && let Some(c) = case_row(conn, case_no)?
        {
            rows.insert(case_no.to_owned(), c);
        }
        let f = filed_on(case_no)?;
        let ev = serde_json::json!({
            "events_in_window": n, "window_from": from, "window_to": to,
            "filed_on": f, "event_on": e.at.date_naive(), "window_minutes": cfg.burst_window_minutes,
        });
        let mut h = hit(Rule::BackfillBurst, case_no, rows.get(case_no), Some(e.actor.clone()), ev, e.at.date_naive());
        h.case_no = Some(case_no.to_owned());
        out.push(h);
    }
    Ok(())
}

impl Workstation {
    /// What the monitors find as of today, raised before or not, without recording anything (a dry
    /// run: what [`Self::run_monitors`] evaluates; the bench times it on the 1M-case store).
    pub fn supervision_findings(&self, by: &Actor) -> Result<Vec<Hit>> {
        by.require_role(Role::Admin, "运行电子监察")?;
        let cfg = self.supervision_config()?;
        let cal = self.calendar().clone();
        let conn = self.store().reader()?;
        detect(&conn, &cal, &self.policy, &cfg, self.today(), None)
    }
}

fn known(conn: &Connection, hit_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM supervision_hits WHERE hit_id = ?1")?
        .query_row([hit_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Hits journaled in one event: a day's run on a large store raises tens of thousands, and one
/// event per hit made recording them (chain hash, journal row and its indexes, head update) most
/// of the run's time. A thousand keep an event's payload near 0.5 MB.
pub const HITS_PER_EVENT: usize = 1000;

/// Journals `hits` as one `supervision.hits` event, projects each and queues each as its own
/// `supervision.hit` outbox item (far sides see one item per hit, as before the batching). Each
/// hit is turned into JSON once: the outbox payloads are the event's own, taken back out of it.
fn raise(
    tx: &Transaction<'_>,
    by: &Actor,
    now: DateTime<FixedOffset>,
    label: &str,
    hits: &[Hit],
    routes: &mut crate::sync::outbox::Routes,
) -> Result<()> {
    let mut ev = super::record::append(
        tx,
        by,
        Role::Admin.code(),
        events::SUPERVISION_HITS,
        now,
        serde_json::json!({ "hits": to_json(&hits)? }),
    )?;
    let hash = hex(&ev.hash);
    let values = match ev.payload.get_mut("hits").map(serde_json::Value::take) {
        Some(serde_json::Value::Array(v)) if v.len() == hits.len() => v,
        _ => return Err(CoreError::Invalid("监察事件的内容与本次发现不符".into())),
    };
    for (h, mut payload) in hits.iter().zip(values) {
        insert(tx, h, &ev)?;
        if let Some(o) = payload.as_object_mut() {
            o.insert("workstation".into(), label.into());
            o.insert("rule_zh".into(), h.rule.zh().into());
            o.insert("detected_at".into(), ev.at.clone().into());
            o.insert("journal_seq".into(), ev.seq.into());
            o.insert("journal_hash".into(), hash.clone().into());
        }
        // Each item its own idempotency key: the hits share one journal event id.
        let key = uuid::Uuid::now_v7().to_string();
        crate::sync::outbox::enqueue_item(
            tx,
            &key,
            &ev,
            ItemKind::SupervisionHit,
            h.department.as_deref(),
            &payload,
            routes,
        )?;
    }
    Ok(())
}

/// `supervision.hits` (or one `supervision.hit` of an older journal) → `supervision_hits`.
pub(crate) fn project(tx: &Transaction<'_>, ev: &Event) -> Result<()> {
    let bad = |e: serde_json::Error| CoreError::Invalid(format!("监察事件无法解析：{e}"));
    if ev.action == events::SUPERVISION_HITS {
        let hits: Vec<Hit> =
            serde_json::from_value(ev.payload.get("hits").cloned().unwrap_or_default()).map_err(bad)?;
        for h in &hits {
            insert(tx, h, ev)?;
        }
        return Ok(());
    }
    let h: Hit = serde_json::from_value(ev.payload.clone()).map_err(bad)?;
    insert(tx, &h, ev)
}

fn insert(tx: &Transaction<'_>, h: &Hit, ev: &Event) -> Result<()> {
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

const CASE_COLS: &str = "SELECT case_no, department, item_code, kind, state, created_by, accepted_on, stopped_since,
        due_date, limit_days, extension_days, closed_on, decided_on, decision_due, decision_late_days, delivery_due
     FROM cases";

fn case_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseRow> {
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
}

fn cases(conn: &Connection) -> Result<HashMap<String, CaseRow>> {
    let mut st = conn.prepare(&format!("{CASE_COLS} WHERE state <> 'appointed'"))?;
    let rows = st.query_map([], case_from)?;
    let mut out = HashMap::new();
    for r in rows {
        let r = r?;
        out.insert(r.case_no.clone(), r);
    }
    Ok(out)
}

/// One case as [`cases`] reads it (`None`: unknown or only appointed).
fn case_row(conn: &Connection, case_no: &str) -> Result<Option<CaseRow>> {
    Ok(conn
        .prepare_cached(&format!("{CASE_COLS} WHERE case_no = ?1 AND state <> 'appointed'"))?
        .query_row([case_no], case_from)
        .optional()?)
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

const EV_COLS: &str = "SELECT seq, id, case_no, actor, action, at, payload FROM journal";

/// A journal row as a case event, or `None` for what the monitors do not read (an action they do
/// not know, a time that does not parse).
fn ev_from(r: &rusqlite::Row<'_>) -> Result<Option<Ev>> {
    let action: String = r.get(4)?;
    let Some(action) = Action::parse(&action) else { return Ok(None) };
    let at: String = r.get(5)?;
    let Ok(at) = DateTime::parse_from_rfc3339(&at) else { return Ok(None) };
    let legal_basis = if matches!(action, Action::RefuseAcceptance | Action::Deny) {
        let payload: String = r.get(6)?;
        serde_json::from_str::<serde_json::Value>(&payload)
            .ok()
            .and_then(|p| p.get("legal_basis").and_then(|b| b.as_str()).map(str::to_owned))
    } else {
        None
    };
    Ok(Some(Ev { seq: r.get(0)?, id: r.get(1)?, case_no: r.get(2)?, actor: r.get(3)?, action, at, legal_basis }))
}

fn events_where(conn: &Connection, filter: &str, args: impl rusqlite::Params) -> Result<Vec<Ev>> {
    let mut st = conn.prepare_cached(&format!("{EV_COLS} WHERE {filter}"))?;
    let mut rows = st.query(args)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        if let Some(e) = ev_from(r)? {
            out.push(e);
        }
    }
    Ok(out)
}

fn case_events(conn: &Connection) -> Result<Vec<Ev>> {
    events_where(conn, "case_no IS NOT NULL ORDER BY seq", [])
}

/// What the per-case monitors need besides the case.
struct Ctx<'a> {
    cal: &'a Calendar,
    cfg: &'a Config,
    board: Board<'a>,
    today: NaiveDate,
}

/// Every finding as of `today`, raised or not (the caller drops the known ones). With `watch`,
/// also each case's next wake day (see [`wake_on`]).
pub(crate) fn detect(
    conn: &Connection,
    cal: &Calendar,
    policy: &crate::deadline::LightPolicy,
    cfg: &Config,
    today: NaiveDate,
    mut watch: Option<&mut Vec<(String, Option<NaiveDate>)>>,
) -> Result<Vec<Hit>> {
    let cases = cases(conn)?;
    let events = case_events(conn)?;
    let mut by_case: HashMap<&str, Vec<&Ev>> = HashMap::new();
    for e in &events {
        by_case.entry(e.case_no.as_str()).or_default().push(e);
    }
    let x = Ctx { cal, cfg, board: Board::new(cal, *policy, today), today };
    let mut out = Vec::new();
    let mut ordered: Vec<&CaseRow> = cases.values().collect();
    ordered.sort_by(|a, b| a.case_no.cmp(&b.case_no));
    for c in &ordered {
        let evs = by_case.get(c.case_no.as_str()).map(Vec::as_slice).unwrap_or_default();
        let from = out.len();
        case_findings(conn, c, evs, &x, &mut out)?;
        if let Some(w) = watch.as_deref_mut() {
            w.push((c.case_no.clone(), wake_on(conn, c, evs, &x, &out[from..])?));
        }
    }
    backfill(&events, &cases, cfg, &mut out);
    others(conn, cal, policy, today, &mut out)?;
    Ok(out)
}

/// The monitors over what is not a case: 差评 work orders, complaints, themes (few rows: read whole).
fn others(
    conn: &Connection,
    cal: &Calendar,
    policy: &crate::deadline::LightPolicy,
    today: NaiveDate,
    out: &mut Vec<Hit>,
) -> Result<()> {
    super::evaluation::overdue(conn, cal, today, out)?;
    super::complaint::overdue(conn, cal, today, out)?;
    // 并联审批: a theme late against its overall deadline (crate::theme::clock).
    crate::theme::clock::overdue(conn, cal, policy, today, out)
}

/// Every per-case monitor on one case and its events (in journal order).
fn case_findings(conn: &Connection, c: &CaseRow, evs: &[&Ev], x: &Ctx<'_>, out: &mut Vec<Hit>) -> Result<()> {
    let cfg = x.cfg;
    let last_of = |acts: &[Action]| evs.iter().rev().find(|e| acts.contains(&e.action)).copied();
    let decider = last_of(&[Action::Approve, Action::Deny, Action::DecideOnSpot]);
    deadlines(c, decider, last_of(&[Action::Deliver]), &x.board, out);
    pre_review(c, evs, x.cal, cfg, x.today, out);
    let mut requests = 0;
    for e in evs {
        match e.action {
            Action::RequestSupplement => {
                requests += 1;
                if requests > cfg.supplements_allowed {
                    let ev = serde_json::json!({ "nth": requests, "allowed": cfg.supplements_allowed, "event": e.id });
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
                    out.push(hit(Rule::WeakLegalBasis, &e.id, Some(c), Some(e.actor.clone()), ev, e.at.date_naive()));
                }
            }
            _ => {}
        }
    }
    hasty(c, evs, cfg, out);
    if c.state == "completed" {
        missing_materials(conn, c, last_of(&[Action::Deliver]), out)?;
    }
    Ok(())
}

/// The first day a time-driven monitor could flag the case without a new event on it, or `None`
/// when none can: 预审超时 while nothing handled it, 决定超期 while undecided, 送达超期 while not
/// delivered — each only if not recorded yet (`fresh`: this run's findings on the case). Each fires
/// only once today is past its due day, so the due day + 1 is never late; a case woken that does
/// not fire (a clock stop) keeps its day and is looked at again on every run until it changes.
/// A function of the case row, its events and the hits recorded: a run from scratch gives the same.
fn wake_on(conn: &Connection, c: &CaseRow, evs: &[&Ev], x: &Ctx<'_>, fresh: &[Hit]) -> Result<Option<NaiveDate>> {
    if c.closed_on.is_some() {
        return Ok(None);
    }
    let pending = |rule: Rule| -> Result<bool> {
        let id = format!("{}:{}", rule.code(), c.case_no);
        Ok(!fresh.iter().any(|h| h.hit_id == id) && !known(conn, &id)?)
    };
    let mut days = Vec::new();
    if let Some(filed) = evs.iter().find(|e| e.action == Action::File)
        && !evs.iter().any(|e| handles(e.action))
        && let Ok(due) = due_after(x.cal, filed.at.date_naive(), x.cfg.pre_review_days)
        && pending(Rule::PreReviewLate)?
    {
        days.push(due);
    }
    let decided = c.decided_on.is_some() && c.decision_late_days.is_some();
    if !decided
        && let (Some(_), Some(due)) = (c.accepted_on, c.due_date)
        && pending(Rule::DecisionOverdue)?
    {
        days.push(due);
    }
    if let (Some(_), Some(due)) = (c.decided_on, c.delivery_due)
        && pending(Rule::DeliveryOverdue)?
    {
        days.push(due);
    }
    Ok(days.into_iter().min().and_then(|d| d.succ_opt()))
}

/// The first handling of a filed case (受理, 补正告知, 不予受理, 当场办结): what pre-review waits for.
fn handles(a: Action) -> bool {
    matches!(a, Action::Accept | Action::RequestSupplement | Action::RefuseAcceptance | Action::DecideOnSpot)
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
    let first = evs.iter().find(|e| handles(e.action));
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

/// The sliding window over one staff member's events, in time order: every case touched by a
/// window of at least `need` events within `window` is flagged once, with its first such window.
/// One piece for the run from scratch ([`backfill`]) and the resumed run ([`backfill_since`]), so
/// both raise the same hits.
fn flag_bursts<'a>(
    mut evs: Vec<&'a Ev>,
    window: chrono::Duration,
    need: usize,
    flagged: &mut BTreeMap<&'a str, Flag<'a>>,
) {
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
    for (_, evs) in per_staff {
        flag_bursts(evs, window, need, &mut flagged);
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
