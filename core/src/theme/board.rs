//! What the lead department sees (牵头部门看板): every branch with its department, state, light
//! and working days left, the theme's overall deadline and light, its derived state, and every
//! refusal with its reason. Visible to staff of the lead department or of any branch's
//! department (a refusal in one branch is visible to all).

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::case::{Action, Outcome, State};
use crate::deadline::{Board, Light, Phase, Running};
use crate::error::{CoreError, Result};
use crate::journal;
use crate::staff::Actor;
use crate::theme::state::{self, BranchFacts, ThemeOutcome, ThemeState};
use crate::workstation::Workstation;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct BranchView {
    pub case_no: String,
    pub item_code: String,
    pub item_name: String,
    pub department: String,
    pub required: bool,
    pub state: State,
    pub state_zh: String,
    pub outcome: Option<Outcome>,
    pub due_date: Option<String>,
    /// Working days left on the branch's running deadline (negative: overdue); None when closed.
    pub days_left: Option<i64>,
    pub light: Option<Light>,
    pub paused: bool,
    /// Item names of predecessors not yet approved (the branch may not start before them).
    pub waiting_on: Vec<String>,
    pub refusal: Option<BranchRefusal>,
}

/// A negative result on a branch, with its reason and legal basis (否定必有依据).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct BranchRefusal {
    pub case_no: String,
    pub item_name: String,
    pub department: String,
    pub action: Action,
    pub action_zh: String,
    pub reason: Option<String>,
    pub legal_basis: Option<String>,
    pub at: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ThemeBoard {
    pub theme_no: String,
    pub theme_code: String,
    pub name: String,
    pub lead_department: String,
    pub applicant_id: String,
    pub applicant_name: String,
    pub filed_on: String,
    pub limit_days: u32,
    /// The overall deadline (filing + limit working days); None if the calendar lacks the year.
    pub due_date: Option<String>,
    pub deadline_note: Option<String>,
    /// Overall working days left and light, while the theme is in progress.
    pub days_left: Option<i64>,
    pub light: Option<Light>,
    /// The day the last required branch was decided (or ended), once the theme is decided.
    pub decided_on: Option<String>,
    /// Working days the theme was decided after its overall due date (0 = on time).
    pub late_days: Option<u32>,
    pub state: ThemeState,
    pub state_zh: String,
    pub outcome: Option<ThemeOutcome>,
    pub required: usize,
    pub required_settled: usize,
    pub branches: Vec<BranchView>,
    pub refusals: Vec<BranchRefusal>,
}

/// One line of the theme list.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ThemeRow {
    pub theme_no: String,
    pub name: String,
    pub lead_department: String,
    pub applicant_name: String,
    pub filed_on: String,
    pub due_date: Option<String>,
    pub state: ThemeState,
    pub state_zh: String,
    pub days_left: Option<i64>,
    pub light: Option<Light>,
    pub branches: usize,
    pub settled: usize,
}

/// A theme of the list being read, its branches gathered.
struct Listed {
    row: ThemeRow,
    limit: u32,
    departments: Vec<String>,
    facts: Vec<BranchFacts>,
}

impl Listed {
    /// Derives the theme's state and light and keeps it if `by` may see it and the filter allows.
    fn finish(mut self, by: &Actor, open_only: bool, board: &Board<'_>, out: &mut Vec<ThemeRow>) {
        if !by.covers(&self.row.lead_department) && !self.departments.iter().any(|d| by.covers(d)) {
            return;
        }
        let status = state::derive(&self.facts);
        if open_only && status.state != ThemeState::InProgress {
            return;
        }
        if status.state == ThemeState::InProgress {
            let due = self.row.due_date.as_deref().and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            let left = due.and_then(|due| {
                board.left(&Running { phase: Phase::Decision, due, total_days: self.limit, stopped_since: None })
            });
            (self.row.days_left, self.row.light) = left.unzip();
        }
        self.row.state = status.state;
        self.row.state_zh = status.state.zh().to_owned();
        self.row.branches = self.facts.len();
        self.row.settled = self.facts.iter().filter(|f| f.settled()).count();
        out.push(self.row);
    }
}

struct ThemeHead {
    code: String,
    name: String,
    lead: String,
    applicant_id: String,
    applicant_name: String,
    filed_on: String,
    limit: u32,
    due: Option<String>,
    note: Option<String>,
}

