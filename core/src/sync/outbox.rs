//! The outbox: what must reach far systems, and each adapter's delivery state for it.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use yc_adapter_sdk::{AdapterConfig, OutItem};

use super::contract::{CaseSnapshot, ItemKind};
use crate::clock::{Clock, stamp};
use crate::error::{CoreError, Result};
use crate::journal::{Event, hex};
use crate::staff::Actor;
use crate::workstation::Workstation;

/// Called right after a case event is journaled and projected, inside the same transaction:
/// the case row and its outbox row commit together or not at all. The kind and stream come from
/// the item contract ([`ItemKind::for_event`]); the payload carries the case snapshot
/// (`payload.case`) read from the row this event just wrote, so every item of a case says who and
/// what it is about.
pub fn enqueue(tx: &Transaction<'_>, ev: &Event, workstation: &str) -> Result<()> {
    let Some(case_no) = ev.case_no.as_deref() else { return Ok(()) };
    // A workstation in training mode (not yet enrolled) practises: nothing of it leaves.
    if crate::enrollment::in_training(tx)? {
        return Ok(());
    }
    let kind = ItemKind::for_event(&ev.action)
        .ok_or_else(|| CoreError::Invalid(format!("内部错误：事件 {} 没有对应的同步项类型", ev.action)))?;
    let stream = kind.stream().code();
    let (state, due): (String, Option<String>) = tx
        .prepare_cached("SELECT state, due_date FROM cases WHERE case_no = ?1")?
        .query_row([case_no], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let snapshot = CaseSnapshot::read(tx, case_no)?;
    let case_seq: i64 = tx
        .prepare_cached("SELECT count(*) FROM journal WHERE case_no = ?1 AND seq <= ?2")?
        .query_row(params![case_no, ev.seq], |r| r.get(0))?;
    let department = snapshot.department.clone();
    let payload = serde_json::json!({
        "workstation": workstation,
        "case_no": case_no,
        "action": ev.action,
        "actor": ev.actor,
        "role": ev.role,
        "at": ev.at,
        "reason": ev.reason,
        "data": ev.payload,
        "state_after": state,
        "due_date": due,
        "department": department,
        "journal_seq": ev.seq,
        "journal_hash": hex(&ev.hash),
        "case": snapshot,
    });
    let sha = yc_adapter_sdk::payload_sha256(&payload);
    let body = serde_json::to_string(&payload).map_err(|e| CoreError::Invalid(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO outbox (key, journal_seq, stream, kind, case_no, case_seq, department, occurred_at, payload, payload_sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![ev.id, ev.seq, stream, kind.code(), case_no, case_seq, department, ev.at, body, sha])?;
    let outbox_id = tx.last_insert_rowid();
    route(tx, outbox_id, stream, Some(&department), &ev.at)
}

impl Workstation {
    /// An outbox item that is not a journal event (a reply to a status query). It carries no case
    /// order: the case number is in the payload (`case_no`, and the snapshot under `case` when the
    /// case exists), not in the item's `case_no`.
    pub fn enqueue_reply(&self, key: &str, kind: ItemKind, mut payload: serde_json::Value) -> Result<()> {
        let stream = kind.stream().code();
        let at = stamp(&self.clock().now());
        self.store().write(|tx| {
        if crate::enrollment::in_training(tx)? {
            return Ok(());
        }
        let case_no = payload.get("case_no").and_then(|c| c.as_str()).map(str::to_owned);
        if let (Some(no), Some(obj)) = (case_no, payload.as_object_mut()) {
            let snapshot = CaseSnapshot::read(tx, &no)?;
            obj.insert("case".into(), serde_json::to_value(snapshot).map_err(|e| CoreError::Invalid(e.to_string()))?);
        }
        let sha = yc_adapter_sdk::payload_sha256(&payload);
        let body = serde_json::to_string(&payload).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let department = payload.get("department").and_then(|d| d.as_str()).map(str::to_owned);
        let n = tx.prepare_cached(
            "INSERT OR IGNORE INTO outbox (key, journal_seq, stream, kind, case_no, case_seq, department, occurred_at, payload, payload_sha256)
             VALUES (?1, 0, ?2, ?3, NULL, 0, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![key, stream, kind.code(), department, at, body, sha])?;
        if n == 0 {
            return Ok(()); // this reply is queued already (and routed)
        }
        let id = tx.last_insert_rowid();
        route(tx, id, stream, department.as_deref(), &at)
    })
    }
}

fn matches(list: &str, value: Option<&str>) -> bool {
    let items: Vec<String> = serde_json::from_str(list).unwrap_or_default();
    items.iter().any(|i| i == "*" || Some(i.as_str()) == value)
}

/// Whether an adapter's stream list takes `stream`. Notices carry the applicant's phone number:
/// only an adapter that names `notifications` gets them, never one subscribed to `*`.
fn subscribed(list: &str, stream: &str) -> bool {
    if stream == super::contract::Stream::Notifications.code() {
        let items: Vec<String> = serde_json::from_str(list).unwrap_or_default();
        items.iter().any(|i| i == stream)
    } else {
        matches(list, Some(stream))
    }
}

/// Queues an item on a stream that is not the per-case `cases` stream (no case order; the case is
/// named in the payload) under its own idempotency `key`, with the event that caused it, routed
/// like every other item (`routes` read once per transaction).
pub(crate) fn enqueue_item(
    tx: &Transaction<'_>,
    key: &str,
    ev: &Event,
    kind: ItemKind,
    department: Option<&str>,
    payload: &serde_json::Value,
    routes: &mut Routes,
) -> Result<()> {
    let stream = kind.stream().code();
    // The canonical text is valid compact JSON: stored as the body, it is hashed once.
    let body = yc_adapter_sdk::canonical_json(payload);
    let sha = yc_adapter_sdk::sha256_hex(body.as_bytes());
    tx.prepare_cached(
        "INSERT INTO outbox (key, journal_seq, stream, kind, case_no, case_seq, department, occurred_at, payload, payload_sha256)
         VALUES (?1, ?2, ?3, ?4, NULL, 0, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![key, ev.seq, stream, kind.code(), department, ev.at, body, sha])?;
    let id = tx.last_insert_rowid();
    routes.route(tx, id, stream, department, &ev.at)
}

/// A delivery row for every adapter subscribed to the item's stream and department, paused ones
/// included: a paused adapter's items wait for it and go when it is resumed.
pub(crate) fn route(
    tx: &Transaction<'_>,
    outbox_id: i64,
    stream: &str,
    department: Option<&str>,
    at: &str,
) -> Result<()> {
    Routes::load(tx)?.route(tx, outbox_id, stream, department, at)
}

/// The adapters' subscriptions read once, for a writer that queues many items in one transaction
/// (a monitor run queues thousands of hits); [`route`] for one item.
pub(crate) struct Routes {
    adapters: Vec<(String, String, String)>,
    targets: std::collections::HashMap<(String, Option<String>), Vec<String>>,
}

impl Routes {
    pub(crate) fn load(tx: &Transaction<'_>) -> Result<Self> {
        let mut st = tx.prepare_cached("SELECT name, streams, departments FROM adapters")?;
        let adapters = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Self { adapters, targets: std::collections::HashMap::new() })
    }

    pub(crate) fn route(
        &mut self,
        tx: &Transaction<'_>,
        outbox_id: i64,
        stream: &str,
        department: Option<&str>,
        at: &str,
    ) -> Result<()> {
        let adapters = &self.adapters;
        let targets = self.targets.entry((stream.to_owned(), department.map(str::to_owned))).or_insert_with(|| {
            adapters
                .iter()
                .filter(|(_, s, d)| subscribed(s, stream) && matches(d, department))
                .map(|(n, _, _)| n.clone())
                .collect()
        });
        let mut ins = tx.prepare_cached(
            "INSERT OR IGNORE INTO outbox_delivery (adapter, outbox_id, state, state_since) VALUES (?1, ?2, 'pending', ?3)",
        )?;
        for name in targets.iter() {
            ins.execute(params![name, outbox_id, at])?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdapterRegistration {
    pub config: AdapterConfig,
    /// Outbox streams routed to this adapter; `["*"]` = all.
    pub streams: Vec<String>,
    /// Departments routed to this adapter (a vertical department's own system gets only its
    /// cases); `["*"]` = all.
    pub departments: Vec<String>,
    /// Also queue everything already in the outbox (a new platform link that must catch up).
    pub backfill: bool,
    /// The administrator has confirmed the program a process adapter runs (see
    /// [`program_to_confirm`]); other kinds ignore it.
    pub program_confirmed: bool,
}

/// What an administrator must agree to before an adapter is registered: a process adapter runs a
/// program on this PC at every sync, with the workstation's data. `None` for the built-in kinds.
pub fn program_to_confirm(config: &AdapterConfig) -> Option<String> {
    match (&config.kind, &config.process) {
        (yc_adapter_sdk::AdapterKind::Process, Some(spec)) => Some(format!(
            "适配器“{}”将在每次同步时运行程序：{}。确认这是信息中心提供的适配器吗？",
            config.name,
            spec.command.join(" ")
        )),
        (yc_adapter_sdk::AdapterKind::Process, None) => {
            Some(format!("适配器“{}”是进程适配器，但没有配置要运行的程序", config.name))
        }
        _ => None,
    }
}

impl Workstation {
    /// Registers (or re-configures) an adapter. Admin only.
    pub fn register_adapter(&self, by: &Actor, reg: &AdapterRegistration) -> Result<()> {
        by.require_role(crate::case::Role::Admin, "配置同步适配器")?;
        if let Some(question) = program_to_confirm(&reg.config).filter(|_| !reg.program_confirmed) {
            return Err(CoreError::NeedsConfirm(question));
        }
        let name = reg.config.name.trim();
        if name.is_empty() {
            return Err(CoreError::Invalid("适配器名称不能为空".into()));
        }
        let now = self.clock().now();
        self.store().write(|tx| upsert_adapter(tx, by, reg, now))
    }
}

/// The registration's row and its journal event, inside the caller's transaction (`yc adapter
/// add`, or an adapter a city package configures: crate::provisioning).
pub(crate) fn upsert_adapter(
    tx: &Transaction<'_>,
    by: &Actor,
    reg: &AdapterRegistration,
    at: chrono::DateTime<chrono::FixedOffset>,
) -> Result<()> {
    let name = reg.config.name.trim();
    let now = stamp(&at);
    let config = serde_json::to_string(&reg.config).map_err(|e| CoreError::Invalid(e.to_string()))?;
    let kind = crate::workstation::enum_code(&reg.config.kind);
    let streams = serde_json::to_string(&reg.streams).map_err(|e| CoreError::Invalid(e.to_string()))?;
    let depts = serde_json::to_string(&reg.departments).map_err(|e| CoreError::Invalid(e.to_string()))?;
    tx.execute(
        "INSERT INTO adapters (name, kind, config, streams, departments, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, config = excluded.config, streams = excluded.streams,
                 departments = excluded.departments, enabled = 1",
        params![name, kind, config, streams, depts, now],
    )?;
    if reg.backfill {
        let mut st = tx.prepare("SELECT id, stream, department FROM outbox ORDER BY id")?;
        let rows: Vec<(i64, String, Option<String>)> =
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
        for (id, stream, dept) in rows {
            if subscribed(&streams, &stream) && matches(&depts, dept.as_deref()) {
                tx.prepare_cached(
                        "INSERT OR IGNORE INTO outbox_delivery (adapter, outbox_id, state, state_since) VALUES (?1, ?2, 'pending', ?3)",
                    )?
                    .execute(params![name, id, now])?;
            }
        }
    }
    let payload =
        serde_json::json!({ "name": name, "kind": kind, "streams": reg.streams, "departments": reg.departments });
    crate::journal::append_admin(tx, by, crate::events::SYNC_ADAPTER, at, payload, None).map(drop)
}

impl Workstation {
    pub fn adapter_config(&self, name: &str) -> Result<AdapterConfig> {
        let conn = self.store().reader()?;
        let cfg: Option<String> =
            conn.query_row("SELECT config FROM adapters WHERE name = ?1", [name], |r| r.get(0)).optional()?;
        let cfg = cfg.ok_or_else(|| CoreError::Invalid(format!("没有名为 {name} 的同步适配器")))?;
        serde_json::from_str(&cfg).map_err(|e| CoreError::Invalid(format!("适配器 {name} 配置损坏：{e}")))
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize)]
pub struct Backlog {
    pub pending: i64,
    pub sending: i64,
    pub sent: i64,
    pub acked: i64,
    pub failed: i64,
    pub quarantined: i64,
    pub discarded: i64,
}

/// An adapter's health as the sync panel and `yc sync status` show it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdapterState {
    /// Registered, never run.
    #[default]
    Idle,
    Running,
    /// The last run reached the far side and everything sent was answered.
    Ok,
    /// The last run hit a transient failure (link down, items unanswered, wrong acks): the
    /// next run retries by itself.
    Degraded,
    /// Configuration or credentials: nothing moves until an administrator acts.
    NeedsOperator,
}

impl AdapterState {
    pub fn code(self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Running => "running",
            Self::Ok => "ok",
            Self::Degraded => "degraded",
            Self::NeedsOperator => "needs_operator",
        }
    }

    /// The stored code back; an unknown code (a newer program wrote it) reads as degraded, so it
    /// is looked at rather than hidden.
    pub fn parse(code: &str) -> Self {
        match code {
            "idle" => Self::Idle,
            "running" => Self::Running,
            "ok" => Self::Ok,
            "needs_operator" => Self::NeedsOperator,
            _ => Self::Degraded,
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Idle => "未运行",
            Self::Running => "同步中",
            Self::Ok => "正常",
            Self::Degraded => "连接异常",
            Self::NeedsOperator => "需管理员处理",
        }
    }

    /// The state an error leaves an adapter in.
    pub fn after(e: &yc_adapter_sdk::AdapterError) -> Self {
        if e.class == yc_adapter_sdk::ErrorClass::Auth { Self::NeedsOperator } else { Self::Degraded }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct AdapterStatus {
    pub name: String,
    pub kind: yc_adapter_sdk::AdapterKind,
    pub enabled: bool,
    pub state: AdapterState,
    pub streams: Vec<String>,
    pub departments: Vec<String>,
    pub last_run_at: Option<String>,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    pub last_error_class: Option<yc_adapter_sdk::ErrorClass>,
    pub last_error_at: Option<String>,
    pub backlog: Backlog,
    /// The oldest item not yet acknowledged: users lose trust when "sending" lasts forever.
    pub oldest_unacked_since: Option<String>,
    pub inbox_received: i64,
    pub inbox_failed: i64,
    /// The journal head this adapter's far side last signed for (crate::anchor), and when it
    /// received it (the far side's clock); `None` if it never anchored.
    pub anchored_seq: Option<i64>,
    pub anchored_at: Option<String>,
}

impl Workstation {
    pub fn sync_status(&self) -> Result<Vec<AdapterStatus>> {
        let conn = self.store().reader()?;
        let mut st = conn.prepare(
            "SELECT name, kind, enabled, state, streams, departments, last_run_at, last_success_at, last_error,
                last_error_class, last_error_at FROM adapters ORDER BY name",
        )?;
        let mut out: Vec<AdapterStatus> = st
            .query_map([], |r| {
                Ok(AdapterStatus {
                    name: r.get(0)?,
                    kind: coded(r, 1)?,
                    enabled: r.get(2)?,
                    state: AdapterState::parse(&r.get::<_, String>(3)?),
                    streams: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or_default(),
                    departments: serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or_default(),
                    last_run_at: r.get(6)?,
                    last_success_at: r.get(7)?,
                    last_error: r.get(8)?,
                    last_error_class: coded_opt(r, 9)?,
                    last_error_at: r.get(10)?,
                    backlog: Backlog::default(),
                    oldest_unacked_since: None,
                    inbox_received: 0,
                    inbox_failed: 0,
                    anchored_seq: None,
                    anchored_at: None,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        for a in &mut out {
            let mut q =
                conn.prepare_cached("SELECT state, count(*) FROM outbox_delivery WHERE adapter = ?1 GROUP BY state")?;
            let rows = q.query_map([&a.name], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (s, n) = row?;
                let b = &mut a.backlog;
                match DeliveryState::parse(&s) {
                    Some(DeliveryState::Pending) => b.pending = n,
                    Some(DeliveryState::Sending) => b.sending = n,
                    Some(DeliveryState::Sent) => b.sent = n,
                    Some(DeliveryState::Acked) => b.acked = n,
                    Some(DeliveryState::Failed) => b.failed = n,
                    Some(DeliveryState::Quarantined) => b.quarantined = n,
                    Some(DeliveryState::Discarded) | None => b.discarded = n,
                }
            }
            a.oldest_unacked_since = conn
                .prepare_cached(
                    "SELECT min(o.occurred_at) FROM outbox_delivery d JOIN outbox o ON o.id = d.outbox_id
                 WHERE d.adapter = ?1 AND d.state NOT IN ('acked', 'discarded')",
                )?
                .query_row([&a.name], |r| r.get(0))?;
            let (recv, failed): (i64, i64) = conn.prepare_cached(
            "SELECT count(*), coalesce(sum(state = 'failed' OR state = 'rejected'), 0) FROM inbox WHERE adapter = ?1",
        )?
        .query_row([&a.name], |r| Ok((r.get(0)?, r.get(1)?)))?;
            a.inbox_received = recv;
            a.inbox_failed = failed;
            if let Some((seq, at)) = conn
                .prepare_cached(
                    "SELECT seq, received_at FROM journal_anchors WHERE adapter = ?1 ORDER BY seq DESC LIMIT 1",
                )?
                .query_row([&a.name], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
            {
                a.anchored_seq = Some(seq);
                a.anchored_at = Some(at);
            }
        }
        Ok(out)
    }
}

/// Where one outbox item stands for one adapter (`outbox_delivery.state`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for the next run (or its retry time).
    Pending,
    /// Handed to the adapter in the run now going.
    Sending,
    /// Sent, the far side's acknowledgement not yet in.
    Sent,
    /// The far side confirmed it: done.
    Acked,
    /// A transient failure; retried with backoff.
    Failed,
    /// Refused for good by the far side: waits for an administrator (retry or discard).
    Quarantined,
    /// Discarded by an administrator (journaled); kept for the audit trail.
    Discarded,
}

impl DeliveryState {
    pub const ALL: &'static [DeliveryState] = &[
        DeliveryState::Pending,
        DeliveryState::Sending,
        DeliveryState::Sent,
        DeliveryState::Acked,
        DeliveryState::Failed,
        DeliveryState::Quarantined,
        DeliveryState::Discarded,
    ];

    /// Stable code used in storage and the CLI.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Acked => "acked",
            Self::Failed => "failed",
            Self::Quarantined => "quarantined",
            Self::Discarded => "discarded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|x| x.code() == s)
    }
}

impl std::fmt::Display for DeliveryState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRow {
    pub adapter: String,
    pub outbox_id: i64,
    pub key: String,
    #[cfg_attr(feature = "ts", ts(type = "ItemKind"))]
    pub kind: ItemKind,
    pub case_no: Option<String>,
    pub case_seq: i64,
    pub state: DeliveryState,
    pub attempts: i64,
    pub state_since: String,
    pub last_error: Option<String>,
    pub last_error_detail: Option<String>,
    pub last_error_class: Option<yc_adapter_sdk::ErrorClass>,
}

impl Workstation {
    /// Items in quarantine (or in `state`), with the far side's reply.
    pub fn deliveries(&self, adapter: Option<&str>, state: DeliveryState, limit: usize) -> Result<Vec<DeliveryRow>> {
        let conn = self.store().reader()?;
        let mut st = conn.prepare_cached(
            "SELECT d.adapter, d.outbox_id, o.key, o.kind, o.case_no, o.case_seq, d.state, d.attempts, d.state_since,
                d.last_error, d.last_error_detail, d.last_error_class
         FROM outbox_delivery d JOIN outbox o ON o.id = d.outbox_id
         WHERE d.state = ?1 AND (?2 IS NULL OR d.adapter = ?2) ORDER BY d.outbox_id LIMIT ?3",
        )?;
        let rows = st.query_map(params![state.code(), adapter, i64::try_from(limit).unwrap_or(100)], |r| {
            Ok(DeliveryRow {
                adapter: r.get(0)?,
                outbox_id: r.get(1)?,
                key: r.get(2)?,
                kind: {
                    let code: String = r.get(3)?;
                    ItemKind::parse(&code).ok_or_else(|| {
                        rusqlite::Error::FromSqlConversionFailure(
                            3,
                            rusqlite::types::Type::Text,
                            format!("未知的同步项类型：{code}").into(),
                        )
                    })?
                },
                case_no: r.get(4)?,
                case_seq: r.get(5)?,
                // The query selects rows in `state`.
                state,
                attempts: r.get(7)?,
                state_since: r.get(8)?,
                last_error: r.get(9)?,
                last_error_detail: r.get(10)?,
                last_error_class: coded_opt(r, 11)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Workstation {
    /// An admin sends a quarantined item again (after the far side or the data was fixed), or
    /// discards it. Both are journaled; a discarded item stays in the outbox for the audit trail.
    pub fn resolve_quarantine(
        &self,
        by: &Actor,
        adapter: &str,
        outbox_id: i64,
        retry: bool,
        reason: Option<&str>,
    ) -> Result<()> {
        by.require_role(crate::case::Role::Admin, if retry { "重试隔离项" } else { "丢弃隔离项" })?;
        if !retry && reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(CoreError::Missing { action: "丢弃隔离项".into(), field: "理由".into() });
        }
        let now = self.clock().now();
        self.store().write(|tx| {
            let n = tx.execute(
                "UPDATE outbox_delivery SET state = ?3, attempts = CASE WHEN ?4 THEN 0 ELSE attempts END,
                next_attempt_ms = 0, state_since = ?5
             WHERE adapter = ?1 AND outbox_id = ?2 AND state = 'quarantined'",
                params![
                    adapter,
                    outbox_id,
                    if retry { DeliveryState::Pending } else { DeliveryState::Discarded }.code(),
                    retry,
                    stamp(&now)
                ],
            )?;
            if n == 0 {
                return Err(CoreError::Invalid(format!("适配器 {adapter} 没有隔离中的第 {outbox_id} 项")));
            }
            let action = if retry { crate::events::SYNC_RETRY } else { crate::events::SYNC_DISCARD };
            crate::journal::append_admin(
                tx,
                by,
                action,
                now,
                serde_json::json!({ "adapter": adapter, "outbox_id": outbox_id }),
                reason,
            )
            .map(drop)
        })
    }
}

impl Workstation {
    /// An admin pauses an adapter (a department system under maintenance) or resumes it. Items keep
    /// queueing while it is paused; nothing is lost. Journaled.
    pub fn set_adapter_enabled(&self, by: &Actor, adapter: &str, enabled: bool, reason: Option<&str>) -> Result<()> {
        by.require_role(crate::case::Role::Admin, if enabled { "启用同步适配器" } else { "停用同步适配器" })?;
        let now = self.clock().now();
        self.store().write(|tx| {
            let n = tx.execute("UPDATE adapters SET enabled = ?2 WHERE name = ?1", params![adapter, enabled])?;
            if n == 0 {
                return Err(CoreError::Invalid(format!("没有名为 {adapter} 的同步适配器")));
            }
            let action = if enabled { crate::events::SYNC_ENABLE } else { crate::events::SYNC_DISABLE };
            crate::journal::append_admin(tx, by, action, now, serde_json::json!({ "adapter": adapter }), reason)
                .map(drop)
        })
    }
}

impl Workstation {
    /// An admin removes an adapter: its delivery rows and cursors go, the outbox items stay (other
    /// adapters and the journal still hold them) and what it received stays in the inbox. Items not
    /// yet confirmed by that far side would never reach it: refused unless `force`. Journaled with
    /// the reason and the count of unconfirmed items given up.
    pub fn remove_adapter(&self, by: &Actor, adapter: &str, reason: &str, force: bool) -> Result<()> {
        by.require_role(crate::case::Role::Admin, "删除同步适配器")?;
        if reason.trim().is_empty() {
            return Err(CoreError::Invalid("删除同步适配器须说明原因".into()));
        }
        let now = self.clock().now();
        self.store().write(|tx| {
        let kind: Option<String> =
            tx.query_row("SELECT kind FROM adapters WHERE name = ?1", [adapter], |r| r.get(0)).optional()?;
        let Some(kind) = kind else {
            return Err(CoreError::Invalid(format!("没有名为 {adapter} 的同步适配器")));
        };
        let unconfirmed: i64 = tx.query_row(
            "SELECT count(*) FROM outbox_delivery WHERE adapter = ?1 AND state NOT IN ('acked', 'discarded')",
            [adapter],
            |r| r.get(0),
        )?;
        if unconfirmed > 0 && !force {
            return Err(CoreError::Invalid(format!(
                "同步适配器 {adapter} 还有 {unconfirmed} 项未被对端确认；删除后这些项不会再发往该系统。确需删除请加 --force 并说明原因"
            )));
        }
        tx.execute("DELETE FROM outbox_delivery WHERE adapter = ?1", [adapter])?;
        tx.execute("DELETE FROM sync_cursors WHERE adapter = ?1", [adapter])?;
        tx.execute("DELETE FROM adapters WHERE name = ?1", [adapter])?;
        let payload = serde_json::json!({ "adapter": adapter, "kind": kind, "unconfirmed_given_up": unconfirmed });
        crate::journal::append_admin(tx, by, crate::events::SYNC_REMOVE, now, payload, Some(reason)).map(drop)
    })
    }
}

/// Real time in unix milliseconds, for backoff (the case clock may be frozen in a demo).
pub(crate) fn now_ms() -> i64 {
    Clock::System.now().timestamp_millis()
}

#[allow(clippy::too_many_arguments)] // one per outbox column
pub(crate) fn to_out_item(
    key: String,
    stream: String,
    case_no: Option<String>,
    case_seq: i64,
    kind: String,
    occurred_at: String,
    payload: &str,
    sha: String,
) -> OutItem {
    OutItem {
        key,
        stream,
        case_no,
        seq: u64::try_from(case_seq).unwrap_or(0),
        kind,
        occurred_at,
        payload: serde_json::from_str(payload).unwrap_or(serde_json::Value::Null),
        payload_sha256: sha,
    }
}

/// A column holding a serde code (`city-extranet`, `transient`) read back into its enum; a code
/// this program does not know is a read error, not a string passed on.
fn coded<T: serde::de::DeserializeOwned>(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<T> {
    let text: String = r.get(i)?;
    serde_json::from_value(serde_json::Value::String(text))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

fn coded_opt<T: serde::de::DeserializeOwned>(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<T>> {
    match r.get::<_, Option<String>>(i)? {
        None => Ok(None),
        Some(_) => coded(r, i).map(Some),
    }
}
