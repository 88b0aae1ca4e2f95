//! Vertically managed department adapter: SOAP 1.1 / 1.2 XML web service on a dedicated
//! network (public security, tax, real-estate registry …).
//!
//! Our item JSON becomes the department's XML elements through a configurable field mapping,
//! e.g. `{"case_no": "BJBH", "applicant.id": "SQRZJHM"}`. A path is looked up first among the
//! item's own fields (`key`, `stream`, `case_no`, `seq`, `kind`, `occurred_at`,
//! `payload_sha256`), otherwise inside the payload (`applicant.id` = `payload.applicant.id`).
//! Pulled items are mapped back the same way; unmapped elements land in the payload under their
//! own name, so nothing the department sends is lost.
//!
//! Operations (namespace configurable, default [`DEFAULT_NS`]): `SubmitItems` (rows `Item`,
//! answered by `Result` rows with `Status` ACCEPTED / DUPLICATE / REJECTED) and `FetchItems`
//! (`Stream`, `Cursor`, `Max`; answered by `Item`s and `NextCursor`). SOAP Faults map to error
//! classes: Server/Receiver → retryable, Client/Sender → permanent, an `AuthFailed` subcode,
//! VersionMismatch or MustUnderstand → auth.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use yc_adapter_sdk::{
    Adapter, AdapterError, Capabilities, ErrorClass, Handshake, Health, HealthStatus, InItem, Origin, OutItem,
    PROTOCOL_VERSION, PullPage, PushReport, Rejection,
};

use crate::http;
use yc_adapter_sdk::xml::{self, Element, XmlError, XmlOut};

pub const DEFAULT_NS: &str = "urn:yichuang:dept-exchange:1";
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";

