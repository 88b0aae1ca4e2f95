//! Host side of the JSON-lines protocol: spawns the adapter program and talks to it over stdio.
//!
//! Fault handling (X-Road's fault catalogue is the model):
//! * a malformed line on stdout fails the request in flight with the line kept in the error's
//!   detail and in [`ProcessAdapter::protocol_violations`]; the host carries on;
//! * silence longer than the liveness timeout (no reply, no `progress`) fails the request and
//!   kills the adapter; the whole-session timeout is separate;
//! * the adapter dying mid-request is a retryable error carrying its exit status and the tail
//!   of its stderr;
//! * the child is killed when the `ProcessAdapter` is dropped.

use std::collections::{HashSet, VecDeque};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{ChildStdin, Command};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::adapter::{Adapter, KillSwitch};
use crate::anchor::{AnchorAnswer, HeadProof};
use crate::config::ProcessSpec;
use crate::error::{AdapterError, Origin};
use crate::item::{Handshake, Health, OutItem, PullPage, PushReport};
use crate::protocol::{
    self, AnchorReply, Envelope, ErrorReply, HealthReply, HelloReply, HostInfo, PullReply, PushReply, Request,
};

const STDERR_TAIL_LINES: usize = 20;
const DETAIL_LINE_CHARS: usize = 2000;

enum LineEvent {
    Line(String),
    Malformed { line: String, reason: String },
    Eof,
}

/// An adapter running as a child process.
pub struct ProcessAdapter {
    name: String,
    settings: serde_json::Value,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<LineEvent>,
    next_id: u64,
    liveness: Duration,
    startup: Duration,
    run_deadline: Instant,
    run_timeout: Duration,
    kill: KillSwitch,
    exit: watch::Receiver<Option<String>>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    violations: Vec<String>,
    /// Wrong push outcomes (keys never sent, contradictions): the adapter's mistake, not stdout noise.
    outcome_problems: Vec<String>,
    /// Counts `progress` lines for requests in flight (the conformance kit crashes a batch on one).
    progress: watch::Sender<u64>,
    handshake: Option<Handshake>,
    /// Set after a liveness/run timeout: the child was killed and must be restarted.
    dead: Option<AdapterError>,
}

