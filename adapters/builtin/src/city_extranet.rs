//! City e-government extranet platform adapter: HTTPS + JSON
//! (docs/city-extranet.openapi.yaml).
//!
//! Items go in batches (`POST /api/v1/items:batch`); each row carries its idempotency key as
//! `row_id` (the national exchange tables' ROWGUID) and the batch a deterministic `batch_no`, so
//! re-sending after a lost answer is safe. Batches are sent in outbox order and the push stops at
//! the first failed batch, so a case's later items never overtake its earlier ones.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use yc_adapter_sdk::{
    Adapter, AdapterError, AnchorAnswer, Capabilities, ErrorClass, Handshake, HeadProof, HeadReceipt, Health,
    HealthStatus, InItem, Origin, OutItem, PROTOCOL_VERSION, PullPage, PushReport, Rejection,
};

use crate::http;

/// Settings of the city-extranet adapter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CityExtranetConfig {
    /// e.g. `https://zwfw.example.gov.cn` (HTTP only for loopback simulators).
    pub base_url: String,
    /// This workstation's id at the platform (the dedupe scope of row ids).
    pub source: String,
    /// Bearer token (secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// PEM file holding the client certificate chain and private key (mutual TLS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert_pem: Option<PathBuf>,
    /// PEM bundle of the platform's root certificates, if not publicly rooted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_pem: Option<PathBuf>,
    #[serde(default = "d_connect")]
    pub connect_timeout_ms: u64,
    #[serde(default = "d_request")]
    pub request_timeout_ms: u64,
    /// Rows per request (the platform takes at most 1000).
    #[serde(default = "d_batch")]
    pub batch_size: usize,
    /// Largest answer body accepted.
    #[serde(default = "d_max_body")]
    pub max_response_bytes: usize,
    /// Show the platform the journal head each sync and keep its signed receipt
    /// (`POST /api/v1/journal-heads`); off only for a platform that does not offer it yet.
    #[serde(default = "d_true")]
    pub anchor_heads: bool,
}

fn d_true() -> bool {
    true
}

fn d_connect() -> u64 {
    5_000
}
fn d_request() -> u64 {
    30_000
}
fn d_batch() -> usize {
    500
}
fn d_max_body() -> usize {
    16 * 1024 * 1024
}

impl CityExtranetConfig {
    pub fn new(base_url: impl Into<String>, source: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            source: source.into(),
            token: None,
            client_cert_pem: None,
            ca_pem: None,
            connect_timeout_ms: d_connect(),
            request_timeout_ms: d_request(),
            batch_size: d_batch(),
            max_response_bytes: d_max_body(),
            anchor_heads: true,
        }
    }
}

/// Wire types (see the OpenAPI document).
pub mod wire {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, Serialize)]
    pub struct BatchRequest<'a> {
        pub batch_no: String,
        pub source: &'a str,
        pub sent_at: String,
        pub rows: Vec<Row<'a>>,
    }

    #[derive(Debug, Clone, Serialize)]
    pub struct Row<'a> {
        pub row_id: &'a str,
        /// `I`: items are immutable events, always inserted.
        pub operation: &'static str,
        pub kind: &'a str,
        pub stream: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub case_no: Option<&'a str>,
        pub seq: u64,
        pub operate_time: &'a str,
        pub payload: &'a serde_json::Value,
        pub payload_sha256: &'a str,
    }

    #[derive(Debug, Clone, Deserialize)]
    pub struct BatchResponse {
        #[serde(default)]
        pub batch_no: String,
        #[serde(default)]
        pub results: Vec<RowResult>,
    }

    #[derive(Debug, Clone, Deserialize)]
    pub struct RowResult {
        pub row_id: String,
        pub status: String,
        #[serde(default)]
        pub error_type: Option<String>,
        #[serde(default)]
        pub error_desc: Option<String>,
    }

    #[derive(Debug, Clone, Deserialize)]
    pub struct InboxPage {
        #[serde(default)]
        pub items: Vec<InboxItem>,
        #[serde(default)]
        pub next_cursor: Option<String>,
    }

    #[derive(Debug, Clone, Deserialize)]
    pub struct InboxItem {
        pub row_id: String,
        #[serde(default)]
        pub stream: Option<String>,
        pub kind: String,
        #[serde(default)]
        pub case_no: Option<String>,
        #[serde(default)]
        pub operate_time: Option<String>,
        #[serde(default)]
        pub payload: serde_json::Value,
        #[serde(default)]
        pub payload_sha256: Option<String>,
        #[serde(default)]
        pub source: Option<String>,
    }

    #[derive(Debug, Clone, Deserialize)]
    pub struct ErrorBody {
        #[serde(default)]
        pub error_type: String,
        #[serde(default)]
        pub message: String,
    }
}

