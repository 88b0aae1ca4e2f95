//! Conformance kit: the behaviour every adapter must show before the engine trusts it
//! (modelled on X-Road's fault catalogue and the Singer/Airbyte target tests).
//!
//! ```no_run
//! # async fn demo() {
//! use yc_adapter_sdk::{conformance, ProcessSpec};
//! let target = conformance::ProcessTarget::new(
//!     ProcessSpec::new(vec!["python3".into(), "adapter.py".into()]),
//!     serde_json::json!({"state_file": "/tmp/far.json"}),
//! );
//! let report = conformance::run(&target).await;
//! println!("{}", report.to_text());
//! # }
//! ```

use std::collections::HashSet;
use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::adapter::{Adapter, KillSwitch};
use crate::config::ProcessSpec;
use crate::error::{AdapterError, ErrorClass};
use crate::item::{OutItem, PushReport};
use crate::process::ProcessAdapter;
use crate::protocol::PROTOCOL_VERSION;

/// Outcome of one conformance case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    pub name: String,
    pub passed: bool,
    /// Chinese explanation, with detail after "——".
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConformanceReport {
    pub cases: Vec<CaseResult>,
}

impl ConformanceReport {
    pub fn passed(&self) -> bool {
        !self.cases.is_empty() && self.cases.iter().all(|c| c.passed)
    }
    pub fn failures(&self) -> Vec<&CaseResult> {
        self.cases.iter().filter(|c| !c.passed).collect()
    }
    pub fn case(&self, name: &str) -> Option<&CaseResult> {
        self.cases.iter().find(|c| c.name == name)
    }
    /// One line per case: `[通过] name: message` / `[失败] …`.
    pub fn to_text(&self) -> String {
        self.cases
            .iter()
            .map(|c| format!("[{}] {}: {}", if c.passed { "通过" } else { "失败" }, c.name, c.message))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A started session of the adapter under test.
pub struct Started<A> {
    pub adapter: A,
    /// Kills the adapter from outside (for the crash case); `None` skips that case.
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

    /// Protocol breaches the host saw in a session (malformed lines …).
    fn violations(&self, adapter: &Self::Adapter) -> Vec<String> {
        let _ = adapter;
        Vec::new()
    }
}

/// Conformance target for a program speaking the JSON-lines protocol.
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

    fn violations(&self, adapter: &ProcessAdapter) -> Vec<String> {
        adapter.protocol_violations().to_vec()
    }
}

/// Liveness limit for ordinary cases; generous, so only a truly hung adapter trips it.
const LIVENESS: Duration = Duration::from_secs(8);
/// The "slow replies" case: every reply must come within this.
const SLOW_LIMIT: Duration = Duration::from_secs(2);

/// Runs every case and reports each one; never panics on a misbehaving adapter.
pub async fn run<T: Target>(target: &T) -> ConformanceReport {
    let run_id = run_id();
    let mut cases = Vec::new();
    let mut items = ItemGen { run_id: run_id.clone(), n: 0 };

    cases.push(handshake(target).await);
    cases.push(push_reports_every_item(target, &mut items).await);
    cases.push(idempotent_repush(target, &mut items).await);
    cases.push(conflicting_payload(target, &mut items).await);
    cases.push(cursor_resume(target).await);
    cases.push(slow_replies(target, &mut items).await);
    cases.push(malformed_replies(target, &mut items).await);
    cases.push(crash_mid_batch(target, &mut items).await);
    cases.push(shutdown(target).await);
    ConformanceReport { cases }
}

fn run_id() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("conf-{nanos:x}")
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
                    "case.filed",
                    "2026-11-23T09:30:00+08:00",
                    serde_json::json!({"申请人": "张三", "序号": n, "备注": "第一行\u{2028}第二行"}),
                )
            })
            .collect()
    }
}

fn pass(name: &str, message: impl Into<String>) -> CaseResult {
    CaseResult { name: name.into(), passed: true, message: message.into() }
}

fn fail(name: &str, message: impl Into<String>) -> CaseResult {
    CaseResult { name: name.into(), passed: false, message: message.into() }
}

fn err_text(e: &AdapterError) -> String {
    if e.detail.is_empty() { e.to_string() } else { format!("{e}——{}", e.detail) }
}

