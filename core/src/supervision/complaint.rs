//! Complaints (投诉): registered (who, against which department/staff/case, what), assigned,
//! answered within a working-day limit, linked to cases, counted.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::hit::{Hit, Rule};
use super::record::{case_owner, days_left, due_after, to_json};
use crate::calendar::Calendar;
use crate::case::Role;
use crate::error::{CoreError, Result};
use crate::events;
use crate::journal::Event;
use crate::staff::Actor;
use crate::workstation::Workstation;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewComplaint {
    pub complainant: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// The department complained about; taken from the case when one is named.
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub staff: Option<String>,
    #[serde(default)]
    pub case_no: Option<String>,
    pub subject: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Payload {
    Register {
        complaint_id: String,
        complainant: String,
        phone: Option<String>,
        department: String,
        staff: Option<String>,
        cases: Vec<String>,
        subject: String,
        /// The limit in force when registered (a rebuild gives the same due day).
        answer_days: u32,
    },
    Assign {
        complaint_id: String,
        assignee: String,
    },
    Link {
        complaint_id: String,
        case_no: String,
    },
    Answer {
        complaint_id: String,
        answer: String,
    },
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Complaint {
    pub complaint_id: String,
    pub complainant: String,
    pub phone: Option<String>,
    pub department: String,
    pub staff: Option<String>,
    pub subject: String,
    pub cases: Vec<String>,
    pub registered_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
    pub assignee: Option<String>,
    pub answered_on: Option<NaiveDate>,
    pub answer: Option<String>,
}

impl Workstation {
    /// Registers a complaint (clerk or administrator). Its number is `TS-<workstation>-<journal seq>`.
    pub fn register_complaint(&self, by: &Actor, c: &NewComplaint) -> Result<Complaint> {
        let role = [Role::Clerk, Role::Admin].into_iter().find(|r| by.has_role(*r)).ok_or_else(|| {
            CoreError::RoleDenied {
                actor: by.name.clone(), role: "受理员或管理员".into(), action: "登记投诉".into()
            }
        })?;
        if c.complainant.trim().is_empty() || c.subject.trim().is_empty() {
            return Err(CoreError::Missing { action: "登记投诉".into(), field: "投诉人和投诉内容".into() });
        }
        let cfg = self.supervision_config()?;
        let cal = self.calendar().clone();
        let now = self.clock().now();
        let label = self.label();
        let id = self.store().write(|tx| {
            let department = match (&c.case_no, &c.department) {
                (Some(no), _) => case_owner(tx, no)?.0,
                (None, Some(d)) if !d.trim().is_empty() => d.trim().to_owned(),
                _ => {
                    return Err(CoreError::Missing {
                        action: "登记投诉".into(), field: "被投诉部门或办件".into()
                    });
                }
            };
            by.require_department(&department)?;
            let seq: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM journal", [], |r| r.get(0))?;
            let complaint_id = format!("TS-{label}-{seq:06}");
            let p = Payload::Register {
                complaint_id: complaint_id.clone(),
                complainant: c.complainant.trim().into(),
                phone: c.phone.clone(),
                department,
                staff: c.staff.clone(),
                cases: c.case_no.iter().cloned().collect(),
                subject: c.subject.trim().into(),
                answer_days: cfg.complaint_answer_days,
            };
            let ev = super::record::append(tx, by, role.code(), events::COMPLAINT_REGISTER, now, to_json(&p)?)?;
            project(tx, &ev, &cal)?;
            Ok(complaint_id)
        })?;
        self.complaint(&id)
    }
}

fn change(
    ws: &Workstation,
    by: &Actor,
    id: &str,
    role: Role,
    action: &str,
    p: &Payload,
    check: impl FnOnce(&Complaint) -> Result<()>,
) -> Result<Complaint> {
    let cal = ws.calendar().clone();
    let now = ws.clock().now();
    ws.store().write(|tx| {
        let c = load(tx, id)?;
        by.require_department(&c.department)?;
        check(&c)?;
        let ev = super::record::append(tx, by, role.code(), action, now, to_json(p)?)?;
        project(tx, &ev, &cal)?;
        Ok(())
    })?;
    ws.complaint(id)
}

impl Workstation {
    /// Assigns the complaint to a staff member (administrators).
    pub fn assign_complaint(&self, by: &Actor, id: &str, assignee: &str) -> Result<Complaint> {
        by.require_role(Role::Admin, "分派投诉")?;
        let to = self.actor(assignee)?;
        let p = Payload::Assign { complaint_id: id.into(), assignee: to.id.clone() };
        change(self, by, id, Role::Admin, events::COMPLAINT_ASSIGN, &p, |c| {
            to.require_department(&c.department)?;
            if c.answered_on.is_some() { Err(CoreError::Invalid(format!("投诉 {id} 已答复"))) } else { Ok(()) }
        })
    }
}

impl Workstation {
    /// Links another case to the complaint (clerk or administrator).
    pub fn link_complaint(&self, by: &Actor, id: &str, case_no: &str) -> Result<Complaint> {
        let role = if by.has_role(Role::Admin) {
            Role::Admin
        } else {
            by.require_role(Role::Clerk, "关联投诉办件").map(|()| Role::Clerk)?
        };
        let dept = case_owner(&*self.store().reader()?, case_no)?.0;
        by.require_department(&dept)?;
        let p = Payload::Link { complaint_id: id.into(), case_no: case_no.into() };
        change(self, by, id, role, events::COMPLAINT_LINK, &p, |c| {
            if c.cases.iter().any(|x| x == case_no) {
                Err(CoreError::Invalid(format!("投诉 {id} 已关联办件 {case_no}")))
            } else {
                Ok(())
            }
        })
    }
}

impl Workstation {
    /// Answers the complaint: its assignee, or an administrator.
    pub fn answer_complaint(&self, by: &Actor, id: &str, text: &str) -> Result<Complaint> {
        if text.trim().is_empty() {
            return Err(CoreError::Missing { action: "答复投诉".into(), field: "答复内容".into() });
        }
        // The event names a role the actor holds (an assignee may be a seal keeper: never "clerk").
        let role = [Role::Admin, Role::Reviewer, Role::Decider, Role::Clerk, Role::SealKeeper]
            .into_iter()
            .find(|r| by.has_role(*r))
            .ok_or_else(|| CoreError::RoleDenied {
                actor: by.name.clone(),
                role: "投诉承办人或管理员".into(),
                action: "答复投诉".into(),
            })?;
        let p = Payload::Answer { complaint_id: id.into(), answer: text.trim().into() };
        change(self, by, id, role, events::COMPLAINT_ANSWER, &p, |c| {
            if c.answered_on.is_some() {
                return Err(CoreError::Invalid(format!("投诉 {id} 已答复")));
            }
            if role != Role::Admin && c.assignee.as_deref() != Some(by.id.as_str()) {
                return Err(CoreError::RoleDenied {
                    actor: by.name.clone(),
                    role: "投诉承办人或管理员".into(),
                    action: "答复投诉".into(),
                });
            }
            Ok(())
        })
    }
}

pub(crate) fn project(tx: &Transaction<'_>, ev: &Event, cal: &Calendar) -> Result<()> {
    let p: Payload = serde_json::from_value(ev.payload.clone()).map_err(|e| CoreError::JournalBroken {
        seq: ev.seq,
        id: ev.id.clone(),
        problem: format!("投诉事件无法解析：{e}"),
    })?;
    let day = ev.date()?;
    match p {
        Payload::Register { complaint_id, complainant, phone, department, staff, cases, subject, answer_days } => {
            let (due, note) = match due_after(cal, day, answer_days) {
                Ok(d) => (Some(d.to_string()), None),
                Err(e) => (None, Some(e)),
            };
            tx.prepare_cached(
                "INSERT INTO complaints (complaint_id, complainant, phone, department, staff, subject, cases, registered_on, due_on, note, journal_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                complaint_id,
                complainant,
                phone,
                department,
                staff,
                subject,
                serde_json::to_string(&cases).unwrap_or_else(|_| "[]".into()),
                day.to_string(),
                due,
                note,
                ev.seq
            ])?;
        }
        Payload::Assign { complaint_id, assignee } => {
            tx.execute(
                "UPDATE complaints SET assignee = ?2, journal_seq = ?3 WHERE complaint_id = ?1",
                params![complaint_id, assignee, ev.seq],
            )?;
        }
        Payload::Link { complaint_id, case_no } => {
            let mut cases = load(tx, &complaint_id)?.cases;
            cases.push(case_no);
            tx.execute(
                "UPDATE complaints SET cases = ?2, journal_seq = ?3 WHERE complaint_id = ?1",
                params![complaint_id, serde_json::to_string(&cases).unwrap_or_else(|_| "[]".into()), ev.seq],
            )?;
        }
        Payload::Answer { complaint_id, answer } => {
            tx.execute(
                "UPDATE complaints SET answer = ?2, answered_on = ?3, journal_seq = ?4 WHERE complaint_id = ?1",
                params![complaint_id, answer, day.to_string(), ev.seq],
            )?;
        }
    }
    Ok(())
}

const COLS: &str = "complaint_id, complainant, phone, department, staff, subject, cases, registered_on, due_on, assignee, answered_on, answer";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Complaint> {
    let d = |s: Option<String>| s.and_then(|s| s.parse().ok());
    let cases: String = r.get(6)?;
    Ok(Complaint {
        complaint_id: r.get(0)?,
        complainant: r.get(1)?,
        phone: r.get(2)?,
        department: r.get(3)?,
        staff: r.get(4)?,
        subject: r.get(5)?,
        cases: serde_json::from_str(&cases).unwrap_or_default(),
        registered_on: d(r.get(7)?).unwrap_or_default(),
        due_on: d(r.get(8)?),
        assignee: r.get(9)?,
        answered_on: d(r.get(10)?),
        answer: r.get(11)?,
    })
}

fn load(conn: &Connection, id: &str) -> Result<Complaint> {
    conn.prepare_cached(&format!("SELECT {COLS} FROM complaints WHERE complaint_id = ?1"))?
        .query_row([id], row)
        .optional()?
        .ok_or_else(|| CoreError::Invalid(format!("投诉不存在：{id}")))
}

impl Workstation {
    pub fn complaint(&self, id: &str) -> Result<Complaint> {
        load(&*self.store().reader()?, id)
    }
}

impl Workstation {
    /// Complaints about the actor's departments (open ones only unless `all`).
    pub fn complaints(&self, by: &Actor, all: bool) -> Result<Vec<Complaint>> {
        let conn = self.store().reader()?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT {COLS} FROM complaints WHERE ?1 OR answered_on IS NULL ORDER BY registered_on, complaint_id"
        ))?;
        let rows = st.query_map([all], row)?;
        let mut out = Vec::new();
        for c in rows {
            let c = c?;
            if by.covers(&c.department) {
                out.push(c);
            }
        }
        Ok(out)
    }
}

