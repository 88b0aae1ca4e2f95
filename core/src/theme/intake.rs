//! Theme intake (一口收件): one filing creates the theme case and a branch case per item, the
//! union of the items' materials asked once, and one receipt listing every branch — in ONE write
//! transaction (the `theme.file` event, then each branch's ordinary filing event and outbox
//! item), so a crash never leaves half a theme.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::case::{self, Action};
use crate::catalog::{Item, Theme};
use crate::error::{CoreError, Result};
use crate::events;
use crate::intake::{NewCase, role_for};
use crate::journal::{self, NewEvent};
use crate::numbering;
use crate::projection::{FiledPayload, Projector};
use crate::staff::Actor;
use crate::theme::model::{BranchRef, SharedMaterial, ThemeApplicant, ThemeFiledPayload, ThemeSnapshot};
use crate::workstation::Workstation;

/// A theme filing, with the same applicant options as [`NewCase`].
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewTheme {
    pub theme_code: String,
    pub applicant_id: String,
    pub applicant_name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub channel: Option<case::Channel>,
    /// Keys of the shared materials handed in ([`SharedMaterial::key`]). `None` = every required one.
    #[serde(default)]
    pub provided: Option<Vec<String>>,
    /// shared material key → earlier case number it is reused from (for the items that allow it).
    #[serde(default)]
    pub reuse: Vec<(String, String)>,
    /// Item codes of optional branches the applicant does not need (e.g. 排水许可).
    #[serde(default)]
    pub skip: Vec<String>,
    #[serde(default)]
    pub id_override: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// 材料接收告知单 of a theme: every branch, every material once.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ThemeReceipt {
    pub theme_no: String,
    pub theme_code: String,
    pub theme_name: String,
    pub lead_department: String,
    pub applicant_id: String,
    pub applicant_name: String,
    pub filed_on: String,
    pub overall_limit_days: u32,
    pub due_date: Option<String>,
    pub deadline_note: Option<String>,
    pub branches: Vec<BranchRef>,
    pub materials: Vec<SharedMaterial>,
}

/// The union of the branches' materials, keyed by name (the reuse rule's notion of "the same
/// material"); a key is the first item's material id, suffixed when two names share an id.
pub fn shared_materials(items: &[&Item]) -> Vec<SharedMaterial> {
    let mut out: Vec<SharedMaterial> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for item in items {
        for m in &item.materials {
            match by_name.get(&m.name) {
                Some(&i) => {
                    out[i].required |= m.required;
                    if !out[i].items.contains(&item.code) {
                        out[i].items.push(item.code.clone());
                    }
                }
                None => {
                    let mut key = m.id.clone();
                    let mut n = 2;
                    while out.iter().any(|s| s.key == key) {
                        key = format!("{}-{n}", m.id);
                        n += 1;
                    }
                    by_name.insert(m.name.clone(), out.len());
                    out.push(SharedMaterial {
                        key,
                        name: m.name.clone(),
                        required: m.required,
                        provided: false,
                        reused_from: None,
                        items: vec![item.code.clone()],
                    });
                }
            }
        }
    }
    out
}

