//! Agents (代办): the township or village agent (乡镇/村级代办员) who files for a villager at a
//! 便民服务站 — who acted, for whom, at which post, with the villager's authorisation (委托书)
//! attached as a material of the filing — and the workstation's own level (县级中心, 乡镇便民服务
//! 中心, 村级代办点), so the statistics count what the villages hand in.
//!
//! The agent is recorded at intake (`NewCase::agent`) by an `agent.record` event in the filing's
//! transaction (`case_no` NULL as for deliveries, so the case's own event order is unchanged) and
//! derived into `case_agents`. The authorisation is one of the filing's attachments, linked to the
//! material id [`AUTHORISATION`]: without it an agent filing is refused, since an agent acts only
//! on the applicant's written authorisation. The post level is configuration (`settings` key
//! [`POST_SETTING`]), set by an administrator and journaled (`workstation.post`).

use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::case::Role;
use crate::error::{CoreError, Result};
use crate::events;
use crate::journal::{self, Event, NewEvent};
use crate::staff::Actor;
use crate::workstation::Workstation;

/// The material id an agent filing's authorisation is attached under (代办委托书).
pub const AUTHORISATION: &str = "dbwts";
/// Its name on screens and receipts.
pub const AUTHORISATION_NAME: &str = "代办委托书（申请人授权）";
/// `settings` key holding the workstation's [`Post`] (JSON).
pub const POST_SETTING: &str = "service_post";

crate::case::coded_enum! {
    /// Where an agent works: the township's 便民服务中心 or a village's 代办点.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "AgentLevel"))]
    pub enum Level {
        Township = ("township", "乡镇代办员", "Township agent"),
        Village = ("village", "村级代办员", "Village agent"),
    }
}

crate::case::coded_enum! {
    /// The level of the service post this workstation serves (政务服务体系: 县、乡、村).
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "PostLevel"))]
    pub enum PostLevel {
        County = ("county", "县级政务服务中心", "County service centre"),
        Township = ("township", "乡镇便民服务中心", "Township service centre"),
        Village = ("village", "村级代办点", "Village service post"),
    }
}

/// The workstation's post: its level and, below the county, the township and village it serves.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ServicePost"))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub level: PostLevel,
    #[serde(default)]
    pub township: Option<String>,
    #[serde(default)]
    pub village: Option<String>,
}

impl Default for Post {
    fn default() -> Self {
        Post { level: PostLevel::County, township: None, village: None }
    }
}

/// Who files for the applicant, as the clerk enters it at intake.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "AgentFiling"))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filing {
    pub name: String,
    /// The agent's resident ID (GB 11643), when given.
    #[serde(default)]
    pub id_no: Option<String>,
    /// None: the workstation's level (a village post's agents are village agents), else township.
    #[serde(default)]
    pub level: Option<Level>,
    /// The 代办点 (e.g. 石门村便民服务站); None: the workstation's village or township.
    #[serde(default)]
    pub post: Option<String>,
}

/// The journal payload (`agent.record`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub case_no: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_no: Option<String>,
    pub level: Level,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<String>,
    /// For whom: the applicant's name and ID as filed.
    pub applicant_name: String,
    pub applicant_id: String,
    /// SHA-256 of the authorisation's attachment.
    pub authorisation: String,
}

/// A case's agent as staff see it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "CaseAgent"))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseAgent {
    pub case_no: String,
    pub name: String,
    pub id_no: Option<String>,
    pub level: Level,
    pub post: Option<String>,
    pub applicant_name: String,
    pub authorisation: String,
}

fn clean(what: &str, v: Option<&str>) -> Result<Option<String>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > 60 => Err(CoreError::Invalid(format!("{what}过长（至多 60 字）"))),
        v => Ok(v.map(str::to_owned)),
    }
}

impl Filing {
    /// Checks the filing against the post: a name, a valid ID when given; the level and post
    /// filled from the workstation's when not given.
    pub(crate) fn resolve(
        &self,
        post: &Post,
        today: chrono::NaiveDate,
    ) -> Result<(String, Option<String>, Level, Option<String>)> {
        let name = clean("代办员姓名", Some(self.name.as_str()))?
            .ok_or_else(|| CoreError::Missing { action: "代办收件".into(), field: "代办员姓名".into() })?;
        let id_no = match clean("代办员身份证号", self.id_no.as_deref())? {
            Some(raw) => {
                let a = crate::ids::accept_for_intake(
                    &crate::ids::normalize(&raw),
                    today,
                    Some(crate::ids::IdKind::ResidentId),
                    false,
                )?;
                if a.kind != crate::ids::IdKind::ResidentId {
                    return Err(CoreError::Invalid("代办员证件号应为居民身份证号码".into()));
                }
                Some(a.normalized)
            }
            None => None,
        };
        let level =
            self.level.unwrap_or(if post.level == PostLevel::Village { Level::Village } else { Level::Township });
        let post_name = clean("代办点", self.post.as_deref())?.or_else(|| match level {
            Level::Village => post.village.clone(),
            Level::Township => post.township.clone(),
        });
        Ok((name, id_no, level, post_name))
    }
}

