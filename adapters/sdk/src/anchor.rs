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
/// Domain tag of a journal signature (the workstation's `signing::message`): a far side that checks
/// the signatures of the stretch it witnesses builds these bytes.
pub const SIGNATURE_DOMAIN: &str = "yc-journal-signature-v1";
/// Events announcing a signing key (their payload has `key_id` and `public_key`).
pub const KEY_EVENTS: &[&str] = &["staff.key", "workstation.key"];
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
    /// The journal signatures of the runs ending in this stretch (`first_seq` may lie before it):
    /// a far side that checks them says so in its receipt, and the workstation's routine verify
    /// then trusts the receipt instead of re-checking every signature up to it.
    #[serde(default)]
    pub signatures: Vec<RunSignature>,
}

/// One journal signature: the signer's key over [`signature_message`] for the run
/// `first_seq..=last_seq` (all by one signer), ending in the event whose hash it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSignature {
    pub first_seq: i64,
    pub last_seq: i64,
    pub key_id: String,
    /// Hex Ed25519 signature.
    pub signature: String,
}

/// The bytes signed for a run: the domain, the first and last sequence numbers (8 bytes each,
/// big-endian) and the last event's hash (32 bytes).
pub fn signature_message(first: i64, last: i64, last_hash: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNATURE_DOMAIN.len() + 16 + last_hash.len());
    m.extend_from_slice(SIGNATURE_DOMAIN.as_bytes());
    m.extend_from_slice(&first.to_be_bytes());
    m.extend_from_slice(&last.to_be_bytes());
    m.extend_from_slice(last_hash);
    m
}

/// What a far side does with the signatures of a stretch it has re-chained: learns the keys the
/// stretch announces (into `keys`: key id → public key, hex), then checks every run signature
/// under its announced key over the hash of the run's last event. The first problem, in words.
pub fn check_signatures(
    keys: &mut std::collections::BTreeMap<String, String>,
    proof: &HeadProof,
) -> Result<(), String> {
    let mut hashes = std::collections::HashMap::with_capacity(proof.events.len());
    let mut sorted: Vec<&RunSignature> = proof.signatures.iter().collect();
    sorted.sort_by_key(|s| s.last_seq);
    let mut next = sorted.into_iter().peekable();
    for e in &proof.events {
        if KEY_EVENTS.contains(&e.action.as_str()) {
            let p: serde_json::Value = serde_json::from_str(&e.payload).unwrap_or_default();
            if let (Some(id), Some(pk)) =
                (p.get("key_id").and_then(|v| v.as_str()), p.get("public_key").and_then(|v| v.as_str()))
            {
                keys.insert(id.to_owned(), pk.to_owned());
            }
        }
        hashes.insert(e.seq, e.hash.as_str());
        // A run's signature is checked at its last event, with every key announced up to there.
        while let Some(s) = next.next_if(|s| s.last_seq <= e.seq) {
            let hash = hashes.get(&s.last_seq).and_then(|h| unhex(h));
            let Some(hash) = hash else {
                return Err(format!("签名覆盖的第 {} 号事件不在本次发送的日志段内", s.last_seq));
            };
            let Some(pk) = keys.get(&s.key_id) else {
                return Err(format!("第 {}–{} 号事件的签名密钥 {} 未在日志中登记", s.first_seq, s.last_seq, s.key_id));
            };
            if s.first_seq > s.last_seq
                || !verify_hex(pk, &signature_message(s.first_seq, s.last_seq, &hash), &s.signature)
            {
                return Err(format!("第 {}–{} 号事件的签名无效", s.first_seq, s.last_seq));
            }
        }
    }
    if let Some(s) = next.next() {
        return Err(format!("签名覆盖的第 {} 号事件不在本次发送的日志段内", s.last_seq));
    }
    Ok(())
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
    /// The far side checked every journal signature of the stretch it witnessed
    /// ([`check_signatures`]); signed with the rest of the receipt.
    #[serde(default)]
    pub signatures_checked: bool,
}

/// A far side's answer to a proof. A far side on a live link signs at once (one receipt for this
/// proof). A far side reached by carried files (file-drop) answers a later pass: the proof is
/// left for it and `pending` says so, and `receipts` carries the answers to earlier proofs that
/// have come back since (each for a head at or before this proof's; the host checks them against
/// its journal, not against this proof).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AnchorAnswer {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receipts: Vec<HeadReceipt>,
    /// Why there is no receipt for this proof yet (in Chinese, shown to the operator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
}

impl AnchorAnswer {
    /// The far side signed for this proof.
    pub fn signed(receipt: HeadReceipt) -> Self {
        Self { receipts: vec![receipt], pending: None }
    }
}

/// What a far side writes back for a head carried as a file ([`files`]): its receipt, or why it
/// refuses the head (the same codes as the city platform's 409: `JOURNAL_FORK`,
/// `JOURNAL_SIGNATURE`, `WORKSTATION_KEY`, `UNKNOWN_HEAD`, `BAD_PROOF`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum HeadFileAnswer {
    Signed { receipt: HeadReceipt },
    Refused { workstation: String, seq: i64, error_type: String, message: String },
}

/// File names of heads carried on a stick or an exchange share (docs/adapter-protocol.md §6.4):
/// the workstation writes each [`HeadProof`] as JSON to `head-<workstation>-<seq>.json`, the far
/// side answers in `answer-<workstation>-<seq>.json` with a [`HeadFileAnswer`]. `seq` is
/// zero-padded to 12 digits so a directory listing sorts by it.
pub mod files {
    pub const HEAD: &str = "head";
    pub const ANSWER: &str = "answer";

    pub fn name(kind: &str, workstation: &str, seq: i64) -> String {
        format!("{kind}-{workstation}-{seq:012}.json")
    }

    /// `(workstation, seq)` of a file named by [`name`] with this `kind`.
    pub fn parse<'a>(kind: &str, file_name: &'a str) -> Option<(&'a str, i64)> {
        let rest = file_name.strip_prefix(kind)?.strip_prefix('-')?.strip_suffix(".json")?;
        let (ws, seq) = rest.rsplit_once('-')?;
        if ws.is_empty() || seq.len() != 12 {
            return None;
        }
        Some((ws, seq.parse().ok()?))
    }
}

/// The bytes the workstation signs for a head.
pub fn head_message(workstation: &str, seq: i64, hash: &str) -> Vec<u8> {
    format!("{HEAD_DOMAIN}\n{workstation}\n{seq}\n{hash}").into_bytes()
}

/// The bytes a far side signs for a receipt.
pub fn receipt_message(r: &HeadReceipt) -> Vec<u8> {
    let mut m =
        format!("{RECEIPT_DOMAIN}\n{}\n{}\n{}\n{}\n{}", r.far_side, r.workstation, r.seq, r.hash, r.received_at);
    // A line only when set, so receipts from far sides that do not check signatures keep their bytes.
    if r.signatures_checked {
        m.push_str("\nsignatures-checked");
    }
    m.into_bytes()
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
            signatures_checked: false,
        };
        r.signature = hex(kp.sign(&receipt_message(&r)).as_ref());
        assert!(r.signature_ok());
        let mut moved = r.clone();
        moved.seq = 8;
        assert!(!moved.signature_ok(), "a receipt moved to another seq must not verify");
        let mut claimed = r.clone();
        claimed.signatures_checked = true;
        assert!(!claimed.signature_ok(), "a receipt cannot be upgraded to 'signatures checked' after signing");
        let mut odd = r.clone();
        odd.signature.pop();
        assert!(!odd.signature_ok());
    }
}