/// Maps a rejected row's `error_type` to what the host must do.
pub fn classify_row_error(error_type: &str) -> (ErrorClass, &'static str) {
    match error_type {
        "IDEMPOTENCY_CONFLICT" => (ErrorClass::Permanent, "同一业务键已以不同内容提交，平台拒收"),
        "HASH_MISMATCH" => (ErrorClass::Permanent, "内容摘要与内容不符，平台拒收"),
        "VALIDATION" => (ErrorClass::Permanent, "平台校验不通过"),
        "BUSY" | "RATE_LIMITED" | "TEMPORARY" => (ErrorClass::Retryable, "平台暂时无法处理该条，稍后重试"),
        "UNAUTHORIZED" | "FORBIDDEN" => (ErrorClass::Auth, "平台拒绝该条的访问权限，需管理员处理"),
        _ => (ErrorClass::Permanent, "平台拒收该条（未知错误类型）"),
    }
}

pub struct CityExtranet {
    config: CityExtranetConfig,
    client: reqwest::Client,
    base: String,
}

impl CityExtranet {
    pub fn new(config: CityExtranetConfig) -> Result<Self, AdapterError> {
        if config.source.trim().is_empty() {
            return Err(AdapterError::auth(Origin::Adapter, "市级平台适配器缺少工作站标识 source", ""));
        }
        if config.batch_size == 0 || config.batch_size > 1000 {
            return Err(AdapterError::auth(
                Origin::Adapter,
                format!("batch_size 应在 1–1000 之间，实为 {}", config.batch_size),
                "",
            ));
        }
        let client = http::build_client(&http::ClientOptions {
            base_url: &config.base_url,
            client_cert_pem: config.client_cert_pem.as_deref(),
            ca_pem: config.ca_pem.as_deref(),
            connect_timeout: Duration::from_millis(config.connect_timeout_ms),
            request_timeout: Duration::from_millis(config.request_timeout_ms),
        })?;
        let base = config.base_url.trim_end_matches('/').to_string();
        Ok(Self { config, client, base })
    }

    pub fn from_settings(settings: &serde_json::Value) -> Result<Self, AdapterError> {
        Self::new(crate::parse_settings("city-extranet", settings)?)
    }