const ITEM_FIELDS: [&str; 7] = ["key", "stream", "case_no", "seq", "kind", "occurred_at", "payload_sha256"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SoapVersion {
    #[serde(rename = "1.1")]
    V11,
    #[serde(rename = "1.2")]
    V12,
}

impl SoapVersion {
    fn ns(self) -> &'static str {
        match self {
            Self::V11 => SOAP11_NS,
            Self::V12 => SOAP12_NS,
        }
    }
    fn label(self) -> &'static str {
        match self {
            Self::V11 => "1.1",
            Self::V12 => "1.2",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerticalXmlConfig {
    /// The service URL, e.g. `https://10.20.1.5/ws/exchange`.
    pub endpoint: String,
    #[serde(default = "d_soap")]
    pub soap_version: SoapVersion,
    /// Namespace of the operations.
    #[serde(default = "d_ns")]
    pub namespace: String,
    /// This workstation's id (dedupe scope at the department).
    pub source: String,
    /// Sent in the SOAP header `AuthToken` (secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// JSON path → XML element name; merged over [`default_field_map`].
    #[serde(default)]
    pub field_map: BTreeMap<String, String>,
    /// Element carrying the canonical payload JSON (lets the department verify the hash);
    /// empty string to leave it out.
    #[serde(default = "d_payload_element")]
    pub payload_element: String,
    /// Order of elements inside `Item` when the department's XSD fixes one.
    #[serde(default)]
    pub element_order: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert_pem: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_pem: Option<PathBuf>,
    #[serde(default = "d_connect")]
    pub connect_timeout_ms: u64,
    #[serde(default = "d_request")]
    pub request_timeout_ms: u64,
    #[serde(default = "d_batch")]
    pub batch_size: usize,
    #[serde(default = "d_max_body")]
    pub max_response_bytes: usize,
}

fn d_soap() -> SoapVersion {
    SoapVersion::V11
}
fn d_ns() -> String {
    DEFAULT_NS.into()
}
fn d_payload_element() -> String {
    "NR".into()
}
fn d_connect() -> u64 {
    5_000
}
fn d_request() -> u64 {
    30_000
}
fn d_batch() -> usize {
    200
}
fn d_max_body() -> usize {
    8 * 1024 * 1024
}

/// Element names for the item's own fields (common names in departments' exchange specs:
/// 业务流水号, 办件编号, 顺序号, 业务类型, 发生时间, 内容摘要).
pub fn default_field_map() -> BTreeMap<String, String> {
    [
        ("key", "YWLSH"),
        ("case_no", "BJBH"),
        ("seq", "SXH"),
        ("kind", "YWLX"),
        ("occurred_at", "FSSJ"),
        ("payload_sha256", "NRZY"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
}

impl VerticalXmlConfig {
    pub fn new(endpoint: impl Into<String>, source: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
            soap_version: d_soap(),
            namespace: d_ns(),
            source: source.into(),
            token: None,
            field_map: BTreeMap::new(),
            payload_element: d_payload_element(),
            element_order: Vec::new(),
            client_cert_pem: None,
            ca_pem: None,
            connect_timeout_ms: d_connect(),
            request_timeout_ms: d_request(),
            batch_size: d_batch(),
            max_response_bytes: d_max_body(),
        }
    }
}

fn valid_element_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

pub struct VerticalXml {
    config: VerticalXmlConfig,
    client: reqwest::Client,
    /// (path, element) in emission order.
    map: Vec<(String, String)>,
    key_element: String,
}

impl VerticalXml {
    pub fn new(config: VerticalXmlConfig) -> Result<Self, AdapterError> {
        let bad = |msg: String| AdapterError::auth(Origin::Adapter, msg, "");
        if config.source.trim().is_empty() {
            return Err(bad("部门接口适配器缺少工作站标识 source".into()));
        }
        if config.batch_size == 0 {
            return Err(bad("batch_size 必须大于 0".into()));
        }
        let mut merged = default_field_map();
        merged.extend(config.field_map.clone());
        let mut seen = HashSet::new();
        for (path, el) in &merged {
            if !valid_element_name(el) {
                return Err(bad(format!("字段映射 {path} → {el}：不是合法的 XML 元素名")));
            }
            if !seen.insert(el.clone()) {
                return Err(bad(format!("字段映射中元素名 {el} 被重复使用")));
            }
        }
        if !config.payload_element.is_empty() && !valid_element_name(&config.payload_element) {
            return Err(bad(format!("payload_element {} 不是合法的 XML 元素名", config.payload_element)));
        }
        let key_element = merged.get("key").cloned().ok_or_else(|| bad("字段映射必须包含 key（业务流水号）".into()))?;
        let mut map: Vec<(String, String)> = merged.into_iter().collect();
        // Item's own fields first, then payload fields; or the department's order if given.
        map.sort_by_key(|(path, el)| {
            let ordered = config.element_order.iter().position(|e| e == el).unwrap_or(usize::MAX);
            let own = ITEM_FIELDS.iter().position(|f| f == path).unwrap_or(usize::MAX);
            (ordered, own, path.clone())
        });
        let client = http::build_client(&http::ClientOptions {
            base_url: &config.endpoint,
            client_cert_pem: config.client_cert_pem.as_deref(),
            ca_pem: config.ca_pem.as_deref(),
            connect_timeout: Duration::from_millis(config.connect_timeout_ms),
            request_timeout: Duration::from_millis(config.request_timeout_ms),
        })?;
        Ok(Self { config, client, map, key_element })
    }

    pub fn from_settings(settings: &serde_json::Value) -> Result<Self, AdapterError> {
        Self::new(crate::parse_settings("vertical-xml", settings)?)
    }

    pub fn config_schema() -> serde_json::Value {
        serde_json::json!({
            "type": "object",
            "required": ["endpoint", "source"],
            "properties": {
                "endpoint": {"type": "string", "description": "部门 Web Service 地址"},
                "soap_version": {"type": "string", "enum": ["1.1", "1.2"], "default": "1.1"},
                "namespace": {"type": "string", "default": DEFAULT_NS},
                "source": {"type": "string"},
                "token": {"type": "string", "secret": true},
                "field_map": {"type": "object", "additionalProperties": {"type": "string"},
                    "description": "JSON 路径 → XML 元素名，如 {\"case_no\":\"BJBH\",\"applicant.id\":\"SQRZJHM\"}"},
                "payload_element": {"type": "string", "default": "NR"},
                "element_order": {"type": "array", "items": {"type": "string"}},
                "client_cert_pem": {"type": "string"},
                "ca_pem": {"type": "string"},
                "connect_timeout_ms": {"type": "integer", "default": 5000},
                "request_timeout_ms": {"type": "integer", "default": 30000},
                "batch_size": {"type": "integer", "default": 200},
                "max_response_bytes": {"type": "integer", "default": 8388608}
            }
        })
    }

    /// Value at `path` of an item: own fields first, then the payload.
    fn lookup<'a>(item: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
        let (root, rest) = if ITEM_FIELDS.contains(&path) {
            (item, path)
        } else {
            (item.get("payload")?, path.strip_prefix("payload.").unwrap_or(path))
        };
        rest.split('.').try_fold(root, |v, seg| v.get(seg))
    }

    fn envelope(&self, message_id: &str, body: impl FnOnce(&mut XmlOut)) -> Vec<u8> {
        let mut w = XmlOut::new();
        w.open(
            "soap:Envelope",
            &[("xmlns:soap", self.config.soap_version.ns()), ("xmlns:tns", &self.config.namespace)],
        );
        w.open("soap:Header", &[]);
        if let Some(t) = &self.config.token {
            w.leaf("tns:AuthToken", t);
        }
        w.leaf("tns:Source", &self.config.source);
        w.leaf("tns:MessageId", message_id);
        w.close("soap:Header");
        w.open("soap:Body", &[]);
        body(&mut w);
        w.close("soap:Body");
        w.close("soap:Envelope");
        w.finish()
    }

    /// Builds the `SubmitItems` envelope for a batch (public for inspection in tests/tools).
    pub fn submit_envelope(&self, batch: &[OutItem]) -> Result<Vec<u8>, AdapterError> {
        let mut rows = Vec::with_capacity(batch.len());
        for item in batch {
            let json = serde_json::to_value(item)
                .map_err(|e| AdapterError::permanent(Origin::Adapter, "条目无法编码", e.to_string()))?;
            let mut fields = Vec::new();
            for (path, el) in &self.map {
                match Self::lookup(&json, path) {
                    None | Some(serde_json::Value::Null) => {}
                    Some(serde_json::Value::String(s)) => fields.push((el.clone(), s.clone())),
                    Some(other) => fields.push((el.clone(), other.to_string())),
                }
            }
            if !self.config.payload_element.is_empty() {
                fields.push((self.config.payload_element.clone(), yc_adapter_sdk::canonical_json(&item.payload)));
            }
            rows.push(fields);
        }
        let id = format!("{}-{}", self.config.source, batch.first().map(|i| i.key.as_str()).unwrap_or(""));
        Ok(self.envelope(&id, |w| {
            w.open("tns:SubmitItems", &[]);
            for fields in &rows {
                w.open("tns:Item", &[]);
                for (el, v) in fields {
                    w.leaf(&format!("tns:{el}"), v);
                }
                w.close("tns:Item");
            }
            w.close("tns:SubmitItems");
        }))
    }

    async fn call(&self, op: &str, body: Vec<u8>) -> Result<Element, AdapterError> {
        let what = format!("调用部门接口 {op}");
        let action = format!("{}#{op}", self.config.namespace);
        let mut rb = self.client.post(&self.config.endpoint);
        rb = match self.config.soap_version {
            SoapVersion::V11 => rb
                .header(reqwest::header::CONTENT_TYPE, "text/xml; charset=utf-8")
                .header("SOAPAction", format!("\"{action}\"")),
            SoapVersion::V12 => rb.header(
                reqwest::header::CONTENT_TYPE,
                format!("application/soap+xml; charset=utf-8; action=\"{action}\""),
            ),
        };
        let resp = rb.body(body).send().await.map_err(|e| http::transport_error(&what, &e))?;
        let status = resp.status();
        let bytes = http::read_limited(&what, resp, self.config.max_response_bytes).await?;
        // SOAP faults travel with HTTP 500 (SOAP 1.1 §6.2) or 400/500 (SOAP 1.2); anything
        // else non-2xx came from a gateway or the web server, not the service.
        if !status.is_success() && status.as_u16() != 500 && status.as_u16() != 400 {
            return Err(http::status_error(&what, status, &String::from_utf8_lossy(&bytes)));
        }
        let doc = xml::parse(&bytes).map_err(|e| xml_error(&what, &e, &bytes))?;
        let expected = self.config.soap_version;
        match (doc.name.as_str(), doc.ns.as_deref()) {
            ("Envelope", Some(ns)) if ns == expected.ns() => {}
            ("Envelope", Some(ns)) if ns == SOAP11_NS || ns == SOAP12_NS => {
                let got = if ns == SOAP11_NS { "1.1" } else { "1.2" };
                return Err(AdapterError::auth(
                    Origin::FarSystem,
                    format!("{what}：SOAP 版本不符，配置为 {}，对端应答 {got}", expected.label()),
                    "",
                ));
            }
            (name, ns) => {
                return Err(AdapterError::auth(
                    Origin::FarSystem,
                    format!("{what}：应答不是 SOAP 信封（根元素 {name}，命名空间 {}）", ns.unwrap_or("无")),
                    snippet(&bytes),
                ));
            }
        }
        let Some(body) = doc.children.iter().find(|c| c.name == "Body" && c.ns.as_deref() == Some(expected.ns()))
        else {
            return Err(AdapterError::retryable(
                Origin::FarSystem,
                format!("{what}：应答缺少 SOAP Body"),
                snippet(&bytes),
            ));
        };
        if let Some(fault) = body.child("Fault") {
            return Err(map_fault(&what, expected, fault));
        }
        let want = format!("{op}Response");
        let Some(resp_el) = body.child(&want) else {
            return Err(AdapterError::retryable(
                Origin::FarSystem,
                format!("{what}：应答中没有 {want}"),
                snippet(&bytes),
            ));
        };
        if resp_el.ns.as_deref() != Some(self.config.namespace.as_str()) {
            return Err(AdapterError::auth(
                Origin::FarSystem,
                format!(
                    "{what}：应答命名空间错误，期望 {}，实为 {}",
                    self.config.namespace,
                    resp_el.ns.as_deref().unwrap_or("无")
                ),
                "",
            ));
        }
        if !status.is_success() {
            return Err(http::status_error(&what, status, &String::from_utf8_lossy(&bytes)));
        }
        Ok(resp_el.clone())
    }

    async fn push_chunk(&self, chunk: &[OutItem]) -> Result<PushReport, AdapterError> {
        let envelope = self.submit_envelope(chunk)?;
        let resp = self.call("SubmitItems", envelope).await?;
        let mut report = PushReport::default();
        for r in resp.children.iter().filter(|c| c.name == "Result") {
            let Some(key) = r.child_text(&self.key_element) else { continue };
            match r.child_text("Status").unwrap_or("") {
                "ACCEPTED" | "DUPLICATE" => report.acked.push(key.to_string()),
                "REJECTED" => {
                    let et = r.child_text("ErrorType").unwrap_or("");
                    let (class, msg) = crate::city_extranet::classify_row_error(et);
                    report.rejected.push(Rejection {
                        key: key.to_string(),
                        class,
                        message: msg.replace("平台", "部门系统"),
                        detail: format!("{et}: {}", r.child_text("Message").unwrap_or("")),
                    });
                }
                other => tracing::warn!(status = other, key, "unknown result status, left unconfirmed"),
            }
        }
        let (report, problems) = yc_adapter_sdk::process::sanitize_report(chunk, report);
        for p in problems {
            tracing::warn!("{p}");
        }
        Ok(report)
    }

    fn item_from_xml(&self, stream: &str, el: &Element) -> Result<InItem, String> {
        let reverse: BTreeMap<&str, &str> = self.map.iter().map(|(p, e)| (e.as_str(), p.as_str())).collect();
        let mut own: BTreeMap<&str, String> = BTreeMap::new();
        let mut payload = serde_json::Map::new();
        for child in &el.children {
            let text = child.text.trim().to_string();
            match reverse.get(child.name.as_str()) {
                Some(path) if ITEM_FIELDS.contains(path) => {
                    own.insert(path, text);
                }
                Some(path) => {
                    let path = path.strip_prefix("payload.").unwrap_or(path);
                    insert_path(&mut payload, path, text);
                }
                None if child.name == self.config.payload_element => {
                    if let Ok(serde_json::Value::Object(m)) = serde_json::from_str(&text) {
                        for (k, v) in m {
                            payload.entry(k).or_insert(v);
                        }
                    }
                }
                None => {
                    payload.insert(child.name.clone(), serde_json::Value::String(text));
                }
            }
        }
        let key = own
            .remove("key")
            .filter(|k| !k.is_empty())
            .ok_or_else(|| format!("缺少业务流水号 {}", self.key_element))?;
        let payload = serde_json::Value::Object(payload);
        Ok(InItem {
            key,
            stream: own.remove("stream").unwrap_or_else(|| stream.to_string()),
            kind: own.remove("kind").unwrap_or_else(|| "dept.item".to_string()),
            case_no: own.remove("case_no"),
            occurred_at: own.remove("occurred_at"),
            payload_sha256: Some(yc_adapter_sdk::payload_sha256(&payload)),
            payload,
            source: None,
        })
    }
}

fn insert_path(map: &mut serde_json::Map<String, serde_json::Value>, path: &str, text: String) {
    let mut segs = path.split('.').peekable();
    let mut cur = map;
    while let Some(seg) = segs.next() {
        if segs.peek().is_none() {
            cur.insert(seg.to_string(), serde_json::Value::String(text));
            return;
        }
        let next = cur.entry(seg.to_string()).or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
        if !next.is_object() {
            *next = serde_json::Value::Object(serde_json::Map::new());
        }
        let Some(obj) = next.as_object_mut() else { return };
        cur = obj;
    }
}

fn snippet(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(500)]).into_owned()
}

