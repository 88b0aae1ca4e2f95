//! Conformance kit: the behaviour every adapter must show before the engine trusts it
//! (modelled on X-Road's fault catalogue and the Singer/Airbyte target tests).
//!
//! The report is honest about what ran: every case ends [`Outcome::Passed`],
//! [`Outcome::Failed`] or [`Outcome::Skipped`] with the reason, and a *required* case that was
//! skipped makes the whole report non-passing. Failures show the items the kit sent and what
//! came back.
//!
//! The kit pushes about [`SYNTHETIC_ITEMS`] synthetic items to whatever far side the adapter is
//! configured for. [`prepare`] decides where that is: in [`Mode::Sandbox`] (the default) it
//! refuses settings that name a non-loopback address and gives file-drop a local recorder
//! directory; [`Mode::Live`] runs against the configured far side after saying so.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use yc_adapter_sdk::{conformance, AdapterConfig};
//! let cfg = AdapterConfig::load(std::path::Path::new("adapter.toml"))?;
//! let prepared = conformance::prepare(&cfg, conformance::Mode::Sandbox, |v| std::env::var(v).ok())?;
//! let target = conformance::ProcessTarget::from_prepared(&prepared).expect("a process adapter");
//! let mut report = conformance::run(&target).await;
//! report.mode = Some(prepared.describe());
//! println!("{}", report.to_text());
//! # Ok(()) }
//! ```

use std::collections::HashSet;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::adapter::{Adapter, KillSwitch};
use crate::config::{AdapterConfig, AdapterKind, ConfigError, ProcessSpec};
use crate::error::{AdapterError, ErrorClass};
use crate::item::{Handshake, OutItem, PushReport};
use crate::process::ProcessAdapter;
use crate::protocol::PROTOCOL_VERSION;

/// Batch sizes of the pushing cases, in run order; their sum is what one run sends.
const BATCHES: [usize; 6] = [20, 3, 1, 200, 5, CRASH_BATCH];
const CRASH_BATCH: usize = 500;
/// Distinct synthetic items one run pushes (re-pushes of the same items not counted).
pub const SYNTHETIC_ITEMS: usize = BATCHES[0] + BATCHES[1] + BATCHES[2] + BATCHES[3] + BATCHES[4] + BATCHES[5];

/// Liveness limit when the target's configuration sets none (in-process adapters).
const DEFAULT_LIVENESS: Duration = Duration::from_secs(8);
/// The "slow replies" case: every reply must come within this (or the configured liveness,
/// if tighter). Tighter than a production limit on purpose, so a missing heartbeat shows in
/// seconds rather than after 30.
const SLOW_LIMIT: Duration = Duration::from_secs(2);
/// How much of a payload or an answer a failure message shows.
const SHOW_CHARS: usize = 160;

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    Failed,
    /// Did not run; the message says why. Not a pass.
    Skipped,
}

/// Outcome of one conformance case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    pub name: String,
    pub outcome: Outcome,
    /// A required case that was skipped fails the report (e.g. `cursor_resume` for an adapter
    /// that declares pull, `crash_mid_batch` for a process adapter).
    pub required: bool,
    /// Chinese explanation, with detail after "——".
    pub message: String,
    /// For failures: what the kit sent (key, kind, payload, truncated) and what came back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }
    pub fn failed(&self) -> bool {
        self.outcome == Outcome::Failed
    }
    pub fn skipped(&self) -> bool {
        self.outcome == Outcome::Skipped
    }
}

/// Timeouts a process adapter's configuration sets; the kit runs under them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfiguredTimeouts {
    pub liveness_ms: u64,
    pub startup_ms: u64,
    pub run_ms: u64,
}

/// The limits the kit applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TimeoutsUsed {
    /// Per-request silence limit of every case but `slow_replies`.
    pub liveness_ms: u64,
    /// The tighter limit of `slow_replies`.
    pub slow_limit_ms: u64,
    /// `None`: the target has no configuration (the kit's default applied).
    pub configured: Option<ConfiguredTimeouts>,
}

/// What `crash_mid_batch` saw when it killed the adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrashObservation {
    pub batch: usize,
    /// `progress` lines received before the kill (the trigger is the first).
    pub progress_seen: u64,
    /// Items of the batch the far side held once the adapter was dead (`None`: far side not
    /// visible to the kit).
    pub far_held_at_kill: Option<usize>,
    /// The adapter answered the batch before the kill landed.
    pub finished_before_kill: bool,
}

/// How much the kit pushed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PushTally {
    /// Every synthetic key starts with this.
    pub key_prefix: String,
    pub distinct_items: usize,
    /// Items sent including re-pushes.
    pub sends: usize,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConformanceReport {
    /// Which mode ran and where the items went ([`Prepared::describe`]); set by the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    pub timeouts: TimeoutsUsed,
    pub pushed: PushTally,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crash: Option<CrashObservation>,
    pub cases: Vec<CaseResult>,
}

impl ConformanceReport {
    /// No case failed and no required case was skipped.
    pub fn passed(&self) -> bool {
        !self.cases.is_empty() && self.failures().is_empty() && self.skipped_required().is_empty()
    }
    pub fn failures(&self) -> Vec<&CaseResult> {
        self.cases.iter().filter(|c| c.failed()).collect()
    }
    /// Required cases that did not run: each one alone makes the report non-passing.
    pub fn skipped_required(&self) -> Vec<&CaseResult> {
        self.cases.iter().filter(|c| c.skipped() && c.required).collect()
    }
    pub fn case(&self, name: &str) -> Option<&CaseResult> {
        self.cases.iter().find(|c| c.name == name)
    }

    /// One line: 通过 / 未通过 with the reasons.
    pub fn verdict(&self) -> String {
        let count = |o: Outcome| self.cases.iter().filter(|c| c.outcome == o).count();
        let (passed, failed, skipped) = (count(Outcome::Passed), count(Outcome::Failed), count(Outcome::Skipped));
        if self.cases.is_empty() {
            return "结论：未通过——没有运行任何检查项".into();
        }
        if self.passed() {
            let skipped_note = if skipped > 0 {
                let names: Vec<&str> = self.cases.iter().filter(|c| c.skipped()).map(|c| c.name.as_str()).collect();
                format!("，{skipped} 项不适用已跳过（{}）", names.join("、"))
            } else {
                String::new()
            };
            return format!("结论：通过——{passed} 项通过{skipped_note}");
        }
        let mut why = Vec::new();
        if failed > 0 {
            let names: Vec<&str> = self.failures().iter().map(|c| c.name.as_str()).collect();
            why.push(format!("{failed} 项失败（{}）", names.join("、")));
        }
        let req = self.skipped_required();
        if !req.is_empty() {
            let items: Vec<String> = req.iter().map(|c| format!("{}：{}", c.name, c.message)).collect();
            why.push(format!("{} 项必检项目被跳过（{}）", req.len(), items.join("；")));
        }
        format!("结论：未通过——{}；{passed} 项通过", why.join("；"))
    }