    /// Sends a signed enrollment request (`yc_adapter_sdk::provision::Signed`, the file's bytes)
    /// to `POST /api/v1/enrollments` and returns the signed reply's bytes. The reply is checked by
    /// the workstation (yc-core's provisioning rules), not here: this is the transport.
    pub async fn enroll(&self, request: &[u8]) -> Result<Vec<u8>, AdapterError> {
        const WHAT: &str = "注册申请";
        let mut req = self
            .client
            .post(format!("{}/api/v1/enrollments", self.base))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(request.to_vec());
        if let Some(t) = &self.config.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.map_err(|e| http::transport_error(WHAT, &e))?;
        let status = resp.status();
        let body = http::read_limited(WHAT, resp, 64 * 1024 * 1024).await?;
        if !status.is_success() {
            // The platform says why in {"error_type", "message"}; keep its words for the person.
            let text = String::from_utf8_lossy(&body);
            let said = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned));
            let mut e = http::status_error(WHAT, status, &text);
            if let Some(m) = said {
                e.message = format!("{}：{m}", e.message);
            }
            return Err(e);
        }
        Ok(body)
    }

    /// JSON Schema of the settings; `token` is secret.
    pub fn config_schema() -> serde_json::Value {
        serde_json::json!({
            "type": "object",
            "required": ["base_url", "source"],
            "properties": {
                "base_url": {"type": "string", "description": "市级政务服务平台地址（HTTPS）"},
                "source": {"type": "string", "description": "本工作站在平台的标识"},
                "token": {"type": "string", "secret": true, "description": "访问令牌"},
                "client_cert_pem": {"type": "string", "description": "双向 TLS 客户端证书与私钥（PEM）"},
                "ca_pem": {"type": "string", "description": "平台根证书（PEM）"},
                "connect_timeout_ms": {"type": "integer", "default": 5000},
                "request_timeout_ms": {"type": "integer", "default": 30000},
                "batch_size": {"type": "integer", "default": 500, "maximum": 1000},
                "max_response_bytes": {"type": "integer", "default": 16777216},
                "anchor_heads": {"type": "boolean", "default": true, "description": "每次同步向平台锚定日志头并保存签收回执"}
            }
        })
    }

    fn authed(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let rb = rb.header("X-Yc-Source", &self.config.source);
        match &self.config.token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    /// RFC 3161 over HTTP (§3.4) to the platform's time-stamping authority: a DER
    /// TimeStampReq in, the DER TimeStampResp out. The caller (the seal module) checks the
    /// reply against its request (imprint, nonce) and the TSA root in its trust bundle.
    ///
    /// # Errors
    /// Transport (retryable), HTTP status (classified), wrong content type (retryable).
    pub async fn timestamp(&self, request: &[u8]) -> Result<Vec<u8>, AdapterError> {
        const WHAT: &str = "向市级平台申请时间戳";
        let resp = self
            .authed(self.client.post(format!("{}/api/v1/tsa", self.base)))
            .header(reqwest::header::CONTENT_TYPE, "application/timestamp-query")
            .body(request.to_vec())
            .send()
            .await
            .map_err(|e| http::transport_error(WHAT, &e))?;
        let status = resp.status();
        let is_reply = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/timestamp-reply"));
        let bytes = http::read_limited(WHAT, resp, self.config.max_response_bytes).await?;
        if !status.is_success() {
            return Err(http::status_error(WHAT, status, &String::from_utf8_lossy(&bytes)));
        }
        if !is_reply {
            return Err(AdapterError::retryable(
                Origin::FarSystem,
                format!("{WHAT}：应答类型不是 application/timestamp-reply"),
                String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned(),
            ));
        }
        Ok(bytes)
    }

    /// The TSA's root certificate as the platform serves it (`GET /api/v1/tsa/root`, DER). Not
    /// trusted by being fetched: the administrator compares its fingerprint with the published
    /// one before the seal authority carries it in the trust bundle.
    ///
    /// # Errors
    /// Transport (retryable), HTTP status (classified).
    pub async fn tsa_root(&self) -> Result<Vec<u8>, AdapterError> {
        const WHAT: &str = "从市级平台获取时间戳根证书";
        let resp = self
            .authed(self.client.get(format!("{}/api/v1/tsa/root", self.base)))
            .send()
            .await
            .map_err(|e| http::transport_error(WHAT, &e))?;
        let status = resp.status();
        let bytes = http::read_limited(WHAT, resp, self.config.max_response_bytes).await?;
        if !status.is_success() {
            return Err(http::status_error(WHAT, status, &String::from_utf8_lossy(&bytes)));
        }
        Ok(bytes)
    }

    /// Deterministic batch number: the same rows re-sent carry the same number.
    fn batch_no(&self, chunk: &[OutItem]) -> String {
        let keys: Vec<&str> = chunk.iter().map(|i| i.key.as_str()).collect();
        let digest = yc_adapter_sdk::sha256_hex(keys.join("\n").as_bytes());
        format!("{}-{}", self.config.source, &digest[..16])
    }

    async fn push_chunk(&self, chunk: &[OutItem]) -> Result<PushReport, AdapterError> {
        const WHAT: &str = "向市级平台推送";
        let batch_no = self.batch_no(chunk);
        let body = wire::BatchRequest {
            batch_no: batch_no.clone(),
            source: &self.config.source,
            sent_at: beijing_now(),
            rows: chunk
                .iter()
                .map(|i| wire::Row {
                    row_id: &i.key,
                    operation: "I",
                    kind: &i.kind,
                    stream: &i.stream,
                    case_no: i.case_no.as_deref(),
                    seq: i.seq,
                    operate_time: &i.occurred_at,
                    payload: &i.payload,
                    payload_sha256: &i.payload_sha256,
                })
                .collect(),
        };
        let resp = self
            .authed(self.client.post(format!("{}/api/v1/items:batch", self.base)))
            .header("Idempotency-Key", &batch_no)
            .json(&body)
            .send()
            .await
            .map_err(|e| http::transport_error(WHAT, &e))?;
        let status = resp.status();
        let bytes = http::read_limited(WHAT, resp, self.config.max_response_bytes).await?;
        read_batch_reply(chunk, &batch_no, status, &bytes)
    }
}

