//! Simulator of a vertically managed department's SOAP service (SOAP 1.1 and 1.2), in one of two
//! shapes ([`Profile`]), so the vertical-xml adapter is tested against more than one service.
//! A TEST DOUBLE.
//!
//! [`Profile::Exchange`] (default), namespace [`TNS`], SOAPAction `<TNS>#<operation>`:
//! * `SubmitItems` — `Item` elements with `YWLSH` (idempotency key), `BJBH` (case no.), `SXH`
//!   (per-case seq), `NRZY` (payload SHA-256), optional `NR` (canonical payload JSON) and any
//!   mapped business fields; answers `Result` rows `YWLSH`/`Status`/`ErrorType`/`Message`.
//! * `FetchItems` — `Stream`, `Cursor`, `Max`; answers `Item`s and `NextCursor`.
//!
//! [`Profile::Registry`], a real-estate registry style service, namespace [`REGISTRY_NS`],
//! SOAPAction `<REGISTRY_NS>/ReportCase`, one record per call and no pull:
//! * `ReportCase` — the record's elements directly inside the operation, Chinese names:
//!   `业务流水号`, `办件编号`, `顺序号`, `内容摘要` (payload SHA-256), `事项编码` and `申请人证件号码`
//!   (both required, non-empty), optional `业务数据` (canonical payload JSON) and any others;
//!   answers `ReportCaseResponse` with `ReturnCode` / `ReturnMsg` and no key:
//!   `0` received, `1` already received (same content), `2` data error, `9` busy, report again.
//!
//! Faults come back as SOAP Faults in the request's SOAP version (Server/Receiver for
//! transient, Client/Sender for permanent, subcode `AuthFailed` for credentials); the registry
//! answers half of its injected failures with `ReturnCode` 9 after storing instead. A SOAPAction
//! that does not name the operation is a Client/Sender fault, as a dispatching server gives.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::faults::Fault;
use crate::store::{Incoming, Offer, Store};
use crate::{SimConfig, SimHandle};
use yc_adapter_sdk::xml::{self, Element, XmlOut};

pub const TNS: &str = "urn:yichuang:dept-exchange:1";
pub const REGISTRY_NS: &str = "http://bdcdj.example.cn/jiaohu/2";
pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";

/// Which department service the simulator plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// The project's own exchange service: batches, key echo, `Status` words, pull.
    #[default]
    Exchange,
    /// A real-estate registry style service: `ReportCase`, one record per call, Chinese element
    /// names, numeric `ReturnCode`, no pull.
    Registry,
}

impl Profile {
    pub fn name(self) -> &'static str {
        match self {
            Profile::Exchange => "exchange",
            Profile::Registry => "registry",
        }
    }
    pub fn namespace(self) -> &'static str {
        match self {
            Profile::Exchange => TNS,
            Profile::Registry => REGISTRY_NS,
        }
    }
    /// The SOAPAction a client must send for `op`.
    pub fn action(self, op: &str) -> String {
        match self {
            Profile::Exchange => format!("{TNS}#{op}"),
            Profile::Registry => format!("{REGISTRY_NS}/{op}"),
        }
    }
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "exchange" => Ok(Profile::Exchange),
            "registry" => Ok(Profile::Registry),
            other => Err(format!("未知的部门接口形态“{other}”（可选 exchange、registry）")),
        }
    }
}

