//! One sync run for one adapter: push the outbox, pull into the inbox, apply, record health.
//! Re-running is always safe: far sides dedupe on the idempotency key, the inbox on
//! (adapter, stream, key), and cursors are saved only together with what they cover.

use std::collections::HashMap;

use ring::rand::SecureRandom;
use rusqlite::params;
use serde::Serialize;
use yc_adapter_sdk::{Adapter, AdapterError, ErrorClass, HealthStatus, OutItem};

use super::outbox::{AdapterState, now_ms, to_out_item};
use crate::clock::stamp;
use crate::error::{CoreError, Result};
use crate::workstation::Workstation;

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Items per push (batches, not one record per message).
    pub batch: usize,
    /// First retry delay; doubles per attempt up to `backoff_max_ms`, with ±50 % jitter so a
    /// hall full of workstations does not retry in step.
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    pub pull_max: usize,
    /// Bounds one run (a run is "catch up now", the next run continues).
    pub max_batches: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self { batch: 500, backoff_base_ms: 2_000, backoff_max_ms: 300_000, pull_max: 500, max_batches: 10_000 }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunReport {
    pub adapter: String,
    pub pushed: u64,
    pub acked: u64,
    pub failed: u64,
    pub quarantined: u64,
    pub pulled: u64,
    pub applied: u64,
    pub inbox_failed: u64,
    /// Why the run stopped early (link down, credentials), or what went wrong although it ran
    /// to the end (unanswered items, acks for keys that were never sent), in Chinese.
    pub stopped: Option<String>,
    /// The adapter's state after the run: what a script's exit code is made from.
    pub state: AdapterState,
    /// The journal head a far side signed for in this run (crate::anchor), if any.
    pub anchored: Option<i64>,
    /// Why an anchoring far side was not shown the head (nobody logged in on a demo).
    pub anchor_skipped: Option<String>,
    /// The head left for a far side that answers later (file exchange), and what it said: its
    /// receipt comes back with a later pass.
    pub anchor_pending: Option<(i64, String)>,
    /// Sealed documents that got their document timestamp in this run (B-B → B-T/B-LT,
    /// crate::timestamping), through an adapter that announced `timestamp`.
    pub stamped: u64,
    /// Why documents stay B-B (TSA refusal, a reply that is not for our request, an untrusted
    /// TSA), one line per document, in Chinese; they are tried again next run.
    pub stamp_errors: Vec<String>,
}

fn backoff_ms(opts: &SyncOptions, attempts: i64) -> i64 {
    let exp = u32::try_from(attempts.clamp(1, 30) - 1).unwrap_or(0);
    let base = opts.backoff_base_ms.saturating_mul(1u64 << exp.min(20)).min(opts.backoff_max_ms);
    let mut b = [0u8; 2];
    let jitter = if ring::rand::SystemRandom::new().fill(&mut b).is_ok() {
        f64::from(u16::from_le_bytes(b)) / 65535.0
    } else {
        0.5
    };
    // Deliberate float math: a delay needs no exactness.
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss, clippy::cast_sign_loss)]
    let ms = (base as f64 * (0.5 + jitter)) as i64;
    ms.max(1)
}

struct Candidate {
    outbox_id: i64,
    item: OutItem,
}