fn xml_error(what: &str, e: &XmlError, bytes: &[u8]) -> AdapterError {
    let class = match e {
        // A cut-off answer: the batch may or may not have been stored; re-sending is safe.
        XmlError::Truncated(_) | XmlError::Syntax(_) | XmlError::Empty => ErrorClass::Retryable,
        // The far side speaks something we will never accept: an operator must look.
        XmlError::Encoding(_) | XmlError::Doctype | XmlError::TooDeep(_) | XmlError::UnknownPrefix(_) => {
            ErrorClass::Auth
        }
    };
    AdapterError::new(class, Origin::FarSystem, format!("{what}：应答无法解析——{e}"), snippet(bytes))
}

/// Maps a SOAP Fault to an error class.
fn map_fault(what: &str, version: SoapVersion, fault: &Element) -> AdapterError {
    let local = |s: &str| s.rsplit(':').next().unwrap_or(s).trim().to_string();
    let (code, sub, reason, detail) = match version {
        SoapVersion::V11 => (
            fault.child_text("faultcode").map(local).unwrap_or_default(),
            fault.child("detail").and_then(|d| d.child_text("ErrorType")).map(local),
            fault.child_text("faultstring").unwrap_or("").to_string(),
            fault
                .child("detail")
                .map(|d| {
                    d.children.iter().map(|c| format!("{}={}", c.name, c.text.trim())).collect::<Vec<_>>().join(";")
                })
                .unwrap_or_default(),
        ),
        SoapVersion::V12 => {
            let code = fault.child("Code");
            (
                code.and_then(|c| c.child_text("Value")).map(local).unwrap_or_default(),
                code.and_then(|c| c.child("Subcode")).and_then(|s| s.child_text("Value")).map(local),
                fault.child("Reason").and_then(|r| r.child_text("Text")).unwrap_or("").to_string(),
                String::new(),
            )
        }
    };
    let auth_sub = sub.as_deref().is_some_and(|s| {
        matches!(s, "AuthFailed" | "Unauthorized" | "AUTH_FAILED" | "FailedAuthentication" | "InvalidSecurity")
    });
    let (class, label) = if auth_sub || code == "VersionMismatch" || code == "MustUnderstand" {
        (ErrorClass::Auth, "部门系统拒绝认证或协议版本，需管理员处理")
    } else if code == "Client" || code == "Sender" {
        (ErrorClass::Permanent, "部门系统认为请求有误")
    } else {
        (ErrorClass::Retryable, "部门系统暂时故障")
    };
    AdapterError::new(
        class,
        Origin::FarSystem,
        format!("{what}：{label}（SOAP Fault {code}）：{reason}"),
        format!("code={code} subcode={} {detail}", sub.unwrap_or_default()),
    )
}