    /// The mode, the limits, one line per case (`[通过]` / `[失败]` / `[跳过]`, failures with
    /// what was sent and what came back), what was pushed, and the verdict.
    pub fn to_text(&self) -> String {
        let mut out = Vec::new();
        if let Some(m) = &self.mode {
            out.push(m.clone());
        }
        let t = &self.timeouts;
        out.push(match t.configured {
            Some(c) => format!(
                "时限（取自适配器配置）：存活 {} 毫秒，启动 {} 毫秒，总时限 {} 毫秒；slow_replies 用收紧的 {} 毫秒",
                c.liveness_ms, c.startup_ms, c.run_ms, t.slow_limit_ms
            ),
            None => format!(
                "时限（检查默认，目标未配置）：存活 {} 毫秒；slow_replies 用收紧的 {} 毫秒",
                t.liveness_ms, t.slow_limit_ms
            ),
        });
        for c in &self.cases {
            let tag = match c.outcome {
                Outcome::Passed => "通过",
                Outcome::Failed => "失败",
                Outcome::Skipped => "跳过",
            };
            let req = if c.skipped() && c.required { "（必检）" } else { "" };
            out.push(format!("[{tag}] {}{req}: {}", c.name, c.message));
            out.extend(c.evidence.iter().map(|e| format!("    {e}")));
        }
        if self.pushed.sends > 0 {
            out.push(format!(
                "本次共推送 {} 条合成测试条目（含重推共发送 {} 次），键以 {}- 开头",
                self.pushed.distinct_items, self.pushed.sends, self.pushed.key_prefix
            ));
        }
        out.push(self.verdict());
        out.join("\n")
    }
}

/// A started session of the adapter under test.
pub struct Started<A> {
    pub adapter: A,
    /// Kills the adapter from outside (for the crash case); `None`: in-process, not applicable.
    pub kill: Option<KillSwitch>,
}

/// What the kit needs to exercise an adapter: a way to start sessions against one far side
/// (whose state persists across sessions) and, where the test can see it, the far side.
pub trait Target: Sync {
    type Adapter: Adapter;

    /// Starts a new session; `liveness` is the per-request silence limit the host applies.
    fn start(&self, liveness: Duration) -> impl Future<Output = Result<Started<Self::Adapter>, AdapterError>> + Send;

    /// How many copies of `key` the far side holds, if the test can look.
    fn far_count(&self, key: &str) -> Option<usize> {
        let _ = key;
        None
    }

    /// A pull stream seeded with exactly this many items, for the cursor case.
    fn inbox(&self) -> Option<(String, usize)> {
        None
    }

    /// Timeouts from the adapter's configuration; the kit uses them instead of its defaults.
    fn timeouts(&self) -> Option<ConfiguredTimeouts> {
        None
    }

    /// Protocol breaches the host saw in a session (malformed lines on stdout …).
    fn violations(&self, adapter: &Self::Adapter) -> Vec<String> {
        let _ = adapter;
        Vec::new()
    }

    /// Push outcomes the host discarded in a session (acks of keys never sent …).
    fn outcome_problems(&self, adapter: &Self::Adapter) -> Vec<String> {
        let _ = adapter;
        Vec::new()
    }

    /// Ticks on every `progress` message of a session: the crash case kills on the first one,
    /// so the adapter has provably read the batch.
    fn progress(&self, adapter: &Self::Adapter) -> Option<watch::Receiver<u64>> {
        let _ = adapter;
        None
    }
}

/// Conformance target for a program speaking the JSON-lines protocol. The spec's timeouts
/// (`liveness_timeout_ms`, `startup_timeout_ms`, `run_timeout_ms`) are the ones the kit uses.
pub struct ProcessTarget {
    pub spec: ProcessSpec,
    pub settings: serde_json::Value,
    /// Reads the far side, when the test knows where it is.
    #[allow(clippy::type_complexity)]
    pub far_count: Option<Box<dyn Fn(&str) -> Option<usize> + Send + Sync>>,
    pub inbox: Option<(String, usize)>,
}

impl ProcessTarget {
    pub fn new(spec: ProcessSpec, settings: serde_json::Value) -> Self {
        Self { spec, settings, far_count: None, inbox: None }
    }

    /// The target for a prepared process-adapter config (`None` for built-in kinds).
    pub fn from_prepared(p: &Prepared) -> Option<Self> {
        match (&p.config.kind, &p.config.process) {
            (AdapterKind::Process, Some(spec)) => Some(Self::new(spec.clone(), p.settings.clone())),
            _ => None,
        }
    }
}

impl Target for ProcessTarget {
    type Adapter = ProcessAdapter;

    async fn start(&self, liveness: Duration) -> Result<Started<ProcessAdapter>, AdapterError> {
        let mut spec = self.spec.clone();
        spec.liveness_timeout_ms = u64::try_from(liveness.as_millis()).unwrap_or(u64::MAX);
        let adapter = ProcessAdapter::spawn("conformance", &spec, self.settings.clone())?;
        let kill = Some(adapter.kill_switch());
        Ok(Started { adapter, kill })
    }

    fn far_count(&self, key: &str) -> Option<usize> {
        self.far_count.as_ref().and_then(|f| f(key))
    }

    fn inbox(&self) -> Option<(String, usize)> {
        self.inbox.clone()
    }

    fn timeouts(&self) -> Option<ConfiguredTimeouts> {
        Some(ConfiguredTimeouts {
            liveness_ms: self.spec.liveness_timeout_ms,
            startup_ms: self.spec.startup_timeout_ms,
            run_ms: self.spec.run_timeout_ms,
        })
    }

    fn violations(&self, adapter: &ProcessAdapter) -> Vec<String> {
        adapter.protocol_violations().to_vec()
    }

    fn outcome_problems(&self, adapter: &ProcessAdapter) -> Vec<String> {
        adapter.outcome_problems().to_vec()
    }

    fn progress(&self, adapter: &ProcessAdapter) -> Option<watch::Receiver<u64>> {
        Some(adapter.progress_events())
    }
}

/// Run options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A pull stream the far side holds exactly this many items of (overrides
    /// [`Target::inbox`]; `yc adapter check --inbox STREAM=N`).
    pub inbox: Option<(String, usize)>,
}

/// Runs every case and reports each one; never panics on a misbehaving adapter.
pub async fn run<T: Target>(target: &T) -> ConformanceReport {
    run_with(target, &Options::default()).await
}

