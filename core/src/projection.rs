//! Journal → tables. The one function that turns an event into rows, used both live (right after
//! the event is appended, in the same transaction) and by `yc rebuild`, so the two cannot drift.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, YearTable};
use crate::case::{self, Action, ClockEffect, Facts, Input, Kind, Role, State};
use crate::deadline::CaseClock;
use crate::error::{CoreError, Result};
use crate::events;
use crate::journal::Event;

/// Event actions that are not case actions.
/// The payload of a case's first event: everything the case needs, snapshotted, so the case
/// keeps the catalog version it was opened under and a rebuild needs nothing but the journal.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FiledPayload {
    pub item: ItemSnapshot,
    pub applicant: ApplicantSnapshot,
    pub channel: String,
    pub materials: Vec<MaterialRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_override: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Absent in filings without files, so their payloads (and hashes) are as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<crate::attachment::Attachment>,
    /// The situation (办理情形) chosen at intake, when the item has several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_item: Option<SubItemRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SubItemRef {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ItemSnapshot {
    pub code: String,
    pub version: i64,
    pub name: String,
    pub department: String,
    pub kind: Kind,
    pub promised_days: u32,
    pub statutory_days: u32,
    pub has_certificate: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ApplicantSnapshot {
    /// person | legal_person
    pub kind: String,
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MaterialRecord {
    pub id: String,
    pub name: String,
    pub required: bool,
    pub provided: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused_from: Option<String>,
}

/// The payload of later case events.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ActPayload {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// Materials handed in with a supplement, or listed in a supplement request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materials: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Scans handed in with a supplement.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<crate::attachment::Attachment>,
}

/// Set (in `settings`) by a migration that adds derived columns only a replay of the journal can
/// fill; [`finish_pending_rebuild`] replays once and clears it.
pub const REBUILD_PENDING: &str = "derived_rebuild_pending";

