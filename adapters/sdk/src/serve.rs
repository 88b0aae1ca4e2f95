//! The adapter side of the JSON-lines protocol: serve any [`Adapter`] over stdin/stdout, so a
//! Rust adapter is a `main` of one line and the host runs it like any other process adapter.
//!
//! ```no_run
//! use yc_adapter_sdk::serve::{serve_stdio, MemoryAdapter};
//! fn main() -> Result<(), yc_adapter_sdk::serve::ServeError> {
//!     // Built from the settings the host sends in `hello` (secrets included).
//!     serve_stdio(|_settings: &serde_json::Value| Ok(MemoryAdapter::default()))
//! }
//! ```
//!
//! What it does for the adapter: framing on `\n` only, stdout for protocol messages only
//! (diagnostics go to stderr), unknown message types ignored, one reply per request id, whole
//! failures as `error` replies, and `progress` between chunks of a long batch (the host's
//! liveness timer, and the conformance kit's crash trigger, need one). A batch is handed to the
//! adapter in chunks of [`ServeOptions::chunk`] items; if a later chunk fails as a whole, the
//! reply carries the earlier chunks' outcomes and leaves the rest unconfirmed (the host sends
//! them again), with the error on stderr.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Write};

use serde::Serialize;

use crate::adapter::Adapter;
use crate::error::{AdapterError, ErrorClass, Origin};
use crate::item::{Capabilities, Handshake, Health, HealthStatus, InItem, OutItem, PullPage, PushReport, Rejection};
use crate::protocol::{
    AnchorReply, Envelope, ErrorReply, HealthReply, HelloReply, MAX_LINE_BYTES, PROTOCOL_VERSION, PullReply, PushReply,
    Request,
};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("读取主机消息（标准输入）失败：{0}")]
    Read(std::io::Error),
    #[error("向主机写消息（标准输出）失败：{0}")]
    Write(std::io::Error),
    #[error("无法启动异步运行时：{0}")]
    Runtime(std::io::Error),
}

/// How [`serve`] hands batches to the adapter.
#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    /// Items per adapter call within one `push`; a `progress` line follows each chunk but the
    /// last. `usize::MAX` hands the whole batch over at once (and sends no progress).
    pub chunk: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self { chunk: 100 }
    }
}

/// Serves on this process's stdin/stdout until `shutdown` or end of input. `make` builds the
/// adapter from the settings in the host's `hello`; its error is the `hello` reply.
pub fn serve_stdio<A, F>(make: F) -> Result<(), ServeError>
where
    A: Adapter,
    F: FnMut(&serde_json::Value) -> Result<A, AdapterError>,
{
    serve(make, std::io::stdin().lock(), std::io::stdout().lock(), ServeOptions::default())
}