/// Monitor: answered after the due day, or unanswered once it has passed.
pub(crate) fn overdue(conn: &Connection, cal: &Calendar, today: NaiveDate, out: &mut Vec<Hit>) -> Result<()> {
    let mut st =
        conn.prepare(&format!("SELECT {COLS} FROM complaints WHERE due_on IS NOT NULL ORDER BY complaint_id"))?;
    for c in st.query_map([], row)? {
        let c = c?;
        let Some(due) = c.due_on else { continue };
        let late_on = match c.answered_on {
            Some(a) => (a > due).then_some(a),
            None => days_left(cal, due, today).filter(|l| *l < 0).map(|_| today),
        };
        if let Some(on) = late_on {
            out.push(Hit {
                hit_id: format!("{}:{}", Rule::ComplaintOverdue.code(), c.complaint_id),
                rule: Rule::ComplaintOverdue,
                severity: Rule::ComplaintOverdue.severity(),
                case_no: c.cases.first().cloned(),
                department: Some(c.department.clone()),
                staff: c.assignee.clone(),
                evidence: serde_json::json!({ "complaint_id": c.complaint_id, "registered_on": c.registered_on, "due_on": due, "answered_on": c.answered_on }),
                occurred_on: on,
            });
        }
    }
    Ok(())
}