/// Due items in outbox order, keeping per-case order: an item goes only when every earlier item
/// of its case is acknowledged, so at most one item per case is in flight. (Sending a case's
/// next item in the same batch would let the far side apply it after its predecessor was
/// refused.) Batches still span many cases.
fn next_batch(ws: &Workstation, adapter: &str, limit: usize) -> Result<Vec<Candidate>> {
    let conn = ws.store().reader()?;
    let mut st = conn.prepare_cached(
        "SELECT d.outbox_id, o.key, o.stream, o.case_no, o.case_seq, o.kind, o.occurred_at, o.payload, o.payload_sha256
         FROM outbox_delivery d JOIN outbox o ON o.id = d.outbox_id
         WHERE d.adapter = ?1 AND d.state IN ('pending', 'failed') AND d.next_attempt_ms <= ?2
         ORDER BY d.outbox_id LIMIT ?3",
    )?;
    let rows = st.query_map(params![adapter, now_ms(), i64::try_from(limit * 2).unwrap_or(1000)], |r| {
        Ok(Candidate {
            outbox_id: r.get(0)?,
            item: to_out_item(
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                &r.get::<_, String>(7)?,
                r.get(8)?,
            ),
        })
    })?;
    let mut unacked: HashMap<String, Vec<u64>> = HashMap::new();
    let mut out = Vec::new();
    let mut q = conn.prepare_cached(
        "SELECT o.case_seq FROM outbox_delivery d JOIN outbox o ON o.id = d.outbox_id
         WHERE d.adapter = ?1 AND o.case_no = ?2 AND d.state NOT IN ('acked', 'discarded') ORDER BY o.case_seq",
    )?;
    for c in rows {
        let c = c?;
        if let Some(case_no) = c.item.case_no.clone() {
            if !unacked.contains_key(&case_no) {
                let seqs = q
                    .query_map(params![adapter, case_no], |r| r.get::<_, i64>(0))?
                    .map(|s| s.map(|s| u64::try_from(s).unwrap_or(0)))
                    .collect::<rusqlite::Result<_>>()?;
                unacked.insert(case_no.clone(), seqs);
            }
            let queue = unacked.get_mut(&case_no).ok_or_else(|| CoreError::Invalid("内部错误".into()))?;
            if queue.first() != Some(&c.item.seq) {
                continue; // an earlier item of this case is still on its way (or quarantined)
            }
            queue.clear(); // the rest of this case waits for this one's ack
        }
        out.push(c);
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

impl Workstation {
    /// One sync pass, as `yc sync` and the desktop's background worker run it: every enabled adapter
    /// (or only `only`), each built by `build` from its stored config *inside* this future — a
    /// process adapter's child must be spawned within the runtime that drives it — started, run
    /// once and shut down. One adapter's failure is recorded in its report and never stops the
    /// others.
    pub async fn sync_pass<A, F>(&self, only: Option<&str>, opts: &SyncOptions, mut build: F) -> Result<Vec<RunReport>>
    where
        A: Adapter,
        F: FnMut(&yc_adapter_sdk::AdapterConfig) -> std::result::Result<A, AdapterError>,
    {
        let all = self.sync_status()?;
        let names: Vec<String> = match only {
            Some(name) => match all.iter().find(|a| a.name == name) {
                None => return Err(CoreError::Invalid(format!("没有名为 {name} 的同步适配器"))),
                Some(a) if !a.enabled => {
                    return Err(CoreError::Invalid(format!(
                        "同步适配器 {name} 已暂停（yc adapter resume {name} 后再同步）"
                    )));
                }
                Some(a) => vec![a.name.clone()],
            },
            None => all.into_iter().filter(|a| a.enabled).map(|a| a.name).collect(),
        };
        if names.is_empty() {
            return Err(CoreError::Invalid(
                "没有启用的同步适配器（yc adapter add CONFIG，或 yc adapter resume NAME）".into(),
            ));
        }
        let mut reports = Vec::with_capacity(names.len());
        for name in &names {
            let cfg = self.adapter_config(name)?;
            reports.push(self.sync_started(name, build(&cfg), opts).await?);
        }
        Ok(reports)
    }
}

impl Workstation {
    /// One pass of an adapter that was just started (or failed to start): a start failure is
    /// recorded and reported, a started adapter runs `sync_once` and is shut down whatever the outcome.
    pub async fn sync_started<A: Adapter>(
        &self,
        name: &str,
        started: std::result::Result<A, AdapterError>,
        opts: &SyncOptions,
    ) -> Result<RunReport> {
        match started {
            Ok(mut adapter) => {
                let r = self.sync_once(name, &mut adapter, opts).await;
                let _ = adapter.shutdown().await;
                r
            }
            Err(e) => {
                self.record_adapter_start_failure(name, &e)?;
                Ok(RunReport {
                    adapter: name.to_owned(),
                    stopped: Some(e.to_string()),
                    state: AdapterState::after(&e),
                    ..Default::default()
                })
            }
        }
    }
}

impl Workstation {
    /// Records that an adapter could not even be started (bad settings, missing program), so the
    /// sync panel shows why instead of a silent "idle".
    pub fn record_adapter_start_failure(&self, name: &str, e: &AdapterError) -> Result<()> {
        set_adapter(self, name, AdapterState::after(e), Some(e))
    }
}

fn set_adapter(ws: &Workstation, name: &str, state: AdapterState, err: Option<&AdapterError>) -> Result<()> {
    let ok = state == AdapterState::Ok;
    let state = state.code();
    let now = stamp(&crate::clock::Clock::System.now());
    ws.store().write(|tx| {
        match err {
            Some(e) => tx.execute(
                "UPDATE adapters SET state = ?2, last_run_at = ?3, last_error = ?4, last_error_detail = ?5,
                    last_error_class = ?6, last_error_at = ?3 WHERE name = ?1",
                params![name, state, now, e.to_string(), e.detail, crate::workstation::enum_code(&e.class)],
            )?,
            None if ok => tx.execute(
                "UPDATE adapters SET state = ?2, last_run_at = ?3, last_success_at = ?3 WHERE name = ?1",
                params![name, state, now],
            )?,
            None => tx.execute(
                "UPDATE adapters SET state = ?2, last_run_at = ?3 WHERE name = ?1",
                params![name, state, now],
            )?,
        };
        Ok(())
    })
}

fn mark(ws: &Workstation, adapter: &str, ids: &[i64], state: &str) -> Result<()> {
    let now = stamp(&crate::clock::Clock::System.now());
    ws.store().write(|tx| {
        let mut st = tx.prepare_cached(
            "UPDATE outbox_delivery SET state = ?3, state_since = ?4 WHERE adapter = ?1 AND outbox_id = ?2",
        )?;
        for id in ids {
            st.execute(params![adapter, id, state, now])?;
        }
        Ok(())
    })
}

enum Outcome<'a> {
    Acked,
    Failed(&'a str, &'a str, ErrorClass),
    Quarantined(&'a str, &'a str),
}

fn settle(ws: &Workstation, adapter: &str, opts: &SyncOptions, results: &[(i64, Outcome<'_>)]) -> Result<()> {
    let now = stamp(&crate::clock::Clock::System.now());
    let now_ms = now_ms();
    ws.store().write(|tx| {
        let mut ack = tx.prepare_cached(
            "UPDATE outbox_delivery SET state = 'acked', acked_at = ?3, state_since = ?3, last_error = NULL,
                last_error_detail = NULL, last_error_class = NULL
             WHERE adapter = ?1 AND outbox_id = ?2 AND state <> 'acked'",
        )?;
        let mut fail = tx.prepare_cached(
            "UPDATE outbox_delivery SET state = ?3, attempts = attempts + 1, state_since = ?4, last_error = ?5,
                last_error_detail = ?6, last_error_class = ?7, next_attempt_ms = ?8
             WHERE adapter = ?1 AND outbox_id = ?2 AND state <> 'acked'",
        )?;
        let mut attempts =
            tx.prepare_cached("SELECT attempts FROM outbox_delivery WHERE adapter = ?1 AND outbox_id = ?2")?;
        for (id, o) in results {
            match o {
                Outcome::Acked => {
                    ack.execute(params![adapter, id, now])?;
                }
                Outcome::Failed(msg, detail, class) => {
                    let n: i64 = attempts.query_row(params![adapter, id], |r| r.get(0))?;
                    let next = now_ms + backoff_ms(opts, n + 1);
                    let state = if *class == ErrorClass::Auth { "pending" } else { "failed" };
                    fail.execute(params![
                        adapter,
                        id,
                        state,
                        now,
                        msg,
                        detail,
                        crate::workstation::enum_code(class),
                        next
                    ])?;
                }
                Outcome::Quarantined(msg, detail) => {
                    fail.execute(params![adapter, id, "quarantined", now, msg, detail, "permanent", i64::MAX])?;
                }
            }
        }
        Ok(())
    })
}

impl Workstation {
    /// Runs one sync pass of `adapter` (registered under `name`).
    pub async fn sync_once<A: Adapter>(&self, name: &str, adapter: &mut A, opts: &SyncOptions) -> Result<RunReport> {
        let mut report = RunReport { adapter: name.to_owned(), ..Default::default() };
        // A previous run killed mid-push left items in 'sending': they may or may not have arrived;
        // sending them again is safe because the far side dedupes on the key.
        self.store().write(|tx| {
            tx.execute(
                "UPDATE outbox_delivery SET state = 'pending' WHERE adapter = ?1 AND state = 'sending'",
                [name],
            )?;
            Ok(())
        })?;
        set_adapter(self, name, AdapterState::Running, None)?;
        let hello = match adapter.hello().await {
            Ok(h) => h,
            Err(e) => {
                report.state = AdapterState::after(&e);
                set_adapter(self, name, report.state, Some(&e))?;
                report.stopped = Some(e.to_string());
                return Ok(report);
            }
        };
        let mut last_error: Option<AdapterError> = None;
        let mut wrong = WrongAnswers::default();
        let mut batch_size = opts.batch.max(1);
        if hello.capabilities.push {
            for _ in 0..opts.max_batches {
                let batch = next_batch(self, name, batch_size)?;
                if batch.is_empty() {
                    break;
                }
                let ids: Vec<i64> = batch.iter().map(|c| c.outbox_id).collect();
                mark(self, name, &ids, "sending")?;
                let items: Vec<OutItem> = batch.iter().map(|c| c.item.clone()).collect();
                report.pushed += items.len() as u64;
                match adapter.push(&items).await {
                    Ok(rep) => {
                        let by_key: HashMap<&str, i64> =
                            batch.iter().map(|c| (c.item.key.as_str(), c.outbox_id)).collect();
                        let mut results: Vec<(i64, Outcome<'_>)> = Vec::with_capacity(batch.len());
                        let mut answered = std::collections::HashSet::new();
                        // A key both acked and rejected is an ambiguous answer: it stays unconfirmed
                        // (sent again; the far side dedupes) rather than be taken either way.
                        let rejected: std::collections::HashSet<&str> =
                            rep.rejected.iter().map(|r| r.key.as_str()).collect();
                        for k in &rep.acked {
                            match by_key.get(k.as_str()) {
                                Some(&id) if rejected.contains(k.as_str()) => {
                                    answered.insert(id);
                                    wrong.contradictory.push(k.clone());
                                    results.push((
                                        id,
                                        Outcome::Failed("对端对此项既确认又拒绝", "", ErrorClass::Retryable),
                                    ));
                                    report.failed += 1;
                                }
                                Some(&id) if answered.insert(id) => {
                                    results.push((id, Outcome::Acked));
                                    report.acked += 1;
                                }
                                Some(_) => {}
                                None => wrong.foreign.push(k.clone()),
                            }
                        }
                        for r in &rep.rejected {
                            let Some(&id) = by_key.get(r.key.as_str()) else {
                                wrong.foreign.push(r.key.clone());
                                continue;
                            };
                            if !answered.insert(id) {
                                continue;
                            }
                            if r.class == ErrorClass::Permanent {
                                results.push((id, Outcome::Quarantined(&r.message, &r.detail)));
                                report.quarantined += 1;
                            } else {
                                results.push((id, Outcome::Failed(&r.message, &r.detail, r.class)));
                                report.failed += 1;
                            }
                        }
                        for c in &batch {
                            if !answered.contains(&c.outbox_id) {
                                results
                                    .push((c.outbox_id, Outcome::Failed("对端未答复此项", "", ErrorClass::Retryable)));
                                report.failed += 1;
                                wrong.unanswered += 1;
                            }
                        }
                        settle(self, name, opts, &results)?;
                        batch_size = opts.batch.max(1);
                    }
                    Err(e) if e.class == ErrorClass::Permanent && batch.len() > 1 => {
                        // The far side refused the batch as a whole: one poison item is likely.
                        // Halve the batch until it is found; the good items go through meanwhile.
                        mark(self, name, &ids, "pending")?;
                        batch_size = (batch.len() / 2).max(1);
                        last_error = Some(e);
                    }
                    Err(e) => {
                        let results: Vec<(i64, Outcome<'_>)> = ids
                            .iter()
                            .map(|&id| {
                                let o = if e.class == ErrorClass::Permanent {
                                    Outcome::Quarantined(&e.message, &e.detail)
                                } else {
                                    Outcome::Failed(&e.message, &e.detail, e.class)
                                };
                                (id, o)
                            })
                            .collect();
                        if e.class == ErrorClass::Permanent {
                            report.quarantined += results.len() as u64;
                        } else {
                            report.failed += results.len() as u64;
                        }
                        settle(self, name, opts, &results)?;
                        let stop = e.class != ErrorClass::Permanent;
                        last_error = Some(e);
                        if stop {
                            // Link down or credentials wrong: don't hammer; the next run retries.
                            break;
                        }
                    }
                }
            }
        }
        // Anchor the head unless the link is down or the credentials are wrong (a quarantined
        // item says nothing about the journal).
        if hello.capabilities.anchor
            && last_error.as_ref().is_none_or(|e| e.class == ErrorClass::Permanent)
            && let Err(e) = self.anchor_heads(name, adapter, opts, &mut report).await?
        {
            last_error = Some(e);
        }
        // Documents sealed offline get their document timestamp while the link is up.
        if hello.capabilities.timestamp && last_error.as_ref().is_none_or(|e| e.class == ErrorClass::Permanent) {
            let stamped = self.stamp_documents(name, adapter).await?;
            report.stamped = stamped.stamped;
            report.stamp_errors = stamped.errors;
            if let Some(e) = stamped.stopped {
                last_error = Some(e);
            }
        }
        if hello.capabilities.pull && last_error.as_ref().is_none_or(|e| e.class != ErrorClass::Auth) {
            for stream in &hello.streams {
                match pull_stream(self, name, adapter, stream, opts, &mut report).await {
                    Ok(()) => {}
                    Err(PullError::Adapter(e)) => {
                        last_error = Some(e);
                        break;
                    }
                    Err(PullError::Core(e)) => return Err(e),
                }
            }
            let applied = self.apply_inbox()?;
            report.applied += applied.applied;
            report.inbox_failed += applied.failed;
        }
        let health = if hello.capabilities.health { adapter.health().await.ok() } else { None };
        let last_error = last_error.or_else(|| wrong.error());
        match (&last_error, health) {
            (Some(e), _) => {
                report.state = AdapterState::after(e);
                report.stopped = Some(e.to_string());
                set_adapter(self, name, report.state, Some(e))?;
            }
            (None, Some(h)) if h.status != HealthStatus::Ok => {
                let e = AdapterError::retryable(yc_adapter_sdk::Origin::FarSystem, h.message, "health");
                report.state = AdapterState::Degraded;
                report.stopped = Some(e.to_string());
                set_adapter(self, name, report.state, Some(&e))?;
            }
            _ => {
                report.state = AdapterState::Ok;
                set_adapter(self, name, report.state, None)?;
            }
        }
        Ok(report)
    }
}

impl Workstation {
    /// Shows the far side the journal head, in stretches of at most
    /// [`yc_adapter_sdk::anchor::MAX_EVENTS_PER_ANCHOR`] events, and keeps each signed receipt.
    /// The inner error is the far side's (a fork, the link) or a receipt not taken, for the
    /// adapter's state; the outer one is the store's.
    async fn anchor_heads<A: Adapter>(
        &self,
        name: &str,
        adapter: &mut A,
        opts: &SyncOptions,
        report: &mut RunReport,
    ) -> Result<std::result::Result<(), AdapterError>> {
        let Some(key) = self.store().keyring().workstation() else {
            // Nobody has logged in: nothing can sign the head. A real workstation's sync always
            // logs in (signatures are required there); a demo's may not, and is told so.
            report.anchor_skipped = Some("未登录，工作站密钥未解锁".into());
            return Ok(Ok(()));
        };
        for _ in 0..opts.max_batches {
            let proof = {
                let conn = self.store().reader()?;
                crate::anchor::proof(&conn, name, &self.label(), &key)?
            };
            let Some(proof) = proof else { break };
            let answer = match adapter.anchor(&proof).await {
                Ok(a) => a,
                Err(e) => return Ok(Err(e)),
            };
            let at = self.clock().now();
            let mut receipts = answer.receipts;
            receipts.sort_by_key(|r| r.seq);
            let taken = self.store().write(|tx| {
                for r in &receipts {
                    if let Err(bad) = crate::anchor::store_receipt(tx, name, &proof, r, at)? {
                        return Ok(Err((bad, r.clone())));
                    }
                }
                Ok(Ok(()))
            })?;
            if let Err((bad, receipt)) = taken {
                return Ok(Err(AdapterError::auth(
                    yc_adapter_sdk::Origin::FarSystem,
                    bad.0,
                    format!("anchor receipt refused: {receipt:?}"),
                )));
            }
            if let Some(last) = receipts.last() {
                report.anchored = Some(report.anchored.map_or(last.seq, |a| a.max(last.seq)));
            }
            if let Some(why) = answer.pending {
                // The far side answers a later pass; the next proof starts at its last receipt.
                report.anchor_pending = Some((proof.seq, why));
                break;
            }
            if report.anchored != Some(proof.seq) {
                return Ok(Err(AdapterError::permanent(
                    yc_adapter_sdk::Origin::FarSystem,
                    format!("对端未签收本次发送的日志头（第 {} 号），也未说明待回执", proof.seq),
                    format!("{} receipts, none for {}", receipts.len(), proof.seq),
                )));
            }
        }
        Ok(Ok(()))
    }
}

impl Workstation {
    /// Anchors the journal with a far side reached in this process (`ask` answers each proof with
    /// a receipt or a refusal): the same proofs and receipts as a sync pass, for a witness that is
    /// not an adapter (benches, tests). Returns the head signed for, if any.
    pub fn anchor_in_process(
        &self,
        name: &str,
        mut ask: impl FnMut(&yc_adapter_sdk::HeadProof) -> std::result::Result<yc_adapter_sdk::HeadReceipt, String>,
    ) -> Result<Option<i64>> {
        let key = self
            .store()
            .keyring()
            .workstation()
            .ok_or_else(|| crate::error::CoreError::Invalid("工作站签名密钥未解锁：请先登录".into()))?;
        let mut anchored = None;
        loop {
            let proof = {
                let conn = self.store().reader()?;
                crate::anchor::proof(&conn, name, &self.label(), &key)?
            };
            let Some(proof) = proof else { break };
            let receipt = ask(&proof).map_err(crate::error::CoreError::Invalid)?;
            let at = self.clock().now();
            self.store().write(|tx| crate::anchor::store_receipt(tx, name, &proof, &receipt, at))??;
            anchored = Some(proof.seq);
        }
        Ok(anchored)
    }
}

/// Answers that break the protocol without failing the batch: items left unanswered (they are
/// sent again) and acks or rejections for keys the batch did not hold. Each is harmless to the
/// data, but a far side that does this on every run never confirms anything: the run ends
/// degraded with the reason, never "ok".
#[derive(Default)]
struct WrongAnswers {
    unanswered: u64,
    foreign: Vec<String>,
    contradictory: Vec<String>,
}

impl WrongAnswers {
    fn error(&self) -> Option<AdapterError> {
        let mut parts = Vec::new();
        if self.unanswered > 0 {
            parts.push(format!("对端未答复 {} 项（下次同步重发）", self.unanswered));
        }
        if !self.foreign.is_empty() {
            let shown: Vec<&str> = self.foreign.iter().take(3).map(String::as_str).collect();
            parts.push(format!(
                "对端确认或拒绝了 {} 个本次未发送的键（{}{}）",
                self.foreign.len(),
                shown.join("、"),
                if self.foreign.len() > 3 { "…" } else { "" }
            ));
        }
        if !self.contradictory.is_empty() {
            parts.push(format!("对端对 {} 项既确认又拒绝（按未确认处理，下次重发）", self.contradictory.len()));
        }
        if parts.is_empty() {
            return None;
        }
        Some(AdapterError::retryable(
            yc_adapter_sdk::Origin::Adapter,
            format!("适配器答复不完整：{}", parts.join("；")),
            format!(
                "unanswered={} foreign_keys={:?} acked_and_rejected={:?}",
                self.unanswered, self.foreign, self.contradictory
            ),
        ))
    }
}

enum PullError {
    Adapter(AdapterError),
    Core(CoreError),
}

impl From<CoreError> for PullError {
    fn from(e: CoreError) -> Self {
        Self::Core(e)
    }
}

async fn pull_stream<A: Adapter>(
    ws: &Workstation,
    name: &str,
    adapter: &mut A,
    stream: &str,
    opts: &SyncOptions,
    report: &mut RunReport,
) -> std::result::Result<(), PullError> {
    for _ in 0..opts.max_batches {
        let cursor: Option<String> = {
            let conn = ws.store().reader()?;
            conn.query_row(
                "SELECT cursor FROM sync_cursors WHERE adapter = ?1 AND stream = ?2",
                params![name, stream],
                |r| r.get(0),
            )
            .map(Some)
            .or_else(|e| {
                if matches!(e, rusqlite::Error::QueryReturnedNoRows) { Ok(None) } else { Err(CoreError::from(e)) }
            })?
        };
        let page = adapter.pull(stream, cursor.as_deref(), opts.pull_max).await.map_err(PullError::Adapter)?;
        let n = page.items.len();
        let now = stamp(&crate::clock::Clock::System.now());
        // Items and the cursor that covers them commit together: a crash in between re-pulls
        // the page, and the inbox's unique key drops the repeats.
        ws.store().write(|tx| {
            let mut ins = tx.prepare_cached(
                "INSERT INTO inbox (adapter, stream, key, kind, case_no, occurred_at, source, payload, payload_sha256, received_at, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'received')
                 ON CONFLICT(adapter, stream, key) DO NOTHING",
            )?;
            for it in &page.items {
                let sha = yc_adapter_sdk::payload_sha256(&it.payload);
                if it.payload_sha256.as_deref().is_some_and(|h| h != sha) {
                    tx.prepare_cached(
                        "INSERT OR IGNORE INTO inbox (adapter, stream, key, kind, case_no, payload, payload_sha256, received_at, state, result)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'rejected', '载荷哈希不符，已拒收')",
                    )?
                    .execute(params![name, stream, it.key, it.kind, it.case_no, it.payload.to_string(), sha, now])?;
                    continue;
                }
                let body = serde_json::to_string(&it.payload).map_err(|e| CoreError::Invalid(e.to_string()))?;
                ins.execute(params![name, stream, it.key, it.kind, it.case_no, it.occurred_at, it.source, body, sha, now])?;
            }
            for r in &page.rejected {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO inbox (adapter, stream, key, kind, payload, payload_sha256, received_at, state, result)
                     VALUES (?1, ?2, ?3, 'rejected', '{}', '', ?4, 'rejected', ?5)",
                )?
                .execute(params![name, stream, format!("rejected:{}", r.source), now, format!("{}（{}）", r.message, r.detail)])?;
            }
            if let Some(c) = &page.next_cursor {
                tx.execute(
                    "INSERT INTO sync_cursors (adapter, stream, cursor, updated_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(adapter, stream) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
                    params![name, stream, c, now],
                )?;
            }
            Ok(())
        })?;
        report.pulled += n as u64;
        if let Some(c) = &page.next_cursor {
            // Tell the far side what is safely stored; if this fails, the next pull repeats the
            // page and the inbox drops the repeats.
            let _ = adapter.ack(stream, c).await;
        }
        if n == 0 || page.next_cursor.is_none() || page.next_cursor == cursor {
            break;
        }
    }
    Ok(())
}