/// [`serve_stdio`] over any reader and writer (tests, sockets).
pub fn serve<A, F, R, W>(mut make: F, mut input: R, mut output: W, options: ServeOptions) -> Result<(), ServeError>
where
    A: Adapter,
    F: FnMut(&serde_json::Value) -> Result<A, AdapterError>,
    R: BufRead,
    W: Write,
{
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(ServeError::Runtime)?;
    let chunk = options.chunk.max(1);
    let mut adapter: Option<A> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        // Framing on b'\n' only: U+2028 inside a JSON string is not a line end.
        let n = std::io::Read::take(&mut input, MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(ServeError::Read)?;
        if n == 0 {
            // End of input: the host is gone; leave in order.
            if let Some(a) = adapter.as_mut() {
                let _ = rt.block_on(a.shutdown());
            }
            return Ok(());
        }
        if line.len() > MAX_LINE_BYTES {
            eprintln!("yc-adapter: 主机消息超过 {MAX_LINE_BYTES} 字节，已忽略");
            skip_rest_of_line(&mut input).map_err(ServeError::Read)?;
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let value: serde_json::Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("yc-adapter: 无法解析主机消息：{e}");
                continue;
            }
        };
        let Ok(env) = serde_json::from_value::<Envelope>(value.clone()) else {
            eprintln!("yc-adapter: 主机消息缺少 type");
            continue;
        };
        let request = match serde_json::from_value::<Request>(value) {
            Ok(r) => r,
            Err(e) => {
                // Unknown types are ignored (a newer host); a known type that does not parse
                // is answered, so the host does not wait for nothing.
                const KNOWN: [&str; 8] = ["hello", "push", "pull", "ack", "anchor", "timestamp", "health", "shutdown"];
                if let (true, Some(id)) = (KNOWN.contains(&env.kind.as_str()), env.id) {
                    let err = AdapterError::permanent(Origin::Adapter, "适配器无法解析该请求", e.to_string());
                    send_error(&mut output, id, &err)?;
                } else {
                    eprintln!("yc-adapter: 忽略未知消息类型 {}", env.kind);
                }
                continue;
            }
        };
        let id = request.id();
        if let Request::Hello { protocol_version, config, .. } = &request {
            if *protocol_version != PROTOCOL_VERSION {
                let err = AdapterError::auth(
                    Origin::Adapter,
                    format!("协议版本不匹配：适配器支持 {PROTOCOL_VERSION}，主机为 {protocol_version}"),
                    "",
                );
                send_error(&mut output, id, &err)?;
                continue;
            }
            let hello = make(config).and_then(|mut a| {
                let hs = rt.block_on(a.hello())?;
                adapter = Some(a);
                Ok(hs)
            });
            match hello {
                Ok(hs) => send(
                    &mut output,
                    "hello",
                    &HelloReply {
                        id,
                        protocol_version: PROTOCOL_VERSION,
                        name: hs.name,
                        version: hs.version,
                        capabilities: hs.capabilities,
                        streams: hs.streams,
                        config_schema: hs.config_schema,
                    },
                )?,
                Err(e) => send_error(&mut output, id, &e)?,
            }
            continue;
        }
        let Some(a) = adapter.as_mut() else {
            if matches!(request, Request::Shutdown { .. }) {
                send(&mut output, "shutdown_result", &serde_json::json!({"id": id}))?;
                return Ok(());
            }
            let err = AdapterError::auth(Origin::Adapter, "尚未握手：主机应先发送 hello", "");
            send_error(&mut output, id, &err)?;
            continue;
        };
        match request {
            Request::Hello { .. } => unreachable!("handled above"),
            Request::Push { items, .. } => {
                let mut report = PushReport::default();
                let mut failed = None;
                for (n, part) in items.chunks(chunk).enumerate() {
                    if n > 0 {
                        send(&mut output, "progress", &serde_json::json!({"id": id, "done": n * chunk}))?;
                    }
                    match rt.block_on(a.push(part)) {
                        Ok(r) => {
                            report.acked.extend(r.acked);
                            report.rejected.extend(r.rejected);
                        }
                        Err(e) if n == 0 => {
                            failed = Some(e);
                            break;
                        }
                        Err(e) => {
                            eprintln!(
                                "yc-adapter: 第 {} 条起的条目推送失败，保持未确认（主机会重发）：{e}——{}",
                                n * chunk + 1,
                                e.detail
                            );
                            break;
                        }
                    }
                }
                match failed {
                    Some(e) => send_error(&mut output, id, &e)?,
                    None => send(
                        &mut output,
                        "push_result",
                        &PushReply { id, acked: report.acked, rejected: report.rejected },
                    )?,
                }
            }
            Request::Pull { stream, cursor, max, .. } => match rt.block_on(a.pull(&stream, cursor.as_deref(), max)) {
                Ok(p) => send(
                    &mut output,
                    "pull_result",
                    &PullReply { id, items: p.items, next_cursor: p.next_cursor, rejected: p.rejected },
                )?,
                Err(e) => send_error(&mut output, id, &e)?,
            },
            Request::Ack { stream, cursor, .. } => match rt.block_on(a.ack(&stream, &cursor)) {
                Ok(()) => send(&mut output, "ack_result", &serde_json::json!({"id": id}))?,
                Err(e) => send_error(&mut output, id, &e)?,
            },
            Request::Anchor { proof, .. } => match rt.block_on(a.anchor(&proof)) {
                Ok(answer) => send(&mut output, "anchor_result", &AnchorReply::new(id, answer))?,
                Err(e) => send_error(&mut output, id, &e)?,
            },
            Request::Timestamp { request, .. } => match crate::protocol::der_from_wire(&request) {
                None => {
                    let err = AdapterError::permanent(Origin::Adapter, "时间戳请求不是 base64", "timestamp");
                    send_error(&mut output, id, &err)?;
                }
                Some(der) => match rt.block_on(a.timestamp(&der)) {
                    Ok(resp) => send(
                        &mut output,
                        "timestamp_result",
                        &crate::protocol::TimestampReply { id, response: crate::protocol::der_to_wire(&resp) },
                    )?,
                    Err(e) => send_error(&mut output, id, &e)?,
                },
            },
            Request::Health { .. } => match rt.block_on(a.health()) {
                Ok(h) => send(&mut output, "health_result", &HealthReply { id, status: h.status, message: h.message })?,
                Err(e) => send_error(&mut output, id, &e)?,
            },
            Request::Shutdown { .. } => {
                let result = rt.block_on(a.shutdown());
                match result {
                    Ok(()) => send(&mut output, "shutdown_result", &serde_json::json!({"id": id}))?,
                    Err(e) => send_error(&mut output, id, &e)?,
                }
                return Ok(());
            }
        }
    }
}