impl Workstation {
    /// Files a theme: the theme case and every branch case in one transaction. Returns the receipt.
    pub fn new_theme(&self, by: &Actor, req: &NewTheme) -> Result<ThemeReceipt> {
        let role = role_for(by, Action::File)?;
        let (version, theme) = self.catalog_theme(&req.theme_code)?;
        let branches = included_branches(&theme, &req.skip)?;
        let mut items: Vec<Item> = Vec::with_capacity(branches.len());
        for b in &branches {
            let (_, item) = self.catalog_item(&b.item, Some(version))?;
            by.require_department(&item.department)?;
            items.push(item);
        }
        let item_refs: Vec<&Item> = items.iter().collect();
        let mut shared = shared_materials(&item_refs);
        let keys: HashMap<&str, usize> = shared.iter().enumerate().map(|(i, s)| (s.key.as_str(), i)).collect();
        for k in req.provided.iter().flatten().chain(req.reuse.iter().map(|(k, _)| k)) {
            if !keys.contains_key(k.as_str()) {
                return Err(CoreError::Invalid(format!("主题「{}」没有材料 {k}", theme.name)));
            }
        }
        let provided_key = |s: &SharedMaterial| req.provided.as_ref().map_or(s.required, |p| p.contains(&s.key));
        let reused_key = |key: &str| req.reuse.iter().find(|(k, _)| k == key).map(|(_, c)| c.clone());
        let today = self.today();
        let mut filings: Vec<FiledPayload> = Vec::with_capacity(items.len());
        for item in &items {
            let share = |name: &str| shared.iter().find(|s| s.name == name).expect("every material is in the union");
            let provided: Vec<String> =
                item.materials.iter().filter(|m| provided_key(share(&m.name))).map(|m| m.id.clone()).collect();
            let reuse: Vec<(String, String)> = item
                .materials
                .iter()
                .filter(|m| m.reusable)
                .filter_map(|m| reused_key(&share(&m.name).key).map(|c| (m.id.clone(), c)))
                .collect();
            let one = NewCase {
                item_code: item.code.clone(),
                applicant_id: req.applicant_id.clone(),
                applicant_name: req.applicant_name.clone(),
                phone: req.phone.clone(),
                channel: req.channel,
                provided: Some(provided),
                reuse,
                appointment: false,
                id_override: req.id_override.clone(),
                note: req.note.clone(),
                attachments: Vec::new(),
                sub_item: None,
                delivery: None,
                licences: Vec::new(),
                agent: None,
            };
            filings.push(self.filed_payload(&one, version, item, today)?);
        }
        for s in &mut shared {
            s.reused_from = reused_key(&s.key);
            s.provided = provided_key(s) || s.reused_from.is_some();
        }
        let first = &filings[0];
        let applicant = ThemeApplicant {
            kind: first.applicant.kind.clone(),
            id: first.applicant.id.clone(),
            name: first.applicant.name.clone(),
            phone: first.applicant.phone.clone(),
        };
        let channel = req.channel.unwrap_or(case::Channel::Window);
        let now = self.now();
        let cal = self.calendar().clone();
        let mut projector = Projector::new(cal);
        let day_key = now.format("%Y%m%d").to_string();
        let theme_no = self.store.write(|tx| {
            let seq = numbering::last_seq(tx, &day_key)?;
            let theme_no = numbering::case_no(&self.identity, now.date_naive(), seq + 1);
            let nos: Vec<String> = (0..items.len())
                .map(|i| numbering::case_no(&self.identity, now.date_naive(), seq + 2 + i as u32))
                .collect();
            let no_of = |code: &str| items.iter().position(|i| i.code == code).map(|i| nos[i].clone());
            let refs = branches
                .iter()
                .zip(&items)
                .zip(&nos)
                .map(|((b, item), no)| BranchRef {
                    case_no: no.clone(),
                    item_code: item.code.clone(),
                    item_name: item.name.clone(),
                    department: item.department.clone(),
                    required: b.required,
                    after: b.after.iter().filter_map(|a| no_of(a)).collect(),
                })
                .collect();
            let payload = ThemeFiledPayload {
                theme: ThemeSnapshot {
                    code: theme.code.clone(),
                    version,
                    name: theme.name.clone(),
                    lead_department: theme.lead_department.clone(),
                    overall_limit_days: theme.overall_limit_days,
                },
                applicant: applicant.clone(),
                channel,
                branches: refs,
                materials: shared.clone(),
            };
            let ev = journal::append(
                tx,
                NewEvent {
                    case_no: Some(&theme_no),
                    actor: &by.id,
                    role: role.code(),
                    action: events::THEME_FILE,
                    at: now,
                    payload: serde_json::to_value(&payload).map_err(|e| CoreError::Invalid(e.to_string()))?,
                    reason: None,
                },
            )?;
            projector.apply(tx, &ev)?;
            for (filing, no) in filings.iter().zip(&nos) {
                let ev = journal::append(
                    tx,
                    NewEvent {
                        case_no: Some(no),
                        actor: &by.id,
                        role: role.code(),
                        action: Action::File.code(),
                        at: now,
                        payload: serde_json::to_value(filing).map_err(|e| CoreError::Invalid(e.to_string()))?,
                        reason: None,
                    },
                )?;
                projector.apply(tx, &ev)?;
                crate::sync::outbox::enqueue(tx, &ev, &self.label())?;
            }
            Ok(theme_no)
        })?;
        self.theme_receipt(&theme_no)
    }