/// [`run`] with options.
pub async fn run_with<T: Target>(target: &T, options: &Options) -> ConformanceReport {
    let configured = target.timeouts();
    let liveness = configured.map_or(DEFAULT_LIVENESS, |c| Duration::from_millis(c.liveness_ms.max(1)));
    let slow = liveness.min(SLOW_LIMIT);
    let mut kit = Kit {
        target,
        inbox: options.inbox.clone().or_else(|| target.inbox()),
        liveness,
        slow,
        items: ItemGen { run_id: run_id(), n: 0 },
        sends: 0,
        handshake: None,
        crash: None,
    };
    let mut cases = Vec::new();
    cases.push(kit.handshake().await);
    cases.push(kit.push_reports_every_item().await);
    cases.push(kit.idempotent_repush().await);
    cases.push(kit.conflicting_payload().await);
    cases.push(kit.cursor_resume().await);
    cases.push(kit.slow_replies().await);
    cases.push(kit.malformed_replies().await);
    cases.push(kit.crash_mid_batch().await);
    cases.push(kit.timestamp().await);
    cases.push(kit.shutdown().await);
    ConformanceReport {
        mode: None,
        timeouts: TimeoutsUsed { liveness_ms: millis(liveness), slow_limit_ms: millis(slow), configured },
        pushed: PushTally {
            key_prefix: kit.items.run_id.clone(),
            distinct_items: usize::try_from(kit.items.n).unwrap_or(usize::MAX),
            sends: kit.sends,
        },
        crash: kit.crash,
        cases,
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A fresh key prefix per run, so runs never collide on a far side that outlives them.
fn run_id() -> String {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 8];
    // The process id and a counter stand in should the system RNG be unavailable.
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    if ring::rand::SystemRandom::new().fill(&mut bytes).is_err() {
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        bytes = (u64::from(std::process::id()) << 32 | n).to_be_bytes();
    }
    format!("conf-{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

struct ItemGen {
    run_id: String,
    n: u64,
}

impl ItemGen {
    /// Items over three cases, per-case seq ascending; payloads hold Chinese text and U+2028
    /// (legal inside JSON strings, fatal to readers that split on Unicode line breaks).
    fn batch(&mut self, len: usize) -> Vec<OutItem> {
        (0..len)
            .map(|_| {
                self.n += 1;
                let n = self.n;
                let case = format!("{}-case-{}", self.run_id, n % 3);
                OutItem::new(
                    format!("{}-{n}", self.run_id),
                    "cases",
                    Some(case),
                    n,
                    "case.file",
                    "2026-11-23T09:30:00+08:00",
                    // Shaped like a real case item (docs/schemas/item.case.schema.json), so an
                    // adapter's field map over `payload.case…` finds what it maps.
                    serde_json::json!({
                        "action": "file", "序号": n, "reason": "第一行\u{2028}第二行",
                        "case": {
                            "case_no": format!("{}-case-{}", self.run_id, n % 3),
                            "item": {"code": "KIT-0001", "name": "一致性检查事项", "catalog_version": 1},
                            "department": "市场监督管理局",
                            "applicant": {"kind": "person", "id": "11010519491231002X", "name": "张三"},
                            "channel": "window", "kind": "promised"
                        }
                    }),
                )
            })
            .collect()
    }
}

fn pass(name: &str, message: impl Into<String>) -> CaseResult {
    CaseResult {
        name: name.into(),
        outcome: Outcome::Passed,
        required: true,
        message: message.into(),
        evidence: vec![],
    }
}

fn fail(name: &str, message: impl Into<String>) -> CaseResult {
    CaseResult {
        name: name.into(),
        outcome: Outcome::Failed,
        required: true,
        message: message.into(),
        evidence: vec![],
    }
}

fn fail_with(name: &str, message: impl Into<String>, evidence: Vec<String>) -> CaseResult {
    CaseResult { evidence, ..fail(name, message) }
}

fn skip(name: &str, required: bool, reason: impl Into<String>) -> CaseResult {
    CaseResult { name: name.into(), outcome: Outcome::Skipped, required, message: reason.into(), evidence: vec![] }
}

fn err_text(e: &AdapterError) -> String {
    if e.detail.is_empty() { e.to_string() } else { format!("{e}——{}", e.detail) }
}

fn truncate(s: &str, max: usize) -> String {
    let mut chars = s.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() { format!("{head}…（已截断）") } else { head }
}

fn show_item(i: &OutItem) -> String {
    format!(
        "key={} kind={} case_no={} seq={} payload={}",
        i.key,
        i.kind,
        i.case_no.as_deref().unwrap_or("-"),
        i.seq,
        truncate(&i.payload.to_string(), SHOW_CHARS)
    )
}

/// "发送：…" for a batch: its size and its first item (all items share one shape).
fn show_sent(batch: &[OutItem]) -> String {
    match batch {
        [] => "发送：空批次".into(),
        [one] => format!("发送：1 条，{}", show_item(one)),
        [first, .., last] => {
            format!("发送：{} 条（{} … {}），例如 {}", batch.len(), first.key, last.key, show_item(first))
        }
    }
}

fn show_keys(keys: &[String]) -> String {
    let shown: Vec<&str> = keys.iter().take(3).map(String::as_str).collect();
    let more = if keys.len() > 3 { format!(" 等 {} 个", keys.len()) } else { String::new() };
    format!("[{}]{more}", shown.join(", "))
}

fn show_got(pushed: &Pushed) -> String {
    let mut s = match &pushed.result {
        Ok(r) => {
            let rejected: Vec<String> = r
                .rejected
                .iter()
                .take(2)
                .map(|x| format!("{}：{:?} {}", x.key, x.class, truncate(&x.message, SHOW_CHARS)))
                .collect();
            format!(
                "返回：push_result 确认 {} 条 {}，拒绝 {} 条{}",
                r.acked.len(),
                show_keys(&r.acked),
                r.rejected.len(),
                if rejected.is_empty() { String::new() } else { format!("（{}）", rejected.join("；")) }
            )
        }
        Err(e) => format!("返回：错误（{:?}）{}", e.class, truncate(&err_text(e), 300)),
    };
    if !pushed.wrong.is_empty() {
        s.push_str(&format!("；主机丢弃的结果：{}", pushed.wrong.join("；")));
    }
    s
}

fn evidence(batch: &[OutItem], got: &Pushed) -> Vec<String> {
    vec![show_sent(batch), show_got(got)]
}

/// One push as the kit saw it: the (host-sanitised) result and the outcomes the host discarded.
struct Pushed {
    result: Result<PushReport, AdapterError>,
    wrong: Vec<String>,
}

/// Checks that a push covered every key of `batch` exactly once, all acked, and acked nothing
/// that was not sent.
fn all_acked(batch: &[OutItem], pushed: &Pushed) -> Result<(), String> {
    if let Some(w) = pushed.wrong.first() {
        return Err(w.clone());
    }
    let report = match &pushed.result {
        Ok(r) => r,
        Err(e) => return Err(format!("推送失败：{}", err_text(e))),
    };
    let want: HashSet<&str> = batch.iter().map(|i| i.key.as_str()).collect();
    let mut seen = HashSet::new();
    for k in &report.acked {
        if !want.contains(k.as_str()) {
            return Err(format!("确认了未发送的键 {k}（本批次中没有）"));
        }
        if !seen.insert(k.as_str()) {
            return Err(format!("键 {k} 被重复确认"));
        }
    }
    if let Some(r) = report.rejected.first() {
        return Err(format!("合法条目 {} 被拒绝：{}（{:?}）", r.key, r.message, r.class));
    }
    let missing: Vec<&str> = batch.iter().map(|i| i.key.as_str()).filter(|k| !seen.contains(k)).take(3).collect();
    if !missing.is_empty() {
        return Err(format!("{} 条既未确认也未拒绝，例如 {:?}", want.len() - seen.len(), missing));
    }
    Ok(())
}

struct Kit<'t, T: Target> {
    target: &'t T,
    inbox: Option<(String, usize)>,
    liveness: Duration,
    slow: Duration,
    items: ItemGen,
    sends: usize,
    handshake: Option<Handshake>,
    crash: Option<CrashObservation>,
}

impl<T: Target> Kit<'_, T> {
    async fn start(&self, name: &str, liveness: Duration) -> Result<Started<T::Adapter>, CaseResult> {
        let mut s =
            self.target.start(liveness).await.map_err(|e| fail(name, format!("无法启动适配器：{}", err_text(&e))))?;
        match s.adapter.hello().await {
            Ok(_) => Ok(s),
            Err(e) => Err(fail(name, format!("握手失败：{}", err_text(&e)))),
        }
    }

    async fn push(&mut self, adapter: &mut T::Adapter, batch: &[OutItem]) -> Pushed {
        self.sends += batch.len();
        let before = self.target.outcome_problems(adapter).len();
        let result = adapter.push(batch).await;
        let wrong = self.target.outcome_problems(adapter).split_off(before);
        Pushed { result, wrong }
    }

    /// How many items of `batch` the far side holds (`None`: not visible).
    fn far_held(&self, batch: &[OutItem]) -> Option<usize> {
        let mut held = 0;
        for item in batch {
            if self.target.far_count(&item.key)? > 0 {
                held += 1;
            }
        }
        Some(held)
    }

    /// The first item the far side holds other than exactly once.
    fn far_duplicate<'b>(&self, batch: &'b [OutItem]) -> Option<(&'b OutItem, usize)> {
        batch.iter().find_map(|i| self.target.far_count(&i.key).filter(|n| *n != 1).map(|n| (i, n)))
    }

    async fn handshake(&mut self) -> CaseResult {
        const NAME: &str = "handshake";
        let mut s = match self.target.start(self.liveness).await {
            Ok(s) => s,
            Err(e) => return fail(NAME, format!("无法启动适配器：{}", err_text(&e))),
        };
        let hs = match s.adapter.hello().await {
            Ok(h) => h,
            Err(e) => return fail(NAME, format!("握手失败：{}", err_text(&e))),
        };
        let _ = s.adapter.shutdown().await;
        self.handshake = Some(hs.clone());
        if hs.protocol_version != PROTOCOL_VERSION {
            return fail(NAME, format!("协议版本为 {}，应为 {PROTOCOL_VERSION}", hs.protocol_version));
        }
        if hs.name.trim().is_empty() || hs.version.trim().is_empty() {
            return fail(NAME, "握手应答缺少适配器名称或版本");
        }
        if !hs.capabilities.push && !hs.capabilities.pull {
            return fail(NAME, "适配器既不能推送也不能拉取（capabilities.push/pull 均为 false）");
        }
        if !hs.config_schema.is_null() && !hs.config_schema.is_object() {
            return fail(NAME, "config_schema 应为 JSON Schema 对象");
        }
        pass(
            NAME,
            format!(
                "握手成功：{} {}，协议 {}，推送={} 拉取={} 健康检查={}，敏感设置项 {:?}",
                hs.name,
                hs.version,
                hs.protocol_version,
                hs.capabilities.push,
                hs.capabilities.pull,
                hs.capabilities.health,
                hs.secret_settings()
            ),
        )
    }

    async fn push_reports_every_item(&mut self) -> CaseResult {
        const NAME: &str = "push_reports_every_item";
        let mut s = match self.start(NAME, self.liveness).await {
            Ok(s) => s,
            Err(c) => return c,
        };
        let batch = self.items.batch(BATCHES[0]);
        let pushed = self.push(&mut s.adapter, &batch).await;
        let _ = s.adapter.shutdown().await;
        match all_acked(&batch, &pushed) {
            Ok(()) => pass(NAME, format!("{} 条批次逐条确认", batch.len())),
            Err(e) => fail_with(NAME, format!("推送结果不正确：{e}"), evidence(&batch, &pushed)),
        }
    }

    async fn idempotent_repush(&mut self) -> CaseResult {
        const NAME: &str = "idempotent_repush";
        let mut s = match self.start(NAME, self.liveness).await {
            Ok(s) => s,
            Err(c) => return c,
        };
        let batch = self.items.batch(BATCHES[1]);
        let first = self.push(&mut s.adapter, &batch).await;
        let second = self.push(&mut s.adapter, &batch).await;
        let _ = s.adapter.shutdown().await;
        for (round, pushed) in [("第一次", &first), ("第二次", &second)] {
            if let Err(e) = all_acked(&batch, pushed) {
                return fail_with(
                    NAME,
                    format!("{round}推送同一批：{e}（重复推送同一键同一内容必须再次确认）"),
                    evidence(&batch, pushed),
                );
            }
        }
        if let Some((item, n)) = self.far_duplicate(&batch) {
            return fail_with(
                NAME,
                format!("同一键推送两次后对端保存了 {n} 份（应为 1 份）：{}", item.key),
                vec![format!("发送两次：{}", show_item(item)), show_got(&second)],
            );
        }
        let seen = if self.target.far_count(&batch[0].key).is_some() { "，对端各保存 1 份" } else { "" };
        pass(NAME, format!("同一批重复推送两次均被确认{seen}"))
    }

    async fn conflicting_payload(&mut self) -> CaseResult {
        const NAME: &str = "same_key_different_payload_is_permanent";
        let mut s = match self.start(NAME, self.liveness).await {
            Ok(s) => s,
            Err(c) => return c,
        };
        let original = self.items.batch(BATCHES[2]);
        let mut changed = original.clone();
        changed[0].payload = serde_json::json!({"申请人": "李四", "篡改": true});
        changed[0].payload_sha256 = crate::hash::payload_sha256(&changed[0].payload);
        let first = self.push(&mut s.adapter, &original).await;
        let second = self.push(&mut s.adapter, &changed).await;
        let _ = s.adapter.shutdown().await;
        if let Err(e) = all_acked(&original, &first) {
            return fail_with(NAME, format!("首次推送：{e}"), evidence(&original, &first));
        }
        let key = &original[0].key;
        let verdict = match &second.result {
            Ok(r) => match r.rejected.iter().find(|x| &x.key == key) {
                Some(x) if x.class == ErrorClass::Permanent => None,
                Some(x) => Some(format!("被拒绝但错误类别为 {:?}，应为 permanent", x.class)),
                None if r.acked.contains(key) => {
                    Some("被确认了——对端没有按键比对内容摘要，同一键不同内容必须拒绝".to_string())
                }
                None => Some("结果中没有该键".to_string()),
            },
            Err(e) if e.class == ErrorClass::Permanent => None,
            Err(e) => Some(format!("整批失败且类别为 {:?}：{}", e.class, err_text(e))),
        };
        if let Some(v) = verdict {
            return fail_with(
                NAME,
                format!("同一键 {key} 换了内容再推送：{v}"),
                vec![
                    format!("先发送：{}", show_item(&original[0])),
                    format!("再发送：{}", show_item(&changed[0])),
                    show_got(&second),
                ],
            );
        }
        if let Some(n) = self.target.far_count(key)
            && n != 1
        {
            return fail_with(
                NAME,
                format!("对端保存了 {n} 份 {key}（应为 1 份原始内容）"),
                vec![format!("再发送：{}", show_item(&changed[0])), show_got(&second)],
            );
        }
        pass(NAME, "同一键不同内容被拒绝（permanent）")
    }

    async fn cursor_resume(&mut self) -> CaseResult {
        const NAME: &str = "cursor_resume";
        // Required for an adapter that says it can pull (or whose handshake failed: unknown).
        let declares_pull = self.handshake.as_ref().is_none_or(|h| h.capabilities.pull);
        let Some((stream, expected)) = self.inbox.clone() else {
            return if declares_pull {
                skip(
                    NAME,
                    true,
                    "未提供预置收件流：适配器声明可拉取（capabilities.pull），但分页与游标续拉没有检查。\
                     请在对端（测试替身）预置若干条，再用 --inbox 流名=条数（或 ProcessTarget.inbox）告知",
                )
            } else {
                skip(NAME, false, "适配器未声明拉取能力（capabilities.pull=false），不适用")
            };
        };
        let mut s = match self.start(NAME, self.liveness).await {
            Ok(s) => s,
            Err(c) => return c,
        };
        const PAGE: usize = 7;
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        let mut saved: Option<(Option<String>, usize)> = None;
        for page_no in 0.. {
            if page_no > expected + 2 {
                return fail(NAME, format!("分页拉取不结束（游标不前进）：最后的游标 {cursor:?}"));
            }
            if page_no == 2 {
                saved = Some((cursor.clone(), all.len()));
            }
            let page = match s.adapter.pull(&stream, cursor.as_deref(), PAGE).await {
                Ok(p) => p,
                Err(e) => {
                    return fail_with(
                        NAME,
                        format!("第 {} 页拉取失败：{}", page_no + 1, err_text(&e)),
                        vec![format!("发送：pull stream={stream} cursor={cursor:?} max={PAGE}")],
                    );
                }
            };
            if page.items.len() > PAGE {
                return fail(NAME, format!("一页返回 {} 条，超过上限 {PAGE}", page.items.len()));
            }
            if page.items.is_empty() {
                break;
            }
            all.extend(page.items.into_iter().map(|i| i.key));
            if page.next_cursor.is_some() {
                cursor = page.next_cursor;
            }
        }
        let _ = s.adapter.shutdown().await;
        let unique: HashSet<&String> = all.iter().collect();
        if unique.len() != all.len() {
            return fail(NAME, format!("分页拉取出现重复：{} 条中只有 {} 个不同的键", all.len(), unique.len()));
        }
        if all.len() != expected {
            return fail_with(
                NAME,
                format!("共拉到 {} 条，应为 {expected} 条", all.len()),
                vec![
                    format!("发送：pull stream={stream} 从头开始，每页 {PAGE} 条"),
                    format!("返回的键：{}", show_keys(&all)),
                ],
            );
        }
        // A new session resumes from the cursor saved after page 2: nothing lost, nothing repeated.
        let Some((saved_cursor, before)) = saved else {
            return pass(NAME, format!("{expected} 条不足两页，仅验证了无重复无遗漏"));
        };
        let mut s = match self.start(NAME, self.liveness).await {
            Ok(s) => s,
            Err(c) => return c,
        };
        let mut resumed = Vec::new();
        let mut cursor = saved_cursor.clone();
        for _ in 0..=expected + 2 {
            match s.adapter.pull(&stream, cursor.as_deref(), PAGE).await {
                Ok(p) if p.items.is_empty() => break,
                Ok(p) => {
                    resumed.extend(p.items.into_iter().map(|i| i.key));
                    if p.next_cursor.is_some() {
                        cursor = p.next_cursor;
                    }
                }
                Err(e) => {
                    let _ = s.adapter.shutdown().await;
                    return fail(NAME, format!("从保存的游标 {saved_cursor:?} 续拉失败：{}", err_text(&e)));
                }
            }
        }
        let _ = s.adapter.shutdown().await;
        if resumed != all[before..] {
            return fail_with(
                NAME,
                format!(
                    "从第 2 页后的游标续拉得到 {} 条，应为 {} 条且顺序一致（有遗漏或重复）",
                    resumed.len(),
                    all.len() - before
                ),
                vec![
                    format!("发送：pull stream={stream} cursor={saved_cursor:?} max={PAGE}"),
                    format!("返回的键：{}；应为 {}", show_keys(&resumed), show_keys(&all[before..])),
                ],
            );
        }
        pass(NAME, format!("{expected} 条分 {PAGE} 条一页拉完，从保存的游标续拉无遗漏无重复"))
    }

    async fn slow_replies(&mut self) -> CaseResult {
        const NAME: &str = "slow_replies";
        let limit = self.slow;
        let mut s = match self.start(NAME, limit).await {
            Ok(s) => s,
            Err(c) => return c,
        };
        let batch = self.items.batch(BATCHES[3]);
        let pushed = self.push(&mut s.adapter, &batch).await;
        let health = match &pushed.result {
            Ok(_) => s.adapter.health().await.err(),
            Err(_) => None,
        };
        let _ = s.adapter.shutdown().await;
        let ms = limit.as_millis();
        if let Err(e) = &pushed.result {
            return fail_with(
                NAME,
                format!(
                    "推送 {} 条时未在 {ms} 毫秒存活时限内回复（长批次应发送 progress 心跳）：{}",
                    batch.len(),
                    err_text(e)
                ),
                evidence(&batch, &pushed),
            );
        }
        if let Some(e) = health {
            return fail_with(
                NAME,
                format!("health 未在 {ms} 毫秒存活时限内回复：{}", err_text(&e)),
                vec!["发送：health".into(), format!("返回：错误（{:?}）{}", e.class, truncate(&err_text(&e), 300))],
            );
        }
        pass(NAME, format!("{} 条推送与 health 的每次回复都在 {ms} 毫秒存活时限内", batch.len()))
    }

    async fn malformed_replies(&mut self) -> CaseResult {
        const NAME: &str = "malformed_replies";
        let mut s = match self.target.start(self.liveness).await {
            Ok(s) => s,
            Err(e) => return fail(NAME, format!("无法启动适配器：{}", err_text(&e))),
        };
        let batch = self.items.batch(BATCHES[4]);
        let mut errors = Vec::new();
        if let Err(e) = s.adapter.hello().await {
            errors.push(format!("hello：{}", err_text(&e)));
        }
        let pushed = self.push(&mut s.adapter, &batch).await;
        if let Err(e) = &pushed.result {
            errors.push(format!("push：{}", err_text(e)));
        }
        if let Err(e) = s.adapter.health().await {
            errors.push(format!("health：{}", err_text(&e)));
        }
        let violations = self.target.violations(&s.adapter);
        let _ = s.adapter.shutdown().await;
        if !violations.is_empty() {
            return fail_with(
                NAME,
                format!(
                    "标准输出上出现 {} 行非协议内容（日志必须写到标准错误），第一行：{}",
                    violations.len(),
                    truncate(&violations[0], SHOW_CHARS)
                ),
                vec!["发送：hello、push、health 各一次".into(), show_sent(&batch)],
            );
        }
        if !errors.is_empty() {
            return fail_with(NAME, format!("正常请求出错：{}", errors.join("；")), evidence(&batch, &pushed));
        }
        pass(NAME, "标准输出只有协议消息")
    }

    /// Kills the adapter inside a batch it has read (on its first `progress` for the push),
    /// restarts it and pushes the same batch: every item acked, the far side holds each once.
    async fn crash_mid_batch(&mut self) -> CaseResult {
        const NAME: &str = "crash_mid_batch";
        let mut s = match self.start(NAME, self.liveness).await {
            Ok(s) => s,
            Err(c) => return c,
        };
        let Some(kill) = s.kill.clone() else {
            let _ = s.adapter.shutdown().await;
            return skip(NAME, false, "该目标在主机进程内运行，无法从外部终止，不适用");
        };
        let Some(mut progress) = self.target.progress(&s.adapter) else {
            let _ = s.adapter.shutdown().await;
            return skip(NAME, true, "目标不报告 progress 消息，无法确认适配器已读入批次后再终止");
        };
        progress.borrow_and_update();
        let batch = self.items.batch(CRASH_BATCH);
        self.sends += batch.len();
        let (result, killed) = {
            let push = s.adapter.push(&batch);
            tokio::pin!(push);
            // Single task: the progress tick is seen as soon as the push loop has read the line,
            // so the kill lands while the adapter is inside the batch — no timing involved.
            tokio::select! {
                r = &mut push => (r, false),
                Ok(()) = progress.changed() => {
                    kill.kill();
                    (push.await, true)
                }
            }
        };
        let progress_seen = *progress.borrow();
        drop(s);
        if !killed {
            return match result {
                Ok(_) => skip(
                    NAME,
                    true,
                    format!(
                        "适配器处理 {} 条的批次时没有发送任何 progress 消息，检查无法在它读入批次后、写完之前终止它，\
                         崩溃后不丢不重没有得到验证（协议 §3.2：长批次每 100 条左右发送一次 progress）",
                        batch.len()
                    ),
                ),
                Err(e) => fail_with(
                    NAME,
                    format!("在被终止之前推送就失败了：{}", err_text(&e)),
                    vec![show_sent(&batch), format!("返回：错误（{:?}）{}", e.class, truncate(&err_text(&e), 300))],
                ),
            };
        }
        let far_held_at_kill = self.far_held(&batch);
        let finished = result.is_ok();
        self.crash = Some(CrashObservation {
            batch: batch.len(),
            progress_seen,
            far_held_at_kill,
            finished_before_kill: finished,
        });
        let held = match far_held_at_kill {
            Some(0) => format!("终止时对端尚无本批条目（0/{}）", batch.len()),
            Some(n) => format!("终止时对端已保存本批 {n}/{} 条（部分写入）", batch.len()),
            None => "对端对检查不可见，未核对部分写入".into(),
        };
        let note = match result {
            Err(e) if e.class == ErrorClass::Retryable && !e.message.is_empty() => {
                format!("在适配器发出第 1 条 progress（已读入批次）后终止；{held}；主机报告可重试错误：{}", e.message)
            }
            Err(e) => {
                return fail_with(
                    NAME,
                    format!("进程崩溃应报告为可重试错误，实为 {:?}：{}", e.class, err_text(&e)),
                    vec![show_sent(&batch)],
                );
            }
            Ok(_) => format!("在适配器发出 progress 后终止，但它已先答完该批；{held}"),
        };
        // Restart and push the same batch: everything acked, nothing held twice.
        let mut s = match self.start(NAME, self.liveness).await {
            Ok(s) => s,
            Err(c) => return CaseResult { message: format!("{note}；重启后{}", c.message), ..c },
        };
        let again = self.push(&mut s.adapter, &batch).await;
        let _ = s.adapter.shutdown().await;
        if let Err(e) = all_acked(&batch, &again) {
            return fail_with(NAME, format!("{note}；重启后重推同一批：{e}"), evidence(&batch, &again));
        }
        if let Some((item, n)) = self.far_duplicate(&batch) {
            return fail_with(
                NAME,
                format!("{note}；重推后对端保存了 {n} 份 {}（应为 1 份）", item.key),
                vec![format!("发送（崩溃前与重启后各一次）：{}", show_item(item)), show_got(&again)],
            );
        }
        let checked = if far_held_at_kill.is_some() { "，对端每键 1 份" } else { "" };
        pass(NAME, format!("{note}；重启后重推全部确认{checked}"))
    }

    /// Only when `hello` announced `timestamp`: a DER TimeStampReq goes through unchanged and a
    /// DER TimeStampResp for *this* request comes back (its nonce inside), and a request the TSA
    /// cannot parse gets a TSA rejection or an error reply — never a hang or a crash.
    async fn timestamp(&mut self) -> CaseResult {
        const NAME: &str = "timestamp";
        if !self.handshake.as_ref().is_some_and(|h| h.capabilities.timestamp) {
            return skip(NAME, false, "适配器未声明 timestamp 能力");
        }
        let mut s = match self.start(NAME, self.liveness).await {
            Ok(s) => s,
            Err(c) => return c,
        };
        let nonce = timestamp_nonce();
        let request = timestamp_request(&[0x5a; 32], nonce);
        let reply = tokio::time::timeout(self.liveness, s.adapter.timestamp(&request)).await;
        let garbage = tokio::time::timeout(self.liveness, s.adapter.timestamp(b"not a request")).await;
        let _ = s.adapter.shutdown().await;
        let reply = match reply {
            Err(_) => return fail(NAME, format!("{} ms 内没有时间戳应答", millis(self.liveness))),
            Ok(Err(e)) => return fail(NAME, format!("时间戳请求失败：{}", err_text(&e))),
            Ok(Ok(r)) => r,
        };
        match timestamp_status(&reply) {
            Some(0 | 1) if reply.windows(8).any(|w| w == nonce.as_slice()) => {}
            Some(0 | 1) => return fail(NAME, "时间戳应答中没有本次请求的随机数（重放或错投的应答）"),
            Some(status) => return fail(NAME, format!("时间戳服务拒绝了合法请求（PKIStatus {status}）")),
            None => {
                return fail_with(
                    NAME,
                    "时间戳应答不是 DER TimeStampResp",
                    vec![format!("应答前 32 字节：{:02x?}", &reply[..reply.len().min(32)])],
                );
            }
        }
        match garbage {
            Err(_) => fail(NAME, "对无法解析的时间戳请求没有应答"),
            Ok(Ok(r)) if timestamp_status(&r).is_some_and(|st| st >= 2) => {
                pass(NAME, format!("时间戳请求原样转达，应答 {} 字节含本次随机数；错误请求被拒绝", reply.len()))
            }
            Ok(Ok(_)) => fail(NAME, "无法解析的时间戳请求竟得到了非拒绝的应答"),
            Ok(Err(e)) => pass(
                NAME,
                format!("时间戳请求原样转达，应答 {} 字节含本次随机数；错误请求报错：{}", reply.len(), err_text(&e)),
            ),
        }
    }

    async fn shutdown(&mut self) -> CaseResult {
        const NAME: &str = "shutdown";
        let mut s = match self.start(NAME, self.liveness).await {
            Ok(s) => s,
            Err(c) => return c,
        };
        match s.adapter.shutdown().await {
            Ok(()) => pass(NAME, "收到 shutdown 后正常应答"),
            Err(e) => fail(NAME, format!("shutdown 失败：{}", err_text(&e))),
        }
    }
}

