//! Vertically managed department adapter: a configurable SOAP 1.1 / 1.2 client for a department's
//! web service on a dedicated network (public security, tax, real-estate registry …).
//!
//! Everything a department's service fixes is a setting (docs/vertical-xml.md): the operation and
//! its SOAPAction, the request shape (a batch wrapper with one repeated record element, or one
//! record per call), a field map from item paths to element names, the response element, how
//! result rows match items (the key echoed, or position), and a result-code table. The defaults
//! are the project's own exchange service ([`DEFAULT_NS`], `SubmitItems` / `Item` / `Result` with
//! `Status` ACCEPTED / DUPLICATE / REJECTED, `FetchItems` for pull), which `yc-sim dept` simulates.
//!
//! A field-map path names one of the item's own fields (`key`, `stream`, `case_no`, `seq`, `kind`,
//! `occurred_at`, `payload_sha256`) or a path into the payload (`payload.case.applicant.id`; the
//! `payload.` prefix may be left out). A path the item lacks (or that is `null`) is, per entry,
//! a permanent rejection of that item alone (default: sending a record without a field the
//! department requires would only be refused later, or worse, stored incomplete), an empty
//! element, or no element. Pulled items are mapped back the same way; unmapped elements land in
//! the payload under their own name, so nothing the department sends is lost.
//!
//! SOAP Faults map to error classes: Server/Receiver → retryable, Client/Sender → permanent, an
//! `AuthFailed` subcode, VersionMismatch or MustUnderstand → auth. Replies are read with the SDK's
//! defensive XML reader (no DTDs, bounded depth, UTF-8 only, truncation reported).

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::de::{self, Deserializer, MapAccess, Visitor};
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

/// How records are put into a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestShape {
    /// `<operation><record>…</record><record>…</record></operation>`, up to `batch_size` a call.
    Batch,
    /// One item per call, its fields directly in the operation element (or in `record_element`).
    Single,
}

/// How result rows are matched to the records sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchBy {
    /// Each row names its item's key in `result_key_element`.
    Key,
    /// The n-th row answers the n-th record; the counts must agree.
    Position,
}

/// What a result code means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResultOutcome {
    Accepted,
    /// Already held with the same content: an ack.
    Duplicate,
    /// Class from the row's `error_type_element` (the project's error types; unknown → permanent).
    Rejected,
    RejectedPermanent,
    RejectedRetryable,
}

/// What to send when a mapped path is absent from an item (or `null`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Missing {
    /// The item is rejected (permanent) naming the path; the rest of the batch goes on.
    #[default]
    Reject,
    /// An empty element.
    Empty,
    /// No element.
    Omit,
}

/// One field-map target: `"BJBH"` or `{ element = "BJBH", missing = "omit" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldTarget {
    pub element: String,
    pub missing: Missing,
}

impl FieldTarget {
    pub fn element(element: impl Into<String>) -> Self {
        Self { element: element.into(), missing: Missing::Reject }
    }
}

impl From<&str> for FieldTarget {
    fn from(s: &str) -> Self {
        Self::element(s)
    }
}