#[derive(Clone)]
struct App {
    store: Arc<Mutex<Store>>,
    config: Arc<SimConfig>,
    profile: Profile,
    raw: Arc<Mutex<VecDeque<RawReply>>>,
    calls: Arc<Mutex<BTreeMap<String, u64>>>,
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
    calls: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl DeptHandle {
    /// The next request gets exactly these bytes back.
    pub fn queue_raw_reply(&self, reply: RawReply) {
        if let Ok(mut q) = self.raw.lock() {
            q.push_back(reply);
        }
    }
    /// Requests received per operation (the Body's first element), known or not.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
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

/// Starts the default ([`Profile::Exchange`]) simulator; the service is at `POST /ws/exchange`.
pub async fn spawn(config: SimConfig) -> std::io::Result<(std::net::SocketAddr, DeptHandle)> {
    spawn_profile(config, Profile::Exchange).await
}

/// Starts the simulator in the given shape; the service is at `POST /ws/exchange` either way.
pub async fn spawn_profile(config: SimConfig, profile: Profile) -> std::io::Result<(std::net::SocketAddr, DeptHandle)> {
    let store = Store::load(config.faults.clone(), config.state_file.as_deref())?;
    let store = Arc::new(Mutex::new(store));
    let raw = Arc::new(Mutex::new(VecDeque::new()));
    let calls = Arc::new(Mutex::new(BTreeMap::new()));
    let limit = config.max_body_bytes.unwrap_or(64 * 1024 * 1024);
    let app =
        App { store: store.clone(), config: Arc::new(config.clone()), profile, raw: raw.clone(), calls: calls.clone() };
    let router = Router::new()
        .route("/ws/exchange", post(exchange))
        .route("/_sim/stats", get(stats))
        .route("/_sim/calls", get(calls_route))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(app);
    let (addr, task) = crate::serve(router, config.port).await?;
    Ok((addr, DeptHandle { sim: SimHandle { store, task, addr, tsa_root: None }, raw, calls }))
}

async fn stats(State(app): State<App>) -> Response {
    match app.store.lock() {
        Ok(s) => axum::Json(s.stats.clone()).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn calls_route(State(app): State<App>) -> Response {
    match app.calls.lock() {
        Ok(c) => axum::Json(c.clone()).into_response(),
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

/// One answer's frame: SOAP version and the service's namespace.
#[derive(Clone, Copy)]
struct Frame {
    soap: Soap,
    tns: &'static str,
}

fn envelope(f: Frame, body: impl FnOnce(&mut XmlOut)) -> Vec<u8> {
    let mut w = XmlOut::new();
    w.open("soap:Envelope", &[("xmlns:soap", f.soap.ns()), ("xmlns:tns", f.tns)]);
    w.open("soap:Body", &[]);
    body(&mut w);
    w.close("soap:Body");
    w.close("soap:Envelope");
    w.finish()
}

/// `sender`: the client's fault (permanent) rather than the server's (transient).
fn fault(f: Frame, sender: bool, subcode: Option<&str>, reason: &str) -> Response {
    let body = envelope(f, |w| {
        w.open("soap:Fault", &[]);
        match f.soap {
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
    (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, f.soap.content_type())], body).into_response()
}

fn ok(soap: Soap, body: Vec<u8>) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, soap.content_type())], body).into_response()
}

/// The action the client sent: the SOAP 1.1 `SOAPAction` header or the SOAP 1.2 content-type
/// `action` parameter, unquoted. `None` when absent.
fn sent_action(soap: Soap, headers: &HeaderMap) -> Option<String> {
    let unquote = |s: &str| s.trim().trim_matches('"').to_string();
    match soap {
        Soap::V11 => headers.get("soapaction").and_then(|v| v.to_str().ok()).map(unquote),
        Soap::V12 => headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())?
            .split(';')
            .find_map(|p| p.trim().strip_prefix("action=").map(unquote)),
    }
}

async fn exchange(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
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
    let tns = app.profile.namespace();
    let doc = match xml::parse(&body) {
        Ok(d) => d,
        Err(e) => {
            let f = Frame { soap: Soap::V11, tns };
            return fault(f, true, Some("MalformedRequest"), &format!("请求 XML 无法解析：{e}"));
        }
    };
    let soap = match doc.ns.as_deref() {
        Some(SOAP11) if doc.name == "Envelope" => Soap::V11,
        Some(SOAP12) if doc.name == "Envelope" => Soap::V12,
        _ => return fault(Frame { soap: Soap::V11, tns }, true, Some("VersionMismatch"), "不是 SOAP 1.1/1.2 信封"),
    };
    let f = Frame { soap, tns };
    let header_text =
        |name: &str| -> Option<String> { doc.child("Header").and_then(|h| h.child_text(name)).map(str::to_string) };
    if let Some(token) = &app.config.token
        && header_text("AuthToken").as_deref() != Some(token.as_str())
    {
        return fault(f, true, Some("AuthFailed"), "认证失败：令牌无效或缺失");
    }
    let source = header_text("Source").unwrap_or_else(|| "unknown".into());
    let Some(op) = doc.child("Body").and_then(|b| b.children.first()) else {
        return fault(f, true, Some("MalformedRequest"), "SOAP Body 为空");
    };
    if let Ok(mut c) = app.calls.lock() {
        *c.entry(op.name.clone()).or_default() += 1;
    }
    if op.ns.as_deref() != Some(tns) {
        return fault(f, true, Some("WrongNamespace"), &format!("操作命名空间应为 {tns}"));
    }
    // SOAP 1.1 requires the header; SOAP 1.2's action parameter is optional, checked if sent.
    let want = app.profile.action(&op.name);
    match sent_action(soap, &headers) {
        None if soap == Soap::V11 => return fault(f, true, Some("ActionMismatch"), "缺少 SOAPAction 头"),
        Some(got) if got != want => {
            let msg = format!("SOAPAction“{got}”与操作 {} 不符，应为“{want}”", op.name);
            return fault(f, true, Some("ActionMismatch"), &msg);
        }
        _ => {}
    }
    match (app.profile, op.name.as_str()) {
        (Profile::Exchange, "SubmitItems") => {
            let records: Vec<&Element> = op.children.iter().filter(|c| c.name == "Item").collect();
            submit(&app, f, &source, &records)
        }
        (Profile::Exchange, "FetchItems") => fetch(&app, f, op),
        (Profile::Registry, "ReportCase") => submit(&app, f, &source, &[op]),
        (_, other) => fault(f, true, Some("UnknownOperation"), &format!("本服务没有操作 {other}")),
    }
}

/// Outcome of one record, before it is written in the profile's words.
enum RowResult {
    Accepted,
    Duplicate,
    Rejected { error_type: &'static str, message: String },
}

struct ResultRow {
    key: String,
    result: RowResult,
}

fn submit(app: &App, f: Frame, source: &str, records: &[&Element]) -> Response {
    let (fault_kind, rows) = {
        let Ok(mut store) = app.store.lock() else {
            return fault(f, false, None, "模拟器状态锁损坏");
        };
        let fk = store.faults.draw();
        match fk {
            Fault::Fail { .. } => store.stats.faults.failed += 1,
            Fault::Drop { .. } => store.stats.faults.dropped += 1,
            Fault::DupAck => store.stats.faults.dup_acked += 1,
            Fault::Malformed => store.stats.faults.malformed += 1,
            Fault::None => {}
        }
        let store_it = !matches!(fk, Fault::Fail { after_store: false } | Fault::Drop { after_store: false });
        let mut rows = Vec::new();
        if store_it {
            store.stats.batches += 1;
            for item in records {
                rows.push(offer(&mut store, app.profile, source, item));
            }
            if let Some(path) = &app.config.state_file
                && store.save(path).is_err()
            {
                return fault(f, false, None, "模拟器无法保存状态文件");
            }
        }
        (fk, rows)
    };
    let body = match (fault_kind, app.profile) {
        (Fault::Fail { after_store: true }, Profile::Registry) => registry_reply(f, "9", "系统繁忙，请稍后重报", 1),
        (Fault::Fail { .. }, _) => return fault(f, false, Some("Busy"), "模拟：部门系统内部错误"),
        (Fault::Drop { .. }, _) => {
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(Bytes::from_static(b"<?xml version=\"1.0\"?><soap:Envelope")),
                Err(std::io::Error::other("simulated connection drop")),
            ];
            return Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, f.soap.content_type())
                .body(Body::from_stream(futures_util::stream::iter(chunks)))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
        (_, profile) => {
            let times = if fault_kind == Fault::DupAck { 2 } else { 1 };
            match profile {
                Profile::Exchange => exchange_reply(f, &rows, times),
                Profile::Registry => {
                    let Some(row) = rows.first() else {
                        return fault(f, true, Some("MalformedRequest"), "ReportCase 为空");
                    };
                    match &row.result {
                        RowResult::Accepted => registry_reply(f, "0", "接收成功", times),
                        RowResult::Duplicate => registry_reply(f, "1", "重复报送，已接收", times),
                        RowResult::Rejected { error_type, message } => {
                            registry_reply(f, "2", &format!("{error_type}：{message}"), times)
                        }
                    }
                }
            }
        }
    };
    if fault_kind == Fault::Malformed {
        let cut = body.len() / 2;
        return ok(f.soap, body[..cut].to_vec());
    }
    ok(f.soap, body)
}

fn exchange_reply(f: Frame, rows: &[ResultRow], times: usize) -> Vec<u8> {
    envelope(f, |w| {
        w.open("tns:SubmitItemsResponse", &[]);
        for r in rows {
            for _ in 0..times {
                w.open("tns:Result", &[]);
                w.leaf("tns:YWLSH", &r.key);
                match &r.result {
                    RowResult::Accepted => w.leaf("tns:Status", "ACCEPTED"),
                    RowResult::Duplicate => w.leaf("tns:Status", "DUPLICATE"),
                    RowResult::Rejected { error_type, message } => {
                        w.leaf("tns:Status", "REJECTED");
                        w.leaf("tns:ErrorType", error_type);
                        w.leaf("tns:Message", message);
                    }
                }
                w.close("tns:Result");
            }
        }
        w.close("tns:SubmitItemsResponse");
    })
}

/// `times` > 1 repeats the code elements (the registry's version of a duplicated answer).
fn registry_reply(f: Frame, code: &str, msg: &str, times: usize) -> Vec<u8> {
    envelope(f, |w| {
        w.open("tns:ReportCaseResponse", &[]);
        for _ in 0..times {
            w.leaf("tns:ReturnCode", code);
            w.leaf("tns:ReturnMsg", msg);
        }
        w.close("tns:ReportCaseResponse");
    })
}

/// The record elements a profile reads.
struct Names {
    key: &'static str,
    case_no: &'static str,
    seq: &'static str,
    hash: &'static str,
    payload: &'static str,
    /// Must be present and non-empty.
    required: &'static [&'static str],
}

fn names(profile: Profile) -> Names {
    match profile {
        Profile::Exchange => {
            Names { key: "YWLSH", case_no: "BJBH", seq: "SXH", hash: "NRZY", payload: "NR", required: &[] }
        }
        Profile::Registry => Names {
            key: "业务流水号",
            case_no: "办件编号",
            seq: "顺序号",
            hash: "内容摘要",
            payload: "业务数据",
            required: &["办件编号", "顺序号", "事项编码", "申请人证件号码"],
        },
    }
}

fn offer(store: &mut Store, profile: Profile, source: &str, item: &Element) -> ResultRow {
    let n = names(profile);
    let key = item.child_text(n.key).unwrap_or_default().to_string();
    let reject = |et: &'static str, msg: String| ResultRow {
        key: key.clone(),
        result: RowResult::Rejected { error_type: et, message: msg },
    };
    if key.is_empty() {
        return reject("VALIDATION", format!("缺少业务流水号 {}", n.key));
    }
    let Some(declared) = item.child_text(n.hash).map(str::to_string) else {
        return reject("VALIDATION", format!("缺少内容摘要 {}", n.hash));
    };
    if let Some(missing) = n.required.iter().find(|r| item.child_text(r).is_none_or(str::is_empty)) {
        return reject("VALIDATION", format!("必填项 {missing} 缺失或为空"));
    }
    let seq = item.child_text(n.seq).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
    let case_no = item.child_text(n.case_no).map(str::to_string);
    let computed = match item.child_text(n.payload) {
        Some(nr) => match serde_json::from_str::<serde_json::Value>(nr) {
            Ok(v) => yc_adapter_sdk::payload_sha256(&v),
            Err(e) => return reject("VALIDATION", format!("{} 不是合法 JSON：{e}", n.payload)),
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
        Offer::Accepted => ResultRow { key, result: RowResult::Accepted },
        Offer::Duplicate => ResultRow { key, result: RowResult::Duplicate },
        Offer::Conflict { held } => {
            reject("IDEMPOTENCY_CONFLICT", format!("同一业务流水号已以不同内容提交（已存摘要 {held}）"))
        }
        Offer::HashMismatch { computed } => reject("HASH_MISMATCH", format!("内容摘要不符（计算值 {computed}）")),
    }
}

fn fetch(app: &App, f: Frame, op: &Element) -> Response {
    let stream = op.child_text("Stream").unwrap_or_default().to_string();
    let offset = match op.child_text("Cursor").unwrap_or("") {
        "" => 0,
        c => match c.strip_prefix("o:").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n,
            None => return fault(f, true, Some("BadCursor"), "游标格式错误"),
        },
    };
    let max = op.child_text("Max").and_then(|m| m.parse::<usize>().ok()).unwrap_or(100).clamp(1, 1000);
    let (items, next) = match app.store.lock() {
        Ok(s) => s.inbox_page(&stream, offset, max),
        Err(_) => return fault(f, false, None, "模拟器状态锁损坏"),
    };
    let body = envelope(f, |w| {
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
    ok(f.soap, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_parse_by_name_and_name_their_actions() {
        assert_eq!("registry".parse::<Profile>(), Ok(Profile::Registry));
        assert_eq!("exchange".parse::<Profile>().map(Profile::name), Ok("exchange"));
        assert!("bdc".parse::<Profile>().unwrap_err().contains("bdc"));
        assert_eq!(Profile::Exchange.action("SubmitItems"), "urn:yichuang:dept-exchange:1#SubmitItems");
        assert_eq!(Profile::Registry.action("ReportCase"), "http://bdcdj.example.cn/jiaohu/2/ReportCase");
    }

    #[test]
    fn the_soap12_action_parameter_is_read_from_the_content_type() {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, "application/soap+xml; charset=utf-8; action=\"urn:x#Op\"".parse().unwrap());
        assert_eq!(sent_action(Soap::V12, &h).as_deref(), Some("urn:x#Op"));
        assert_eq!(sent_action(Soap::V11, &h), None);
        h.insert("SOAPAction", "\"urn:x#Op\"".parse().unwrap());
        assert_eq!(sent_action(Soap::V11, &h).as_deref(), Some("urn:x#Op"));
    }
}
