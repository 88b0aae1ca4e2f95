//! Applying what arrived: online applications become cases, catalog versions and calendar years
//! are imported, department opinions join the case's journal. A failure is kept with its reason
//! (never dropped) and does not stop the rest.

use rusqlite::params;
use serde::Serialize;

use crate::case::Role;
use crate::error::{CoreError, Result};
use crate::intake::NewCase;
use crate::staff::{ALL_DEPARTMENTS, Actor};
use crate::workstation::Workstation;

#[derive(Debug, Clone, Default, Serialize)]
pub struct ApplyReport {
    pub applied: u64,
    pub failed: u64,
    /// Kept for a later pass: a theme branch's decision that arrived before the branch could
    /// take it (not yet accepted, waiting on a predecessor).
    pub deferred: u64,
}

/// What applying one item did: done (applied), or left in the inbox to try again.
enum Applied {
    Done(String),
    Deferred(String),
}

fn system_actor(adapter: &str, role: Role) -> Actor {
    Actor {
        id: format!("sync:{adapter}"),
        name: format!("同步（{adapter}）"),
        roles: vec![role],
        departments: vec![ALL_DEPARTMENTS.into()],
    }
}

fn apply_one(
    ws: &Workstation,
    adapter: &str,
    key: &str,
    kind: &str,
    case_no: Option<&str>,
    payload: &serde_json::Value,
) -> Result<Applied> {
    // A theme branch's reply goes to the branch exactly once (crate::theme::reply).
    if let (Some(reply), Some(no)) = (crate::theme::reply::ReplyKind::parse(kind), case_no)
        && crate::theme::board::theme_of(&*ws.store().reader()?, no)?.is_some()
    {
        use crate::theme::reply::ReplyOutcome;
        return Ok(match ws.apply_branch_reply(adapter, no, reply, key, payload)? {
            ReplyOutcome::Applied(m) | ReplyOutcome::Unchanged(m) => Applied::Done(m),
            ReplyOutcome::Deferred(m) => Applied::Deferred(m),
        });
    }
    apply_plain(ws, adapter, kind, case_no, payload).map(Applied::Done)
}

fn apply_plain(
    ws: &Workstation,
    adapter: &str,
    kind: &str,
    case_no: Option<&str>,
    payload: &serde_json::Value,
) -> Result<String> {
    match kind {
        "application.online" => {
            let mut req: NewCase = serde_json::from_value(payload.clone())
                .map_err(|e| CoreError::Invalid(format!("网上申报内容不完整：{e}")))?;
            req.channel = Some(crate::case::Channel::Online);
            let no = ws.new_case(&system_actor(adapter, Role::Clerk), &req)?;
            Ok(format!("已生成办件 {no}"))
        }
        "catalog.version" => {
            let text = payload
                .get("catalog")
                .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_owned))
                .unwrap_or_default();
            let v = ws.import_catalog(&system_actor(adapter, Role::Admin), &text)?;
            Ok(format!("已导入事项目录第 {} 版", v.version))
        }
        "calendar.update" => {
            let text = payload
                .get("calendar")
                .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_owned))
                .unwrap_or_default();
            let y = ws.import_calendar(&system_actor(adapter, Role::Admin), &text)?;
            Ok(format!("已导入 {y} 年工作日历"))
        }
        "trust.bundle" => {
            // The bundle's own signature (by a pinned root) is what makes it trusted, not the
            // channel it came by; an older version is refused (no rollback past a revocation).
            let text = payload
                .get("bundle")
                .map(|b| b.as_str().map_or_else(|| b.to_string(), str::to_owned))
                .unwrap_or_default();
            let v = ws.import_trust_bundle(text.as_bytes(), &format!("sync:{adapter}"))?;
            Ok(format!("已更新印章信任包至第 {v} 版"))
        }
        "status.query" => {
            // The platform asks where a case stands: answer through the outbox.
            let case_no = case_no.ok_or_else(|| CoreError::Invalid("进度查询未注明办件编号".into()))?;
            let s = ws.case_summary(case_no)?;
            let body = serde_json::to_value(&s).map_err(|e| CoreError::Invalid(e.to_string()))?;
            ws.enqueue_reply(
                &format!("status:{adapter}:{case_no}:{}", ws.clock().now().timestamp_millis()),
                super::contract::ItemKind::CaseStatus,
                body,
            )?;
            Ok(format!("已回复办件 {case_no} 的办理进度（{}）", s.state_zh))
        }
        "opinion" | "decision" => {
            let case_no = case_no.ok_or_else(|| CoreError::Invalid("部门意见未注明办件编号".into()))?;
            ws.record_department_opinion(adapter, case_no, kind, payload)?;
            Ok(format!("已记入办件 {case_no} 的办理过程"))
        }
        "licence.record" => {
            // The licence library (证照库) sends a licence or its new status.
            let l = ws.record_licence_from_sync(adapter, payload)?;
            Ok(format!("已登记电子证照 {}（{}，{}）", l.licence_id, l.type_name, l.status.zh()))
        }
        "appointment.booking" => {
            // The online hall (网上大厅) books a slot; its booking id makes a redelivery a no-op.
            let (b, made) = ws.book_appointment_from_sync(adapter, payload)?;
            Ok(if made {
                format!("已登记网上预约 {}（{} {}）", b.booking_id, b.date, b.start)
            } else {
                format!("网上预约 {} 已登记过（{}），未重复登记", b.external_ref.unwrap_or_default(), b.booking_id)
            })
        }
        "evaluation.rating" => {
            let r = ws.record_rating_from_sync(adapter, payload)?;
            Ok(format!("已登记评价{}", r.work_order.map(|w| format!("，差评工单 {w}")).unwrap_or_default()))
        }
        other => Err(CoreError::Invalid(format!("未知的入站类型：{other}"))),
    }
}

