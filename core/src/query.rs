//! Read side: work lists, search, case detail and lights. Readers use their own connection, so a
//! search over a million cases never holds up an intake.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params_from_iter, types::Value};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::case::{self, Action, Channel, Kind, Outcome, State};
use crate::deadline::{Board, Light, Phase, Running};
use crate::error::{CoreError, Result};
use crate::journal::Event;
use crate::staff::Actor;
use crate::workstation::Workstation;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CaseSummary {
    pub case_no: String,
    pub item_code: String,
    pub item_name: String,
    pub department: String,
    pub kind: Kind,
    pub applicant_id: String,
    pub applicant_name: String,
    pub channel: Channel,
    pub state: State,
    pub state_zh: String,
    pub filed_on: String,
    pub accepted_on: Option<String>,
    /// The pre-review or decision deadline. While paused: the date it would be due if the clock
    /// restarted today (it moves one working day later per working day paused). Once decided:
    /// the decision deadline as it stood that day (`delivery_due` runs then).
    pub due_date: Option<String>,
    pub closed_on: Option<String>,
    /// Working days left on the deadline that runs (`phase`): today to `due_date`, or to
    /// `delivery_due` once decided; negative: overdue. While paused it stands still, and
    /// equals the working days from today to the `due_date` shown. None when closed or unknown.
    pub days_left: Option<i64>,
    /// The light of the deadline that runs: a case decided on time is not red while it waits
    /// for delivery; one decided late is not kept red for it (see `decision_late_days`).
    pub light: Option<Light>,
    pub paused: bool,
    pub deadline_note: Option<String>,
    /// Which deadline runs; None when closed or only appointed.
    #[cfg_attr(feature = "ts", ts(inline))]
    pub phase: Option<Phase>,
    /// Day of the decision (准予/不予许可).
    pub decided_on: Option<String>,
    /// The decision deadline on the day of the decision.
    pub decision_due: Option<String>,
    /// Working days the decision came late (0: on time), fixed at the decision: 决定超期 N 日.
    pub decision_late_days: Option<u32>,
    /// 《行政许可法》§44: decided_on + 10 working days to issue and deliver.
    pub delivery_due: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct MaterialRow {
    pub material_id: String,
    pub name: String,
    pub required: bool,
    pub provided: bool,
    pub reused_from: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct CaseDetail {
    pub summary: CaseSummary,
    pub catalog_version: i64,
    pub outcome: Option<Outcome>,
    pub certificate_made: bool,
    /// The item yields a certificate (证照).
    pub has_certificate: bool,
    pub licence_status: Option<String>,
    pub extension_days: u32,
    pub stopped_days: u32,
    pub supplement_count: u32,
    pub limit_days: u32,
    pub statutory_days: u32,
    pub materials: Vec<MaterialRow>,
    pub events: Vec<Event>,
    /// Sealed documents issued for the case.
    pub documents: Vec<crate::document::DocumentRow>,
    /// Scans and photos handed in with the case.
    pub attachments: Vec<crate::attachment::Attachment>,
    /// The situation (办理情形) chosen at intake, if the item has several.
    pub sub_item: Option<String>,
    /// Actions the asking actor may take now.
    pub available: Vec<ActionInfo>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ActionInfo {
    pub code: Action,
    pub zh: String,
    pub needs_reason: bool,
    pub needs_basis: bool,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ListFilter {
    pub state: Option<State>,
    pub light: Option<Light>,
    pub department: Option<String>,
    pub applicant_id: Option<String>,
    pub open_only: bool,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct LightCounts {
    pub green: u64,
    pub yellow: u64,
    pub red: u64,
    pub paused: u64,
    /// Deadline unknown (the calendar lacks a year).
    pub unknown: u64,
}

const SUMMARY_COLS: &str = "case_no, item_code, item_name, department, kind, applicant_id, applicant_name, channel,
    state, filed_on, accepted_on, due_date, closed_on, stopped_since, limit_days, extension_days, deadline_note,
    decided_on, decision_due, decision_late_days, delivery_due";

/// The deadline an open case runs against, from its row's columns (`deadline::Phase` decides
/// which stored date that is). None when the date is missing (calendar lacks a year).
fn running(
    accepted: bool,
    decided: bool,
    limit_and_extension: u32,
    due: Option<&str>,
    delivery_due: Option<&str>,
    stopped_since: Option<&str>,
) -> Option<Running> {
    let phase = Phase::of(accepted, decided);
    let due = if phase == Phase::Delivery { delivery_due } else { due };
    Some(Running {
        phase,
        due: fast_date(due?)?,
        total_days: phase.total_days(limit_and_extension),
        stopped_since: stopped_since.and_then(fast_date),
    })
}

/// A coded TEXT column (state, channel, kind, outcome) read back into its enum; a code this
/// program does not know is a conversion error, never a string passed on.
pub(crate) fn coded<T>(r: &rusqlite::Row<'_>, i: usize, parse: fn(&str) -> Option<T>) -> rusqlite::Result<Option<T>> {
    match text(r, i)? {
        None => Ok(None),
        Some(s) => parse(s).map(Some).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                i,
                rusqlite::types::Type::Text,
                format!("unknown code {s:?} in column {i}").into(),
            )
        }),
    }
}

/// A coded TEXT column that is never NULL.
pub(crate) fn coded_required<T>(r: &rusqlite::Row<'_>, i: usize, parse: fn(&str) -> Option<T>) -> rusqlite::Result<T> {
    coded(r, i, parse)?.ok_or(rusqlite::Error::InvalidColumnType(i, format!("column {i}"), rusqlite::types::Type::Null))
}

/// A TEXT column borrowed from the row (the light pass allocates nothing per case).
fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    r.get_ref(i)?
        .as_str_or_null()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

/// `YYYY-MM-DD` without the general parser: this runs a million times per light pass.
fn fast_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

fn summary_from_row(r: &rusqlite::Row<'_>, board: &Board<'_>) -> rusqlite::Result<CaseSummary> {
    let state = coded_required(r, 8, State::parse)?;
    let accepted_on: Option<String> = r.get(10)?;
    let due: Option<String> = r.get(11)?;
    let closed: Option<String> = r.get(12)?;
    let stopped: Option<String> = r.get(13)?;
    let limit: u32 = r.get(14)?;
    let ext: u32 = r.get(15)?;
    let decided_on: Option<String> = r.get(17)?;
    let delivery_due: Option<String> = r.get(20)?;
    let open = closed.is_none() && state != State::Appointed;
    let phase = open.then(|| Phase::of(accepted_on.is_some(), decided_on.is_some()));
    let standing = if open {
        running(
            accepted_on.is_some(),
            decided_on.is_some(),
            limit.saturating_add(ext),
            due.as_deref(),
            delivery_due.as_deref(),
            stopped.as_deref(),
        )
        .and_then(|run| board.standing(&run))
    } else {
        None
    };
    let due = match standing {
        // Paused before the decision: show the date it would be due if it restarted today.
        Some(s) if s.paused && s.phase != Phase::Delivery => s.due.map(|d| d.to_string()),
        _ => due,
    };
    let paused = board.paused_since(stopped.as_deref().and_then(fast_date)).is_some();
    Ok(CaseSummary {
        case_no: r.get(0)?,
        item_code: r.get(1)?,
        item_name: r.get(2)?,
        department: r.get(3)?,
        kind: coded_required(r, 4, Kind::parse)?,
        applicant_id: r.get(5)?,
        applicant_name: r.get(6)?,
        channel: coded_required(r, 7, Channel::parse)?,
        state_zh: state.zh().to_owned(),
        state,
        filed_on: r.get(9)?,
        accepted_on,
        due_date: due,
        closed_on: closed,
        days_left: standing.map(|s| s.left),
        light: standing.map(|s| s.light),
        paused,
        deadline_note: r.get(16)?,
        phase,
        decided_on,
        decision_due: r.get(18)?,
        decision_late_days: r.get(19)?,
        delivery_due,
    })
}

impl Workstation {
    fn light_context<'c>(&self, cal: &'c Calendar) -> Board<'c> {
        Board::new(cal, self.policy, self.today())
    }

    pub fn case_summary(&self, case_no: &str) -> Result<CaseSummary> {
        let conn = self.store.reader()?;
        let cal = self.calendar();
        let lc = self.light_context(&cal);
        conn.prepare_cached(&format!("SELECT {SUMMARY_COLS} FROM cases WHERE case_no = ?1"))?
            .query_row([case_no], |r| summary_from_row(r, &lc))
            .optional()?
            .ok_or_else(|| CoreError::UnknownCase(case_no.into()))
    }

    /// The full case: summary, materials, its journal as a timeline, and what `actor` may do next.
    pub fn case_detail(&self, case_no: &str, actor: Option<&Actor>) -> Result<CaseDetail> {
        let summary = self.case_summary(case_no)?;
        let conn = self.store.reader()?;
        #[allow(clippy::type_complexity)]
        let (version, outcome, cert, licence, ext, stopped, supp, limit, statutory, has_cert): (
            i64,
            Option<Outcome>,
            bool,
            Option<String>,
            u32,
            u32,
            u32,
            u32,
            u32,
            bool,
        ) = conn.query_row(
            "SELECT catalog_version, outcome, certificate_made, licence_status, extension_days, stopped_days,
                    supplement_count, limit_days, statutory_days, has_certificate FROM cases WHERE case_no = ?1",
            [case_no],
            |r| {
                Ok((
                    r.get(0)?,
                    coded(r, 1, Outcome::parse)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                ))
            },
        )?;
        let mut st = conn.prepare_cached(
            "SELECT material_id, name, required, provided, reused_from FROM case_materials WHERE case_no = ?1 ORDER BY rowid",
        )?;
        let materials = st
            .query_map([case_no], |r| {
                Ok(MaterialRow {
                    material_id: r.get(0)?,
                    name: r.get(1)?,
                    required: r.get(2)?,
                    provided: r.get(3)?,
                    reused_from: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let facts = crate::projection::facts(&conn, case_no)?;
        let available = actor
            .filter(|a| a.covers(&summary.department))
            .map(|a| case::available(&facts, &a.roles))
            .unwrap_or_default()
            .into_iter()
            .map(|a: Action| {
                let rule = case::rule(a);
                ActionInfo {
                    code: a,
                    zh: a.zh().into(),
                    needs_reason: rule.needs_reason,
                    needs_basis: rule.needs_basis,
                }
            })
            .collect();
        let events = crate::journal::case_events(&conn, case_no)?;
        Ok(CaseDetail {
            documents: self.case_documents(case_no)?,
            sub_item: events
                .first()
                .and_then(|e| e.payload.get("sub_item"))
                .and_then(|s| s.get("name"))
                .and_then(|n| n.as_str())
                .map(str::to_owned),
            attachments: conn
                .prepare_cached(
                    "SELECT sha256, name, mime, size, material_id FROM case_attachments WHERE case_no = ?1 ORDER BY pos",
                )?
                .query_map([case_no], attachment_row)?
                .collect::<rusqlite::Result<_>>()?,
            events,
            summary,
            catalog_version: version,
            outcome,
            certificate_made: cert,
            has_certificate: has_cert,
            licence_status: licence,
            extension_days: ext,
            stopped_days: stopped,
            supplement_count: supp,
            limit_days: limit,
            statutory_days: statutory,
            materials,
            available,
        })
    }

    /// The work list: filtered, ordered by due date (most urgent first), paged.
    pub fn list_cases(&self, f: &ListFilter) -> Result<Vec<CaseSummary>> {
        let mut sql = format!("SELECT {SUMMARY_COLS} FROM cases WHERE 1 = 1");
        let mut args: Vec<Value> = Vec::new();
        if let Some(st) = f.state {
            sql.push_str(" AND state = ?");
            args.push(Value::Text(st.code().into()));
        }
        if let Some(d) = &f.department {
            sql.push_str(" AND department = ?");
            args.push(Value::Text(d.clone()));
        }
        if let Some(a) = &f.applicant_id {
            sql.push_str(" AND applicant_id = ?");
            args.push(Value::Text(crate::ids::normalize(a)));
        }
        if f.open_only || f.light.is_some() {
            sql.push_str(" AND closed_on IS NULL");
        }
        sql.push_str(" ORDER BY due_date IS NULL, due_date, case_no");
        let limit = f.limit.unwrap_or(100);
        let offset = f.offset.unwrap_or(0);
        if f.light.is_none() {
            sql.push_str(&format!(" LIMIT {limit} OFFSET {offset}"));
        }
        let conn = self.store.reader()?;
        let cal = self.calendar();
        let lc = self.light_context(&cal);
        let mut st = conn.prepare(&sql)?;
        let rows = st.query_map(params_from_iter(args), |r| summary_from_row(r, &lc))?;
        let mut out = Vec::new();
        let mut skipped = 0;
        for r in rows {
            let s = r?;
            if let Some(want) = f.light {
                if s.light != Some(want) {
                    continue;
                }
                if skipped < offset {
                    skipped += 1;
                    continue;
                }
            }
            out.push(s);
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// Full-text search over case number, applicant name and ID, and item name. Chinese substrings
    /// of three characters or more use the trigram index; shorter queries (two-character names,
    /// 张三) fall back to exact/prefix lookups on indexed columns so they stay fast at 1M cases.
    pub fn search_cases(&self, query: &str, limit: usize) -> Result<Vec<CaseSummary>> {
        let q = crate::ids::normalize(query);
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let conn = self.store.reader()?;
        let cal = self.calendar();
        let lc = self.light_context(&cal);
        let limit = i64::try_from(limit.min(1000)).unwrap_or(50);
        let mut out = Vec::new();
        let push_rows = |out: &mut Vec<CaseSummary>, sql: &str, args: &[&dyn rusqlite::ToSql]| -> Result<()> {
            let mut st = conn.prepare_cached(sql)?;
            let rows = st.query_map(args, |r| summary_from_row(r, &lc))?;
            for r in rows {
                out.push(r?);
            }
            Ok(())
        };
        // A case number or its date-sequence tail: a primary-key range, not the text index (digit
        // groups like "202" are in almost every row's trigrams).
        let prefix = if q.starts_with(&format!("{}-", self.identity.region)) {
            Some(q.clone())
        } else if q.len() >= 8
            && q.bytes().take(8).all(|b| b.is_ascii_digit())
            && q[8..].bytes().all(|b| b == b'-' || b.is_ascii_digit())
            && q.len() <= 14
        {
            Some(format!("{}-{}-{q}", self.identity.region, self.identity.code))
        } else {
            None
        };
        if let Some(p) = prefix {
            push_rows(
                &mut out,
                &format!(
                    "SELECT {SUMMARY_COLS} FROM cases WHERE case_no >= ?1 AND case_no < ?1 || char(1114111) ORDER BY case_no DESC LIMIT ?2"
                ),
                &[&p, &limit],
            )?;
            if !out.is_empty() {
                return Ok(out);
            }
        }
        if q.chars().count() >= 3 {
            let phrase = format!("\"{}\"", q.replace('"', "\"\""));
            push_rows(
                &mut out,
                &format!(
                    "SELECT {SUMMARY_COLS} FROM cases WHERE rowid IN
                       (SELECT rowid FROM case_fts WHERE case_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2)
                     ORDER BY rowid DESC"
                ),
                &[&phrase, &limit],
            )?;
        } else {
            // Two-character names (张三): exact matches first, then names that start with it.
            push_rows(
                &mut out,
                &format!("SELECT {SUMMARY_COLS} FROM cases WHERE applicant_name = ?1 ORDER BY rowid DESC LIMIT ?2"),
                &[&q, &limit],
            )?;
            let have = i64::try_from(out.len()).unwrap_or(0);
            if have < limit {
                push_rows(
                    &mut out,
                    &format!(
                        "SELECT {SUMMARY_COLS} FROM cases WHERE applicant_name > ?1 AND applicant_name < ?1 || char(1114111)
                         ORDER BY rowid DESC LIMIT ?2"
                    ),
                    &[&q, &(limit - have)],
                )?;
            }
        }
        Ok(out)
    }

    /// Lights for every open case, counted. Runs over all open rows (1M in well under a second).
    pub fn light_counts(&self) -> Result<LightCounts> {
        let conn = self.store.reader()?;
        let cal = self.calendar();
        let lc = self.light_context(&cal);
        // The covering partial index is not picked by the planner on its own (benchmarks.md).
        let mut st = conn.prepare(
            "SELECT due_date, stopped_since, accepted_on IS NOT NULL, limit_days + extension_days,
                    decided_on IS NOT NULL, delivery_due
             FROM cases INDEXED BY cases_open_lights
             WHERE closed_on IS NULL AND state <> 'appointed'",
        )?;
        let mut rows = st.query([])?;
        let mut c = LightCounts::default();
        while let Some(r) = rows.next()? {
            let (due, stopped) = (text(r, 0)?, text(r, 1)?);
            let run = running(r.get(2)?, r.get(4)?, r.get(3)?, due, text(r, 5)?, stopped);
            if lc.paused_since(stopped.and_then(fast_date)).is_some() {
                c.paused += 1;
            }
            match run.and_then(|run| lc.left(&run)) {
                Some((_, Light::Green)) => c.green += 1,
                Some((_, Light::Yellow)) => c.yellow += 1,
                Some((_, Light::Red)) => c.red += 1,
                None => c.unknown += 1,
            }
        }
        Ok(c)
    }

    /// [`Self::light_counts`] per department (the 监察 tab's first chart), ordered by department.
    pub fn light_counts_by_department(&self) -> Result<Vec<(String, LightCounts)>> {
        let conn = self.store.reader()?;
        let cal = self.calendar();
        let lc = self.light_context(&cal);
        let mut st = conn.prepare(
            "SELECT due_date, stopped_since, accepted_on IS NOT NULL, limit_days + extension_days,
                    decided_on IS NOT NULL, delivery_due, department
             FROM cases INDEXED BY cases_open_lights
             WHERE closed_on IS NULL AND state <> 'appointed'",
        )?;
        let mut rows = st.query([])?;
        let mut by: std::collections::BTreeMap<String, LightCounts> = std::collections::BTreeMap::new();
        while let Some(r) = rows.next()? {
            let (due, stopped) = (text(r, 0)?, text(r, 1)?);
            let run = running(r.get(2)?, r.get(4)?, r.get(3)?, due, text(r, 5)?, stopped);
            let dept = text(r, 6)?.unwrap_or_default();
            let c = match by.get_mut(dept) {
                Some(c) => c,
                None => by.entry(dept.to_owned()).or_default(),
            };
            if lc.paused_since(stopped.and_then(fast_date)).is_some() {
                c.paused += 1;
            }
            match run.and_then(|run| lc.left(&run)) {
                Some((_, Light::Green)) => c.green += 1,
                Some((_, Light::Yellow)) => c.yellow += 1,
                Some((_, Light::Red)) => c.red += 1,
                None => c.unknown += 1,
            }
        }
        Ok(by.into_iter().collect())
    }
}

pub(crate) fn attachment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<crate::attachment::Attachment> {
    Ok(crate::attachment::Attachment {
        sha256: r.get(0)?,
        name: r.get(1)?,
        mime: r.get(2)?,
        size: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
        material: r.get(4)?,
    })
}

impl Workstation {
    /// A case's attachment and its bytes, for staff of the case's department.
    pub fn attachment(
        &self,
        by: &Actor,
        case_no: &str,
        sha256: &str,
    ) -> Result<(crate::attachment::Attachment, Vec<u8>)> {
        let summary = self.case_summary(case_no)?;
        by.require_department(&summary.department)?;
        let conn = self.store.reader()?;
        let att = conn
            .prepare_cached(
                "SELECT sha256, name, mime, size, material_id FROM case_attachments WHERE case_no = ?1 AND sha256 = ?2 LIMIT 1",
            )?
            .query_row(rusqlite::params![case_no, sha256], attachment_row)
            .optional()?
            .ok_or_else(|| CoreError::Invalid(format!("办件 {case_no} 没有这个附件")))?;
        drop(conn);
        let bytes = self.blobs().get(&att.sha256)?;
        Ok((att, bytes))
    }
}