/// 8 random bytes with the top bit clear, so the DER INTEGER is exactly these bytes.
fn timestamp_nonce() -> [u8; 8] {
    use ring::rand::SecureRandom;
    let mut n = [0u8; 8];
    let _ = ring::rand::SystemRandom::new().fill(&mut n);
    n[0] = (n[0] & 0x3f) | 0x10;
    n
}

/// A DER RFC 3161 TimeStampReq: version 1, SHA-256 imprint, the nonce, certReq TRUE.
fn timestamp_request(imprint: &[u8; 32], nonce: [u8; 8]) -> Vec<u8> {
    const SHA256: [u8; 11] = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    let mut mi = vec![0x30, 0x2f, 0x30, 0x0b];
    mi.extend_from_slice(&SHA256);
    mi.extend_from_slice(&[0x04, 0x20]);
    mi.extend_from_slice(imprint);
    let mut body = vec![0x02, 0x01, 0x01];
    body.extend_from_slice(&mi);
    body.extend_from_slice(&[0x02, 0x08]);
    body.extend_from_slice(&nonce);
    body.extend_from_slice(&[0x01, 0x01, 0xff]);
    let mut out = vec![0x30, u8::try_from(body.len()).unwrap_or(0x7f)];
    out.extend_from_slice(&body);
    out
}