/// What a push learns from the platform's answer to one batch (the HTTP status and body): the
/// acks and rejections of `chunk`'s items, or why nothing is confirmed. Pure, so the fuzz targets
/// feed it any reply without a server (docs/fuzzing.md).
#[doc(hidden)]
pub fn read_batch_reply(
    chunk: &[OutItem],
    batch_no: &str,
    status: reqwest::StatusCode,
    bytes: &[u8],
) -> Result<PushReport, AdapterError> {
    const WHAT: &str = "向市级平台推送";
    if !status.is_success() {
        let text = String::from_utf8_lossy(bytes);
        let mut err = http::status_error(WHAT, status, &text);
        if let Ok(body) = serde_json::from_slice::<wire::ErrorBody>(bytes)
            && !body.message.is_empty()
        {
            err.message = format!("{}：{}", err.message, body.message);
        }
        return Err(err);
    }
    let parsed: wire::BatchResponse = serde_json::from_slice(bytes).map_err(|e| {
        // The batch may have been stored; re-sending is safe (idempotent), so retry.
        AdapterError::retryable(
            Origin::FarSystem,
            format!("{WHAT}：平台应答无法解析（批次 {batch_no}），稍后重发"),
            format!("{e}; body: {}", String::from_utf8_lossy(&bytes[..bytes.len().min(500)])),
        )
    })?;
    let mut report = PushReport::default();
    for r in parsed.results {
        match r.status.as_str() {
            "accepted" | "duplicate" => report.acked.push(r.row_id),
            "rejected" => {
                let et = r.error_type.unwrap_or_default();
                let (class, msg) = classify_row_error(&et);
                report.rejected.push(Rejection {
                    key: r.row_id,
                    class,
                    message: msg.to_string(),
                    detail: format!("{et}: {}", r.error_desc.unwrap_or_default()),
                });
            }
            other => {
                tracing::warn!(status = other, row = %r.row_id, "unknown row status, left unconfirmed");
            }
        }
    }
    // Duplicated acks, rows we never sent and contradictory rows are dropped here.
    let (report, problems) = yc_adapter_sdk::process::sanitize_report(chunk, report);
    for p in problems {
        tracing::warn!(batch = %batch_no, "{p}");
    }
    Ok(report)
}

