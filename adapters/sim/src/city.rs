//! Simulator of the city e-government extranet platform (docs/city-extranet.openapi.yaml).
//! A TEST DOUBLE: it keeps rows in memory, dedupes by (source, row_id) + payload hash, and
//! injects faults on request.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use crate::faults::Fault;
use crate::store::{Incoming, Offer, Store};
use crate::{SimConfig, SimHandle};

/// Largest batch the platform takes in one request.
pub const MAX_ROWS_PER_BATCH: usize = 1000;

#[derive(Debug, Deserialize)]
pub struct BatchRequest {
    pub batch_no: String,
    pub source: String,
    #[serde(default)]
    pub sent_at: Option<String>,
    pub rows: Vec<Row>,
}

/// One exchange row (mirrors the national platform's exchange tables: ROWGUID, BATCH_NUM,
/// OPERATE_TYPE, OPERATE_DATE).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    pub row_id: String,
    #[serde(default)]
    pub operation: String,
    pub kind: String,
    pub stream: String,
    #[serde(default)]
    pub case_no: Option<String>,
    pub seq: u64,
    pub operate_time: String,
    pub payload: serde_json::Value,
    pub payload_sha256: String,
}

#[derive(Debug, Serialize)]
pub struct RowResult {
    pub row_id: String,
    pub batch_no: String,
    /// "1" synced, "2" failed (the national tables' SYNC_SIGN).
    pub sync_sign: &'static str,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_desc: Option<String>,
    pub sync_time: String,
}

#[derive(Debug, Serialize)]
struct BatchResponse {
    batch_no: String,
    received_at: String,
    results: Vec<RowResult>,
}

#[derive(Clone)]
struct App {
    store: Arc<Mutex<Store>>,
    config: Arc<SimConfig>,
    tsa: Arc<Tsa>,
    /// The enrollment desk's issuer key, and the workstation key each label enrolled with.
    desk: Option<Arc<ring::signature::Ed25519KeyPair>>,
    enrolled: Arc<Mutex<std::collections::HashMap<String, String>>>,
    /// The TSA switched by the test (`POST /_sim/tsa`): down, or slow, while the rest answers.
    tsa_switch: Arc<Mutex<TsaSwitch>>,
}

/// How the simulated TSA behaves (`POST /_sim/tsa {"down": bool, "delay_ms": n}`).
#[derive(Debug, Clone, Copy, Default, Deserialize)]
struct TsaSwitch {
    #[serde(default)]
    down: bool,
    #[serde(default)]
    delay_ms: u64,
}

/// The platform's RFC 3161 time-stamping authority: its own root (the trust bundle carries it
/// in `tsa_roots`) and a TSA certificate with the critical id-kp-timeStamping usage.
pub struct Tsa {
    pub root: Vec<u8>,
    authority: yc_seal::TimeStampAuthority,
}

impl Tsa {
    /// A fresh root and TSA key (per simulator start: a test double keeps no secrets).
    ///
    /// # Errors
    /// Key or certificate generation failed.
    // The far system's own clock dates its certificates.
    #[allow(clippy::disallowed_methods)]
    pub fn generate() -> Result<Self, yc_seal::SealError> {
        let now = chrono::Utc::now();
        let root_ca = yc_seal::SealAuthority::generate(
            "某市政务外网平台",
            now - chrono::Duration::days(1),
            now + chrono::Duration::days(365 * 20),
        )?;
        let key = yc_seal::generate_pkcs8()?;
        let cert = root_ca.issue_tsa_certificate(
            "某市政务外网时间戳服务（模拟）",
            &yc_seal::public_key_of(&key)?,
            now - chrono::Duration::days(1),
            now + chrono::Duration::days(365 * 15),
        )?;
        let root = root_ca.root_certificate().to_vec();
        let authority = yc_seal::TimeStampAuthority::from_pkcs8(&key, vec![cert, root.clone()])?;
        Ok(Self { root, authority })
    }
}

fn now() -> String {
    crate::beijing_now()
}

fn error(status: StatusCode, error_type: &str, message: &str) -> Response {
    (status, axum::Json(serde_json::json!({"error_type": error_type, "message": message}))).into_response()
}