async fn start<T: Target>(target: &T, name: &str, liveness: Duration) -> Result<Started<T::Adapter>, CaseResult> {
    let mut s = target.start(liveness).await.map_err(|e| fail(name, format!("无法启动适配器：{}", err_text(&e))))?;
    match s.adapter.hello().await {
        Ok(_) => Ok(s),
        Err(e) => Err(fail(name, format!("握手失败：{}", err_text(&e)))),
    }
}

/// Checks that `report` covers every key of `batch` exactly once, all acked.
fn all_acked(batch: &[OutItem], report: &PushReport) -> Result<(), String> {
    let want: HashSet<&str> = batch.iter().map(|i| i.key.as_str()).collect();
    let mut seen = HashSet::new();
    for k in &report.acked {
        if !want.contains(k.as_str()) {
            return Err(format!("确认了批次中不存在的键 {k}"));
        }
        if !seen.insert(k.as_str()) {
            return Err(format!("键 {k} 被重复确认"));
        }
    }
    if let Some(r) = report.rejected.first() {
        return Err(format!("合法条目 {} 被拒绝：{}（{:?}）", r.key, r.message, r.class));
    }
    let missing: Vec<&&str> = want.iter().filter(|k| !seen.contains(**k)).take(3).collect();
    if !missing.is_empty() {
        return Err(format!("{} 条既未确认也未拒绝，例如 {:?}", want.len() - seen.len(), missing));
    }
    Ok(())
}