/// The PKIStatus of a DER TimeStampResp (`SEQUENCE { SEQUENCE { INTEGER status … } … }`), or
/// `None` when the bytes are not one.
fn timestamp_status(der: &[u8]) -> Option<u8> {
    // One DER header: tag, then the content length (short or long form); returns (content, rest).
    fn tlv(b: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
        let (&t, b) = b.split_first()?;
        let (&l, mut b) = b.split_first()?;
        if t != tag {
            return None;
        }
        let len = if l < 0x80 {
            usize::from(l)
        } else {
            let n = usize::from(l & 0x7f);
            if n == 0 || n > 4 || b.len() < n {
                return None;
            }
            let len = b[..n].iter().fold(0usize, |a, x| (a << 8) | usize::from(*x));
            b = &b[n..];
            len
        };
        (b.len() >= len).then(|| b.split_at(len))
    }
    let (resp, rest) = tlv(der, 0x30)?;
    if !rest.is_empty() {
        return None;
    }
    let (status_info, _) = tlv(resp, 0x30)?;
    let (status, _) = tlv(status_info, 0x02)?;
    match status {
        [s] if *s <= 5 => Some(*s),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Sandbox

/// Where the kit's synthetic items go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Default: only loopback addresses (test doubles such as yc-sim) and local files;
    /// file-drop's exchange directories are replaced with a local recorder directory.
    #[default]
    Sandbox,
    /// Against the configured far side, whatever it is (`--live`).
    Live,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error(
        "沙箱模式（默认）拒绝检查适配器“{adapter}”：设置项 {setting} = {shown} 指向非本机地址 {host}，\
         检查会向它推送约 {items} 条合成测试条目。请把它改为本机测试替身（例如 yc-sim）的地址后再检查；\
         确要对真实端点检查，请加 --live"
    )]
    LiveEndpoint { adapter: String, setting: String, shown: String, host: String, items: usize },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("无法创建沙箱记录目录 {path}：{source}")]
    Recorder { path: PathBuf, source: std::io::Error },
}