fn skip_rest_of_line(input: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|b| *b == b'\n') {
            Some(p) => {
                input.consume(p + 1);
                return Ok(());
            }
            None => {
                let len = buf.len();
                input.consume(len);
            }
        }
    }
}

/// Writes one message: the reply's fields plus `type`, one line, flushed.
fn send(out: &mut impl Write, kind: &str, body: &impl Serialize) -> Result<(), ServeError> {
    let mut value = serde_json::to_value(body).map_err(|e| ServeError::Write(std::io::Error::other(e)))?;
    if let Some(map) = value.as_object_mut() {
        map.insert("type".into(), kind.into());
    }
    let mut line = value.to_string();
    line.push('\n');
    out.write_all(line.as_bytes()).map_err(ServeError::Write)?;
    out.flush().map_err(ServeError::Write)
}

fn send_error(out: &mut impl Write, id: u64, e: &AdapterError) -> Result<(), ServeError> {
    let reply =
        ErrorReply { id, class: e.class, origin: e.origin, message: e.message.clone(), detail: e.detail.clone() };
    send(out, "error", &reply)
}

/// A far side in memory that follows the protocol's rules: dedupes on key with the payload
/// hash (same hash acked again and held once, a different one rejected `permanent`), checks the
/// declared hash, pages `inbox` streams by index. For tests, benches, and as a starting point.
#[derive(Debug, Default)]
pub struct MemoryAdapter {
    /// key → payload hash of everything held.
    pub held: HashMap<String, String>,
    /// Incoming streams served by `pull`.
    pub inbox: BTreeMap<String, Vec<InItem>>,
}

impl MemoryAdapter {
    fn accept(&mut self, item: &OutItem) -> Result<(), Rejection> {
        let reject = |message: &str, detail: String| Rejection {
            key: item.key.clone(),
            class: ErrorClass::Permanent,
            message: message.into(),
            detail,
        };
        if !item.hash_matches() {
            return Err(reject("内容摘要与内容不符", format!("declared {}", item.payload_sha256)));
        }
        match self.held.get(&item.key) {
            Some(h) if *h == item.payload_sha256 => Ok(()),
            Some(h) => {
                Err(reject("同一业务键已以不同内容提交，拒绝覆盖", format!("held {h}, got {}", item.payload_sha256)))
            }
            None => {
                self.held.insert(item.key.clone(), item.payload_sha256.clone());
                Ok(())
            }
        }
    }
}

impl Adapter for MemoryAdapter {
    async fn hello(&mut self) -> Result<Handshake, AdapterError> {
        Ok(Handshake {
            protocol_version: PROTOCOL_VERSION,
            name: "memory".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            capabilities: Capabilities { push: true, pull: true, health: true, anchor: false, timestamp: false },
            streams: self.inbox.keys().cloned().collect(),
            config_schema: serde_json::json!({"type": "object", "properties": {}}),
        })
    }

    async fn push(&mut self, batch: &[OutItem]) -> Result<PushReport, AdapterError> {
        let mut report = PushReport::default();
        for item in batch {
            match self.accept(item) {
                Ok(()) => report.acked.push(item.key.clone()),
                Err(r) => report.rejected.push(r),
            }
        }
        Ok(report)
    }

    async fn pull(&mut self, stream: &str, cursor: Option<&str>, max: usize) -> Result<PullPage, AdapterError> {
        let start = match cursor {
            None => 0,
            Some(c) => c
                .parse::<usize>()
                .map_err(|e| AdapterError::permanent(Origin::Adapter, "游标格式错误", format!("{c:?}: {e}")))?,
        };
        let items: Vec<InItem> =
            self.inbox.get(stream).map(|v| v.iter().skip(start).take(max).cloned().collect()).unwrap_or_default();
        let next = start + items.len();
        Ok(PullPage { items, next_cursor: Some(next.to_string()), rejected: Vec::new() })
    }

    async fn health(&mut self) -> Result<Health, AdapterError> {
        Ok(Health { status: HealthStatus::Ok, message: format!("内存对端，保存 {} 条", self.held.len()) })
    }