async fn handshake<T: Target>(target: &T) -> CaseResult {
    const NAME: &str = "handshake";
    let mut s = match target.start(LIVENESS).await {
        Ok(s) => s,
        Err(e) => return fail(NAME, format!("无法启动适配器：{}", err_text(&e))),
    };
    let hs = match s.adapter.hello().await {
        Ok(h) => h,
        Err(e) => return fail(NAME, format!("握手失败：{}", err_text(&e))),
    };
    let _ = s.adapter.shutdown().await;
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

async fn push_reports_every_item<T: Target>(target: &T, items: &mut ItemGen) -> CaseResult {
    const NAME: &str = "push_reports_every_item";
    let mut s = match start(target, NAME, LIVENESS).await {
        Ok(s) => s,
        Err(c) => return c,
    };
    let batch = items.batch(20);
    let result = s.adapter.push(&batch).await;
    let _ = s.adapter.shutdown().await;
    match result {
        Ok(report) => match all_acked(&batch, &report) {
            Ok(()) => pass(NAME, "20 条批次逐条确认"),
            Err(e) => fail(NAME, format!("推送结果不完整：{e}")),
        },
        Err(e) => fail(NAME, format!("推送失败：{}", err_text(&e))),
    }
}

async fn idempotent_repush<T: Target>(target: &T, items: &mut ItemGen) -> CaseResult {
    const NAME: &str = "idempotent_repush";
    let mut s = match start(target, NAME, LIVENESS).await {
        Ok(s) => s,
        Err(c) => return c,
    };
    let batch = items.batch(3);
    let first = s.adapter.push(&batch).await;
    let second = s.adapter.push(&batch).await;
    let _ = s.adapter.shutdown().await;
    for (round, r) in [("第一次", first), ("第二次", second)] {
        match r {
            Ok(report) => {
                if let Err(e) = all_acked(&batch, &report) {
                    return fail(NAME, format!("{round}推送同一批：{e}（重复推送同一键同一内容必须再次确认）"));
                }
            }
            Err(e) => return fail(NAME, format!("{round}推送失败：{}", err_text(&e))),
        }
    }
    for item in &batch {
        if let Some(n) = target.far_count(&item.key)
            && n != 1
        {
            return fail(NAME, format!("同一键推送两次后对端保存了 {n} 份（应为 1 份）：{}", item.key));
        }
    }
    let seen = if target.far_count(&batch[0].key).is_some() { "，对端各保存 1 份" } else { "" };
    pass(NAME, format!("同一批重复推送两次均被确认{seen}"))
}

async fn conflicting_payload<T: Target>(target: &T, items: &mut ItemGen) -> CaseResult {
    const NAME: &str = "same_key_different_payload_is_permanent";
    let mut s = match start(target, NAME, LIVENESS).await {
        Ok(s) => s,
        Err(c) => return c,
    };
    let original = items.batch(1);
    let mut changed = original.clone();
    changed[0].payload = serde_json::json!({"申请人": "李四", "篡改": true});
    changed[0].payload_sha256 = crate::hash::payload_sha256(&changed[0].payload);
    let first = s.adapter.push(&original).await;
    let second = s.adapter.push(&changed).await;
    let _ = s.adapter.shutdown().await;
    match first {
        Ok(r) => {
            if let Err(e) = all_acked(&original, &r) {
                return fail(NAME, format!("首次推送：{e}"));
            }
        }
        Err(e) => return fail(NAME, format!("首次推送失败：{}", err_text(&e))),
    }
    let key = &original[0].key;
    let verdict = match second {
        Ok(r) => match r.rejected.iter().find(|x| &x.key == key) {
            Some(x) if x.class == ErrorClass::Permanent => None,
            Some(x) => Some(format!("被拒绝但错误类别为 {:?}，应为 permanent", x.class)),
            None if r.acked.contains(key) => {
                Some("被确认了——对端没有按键比对内容摘要，同一键不同内容必须拒绝".to_string())
            }
            None => Some("结果中没有该键".to_string()),
        },
        Err(e) if e.class == ErrorClass::Permanent => None,
        Err(e) => Some(format!("整批失败且类别为 {:?}：{}", e.class, err_text(&e))),
    };
    if let Some(v) = verdict {
        return fail(NAME, format!("同一键 {key} 换了内容再推送：{v}"));
    }
    if let Some(n) = target.far_count(key)
        && n != 1
    {
        return fail(NAME, format!("对端保存了 {n} 份 {key}（应为 1 份原始内容）"));
    }
    pass(NAME, "同一键不同内容被拒绝（permanent）")
}

async fn cursor_resume<T: Target>(target: &T) -> CaseResult {
    const NAME: &str = "cursor_resume";
    let Some((stream, expected)) = target.inbox() else {
        return pass(NAME, "未提供预置收件流，跳过");
    };
    let mut s = match start(target, NAME, LIVENESS).await {
        Ok(s) => s,
        Err(c) => return c,
    };
    const PAGE: usize = 7;
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    let mut saved: Option<(Option<String>, usize)> = None;
    for page_no in 0.. {
        if page_no > expected + 2 {
            return fail(NAME, "分页拉取不结束（游标不前进）");
        }
        if page_no == 2 {
            saved = Some((cursor.clone(), all.len()));
        }
        let page = match s.adapter.pull(&stream, cursor.as_deref(), PAGE).await {
            Ok(p) => p,
            Err(e) => return fail(NAME, format!("第 {} 页拉取失败：{}", page_no + 1, err_text(&e))),
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
        return fail(NAME, format!("共拉到 {} 条，应为 {expected} 条", all.len()));
    }
    // A new session resumes from the cursor saved after page 2: nothing lost, nothing repeated.
    let Some((saved_cursor, before)) = saved else {
        return pass(NAME, format!("{expected} 条不足两页，仅验证了无重复无遗漏"));
    };
    let mut s = match start(target, NAME, LIVENESS).await {
        Ok(s) => s,
        Err(c) => return c,
    };
    let mut resumed = Vec::new();
    let mut cursor = saved_cursor;
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
                return fail(NAME, format!("从保存的游标续拉失败：{}", err_text(&e)));
            }
        }
    }
    let _ = s.adapter.shutdown().await;
    if resumed != all[before..] {
        return fail(
            NAME,
            format!(
                "从第 2 页后的游标续拉得到 {} 条，应为 {} 条且顺序一致（有遗漏或重复）",
                resumed.len(),
                all.len() - before
            ),
        );
    }
    pass(NAME, format!("{expected} 条分 {PAGE} 条一页拉完，从保存的游标续拉无遗漏无重复"))
}

