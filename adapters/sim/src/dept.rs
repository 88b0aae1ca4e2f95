//! Simulator of a vertically managed department's SOAP exchange service (SOAP 1.1 and 1.2).
//! A TEST DOUBLE. Operations in namespace [`TNS`]:
//! * `SubmitItems` — `Item` elements with `YWLSH` (idempotency key), `BJBH` (case no.), `SXH`
//!   (per-case seq), `NRZY` (payload SHA-256), optional `NR` (canonical payload JSON) and any
//!   mapped business fields; answers `Result` rows `YWLSH`/`Status`/`ErrorType`/`Message`.
//! * `FetchItems` — `Stream`, `Cursor`, `Max`; answers `Item`s and `NextCursor`.
//!
//! Faults come back as SOAP Faults in the request's SOAP version (Server/Receiver for
//! transient, Client/Sender for permanent, subcode `AuthFailed` for credentials).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::faults::Fault;
use crate::store::{Incoming, Offer, Store};
use crate::{SimConfig, SimHandle};
use yc_adapter_sdk::xml::{self, Element, XmlOut};

pub const TNS: &str = "urn:yichuang:dept-exchange:1";
pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";

#[derive(Clone)]
struct App {
    store: Arc<Mutex<Store>>,
    config: Arc<SimConfig>,
    raw: Arc<Mutex<VecDeque<RawReply>>>,
}

/// A canned reply returned verbatim by the next request (hostile-reply tests).
#[derive(Debug, Clone)]
pub struct RawReply {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// Department simulator handle: a [`SimHandle`] plus a queue of canned replies.
pub struct DeptHandle {
    pub sim: SimHandle,
    raw: Arc<Mutex<VecDeque<RawReply>>>,
}

impl DeptHandle {
    /// The next request gets exactly these bytes back.
    pub fn queue_raw_reply(&self, reply: RawReply) {
        if let Ok(mut q) = self.raw.lock() {
            q.push_back(reply);
        }
    }
    pub fn stop(self) {
        self.sim.stop();
    }
}

impl std::ops::Deref for DeptHandle {
    type Target = SimHandle;
    fn deref(&self) -> &SimHandle {
        &self.sim
    }
}

/// Starts the department simulator; the service is at `POST /ws/exchange`.
pub async fn spawn(config: SimConfig) -> std::io::Result<(std::net::SocketAddr, DeptHandle)> {
    let store = Store::load(config.faults.clone(), config.state_file.as_deref())?;
    let store = Arc::new(Mutex::new(store));
    let raw = Arc::new(Mutex::new(VecDeque::new()));
    let limit = config.max_body_bytes.unwrap_or(64 * 1024 * 1024);
    let app = App { store: store.clone(), config: Arc::new(config.clone()), raw: raw.clone() };
    let router = Router::new()
        .route("/ws/exchange", post(exchange))
        .route("/_sim/stats", get(stats))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(app);
    let listener = crate::bind(config.port).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((addr, DeptHandle { sim: SimHandle { store, task, addr }, raw }))
}

async fn stats(State(app): State<App>) -> Response {
    match app.store.lock() {
        Ok(s) => axum::Json(s.stats.clone()).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Soap {
    V11,
    V12,
}

impl Soap {
    fn ns(self) -> &'static str {
        match self {
            Soap::V11 => SOAP11,
            Soap::V12 => SOAP12,
        }
    }
    fn content_type(self) -> &'static str {
        match self {
            Soap::V11 => "text/xml; charset=utf-8",
            Soap::V12 => "application/soap+xml; charset=utf-8",
        }
    }
}

fn envelope(soap: Soap, body: impl FnOnce(&mut XmlOut)) -> Vec<u8> {
    let mut w = XmlOut::new();
    w.open("soap:Envelope", &[("xmlns:soap", soap.ns()), ("xmlns:tns", TNS)]);
    w.open("soap:Body", &[]);
    body(&mut w);
    w.close("soap:Body");
    w.close("soap:Envelope");
    w.finish()
}

/// `sender`: the client's fault (permanent) rather than the server's (transient).
fn fault(soap: Soap, sender: bool, subcode: Option<&str>, reason: &str) -> Response {
    let body = envelope(soap, |w| {
        w.open("soap:Fault", &[]);
        match soap {
            Soap::V11 => {
                w.leaf("faultcode", if sender { "soap:Client" } else { "soap:Server" });
                w.leaf("faultstring", reason);
                if let Some(code) = subcode {
                    w.open("detail", &[]);
                    w.leaf("tns:ErrorType", code);
                    w.close("detail");
                }
            }
            Soap::V12 => {
                w.open("soap:Code", &[]);
                w.leaf("soap:Value", if sender { "soap:Sender" } else { "soap:Receiver" });
                if let Some(code) = subcode {
                    w.open("soap:Subcode", &[]);
                    w.leaf("soap:Value", &format!("tns:{code}"));
                    w.close("soap:Subcode");
                }
                w.close("soap:Code");
                w.open("soap:Reason", &[]);
                w.leaf_attrs("soap:Text", &[("xml:lang", "zh")], reason);
                w.close("soap:Reason");
            }
        }
        w.close("soap:Fault");
    });
    (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, soap.content_type())], body).into_response()
}