/// A config made ready for the kit: what the adapter will be given, and where items will go.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub mode: Mode,
    /// The config to build the adapter from (in sandbox mode, file-drop's directories replaced).
    pub config: AdapterConfig,
    /// Its settings with `secrets_from_env` filled in: what reaches the adapter.
    pub settings: serde_json::Value,
    /// `setting = value` for each address or path in the settings (secrets not shown).
    pub destinations: Vec<String>,
    /// The local directory standing in for file-drop's exchange directories (kept afterwards so
    /// what the kit wrote can be inspected).
    pub recorder_dir: Option<PathBuf>,
}

impl Prepared {
    /// Which mode runs and where the synthetic items go, for the report's first lines.
    pub fn describe(&self) -> String {
        let dest = if self.destinations.is_empty() {
            "设置中没有地址或路径".to_string()
        } else {
            self.destinations.join("；")
        };
        match self.mode {
            Mode::Sandbox => format!(
                "模式：沙箱（默认）——设置中没有非本机地址{}；适配器“{}”将收到约 {SYNTHETIC_ITEMS} 条合成测试条目，写往：{dest}",
                match &self.recorder_dir {
                    Some(d) => format!("，交换目录换成了本地记录目录 {}", d.display()),
                    None => "，设置原样交给适配器".into(),
                },
                self.config.name
            ),
            Mode::Live => format!(
                "模式：真实端点（--live）——将向适配器“{}”配置的对端推送约 {SYNTHETIC_ITEMS} 条合成测试条目（键以 conf- 开头）：{dest}",
                self.config.name
            ),
        }
    }
}

