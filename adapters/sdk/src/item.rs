//! The items that travel between the workstation and far systems, and per-call reports.

use serde::{Deserialize, Serialize};

use crate::error::ErrorClass;

/// One outgoing item from the workstation's outbox.
///
/// Nothing local is dropped until the far side acknowledges `key` (offline-first lesson); the far
/// side dedupes on (source, `key`) and keeps `payload_sha256`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutItem {
    /// Idempotency key, unique per workstation and never reused for another payload.
    pub key: String,
    /// Logical stream: `cases` or `replies` from the workstation (`supervision`, `evaluations`
    /// reserved); the list is `yc_core::sync::contract::Stream` (docs/adapter-protocol.md §3.8).
    pub stream: String,
    /// The case (办件编号) this item concerns, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_no: Option<String>,
    /// Per-case order (1, 2, 3 …); far sides apply a case's items in this order.
    pub seq: u64,
    /// From the workstation: `case.<action>` (`case.file`, `case.accept` …), `document.sealed`,
    /// `case.status`; the list is `yc_core::sync::contract::ItemKind` (docs/adapter-protocol.md §3.8).
    pub kind: String,
    /// RFC 3339 with the +08:00 offset (Beijing time), e.g. `2026-11-23T09:30:00+08:00`.
    pub occurred_at: String,
    pub payload: serde_json::Value,
    /// Lower-case hex SHA-256 of the canonical payload ([`crate::payload_sha256`]).
    pub payload_sha256: String,
}

impl OutItem {
    /// Builds an item and computes its payload hash.
    pub fn new(
        key: impl Into<String>,
        stream: impl Into<String>,
        case_no: Option<String>,
        seq: u64,
        kind: impl Into<String>,
        occurred_at: impl Into<String>,
        payload: serde_json::Value,
    ) -> Self {
        let payload_sha256 = crate::hash::payload_sha256(&payload);
        Self {
            key: key.into(),
            stream: stream.into(),
            case_no,
            seq,
            kind: kind.into(),
            occurred_at: occurred_at.into(),
            payload,
            payload_sha256,
        }
    }

    /// True when `payload_sha256` matches the payload.
    pub fn hash_matches(&self) -> bool {
        crate::hash::payload_sha256(&self.payload) == self.payload_sha256
    }
}

/// One incoming item: an online application, a department's opinion or decision, a catalog
/// version, a trust bundle, a calendar update …
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InItem {
    /// The far side's unique id for the item; the host dedupes on (adapter, stream, key).
    pub key: String,
    pub stream: String,
    /// `application.online`, `opinion`, `decision`, `catalog.version`, `trust.bundle`,
    /// `calendar.update` …
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<String>,
    pub payload: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_sha256: Option<String>,
    /// Who sent it (department code, workstation id), when the far side says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// What an adapter can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Capabilities {
    #[serde(default)]
    pub push: bool,
    #[serde(default)]
    pub pull: bool,
    #[serde(default)]
    pub health: bool,
    /// The far side keeps journal heads and signs receipts (`anchor`, docs/adapter-protocol.md §6).
    #[serde(default)]
    pub anchor: bool,
    /// The far side runs an RFC 3161 time-stamping authority (`timestamp`,
    /// docs/adapter-protocol.md §7): the host stamps sealed documents through it.
    #[serde(default)]
    pub timestamp: bool,
}

/// The adapter's answer to `hello` (LSP `initialize`, go-plugin's version line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handshake {
    pub protocol_version: u32,
    pub name: String,
    pub version: String,
    pub capabilities: Capabilities,
    /// Streams this adapter serves.
    #[serde(default)]
    pub streams: Vec<String>,
    /// JSON Schema of the adapter's settings; secret fields carry `"secret": true` so hosts
    /// never log or display them.
    #[serde(default)]
    pub config_schema: serde_json::Value,
}

impl Handshake {
    /// Names of settings marked `"secret": true` in `config_schema.properties`.
    pub fn secret_settings(&self) -> Vec<String> {
        let Some(props) = self.config_schema.get("properties").and_then(|p| p.as_object()) else {
            return Vec::new();
        };
        props
            .iter()
            .filter(|(_, v)| v.get("secret").and_then(serde_json::Value::as_bool) == Some(true))
            .map(|(k, _)| k.clone())
            .collect()
    }
}

/// Per-item outcome of a push. Every key of the batch is in exactly one of the two lists;
/// a key in neither is unconfirmed and stays in the outbox.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PushReport {
    /// Keys the far side holds (including "already held with the same payload").
    #[serde(default)]
    pub acked: Vec<String>,
    #[serde(default)]
    pub rejected: Vec<Rejection>,
}

/// One rejected item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejection {
    pub key: String,
    pub class: ErrorClass,
    /// Chinese text for staff.
    pub message: String,
    /// Internal detail (far side's error type, codes) for IT staff.
    #[serde(default)]
    pub detail: String,
}

/// One page of a pull.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PullPage {
    #[serde(default)]
    pub items: Vec<InItem>,
    /// Where the next pull starts. The host saves it only after it has stored `items`
    /// (targets that saved state before flushing lost data). `None`: cursor unchanged.
    #[serde(default)]
    pub next_cursor: Option<String>,
    /// Incoming units the adapter refused (tampered or replayed packets, undecodable rows);
    /// they are set aside, never silently dropped, and do not block the rest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<PullRejection>,
}

/// An incoming unit the adapter refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRejection {
    /// What was refused (packet directory, row id).
    pub source: String,
    pub class: ErrorClass,
    pub message: String,
    #[serde(default)]
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Ok,
    Degraded,
    Down,
}

/// Result of a health probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub status: HealthStatus,
    #[serde(default)]
    pub message: String,
}