/// Starts the city simulator on 127.0.0.1:`config.port` (0 = ephemeral).
pub async fn spawn(config: SimConfig) -> std::io::Result<(std::net::SocketAddr, SimHandle)> {
    let store = Store::load(config.faults.clone(), config.state_file.as_deref())?;
    let store = Arc::new(Mutex::new(store));
    let limit = config.max_body_bytes.unwrap_or(64 * 1024 * 1024);
    let tsa = Arc::new(Tsa::generate().map_err(std::io::Error::other)?);
    let desk = match &config.enrollment {
        Some(d) => Some(Arc::new(
            crate::enrollment::load_or_make_key(&d.key_file).map_err(|e| std::io::Error::other(e.to_string()))?,
        )),
        None => None,
    };
    let app = App {
        store: store.clone(),
        config: Arc::new(config.clone()),
        tsa: tsa.clone(),
        desk,
        enrolled: Arc::default(),
        tsa_switch: Arc::default(),
    };
    let router = Router::new()
        .route("/api/v1/items:batch", post(batch))
        .route("/api/v1/inbox", get(inbox))
        .route("/api/v1/inbox:ack", post(inbox_ack))
        .route("/api/v1/journal-heads", post(journal_head))
        .route("/api/v1/health", get(health))
        .route("/api/v1/tsa", post(timestamp))
        .route("/api/v1/tsa/root", get(tsa_root))
        .route("/api/v1/enrollments", post(enroll))
        .route("/_sim/stats", get(stats))
        .route("/_sim/sms", get(sms_sent))
        .route("/_sim/inbox", post(seed))
        .route("/_sim/tsa", post(switch_tsa))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(app);
    let (addr, task) = crate::serve(router, config.port).await?;
    Ok((addr, SimHandle { store, task, addr, tsa_root: Some(tsa.root.clone()) }))
}

/// RFC 3161 over HTTP (§3.4): `application/timestamp-query` in, `application/timestamp-reply`
/// out; a request the TSA cannot serve still gets a DER TimeStampResp with status rejection.
// The TSA's genTime is the far system's own clock.
#[allow(clippy::disallowed_methods)]
async fn timestamp(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    latency(&app).await;
    if !authorised(&app, &headers) {
        return error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "访问令牌无效或缺失");
    }
    let is_query = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/timestamp-query"));
    if !is_query {
        return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "BAD_REQUEST", "请求类型须为 application/timestamp-query");
    }
    let switch = app.tsa_switch.lock().map(|s| *s).unwrap_or_default();
    if switch.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(switch.delay_ms)).await;
    }
    if switch.down {
        return error(StatusCode::SERVICE_UNAVAILABLE, "UNAVAILABLE", "模拟：时间戳服务停机");
    }
    let fault = match app.store.lock() {
        Ok(mut store) => {
            let fault = store.faults.draw();
            store.stats.timestamps += 1;
            fault
        }
        Err(_) => return error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "模拟器状态锁损坏"),
    };
    match fault {
        Fault::Fail { .. } => error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "模拟：时间戳服务内部错误"),
        Fault::Drop { .. } => dropped(),
        _ => {
            let reply = app.tsa.authority.respond(&body, chrono::Utc::now());
            ([(header::CONTENT_TYPE, "application/timestamp-reply")], reply).into_response()
        }
    }
}

/// The TSA's root certificate (DER), for the seal authority to carry in its trust bundle.
async fn tsa_root(State(app): State<App>) -> Response {
    ([(header::CONTENT_TYPE, "application/pkix-cert")], app.tsa.root.clone()).into_response()
}

fn authorised(app: &App, headers: &HeaderMap) -> bool {
    let Some(token) = &app.config.token else { return true };
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t == token)
}

async fn latency(app: &App) {
    let ms = app.config.faults.latency_ms;
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

/// A 200 whose body breaks off: the client sees the connection reset mid-read.
fn dropped() -> Response {
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        vec![Ok(Bytes::from_static(b"{\"batch_no\":\"")), Err(std::io::Error::other("simulated connection drop"))];
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

async fn batch(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    latency(&app).await;
    if !authorised(&app, &headers) {
        return error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "访问令牌无效或缺失");
    }
    let req: BatchRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, "BAD_REQUEST", &format!("请求体无法解析：{e}")),
    };
    if req.rows.len() > MAX_ROWS_PER_BATCH {
        return error(StatusCode::PAYLOAD_TOO_LARGE, "BATCH_TOO_LARGE", &format!("每批最多 {MAX_ROWS_PER_BATCH} 行"));
    }
    let (fault, results) = {
        let Ok(mut store) = app.store.lock() else {
            return error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "模拟器状态锁损坏");
        };
        let fault = store.faults.draw();
        let store_it = !matches!(fault, Fault::Fail { after_store: false } | Fault::Drop { after_store: false });
        match fault {
            Fault::Fail { .. } => store.stats.faults.failed += 1,
            Fault::Drop { .. } => store.stats.faults.dropped += 1,
            Fault::DupAck => store.stats.faults.dup_acked += 1,
            Fault::Malformed => store.stats.faults.malformed += 1,
            Fault::None => {}
        }
        let mut results = Vec::new();
        if store_it {
            store.stats.batches += 1;
            let t = now();
            for row in &req.rows {
                let r = apply_row(&mut store, &req, row, &t);
                results.push(r);
            }
            if let Some(path) = &app.config.state_file
                && let Err(e) = store.save(path)
            {
                return error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", &e.to_string());
            }
        }
        (fault, results)
    };
    match fault {
        Fault::Fail { .. } => error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "模拟：平台内部错误"),
        Fault::Drop { .. } => dropped(),
        Fault::Malformed => {
            let full = serde_json::to_string(&BatchResponse { batch_no: req.batch_no, received_at: now(), results })
                .unwrap_or_default();
            let cut = full.len() / 2;
            let cut = (0..=cut).rev().find(|i| full.is_char_boundary(*i)).unwrap_or(0);
            ([(header::CONTENT_TYPE, "application/json")], full[..cut].to_string()).into_response()
        }
        Fault::DupAck | Fault::None => {
            let results = if fault == Fault::DupAck {
                results.into_iter().flat_map(|r| [r.clone_row(), r]).collect()
            } else {
                results
            };
            axum::Json(BatchResponse { batch_no: req.batch_no, received_at: now(), results }).into_response()
        }
    }
}