/// file-drop settings that name where packets are written or state is kept.
const FILE_DROP_DIRS: [&str; 3] = ["outbox_dir", "inbox_dir", "state_dir"];

/// Readies `cfg` for the kit. Sandbox mode refuses any setting (secrets included) naming a
/// non-loopback address, and gives file-drop a fresh local recorder directory; live mode
/// passes everything through. `lookup` reads `secrets_from_env` (normally `std::env::var`).
pub fn prepare(
    cfg: &AdapterConfig,
    mode: Mode,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Prepared, SandboxError> {
    let mut config = cfg.clone();
    let mut recorder_dir = None;
    if mode == Mode::Sandbox && cfg.kind == AdapterKind::FileDrop {
        let dir = std::env::temp_dir().join(format!("yc-conformance-{}", run_id()));
        std::fs::create_dir_all(&dir).map_err(|source| SandboxError::Recorder { path: dir.clone(), source })?;
        if let Some(map) = config.settings.as_object_mut() {
            for key in FILE_DROP_DIRS {
                map.insert(key.into(), serde_json::Value::String(dir.join(key).to_string_lossy().into_owned()));
            }
        }
        recorder_dir = Some(dir);
    }
    let settings = config.resolved_settings(lookup)?;
    let mut strings = Vec::new();
    collect_strings(&settings, String::new(), &mut strings);
    let secret = |path: &str| cfg.secrets_from_env.contains_key(path.split(['.', '[']).next().unwrap_or(path));
    let shown = |path: &str, value: &str| {
        if secret(path) {
            format!("（取自环境变量 {}，不显示）", cfg.secrets_from_env[path.split(['.', '[']).next().unwrap_or(path)])
        } else {
            without_userinfo(value)
        }
    };
    if mode == Mode::Sandbox {
        for (path, value) in &strings {
            if let Some(host) = remote_host(value) {
                return Err(SandboxError::LiveEndpoint {
                    adapter: cfg.name.clone(),
                    setting: path.clone(),
                    shown: shown(path, value),
                    host,
                    items: SYNTHETIC_ITEMS,
                });
            }
        }
    }
    let destinations =
        strings.iter().filter(|(_, v)| looks_like_address(v)).map(|(p, v)| format!("{p} = {}", shown(p, v))).collect();
    Ok(Prepared { mode, config, settings, destinations, recorder_dir })
}

fn collect_strings(v: &serde_json::Value, path: String, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::String(s) => out.push((path, s.clone())),
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                collect_strings(x, format!("{path}[{i}]"), out);
            }
        }
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                collect_strings(x, if path.is_empty() { k.clone() } else { format!("{path}.{k}") }, out);
            }
        }
        _ => {}
    }
}