    /// The receipt of a filed theme, read back from its filing event and row.
    pub fn theme_receipt(&self, theme_no: &str) -> Result<ThemeReceipt> {
        let conn = self.store.reader()?;
        let ev = journal::case_events(&conn, theme_no)?
            .into_iter()
            .find(|e| e.action == events::THEME_FILE)
            .ok_or_else(|| CoreError::UnknownCase(format!("主题 {theme_no}")))?;
        let p: ThemeFiledPayload =
            serde_json::from_value(ev.payload.clone()).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let (filed_on, due_date, deadline_note): (String, Option<String>, Option<String>) = conn.query_row(
            "SELECT filed_on, due_date, deadline_note FROM themes WHERE theme_no = ?1",
            [theme_no],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(ThemeReceipt {
            theme_no: theme_no.to_owned(),
            theme_code: p.theme.code,
            theme_name: p.theme.name,
            lead_department: p.theme.lead_department,
            applicant_id: p.applicant.id,
            applicant_name: p.applicant.name,
            filed_on,
            overall_limit_days: p.theme.overall_limit_days,
            due_date,
            deadline_note,
            branches: p.branches,
            materials: p.materials,
        })
    }
}

/// The branches filed: every required one, the optional ones not skipped. A skipped branch
/// another one waits on would leave that one waiting forever: refused.
fn included_branches(theme: &Theme, skip: &[String]) -> Result<Vec<crate::catalog::ThemeBranch>> {
    for s in skip {
        match theme.branches.iter().find(|b| &b.item == s) {
            None => return Err(CoreError::Invalid(format!("主题「{}」没有事项 {s}", theme.name))),
            Some(b) if b.required => {
                return Err(CoreError::Invalid(format!("事项 {s} 是主题「{}」的必办事项，不能省略", theme.name)));
            }
            Some(_) => {}
        }
        if let Some(b) = theme.branches.iter().find(|b| !skip.contains(&b.item) && b.after.contains(s)) {
            return Err(CoreError::Invalid(format!("事项 {s} 是 {} 的前置事项，不能省略", b.item)));
        }
    }
    Ok(theme.branches.iter().filter(|b| !skip.contains(&b.item)).cloned().collect())
}

impl ThemeReceipt {
    /// 材料接收告知单, printable: every branch with its case number, every material once.
    pub fn text(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "材料接收告知单（并联审批）");
        let _ = writeln!(o, "主题：{}（{}）", self.theme_name, self.theme_code);
        let _ = writeln!(o, "主题编号：{}", self.theme_no);
        let _ = writeln!(o, "申请人：{}（{}）", self.applicant_name, self.applicant_id);
        let _ = writeln!(o, "收件日期：{}    牵头部门：{}", self.filed_on, self.lead_department);
        match &self.due_date {
            Some(d) => {
                let _ = writeln!(o, "总办理时限：{} 个工作日，{d} 前全部办结", self.overall_limit_days);
            }
            None => {
                let _ = writeln!(
                    o,
                    "总办理时限：{} 个工作日（{}）",
                    self.overall_limit_days,
                    self.deadline_note.as_deref().unwrap_or("期限待定")
                );
            }
        }
        let _ = writeln!(o, "\n一、并联办理事项（共 {} 项）", self.branches.len());
        for (i, b) in self.branches.iter().enumerate() {
            let mut line = format!(
                "  {}. {}  {}  {}{}",
                i + 1,
                b.case_no,
                b.item_name,
                b.department,
                if b.required { "" } else { "（选办）" }
            );
            if !b.after.is_empty() {
                let names: Vec<&str> = b
                    .after
                    .iter()
                    .filter_map(|no| self.branches.iter().find(|x| &x.case_no == no).map(|x| x.item_name.as_str()))
                    .collect();
                let _ = write!(line, "（待「{}」准予后办理）", names.join("」「"));
            }
            let _ = writeln!(o, "{line}");
        }
        let _ = writeln!(o, "\n二、材料（每份只收一次，各事项共用）");
        for m in &self.materials {
            let mark = if m.provided {
                "√ 已收"
            } else if m.required {
                "× 未交"
            } else {
                "  选交"
            };
            let from = m.reused_from.as_deref().map(|c| format!("（复用办件 {c}）")).unwrap_or_default();
            let used: Vec<&str> = m
                .items
                .iter()
                .filter_map(|code| self.branches.iter().find(|b| &b.item_code == code).map(|b| b.item_name.as_str()))
                .collect();
            let _ = writeln!(o, "  [{mark}] {}{from}  —— 用于：{}", m.name, used.join("、"));
        }
        let _ = writeln!(o, "\n凭主题编号或各事项办件编号可查询办理进度；各事项结果一并送达。");
        o
    }
}