impl RowResult {
    fn clone_row(&self) -> Self {
        Self {
            row_id: self.row_id.clone(),
            batch_no: self.batch_no.clone(),
            sync_sign: self.sync_sign,
            status: self.status,
            error_type: self.error_type,
            error_desc: self.error_desc.clone(),
            sync_time: self.sync_time.clone(),
        }
    }
}

fn apply_row(store: &mut Store, req: &BatchRequest, row: &Row, t: &str) -> RowResult {
    let mk = |status: &'static str, et: Option<&'static str>, desc: Option<String>| RowResult {
        row_id: row.row_id.clone(),
        batch_no: req.batch_no.clone(),
        sync_sign: if status == "rejected" { "2" } else { "1" },
        status,
        error_type: et,
        error_desc: desc,
        sync_time: t.to_string(),
    };
    if row.row_id.trim().is_empty() || row.kind.trim().is_empty() {
        return mk("rejected", Some("VALIDATION"), Some("row_id 与 kind 不能为空".into()));
    }
    // The SMS gateway refuses a text it cannot send before anything is kept.
    let sms = if crate::sms::is_sms(&row.stream, &row.kind) {
        match crate::sms::read(&req.source, &row.row_id, row.case_no.as_deref(), &row.payload, t) {
            Ok(s) => Some(s),
            Err(why) => return mk("rejected", Some("VALIDATION"), Some(why)),
        }
    } else {
        None
    };
    let computed = yc_adapter_sdk::payload_sha256(&row.payload);
    let value = serde_json::to_value(row).unwrap_or_default();
    let incoming = Incoming {
        source: &req.source,
        key: &row.row_id,
        case_no: row.case_no.clone(),
        seq: row.seq,
        declared_sha256: &row.payload_sha256,
        computed_sha256: &computed,
        row: value,
    };
    match store.offer(incoming) {
        Offer::Accepted => {
            // Sent once: only the first time the notice's key is held.
            if let Some(s) = sms {
                store.sms.push(s);
                store.stats.sms_sent += 1;
            }
            mk("accepted", None, None)
        }
        Offer::Duplicate => {
            if sms.is_some() {
                store.stats.sms_repeats += 1;
            }
            mk("duplicate", None, None)
        }
        Offer::Conflict { held } => mk(
            "rejected",
            Some("IDEMPOTENCY_CONFLICT"),
            Some(format!("同一 row_id 已以不同内容提交（已存摘要 {held}）")),
        ),
        Offer::HashMismatch { computed } => {
            mk("rejected", Some("HASH_MISMATCH"), Some(format!("payload_sha256 与内容不符（计算值 {computed}）")))
        }
    }
}

/// `POST /api/v1/journal-heads`: witness a workstation's journal head (crate::heads). 200 with a
/// signed receipt; 409 `JOURNAL_FORK` when the history disagrees with a head signed for before.
async fn journal_head(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    latency(&app).await;
    if !authorised(&app, &headers) {
        return error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "访问令牌无效或缺失");
    }
    let proof: yc_adapter_sdk::HeadProof = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => return error(StatusCode::BAD_REQUEST, "BAD_REQUEST", &format!("请求体无法解析：{e}")),
    };
    let Ok(mut store) = app.store.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "模拟器状态锁损坏");
    };
    match store.witness(&proof, &now()) {
        Ok(receipt) => {
            if let Some(path) = &app.config.state_file
                && let Err(e) = store.save(path)
            {
                return error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", &e.to_string());
            }
            axum::Json(receipt).into_response()
        }
        Err(r) => {
            let status = match r.error_type {
                "JOURNAL_FORK" | "JOURNAL_SIGNATURE" | "WORKSTATION_KEY" | "UNKNOWN_HEAD" => StatusCode::CONFLICT,
                _ => StatusCode::BAD_REQUEST,
            };
            error(status, r.error_type, &r.message)
        }
    }
}

