//! Order constraints between branches (e.g. 施工许可 after 规划许可): a branch waiting on another
//! is not accepted or acted on before its predecessors are approved. What the applicant may do
//! meanwhile is what does not start the branch: withdraw it, and complete its materials
//! (补正 asked at intake, so the combined notice covers every branch at once).

use rusqlite::{Connection, OptionalExtension};

use crate::case::{self, Action, Outcome, State};
use crate::error::{CoreError, Result};

/// Actions a waiting branch allows.
fn allowed_while_waiting(action: Action) -> bool {
    matches!(action, Action::Withdraw | Action::RequestSupplement | Action::Supplement)
}

/// The predecessors of `case_no` not yet approved: (case number, item name, settled without approval).
pub fn blocking(conn: &Connection, case_no: &str) -> Result<Vec<(String, String, bool)>> {
    let after: Option<String> = conn
        .prepare_cached("SELECT after FROM theme_branches WHERE case_no = ?1")?
        .query_row([case_no], |r| r.get(0))
        .optional()?;
    let Some(after) = after else { return Ok(Vec::new()) };
    let preds: Vec<String> = serde_json::from_str(&after).map_err(|e| CoreError::Invalid(e.to_string()))?;
    let mut out = Vec::new();
    for p in preds {
        let (state, outcome, name): (String, Option<String>, String) = conn
            .prepare_cached("SELECT state, outcome, item_name FROM cases WHERE case_no = ?1")?
            .query_row([&p], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let outcome = outcome.as_deref().and_then(Outcome::parse);
        if outcome == Some(Outcome::Approved) {
            continue;
        }
        let dead = outcome.is_some() || State::parse(&state).is_some_and(|s| !case::is_open(s));
        out.push((p, name, dead));
    }
    Ok(out)
}

/// Refuses `action` on a branch whose predecessors are not all approved, in Chinese.
pub fn check(conn: &Connection, case_no: &str, state: State, action: Action) -> Result<()> {
    if allowed_while_waiting(action) {
        return Ok(());
    }
    let blocking = blocking(conn, case_no)?;
    let Some((no, name, dead)) = blocking.first() else { return Ok(()) };
    let detail = if *dead {
        format!("（前置事项「{name}」（办件 {no}）未获准予，本事项无法继续办理，只能撤回）")
    } else {
        format!("（并联审批顺序：须待前置事项「{name}」（办件 {no}）作出准予决定后方可办理）")
    };
    Err(CoreError::IllegalTransition { state: state.zh().into(), action: action.zh().into(), detail })
}
