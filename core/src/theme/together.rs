//! Results go out together (结果一并送达): 送达 of a theme branch is refused while a required branch
//! of its theme is still undecided. Called by `Workstation::act` for every action, next to the
//! order constraints.

use rusqlite::Connection;

use crate::case::{Action, Outcome, State};
use crate::error::{CoreError, Result};
use crate::theme::state::BranchFacts;

/// (case_no, item_name, department, required, facts) of each branch of a theme, in position order.
pub(crate) type Branch = (String, String, String, bool, BranchFacts);

pub(crate) fn branches(conn: &Connection, theme_no: &str) -> Result<Vec<Branch>> {
    let mut st = conn.prepare_cached(
        "SELECT b.case_no, c.item_name, b.department, b.required, c.state, c.outcome
         FROM theme_branches b JOIN cases c USING (case_no) WHERE b.theme_no = ?1 ORDER BY b.pos",
    )?;
    let rows = st.query_map([theme_no], |r| {
        let state: String = r.get(4)?;
        let outcome: Option<String> = r.get(5)?;
        let required: bool = r.get(3)?;
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            required,
            BranchFacts {
                state: State::parse(&state).unwrap_or(State::Submitted),
                outcome: outcome.as_deref().and_then(Outcome::parse),
                required,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Refuses 送达 of a theme branch while a required branch of its theme is undecided, naming them.
pub fn check(conn: &Connection, case_no: &str, state: State, action: Action) -> Result<()> {
    if action != Action::Deliver {
        return Ok(());
    }
    let Some(theme_no) = theme_of(conn, case_no)? else { return Ok(()) };
    let all = branches(conn, &theme_no)?;
    let open: Vec<&str> = all.iter().filter(|b| b.3 && !b.4.settled()).map(|b| b.1.as_str()).collect();
    if open.is_empty() {
        return Ok(());
    }
    Err(CoreError::IllegalTransition {
        state: state.zh().into(),
        action: action.zh().into(),
        detail: format!("（并联审批主题 {theme_no} 的结果须一并送达：尚待「{}」作出决定）", open.join("」「")),
    })
}

fn theme_of(conn: &Connection, case_no: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached("SELECT theme_no FROM theme_branches WHERE case_no = ?1")?
        .query_row([case_no], |r| r.get(0))
        .optional()?)
}
