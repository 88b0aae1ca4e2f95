//! The theme's overall clock under supervision (限时办结): a theme is decided on the day its last
//! required branch is decided or ended; decided after the overall due date it was late by the
//! working days between, and while undecided past the due date its light is red. Either way the
//! supervision monitors raise a `decision_overdue` hit for the theme (subject = the theme number,
//! department = the lead department), once, like an overdue case.

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::calendar::Calendar;
use crate::case::{Outcome, State};
use crate::deadline::{self, Board, Light, LightPolicy, Phase, Running};
use crate::error::Result;
use crate::supervision::hit::{Hit, Rule};
use crate::theme::state::{BranchFacts, ThemeState, derive};

/// One theme as the overall clock reads it.
struct ThemeClock {
    theme_no: String,
    name: String,
    lead: String,
    created_by: String,
    limit: u32,
    due: Option<NaiveDate>,
    /// (item name, facts, the day it was decided or ended)
    branches: Vec<(String, BranchFacts, Option<NaiveDate>)>,
}

fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| s.parse().ok())
}

/// The day a theme was decided: the last required branch's decision (or end), once all are.
pub(crate) fn decided_on(branches: &[(BranchFacts, Option<NaiveDate>)]) -> Option<NaiveDate> {
    let facts: Vec<BranchFacts> = branches.iter().map(|b| b.0).collect();
    if derive(&facts).state == ThemeState::InProgress {
        return None;
    }
    branches.iter().filter(|b| b.0.required).filter_map(|b| b.1).max()
}

/// Working days a theme decided on `decided` was late against `due` (0 when on time).
pub(crate) fn late_days(cal: &Calendar, due: NaiveDate, decided: NaiveDate) -> Option<u32> {
    let left = deadline::working_days_left(cal, due, decided).ok()?;
    Some(u32::try_from(-left.min(0)).unwrap_or(0))
}

/// Branch facts with the day each was decided or ended, in position order.
pub(crate) fn branch_days(conn: &Connection, theme_no: &str) -> Result<Vec<(BranchFacts, Option<NaiveDate>)>> {
    let mut st = conn.prepare_cached(
        "SELECT c.state, c.outcome, b.required, c.decided_on, c.closed_on
         FROM theme_branches b JOIN cases c USING (case_no) WHERE b.theme_no = ?1 ORDER BY b.pos",
    )?;
    let rows = st.query_map([theme_no], |r| {
        let state: String = r.get(0)?;
        let outcome: Option<String> = r.get(1)?;
        Ok((
            BranchFacts {
                state: State::parse(&state).unwrap_or(State::Submitted),
                outcome: outcome.as_deref().and_then(Outcome::parse),
                required: r.get(2)?,
            },
            date(r.get(3)?).or(date(r.get(4)?)),
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn all_themes(conn: &Connection) -> Result<Vec<ThemeClock>> {
    let mut st = conn.prepare(
        "SELECT t.theme_no, t.name, t.lead_department, t.created_by, t.limit_days, t.due_date,
                c.item_name, c.state, c.outcome, b.required, c.decided_on, c.closed_on
         FROM themes t JOIN theme_branches b ON b.theme_no = t.theme_no JOIN cases c ON c.case_no = b.case_no
         ORDER BY t.theme_no, b.pos",
    )?;
    let mut rows = st.query([])?;
    let mut out: Vec<ThemeClock> = Vec::new();
    while let Some(r) = rows.next()? {
        let no: String = r.get(0)?;
        if out.last().is_none_or(|t| t.theme_no != no) {
            out.push(ThemeClock {
                theme_no: no,
                name: r.get(1)?,
                lead: r.get(2)?,
                created_by: r.get(3)?,
                limit: r.get(4)?,
                due: date(r.get(5)?),
                branches: Vec::new(),
            });
        }
        let state: String = r.get(7)?;
        let outcome: Option<String> = r.get(8)?;
        let facts = BranchFacts {
            state: State::parse(&state).unwrap_or(State::Submitted),
            outcome: outcome.as_deref().and_then(Outcome::parse),
            required: r.get(9)?,
        };
        let day = date(r.get(10)?).or(date(r.get(11)?));
        if let Some(t) = out.last_mut() {
            t.branches.push((r.get(6)?, facts, day));
        }
    }
    Ok(out)
}

/// Every theme late overall as of `today`: undecided with a red overall light, or decided after
/// its due date. Called by the supervision monitors.
pub(crate) fn overdue(
    conn: &Connection,
    cal: &Calendar,
    policy: &LightPolicy,
    today: NaiveDate,
    out: &mut Vec<Hit>,
) -> Result<()> {
    let board = Board::new(cal, *policy, today);
    for t in all_themes(conn)? {
        let Some(due) = t.due else { continue };
        let days: Vec<(BranchFacts, Option<NaiveDate>)> = t.branches.iter().map(|b| (b.1, b.2)).collect();
        let facts: Vec<BranchFacts> = days.iter().map(|b| b.0).collect();
        let (evidence, on) = if derive(&facts).state == ThemeState::InProgress {
            let run = Running { phase: Phase::Decision, due, total_days: t.limit, stopped_since: None };
            let Some((left, Light::Red)) = board.left(&run) else { continue };
            let waiting: Vec<&str> =
                t.branches.iter().filter(|b| b.1.required && !b.1.settled()).map(|b| b.0.as_str()).collect();
            let ev = serde_json::json!({
                "theme": t.name, "theme_due": due, "undecided": true, "days_overdue": -left, "waiting": waiting,
            });
            (ev, today)
        } else {
            let Some(decided) = decided_on(&days) else { continue };
            let Some(late) = late_days(cal, due, decided).filter(|l| *l > 0) else { continue };
            let ev = serde_json::json!({ "theme": t.name, "theme_due": due, "decided_on": decided, "late_days": late });
            (ev, decided)
        };
        out.push(Hit {
            hit_id: format!("{}:{}", Rule::DecisionOverdue.code(), t.theme_no),
            rule: Rule::DecisionOverdue,
            severity: Rule::DecisionOverdue.severity(),
            case_no: Some(t.theme_no),
            department: Some(t.lead),
            staff: Some(t.created_by),
            evidence,
            occurred_on: on,
        });
    }
    Ok(())
}