/// The anchor answer in the platform's reply (HTTP status and body). Pure, for the fuzz targets.
#[doc(hidden)]
pub fn read_anchor_reply(status: reqwest::StatusCode, bytes: &[u8]) -> Result<AnchorAnswer, AdapterError> {
    const WHAT: &str = "向市级平台锚定日志头";
    if !status.is_success() {
        let body = serde_json::from_slice::<wire::ErrorBody>(bytes).ok();
        if status == reqwest::StatusCode::CONFLICT
            && let Some(b) =
                body.as_ref().filter(|b| b.error_type == "JOURNAL_FORK" || b.error_type == "JOURNAL_SIGNATURE")
        {
            // The platform saw a different history, or a signature that does not verify:
            // nothing is retried until someone looks.
            let what = if b.error_type == "JOURNAL_FORK" { "日志分叉" } else { "日志签名无效" };
            return Err(AdapterError::auth(
                Origin::FarSystem,
                format!("平台报告{what}：{}", b.message),
                format!("{}: {}", b.error_type, String::from_utf8_lossy(bytes)),
            ));
        }
        let mut err = http::status_error(WHAT, status, &String::from_utf8_lossy(bytes));
        if let Some(b) = body.filter(|b| !b.message.is_empty()) {
            err.message = format!("{}：{}", err.message, b.message);
        }
        return Err(err);
    }
    serde_json::from_slice::<HeadReceipt>(bytes).map(AnchorAnswer::signed).map_err(|e| {
        AdapterError::retryable(
            Origin::FarSystem,
            format!("{WHAT}：平台回执无法解析，下次同步重发"),
            format!("{e}; body: {}", String::from_utf8_lossy(&bytes[..bytes.len().min(500)])),
        )
    })
}

/// The page in the platform's reply to a pull of at most `max` items of `stream`. Pure, for the
/// fuzz targets.
#[doc(hidden)]
pub fn read_inbox_reply(
    stream: &str,
    max: usize,
    status: reqwest::StatusCode,
    bytes: &[u8],
) -> Result<PullPage, AdapterError> {
    const WHAT: &str = "从市级平台拉取";
    if !status.is_success() {
        return Err(http::status_error(WHAT, status, &String::from_utf8_lossy(bytes)));
    }
    let page: wire::InboxPage = serde_json::from_slice(bytes)
        .map_err(|e| AdapterError::retryable(Origin::FarSystem, format!("{WHAT}：平台应答无法解析"), e.to_string()))?;
    if page.items.len() > max {
        return Err(AdapterError::retryable(
            Origin::FarSystem,
            format!("{WHAT}：平台返回 {} 条，超过请求的 {max} 条", page.items.len()),
            "",
        ));
    }
    let items = page
        .items
        .into_iter()
        .map(|i| InItem {
            key: i.row_id,
            stream: i.stream.unwrap_or_else(|| stream.to_string()),
            kind: i.kind,
            case_no: i.case_no,
            occurred_at: i.operate_time,
            payload: i.payload,
            payload_sha256: i.payload_sha256,
            source: i.source,
        })
        .collect();
    Ok(PullPage { items, next_cursor: page.next_cursor, rejected: Vec::new() })
}