fn ok(soap: Soap, body: Vec<u8>) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, soap.content_type())], body).into_response()
}

async fn exchange(State(app): State<App>, body: Bytes) -> Response {
    if app.config.faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(app.config.faults.latency_ms)).await;
    }
    if let Some(raw) = app.raw.lock().ok().and_then(|mut q| q.pop_front()) {
        return Response::builder()
            .status(raw.status)
            .header(header::CONTENT_TYPE, raw.content_type)
            .body(Body::from(raw.body))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    let doc = match xml::parse(&body) {
        Ok(d) => d,
        Err(e) => return fault(Soap::V11, true, Some("MalformedRequest"), &format!("请求 XML 无法解析：{e}")),
    };
    let soap = match doc.ns.as_deref() {
        Some(SOAP11) if doc.name == "Envelope" => Soap::V11,
        Some(SOAP12) if doc.name == "Envelope" => Soap::V12,
        _ => return fault(Soap::V11, true, Some("VersionMismatch"), "不是 SOAP 1.1/1.2 信封"),
    };
    let header_text =
        |name: &str| -> Option<String> { doc.child("Header").and_then(|h| h.child_text(name)).map(str::to_string) };
    if let Some(token) = &app.config.token
        && header_text("AuthToken").as_deref() != Some(token.as_str())
    {
        return fault(soap, true, Some("AuthFailed"), "认证失败：令牌无效或缺失");
    }
    let source = header_text("Source").unwrap_or_else(|| "unknown".into());
    let Some(op) = doc.child("Body").and_then(|b| b.children.first()) else {
        return fault(soap, true, Some("MalformedRequest"), "SOAP Body 为空");
    };
    if op.ns.as_deref() != Some(TNS) {
        return fault(soap, true, Some("WrongNamespace"), &format!("操作命名空间应为 {TNS}"));
    }
    match op.name.as_str() {
        "SubmitItems" => submit(&app, soap, &source, op),
        "FetchItems" => fetch(&app, soap, op),
        other => fault(soap, true, Some("UnknownOperation"), &format!("未知操作 {other}")),
    }
}

struct ResultRow {
    key: String,
    status: &'static str,
    error_type: Option<&'static str>,
    message: String,
}

fn submit(app: &App, soap: Soap, source: &str, op: &Element) -> Response {
    let (fault_kind, rows) = {
        let Ok(mut store) = app.store.lock() else {
            return fault(soap, false, None, "模拟器状态锁损坏");
        };
        let f = store.faults.draw();
        match f {
            Fault::Fail { .. } => store.stats.faults.failed += 1,
            Fault::Drop { .. } => store.stats.faults.dropped += 1,
            Fault::DupAck => store.stats.faults.dup_acked += 1,
            Fault::Malformed => store.stats.faults.malformed += 1,
            Fault::None => {}
        }
        let store_it = !matches!(f, Fault::Fail { after_store: false } | Fault::Drop { after_store: false });
        let mut rows = Vec::new();
        if store_it {
            store.stats.batches += 1;
            for item in op.children.iter().filter(|c| c.name == "Item") {
                rows.push(offer(&mut store, source, item));
            }
            if let Some(path) = &app.config.state_file
                && store.save(path).is_err()
            {
                return fault(soap, false, None, "模拟器无法保存状态文件");
            }
        }
        (f, rows)
    };
    match fault_kind {
        Fault::Fail { .. } => fault(soap, false, Some("Busy"), "模拟：部门系统内部错误"),
        Fault::Drop { .. } => {
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(Bytes::from_static(b"<?xml version=\"1.0\"?><soap:Envelope")),
                Err(std::io::Error::other("simulated connection drop")),
            ];
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, soap.content_type())
                .body(Body::from_stream(futures_util::stream::iter(chunks)))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
        _ => {
            let times = if fault_kind == Fault::DupAck { 2 } else { 1 };
            let body = envelope(soap, |w| {
                w.open("tns:SubmitItemsResponse", &[]);
                for r in &rows {
                    for _ in 0..times {
                        w.open("tns:Result", &[]);
                        w.leaf("tns:YWLSH", &r.key);
                        w.leaf("tns:Status", r.status);
                        if let Some(et) = r.error_type {
                            w.leaf("tns:ErrorType", et);
                            w.leaf("tns:Message", &r.message);
                        }
                        w.close("tns:Result");
                    }
                }
                w.close("tns:SubmitItemsResponse");
            });
            if fault_kind == Fault::Malformed {
                let cut = body.len() / 2;
                return ok(soap, body[..cut].to_vec());
            }
            ok(soap, body)
        }
    }
}