impl ProcessAdapter {
    /// Spawns `spec.command`. `settings` (secrets included) reach the adapter in the `hello`
    /// message on stdin. Must be called inside a tokio runtime.
    pub fn spawn(
        name: impl Into<String>,
        spec: &ProcessSpec,
        settings: serde_json::Value,
    ) -> Result<Self, AdapterError> {
        let name = name.into();
        // tokio::process panics outside a runtime ("there is no reactor running"): a host that
        // builds adapters before entering its runtime gets an error naming the mistake instead.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(AdapterError::retryable(
                Origin::Adapter,
                format!("无法启动适配器“{name}”：主机程序未在异步运行时中创建进程适配器（程序缺陷）"),
                "ProcessAdapter::spawn called outside a tokio runtime",
            ));
        }
        let Some((program, args)) = spec.command.split_first() else {
            return Err(AdapterError::auth(
                Origin::Adapter,
                format!("适配器“{name}”未配置启动命令"),
                "process.command is empty",
            ));
        };
        let mut cmd = Command::new(program);
        cmd.args(args)
            .envs(&spec.env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(cwd) = &spec.cwd {
            cmd.current_dir(cwd);
        }
        let mut child = cmd.spawn().map_err(|e| {
            AdapterError::auth(Origin::Adapter, format!("无法启动适配器“{name}”：{program} 启动失败"), e.to_string())
        })?;
        let (Some(stdin), Some(stdout), Some(stderr)) = (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(AdapterError::retryable(
                Origin::Adapter,
                format!("无法连接适配器“{name}”的标准输入输出"),
                "missing stdio pipe",
            ));
        };

        let (line_tx, lines) = mpsc::channel(64);
        tokio::spawn(read_stdout(stdout, line_tx));

        let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
        tokio::spawn(read_stderr(stderr, stderr_tail.clone(), name.clone()));

        let kill = KillSwitch::new();
        let (exit_tx, exit) = watch::channel(None);
        let reaper_kill = kill.clone();
        tokio::spawn(async move {
            let status = tokio::select! {
                status = child.wait() => status,
                () = reaper_kill.fired() => {
                    let _ = child.start_kill();
                    child.wait().await
                }
            };
            let text = match status {
                Ok(s) => s.to_string(),
                Err(e) => format!("无法取得退出状态：{e}"),
            };
            let _ = exit_tx.send(Some(text));
        });

        let run_timeout = Duration::from_millis(spec.run_timeout_ms);
        Ok(Self {
            name,
            settings,
            stdin: Some(stdin),
            lines,
            next_id: 1,
            liveness: Duration::from_millis(spec.liveness_timeout_ms.max(1)),
            startup: Duration::from_millis(spec.startup_timeout_ms),
            run_deadline: Instant::now() + run_timeout,
            run_timeout,
            kill,
            exit,
            stderr_tail,
            violations: Vec::new(),
            outcome_problems: Vec::new(),
            progress: watch::channel(0).0,
            handshake: None,
            dead: None,
        })
    }

    /// Changes the liveness timeout for later requests (e.g. generous for start-up, tight
    /// for steady state).
    pub fn set_liveness_timeout(&mut self, timeout: Duration) {
        self.liveness = timeout.max(Duration::from_millis(1));
    }

    /// Kills the child from anywhere (whole-run timeout, operator stop, crash tests).
    pub fn kill_switch(&self) -> KillSwitch {
        self.kill.clone()
    }

    /// Malformed lines and protocol breaches seen so far, each kept verbatim (truncated).
    pub fn protocol_violations(&self) -> &[String] {
        &self.violations
    }

    /// Push outcomes the host discarded: acks of keys never sent, keys both acked and rejected.
    pub fn outcome_problems(&self) -> &[String] {
        &self.outcome_problems
    }

    /// Ticks once per `progress` line received for the request in flight.
    pub fn progress_events(&self) -> watch::Receiver<u64> {
        self.progress.subscribe()
    }

    /// The last lines the adapter wrote to stderr.
    pub fn stderr_tail(&self) -> Vec<String> {
        self.stderr_tail.lock().map(|t| t.iter().cloned().collect()).unwrap_or_default()
    }

    /// The adapter's handshake, once `hello` has succeeded.
    pub fn handshake(&self) -> Option<&Handshake> {
        self.handshake.as_ref()
    }

    fn detail_with_stderr(&self, detail: impl Into<String>) -> String {
        let mut d = detail.into();
        let tail = self.stderr_tail();
        if !tail.is_empty() {
            d.push_str("\nstderr 末尾：\n");
            d.push_str(&tail.join("\n"));
        }
        d
    }

    async fn exit_status(&mut self, wait: Duration) -> Option<String> {
        let mut rx = self.exit.clone();
        let _ = tokio::time::timeout(wait, rx.wait_for(Option::is_some)).await;
        rx.borrow().clone()
    }

    fn kill_with(&mut self, err: AdapterError) -> AdapterError {
        self.kill.kill();
        self.dead = Some(err.clone());
        err
    }

    /// Sends one request and waits for its reply (by id), enforcing both timeouts.
    async fn request(&mut self, req: Request) -> Result<serde_json::Value, AdapterError> {
        if let Some(err) = &self.dead {
            return Err(AdapterError::retryable(
                Origin::Adapter,
                format!("适配器“{}”已被终止，需重新启动后再同步", self.name),
                format!("先前的错误：{err}"),
            ));
        }
        if self.kill.is_fired() || self.exit.borrow().is_some() {
            let status = self.exit_status(Duration::from_millis(200)).await.unwrap_or_default();
            return Err(AdapterError::retryable(
                Origin::Adapter,
                format!("适配器“{}”进程已退出", self.name),
                self.detail_with_stderr(format!("退出状态：{status}")),
            ));
        }
        let id = req.id();
        let op = req.name();
        let liveness =
            if matches!(req, Request::Hello { .. }) { self.liveness.max(self.startup) } else { self.liveness };
        let reply_type = req.reply_type();
        let mut line = serde_json::to_string(&req)
            .map_err(|e| AdapterError::permanent(Origin::Adapter, "无法编码发给适配器的消息", e.to_string()))?;
        line.push('\n');
        let write = async {
            let stdin = self.stdin.as_mut().ok_or_else(|| std::io::Error::other("stdin closed"))?;
            stdin.write_all(line.as_bytes()).await?;
            stdin.flush().await
        };
        if let Err(e) = write.await {
            let status = self.exit_status(Duration::from_millis(500)).await.unwrap_or_default();
            return Err(AdapterError::retryable(
                Origin::Adapter,
                format!("无法向适配器“{}”发送 {op} 请求：进程可能已退出", self.name),
                self.detail_with_stderr(format!("{e}；退出状态：{status}")),
            ));
        }

        let mut last_sign = Instant::now();
        loop {
            let liveness_deadline = last_sign + liveness;
            let deadline = liveness_deadline.min(self.run_deadline);
            let event = tokio::select! {
                ev = self.lines.recv() => ev,
                () = tokio::time::sleep_until(deadline) => {
                    let err = if deadline == self.run_deadline {
                        AdapterError::retryable(
                            Origin::Adapter,
                            format!(
                                "适配器“{}”本次运行超过总时限 {} 秒，已终止",
                                self.name,
                                self.run_timeout.as_secs()
                            ),
                            self.detail_with_stderr(format!("请求 {op}#{id} 未完成")),
                        )
                    } else {
                        AdapterError::retryable(
                            Origin::Adapter,
                            format!(
                                "适配器“{}”超过 {} 毫秒无响应（存活超时），已终止",
                                self.name,
                                liveness.as_millis()
                            ),
                            self.detail_with_stderr(format!("请求 {op}#{id} 等待回复超时")),
                        )
                    };
                    return Err(self.kill_with(err));
                }
            };
            match event {
                None | Some(LineEvent::Eof) => {
                    let status = self.exit_status(Duration::from_secs(2)).await.unwrap_or_default();
                    return Err(AdapterError::retryable(
                        Origin::Adapter,
                        format!("适配器“{}”在处理 {op} 请求时意外退出", self.name),
                        self.detail_with_stderr(format!("退出状态：{status}")),
                    ));
                }
                Some(LineEvent::Malformed { line, reason }) => {
                    return Err(self.malformed(op, &line, &reason));
                }
                Some(LineEvent::Line(text)) => {
                    let value: serde_json::Value = match serde_json::from_str(&text) {
                        Ok(v) => v,
                        Err(e) => return Err(self.malformed(op, &text, &e.to_string())),
                    };
                    let env: Envelope = match serde_json::from_value(value.clone()) {
                        Ok(env) => env,
                        Err(e) => return Err(self.malformed(op, &text, &e.to_string())),
                    };
                    match (env.kind.as_str(), env.id) {
                        ("log", _) => {
                            tracing::info!(adapter = %self.name, "{}", text);
                            last_sign = Instant::now();
                        }
                        ("progress", Some(rid)) if rid == id => {
                            last_sign = Instant::now();
                            self.progress.send_modify(|n| *n += 1);
                        }
                        ("error", Some(rid)) if rid == id => {
                            return Err(match serde_json::from_value::<ErrorReply>(value) {
                                Ok(e) => AdapterError::new(e.class, e.origin, e.message, e.detail),
                                Err(e) => self.malformed(op, &text, &e.to_string()),
                            });
                        }
                        (t, Some(rid)) if rid == id && t == reply_type => return Ok(value),
                        // Stale replies (to a request that already timed out) and unknown
                        // message types are ignored, never fatal.
                        (t, rid) => {
                            tracing::debug!(adapter = %self.name, kind = t, ?rid, "ignored message");
                        }
                    }
                }
            }
        }
    }

    fn malformed(&mut self, op: &str, line: &str, reason: &str) -> AdapterError {
        let kept: String = line.chars().take(DETAIL_LINE_CHARS).collect();
        self.violations.push(kept.clone());
        AdapterError::retryable(
            Origin::Adapter,
            format!(
                "适配器“{}”在标准输出上写了无法解析的行（{op} 请求），标准输出只能写协议消息，日志应写到标准错误",
                self.name
            ),
            format!("{reason}；原行：{kept}"),
        )
    }

    fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    async fn ensure_hello(&mut self) -> Result<(), AdapterError> {
        if self.handshake.is_none() {
            self.hello().await?;
        }
        Ok(())
    }

    fn decode<T: serde::de::DeserializeOwned>(
        &mut self,
        op: &str,
        value: serde_json::Value,
    ) -> Result<T, AdapterError> {
        let text = value.to_string();
        serde_json::from_value(value).map_err(|e| self.malformed(op, &text, &e.to_string()))
    }
}