// `sent_at` on the wire is when this request left, not the case clock (which a demo freezes):
// adapters know nothing of yc_core::Clock.
#[allow(clippy::disallowed_methods)]
pub(crate) fn beijing_now() -> String {
    // RFC 3339 in +08:00 without a date library: whole seconds are enough for `sent_at`.
    let secs =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) + 8 * 3600;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+08:00", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl Adapter for CityExtranet {
    async fn hello(&mut self) -> Result<Handshake, AdapterError> {
        Ok(Handshake {
            protocol_version: PROTOCOL_VERSION,
            name: "city-extranet".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            capabilities: Capabilities {
                push: true,
                pull: true,
                health: true,
                anchor: self.config.anchor_heads,
                timestamp: true,
            },
            streams: vec![
                "cases".into(),
                "documents".into(),
                "supervision".into(),
                "evaluations".into(),
                "applications.online".into(),
                "catalog".into(),
                "calendar".into(),
                "trust".into(),
            ],
            config_schema: Self::config_schema(),
        })
    }

    async fn anchor(&mut self, proof: &HeadProof) -> Result<AnchorAnswer, AdapterError> {
        const WHAT: &str = "向市级平台锚定日志头";
        let resp = self
            .authed(self.client.post(format!("{}/api/v1/journal-heads", self.base)))
            .json(proof)
            .send()
            .await
            .map_err(|e| http::transport_error(WHAT, &e))?;
        let status = resp.status();
        let bytes = http::read_limited(WHAT, resp, self.config.max_response_bytes).await?;
        read_anchor_reply(status, &bytes)
    }

    async fn timestamp(&mut self, request: &[u8]) -> Result<Vec<u8>, AdapterError> {
        CityExtranet::timestamp(self, request).await
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
        const WHAT: &str = "从市级平台拉取";
        let mut query: Vec<(&str, String)> =
            vec![("stream", stream.to_string()), ("limit", max.clamp(1, 1000).to_string())];
        if let Some(c) = cursor {
            query.push(("cursor", c.to_string()));
        }
        let resp = self
            .authed(self.client.get(format!("{}/api/v1/inbox", self.base)))
            .query(&query)
            .send()
            .await
            .map_err(|e| http::transport_error(WHAT, &e))?;
        let status = resp.status();
        let bytes = http::read_limited(WHAT, resp, self.config.max_response_bytes).await?;
        read_inbox_reply(stream, max, status, &bytes)
    }

    async fn ack(&mut self, stream: &str, cursor: &str) -> Result<(), AdapterError> {
        const WHAT: &str = "向市级平台确认已接收";
        let resp = self
            .authed(self.client.post(format!("{}/api/v1/inbox:ack", self.base)))
            .json(&serde_json::json!({"stream": stream, "cursor": cursor}))
            .send()
            .await
            .map_err(|e| http::transport_error(WHAT, &e))?;
        let status = resp.status();
        if !status.is_success() {
            let bytes = http::read_limited(WHAT, resp, 64 * 1024).await.unwrap_or_default();
            return Err(http::status_error(WHAT, status, &String::from_utf8_lossy(&bytes)));
        }
        Ok(())
    }

    async fn health(&mut self) -> Result<Health, AdapterError> {
        const WHAT: &str = "市级平台健康检查";
        let resp = match self.authed(self.client.get(format!("{}/api/v1/health", self.base))).send().await {
            Ok(r) => r,
            Err(e) => {
                let err = http::transport_error(WHAT, &e);
                return Ok(Health { status: HealthStatus::Down, message: err.message });
            }
        };
        let status = resp.status();
        if status.is_success() {
            Ok(Health { status: HealthStatus::Ok, message: "市级平台可达".into() })
        } else {
            let err = http::status_error(WHAT, status, "");
            if err.class == ErrorClass::Auth {
                return Err(err);
            }
            Ok(Health { status: HealthStatus::Degraded, message: err.message })
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
    fn civil_date_conversion_matches_known_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_415), (2025, 11, 23));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn cleartext_http_is_refused_for_non_loopback_hosts() {
        let err = CityExtranet::new(CityExtranetConfig::new("http://zwfw.example.gov.cn", "WS01")).err().unwrap();
        assert_eq!(err.class, ErrorClass::Auth);
        assert!(err.message.contains("HTTPS"), "{err}");
        assert!(CityExtranet::new(CityExtranetConfig::new("http://127.0.0.1:9", "WS01")).is_ok());
        assert!(CityExtranet::new(CityExtranetConfig::new("https://zwfw.example.gov.cn", "WS01")).is_ok());
    }

    #[test]
    fn unreadable_client_certificate_is_an_auth_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("client.pem");
        std::fs::write(&bad, "not a pem").unwrap();
        let mut cfg = CityExtranetConfig::new("https://zwfw.example.gov.cn", "WS01");
        cfg.client_cert_pem = Some(bad.clone());
        let err = CityExtranet::new(cfg).err().unwrap();
        assert_eq!(err.class, ErrorClass::Auth);
        assert!(err.message.contains("client.pem"), "{err}");
    }

    #[test]
    fn row_error_types_map_to_classes() {
        assert_eq!(classify_row_error("IDEMPOTENCY_CONFLICT").0, ErrorClass::Permanent);
        assert_eq!(classify_row_error("BUSY").0, ErrorClass::Retryable);
        assert_eq!(classify_row_error("FORBIDDEN").0, ErrorClass::Auth);
    }
}
