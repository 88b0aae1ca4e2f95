//! Department replies for theme branches (a branch's opinion or decision, arriving through the
//! sync inbox), applied to the right branch exactly once.
//!
//! - Each reply has an id (`reply_id` in the payload, else the inbox key); it is journaled with
//!   the reply, so the same id again changes nothing (and the same id with other content is
//!   refused, never applied twice differently).
//! - A decision moves the branch (审查 → 准予/不予许可, by `sync:<adapter>`) together with the
//!   `dept.decision` event, in one transaction.
//! - Early (the branch not yet accepted, paused, or waiting on a predecessor): deferred, kept in
//!   the inbox and tried again on the next pass.
//! - Late (the branch already decided or closed): the same result changes nothing; a different
//!   one is refused for a person to check.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::case::{self, Action, Input, Outcome, Role, State};
use crate::casework::ActRequest;
use crate::error::{CoreError, Result};
use crate::events;
use crate::journal::{self, NewEvent};
use crate::projection::Projector;
use crate::staff::{ALL_DEPARTMENTS, Actor};
use crate::workstation::Workstation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyKind {
    Opinion,
    Decision,
}

impl ReplyKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "opinion" => Some(Self::Opinion),
            "decision" => Some(Self::Decision),
            _ => None,
        }
    }
}

/// What applying a reply did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "message")]
pub enum ReplyOutcome {
    /// Journaled (and for a decision, the branch moved).
    Applied(String),
    /// A repeat of what the branch already holds: nothing written.
    Unchanged(String),
    /// Too early for the branch: kept in the inbox, tried again later.
    Deferred(String),
}

fn sync_actor(adapter: &str) -> Actor {
    Actor {
        id: format!("sync:{adapter}"),
        name: format!("部门回复（{adapter}）"),
        roles: vec![Role::Reviewer, Role::Decider],
        departments: vec![ALL_DEPARTMENTS.into()],
    }
}

/// The journaled payload of an earlier reply with this id on this case.
fn earlier(tx: &Transaction<'_>, case_no: &str, reply_id: &str) -> Result<Option<serde_json::Value>> {
    let body: Option<String> = tx
        .prepare_cached(
            "SELECT payload FROM journal WHERE case_no = ?1 AND action IN (?2, ?3)
             AND json_extract(payload, '$.reply_id') = ?4 ORDER BY seq LIMIT 1",
        )?
        .query_row(params![case_no, events::DEPT_OPINION, events::DEPT_DECISION, reply_id], |r| r.get(0))
        .optional()?;
    Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
}

fn text(payload: &serde_json::Value, field: &str) -> Option<String> {
    payload.get(field).and_then(|v| v.as_str()).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

impl Workstation {
    /// Applies a department's reply to a theme branch; see the module notes for every case.
    pub fn apply_branch_reply(
        &self,
        adapter: &str,
        case_no: &str,
        kind: ReplyKind,
        key: &str,
        payload: &serde_json::Value,
    ) -> Result<ReplyOutcome> {
        let mut stored = payload.clone();
        let obj = stored.as_object_mut().ok_or_else(|| CoreError::Invalid("部门回复内容应为 JSON 对象".into()))?;
        let reply_id = match obj.get("reply_id").and_then(|v| v.as_str()) {
            Some(id) if !id.trim().is_empty() => id.to_owned(),
            _ => key.to_owned(),
        };
        obj.insert("reply_id".into(), serde_json::Value::String(reply_id.clone()));
        let outcome = match kind {
            ReplyKind::Opinion => None,
            ReplyKind::Decision => Some(match text(payload, "outcome").as_deref() {
                Some("approved") => Outcome::Approved,
                Some("denied") => Outcome::Denied,
                other => {
                    return Err(CoreError::Invalid(format!(
                        "部门决定的 outcome 应为 approved 或 denied，实为 {}",
                        other.unwrap_or("（空）")
                    )));
                }
            }),
        };
        let by = sync_actor(adapter);
        let now = self.now();
        let mut projector = Projector::new(self.calendar().clone());
        self.store.write(|tx| {
            if let Some(before) = earlier(tx, case_no, &reply_id)? {
                return if before == stored {
                    Ok(ReplyOutcome::Unchanged(format!("回复 {reply_id} 已处理过，重复到达未改变办件")))
                } else {
                    Err(CoreError::Invalid(format!("回复编号 {reply_id} 已收到过且内容不同：未改变办件，请与部门核对")))
                };
            }
            let facts = crate::projection::facts(tx, case_no)?;
            let journal_reply = |tx: &Transaction<'_>| {
                journal::append(
                    tx,
                    NewEvent {
                        case_no: Some(case_no),
                        actor: &by.id,
                        role: "external",
                        action: if outcome.is_some() { events::DEPT_DECISION } else { events::DEPT_OPINION },
                        at: now,
                        payload: stored.clone(),
                        reason: None,
                    },
                )
            };
            let Some(outcome) = outcome else {
                journal_reply(tx)?;
                return Ok(ReplyOutcome::Applied(format!("部门意见已记入办件 {case_no} 的办理过程")));
            };
            let word = if outcome == Outcome::Approved { "准予" } else { "不予许可" };
            if facts.outcome.is_some() || !case::is_open(facts.state) {
                return if facts.outcome == Some(outcome) {
                    Ok(ReplyOutcome::Unchanged(format!("办件 {case_no} 已作出同样的决定（{word}），未改变办件")))
                } else {
                    Err(CoreError::Invalid(format!(
                        "办件 {case_no} 已「{}」，迟到的部门决定（{word}）与之不符：未改变办件，请人工核对",
                        facts.state.zh()
                    )))
                };
            }
            let blocked = crate::theme::order::blocking(tx, case_no)?;
            if let Some((_, name, _)) = blocked.first() {
                return Ok(ReplyOutcome::Deferred(format!("办件 {case_no} 尚待前置事项「{name}」准予，部门决定暂存")));
            }
            if !matches!(facts.state, State::Accepted | State::UnderReview) {
                return Ok(ReplyOutcome::Deferred(format!(
                    "办件 {case_no} 处于「{}」，受理（或恢复办理）后再按部门决定办理",
                    facts.state.zh()
                )));
            }
            journal_reply(tx)?;
            let none = Input::default();
            if facts.state == State::Accepted {
                let req = ActRequest::default();
                self.act_in(tx, &mut projector, &by, case_no, Action::StartReview, &req, &none, &[], now)?;
            }
            let (action, req) = match outcome {
                Outcome::Approved => {
                    (Action::Approve, ActRequest { reason: text(payload, "opinion"), ..ActRequest::default() })
                }
                Outcome::Denied => (
                    Action::Deny,
                    ActRequest {
                        reason: text(payload, "reason").or_else(|| text(payload, "opinion")),
                        legal_basis: text(payload, "legal_basis"),
                        ..ActRequest::default()
                    },
                ),
            };
            let input = Input { reason: req.reason.clone(), legal_basis: req.legal_basis.clone(), days: None };
            self.act_in(tx, &mut projector, &by, case_no, action, &req, &input, &[], now)?;
            Ok(ReplyOutcome::Applied(format!("已按部门决定办理办件 {case_no}：{word}")))
        })
    }
}