pub fn projects(action: &str) -> bool {
    action == events::AGENT_RECORD
}

/// Journal → `case_agents` (live and in `yc rebuild`).
pub fn project(tx: &Transaction<'_>, ev: &Event) -> Result<()> {
    let r: Record = serde_json::from_value(ev.payload.clone()).map_err(|e| CoreError::JournalBroken {
        seq: ev.seq,
        id: ev.id.clone(),
        problem: format!("代办事件无法解析：{e}"),
    })?;
    tx.prepare_cached(
        "INSERT INTO case_agents (case_no, agent_name, agent_id, level, post, applicant_name, authorisation, filed_on, updated_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        r.case_no,
        r.name,
        r.id_no,
        r.level.code(),
        r.post,
        r.applicant_name,
        r.authorisation,
        ev.date()?.to_string(),
        ev.seq
    ])?;
    Ok(())
}

/// Journals and projects the agent of a case just filed (inside the filing's transaction).
pub(crate) fn write(
    tx: &Transaction<'_>,
    actor: &str,
    at: chrono::DateTime<chrono::FixedOffset>,
    r: &Record,
) -> Result<()> {
    journal::append_step(tx, actor, Role::Clerk.code(), events::AGENT_RECORD, at, r, None, project).map(|_| ())
}

impl Workstation {
    /// The workstation's service post (county when never set).
    pub fn service_post(&self) -> Result<Post> {
        Ok(self.setting(POST_SETTING)?.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default())
    }

    /// Sets the workstation's post (level, township, village). Administrators of the whole
    /// workstation; journaled (`workstation.post`).
    pub fn set_service_post(&self, by: &Actor, post: &Post) -> Result<Post> {
        by.require_role(Role::Admin, "设置服务站点层级")?;
        by.require_whole_workstation("设置服务站点层级")?;
        let post = Post {
            level: post.level,
            township: clean("乡镇", post.township.as_deref())?,
            village: clean("村（社区）", post.village.as_deref())?,
        };
        if post.level == PostLevel::Village && post.village.is_none() {
            return Err(CoreError::Missing {
                action: "设置村级代办点".into(), field: "村（社区）名称".into()
            });
        }
        if post.level != PostLevel::County && post.township.is_none() {
            return Err(CoreError::Missing {
                action: format!("设置{}", post.level.zh()), field: "乡镇名称".into()
            });
        }
        let body = serde_json::to_string(&post).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let now = self.now();
        self.store().write(|tx| {
            journal::append(
                tx,
                NewEvent {
                    case_no: None,
                    actor: &by.id,
                    role: Role::Admin.code(),
                    action: events::SERVICE_POST,
                    at: now,
                    payload: serde_json::to_value(&post).map_err(|e| CoreError::Invalid(e.to_string()))?,
                    reason: None,
                },
            )?;
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![POST_SETTING, body],
            )?;
            Ok(())
        })?;
        Ok(post)
    }

    /// The agent who filed a case for the applicant (None: the applicant came in person), for
    /// staff of the case's department.
    pub fn case_agent(&self, by: &Actor, case_no: &str) -> Result<Option<CaseAgent>> {
        let conn = self.store().reader()?;
        let dept: String = conn
            .prepare_cached("SELECT department FROM cases WHERE case_no = ?1")?
            .query_row([case_no], |r| r.get(0))
            .optional()?
            .ok_or_else(|| CoreError::UnknownCase(case_no.into()))?;
        by.require_department(&dept)?;
        Ok(conn
            .prepare_cached(
                "SELECT agent_name, agent_id, level, post, applicant_name, authorisation FROM case_agents WHERE case_no = ?1",
            )?
            .query_row([case_no], |r| {
                let level: String = r.get(2)?;
                Ok(CaseAgent {
                    case_no: case_no.into(),
                    name: r.get(0)?,
                    id_no: r.get(1)?,
                    level: Level::parse(&level).unwrap_or(Level::Township),
                    post: r.get(3)?,
                    applicant_name: r.get(4)?,
                    authorisation: r.get(5)?,
                })
            })
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agent_takes_the_posts_level_and_village_unless_given() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let village =
            Post { level: PostLevel::Village, township: Some("石门镇".into()), village: Some("石门村".into()) };
        let f = Filing { name: " 李代办 ".into(), id_no: None, level: None, post: None };
        assert_eq!(f.resolve(&village, day).unwrap(), ("李代办".into(), None, Level::Village, Some("石门村".into())));
        assert_eq!(f.resolve(&Post::default(), day).unwrap().2, Level::Township);
        let bad = Filing { id_no: Some("110105194912310021".into()), ..f.clone() };
        assert!(bad.resolve(&village, day).is_err());
        let ok = Filing { id_no: Some("11010519491231002X".into()), ..f };
        assert_eq!(ok.resolve(&village, day).unwrap().1.as_deref(), Some("11010519491231002X"));
        assert!(Filing { name: " ".into(), id_no: None, level: None, post: None }.resolve(&village, day).is_err());
    }
}
