//! Casework: acting on a filed case (受理, 补正, 审查, 决定, 办结, …) and recording what other
//! departments send back. Role, department scope and the state machine (crate::case) are checked
//! here; a refusal says why in Chinese and changes nothing.

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use crate::case::{self, Action, Input};
use crate::error::{CoreError, Result};
use crate::events;
use crate::intake::refusal;
use crate::journal::{self, Event, NewEvent};
use crate::projection::{ActPayload, Projector};
use crate::staff::Actor;
use crate::workstation::Workstation;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ActRequest {
    pub reason: Option<String>,
    pub legal_basis: Option<String>,
    pub days: Option<u32>,
    #[serde(default)]
    pub materials: Vec<String>,
    pub detail: Option<String>,
    /// Scans of the corrected materials handed in with a supplement (补正材料), stored first with
    /// `put_attachment`.
    #[serde(default)]
    pub attachments: Vec<crate::attachment::Attachment>,
}

impl Workstation {
    /// Takes `action` on a case. Role, department scope and the state machine are all checked
    /// here; a refusal says why in Chinese and changes nothing.
    pub fn act(&self, by: &Actor, case_no: &str, action: Action, req: &ActRequest) -> Result<Event> {
        let input = Input { reason: req.reason.clone(), legal_basis: req.legal_basis.clone(), days: req.days };
        // Scans with a supplement are read and re-hashed before the write lock is taken (up to
        // 64 × 32 MB): every other writer would wait on that I/O. A case's material list is fixed
        // at filing, so a reader sees the same one the transaction would.
        let attachments = if req.attachments.is_empty() || action != Action::Supplement {
            Vec::new()
        } else {
            let conn = self.store.reader()?;
            let ids: Vec<String> = conn
                .prepare_cached("SELECT material_id FROM case_materials WHERE case_no = ?1")?
                .query_map([case_no], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            drop(conn);
            let known = ids.iter().map(String::as_str).collect();
            crate::attachment::check_for_filing(&self.blobs(), &req.attachments, &known)?
        };
        let now = self.now();
        let cal = self.calendar().clone();
        let mut projector = Projector::new(cal);
        self.store.write(|tx| self.act_in(tx, &mut projector, by, case_no, action, req, &input, &attachments, now))
    }

    /// [`Workstation::act`] inside a caller's write transaction (a department reply applies its
    /// decision and journals it in one transaction): every check, the event, the projection and
    /// the outbox item.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn act_in(
        &self,
        tx: &rusqlite::Transaction<'_>,
        projector: &mut Projector,
        by: &Actor,
        case_no: &str,
        action: Action,
        req: &ActRequest,
        input: &Input,
        attachments: &[crate::attachment::Attachment],
        now: chrono::DateTime<chrono::FixedOffset>,
    ) -> Result<Event> {
        let department: String = tx
            .prepare_cached("SELECT department FROM cases WHERE case_no = ?1")?
            .query_row([case_no], |r| r.get(0))
            .optional()?
            .ok_or_else(|| CoreError::UnknownCase(case_no.into()))?;
        by.require_department(&department)?;
        let facts = crate::projection::facts(tx, case_no)?;
        // 并联审批: a theme branch waits for its predecessors' approval.
        crate::theme::order::check(tx, case_no, facts.state, action)?;
        // …and its results go to the applicant together.
        crate::theme::together::check(tx, case_no, facts.state, action)?;
        // Try the actor's roles in order; report the most useful refusal.
        let mut last = None;
        let mut chosen = None;
        for &role in &by.roles {
            match case::apply(&facts, action, role, input) {
                Ok(_) => {
                    chosen = Some(role);
                    break;
                }
                Err(case::Refusal::Role { .. }) if last.is_some() => {}
                Err(e) => last = Some(e),
            }
        }
        let role = match chosen {
            Some(r) => r,
            None => {
                let r = last.unwrap_or(case::Refusal::Role { needed: case::rule(action).roles.to_vec() });
                return Err(refusal(facts.state, action, by, r));
            }
        };
        // An approval without the department's electronic seal is void: 办结 (delivery)
        // needs the sealed decision document for the case's outcome.
        if action == Action::Deliver {
            let outcome = facts.outcome.map(|o| if o == case::Outcome::Approved { "approved" } else { "denied" });
            if !self.has_sealed_decision(tx, case_no, outcome)? {
                return Err(CoreError::IllegalTransition {
                    state: facts.state.zh().into(),
                    action: action.zh().into(),
                    detail: "（尚无加盖电子印章的决定书，请先用印）".into(),
                });
            }
        }
        if !req.attachments.is_empty() && action != Action::Supplement {
            return Err(CoreError::Invalid(format!("「{}」不能附带附件（附件随收件或补正材料提交）", action.zh())));
        }
        let payload = ActPayload {
            legal_basis: req.legal_basis.clone().filter(|s| !s.trim().is_empty()),
            days: req.days,
            materials: req.materials.clone(),
            detail: req.detail.clone(),
            attachments: attachments.to_vec(),
        };
        let ev = journal::append(
            tx,
            NewEvent {
                case_no: Some(case_no),
                actor: &by.id,
                role: role.code(),
                action: action.code(),
                at: now,
                payload: serde_json::to_value(&payload).map_err(|e| CoreError::Invalid(e.to_string()))?,
                reason: req.reason.as_deref().filter(|s| !s.trim().is_empty()),
            },
        )?;
        projector.apply(tx, &ev)?;
        crate::sync::outbox::enqueue(tx, &ev, &self.label())?;
        // The applicant hears of it (when they consented) in the same transaction.
        crate::notice::on_case_action(tx, &ev, case_no, action, &self.label())?;
        Ok(ev)
    }

    /// A department's opinion or decision arrived by sync: it joins the case's journal (全程留痕)
    /// without moving the case; the window acts on it.
    pub fn record_department_opinion(
        &self,
        adapter: &str,
        case_no: &str,
        kind: &str,
        payload: &serde_json::Value,
    ) -> Result<Event> {
        let now = self.now();
        self.store.write(|tx| {
            let exists: Option<i64> =
                tx.query_row("SELECT 1 FROM cases WHERE case_no = ?1", [case_no], |r| r.get(0)).optional()?;
            if exists.is_none() {
                return Err(CoreError::UnknownCase(case_no.into()));
            }
            journal::append(
                tx,
                NewEvent {
                    case_no: Some(case_no),
                    actor: &format!("sync:{adapter}"),
                    role: "external",
                    action: if kind == "decision" { events::DEPT_DECISION } else { events::DEPT_OPINION },
                    at: now,
                    payload: payload.clone(),
                    reason: None,
                },
            )
        })
    }
}