impl Workstation {
    pub fn apply_inbox(&self) -> Result<ApplyReport> {
        let mut rep = ApplyReport::default();
        // Another pass while the last one both applied something and deferred something: a
        // deferred reply may have waited on one applied after it (replies out of order).
        loop {
            let (progressed, deferred) = self.apply_inbox_pass(&mut rep)?;
            if deferred == 0 || !progressed {
                rep.deferred = deferred;
                return Ok(rep);
            }
        }
    }

    fn apply_inbox_pass(&self, rep: &mut ApplyReport) -> Result<(bool, u64)> {
        #[allow(clippy::type_complexity)]
        let rows: Vec<(i64, String, String, String, Option<String>, String)> = {
            let conn = self.store().reader()?;
            let mut st = conn.prepare(
                "SELECT id, adapter, key, kind, case_no, payload FROM inbox WHERE state = 'received' ORDER BY id",
            )?;
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        let (mut progressed, mut deferred) = (false, 0);
        for (id, adapter, key, kind, case_no, payload) in rows {
            let payload: serde_json::Value = serde_json::from_str(&payload).unwrap_or_default();
            let (state, result) = match apply_one(self, &adapter, &key, &kind, case_no.as_deref(), &payload) {
                Ok(Applied::Done(r)) => {
                    rep.applied += 1;
                    (InboxState::Applied, r)
                }
                Ok(Applied::Deferred(r)) => {
                    deferred += 1;
                    (InboxState::Received, r)
                }
                Err(e) => {
                    rep.failed += 1;
                    (InboxState::Failed, e.to_string())
                }
            };
            progressed |= state != InboxState::Received;
            self.store().write(|tx| {
                tx.execute(
                    "UPDATE inbox SET state = ?2, result = ?3 WHERE id = ?1",
                    params![id, state.code(), result],
                )?;
                Ok(())
            })?;
        }
        Ok((progressed, deferred))
    }
}

/// Where an inbox item stands (`inbox.state`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxState {
    /// Stored, not yet applied.
    Received,
    Applied,
    /// Applying it failed; `result` says why. Kept, never dropped.
    Failed,
    /// Refused on arrival (payload hash mismatch, malformed item).
    Rejected,
}

impl InboxState {
    pub const ALL: &'static [InboxState] =
        &[InboxState::Received, InboxState::Applied, InboxState::Failed, InboxState::Rejected];

    /// Stable code used in storage and the CLI.
    pub fn code(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Applied => "applied",
            Self::Failed => "failed",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|x| x.code() == s)
    }
}

impl std::fmt::Display for InboxState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct InboxRow {
    pub id: i64,
    pub adapter: String,
    pub stream: String,
    pub key: String,
    pub kind: String,
    pub case_no: Option<String>,
    pub received_at: String,
    pub state: InboxState,
    pub result: Option<String>,
}

impl Workstation {
    pub fn inbox_items(&self, state: Option<InboxState>, limit: usize) -> Result<Vec<InboxRow>> {
        let conn = self.store().reader()?;
        let mut st = conn.prepare_cached(
            "SELECT id, adapter, stream, key, kind, case_no, received_at, state, result FROM inbox
         WHERE ?1 IS NULL OR state = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = st.query_map(params![state.map(InboxState::code), i64::try_from(limit).unwrap_or(100)], |r| {
            Ok(InboxRow {
                id: r.get(0)?,
                adapter: r.get(1)?,
                stream: r.get(2)?,
                key: r.get(3)?,
                kind: r.get(4)?,
                case_no: r.get(5)?,
                received_at: r.get(6)?,
                state: crate::query::coded_required(r, 7, InboxState::parse)?,
                result: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
