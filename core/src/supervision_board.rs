//! The 监察 tab's figures: lights by department, a weekly trend, the monitor rules that fire most,
//! the ratings by level and the open work orders — and, for every number shown, the cases behind
//! it ([`Drill`]). A sibling of `report` rather than part of `supervision`: it reads the work
//! list's summaries (`query`), which sit above the supervision projection. Reads only; the same people as the statistics table (administrators of every
//! department, see [`Actor::require_overview`]) because it spans every department.

use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::deadline::Light;
use crate::error::{CoreError, Result};
use crate::query::{CaseSummary, LightCounts};
use crate::staff::Actor;
use crate::supervision::{Level, Rule, WorkOrder};
use crate::workstation::Workstation;

/// Most cases a drill-down lists (newest first); the count shown says how many there are.
pub const DRILL_LIMIT: usize = 500;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartmentLights {
    pub department: String,
    pub lights: LightCounts,
}

/// One week (Monday to Sunday, clipped to the period) of the trend.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Week {
    /// The Monday that starts it.
    pub week: NaiveDate,
    /// Cases filed (收件), as the statistics count them.
    pub received: u64,
    /// Decisions (准予/不予许可, 当场办结), and of those, the late ones (决定超期).
    pub decided: u64,
    pub late: u64,
    /// Monitor hits that occurred that week.
    pub hits: u64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleCount {
    pub rule: Rule,
    pub count: u64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelCount {
    pub level: Level,
    pub count: u64,
}

/// Everything the 监察 tab draws.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The day the lights are read (the workstation's today).
    pub as_of: NaiveDate,
    /// Open cases now, per department (not limited to the period: a light is today's).
    pub lights: Vec<DepartmentLights>,
    /// Every week overlapping the period, oldest first (weeks without anything included).
    pub weeks: Vec<Week>,
    /// Hits in the period by rule, most first (rules without hits left out).
    pub rules: Vec<RuleCount>,
    /// Ratings given in the period, by level, in the standard's order (all five levels).
    pub ratings: Vec<LevelCount>,
    /// (非常满意 + 满意 + 基本满意) / all, as the statistics define it; None without ratings.
    pub satisfaction_rate: Option<f64>,
    /// Work orders not closed, with their lights, most urgent first.
    pub work_orders: Vec<WorkOrder>,
}

/// A number on the 监察 tab, asked for its cases.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Drill {
    /// Open cases of a department under a light (`None`: the deadline is unknown).
    Light { department: String, light: Option<Light> },
    /// Open cases of a department whose clock is stopped.
    Paused { department: String },
    /// Cases filed in the week starting `week` (within the period).
    Received { week: NaiveDate },
    /// Cases decided in that week, late ones only when `late_only`.
    Decided { week: NaiveDate, late_only: bool },
    /// Cases with a hit of `rule` in the period (`None`: any rule), or in one week of it.
    Hits { rule: Option<Rule>, week: Option<NaiveDate> },
    /// Cases rated `level` in the period.
    Rating { level: Level },
}

/// The cases behind a number: how many there are and the first [`DRILL_LIMIT`] of them.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrillResult {
    pub total: u64,
    pub cases: Vec<CaseSummary>,
}

/// The Monday of `d`'s week.
pub fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// SQL for the Monday of the week of a `YYYY-MM-DD` column (SQLite's weekday 0 is Sunday).
fn monday_sql(col: &str) -> String {
    format!("date({col}, '-6 days', 'weekday 1')")
}

fn check_period(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if from > to {
        return Err(CoreError::Invalid(format!("统计期间起日 {from} 晚于止日 {to}")));
    }
    Ok(())
}

/// Clips a week to the period: [max(from, week), min(to, week + 6)].
fn week_span(week: NaiveDate, from: NaiveDate, to: NaiveDate) -> (String, String) {
    let start = monday(week);
    (start.max(from).to_string(), (start + Duration::days(6)).min(to).to_string())
}

