//! The combined supplement notice (一次性告知, 《行政许可法》第三十二条): the pre-review requests of
//! every branch waiting for materials, in ONE notice to the applicant — each material listed once
//! with the items it counts for, then each branch's opinion. Handing the materials in once
//! (`supplement_theme`) resumes every branch whose list they complete.

use std::fmt::Write as _;

use rusqlite::{Connection, params};
use serde::Serialize;

use crate::case::{Action, Input, Role, State};
use crate::casework::ActRequest;
use crate::error::{CoreError, Result};
use crate::journal;
use crate::projection::Projector;
use crate::staff::Actor;
use crate::workstation::Workstation;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct NoticeBranch {
    pub case_no: String,
    pub item_name: String,
    pub department: String,
    pub requested_on: String,
    /// The reviewer's opinion (the request's reason: what is wrong and why).
    pub opinion: Option<String>,
    /// Names of the materials asked for.
    pub materials: Vec<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct NoticeMaterial {
    pub name: String,
    /// Item names it counts for.
    pub items: Vec<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct SupplementNotice {
    pub theme_no: String,
    pub theme_name: String,
    pub applicant_id: String,
    pub applicant_name: String,
    pub issued_on: String,
    pub branches: Vec<NoticeBranch>,
    /// The union of what the branches ask for, each material once.
    pub materials: Vec<NoticeMaterial>,
}

/// (case_no, item_name, department) of each branch waiting for a supplement, in position order.
fn waiting(conn: &Connection, theme_no: &str) -> Result<Vec<(String, String, String)>> {
    let rows = conn
        .prepare_cached(
            "SELECT b.case_no, c.item_name, b.department FROM theme_branches b JOIN cases c USING (case_no)
             WHERE b.theme_no = ?1 AND c.state = ?2 ORDER BY b.pos",
        )?
        .query_map(params![theme_no, State::Supplementing.code()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The branch's open request: its day, opinion and the material ids asked for.
fn open_request(conn: &Connection, case_no: &str) -> Result<(String, Option<String>, Vec<String>)> {
    let events = journal::case_events(conn, case_no)?;
    let ev = events
        .iter()
        .rev()
        .find(|e| e.action == Action::RequestSupplement.code())
        .ok_or_else(|| CoreError::Invalid(format!("办件 {case_no} 处于补正中却没有补正告知记录")))?;
    let ids: Vec<String> =
        ev.payload.get("materials").and_then(|m| serde_json::from_value(m.clone()).ok()).unwrap_or_default();
    Ok((ev.at.get(..10).unwrap_or(&ev.at).to_owned(), ev.reason.clone(), ids))
}

fn material_name(conn: &Connection, case_no: &str, id: &str) -> Result<String> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached("SELECT name FROM case_materials WHERE case_no = ?1 AND material_id = ?2")?
        .query_row(params![case_no, id], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| id.to_owned()))
}

impl Workstation {
    /// The one notice for every branch of the theme waiting for materials (the board's rules for
    /// who may see it).
    pub fn theme_supplement_notice(&self, by: &Actor, theme_no: &str) -> Result<SupplementNotice> {
        let board = self.theme_board(by, theme_no)?;
        let conn = self.store.reader()?;
        let mut branches = Vec::new();
        let mut materials: Vec<NoticeMaterial> = Vec::new();
        for (case_no, item_name, department) in waiting(&conn, theme_no)? {
            let (requested_on, opinion, ids) = open_request(&conn, &case_no)?;
            let mut names = Vec::with_capacity(ids.len());
            for id in &ids {
                let name = material_name(&conn, &case_no, id)?;
                match materials.iter_mut().find(|m| m.name == name) {
                    Some(m) if !m.items.contains(&item_name) => m.items.push(item_name.clone()),
                    Some(_) => {}
                    None => materials.push(NoticeMaterial { name: name.clone(), items: vec![item_name.clone()] }),
                }
                names.push(name);
            }
            branches.push(NoticeBranch { case_no, item_name, department, requested_on, opinion, materials: names });
        }
        Ok(SupplementNotice {
            theme_no: theme_no.to_owned(),
            theme_name: board.name,
            applicant_id: board.applicant_id,
            applicant_name: board.applicant_name,
            issued_on: self.today().to_string(),
            branches,
            materials,
        })
    }

    /// The applicant hands the materials in once (by name): every waiting branch whose request
    /// they complete resumes, in one transaction. Returns the branches resumed.
    pub fn supplement_theme(&self, by: &Actor, theme_no: &str, names: &[String]) -> Result<Vec<String>> {
        by.require_role(Role::Clerk, "补正材料")?;
        let notice = self.theme_supplement_notice(by, theme_no)?;
        if let Some(n) = names.iter().find(|n| !notice.materials.iter().any(|m| &m.name == *n)) {
            return Err(CoreError::Invalid(format!("主题 {theme_no} 的补正告知中没有材料「{n}」")));
        }
        let conn = self.store.reader()?;
        let mut plan = Vec::new();
        for b in &notice.branches {
            if !b.materials.iter().all(|m| names.contains(m)) {
                continue;
            }
            let (_, _, ids) = open_request(&conn, &b.case_no)?;
            plan.push((b.case_no.clone(), ids));
        }
        drop(conn);
        let now = self.now();
        let mut projector = Projector::new(self.calendar().clone());
        let input = Input::default();
        self.store.write(|tx| {
            let mut done = Vec::new();
            for (case_no, ids) in &plan {
                let req = ActRequest { materials: ids.clone(), ..ActRequest::default() };
                self.act_in(tx, &mut projector, by, case_no, Action::Supplement, &req, &input, &[], now)?;
                done.push(case_no.clone());
            }
            Ok(done)
        })
    }
}

impl SupplementNotice {
    /// 一次性补正告知书, printable.
    pub fn text(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "一次性补正告知书（并联审批）");
        let _ = writeln!(o, "主题：{}    主题编号：{}", self.theme_name, self.theme_no);
        let _ = writeln!(o, "申请人：{}（{}）", self.applicant_name, self.applicant_id);
        if self.branches.is_empty() {
            let _ = writeln!(o, "\n经预审，各事项材料齐全，无需补正。");
            return o;
        }
        let _ = writeln!(
            o,
            "\n经预审，下列 {} 个事项需补正材料。请一次性补齐后提交；每份材料只需提交一次，各事项共用。补正期间相关事项暂停计时。",
            self.branches.len()
        );
        let _ = writeln!(o, "\n一、需补正的材料");
        for (i, m) in self.materials.iter().enumerate() {
            let _ = writeln!(o, "  {}. {} —— 用于：{}", i + 1, m.name, m.items.join("、"));
        }
        let _ = writeln!(o, "\n二、各事项补正意见");
        for (i, b) in self.branches.iter().enumerate() {
            let _ = writeln!(
                o,
                "  （{}）{}（办件 {}，{}，{} 告知）",
                i + 1,
                b.item_name,
                b.case_no,
                b.department,
                b.requested_on
            );
            if let Some(op) = &b.opinion {
                let _ = writeln!(o, "      补正意见：{op}");
            }
            if !b.materials.is_empty() {
                let _ = writeln!(o, "      需补正材料：{}", b.materials.join("、"));
            }
        }
        let _ = writeln!(o, "\n告知日期：{}", self.issued_on);
        o
    }
}