/// (case_no, item_code, department, required) of each branch, in position order.
type BranchRow = (String, String, String, bool);

fn head(conn: &Connection, theme_no: &str) -> Result<ThemeHead> {
    conn.prepare_cached(
        "SELECT theme_code, name, lead_department, applicant_id, applicant_name, filed_on, limit_days, due_date, deadline_note
         FROM themes WHERE theme_no = ?1",
    )?
    .query_row([theme_no], |r| {
        Ok(ThemeHead {
            code: r.get(0)?,
            name: r.get(1)?,
            lead: r.get(2)?,
            applicant_id: r.get(3)?,
            applicant_name: r.get(4)?,
            filed_on: r.get(5)?,
            limit: r.get(6)?,
            due: r.get(7)?,
            note: r.get(8)?,
        })
    })
    .optional()?
    .ok_or_else(|| CoreError::UnknownCase(format!("主题 {theme_no}")))
}

fn branch_rows(conn: &Connection, theme_no: &str) -> Result<Vec<BranchRow>> {
    let rows = conn
        .prepare_cached(
            "SELECT case_no, item_code, department, required FROM theme_branches WHERE theme_no = ?1 ORDER BY pos",
        )?
        .query_map([theme_no], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The theme a branch case belongs to, if any.
pub fn theme_of(conn: &Connection, case_no: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT theme_no FROM theme_branches WHERE case_no = ?1")?
        .query_row([case_no], |r| r.get(0))
        .optional()?)
}

/// Staff of the lead department or of any branch's department may see the theme.
fn require_visible(by: &Actor, lead: &str, branches: &[BranchRow]) -> Result<()> {
    if by.covers(lead) || branches.iter().any(|b| by.covers(&b.2)) {
        return Ok(());
    }
    Err(CoreError::DepartmentDenied { actor: by.name.clone(), department: lead.to_owned() })
}

/// The last refusal-type event of a branch (不予许可, 不予受理, 终止, 撤回).
fn refusal_of(conn: &Connection, case_no: &str, item_name: &str, department: &str) -> Result<Option<BranchRefusal>> {
    let events = journal::case_events(conn, case_no)?;
    Ok(events.iter().rev().find_map(|e| {
        let action = Action::parse(&e.action)?;
        matches!(action, Action::Deny | Action::RefuseAcceptance | Action::Terminate | Action::Withdraw).then(|| {
            BranchRefusal {
                case_no: case_no.to_owned(),
                item_name: item_name.to_owned(),
                department: department.to_owned(),
                action,
                action_zh: action.zh().to_owned(),
                reason: e.reason.clone(),
                legal_basis: e.payload.get("legal_basis").and_then(|v| v.as_str()).map(str::to_owned),
                at: e.at.clone(),
            }
        })
    }))
}

impl Workstation {
    /// The parallel board of one theme.
    pub fn theme_board(&self, by: &Actor, theme_no: &str) -> Result<ThemeBoard> {
        let conn = self.store.reader()?;
        let h = head(&conn, theme_no)?;
        let rows = branch_rows(&conn, theme_no)?;
        require_visible(by, &h.lead, &rows)?;
        let mut branches = Vec::with_capacity(rows.len());
        let mut facts = Vec::with_capacity(rows.len());
        for (case_no, item_code, department, required) in rows {
            let s = self.case_summary(&case_no)?;
            let outcome: Option<String> = conn
                .prepare_cached("SELECT outcome FROM cases WHERE case_no = ?1")?
                .query_row([&case_no], |r| r.get(0))?;
            let outcome = outcome.as_deref().and_then(Outcome::parse);
            let f = BranchFacts { state: s.state, outcome, required };
            let refusal = if f.refused() || s.state == State::Withdrawn {
                refusal_of(&conn, &case_no, &s.item_name, &department)?
            } else {
                None
            };
            let waiting_on = if f.settled() {
                Vec::new()
            } else {
                crate::theme::order::blocking(&conn, &case_no)?.into_iter().map(|(_, name, _)| name).collect()
            };
            facts.push(f);
            branches.push(BranchView {
                case_no,
                item_code,
                item_name: s.item_name,
                department,
                required,
                state: s.state,
                state_zh: s.state_zh,
                outcome,
                due_date: s.due_date,
                days_left: s.days_left,
                light: s.light,
                paused: s.paused,
                waiting_on,
                refusal,
            });
        }
        let status = state::derive(&facts);
        let (days_left, light) = if status.state == ThemeState::InProgress {
            self.overall_left(h.due.as_deref(), h.limit).unzip()
        } else {
            (None, None)
        };
        // Late overall once decided: fixed at the day the last required branch was decided.
        let decided_on = crate::theme::clock::decided_on(&crate::theme::clock::branch_days(&conn, theme_no)?);
        let due = h.due.as_deref().and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let late_days =
            due.zip(decided_on).and_then(|(due, on)| crate::theme::clock::late_days(&self.calendar(), due, on));
        let refusals = branches.iter().filter_map(|b| b.refusal.clone()).collect();
        Ok(ThemeBoard {
            theme_no: theme_no.to_owned(),
            theme_code: h.code,
            name: h.name,
            lead_department: h.lead,
            applicant_id: h.applicant_id,
            applicant_name: h.applicant_name,
            filed_on: h.filed_on,
            limit_days: h.limit,
            due_date: h.due,
            deadline_note: h.note,
            days_left,
            light,
            decided_on: decided_on.map(|d| d.to_string()),
            late_days,
            state: status.state,
            state_zh: status.state.zh().to_owned(),
            outcome: status.outcome,
            required: status.required,
            required_settled: status.required_settled,
            branches,
            refusals,
        })
    }

    /// Themes visible to `by`, newest first; `open_only` keeps those still in progress. One
    /// query in list order with each theme's branches together, stopped at `limit` (the lead's
    /// first page does not read every theme).
    pub fn themes(&self, by: &Actor, open_only: bool, limit: usize) -> Result<Vec<ThemeRow>> {
        let conn = self.store.reader()?;
        let cal = self.calendar();
        let board = Board::new(&cal, self.policy, self.today());
        let mut st = conn.prepare_cached(
            "SELECT t.theme_no, t.name, t.lead_department, t.applicant_name, t.filed_on, t.due_date, t.limit_days,
                    b.department, b.required, c.state, c.outcome
             FROM themes t INDEXED BY themes_by_filing
             JOIN theme_branches b ON b.theme_no = t.theme_no
             JOIN cases c ON c.case_no = b.case_no
             ORDER BY t.filed_on DESC, t.theme_no DESC, b.pos",
        )?;
        let mut rows = st.query([])?;
        let mut out = Vec::new();
        let mut pending: Option<Listed> = None;
        while let Some(r) = rows.next()? {
            let no: String = r.get(0)?;
            if pending.as_ref().is_none_or(|p| p.row.theme_no != no) {
                if let Some(done) = pending.take() {
                    done.finish(by, open_only, &board, &mut out);
                    if out.len() >= limit {
                        return Ok(out);
                    }
                }
                let due: Option<String> = r.get(5)?;
                pending = Some(Listed {
                    row: ThemeRow {
                        theme_no: no,
                        name: r.get(1)?,
                        lead_department: r.get(2)?,
                        applicant_name: r.get(3)?,
                        filed_on: r.get(4)?,
                        due_date: due,
                        state: ThemeState::InProgress,
                        state_zh: String::new(),
                        days_left: None,
                        light: None,
                        branches: 0,
                        settled: 0,
                    },
                    limit: r.get(6)?,
                    departments: Vec::new(),
                    facts: Vec::new(),
                });
            }
            let p = pending.as_mut().expect("set above");
            let state: String = r.get(9)?;
            let outcome: Option<String> = r.get(10)?;
            p.departments.push(r.get(7)?);
            p.facts.push(BranchFacts {
                state: State::parse(&state).unwrap_or(State::Submitted),
                outcome: outcome.as_deref().and_then(Outcome::parse),
                required: r.get(8)?,
            });
        }
        if let Some(done) = pending.take()
            && out.len() < limit
        {
            done.finish(by, open_only, &board, &mut out);
        }
        Ok(out)
    }

    /// Working days left to the overall deadline and its light (the statutory clock's Board).
    fn overall_left(&self, due: Option<&str>, limit: u32) -> Option<(i64, Light)> {
        let due = due.and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())?;
        let cal = self.calendar();
        let board = Board::new(&cal, self.policy, self.today());
        board.left(&Running { phase: Phase::Decision, due, total_days: limit, stopped_since: None })
    }
}
