//! Shared HTTP plumbing: client construction (rustls, optional client certificate), bounded body
//! reads, and mapping transport / status failures to error classes.

use std::path::Path;
use std::time::Duration;

use yc_adapter_sdk::{AdapterError, ErrorClass, Origin};

pub(crate) struct ClientOptions<'a> {
    pub base_url: &'a str,
    pub client_cert_pem: Option<&'a Path>,
    pub ca_pem: Option<&'a Path>,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

/// Cleartext HTTP only to loopback (simulators, a local gateway); anything else must be HTTPS.
pub(crate) fn check_url(url: &str) -> Result<reqwest::Url, AdapterError> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| AdapterError::auth(Origin::Adapter, format!("对端地址格式错误：{url}"), e.to_string()))?;
    let loopback = matches!(parsed.host(), Some(url::Host::Domain("localhost")))
        || matches!(parsed.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
        || matches!(parsed.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback());
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if loopback => Ok(parsed),
        _ => Err(AdapterError::auth(
            Origin::Adapter,
            format!("对端地址必须使用 HTTPS（仅本机回环地址允许 HTTP）：{url}"),
            "",
        )),
    }
}

pub(crate) fn build_client(opts: &ClientOptions<'_>) -> Result<reqwest::Client, AdapterError> {
    check_url(opts.base_url)?;
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(opts.connect_timeout)
        .timeout(opts.request_timeout)
        .pool_max_idle_per_host(4)
        .no_proxy();
    if let Some(path) = opts.client_cert_pem {
        let pem = std::fs::read(path).map_err(|e| {
            AdapterError::auth(Origin::Adapter, format!("无法读取客户端证书文件 {}", path.display()), e.to_string())
        })?;
        let identity = reqwest::Identity::from_pem(&pem).map_err(|e| {
            AdapterError::auth(
                Origin::Adapter,
                format!("客户端证书文件 {} 无效（应含 PEM 证书链和私钥）", path.display()),
                e.to_string(),
            )
        })?;
        builder = builder.identity(identity);
    }
    if let Some(path) = opts.ca_pem {
        let pem = std::fs::read(path).map_err(|e| {
            AdapterError::auth(Origin::Adapter, format!("无法读取根证书文件 {}", path.display()), e.to_string())
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            AdapterError::auth(Origin::Adapter, format!("根证书文件 {} 无效", path.display()), e.to_string())
        })?;
        for c in certs {
            builder = builder.add_root_certificate(c);
        }
    }
    builder.build().map_err(|e| AdapterError::auth(Origin::Adapter, "无法建立 HTTPS 客户端", e.to_string()))
}

/// Maps a reqwest failure (no HTTP status) to a class: the link is down or slow, back off.
pub(crate) fn transport_error(what: &str, e: &reqwest::Error) -> AdapterError {
    let message = if e.is_timeout() {
        format!("{what}超时")
    } else if e.is_connect() {
        format!("{what}：无法连接对端")
    } else if e.is_body() || e.is_decode() {
        format!("{what}：读取应答时连接中断")
    } else {
        format!("{what}：网络错误")
    };
    AdapterError::retryable(Origin::Transport, message, format!("{e:?}"))
}

/// Maps a non-success HTTP status to a class and origin.
pub(crate) fn status_error(what: &str, status: reqwest::StatusCode, body: &str) -> AdapterError {
    let detail = format!("HTTP {status}: {}", body.chars().take(1000).collect::<String>());
    let code = status.as_u16();
    let (class, origin, msg) = match code {
        401 | 403 => (ErrorClass::Auth, Origin::FarSystem, "对端拒绝访问（凭据或证书无效），需管理员处理"),
        407 => (ErrorClass::Auth, Origin::Gateway, "网关要求代理认证，需管理员处理"),
        408 | 429 => (ErrorClass::Retryable, Origin::FarSystem, "对端繁忙，稍后重试"),
        413 => (ErrorClass::Permanent, Origin::FarSystem, "请求过大，对端拒收"),
        502..=504 => (ErrorClass::Retryable, Origin::Gateway, "网关或前置机暂时不可用"),
        500..=599 => (ErrorClass::Retryable, Origin::FarSystem, "对端系统内部错误"),
        _ => (ErrorClass::Permanent, Origin::FarSystem, "对端拒绝了请求"),
    };
    AdapterError::new(class, origin, format!("{what}：{msg}（HTTP {code}）"), detail)
}

/// Reads a response body, refusing more than `max` bytes (a hostile or broken peer must not
/// exhaust memory).
pub(crate) async fn read_limited(what: &str, mut resp: reqwest::Response, max: usize) -> Result<Vec<u8>, AdapterError> {
    if resp.content_length().is_some_and(|n| n > max as u64) {
        return Err(AdapterError::retryable(
            Origin::FarSystem,
            format!("{what}：应答超过上限 {max} 字节，已拒收"),
            format!("Content-Length {:?}", resp.content_length()),
        ));
    }
    let mut out = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if out.len() + chunk.len() > max {
                    return Err(AdapterError::retryable(
                        Origin::FarSystem,
                        format!("{what}：应答超过上限 {max} 字节，已拒收"),
                        "",
                    ));
                }
                out.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(out),
            Err(e) => return Err(transport_error(what, &e)),
        }
    }
}

/// Folds one request's result into a push made of several requests. The first failure before
/// anything was confirmed fails the whole push; a later one ends it early (returns `false`), the
/// remaining items staying unconfirmed, in order, for the next run.
pub(crate) fn merge_chunk(
    total: &mut yc_adapter_sdk::PushReport,
    chunk: Result<yc_adapter_sdk::PushReport, AdapterError>,
) -> Result<bool, AdapterError> {
    match chunk {
        Ok(r) => {
            total.acked.extend(r.acked);
            total.rejected.extend(r.rejected);
            Ok(true)
        }
        Err(e) if total.acked.is_empty() && total.rejected.is_empty() => Err(e),
        Err(e) => {
            tracing::warn!("push stopped after a failed batch: {e}");
            Ok(false)
        }
    }
}