async fn slow_replies<T: Target>(target: &T, items: &mut ItemGen) -> CaseResult {
    const NAME: &str = "slow_replies";
    let mut s = match start(target, NAME, SLOW_LIMIT).await {
        Ok(s) => s,
        Err(c) => return c,
    };
    let batch = items.batch(200);
    let result = async {
        let r = s.adapter.push(&batch).await?;
        s.adapter.health().await?;
        Ok::<_, AdapterError>(r)
    }
    .await;
    let _ = s.adapter.shutdown().await;
    match result {
        Ok(_) => pass(NAME, format!("每次回复都在存活时限 {} 秒内", SLOW_LIMIT.as_secs())),
        Err(e) => fail(
            NAME,
            format!("在 {} 秒存活时限内未回复（长批次应发送 progress 心跳）：{}", SLOW_LIMIT.as_secs(), err_text(&e)),
        ),
    }
}

async fn malformed_replies<T: Target>(target: &T, items: &mut ItemGen) -> CaseResult {
    const NAME: &str = "malformed_replies";
    let mut s = match target.start(LIVENESS).await {
        Ok(s) => s,
        Err(e) => return fail(NAME, format!("无法启动适配器：{}", err_text(&e))),
    };
    let batch = items.batch(5);
    let mut errors = Vec::new();
    if let Err(e) = s.adapter.hello().await {
        errors.push(err_text(&e));
    }
    if let Err(e) = s.adapter.push(&batch).await {
        errors.push(err_text(&e));
    }
    if let Err(e) = s.adapter.health().await {
        errors.push(err_text(&e));
    }
    let violations = target.violations(&s.adapter);
    let _ = s.adapter.shutdown().await;
    if !violations.is_empty() {
        return fail(
            NAME,
            format!(
                "标准输出上出现 {} 行非协议内容（日志必须写到标准错误），第一行：{}",
                violations.len(),
                violations[0]
            ),
        );
    }
    if !errors.is_empty() {
        return fail(NAME, format!("正常请求出错：{}", errors.join("；")));
    }
    pass(NAME, "标准输出只有协议消息")
}

async fn crash_mid_batch<T: Target>(target: &T, items: &mut ItemGen) -> CaseResult {
    const NAME: &str = "crash_mid_batch";
    let mut s = match start(target, NAME, LIVENESS).await {
        Ok(s) => s,
        Err(c) => return c,
    };
    let Some(kill) = s.kill.clone() else {
        let _ = s.adapter.shutdown().await;
        return pass(NAME, "该目标不支持从外部终止，跳过");
    };
    let batch = items.batch(500);
    let (result, ()) = tokio::join!(s.adapter.push(&batch), async {
        tokio::task::yield_now().await;
        kill.kill();
    });
    drop(s);
    let note = match result {
        Err(e) if e.class == ErrorClass::Retryable && !e.message.is_empty() => {
            format!("进程被终止，主机报告可重试错误：{}", e.message)
        }
        Err(e) => return fail(NAME, format!("进程崩溃应报告为可重试错误，实为 {:?}：{}", e.class, err_text(&e))),
        Ok(_) => "适配器在被终止前已完成该批".to_string(),
    };
    // Restart and push the same batch: everything acked, nothing held twice.
    let mut s = match start(target, NAME, LIVENESS).await {
        Ok(s) => s,
        Err(c) => return c,
    };
    let again = s.adapter.push(&batch).await;
    let _ = s.adapter.shutdown().await;
    match again {
        Ok(r) => {
            if let Err(e) = all_acked(&batch, &r) {
                return fail(NAME, format!("{note}；重启后重推同一批：{e}"));
            }
        }
        Err(e) => return fail(NAME, format!("{note}；重启后重推失败：{}", err_text(&e))),
    }
    for item in &batch {
        if let Some(n) = target.far_count(&item.key)
            && n != 1
        {
            return fail(NAME, format!("{note}；重推后对端保存了 {n} 份 {}", item.key));
        }
    }
    pass(NAME, format!("{note}；重启后重推全部确认且无重复"))
}

async fn shutdown<T: Target>(target: &T) -> CaseResult {
    const NAME: &str = "shutdown";
    let mut s = match start(target, NAME, LIVENESS).await {
        Ok(s) => s,
        Err(c) => return c,
    };
    match s.adapter.shutdown().await {
        Ok(()) => pass(NAME, "收到 shutdown 后正常应答"),
        Err(e) => fail(NAME, format!("shutdown 失败：{}", err_text(&e))),
    }
}
