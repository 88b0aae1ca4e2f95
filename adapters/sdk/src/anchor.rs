//! Anchored journal heads (docs/adapter-protocol.md §6): the workstation shows a far side its
//! journal head together with the events since the last head that far side signed for; the far
//! side re-chains them with its own implementation of the chain formula, refuses a head that does
//! not extend every head it has seen (a fork: history rewritten after it was reported), and
//! answers with a signed receipt the workstation keeps. Certificate Transparency's consistency
//! check, over a linear hash chain instead of a Merkle tree.
//!
//! The messages signed here are fixed byte strings, so an adapter or far system written in any
//! language builds the same bytes.

use ring::signature::{ED25519, UnparsedPublicKey};
use serde::{Deserialize, Serialize};

/// Domain tag of the workstation's signature over a head.
pub const HEAD_DOMAIN: &str = "yc-journal-head-v1";
/// Domain tag of a far side's signature over a receipt.
pub const RECEIPT_DOMAIN: &str = "yc-head-receipt-v1";
/// Most events one `anchor` call carries; a longer stretch goes in several calls, each
/// extending the receipt of the one before.
pub const MAX_EVENTS_PER_ANCHOR: usize = 2000;

/// One journal event exactly as it was hashed: every field of the chain formula (docs/journal-
/// signing.md), `payload` as the stored JSON text (not re-serialised: the bytes are hashed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainEvent {
    pub seq: i64,
    pub id: String,
    #[serde(default)]
    pub case_no: Option<String>,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub at: String,
    pub payload: String,
    #[serde(default)]
    pub reason: Option<String>,
    /// The hash the workstation holds for this event (hex); the far side recomputes it.
    pub hash: String,
}

/// What the host hands an adapter to anchor: the stretch of the journal from the last head this
/// far side signed for (`from_seq`/`from_hash`; 0 and 64 zeros for the beginning) to the head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadProof {
    pub workstation: String,
    pub from_seq: i64,
    pub from_hash: String,
    /// Events `from_seq + 1 ..= seq`, in order, at most [`MAX_EVENTS_PER_ANCHOR`].
    pub events: Vec<ChainEvent>,
    pub seq: i64,
    pub hash: String,
    /// The workstation key (Ed25519, hex) and its signature over [`head_message`] (hex). The key
    /// is also in the journal's `workstation.key` event, so a far side that re-chained from the
    /// beginning knows it is the workstation's own.
    pub public_key: String,
    pub signature: String,
}

/// A far side's signed word that it saw `hash` as the head at `seq` of `workstation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadReceipt {
    /// Who signs (the city platform's id).
    pub far_side: String,
    pub workstation: String,
    pub seq: i64,
    pub hash: String,
    /// When the far side received it (its own clock, RFC 3339).
    pub received_at: String,
    /// The far side's Ed25519 public key (hex) and its signature over [`receipt_message`] (hex).
    pub public_key: String,
    pub signature: String,
}

/// The bytes the workstation signs for a head.
pub fn head_message(workstation: &str, seq: i64, hash: &str) -> Vec<u8> {
    format!("{HEAD_DOMAIN}\n{workstation}\n{seq}\n{hash}").into_bytes()
}

/// The bytes a far side signs for a receipt.
pub fn receipt_message(r: &HeadReceipt) -> Vec<u8> {
    format!("{RECEIPT_DOMAIN}\n{}\n{}\n{}\n{}\n{}", r.far_side, r.workstation, r.seq, r.hash, r.received_at)
        .into_bytes()
}

/// Checks an Ed25519 signature given as hex over `msg` under a hex public key.
pub fn verify_hex(public_key: &str, msg: &[u8], signature: &str) -> bool {
    let (Some(pk), Some(sig)) = (unhex(public_key), unhex(signature)) else { return false };
    UnparsedPublicKey::new(&ED25519, pk).verify(msg, &sig).is_ok()
}

impl HeadReceipt {
    /// The receipt's signature is good under its own key (whether that key is the one pinned
    /// for this far side is the host's question).
    pub fn signature_ok(&self) -> bool {
        verify_hex(&self.public_key, &receipt_message(self), &self.signature)
    }
}

impl HeadProof {
    /// The workstation's signature over the head is good under `public_key`.
    pub fn signature_ok(&self) -> bool {
        verify_hex(&self.public_key, &head_message(&self.workstation, self.seq, &self.hash), &self.signature)
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{Ed25519KeyPair, KeyPair};

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn a_receipt_verifies_only_as_signed() {
        let rng = SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let kp = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let mut r = HeadReceipt {
            far_side: "city".into(),
            workstation: "ws".into(),
            seq: 7,
            hash: "ab".repeat(32),
            received_at: "2026-12-03T10:00:00+08:00".into(),
            public_key: hex(kp.public_key().as_ref()),
            signature: String::new(),
        };
        r.signature = hex(kp.sign(&receipt_message(&r)).as_ref());
        assert!(r.signature_ok());
        let mut moved = r.clone();
        moved.seq = 8;
        assert!(!moved.signature_ok(), "a receipt moved to another seq must not verify");
        let mut odd = r.clone();
        odd.signature.pop();
        assert!(!odd.signature_ok());
    }
}