fn looks_like_address(s: &str) -> bool {
    s.contains("://")
        || s.starts_with('/')
        || s.starts_with('.')
        || s.starts_with('~')
        || s.contains('/')
        || s.contains('\\')
        || remote_host(s).is_some()
}

/// `scheme://user:pass@host/…` without the credentials.
fn without_userinfo(s: &str) -> String {
    let Some((scheme, rest)) = s.split_once("://") else { return s.to_string() };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => s.to_string(),
    }
}

/// The host a setting value points at, when it is a network address that is not this machine
/// (`scheme://host…`, or a bare IP address / `ip:port`). Loopback (`127.0.0.0/8`, `::1`,
/// `localhost`) and `file:` URLs are local.
pub fn remote_host(value: &str) -> Option<String> {
    let value = value.trim();
    if let Some((scheme, rest)) = value.split_once("://") {
        if scheme.eq_ignore_ascii_case("file") {
            return None;
        }
        let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = if let Some(bracketed) = host_port.strip_prefix('[') {
            bracketed.split(']').next().unwrap_or("")
        } else {
            host_port.split(':').next().unwrap_or("")
        };
        let host = host.to_ascii_lowercase();
        if host.is_empty() || is_loopback(&host) {
            return None;
        }
        return Some(host);
    }
    let ip = value.parse::<IpAddr>().ok().or_else(|| value.parse::<SocketAddr>().ok().map(|a| a.ip()))?;
    (!ip.is_loopback()).then(|| ip.to_string())
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.ends_with(".localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_hosts_are_found_and_loopback_is_local() {
        for remote in [
            "https://10.1.2.3/ws",
            "http://zwfw.example.gov.cn:8443/api",
            "HTTPS://User:Pw@10.0.0.7:9/x",
            "http://127.0.0.1.evil.example/",
            "http://localhost.evil.example/",
            "http://[2001:db8::1]:80/",
            "postgres://app@192.0.2.10/db",
            "192.0.2.10",
            "192.0.2.10:8080",
            "http://0.0.0.0:80/",
        ] {
            assert!(remote_host(remote).is_some(), "{remote} is remote");
        }
        for local in [
            "http://127.0.0.1:8080/ws",
            "http://127.9.9.9/",
            "https://localhost/x",
            "http://api.localhost:1/",
            "http://[::1]:9/",
            "file:///var/yc/x",
            "target/far.json",
            "/mnt/exchange",
            "张三",
            "WS01",
        ] {
            assert_eq!(remote_host(local), None, "{local} is local");
        }
    }

    #[test]
    fn credentials_are_not_shown() {
        assert_eq!(without_userinfo("https://u:secret@10.0.0.1/x"), "https://***@10.0.0.1/x");
        assert_eq!(without_userinfo("https://10.0.0.1/x"), "https://10.0.0.1/x");
    }
}