/// Runs `rebuild` once if a migration asked for it. A broken chain keeps the request (and the
/// workstation usable, so `yc verify` can name the bad event): the rebuild refuses to launder it.
pub(crate) fn finish_pending_rebuild(store: &crate::store::Store, rebuild: impl FnOnce() -> Result<i64>) -> Result<()> {
    let pending = store
        .reader()?
        .query_row("SELECT 1 FROM settings WHERE key = ?1", [REBUILD_PENDING], |_| Ok(()))
        .optional()?
        .is_some();
    if !pending {
        return Ok(());
    }
    match rebuild() {
        Ok(_) => store.write(|tx| {
            tx.execute("DELETE FROM settings WHERE key = ?1", [REBUILD_PENDING])?;
            Ok(())
        }),
        Err(CoreError::JournalBroken { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The deadline columns of a case row, as `deadline::CaseClock::schedule` gives them; all `None`
/// with the reason in `note` when the calendar lacks a year the count reaches.
#[derive(Debug, Default)]
struct DeadlineCols {
    due: Option<String>,
    note: Option<String>,
    decision_due: Option<String>,
    decision_late_days: Option<u32>,
    delivery_due: Option<String>,
}

impl DeadlineCols {
    fn of(clock: &CaseClock, cal: &Calendar) -> Self {
        match clock.schedule(cal) {
            Ok(s) => DeadlineCols {
                due: Some(s.due.to_string()),
                note: None,
                decision_due: s.decision.map(|d| d.due.to_string()),
                decision_late_days: s.decision.map(|d| d.late_days),
                delivery_due: s.decision.map(|d| d.delivery_due.to_string()),
            },
            Err(e) => DeadlineCols { note: Some(e.to_string()), ..DeadlineCols::default() },
        }
    }
}

fn parse_date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

pub struct Projector {
    pub cal: Calendar,
}

impl Projector {
    pub fn new(cal: Calendar) -> Self {
        Self { cal }
    }

    pub fn apply(&mut self, tx: &Transaction<'_>, ev: &Event) -> Result<()> {
        match ev.action.as_str() {
            events::CALENDAR_IMPORT => {
                let body = ev.payload.get("body").and_then(|b| b.as_str()).unwrap_or_default();
                let table = YearTable::parse_json(body)?;
                self.cal.insert_year(table);
                self.recompute_open(tx)?;
                crate::theme::project::recompute_unknown(tx, &self.cal)
            }
            events::THEME_FILE => crate::theme::project::project_filed(tx, ev, &self.cal),
            events::DOCUMENT_SEALED => {
                crate::document::project_sealed(tx, ev)?;
                crate::licence::project::project_sealed(tx, ev)
            }
            events::DOCUMENT_TIMESTAMPED => crate::document::project_timestamped(tx, ev),
            a if crate::licence::project::projects(a) => crate::licence::project::project_import(tx, ev),
            a if crate::notice::projects(a) => crate::notice::project(tx, ev),
            a if crate::delivery::project::projects(a) => crate::delivery::project::project(tx, ev),
            a if crate::appointment::project::projects(a) => crate::appointment::project::project(tx, ev),
            a if crate::queue::project::projects(a) => crate::queue::project::project(tx, ev),
            a if crate::fee::projects(a) => crate::fee::project(tx, ev),
            a if crate::agent::projects(a) => crate::agent::project(tx, ev),
            a if crate::supervision::projects(a) => crate::supervision::project(tx, ev, &self.cal),
            a => match (Action::parse(a), ev.case_no.as_deref()) {
                (Some(action), Some(case_no)) => self.case_event(tx, ev, action, case_no),
                // Workstation, staff and catalog events are audit records; unknown actions from a
                // newer version are kept in the journal and skipped here.
                _ => Ok(()),
            },
        }
    }

    fn case_event(&mut self, tx: &Transaction<'_>, ev: &Event, action: Action, case_no: &str) -> Result<()> {
        let day = ev.date()?;
        let role = Role::parse(&ev.role).ok_or_else(|| CoreError::Invalid(format!("未知角色：{}", ev.role)))?;
        let exists: bool = tx
            .prepare_cached("SELECT 1 FROM cases WHERE case_no = ?1")?
            .query_row([case_no], |_| Ok(()))
            .optional()?
            .is_some();
        if !exists {
            return self.insert_case(tx, ev, action, role, case_no, day);
        }
        let (facts, mut clock) = load(tx, case_no)?;
        let payload: ActPayload = serde_json::from_value(ev.payload.clone()).unwrap_or_default();
        let input = Input { reason: ev.reason.clone(), legal_basis: payload.legal_basis.clone(), days: payload.days };
        let (next, effect) = case::apply(&facts, action, role, &input).map_err(|r| CoreError::JournalBroken {
            seq: ev.seq,
            id: ev.id.clone(),
            problem: format!("记录的操作不符合办件规则：{r:?}"),
        })?;
        let closed_on = (effect == ClockEffect::Close).then(|| day.to_string());
        clock.apply(effect, day, &self.cal);
        clock.extension_days = next.extension_days;
        // A closed case keeps the deadlines it had (supervision reads them).
        let cols = if closed_on.is_some() { DeadlineCols::default() } else { DeadlineCols::of(&clock, &self.cal) };
        let published = action == Action::Publish;
        // Counted once here so the statistics table need not run the calendar per case.
        let decide_days = decide_days(&clock, &self.cal);
        tx.prepare_cached(
            "UPDATE cases SET state = ?2, resume_state = ?3, outcome = ?4, certificate_made = ?5,
                licence_status = ?6, extension_days = ?7, supplement_count = ?8,
                accepted_on = ?9, stopped_days = ?10, stopped_since = ?11,
                due_date = CASE WHEN ?12 IS NULL THEN ?13 ELSE due_date END,
                deadline_note = CASE WHEN ?12 IS NULL THEN ?14 ELSE deadline_note END,
                closed_on = COALESCE(?12, closed_on), published = published OR ?15,
                updated_at = ?16, last_seq = ?17, decided_on = ?18,
                decision_due = CASE WHEN ?12 IS NULL THEN ?19 ELSE decision_due END,
                decision_late_days = CASE WHEN ?12 IS NULL THEN ?20 ELSE decision_late_days END,
                delivery_due = CASE WHEN ?12 IS NULL THEN ?21 ELSE delivery_due END,
                decide_days = ?22
             WHERE case_no = ?1",
        )?
        .execute(params![
            case_no,
            next.state.code(),
            next.resume_state.map(State::code),
            next.outcome.map(|o| if o == case::Outcome::Approved { "approved" } else { "denied" }),
            next.certificate_made,
            next.licence.map(|l| match l {
                case::LicenceStatus::InForce => "in_force",
                case::LicenceStatus::Cancelled => "cancelled",
                case::LicenceStatus::Revoked => "revoked",
            }),
            next.extension_days,
            next.supplements,
            clock.accepted_on.map(|d| d.to_string()),
            clock.stopped_days,
            clock.stopped_since.map(|d| d.to_string()),
            closed_on,
            cols.due,
            cols.note,
            published,
            ev.at,
            ev.seq,
            clock.decided_on.map(|d| d.to_string()),
            cols.decision_due,
            cols.decision_late_days,
            cols.delivery_due,
            decide_days,
        ])?;
        // The licence issued from the case follows its 变更, 转让, 撤销 and 注销.
        crate::licence::project::case_action(tx, ev, case_no, action)?;
        // A supplement hands in the corrected materials; a check-in (filing an appointed case)
        // the ones the clerk ticked at the window.
        if action == Action::Supplement || action == Action::File {
            for m in &payload.materials {
                tx.prepare_cached("UPDATE case_materials SET provided = 1 WHERE case_no = ?1 AND material_id = ?2")?
                    .execute(params![case_no, m])?;
            }
            insert_attachments(tx, case_no, &payload.attachments)?;
        }
        Ok(())
    }

    fn insert_case(
        &mut self,
        tx: &Transaction<'_>,
        ev: &Event,
        action: Action,
        role: Role,
        case_no: &str,
        day: NaiveDate,
    ) -> Result<()> {
        let p: FiledPayload = serde_json::from_value(ev.payload.clone()).map_err(|e| CoreError::JournalBroken {
            seq: ev.seq,
            id: ev.id.clone(),
            problem: format!("新办件事件内容无法解析：{e}"),
        })?;
        let facts = case::start(action, role, p.item.kind, p.item.has_certificate).map_err(|r| {
            CoreError::JournalBroken {
                seq: ev.seq, id: ev.id.clone(), problem: format!("新办件不符合规则：{r:?}")
            }
        })?;
        let clock = CaseClock::filed(day, p.item.promised_days);
        let DeadlineCols { due, note, .. } =
            if facts.state == State::Appointed { DeadlineCols::default() } else { DeadlineCols::of(&clock, &self.cal) };
        tx.prepare_cached(
            "INSERT INTO cases (case_no, item_code, catalog_version, item_name, department, kind,
                applicant_id, applicant_name, applicant_kind, channel, state, has_certificate,
                filed_on, limit_days, statutory_days, due_date, deadline_note,
                created_at, created_by, updated_at, last_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?18, ?20)",
        )?
        .execute(params![
            case_no,
            p.item.code,
            p.item.version,
            p.item.name,
            p.item.department,
            p.item.kind.code(),
            p.applicant.id,
            p.applicant.name,
            p.applicant.kind,
            p.channel,
            facts.state.code(),
            p.item.has_certificate,
            day.to_string(),
            p.item.promised_days,
            p.item.statutory_days,
            due,
            note,
            ev.at,
            ev.actor,
            ev.seq,
        ])?;
        let rowid = tx.last_insert_rowid();
        tx.prepare_cached("INSERT INTO case_fts (rowid, case_no, applicant_name, applicant_id, item_name) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![rowid, case_no, p.applicant.name, p.applicant.id, p.item.name])?;
        let mut mat = tx.prepare_cached(
            "INSERT INTO case_materials (case_no, material_id, name, required, provided, reused_from) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for m in &p.materials {
            mat.execute(params![case_no, m.id, m.name, m.required, m.provided, m.reused_from])?;
        }
        insert_attachments(tx, case_no, &p.attachments)?;
        tx.prepare_cached(
            "INSERT INTO applicants (id_no, kind, name, phone, first_case, last_case) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT(id_no) DO UPDATE SET name = excluded.name, phone = COALESCE(excluded.phone, phone), last_case = excluded.last_case",
        )?
        .execute(params![p.applicant.id, p.applicant.kind, p.applicant.name, p.applicant.phone, case_no])?;
        if let Some((day_key, seq)) = crate::numbering::case_no_parts(case_no) {
            tx.prepare_cached(
                "INSERT INTO case_seq (day, last) VALUES (?1, ?2) ON CONFLICT(day) DO UPDATE SET last = max(last, excluded.last)",
            )?
            .execute(params![day_key, seq])?;
        }
        Ok(())
    }

    /// After a calendar import every running deadline is recomputed (a year may have arrived).
    fn recompute_open(&self, tx: &Transaction<'_>) -> Result<()> {
        let mut st =
            tx.prepare("SELECT case_no FROM cases WHERE closed_on IS NULL AND state <> 'appointed' ORDER BY rowid")?;
        let open: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        for case_no in open {
            let (_, clock) = load(tx, &case_no)?;
            let c = DeadlineCols::of(&clock, &self.cal);
            tx.prepare_cached(
                "UPDATE cases SET due_date = ?2, deadline_note = ?3, decision_due = ?4, decision_late_days = ?5,
                    delivery_due = ?6, decide_days = ?7 WHERE case_no = ?1",
            )?
            .execute(params![
                case_no,
                c.due,
                c.note,
                c.decision_due,
                c.decision_late_days,
                c.delivery_due,
                decide_days(&clock, &self.cal),
            ])?;
        }
        Ok(())
    }
}

/// Working days acceptance → decision (`cases.decide_days`), or `None` (undecided, or a year
/// missing from the calendar: the report counts those itself).
fn decide_days(clock: &CaseClock, cal: &Calendar) -> Option<i64> {
    match (clock.accepted_on, clock.decided_on) {
        (Some(a), Some(d)) => crate::deadline::working_days_elapsed(cal, a, d).ok(),
        _ => None,
    }
}

fn load(tx: &rusqlite::Connection, case_no: &str) -> Result<(Facts, CaseClock)> {
    tx.prepare_cached(
        "SELECT state, resume_state, kind, has_certificate, outcome, certificate_made, extension_days,
                licence_status, supplement_count, filed_on, accepted_on, limit_days, stopped_days, stopped_since,
                decided_on, published
         FROM cases WHERE case_no = ?1",
    )?
    .query_row([case_no], |r| {
        let state: String = r.get(0)?;
        let resume: Option<String> = r.get(1)?;
        let kind: String = r.get(2)?;
        let outcome: Option<String> = r.get(4)?;
        let licence: Option<String> = r.get(7)?;
        let facts = Facts {
            state: State::parse(&state).unwrap_or(State::Submitted),
            resume_state: resume.as_deref().and_then(State::parse),
            kind: Kind::parse(&kind).unwrap_or(Kind::Promised),
            has_certificate: r.get(3)?,
            outcome: outcome.map(|o| if o == "approved" { case::Outcome::Approved } else { case::Outcome::Denied }),
            certificate_made: r.get(5)?,
            extension_days: r.get(6)?,
            licence: licence.map(|l| match l.as_str() {
                "in_force" => case::LicenceStatus::InForce,
                "cancelled" => case::LicenceStatus::Cancelled,
                _ => case::LicenceStatus::Revoked,
            }),
            supplements: r.get(8)?,
            published: r.get(15)?,
        };
        let clock = CaseClock {
            filed_on: parse_date(r.get(9)?).unwrap_or_default(),
            accepted_on: parse_date(r.get(10)?),
            limit_days: r.get(11)?,
            extension_days: r.get(6)?,
            stopped_days: r.get(12)?,
            stopped_since: parse_date(r.get(13)?),
            decided_on: parse_date(r.get(14)?),
        };
        Ok((facts, clock))
    })
    .optional()?
    .ok_or_else(|| CoreError::UnknownCase(case_no.to_owned()))
}

/// Loads a case's facts for the live rule check and the case view (the same reading of the row
/// the projection uses). Takes a transaction or a reader.
pub(crate) fn facts(tx: &rusqlite::Connection, case_no: &str) -> Result<Facts> {
    Ok(load(tx, case_no)?.0)
}

/// Appends a case's files after those it already has (intake first, then each supplement).
fn insert_attachments(tx: &Transaction<'_>, case_no: &str, atts: &[crate::attachment::Attachment]) -> Result<()> {
    if atts.is_empty() {
        return Ok(());
    }
    let first: i64 = tx
        .prepare_cached("SELECT count(*) FROM case_attachments WHERE case_no = ?1")?
        .query_row([case_no], |r| r.get(0))?;
    let mut st = tx.prepare_cached(
        "INSERT INTO case_attachments (case_no, pos, sha256, name, mime, size, material_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (i, a) in atts.iter().enumerate() {
        let size = i64::try_from(a.size).map_err(|_| CoreError::Invalid(format!("附件过大：{}", a.name)))?;
        st.execute(params![case_no, first + i as i64, a.sha256, a.name, a.mime, size, a.material])?;
    }
    Ok(())
}

/// Every table derived from the journal, with the key order the fingerprint reads it in, listed
/// in the order they can be emptied (children before parents: work orders reference ratings,
/// materials and attachments reference cases). `case_fts`, the search index, is derived too; its
/// rows are covered by row id. A new derived table is added here and nowhere else.
pub const DERIVED_TABLES: &[(&str, &str)] = &[
    ("theme_branches", "theme_no, pos"),
    ("themes", "theme_no"),
    ("case_materials", "case_no, material_id"),
    ("case_attachments", "case_no, pos"),
    ("deliveries", "case_no"),
    ("appointment_schedules", "target_kind, target"),
    ("appointments", "booking_id"),
    ("queue_tickets", "ticket_id"),
    ("fees", "account"),
    ("case_agents", "case_no"),
    ("licences", "licence_id"),
    ("notice_consents", "case_no"),
    ("notices", "notice_id"),
    ("cases", "rowid"),
    ("applicants", "id_no"),
    ("case_seq", "day"),
    ("documents", "doc_id"),
    ("supervision_hits", "hit_id"),
    ("work_orders", "order_id"),
    ("ratings", "rating_id"),
    ("complaints", "complaint_id"),
];

/// Aggregates the triggers of migration 0022 keep over `cases` and `supervision_hits` (cleared
/// after those, since deleting rows runs the triggers), and the monitors' resume state (so the next
/// run starts from scratch on the rebuilt tables). The report before and after a rebuild proves them.
pub const DERIVED_AGGREGATES: &[&str] =
    &["case_day_stats", "case_decide_days", "hit_day_stats", "monitor_state", "monitor_watch"];

impl crate::workstation::Workstation {
    /// Drops every derived table and replays the journal into them, in one transaction.
    /// Refuses to run on a broken chain: rebuilding from a tampered journal would launder it.
    pub fn rebuild(&self) -> Result<i64> {
        let report = self.verify_journal()?;
        if let Some(bad) = report.first_bad {
            return Err(CoreError::JournalBroken { seq: bad.seq, id: bad.id, problem: bad.problem });
        }
        let mut projector = Projector::new(Calendar::official());
        let mut conn = self.store.writer();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM case_fts", [])?;
        for (table, _) in DERIVED_TABLES {
            tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
        for table in DERIVED_AGGREGATES {
            tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
        let reader = self.store.reader()?;
        let mut n = 0;
        crate::journal::for_each(&reader, |ev| {
            n += 1;
            projector.apply(&tx, &ev)
        })?;
        tx.commit()?;
        Ok(n)
    }

    /// SHA-256 over every row of the derived tables in key order (and the search index's row
    /// ids): equal fingerprints before and after `rebuild` prove the journal reproduces them.
    pub fn derived_fingerprint(&self) -> Result<String> {
        let conn = self.store.reader()?;
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        for &(table, order) in DERIVED_TABLES {
            let sql =
                format!("SELECT {}* FROM {table} ORDER BY {order}", if table == "cases" { "rowid, " } else { "" });
            let mut st = conn.prepare(&sql)?;
            let cols = st.column_count();
            let mut rows = st.query([])?;
            ctx.update(table.as_bytes());
            while let Some(r) = rows.next()? {
                for i in 0..cols {
                    let v: rusqlite::types::Value = r.get(i)?;
                    ctx.update(format!("{v:?}\u{1f}").as_bytes());
                }
                ctx.update(b"\x1e");
            }
        }
        let mut st = conn.prepare("SELECT rowid FROM case_fts ORDER BY rowid")?;
        let ids: Vec<i64> = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        for id in ids {
            ctx.update(&id.to_be_bytes());
        }
        Ok(crate::hash::hex(ctx.finish().as_ref()))
    }
}
