//! Errors that tell the host what to do, in words staff can read.

use serde::{Deserialize, Serialize};

/// What the host does with a failure (Airbyte / X-Road error classes).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// Transient (network down, far side busy): back off and retry; the item stays queued.
    Retryable,
    /// The far side will never take this item as it is: quarantine it, show it to staff.
    Permanent,
    /// Configuration / credentials: an operator must act before anything is retried.
    Auth,
}

impl ErrorClass {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Retryable => "暂时性错误（稍后重试）",
            Self::Permanent => "永久性错误（隔离该条）",
            Self::Auth => "配置或凭据错误（需管理员处理）",
        }
    }
}

/// Where a failure came from (X-Road: transport, gateway, far system).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The link: DNS, TCP, TLS, timeouts, a dropped connection.
    Transport,
    /// A proxy / front-end exchange / gateway between us and the far system.
    Gateway,
    /// The far business system itself.
    FarSystem,
    /// The adapter (its process, its protocol messages, its configuration).
    Adapter,
}

impl Origin {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Transport => "传输链路",
            Self::Gateway => "网关/前置交换",
            Self::FarSystem => "对端业务系统",
            Self::Adapter => "适配器",
        }
    }
}

/// A failed adapter call (whole batch / whole request; per-item outcomes are in
/// [`crate::PushReport`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[error("{message}（{origin_zh}，{class_zh}）", origin_zh = origin.label_zh(), class_zh = class.label_zh())]
pub struct AdapterError {
    pub class: ErrorClass,
    pub origin: Origin,
    /// Chinese text for staff.
    pub message: String,
    /// Internal detail for IT staff and logs (HTTP status, fault codes, the offending line).
    #[serde(default)]
    pub detail: String,
}

impl AdapterError {
    pub fn new(class: ErrorClass, origin: Origin, message: impl Into<String>, detail: impl Into<String>) -> Self {
        Self { class, origin, message: message.into(), detail: detail.into() }
    }
    pub fn retryable(origin: Origin, message: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(ErrorClass::Retryable, origin, message, detail)
    }
    pub fn permanent(origin: Origin, message: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(ErrorClass::Permanent, origin, message, detail)
    }
    pub fn auth(origin: Origin, message: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(ErrorClass::Auth, origin, message, detail)
    }
}
