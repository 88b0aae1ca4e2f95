//! The out-of-process protocol: JSON lines over stdio (docs/adapter-protocol.md).
//!
//! Framing is on `\n` only: JSON strings may hold U+2028/U+2029 and Chinese text, so a reader
//! that splits on Unicode line separators breaks (LSP, Airbyte lessons). stdout carries protocol
//! messages only; stderr carries logs. Unknown message types and unknown fields are ignored
//! (Airbyte consumers crashed on a new TRACE type).

use serde::{Deserialize, Serialize};

use crate::error::{ErrorClass, Origin};
use crate::item::{Capabilities, HealthStatus, InItem, OutItem, Rejection};

/// Version of this protocol. A different major version in the adapter's `hello` reply is a
/// readable error, not a guess.
pub const PROTOCOL_VERSION: u32 = 1;

/// Longest line the host accepts from an adapter (a runaway adapter must not exhaust memory).
pub const MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

/// Host → adapter requests. Each carries a request id the reply echoes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    Hello {
        id: u64,
        protocol_version: u32,
        host: HostInfo,
        /// The adapter's settings, secrets included: sent on stdin, never on the command line
        /// (visible in `ps`) and never logged.
        config: serde_json::Value,
    },
    Push {
        id: u64,
        items: Vec<OutItem>,
    },
    Pull {
        id: u64,
        stream: String,
        cursor: Option<String>,
        max: usize,
    },
    Ack {
        id: u64,
        stream: String,
        cursor: String,
    },
    /// Anchor the journal head (docs/adapter-protocol.md §6); only if `hello` announced `anchor`.
    Anchor {
        id: u64,
        proof: crate::anchor::HeadProof,
    },
    /// RFC 3161 through the far side's TSA (docs/adapter-protocol.md §7); only if `hello`
    /// announced `timestamp`. `request`: the DER TimeStampReq, base64 (standard, padded).
    Timestamp {
        id: u64,
        request: String,
    },
    Health {
        id: u64,
    },
    Shutdown {
        id: u64,
    },
}

impl Request {
    pub fn id(&self) -> u64 {
        match self {
            Self::Hello { id, .. }
            | Self::Push { id, .. }
            | Self::Pull { id, .. }
            | Self::Ack { id, .. }
            | Self::Anchor { id, .. }
            | Self::Timestamp { id, .. }
            | Self::Health { id }
            | Self::Shutdown { id } => *id,
        }
    }
    /// The `type` a successful reply carries.
    pub fn reply_type(&self) -> &'static str {
        match self {
            Self::Hello { .. } => "hello",
            Self::Push { .. } => "push_result",
            Self::Pull { .. } => "pull_result",
            Self::Ack { .. } => "ack_result",
            Self::Anchor { .. } => "anchor_result",
            Self::Timestamp { .. } => "timestamp_result",
            Self::Health { .. } => "health_result",
            Self::Shutdown { .. } => "shutdown_result",
        }
    }
    pub fn name(&self) -> &'static str {
        match self {
            Self::Hello { .. } => "hello",
            Self::Push { .. } => "push",
            Self::Pull { .. } => "pull",
            Self::Ack { .. } => "ack",
            Self::Anchor { .. } => "anchor",
            Self::Timestamp { .. } => "timestamp",
            Self::Health { .. } => "health",
            Self::Shutdown { .. } => "shutdown",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HostInfo {
    pub name: String,
    pub version: String,
}

/// Adapter → host: reply to `hello`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HelloReply {
    pub id: u64,
    pub protocol_version: u32,
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub capabilities: Capabilities,
    #[serde(default)]
    pub streams: Vec<String>,
    #[serde(default)]
    pub config_schema: serde_json::Value,
}

/// Adapter → host: reply to `push`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushReply {
    pub id: u64,
    #[serde(default)]
    pub acked: Vec<String>,
    #[serde(default)]
    pub rejected: Vec<Rejection>,
}

/// Adapter → host: reply to `pull`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PullReply {
    pub id: u64,
    #[serde(default)]
    pub items: Vec<InItem>,
    #[serde(default)]
    pub next_cursor: Option<String>,
    #[serde(default)]
    pub rejected: Vec<crate::item::PullRejection>,
}