impl<'de> Deserialize<'de> for FieldTarget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Spec {
            element: String,
            #[serde(default)]
            missing: Missing,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FieldTarget;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("元素名字符串，或 { element = \"…\", missing = \"reject\" | \"empty\" | \"omit\" }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FieldTarget, E> {
                Ok(FieldTarget::element(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<FieldTarget, A::Error> {
                let s = Spec::deserialize(de::value::MapAccessDeserializer::new(m))?;
                Ok(FieldTarget { element: s.element, missing: s.missing })
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerticalXmlConfig {
    /// The service URL, e.g. `https://10.20.1.5/ws/exchange`.
    pub endpoint: String,
    #[serde(default = "d_soap")]
    pub soap_version: SoapVersion,
    /// Namespace of the operations and of every element we write (`tns:`).
    #[serde(default = "d_ns")]
    pub namespace: String,
    /// This workstation's id, sent in the SOAP header `Source` (dedupe scope at the department).
    pub source: String,
    /// Sent in the SOAP header `AuthToken` (secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Push operation (the Body's element).
    #[serde(default = "d_operation")]
    pub operation: String,
    /// SOAPAction (1.1 header; 1.2 `action` content-type parameter); default
    /// `<namespace>#<operation>`; `""` sends an empty SOAPAction and no 1.2 action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soap_action: Option<String>,
    #[serde(default = "d_shape")]
    pub request_shape: RequestShape,
    /// Element around one record: default `Item` for `batch`, none for `single`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_element: Option<String>,
    /// Item path → element; merged over [`default_field_map`].
    #[serde(default)]
    pub field_map: BTreeMap<String, FieldTarget>,
    /// Element carrying the canonical payload JSON (lets the department verify the hash);
    /// empty string to leave it out.
    #[serde(default = "d_payload_element")]
    pub payload_element: String,
    /// Order of elements inside a record when the department's XSD fixes one.
    #[serde(default)]
    pub element_order: Vec<String>,
    /// Element in the Body answering the push; default `<operation>Response`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_element: Option<String>,
    /// One result row inside the response: default `Result` for `batch`; `""` (the default for
    /// `single`) means the response element itself is the only row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_element: Option<String>,
    #[serde(default = "d_match")]
    pub match_by: MatchBy,
    /// Row element naming the key for `match_by = "key"`; default the key's own element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_key_element: Option<String>,
    #[serde(default = "d_status")]
    pub status_element: String,
    #[serde(default = "d_message")]
    pub message_element: String,
    #[serde(default = "d_error_type")]
    pub error_type_element: String,
    /// The department's result codes; replaces the defaults as a whole when given.
    #[serde(default = "d_codes")]
    pub result_codes: BTreeMap<String, ResultOutcome>,
    /// Whether this service has `FetchItems` (pull and health probe); off: no request but pushes.
    #[serde(default = "d_true")]
    pub pull: bool,
    #[serde(default = "d_streams")]
    pub pull_streams: Vec<String>,
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
fn d_operation() -> String {
    "SubmitItems".into()
}
fn d_shape() -> RequestShape {
    RequestShape::Batch
}
fn d_payload_element() -> String {
    "NR".into()
}
fn d_match() -> MatchBy {
    MatchBy::Key
}
fn d_status() -> String {
    "Status".into()
}
fn d_message() -> String {
    "Message".into()
}
fn d_error_type() -> String {
    "ErrorType".into()
}
fn d_codes() -> BTreeMap<String, ResultOutcome> {
    [
        ("ACCEPTED", ResultOutcome::Accepted),
        ("DUPLICATE", ResultOutcome::Duplicate),
        ("REJECTED", ResultOutcome::Rejected),
    ]
    .into_iter()
    .map(|(c, o)| (c.to_string(), o))
    .collect()
}
fn d_true() -> bool {
    true
}
fn d_streams() -> Vec<String> {
    ["cases", "opinions", "decisions"].map(String::from).to_vec()
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
/// 业务流水号, 办件编号, 顺序号, 业务类型, 发生时间, 内容摘要). Items without a case carry no
/// `BJBH`, as before there was a `missing` setting.
pub fn default_field_map() -> BTreeMap<String, FieldTarget> {
    let mut m: BTreeMap<String, FieldTarget> =
        [("key", "YWLSH"), ("seq", "SXH"), ("kind", "YWLX"), ("occurred_at", "FSSJ"), ("payload_sha256", "NRZY")]
            .into_iter()
            .map(|(a, b)| (a.to_string(), FieldTarget::element(b)))
            .collect();
    m.insert("case_no".into(), FieldTarget { element: "BJBH".into(), missing: Missing::Omit });
    m
}

impl VerticalXmlConfig {
    pub fn new(endpoint: impl Into<String>, source: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
            soap_version: d_soap(),
            namespace: d_ns(),
            source: source.into(),
            token: None,
            operation: d_operation(),
            soap_action: None,
            request_shape: d_shape(),
            record_element: None,
            field_map: BTreeMap::new(),
            payload_element: d_payload_element(),
            element_order: Vec::new(),
            response_element: None,
            result_element: None,
            match_by: d_match(),
            result_key_element: None,
            status_element: d_status(),
            message_element: d_message(),
            error_type_element: d_error_type(),
            result_codes: d_codes(),
            pull: true,
            pull_streams: d_streams(),
            client_cert_pem: None,
            ca_pem: None,
            connect_timeout_ms: d_connect(),
            request_timeout_ms: d_request(),
            batch_size: d_batch(),
            max_response_bytes: d_max_body(),
        }
    }
}

/// An XML Name without a prefix: Chinese element names (申请人证件号码) are common.
fn valid_element_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '·'))
}

/// One mapped element, in emission order.
#[derive(Debug, Clone)]
struct Field {
    path: String,
    element: String,
    missing: Missing,
}

pub struct VerticalXml {
    config: VerticalXmlConfig,
    client: reqwest::Client,
    map: Vec<Field>,
    key_element: String,
    soap_action: String,
    record_element: Option<String>,
    response_element: String,
    result_element: Option<String>,
    result_key_element: String,
}

impl VerticalXml {
    pub fn new(config: VerticalXmlConfig) -> Result<Self, AdapterError> {
        let bad = |msg: String| AdapterError::auth(Origin::Adapter, format!("vertical-xml 适配器设置有误：{msg}"), "");
        if config.source.trim().is_empty() {
            return Err(bad("缺少工作站标识 source".into()));
        }
        if config.namespace.trim().is_empty() {
            return Err(bad("namespace 不能为空".into()));
        }
        if config.batch_size == 0 {
            return Err(bad("batch_size 必须大于 0".into()));
        }
        let name_ok = |setting: &str, el: &str| {
            if valid_element_name(el) {
                Ok(())
            } else {
                Err(bad(format!("{setting} = “{el}”：不是合法的 XML 元素名")))
            }
        };
        name_ok("operation", &config.operation)?;
        for (setting, v) in [
            ("status_element", &config.status_element),
            ("message_element", &config.message_element),
            ("error_type_element", &config.error_type_element),
        ] {
            name_ok(setting, v)?;
        }
        let mut merged = default_field_map();
        merged.extend(config.field_map.clone());
        let mut seen = HashSet::new();
        for (path, t) in &merged {
            if path.is_empty() || path.split('.').any(str::is_empty) || path == "payload" {
                return Err(bad(format!("字段映射路径“{path}”无效（应为 key、case_no 等或 payload.… 路径）")));
            }
            name_ok(&format!("field_map 中 {path}"), &t.element)?;
            if !seen.insert(t.element.clone()) {
                return Err(bad(format!("字段映射中元素名 {} 被重复使用", t.element)));
            }
        }
        if !config.payload_element.is_empty() {
            name_ok("payload_element", &config.payload_element)?;
            if seen.contains(&config.payload_element) {
                return Err(bad(format!("payload_element {} 与字段映射中的元素名重复", config.payload_element)));
            }
        }
        let key_element = merged.get("key").map(|t| t.element.clone()).unwrap_or_default();
        let record_element = match (config.request_shape, config.record_element.as_deref()) {
            (RequestShape::Batch, None) => Some("Item".to_string()),
            (RequestShape::Batch, Some("")) => return Err(bad("request_shape = \"batch\" 需要 record_element".into())),
            (RequestShape::Single, None | Some("")) => None,
            (_, Some(el)) => {
                name_ok("record_element", el)?;
                Some(el.to_string())
            }
        };
        let response_element =
            config.response_element.clone().unwrap_or_else(|| format!("{}Response", config.operation));
        name_ok("response_element", &response_element)?;
        let result_element = match (config.request_shape, config.result_element.as_deref()) {
            (RequestShape::Batch, None) => Some("Result".to_string()),
            (RequestShape::Single, None) | (_, Some("")) => None,
            (_, Some(el)) => {
                name_ok("result_element", el)?;
                Some(el.to_string())
            }
        };
        let result_key_element = config.result_key_element.clone().unwrap_or_else(|| key_element.clone());
        if config.match_by == MatchBy::Key {
            name_ok("result_key_element", &result_key_element)?;
        }
        if config.result_codes.is_empty() {
            return Err(bad("result_codes 不能为空".into()));
        }
        let soap_action =
            config.soap_action.clone().unwrap_or_else(|| format!("{}#{}", config.namespace, config.operation));
        if soap_action.chars().any(|c| c == '"' || c.is_control()) {
            return Err(bad(format!("soap_action “{soap_action}” 含引号或控制字符")));
        }
        let mut map: Vec<Field> =
            merged.into_iter().map(|(path, t)| Field { path, element: t.element, missing: t.missing }).collect();
        // Item's own fields first, then payload fields; or the department's order if given.
        map.sort_by_key(|f| {
            let ordered = config.element_order.iter().position(|e| *e == f.element).unwrap_or(usize::MAX);
            let own = ITEM_FIELDS.iter().position(|o| *o == f.path).unwrap_or(usize::MAX);
            (ordered, own, f.path.clone())
        });
        let client = http::build_client(&http::ClientOptions {
            base_url: &config.endpoint,
            client_cert_pem: config.client_cert_pem.as_deref(),
            ca_pem: config.ca_pem.as_deref(),
            connect_timeout: Duration::from_millis(config.connect_timeout_ms),
            request_timeout: Duration::from_millis(config.request_timeout_ms),
        })?;
        Ok(Self {
            config,
            client,
            map,
            key_element,
            soap_action,
            record_element,
            response_element,
            result_element,
            result_key_element,
        })
    }

    /// Builds the adapter from the `[settings]` of an adapter config. Unknown keys are refused
    /// by name: a misspelt `pul = false` silently ignored would keep a far side's faults coming.
    pub fn from_settings(settings: &serde_json::Value) -> Result<Self, AdapterError> {
        check_keys(settings)?;
        Self::new(crate::parse_settings("vertical-xml", settings)?)
    }

    pub fn config_schema() -> serde_json::Value {
        serde_json::json!({
            "type": "object",
            "required": ["endpoint", "source"],
            "additionalProperties": false,
            "properties": {
                "endpoint": {"type": "string", "description": "部门 Web Service 地址"},
                "soap_version": {"type": "string", "enum": ["1.1", "1.2"], "default": "1.1"},
                "namespace": {"type": "string", "default": DEFAULT_NS},
                "source": {"type": "string", "description": "本工作站标识，放在 SOAP 头 Source 中"},
                "token": {"type": "string", "secret": true},
                "operation": {"type": "string", "default": "SubmitItems"},
                "soap_action": {"type": "string", "description": "默认 <namespace>#<operation>"},
                "request_shape": {"type": "string", "enum": ["batch", "single"], "default": "batch"},
                "record_element": {"type": "string", "description": "batch 默认 Item；single 默认无"},
                "field_map": {"type": "object", "description": "条目路径 → XML 元素名，如 {\"payload.case.applicant.id\":\"SQRZJHM\"}",
                    "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "object",
                        "required": ["element"], "additionalProperties": false,
                        "properties": {"element": {"type": "string"},
                            "missing": {"type": "string", "enum": ["reject", "empty", "omit"], "default": "reject"}}}]}},
                "payload_element": {"type": "string", "default": "NR"},
                "element_order": {"type": "array", "items": {"type": "string"}},
                "response_element": {"type": "string", "description": "默认 <operation>Response"},
                "result_element": {"type": "string", "description": "batch 默认 Result；空串（single 默认）表示应答元素本身"},
                "match_by": {"type": "string", "enum": ["key", "position"], "default": "key"},
                "result_key_element": {"type": "string", "description": "默认与 key 的元素名相同"},
                "status_element": {"type": "string", "default": "Status"},
                "message_element": {"type": "string", "default": "Message"},
                "error_type_element": {"type": "string", "default": "ErrorType"},
                "result_codes": {"type": "object", "additionalProperties": {"type": "string",
                    "enum": ["accepted", "duplicate", "rejected", "rejected-permanent", "rejected-retryable"]},
                    "default": {"ACCEPTED": "accepted", "DUPLICATE": "duplicate", "REJECTED": "rejected"}},
                "pull": {"type": "boolean", "default": true},
                "pull_streams": {"type": "array", "items": {"type": "string"}, "default": ["cases", "opinions", "decisions"]},
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

    /// The record's (element, text) pairs, or the rejection naming the first missing path.
    fn record(&self, item: &OutItem) -> Result<Vec<(String, String)>, Rejection> {
        let json = serde_json::to_value(item).map_err(|e| Rejection {
            key: item.key.clone(),
            class: ErrorClass::Permanent,
            message: "条目无法编码".into(),
            detail: e.to_string(),
        })?;
        let mut fields = Vec::with_capacity(self.map.len() + 1);
        for f in &self.map {
            match Self::lookup(&json, &f.path) {
                None | Some(serde_json::Value::Null) => match f.missing {
                    Missing::Omit => {}
                    Missing::Empty => fields.push((f.element.clone(), String::new())),
                    Missing::Reject => {
                        return Err(Rejection {
                            key: item.key.clone(),
                            class: ErrorClass::Permanent,
                            message: format!(
                                "条目缺少部门接口要求的字段 {}（元素 {}），未发送；请补全数据或在 field_map 中为该项设置 missing",
                                f.path, f.element
                            ),
                            detail: format!("kind={} case_no={}", item.kind, item.case_no.as_deref().unwrap_or("")),
                        });
                    }
                },
                Some(serde_json::Value::String(s)) => fields.push((f.element.clone(), s.clone())),
                Some(other) => fields.push((f.element.clone(), other.to_string())),
            }
        }
        if !self.config.payload_element.is_empty() {
            let canonical = yc_adapter_sdk::canonical_json(&item.payload);
            let pos = self.config.element_order.iter().position(|e| *e == self.config.payload_element);
            // Placed by element_order when listed there, last otherwise.
            let at = pos.map_or(fields.len(), |p| {
                fields
                    .iter()
                    .position(|(el, _)| self.config.element_order.iter().position(|e| e == el).is_none_or(|q| q > p))
                    .unwrap_or(fields.len())
            });
            fields.insert(at, (self.config.payload_element.clone(), canonical));
        }
        Ok(fields)
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

    fn push_envelope(&self, first_key: &str, records: &[Vec<(String, String)>]) -> Vec<u8> {
        let id = format!("{}-{first_key}", self.config.source);
        self.envelope(&id, |w| {
            let op = format!("tns:{}", self.config.operation);
            w.open(&op, &[]);
            for fields in records {
                if let Some(r) = &self.record_element {
                    w.open(&format!("tns:{r}"), &[]);
                }
                for (el, v) in fields {
                    w.leaf(&format!("tns:{el}"), v);
                }
                if let Some(r) = &self.record_element {
                    w.close(&format!("tns:{r}"));
                }
            }
            w.close(&op);
        })
    }

    /// The push request for `batch` as configured, items with a missing mapped path left out
    /// (public for inspection in tests and tools).
    pub fn submit_envelope(&self, batch: &[OutItem]) -> Result<Vec<u8>, AdapterError> {
        let records: Vec<_> = batch.iter().filter_map(|i| self.record(i).ok()).collect();
        Ok(self.push_envelope(batch.first().map(|i| i.key.as_str()).unwrap_or(""), &records))
    }

    /// One SOAP call; returns the `want` element of the Body.
    async fn call(&self, op: &str, action: &str, want: &str, body: Vec<u8>) -> Result<Element, AdapterError> {
        let (status, bytes) = self.exchange(op, action, body).await?;
        self.read_reply(op, want, status, &bytes)
    }

    /// Sends one SOAP request; the HTTP status and the (size-limited) body.
    async fn exchange(
        &self,
        op: &str,
        action: &str,
        body: Vec<u8>,
    ) -> Result<(reqwest::StatusCode, Vec<u8>), AdapterError> {
        let what = format!("调用部门接口 {op}");
        let mut rb = self.client.post(&self.config.endpoint);
        rb = match self.config.soap_version {
            SoapVersion::V11 => rb
                .header(reqwest::header::CONTENT_TYPE, "text/xml; charset=utf-8")
                .header("SOAPAction", format!("\"{action}\"")),
            SoapVersion::V12 if action.is_empty() => {
                rb.header(reqwest::header::CONTENT_TYPE, "application/soap+xml; charset=utf-8")
            }
            SoapVersion::V12 => rb.header(
                reqwest::header::CONTENT_TYPE,
                format!("application/soap+xml; charset=utf-8; action=\"{action}\""),
            ),
        };
        let resp = rb.body(body).send().await.map_err(|e| http::transport_error(&what, &e))?;
        let status = resp.status();
        let bytes = http::read_limited(&what, resp, self.config.max_response_bytes).await?;
        Ok((status, bytes))
    }

    /// The `want` element of the Body of a reply to `op` (HTTP status and body), or why there is
    /// none: faults, other SOAP versions, gateways. Pure, so the fuzz targets feed it any reply
    /// without a server (docs/fuzzing.md).
    #[doc(hidden)]
    pub fn read_reply(
        &self,
        op: &str,
        want: &str,
        status: reqwest::StatusCode,
        bytes: &[u8],
    ) -> Result<Element, AdapterError> {
        let what = format!("调用部门接口 {op}");
        // SOAP faults travel with HTTP 500 (SOAP 1.1 §6.2) or 400/500 (SOAP 1.2); anything
        // else non-2xx came from a gateway or the web server, not the service.
        if !status.is_success() && status.as_u16() != 500 && status.as_u16() != 400 {
            return Err(http::status_error(&what, status, &String::from_utf8_lossy(bytes)));
        }
        let doc = xml::parse(bytes).map_err(|e| xml_error(&what, &e, bytes))?;
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
                    snippet(bytes),
                ));
            }
        }
        let Some(body) = doc.children.iter().find(|c| c.name == "Body" && c.ns.as_deref() == Some(expected.ns()))
        else {
            return Err(AdapterError::retryable(
                Origin::FarSystem,
                format!("{what}：应答缺少 SOAP Body"),
                snippet(bytes),
            ));
        };
        if let Some(fault) = body.child("Fault") {
            return Err(map_fault(&what, expected, fault));
        }
        let Some(resp_el) = body.child(want) else {
            return Err(AdapterError::retryable(
                Origin::FarSystem,
                format!("{what}：应答中没有 {want}"),
                snippet(bytes),
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
            return Err(http::status_error(&what, status, &String::from_utf8_lossy(bytes)));
        }
        Ok(resp_el.clone())
    }

    async fn push_chunk(&self, chunk: &[OutItem]) -> Result<PushReport, AdapterError> {
        let mut report = PushReport::default();
        let mut sent: Vec<&OutItem> = Vec::with_capacity(chunk.len());
        let mut records = Vec::with_capacity(chunk.len());
        for item in chunk {
            match self.record(item) {
                Ok(r) => {
                    sent.push(item);
                    records.push(r);
                }
                Err(rej) => report.rejected.push(rej),
            }
        }
        if let Some(first) = sent.first() {
            let envelope = self.push_envelope(&first.key, &records);
            let op = &self.config.operation;
            let resp = self.call(op, &self.soap_action, &self.response_element, envelope).await?;
            self.read_results(&resp, &sent, &mut report)?;
        }
        Ok(sanitized(chunk, report))
    }

    /// What a push of `chunk` learns from the department's reply (HTTP status and body), as
    /// `push` reads it. Pure, for the fuzz targets.
    #[doc(hidden)]
    pub fn read_push_reply(
        &self,
        chunk: &[OutItem],
        status: reqwest::StatusCode,
        bytes: &[u8],
    ) -> Result<PushReport, AdapterError> {
        let mut report = PushReport::default();
        let mut sent: Vec<&OutItem> = Vec::with_capacity(chunk.len());
        for item in chunk {
            match self.record(item) {
                Ok(_) => sent.push(item),
                Err(rej) => report.rejected.push(rej),
            }
        }
        if !sent.is_empty() {
            let resp = self.read_reply(&self.config.operation, &self.response_element, status, bytes)?;
            self.read_results(&resp, &sent, &mut report)?;
        }
        Ok(sanitized(chunk, report))
    }

    /// Maps the response's result rows to acks and rejections of the `sent` items.
    fn read_results(&self, resp: &Element, sent: &[&OutItem], report: &mut PushReport) -> Result<(), AdapterError> {
        let what = format!("调用部门接口 {}", self.config.operation);
        let rows: Vec<&Element> = match &self.result_element {
            Some(name) => resp.children.iter().filter(|c| c.name == *name).collect(),
            None => vec![resp],
        };
        if self.config.match_by == MatchBy::Position && rows.len() != sent.len() {
            // Position is all that ties a row to an item: with a different count no row can be
            // trusted. Nothing is confirmed; re-sending is safe because the far side dedupes.
            return Err(AdapterError::retryable(
                Origin::FarSystem,
                format!(
                    "{what}：应答有 {} 个结果（{}），发送了 {} 条，无法按位置对应",
                    rows.len(),
                    self.result_element.as_deref().unwrap_or(&self.response_element),
                    sent.len()
                ),
                "",
            ));
        }
        for (n, row) in rows.iter().enumerate() {
            let key = match self.config.match_by {
                MatchBy::Position => sent[n].key.clone(),
                MatchBy::Key => match row.child_text(&self.result_key_element) {
                    Some(k) => k.to_string(),
                    None => {
                        return Err(AdapterError::auth(
                            Origin::Adapter,
                            format!(
                                "{what}：第 {} 个结果中没有键元素 {}（result_key_element），无法对应条目；对端不回显业务流水号时请设置 match_by = \"position\"",
                                n + 1,
                                self.result_key_element
                            ),
                            "",
                        ));
                    }
                },
            };
            let code = row.child_text(&self.config.status_element);
            let Some(outcome) = code.and_then(|c| self.config.result_codes.get(c)) else {
                let shown = match code {
                    Some(c) => format!("结果代码“{c}”"),
                    None => format!("没有结果代码元素 {}", self.config.status_element),
                };
                // The table is the operator's: an unknown code means nobody knows whether the
                // department kept the item. Nothing is confirmed, an administrator must look.
                return Err(AdapterError::auth(
                    Origin::Adapter,
                    format!(
                        "{what}：条目 {key} 的应答{shown}不在 result_codes 中（已配置：{}），条目未确认，请管理员补充配置后重试",
                        self.config.result_codes.keys().cloned().collect::<Vec<_>>().join("、")
                    ),
                    format!(
                        "{}: {}",
                        self.config.message_element,
                        row.child_text(&self.config.message_element).unwrap_or("")
                    ),
                ));
            };
            let code = code.unwrap_or_default();
            let far_msg = row.child_text(&self.config.message_element).unwrap_or("");
            let reject = |class: ErrorClass, message: String, et: &str| Rejection {
                key: key.clone(),
                class,
                message,
                detail: format!("code={code} {et}: {far_msg}"),
            };
            match outcome {
                ResultOutcome::Accepted | ResultOutcome::Duplicate => report.acked.push(key.clone()),
                ResultOutcome::Rejected => {
                    let et = row.child_text(&self.config.error_type_element).unwrap_or("");
                    let (class, msg) = crate::city_extranet::classify_row_error(et);
                    report.rejected.push(reject(class, msg.replace("平台", "部门系统"), et));
                }
                ResultOutcome::RejectedPermanent => report.rejected.push(reject(
                    ErrorClass::Permanent,
                    format!("部门系统拒收该条（结果代码 {code}）：{far_msg}"),
                    "",
                )),
                ResultOutcome::RejectedRetryable => report.rejected.push(reject(
                    ErrorClass::Retryable,
                    format!("部门系统暂时无法处理该条（结果代码 {code}），稍后重试：{far_msg}"),
                    "",
                )),
            }
        }
        Ok(())
    }

    fn item_from_xml(&self, stream: &str, el: &Element) -> Result<InItem, String> {
        let reverse: BTreeMap<&str, &str> = self.map.iter().map(|f| (f.element.as_str(), f.path.as_str())).collect();
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

/// Refuses settings keys the adapter does not know (top level and inside `field_map` entries),
/// naming the key, in Chinese; serde's own message would be English.
fn check_keys(settings: &serde_json::Value) -> Result<(), AdapterError> {
    let schema = VerticalXml::config_schema();
    let known: Vec<&str> =
        schema["properties"].as_object().map(|p| p.keys().map(String::as_str).collect()).unwrap_or_default();
    let refuse = |msg: String| Err(AdapterError::auth(Origin::Adapter, msg, ""));
    let Some(obj) = settings.as_object() else { return Ok(()) };
    for k in obj.keys() {
        if !known.contains(&k.as_str()) {
            return refuse(format!(
                "vertical-xml 适配器设置中有未知的键“{k}”，请检查拼写（可用的键：{}；见 docs/vertical-xml.md）",
                known.join("、")
            ));
        }
    }
    if let Some(map) = obj.get("field_map").and_then(|m| m.as_object()) {
        for (path, target) in map {
            for k in target.as_object().map(|t| t.keys().collect::<Vec<_>>()).unwrap_or_default() {
                if k != "element" && k != "missing" {
                    return refuse(format!(
                        "vertical-xml 适配器设置 field_map 中“{path}”有未知的键“{k}”（可用的键：element、missing）"
                    ));
                }
            }
        }
    }
    Ok(())
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

/// Duplicated acks, rows never sent and contradictory rows dropped (and logged).
fn sanitized(chunk: &[OutItem], report: PushReport) -> PushReport {
    let (report, problems) = yc_adapter_sdk::process::sanitize_report(chunk, report);
    for p in problems {
        tracing::warn!("{p}");
    }
    report
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

impl VerticalXml {
    /// The page in the department's reply to a fetch of at most `max` items of `stream` (HTTP
    /// status and body), as `pull` reads it. Pure, for the fuzz targets.
    #[doc(hidden)]
    pub fn read_pull_reply(
        &self,
        stream: &str,
        max: usize,
        status: reqwest::StatusCode,
        bytes: &[u8],
    ) -> Result<PullPage, AdapterError> {
        let resp = self.read_reply("FetchItems", "FetchItemsResponse", status, bytes)?;
        self.read_page(stream, max, &resp)
    }

    fn read_page(&self, stream: &str, max: usize, resp: &Element) -> Result<PullPage, AdapterError> {
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
}

impl Adapter for VerticalXml {
    async fn hello(&mut self) -> Result<Handshake, AdapterError> {
        let pull = self.config.pull;
        Ok(Handshake {
            protocol_version: PROTOCOL_VERSION,
            name: "vertical-xml".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            // Without FetchItems there is no side-effect-free call to probe with: the push's
            // own outcome is the link's health.
            capabilities: Capabilities { push: true, pull, health: pull, anchor: false, timestamp: false },
            streams: if pull { self.config.pull_streams.clone() } else { Vec::new() },
            config_schema: Self::config_schema(),
        })
    }

    async fn push(&mut self, batch: &[OutItem]) -> Result<PushReport, AdapterError> {
        let per_call = match self.config.request_shape {
            RequestShape::Batch => self.config.batch_size,
            RequestShape::Single => 1,
        };
        let mut total = PushReport::default();
        for chunk in batch.chunks(per_call) {
            if !crate::http::merge_chunk(&mut total, self.push_chunk(chunk).await)? {
                break;
            }
        }
        Ok(total)
    }

    async fn pull(&mut self, stream: &str, cursor: Option<&str>, max: usize) -> Result<PullPage, AdapterError> {
        if !self.config.pull {
            // Not announced in hello, so a host does not ask; nothing to fetch if one does.
            return Ok(PullPage::default());
        }
        let body = self.envelope(&format!("{}-fetch", self.config.source), |w| {
            w.open("tns:FetchItems", &[]);
            w.leaf("tns:Stream", stream);
            w.leaf("tns:Cursor", cursor.unwrap_or(""));
            w.leaf("tns:Max", &max.to_string());
            w.close("tns:FetchItems");
        });
        let action = format!("{}#FetchItems", self.config.namespace);
        let resp = self.call("FetchItems", &action, "FetchItemsResponse", body).await?;
        self.read_page(stream, max, &resp)
    }

    async fn health(&mut self) -> Result<Health, AdapterError> {
        if !self.config.pull {
            return Ok(Health {
                status: HealthStatus::Ok, message: "未启用拉取，不做探测；以推送结果为准".into()
            });
        }
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

    fn item(payload: serde_json::Value) -> OutItem {
        OutItem::new("K1", "cases", Some("BJ1".into()), 3, "case.filed", "2026-11-23T09:00:00+08:00", payload)
    }

    #[test]
    fn field_map_renders_own_and_payload_fields_as_elements() {
        let mut cfg = VerticalXmlConfig::new("http://127.0.0.1:1/ws", "WS01");
        cfg.field_map.insert("applicant.id".into(), "SQRZJHM".into());
        let a = VerticalXml::new(cfg).unwrap();
        let item = item(serde_json::json!({"applicant": {"id": "110101199003074514", "name": "张三&李四"}}));
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
    fn single_shape_puts_fields_in_the_operation_and_honours_element_order() {
        let mut cfg = VerticalXmlConfig::new("http://127.0.0.1:1/ws", "WS01");
        cfg.request_shape = RequestShape::Single;
        cfg.operation = "ReportCase".into();
        cfg.payload_element = "业务数据".into();
        cfg.field_map.insert("key".into(), "业务流水号".into());
        cfg.field_map.insert("payload.case.item.code".into(), "事项编码".into());
        cfg.element_order = ["事项编码", "业务数据", "业务流水号"].map(String::from).to_vec();
        let a = VerticalXml::new(cfg).unwrap();
        let it = item(serde_json::json!({"case": {"item": {"code": "C1"}}}));
        let xml = String::from_utf8(a.submit_envelope(&[it]).unwrap()).unwrap();
        assert!(xml.contains("<tns:ReportCase><tns:事项编码>C1</tns:事项编码><tns:业务数据>"), "{xml}");
        assert!(!xml.contains("Item"), "{xml}");
        assert!(xml.find("业务数据").unwrap() < xml.find("业务流水号").unwrap(), "{xml}");
    }

    #[test]
    fn a_missing_path_rejects_the_item_or_sends_an_empty_or_no_element_as_mapped() {
        let mut cfg = VerticalXmlConfig::new("http://127.0.0.1:1/ws", "WS01");
        cfg.field_map.insert("payload.case.applicant.id".into(), "SQRZJHM".into());
        cfg.field_map.insert(
            "payload.case.applicant.name".into(),
            FieldTarget { element: "SQRMC".into(), missing: Missing::Empty },
        );
        cfg.field_map.insert("payload.reason".into(), FieldTarget { element: "LY".into(), missing: Missing::Omit });
        let a = VerticalXml::new(cfg).unwrap();
        let rej = a.record(&item(serde_json::json!({"case": {"applicant": {"id": null}}}))).unwrap_err();
        assert_eq!(rej.class, ErrorClass::Permanent);
        assert!(rej.message.contains("payload.case.applicant.id（元素 SQRZJHM）"), "{}", rej.message);
        let rec = a.record(&item(serde_json::json!({"case": {"applicant": {"id": "X"}}}))).unwrap();
        assert!(rec.contains(&("SQRMC".into(), String::new())), "{rec:?}");
        assert!(!rec.iter().any(|(el, _)| el == "LY"));
        // Items without a case still carry no BJBH, as before.
        let mut caseless = item(serde_json::json!({"case": {"applicant": {"id": "X"}}}));
        caseless.case_no = None;
        assert!(!a.record(&caseless).unwrap().iter().any(|(el, _)| el == "BJBH"));
    }

    #[test]
    fn invalid_element_names_and_duplicates_are_config_errors() {
        let mut cfg = VerticalXmlConfig::new("http://127.0.0.1:1/ws", "WS01");
        cfg.field_map.insert("applicant.id".into(), "1BAD".into());
        assert_eq!(VerticalXml::new(cfg).err().unwrap().class, ErrorClass::Auth);
        let mut cfg = VerticalXmlConfig::new("http://127.0.0.1:1/ws", "WS01");
        cfg.field_map.insert("applicant.id".into(), "BJBH".into());
        assert!(VerticalXml::new(cfg).err().unwrap().message.contains("重复"));
        let mut cfg = VerticalXmlConfig::new("http://127.0.0.1:1/ws", "WS01");
        cfg.operation = "Report Case".into();
        assert!(VerticalXml::new(cfg).err().unwrap().message.contains("operation"));
        let mut cfg = VerticalXmlConfig::new("http://127.0.0.1:1/ws", "WS01");
        cfg.soap_action = Some("a\"b".into());
        assert!(VerticalXml::new(cfg).err().unwrap().message.contains("soap_action"));
    }

    #[test]
    fn unknown_keys_are_refused_by_name_in_chinese() {
        let s = serde_json::json!({"endpoint": "http://127.0.0.1:1/ws", "source": "WS01", "pul": false});
        let e = VerticalXml::from_settings(&s).err().unwrap();
        assert_eq!((e.class, e.origin), (ErrorClass::Auth, Origin::Adapter));
        assert!(e.message.contains("未知的键“pul”"), "{e}");
        let s = serde_json::json!({"endpoint": "http://127.0.0.1:1/ws", "source": "WS01",
            "field_map": {"payload.case.kind": {"element": "BJLX", "optional": true}}});
        let e = VerticalXml::from_settings(&s).err().unwrap();
        assert!(e.message.contains("“payload.case.kind”有未知的键“optional”"), "{e}");
    }

    #[test]
    fn the_schema_lists_exactly_the_settings() {
        let mut cfg = VerticalXmlConfig::new("http://127.0.0.1:1/ws", "WS01");
        cfg.token = Some(String::new());
        cfg.soap_action = Some(String::new());
        cfg.record_element = Some(String::new());
        cfg.response_element = Some(String::new());
        cfg.result_element = Some(String::new());
        cfg.result_key_element = Some(String::new());
        cfg.client_cert_pem = Some("x".into());
        cfg.ca_pem = Some("x".into());
        let mut fields: Vec<String> =
            serde_json::to_value(&cfg).unwrap().as_object().unwrap().keys().cloned().collect();
        let schema = VerticalXml::config_schema();
        let mut props: Vec<String> = schema["properties"].as_object().unwrap().keys().cloned().collect();
        fields.sort();
        props.sort();
        assert_eq!(fields, props);
    }

    #[test]
    fn field_targets_accept_a_name_or_a_table() {
        let m: BTreeMap<String, FieldTarget> =
            serde_json::from_value(serde_json::json!({"a": "X", "b": {"element": "Y", "missing": "empty"}})).unwrap();
        assert_eq!(m["a"], FieldTarget::element("X"));
        assert_eq!(m["b"], FieldTarget { element: "Y".into(), missing: Missing::Empty });
    }

    #[test]
    fn nested_paths_are_rebuilt_on_the_way_back() {
        let mut m = serde_json::Map::new();
        insert_path(&mut m, "applicant.id", "X".into());
        insert_path(&mut m, "applicant.name", "Y".into());
        assert_eq!(serde_json::Value::Object(m), serde_json::json!({"applicant": {"id": "X", "name": "Y"}}));
    }
}