/// Drops keys the batch never held, duplicates, and keys reported both acked and rejected
/// (those stay unconfirmed: nothing is dropped locally on an ambiguous answer).
pub fn sanitize_report(batch: &[OutItem], report: PushReport) -> (PushReport, Vec<String>) {
    let wanted: HashSet<&str> = batch.iter().map(|i| i.key.as_str()).collect();
    let acked_keys: HashSet<&str> = report.acked.iter().map(String::as_str).collect();
    let rejected_keys: HashSet<&str> = report.rejected.iter().map(|r| r.key.as_str()).collect();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let mut out = PushReport::default();
    for key in &report.acked {
        if !wanted.contains(key.as_str()) {
            problems.push(format!("确认了未发送的键 {key}（本批次中没有）"));
        } else if rejected_keys.contains(key.as_str()) {
            problems.push(format!("键 {key} 同时被确认和拒绝，按未确认处理"));
        } else if seen.insert(key.clone()) {
            out.acked.push(key.clone());
        }
    }
    for r in &report.rejected {
        if !wanted.contains(r.key.as_str()) {
            problems.push(format!("拒绝了未发送的键 {}（本批次中没有）", r.key));
        } else if !acked_keys.contains(r.key.as_str()) && seen.insert(r.key.clone()) {
            out.rejected.push(r.clone());
        }
    }
    (out, problems)
}