impl Workstation {
    /// The 监察 tab for the period [from, to] (Beijing dates, both included).
    pub fn supervision_dashboard(&self, by: &Actor, from: NaiveDate, to: NaiveDate) -> Result<Dashboard> {
        by.require_overview("查看电子监察")?;
        check_period(from, to)?;
        let lights = self
            .light_counts_by_department()?
            .into_iter()
            .map(|(department, lights)| DepartmentLights { department, lights })
            .collect();
        let (f, t) = (from.to_string(), to.to_string());
        let conn = self.store().reader()?;

        let mut weeks: std::collections::BTreeMap<NaiveDate, Week> = std::collections::BTreeMap::new();
        let mut w = monday(from);
        while w <= to {
            weeks.insert(w, Week { week: w, ..Week::default() });
            w += Duration::days(7);
        }
        let mut add = |sql: &str, put: fn(&mut Week, u64)| -> Result<()> {
            let mut st = conn.prepare(sql)?;
            let mut rows = st.query(params![f, t])?;
            while let Some(r) = rows.next()? {
                let day: String = r.get(0)?;
                let n: i64 = r.get(1)?;
                let day: NaiveDate =
                    day.parse().map_err(|e| CoreError::Invalid(format!("监察周次日期无法解析：{day}：{e}")))?;
                if let Some(wk) = weeks.get_mut(&day) {
                    put(wk, u64::try_from(n).unwrap_or(0));
                }
            }
            Ok(())
        };
        // The same definitions as report.rs (received: filed and not only appointed).
        add(
            &format!(
                "SELECT {}, COUNT(*) FROM cases WHERE filed_on BETWEEN ?1 AND ?2 AND state <> 'appointed' GROUP BY 1",
                monday_sql("filed_on")
            ),
            |w, n| w.received = n,
        )?;
        add(
            &format!(
                "SELECT {}, COUNT(*) FROM cases WHERE decided_on BETWEEN ?1 AND ?2 GROUP BY 1",
                monday_sql("decided_on")
            ),
            |w, n| w.decided = n,
        )?;
        add(
            &format!(
                "SELECT {}, COUNT(*) FROM cases WHERE decided_on BETWEEN ?1 AND ?2 AND decision_late_days > 0 GROUP BY 1",
                monday_sql("decided_on")
            ),
            |w, n| w.late = n,
        )?;
        add(
            &format!(
                "SELECT {}, COUNT(*) FROM supervision_hits WHERE occurred_on BETWEEN ?1 AND ?2 GROUP BY 1",
                monday_sql("occurred_on")
            ),
            |w, n| w.hits = n,
        )?;

        let mut rules = Vec::new();
        {
            let mut st = conn.prepare(
                "SELECT rule, COUNT(*) FROM supervision_hits WHERE occurred_on BETWEEN ?1 AND ?2
                 GROUP BY rule ORDER BY 2 DESC, rule",
            )?;
            let mut rows = st.query(params![f, t])?;
            while let Some(r) = rows.next()? {
                let code: String = r.get(0)?;
                let rule = Rule::parse(&code).ok_or_else(|| CoreError::Invalid(format!("未知的监察规则：{code}")))?;
                rules.push(RuleCount { rule, count: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0) });
            }
        }