#[derive(Debug, Deserialize)]
struct InboxQuery {
    stream: String,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
}

async fn inbox(State(app): State<App>, headers: HeaderMap, Query(q): Query<InboxQuery>) -> Response {
    latency(&app).await;
    if !authorised(&app, &headers) {
        return error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "访问令牌无效或缺失");
    }
    let offset = match q.cursor.as_deref() {
        None | Some("") => 0,
        Some(c) => match c.strip_prefix("o:").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n,
            None => return error(StatusCode::BAD_REQUEST, "BAD_CURSOR", "游标格式错误"),
        },
    };
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let Ok(store) = app.store.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "模拟器状态锁损坏");
    };
    let (items, next) = store.inbox_page(&q.stream, offset, limit);
    axum::Json(serde_json::json!({"items": items, "next_cursor": format!("o:{next}")})).into_response()
}

#[derive(Debug, Deserialize)]
struct AckBody {
    stream: String,
    cursor: String,
}

async fn inbox_ack(State(app): State<App>, headers: HeaderMap, axum::Json(body): axum::Json<AckBody>) -> Response {
    if !authorised(&app, &headers) {
        return error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "访问令牌无效或缺失");
    }
    if let Ok(mut store) = app.store.lock() {
        store.inbox_acked.insert(body.stream, body.cursor);
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `POST /api/v1/enrollments`: a signed enrollment request in, the signed reply out (200). 404
/// when this simulator runs without an enrollment desk, 400 `BAD_REQUEST` for a request whose
/// signature or shape is wrong, 409 `KEY_CONFLICT` when the workstation code is enrolled with
/// another key (a second machine claiming the same code).
async fn enroll(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    latency(&app).await;
    if !authorised(&app, &headers) {
        return error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "访问令牌无效或缺失");
    }
    let (Some(desk), Some(key)) = (&app.config.enrollment, &app.desk) else {
        return error(StatusCode::NOT_FOUND, "NOT_FOUND", "本平台未开放工作站注册");
    };
    let (signed, req) = match crate::enrollment::check_request(&body) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, "BAD_REQUEST", &e.to_string()),
    };
    {
        let Ok(mut enrolled) = app.enrolled.lock() else {
            return error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "模拟器状态锁损坏");
        };
        let held = enrolled.entry(req.label()).or_insert_with(|| req.public_key.clone());
        if *held != req.public_key {
            return error(
                StatusCode::CONFLICT,
                "KEY_CONFLICT",
                &format!("工作站 {} 已由另一台电脑（另一把密钥）注册，请联系市级平台管理员", req.label()),
            );
        }
    }
    let base = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map_or_else(|| "http://127.0.0.1".to_owned(), |h| format!("http://{h}"));
    match crate::enrollment::reply(desk, key, &signed, &req, &base, &now()) {
        Ok(r) => ([(header::CONTENT_TYPE, "application/json")], r.to_bytes()).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", &e.to_string()),
    }
}

async fn health(State(app): State<App>) -> Response {
    latency(&app).await;
    axum::Json(serde_json::json!({"status": "ok", "time": now(), "simulator": true})).into_response()
}

async fn stats(State(app): State<App>) -> Response {
    match app.store.lock() {
        Ok(s) => axum::Json(s.stats.clone()).into_response(),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "模拟器状态锁损坏"),
    }
}

/// `GET /_sim/sms`: what the SMS gateway sent, numbers masked (tests count each notice here).
async fn sms_sent(State(app): State<App>) -> Response {
    match app.store.lock() {
        Ok(s) => axum::Json(serde_json::json!({"sent": s.sms, "repeats": s.stats.sms_repeats})).into_response(),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "模拟器状态锁损坏"),
    }
}

#[derive(Debug, Deserialize)]
struct SeedBody {
    stream: String,
    items: Vec<serde_json::Value>,
}

/// Test control: take the TSA down or slow it, the rest of the platform unchanged.
async fn switch_tsa(State(app): State<App>, axum::Json(body): axum::Json<TsaSwitch>) -> Response {
    if let Ok(mut s) = app.tsa_switch.lock() {
        *s = body;
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn seed(State(app): State<App>, axum::Json(body): axum::Json<SeedBody>) -> Response {
    if let Ok(mut s) = app.store.lock() {
        s.seed_inbox(&body.stream, body.items);
    }
    StatusCode::NO_CONTENT.into_response()
}