fn offer(store: &mut Store, source: &str, item: &Element) -> ResultRow {
    let key = item.child_text("YWLSH").unwrap_or_default().to_string();
    let reject = |et: &'static str, msg: String| ResultRow {
        key: key.clone(),
        status: "REJECTED",
        error_type: Some(et),
        message: msg,
    };
    if key.is_empty() {
        return reject("VALIDATION", "缺少业务流水号 YWLSH".into());
    }
    let Some(declared) = item.child_text("NRZY").map(str::to_string) else {
        return reject("VALIDATION", "缺少内容摘要 NRZY".into());
    };
    let seq = item.child_text("SXH").and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
    let case_no = item.child_text("BJBH").map(str::to_string);
    let computed = match item.child_text("NR") {
        Some(nr) => match serde_json::from_str::<serde_json::Value>(nr) {
            Ok(v) => yc_adapter_sdk::payload_sha256(&v),
            Err(e) => return reject("VALIDATION", format!("NR 不是合法 JSON：{e}")),
        },
        None => declared.clone(),
    };
    let row: serde_json::Map<String, serde_json::Value> =
        item.children.iter().map(|c| (c.name.clone(), serde_json::Value::String(c.text.trim().to_string()))).collect();
    let incoming = Incoming {
        source,
        key: &key,
        case_no,
        seq,
        declared_sha256: &declared,
        computed_sha256: &computed,
        row: serde_json::Value::Object(row),
    };
    match store.offer(incoming) {
        Offer::Accepted => ResultRow { key, status: "ACCEPTED", error_type: None, message: String::new() },
        Offer::Duplicate => ResultRow { key, status: "DUPLICATE", error_type: None, message: String::new() },
        Offer::Conflict { held } => {
            reject("IDEMPOTENCY_CONFLICT", format!("同一业务流水号已以不同内容提交（已存摘要 {held}）"))
        }
        Offer::HashMismatch { computed } => reject("HASH_MISMATCH", format!("内容摘要不符（计算值 {computed}）")),
    }
}

fn fetch(app: &App, soap: Soap, op: &Element) -> Response {
    let stream = op.child_text("Stream").unwrap_or_default().to_string();
    let offset = match op.child_text("Cursor").unwrap_or("") {
        "" => 0,
        c => match c.strip_prefix("o:").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n,
            None => return fault(soap, true, Some("BadCursor"), "游标格式错误"),
        },
    };
    let max = op.child_text("Max").and_then(|m| m.parse::<usize>().ok()).unwrap_or(100).clamp(1, 1000);
    let (items, next) = match app.store.lock() {
        Ok(s) => s.inbox_page(&stream, offset, max),
        Err(_) => return fault(soap, false, None, "模拟器状态锁损坏"),
    };
    let body = envelope(soap, |w| {
        w.open("tns:FetchItemsResponse", &[]);
        w.leaf("tns:NextCursor", &format!("o:{next}"));
        for item in &items {
            w.open("tns:Item", &[]);
            if let Some(obj) = item.as_object() {
                for (k, v) in obj {
                    let text = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    w.leaf(&format!("tns:{k}"), &text);
                }
            }
            w.close("tns:Item");
        }
        w.close("tns:FetchItemsResponse");
    });
    ok(soap, body)
}
