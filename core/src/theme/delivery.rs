//! Joint delivery (结果一并送达): a theme's results go to the applicant together. A branch is not
//! delivered on its own while another required branch is still undecided (`together`); `deliver_theme` delivers
//! every decided branch in ONE transaction (each needs its sealed decision, as any 送达 does), and
//! `theme_result` is the combined result notice listing each item's result and sealed documents.

use std::fmt::Write as _;

use serde::Serialize;

use crate::case::{Action, Input, Outcome, Role, State};
use crate::casework::ActRequest;
use crate::error::{CoreError, Result};
use crate::projection::Projector;
use crate::staff::Actor;
use crate::theme::state::{ThemeOutcome, ThemeState};
use crate::workstation::Workstation;

/// One item's line of the combined result notice.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ResultBranch {
    pub case_no: String,
    pub item_name: String,
    pub department: String,
    pub required: bool,
    pub state: State,
    pub state_zh: String,
    pub outcome: Option<Outcome>,
    /// 准予 / 不予许可 / 不予受理 / 终止 / 撤回, or the state while undecided.
    pub result_zh: String,
    pub reason: Option<String>,
    pub legal_basis: Option<String>,
    /// Sealed decision documents and certificates: (document type in Chinese, file SHA-256).
    pub documents: Vec<ResultDocument>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ResultDocument {
    pub doc_type: String,
    pub doc_type_zh: String,
    pub seal_id: String,
    pub file_sha256: String,
    pub sealed_at: String,
}

/// 办理结果告知书 of a theme: every item's result and sealed documents, delivered together.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ThemeResult {
    pub theme_no: String,
    pub theme_name: String,
    pub lead_department: String,
    pub applicant_id: String,
    pub applicant_name: String,
    pub state: ThemeState,
    pub state_zh: String,
    pub outcome: Option<ThemeOutcome>,
    /// Branch cases delivered (办结) so far.
    pub delivered: Vec<String>,
    pub branches: Vec<ResultBranch>,
}

impl Workstation {
    /// Delivers every decided, undelivered branch of a theme in one transaction (结果一并送达).
    /// Refused while a required branch is undecided, or when a branch lacks its sealed decision
    /// (every such branch named); the clerk must cover every branch's department. Returns the
    /// branch cases delivered.
    pub fn deliver_theme(&self, by: &Actor, theme_no: &str, detail: Option<&str>) -> Result<Vec<String>> {
        by.require_role(Role::Clerk, "一并送达")?;
        let board = self.theme_board(by, theme_no)?;
        if board.state == ThemeState::InProgress {
            let open: Vec<&str> = board
                .branches
                .iter()
                .filter(|b| b.required && b.outcome.is_none() && crate::case::is_open(b.state))
                .map(|b| b.item_name.as_str())
                .collect();
            return Err(CoreError::IllegalTransition {
                state: board.state.zh().into(),
                action: "一并送达".into(),
                detail: format!("（尚待「{}」作出决定，各事项结果须一并送达）", open.join("」「")),
            });
        }
        let due: Vec<&crate::theme::board::BranchView> =
            board.branches.iter().filter(|b| matches!(b.state, State::Approved | State::Denied)).collect();
        if due.is_empty() {
            return Err(CoreError::Invalid(format!("主题 {theme_no} 没有待送达的事项（{}）", board.state.zh())));
        }
        for b in &due {
            by.require_department(&b.department)?;
        }
        let unsealed: Vec<String> = due
            .iter()
            .filter(|b| {
                let kinds: &[&str] =
                    if b.outcome == Some(Outcome::Approved) { &["approval", "certificate"] } else { &["refusal"] };
                !self.case_documents(&b.case_no).is_ok_and(|d| d.iter().any(|d| kinds.contains(&d.doc_type.as_str())))
            })
            .map(|b| format!("「{}」（办件 {}）", b.item_name, b.case_no))
            .collect();
        if !unsealed.is_empty() {
            return Err(CoreError::IllegalTransition {
                state: board.state.zh().into(),
                action: "一并送达".into(),
                detail: format!("（{}尚无加盖电子印章的决定书，请先用印）", unsealed.join("、")),
            });
        }
        let req = ActRequest {
            detail: Some(detail.map_or_else(
                || format!("主题 {theme_no} 结果一并送达"),
                |d| format!("主题 {theme_no} 结果一并送达：{d}"),
            )),
            ..ActRequest::default()
        };
        let now = self.now();
        let mut projector = Projector::new(self.calendar().clone());
        let input = Input::default();
        self.store.write(|tx| {
            let mut done = Vec::with_capacity(due.len());
            for b in &due {
                self.act_in(tx, &mut projector, by, &b.case_no, Action::Deliver, &req, &input, &[], now).map_err(
                    |e| match e {
                        CoreError::IllegalTransition { state, action, detail } => CoreError::IllegalTransition {
                            state,
                            action,
                            detail: format!("{detail}（事项「{}」，办件 {}）", b.item_name, b.case_no),
                        },
                        other => other,
                    },
                )?;
                done.push(b.case_no.clone());
            }
            Ok(done)
        })
    }