impl Adapter for VerticalXml {
    async fn hello(&mut self) -> Result<Handshake, AdapterError> {
        Ok(Handshake {
            protocol_version: PROTOCOL_VERSION,
            name: "vertical-xml".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            capabilities: Capabilities { push: true, pull: true, health: true },
            streams: vec!["cases".into(), "opinions".into(), "decisions".into()],
            config_schema: Self::config_schema(),
        })
    }

    async fn push(&mut self, batch: &[OutItem]) -> Result<PushReport, AdapterError> {
        let mut total = PushReport::default();
        for chunk in batch.chunks(self.config.batch_size) {
            if !crate::http::merge_chunk(&mut total, self.push_chunk(chunk).await)? {
                break;
            }
        }
        Ok(total)
    }

    async fn pull(&mut self, stream: &str, cursor: Option<&str>, max: usize) -> Result<PullPage, AdapterError> {
        let body = self.envelope(&format!("{}-fetch", self.config.source), |w| {
            w.open("tns:FetchItems", &[]);
            w.leaf("tns:Stream", stream);
            w.leaf("tns:Cursor", cursor.unwrap_or(""));
            w.leaf("tns:Max", &max.to_string());
            w.close("tns:FetchItems");
        });
        let resp = self.call("FetchItems", body).await?;
        let mut page =
            PullPage { next_cursor: resp.child_text("NextCursor").map(str::to_string), ..PullPage::default() };
        for (n, el) in resp.children.iter().filter(|c| c.name == "Item").enumerate() {
            match self.item_from_xml(stream, el) {
                Ok(item) => page.items.push(item),
                Err(msg) => page.rejected.push(yc_adapter_sdk::PullRejection {
                    source: format!("FetchItems 第 {} 条", n + 1),
                    class: ErrorClass::Permanent,
                    message: format!("部门返回的条目无法转换：{msg}"),
                    detail: String::new(),
                }),
            }
        }
        if page.items.len() > max {
            return Err(AdapterError::retryable(
                Origin::FarSystem,
                format!("部门系统返回 {} 条，超过请求的 {max} 条", page.items.len()),
                "",
            ));
        }
        Ok(page)
    }