/// Adapter → host: reply to `anchor`: the far side's signed receipt (`receipt`), or for a far side
/// that answers later `pending` with the receipts of earlier proofs (`receipts`), docs/adapter-
/// protocol.md §6.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnchorReply {
    pub id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<crate::anchor::HeadReceipt>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receipts: Vec<crate::anchor::HeadReceipt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
}

impl AnchorReply {
    /// The wire form of an answer: a lone receipt as `receipt` (what every host since protocol 1
    /// reads), anything else as `receipts` + `pending`.
    pub fn new(id: u64, answer: crate::anchor::AnchorAnswer) -> Self {
        let crate::anchor::AnchorAnswer { mut receipts, pending } = answer;
        if pending.is_none() && receipts.len() == 1 {
            return Self { id, receipt: receipts.pop(), receipts, pending };
        }
        Self { id, receipt: None, receipts, pending }
    }

    /// The answer, or `None` for a reply that neither signs nor says it is pending.
    pub fn into_answer(self) -> Option<crate::anchor::AnchorAnswer> {
        let mut receipts: Vec<_> = self.receipt.into_iter().collect();
        receipts.extend(self.receipts);
        if receipts.is_empty() && self.pending.is_none() {
            return None;
        }
        Some(crate::anchor::AnchorAnswer { receipts, pending: self.pending })
    }
}

/// Adapter → host: reply to `timestamp`: the TSA's DER TimeStampResp, base64, as received
/// (a rejection by the TSA is a TimeStampResp too, with its status; the host reads it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimestampReply {
    pub id: u64,
    pub response: String,
}

/// DER ↔ the protocol's base64 (standard alphabet, padded).
pub fn der_to_wire(der: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(der)
}

/// The DER a `timestamp` message carries; `None` when it is not base64.
pub fn der_from_wire(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(text.trim()).ok()
}

/// Adapter → host: reply to `health`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HealthReply {
    pub id: u64,
    pub status: HealthStatus,
    #[serde(default)]
    pub message: String,
}

/// Adapter → host: the request failed as a whole.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorReply {
    pub id: u64,
    pub class: ErrorClass,
    #[serde(default = "default_origin")]
    pub origin: Origin,
    pub message: String,
    #[serde(default)]
    pub detail: String,
}

fn default_origin() -> Origin {
    Origin::FarSystem
}

/// The envelope every adapter message is read through first: only `type` and `id` matter here;
/// everything else is parsed once the type is known, and unknown fields are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub id: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anchor::{AnchorAnswer, HeadReceipt};

    fn receipt(seq: i64) -> HeadReceipt {
        HeadReceipt {
            far_side: "city".into(),
            workstation: "ws".into(),
            seq,
            hash: "ab".repeat(32),
            received_at: "2026-12-03T10:00:00+08:00".into(),
            public_key: "cd".repeat(32),
            signature: "ef".repeat(64),
            signatures_checked: false,
        }
    }

    #[test]
    fn an_anchor_reply_keeps_the_protocol_1_shape_for_a_lone_receipt_and_says_pending_otherwise() {
        let lone = serde_json::to_value(AnchorReply::new(3, AnchorAnswer::signed(receipt(7)))).unwrap();
        assert_eq!(lone["receipt"]["seq"], 7, "{lone}");
        assert!(lone.get("receipts").is_none() && lone.get("pending").is_none(), "{lone}");
        // What an adapter written against protocol 1 sends still reads as a signed answer.
        let old: AnchorReply = serde_json::from_value(serde_json::json!({"id": 3, "receipt": receipt(7)})).unwrap();
        assert_eq!(old.into_answer(), Some(AnchorAnswer::signed(receipt(7))));

        let later = AnchorAnswer { receipts: vec![receipt(4), receipt(6)], pending: Some("待对端回执".into()) };
        let wire = serde_json::to_string(&AnchorReply::new(4, later.clone())).unwrap();
        let back: AnchorReply = serde_json::from_str(&wire).unwrap();
        assert_eq!(back.into_answer(), Some(later));

        // Neither a receipt nor pending: not an answer (the host reports the adapter).
        let empty: AnchorReply = serde_json::from_value(serde_json::json!({"id": 5})).unwrap();
        assert_eq!(empty.into_answer(), None);
    }
}