    /// The combined result notice (办理结果告知书): each item's result with its reason and sealed
    /// documents. Visible as the board is.
    pub fn theme_result(&self, by: &Actor, theme_no: &str) -> Result<ThemeResult> {
        let board = self.theme_board(by, theme_no)?;
        let mut out = Vec::with_capacity(board.branches.len());
        let mut delivered = Vec::new();
        for b in &board.branches {
            if b.state == State::Completed {
                delivered.push(b.case_no.clone());
            }
            let result_zh = match (&b.refusal, b.outcome) {
                (Some(r), _) => r.action_zh.clone(),
                (None, Some(Outcome::Approved)) => "准予".to_owned(),
                (None, Some(Outcome::Denied)) => "不予许可".to_owned(),
                (None, None) => b.state_zh.clone(),
            };
            let documents = self
                .case_documents(&b.case_no)?
                .into_iter()
                .filter(|d| matches!(d.doc_type.as_str(), "approval" | "refusal" | "certificate" | "non_acceptance"))
                .map(|d| ResultDocument {
                    doc_type: d.doc_type,
                    doc_type_zh: d.doc_type_zh,
                    seal_id: d.seal_id,
                    file_sha256: d.file_sha256,
                    sealed_at: d.sealed_at,
                })
                .collect();
            out.push(ResultBranch {
                case_no: b.case_no.clone(),
                item_name: b.item_name.clone(),
                department: b.department.clone(),
                required: b.required,
                state: b.state,
                state_zh: b.state_zh.clone(),
                outcome: b.outcome,
                result_zh,
                reason: b.refusal.as_ref().and_then(|r| r.reason.clone()),
                legal_basis: b.refusal.as_ref().and_then(|r| r.legal_basis.clone()),
                documents,
            });
        }
        Ok(ThemeResult {
            theme_no: board.theme_no,
            theme_name: board.name,
            lead_department: board.lead_department,
            applicant_id: board.applicant_id,
            applicant_name: board.applicant_name,
            state: board.state,
            state_zh: board.state_zh,
            outcome: board.outcome,
            delivered,
            branches: out,
        })
    }
}

impl ThemeResult {
    /// 办理结果告知书（并联审批）, printable.
    pub fn text(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "办理结果告知书（并联审批）");
        let _ = writeln!(o, "主题：{}    主题编号：{}", self.theme_name, self.theme_no);
        let _ = writeln!(
            o,
            "申请人：{}（{}）    牵头部门：{}",
            self.applicant_name, self.applicant_id, self.lead_department
        );
        let _ = writeln!(
            o,
            "办理状态：{}{}",
            self.state_zh,
            self.outcome.map(|x| format!("（{}）", x.zh())).unwrap_or_default()
        );
        let _ = writeln!(o, "\n各事项办理结果（一并送达）：");
        for (i, b) in self.branches.iter().enumerate() {
            let _ = writeln!(
                o,
                "  {}. {}（办件 {}，{}）：{}{}",
                i + 1,
                b.item_name,
                b.case_no,
                b.department,
                b.result_zh,
                if b.required { "" } else { "（选办）" }
            );
            if let Some(r) = &b.reason {
                let _ = writeln!(o, "     理由：{r}");
            }
            if let Some(l) = &b.legal_basis {
                let _ = writeln!(o, "     依据：{l}");
            }
            for d in &b.documents {
                let _ = writeln!(o, "     {}（电子印章 {}，SHA-256 {}）", d.doc_type_zh, d.seal_id, d.file_sha256);
            }
        }
        o
    }
}