    async fn health(&mut self) -> Result<Health, AdapterError> {
        // An empty fetch is the cheapest call every department service answers.
        match self.pull("health", None, 1).await {
            Ok(_) => Ok(Health { status: HealthStatus::Ok, message: "部门接口可用".into() }),
            Err(e) if e.class == ErrorClass::Auth => Err(e),
            Err(e) => Ok(Health { status: HealthStatus::Down, message: e.message }),
        }
    }

    async fn shutdown(&mut self) -> Result<(), AdapterError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_map_renders_own_and_payload_fields_as_elements() {
        let mut cfg = VerticalXmlConfig::new("http://127.0.0.1:1/ws", "WS01");
        cfg.field_map.insert("applicant.id".into(), "SQRZJHM".into());
        let a = VerticalXml::new(cfg).unwrap();
        let item = OutItem::new(
            "K1",
            "cases",
            Some("BJ1".into()),
            3,
            "case.filed",
            "2026-11-23T09:00:00+08:00",
            serde_json::json!({"applicant": {"id": "110101199003074514", "name": "张三&李四"}}),
        );
        let xml = String::from_utf8(a.submit_envelope(&[item]).unwrap()).unwrap();
        assert!(xml.contains("<tns:YWLSH>K1</tns:YWLSH>"), "{xml}");
        assert!(xml.contains("<tns:BJBH>BJ1</tns:BJBH>"));
        assert!(xml.contains("<tns:SXH>3</tns:SXH>"));
        assert!(xml.contains("<tns:SQRZJHM>110101199003074514</tns:SQRZJHM>"));
        assert!(xml.contains("张三&amp;李四"), "payload JSON is escaped: {xml}");
        // Own fields come first, in the item's order.
        assert!(xml.find("YWLSH").unwrap() < xml.find("BJBH").unwrap());
    }

    #[test]
    fn invalid_element_names_and_duplicates_are_config_errors() {
        let mut cfg = VerticalXmlConfig::new("http://127.0.0.1:1/ws", "WS01");
        cfg.field_map.insert("applicant.id".into(), "1BAD".into());
        assert_eq!(VerticalXml::new(cfg).err().unwrap().class, ErrorClass::Auth);
        let mut cfg = VerticalXmlConfig::new("http://127.0.0.1:1/ws", "WS01");
        cfg.field_map.insert("applicant.id".into(), "BJBH".into());
        assert!(VerticalXml::new(cfg).err().unwrap().message.contains("重复"));
    }

    #[test]
    fn nested_paths_are_rebuilt_on_the_way_back() {
        let mut m = serde_json::Map::new();
        insert_path(&mut m, "applicant.id", "X".into());
        insert_path(&mut m, "applicant.name", "Y".into());
        assert_eq!(serde_json::Value::Object(m), serde_json::json!({"applicant": {"id": "X", "name": "Y"}}));
    }
}