        let mut ratings: Vec<LevelCount> = Level::ALL.iter().map(|&level| LevelCount { level, count: 0 }).collect();
        {
            let mut st =
                conn.prepare("SELECT level, COUNT(*) FROM ratings WHERE rated_on BETWEEN ?1 AND ?2 GROUP BY level")?;
            let mut rows = st.query(params![f, t])?;
            while let Some(r) = rows.next()? {
                let code: String = r.get(0)?;
                let level = Level::parse(&code).ok_or_else(|| CoreError::Invalid(format!("未知的评价等级：{code}")))?;
                if let Some(c) = ratings.iter_mut().find(|c| c.level == level) {
                    c.count = u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0);
                }
            }
        }
        let all: u64 = ratings.iter().map(|c| c.count).sum();
        let good: u64 = ratings.iter().filter(|c| !c.level.is_bad()).map(|c| c.count).sum();
        #[allow(clippy::cast_precision_loss)]
        let satisfaction_rate = (all > 0).then(|| good as f64 / all as f64);

        Ok(Dashboard {
            from,
            to,
            as_of: self.today(),
            lights,
            weeks: weeks.into_values().collect(),
            rules,
            ratings,
            satisfaction_rate,
            work_orders: self.work_orders(by, false)?,
        })
    }

    /// The cases behind one number of [`Self::supervision_dashboard`] for the same period.
    pub fn supervision_drill(&self, by: &Actor, from: NaiveDate, to: NaiveDate, drill: &Drill) -> Result<DrillResult> {
        by.require_overview("查看电子监察")?;
        check_period(from, to)?;
        let (f, t) = (from.to_string(), to.to_string());
        // Each drill is a case-number query; the summaries (with today's light) come from query.rs.
        let open = "closed_on IS NULL AND state <> 'appointed'";
        let (sql, args): (String, Vec<String>) = match drill {
            Drill::Light { department, .. } | Drill::Paused { department } => (
                format!("SELECT case_no FROM cases WHERE department = ?1 AND {open} ORDER BY due_date, case_no"),
                vec![department.clone()],
            ),
            Drill::Received { week } => {
                let (a, b) = week_span(*week, from, to);
                (
                    "SELECT case_no FROM cases WHERE filed_on BETWEEN ?1 AND ?2 AND state <> 'appointed'
                     ORDER BY filed_on DESC, case_no"
                        .into(),
                    vec![a, b],
                )
            }
            Drill::Decided { week, late_only } => {
                let (a, b) = week_span(*week, from, to);
                let late = if *late_only { " AND decision_late_days > 0" } else { "" };
                (
                    format!(
                        "SELECT case_no FROM cases WHERE decided_on BETWEEN ?1 AND ?2{late} ORDER BY decided_on DESC, case_no"
                    ),
                    vec![a, b],
                )
            }
            Drill::Hits { rule, week } => {
                let (a, b) = week.map_or_else(|| (f.clone(), t.clone()), |w| week_span(w, from, to));
                let rule_cond = if rule.is_some() { " AND rule = ?3" } else { "" };
                let mut args = vec![a, b];
                if let Some(r) = rule {
                    args.push(r.code().into());
                }
                (
                    format!(
                        "SELECT case_no FROM supervision_hits WHERE occurred_on BETWEEN ?1 AND ?2{rule_cond}
                         AND case_no IS NOT NULL GROUP BY case_no ORDER BY MAX(occurred_on) DESC, case_no"
                    ),
                    args,
                )
            }
            Drill::Rating { level } => (
                "SELECT case_no FROM ratings WHERE rated_on BETWEEN ?1 AND ?2 AND level = ?3
                 GROUP BY case_no ORDER BY MAX(rated_on) DESC, case_no"
                    .into(),
                vec![f, t, level.code().into()],
            ),
        };
        let case_nos: Vec<String> = {
            let conn = self.store().reader()?;
            let mut st = conn.prepare(&sql)?;
            let rows = st.query_map(rusqlite::params_from_iter(args), |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut cases = Vec::new();
        let mut total = 0u64;
        for no in &case_nos {
            let s = self.case_summary(no)?;
            let keep = match drill {
                Drill::Light { light, .. } => s.light == *light,
                Drill::Paused { .. } => s.paused,
                _ => true,
            };
            if keep {
                total += 1;
                if cases.len() < DRILL_LIMIT {
                    cases.push(s);
                }
            }
        }
        Ok(DrillResult { total, cases })
    }
}