    async fn shutdown(&mut self) -> Result<(), AdapterError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(key: &str, n: u64) -> OutItem {
        OutItem::new(
            key,
            "cases",
            None,
            n,
            "case.file",
            "2026-11-23T09:00:00+08:00",
            serde_json::json!({"n": n, "备注": "甲\u{2028}乙"}),
        )
    }

    fn run(input: &str, chunk: usize) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        serve(|_: &serde_json::Value| Ok(MemoryAdapter::default()), input.as_bytes(), &mut out, ServeOptions { chunk })
            .unwrap();
        String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    #[test]
    fn speaks_the_protocol_with_progress_between_chunks() {
        let items: Vec<OutItem> = (1..=5).map(|n| item(&format!("k{n}"), n)).collect();
        let push = serde_json::json!({"type": "push", "id": 2, "items": items});
        let input = format!(
            "{}\n{{\"type\":\"mystery\",\"id\":9}}\n\n{push}\n{}\n{}\n",
            r#"{"type":"hello","id":1,"protocol_version":1,"host":{"name":"t","version":"0"},"config":{}}"#,
            r#"{"type":"health","id":3}"#,
            r#"{"type":"shutdown","id":4}"#
        );
        let msgs = run(&input, 2);
        let kinds: Vec<&str> = msgs.iter().map(|m| m["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["hello", "progress", "progress", "push_result", "health_result", "shutdown_result"]);
        assert_eq!(msgs[0]["protocol_version"], 1);
        assert_eq!(msgs[2]["done"], 4);
        assert_eq!(msgs[3]["id"], 2);
        assert_eq!(msgs[3]["acked"].as_array().unwrap().len(), 5);
    }

    #[test]
    fn an_anchor_request_reaches_the_adapter_and_is_answered_by_id() {
        let proof = crate::anchor::HeadProof {
            workstation: "440399-W01".into(),
            from_seq: 0,
            from_hash: "0".repeat(64),
            events: Vec::new(),
            seq: 0,
            hash: "0".repeat(64),
            public_key: String::new(),
            signature: String::new(),
            signatures: Vec::new(),
        };
        let input = format!(
            "{}\n{}\n",
            r#"{"type":"hello","id":1,"protocol_version":1,"host":{"name":"t","version":"0"},"config":{}}"#,
            serde_json::json!({"type": "anchor", "id": 7, "proof": proof})
        );
        let msgs = run(&input, 10);
        // The memory far side keeps no heads: the default answer, a permanent error for id 7.
        assert_eq!(msgs[1]["type"], "error", "{msgs:?}");
        assert_eq!(msgs[1]["id"], 7);
        assert_eq!(msgs[1]["class"], "permanent");
        assert!(msgs[1]["message"].as_str().unwrap().contains("锚定"));
    }

    #[test]
    fn a_timestamp_request_without_the_capability_gets_the_default_refusal_and_garbage_is_answered() {
        let input = format!(
            "{}\n{}\n{}\n",
            r#"{"type":"hello","id":1,"protocol_version":1,"host":{"name":"t","version":"0"},"config":{}}"#,
            serde_json::json!({"type": "timestamp", "id": 8, "request": crate::protocol::der_to_wire(&[0x30, 0x00])}),
            serde_json::json!({"type": "timestamp", "id": 9, "request": "不是 base64"})
        );
        let msgs = run(&input, 10);
        assert_eq!(msgs[0]["capabilities"]["timestamp"], false, "{msgs:?}");
        assert_eq!((msgs[1]["type"].as_str(), msgs[1]["id"].as_u64()), (Some("error"), Some(8)), "{msgs:?}");
        assert!(msgs[1]["message"].as_str().unwrap().contains("时间戳"));
        assert_eq!((msgs[2]["type"].as_str(), msgs[2]["id"].as_u64()), (Some("error"), Some(9)), "{msgs:?}");
        assert!(msgs[2]["message"].as_str().unwrap().contains("base64"));
    }

    #[test]
    fn requests_before_hello_and_wrong_versions_are_errors() {
        let input = concat!(
            r#"{"type":"health","id":1}"#,
            "\n",
            r#"{"type":"hello","id":2,"protocol_version":2,"host":{"name":"t","version":"0"},"config":{}}"#,
            "\n"
        );
        let msgs = run(input, 100);
        assert_eq!(msgs.len(), 2);
        assert!(msgs.iter().all(|m| m["type"] == "error" && m["class"] == "auth"), "{msgs:?}");
        assert!(msgs[1]["message"].as_str().unwrap().contains("协议版本不匹配"));
    }
}