impl Adapter for ProcessAdapter {
    async fn hello(&mut self) -> Result<Handshake, AdapterError> {
        let id = self.next_id();
        let req = Request::Hello {
            id,
            protocol_version: protocol::PROTOCOL_VERSION,
            host: HostInfo { name: "yichuang".into(), version: env!("CARGO_PKG_VERSION").into() },
            config: self.settings.clone(),
        };
        let value = self.request(req).await?;
        let reply: HelloReply = self.decode("hello", value)?;
        if reply.protocol_version != protocol::PROTOCOL_VERSION {
            return Err(AdapterError::auth(
                Origin::Adapter,
                format!(
                    "适配器“{}”的协议版本不匹配：主机为 {}，适配器为 {}，请安装匹配版本的适配器",
                    self.name,
                    protocol::PROTOCOL_VERSION,
                    reply.protocol_version
                ),
                format!("adapter {} {}", reply.name, reply.version),
            ));
        }
        let hs = Handshake {
            protocol_version: reply.protocol_version,
            name: reply.name,
            version: reply.version,
            capabilities: reply.capabilities,
            streams: reply.streams,
            config_schema: reply.config_schema,
        };
        self.handshake = Some(hs.clone());
        Ok(hs)
    }

    async fn push(&mut self, batch: &[OutItem]) -> Result<PushReport, AdapterError> {
        self.ensure_hello().await?;
        let id = self.next_id();
        let value = self.request(Request::Push { id, items: batch.to_vec() }).await?;
        let reply: PushReply = self.decode("push", value)?;
        let (report, problems) = sanitize_report(batch, PushReport { acked: reply.acked, rejected: reply.rejected });
        for p in problems {
            tracing::warn!(adapter = %self.name, "{p}");
            self.outcome_problems.push(p);
        }
        Ok(report)
    }

    async fn pull(&mut self, stream: &str, cursor: Option<&str>, max: usize) -> Result<PullPage, AdapterError> {
        self.ensure_hello().await?;
        let id = self.next_id();
        let req = Request::Pull { id, stream: stream.to_string(), cursor: cursor.map(str::to_string), max };
        let value = self.request(req).await?;
        let reply: PullReply = self.decode("pull", value)?;
        if reply.items.len() > max {
            let msg = format!("适配器“{}”返回了 {} 条，超过请求的上限 {max}", self.name, reply.items.len());
            self.violations.push(msg.clone());
            return Err(AdapterError::retryable(Origin::Adapter, msg, ""));
        }
        Ok(PullPage { items: reply.items, next_cursor: reply.next_cursor, rejected: reply.rejected })
    }

    async fn ack(&mut self, stream: &str, cursor: &str) -> Result<(), AdapterError> {
        self.ensure_hello().await?;
        let id = self.next_id();
        let req = Request::Ack { id, stream: stream.to_string(), cursor: cursor.to_string() };
        self.request(req).await.map(|_| ())
    }

    async fn anchor(&mut self, proof: &HeadProof) -> Result<AnchorAnswer, AdapterError> {
        self.ensure_hello().await?;
        let id = self.next_id();
        let value = self.request(Request::Anchor { id, proof: proof.clone() }).await?;
        let reply: AnchorReply = self.decode("anchor", value)?;
        reply.into_answer().ok_or_else(|| {
            AdapterError::permanent(Origin::Adapter, "适配器对锚定请求既未给回执也未说明待回执", "anchor_result")
        })
    }

    async fn timestamp(&mut self, request: &[u8]) -> Result<Vec<u8>, AdapterError> {
        self.ensure_hello().await?;
        let id = self.next_id();
        let value = self.request(Request::Timestamp { id, request: protocol::der_to_wire(request) }).await?;
        let reply: protocol::TimestampReply = self.decode("timestamp", value)?;
        protocol::der_from_wire(&reply.response).ok_or_else(|| {
            AdapterError::permanent(Origin::Adapter, "适配器返回的时间戳应答不是 base64", "timestamp_result")
        })
    }

    async fn health(&mut self) -> Result<Health, AdapterError> {
        self.ensure_hello().await?;
        let id = self.next_id();
        let value = self.request(Request::Health { id }).await?;
        let reply: HealthReply = self.decode("health", value)?;
        Ok(Health { status: reply.status, message: reply.message })
    }

    async fn shutdown(&mut self) -> Result<(), AdapterError> {
        if self.dead.is_some() || self.exit.borrow().is_some() {
            self.kill.kill();
            return Ok(());
        }
        let id = self.next_id();
        let result = self.request(Request::Shutdown { id }).await.map(|_| ());
        // Shutdown, then exit: closing stdin tells well-behaved adapters to leave; a stubborn
        // one is killed after the liveness timeout.
        self.stdin = None;
        let liveness = self.liveness;
        if self.exit_status(liveness).await.is_none() {
            self.kill.kill();
        }
        result
    }
}

impl Drop for ProcessAdapter {
    fn drop(&mut self) {
        self.kill.kill();
    }
}

async fn read_stdout(stdout: tokio::process::ChildStdout, tx: mpsc::Sender<LineEvent>) {
    let mut reader = BufReader::with_capacity(64 * 1024, stdout);
    let mut line: Vec<u8> = Vec::new();
    let mut overlong = false;
    while let Ok(buf) = reader.fill_buf().await {
        if buf.is_empty() {
            break;
        }
        // Framing on b'\n' only (never on U+2028/U+2029, which are legal inside JSON strings).
        let (chunk, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(pos) => (&buf[..pos], Some(pos + 1)),
            None => (buf, None),
        };
        if !overlong {
            if line.len() + chunk.len() > protocol::MAX_LINE_BYTES {
                overlong = true;
                let head = String::from_utf8_lossy(&line[..line.len().min(200)]).into_owned();
                line.clear();
                line.extend_from_slice(head.as_bytes());
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let consumed = done.unwrap_or(buf.len());
        reader.consume(consumed);
        if done.is_some() {
            let bytes = std::mem::take(&mut line);
            let event = if overlong {
                LineEvent::Malformed {
                    line: String::from_utf8_lossy(&bytes).into_owned(),
                    reason: format!("行长度超过上限 {} 字节", protocol::MAX_LINE_BYTES),
                }
            } else {
                let bytes = bytes.strip_suffix(b"\r").map(<[u8]>::to_vec).unwrap_or(bytes);
                match String::from_utf8(bytes) {
                    Ok(text) if text.trim().is_empty() => continue,
                    Ok(text) => LineEvent::Line(text),
                    Err(e) => LineEvent::Malformed {
                        line: String::from_utf8_lossy(e.as_bytes()).into_owned(),
                        reason: "不是合法的 UTF-8".into(),
                    },
                }
            };
            overlong = false;
            if tx.send(event).await.is_err() {
                return;
            }
        }
    }
    if !line.is_empty() {
        let _ = tx
            .send(LineEvent::Malformed {
                line: String::from_utf8_lossy(&line).into_owned(),
                reason: "最后一行没有换行符就结束了（输出被截断）".into(),
            })
            .await;
    }
    let _ = tx.send(LineEvent::Eof).await;
}

async fn read_stderr(stderr: tokio::process::ChildStderr, tail: Arc<Mutex<VecDeque<String>>>, name: String) {
    let mut lines = BufReader::new(stderr).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        tracing::debug!(adapter = %name, "stderr: {line}");
        if let Ok(mut t) = tail.lock() {
            if t.len() == STDERR_TAIL_LINES {
                t.pop_front();
            }
            t.push_back(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorClass;
    use crate::item::Rejection;

    fn item(key: &str) -> OutItem {
        OutItem::new(key, "s", None, 1, "k", "2026-11-23T09:00:00+08:00", serde_json::json!({}))
    }

    #[test]
    fn duplicated_unknown_and_contradictory_outcomes_are_discarded() {
        let batch = [item("a"), item("b"), item("c")];
        let rej = |k: &str| Rejection {
            key: k.into(),
            class: ErrorClass::Permanent,
            message: String::new(),
            detail: String::new(),
        };
        let report = PushReport {
            acked: vec!["a".into(), "a".into(), "zz".into(), "c".into()],
            rejected: vec![rej("c"), rej("b"), rej("b")],
        };
        let (clean, problems) = sanitize_report(&batch, report);
        assert_eq!(clean.acked, vec!["a".to_string()]);
        assert_eq!(clean.rejected.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), vec!["b"]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("zz")));
        assert!(problems.iter().any(|p| p.contains("同时被确认和拒绝")));
    }
}
