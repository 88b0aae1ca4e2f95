//! The city platform's witness of workstation journals (docs/adapter-protocol.md §6), as a TEST
//! DOUBLE: it keeps every head it signed for, re-chains what each workstation sends with its own
//! implementation of the chain formula (written from docs/journal-signing.md, not shared with
//! yc-core, so a drift between the two is caught), and refuses a head whose history disagrees
//! with a head it has seen (a fork).

use std::collections::{BTreeMap, HashMap};

use ring::digest;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};
use yc_adapter_sdk::anchor::{
    ChainEvent, HeadProof, HeadReceipt, MAX_EVENTS_PER_ANCHOR, check_signatures, receipt_message,
};

/// The name the simulator signs receipts as.
pub const FAR_SIDE: &str = "city-platform-sim";

/// What the platform remembers of one workstation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Witnessed {
    /// The workstation key, pinned at the first head.
    pub public_key: String,
    /// seq → hash of every head signed for.
    pub heads: BTreeMap<i64, String>,
    /// Signing keys the witnessed journal announced (key id → public key, hex): the signatures of
    /// each new stretch are checked under them before the receipt says so.
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
}

/// Why a head is refused; `error_type` is the wire code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub error_type: &'static str,
    pub message: String,
}

fn refuse(error_type: &'static str, message: String) -> Refusal {
    Refusal { error_type, message }
}

/// The platform's key and what it has witnessed.
pub struct Witness {
    key: Ed25519KeyPair,
    pkcs8: Vec<u8>,
    pub workstations: HashMap<String, Witnessed>,
}

impl Witness {
    pub fn new() -> Self {
        let pkcs8 =
            Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map(|d| d.as_ref().to_vec()).unwrap_or_default();
        Self::from_pkcs8(&pkcs8).unwrap_or_else(|| panic!("ring could not make an Ed25519 key"))
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Option<Self> {
        let key = Ed25519KeyPair::from_pkcs8(pkcs8).ok()?;
        Some(Self { key, pkcs8: pkcs8.to_vec(), workstations: HashMap::new() })
    }

    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    pub fn public_key_hex(&self) -> String {
        hex(self.key.public_key().as_ref())
    }

    /// Checks a proof and signs a receipt, or says why not. `now` is the platform's clock.
    pub fn witness(&mut self, p: &HeadProof, now: &str) -> Result<HeadReceipt, Refusal> {
        if p.events.is_empty() || p.events.len() > MAX_EVENTS_PER_ANCHOR {
            return Err(refuse(
                "BAD_PROOF",
                format!("每次须含 1–{MAX_EVENTS_PER_ANCHOR} 个事件，实为 {}", p.events.len()),
            ));
        }
        for (i, e) in p.events.iter().enumerate() {
            if e.seq != p.from_seq + 1 + i as i64 {
                return Err(refuse("BAD_PROOF", format!("事件序号不连续：第 {i} 个为 {}", e.seq)));
            }
        }
        if p.events.last().map(|e| e.seq) != Some(p.seq) {
            return Err(refuse("BAD_PROOF", "日志头序号与最后一个事件不符".into()));
        }
        if !p.signature_ok() {
            return Err(refuse("BAD_SIGNATURE", "工作站对日志头的签名无效".into()));
        }
        let known = self.workstations.get(&p.workstation);
        if let Some(w) = known
            && w.public_key != p.public_key
        {
            return Err(refuse(
                "WORKSTATION_KEY",
                format!("工作站 {} 的密钥与平台首次记录的不同，须重新备案", p.workstation),
            ));
        }
        // Where the stretch starts must be a head this platform signed for (or the beginning).
        if p.from_seq == 0 {
            if p.from_hash != "0".repeat(64) {
                return Err(refuse("BAD_PROOF", "从头开始时 from_hash 应为 64 个 0".into()));
            }
        } else {
            match known.and_then(|w| w.heads.get(&p.from_seq)) {
                Some(h) if *h == p.from_hash => {}
                Some(h) => {
                    return Err(self.fork(p, p.from_seq, h, &p.from_hash));
                }
                None => {
                    return Err(refuse(
                        "UNKNOWN_HEAD",
                        format!("平台从未签收过工作站 {} 的第 {} 号日志头", p.workstation, p.from_seq),
                    ));
                }
            }
        }
        let mut prev = unhex(&p.from_hash).ok_or_else(|| refuse("BAD_PROOF", "from_hash 不是十六进制".into()))?;
        for e in &p.events {
            let h = chain_hash(e, &prev);
            let hh = hex(&h);
            if hh != e.hash {
                return Err(refuse(
                    "BAD_CHAIN",
                    format!("第 {} 号事件重算的哈希与工作站所给不符（重算 {}…）", e.seq, &hh[..12]),
                ));
            }
            if let Some(seen) = known.and_then(|w| w.heads.get(&e.seq))
                && *seen != hh
            {
                return Err(self.fork(p, e.seq, seen, &hh));
            }
            prev = h;
        }
        // A first proof from the beginning carries the workstation's key event: it must be the
        // key that signs the head.
        if known.is_none()
            && let Some(k) = p.events.iter().find(|e| e.action == "workstation.key")
            && !k.payload.contains(&p.public_key)
        {
            return Err(refuse("WORKSTATION_KEY", "日志头签名密钥不是日志中登记的工作站密钥".into()));
        }
        // Every journal signature of the stretch, under the keys the journal announced: a receipt
        // then vouches for them, and the workstation need not re-check them up to it.
        let mut keys = known.map(|w| w.keys.clone()).unwrap_or_default();
        if let Err(m) = check_signatures(&mut keys, p) {
            return Err(refuse("JOURNAL_SIGNATURE", format!("工作站 {} 的日志签名校验失败：{m}", p.workstation)));
        }
        let w = self.workstations.entry(p.workstation.clone()).or_default();
        w.public_key.clone_from(&p.public_key);
        w.keys = keys;
        // Only a head past everything seen is a new head: an older stretch re-sent (receipts lost
        // on the workstation) is checked and answered, but proves nothing new.
        if w.heads.last_key_value().is_none_or(|(s, _)| *s < p.seq) {
            w.heads.insert(p.seq, p.hash.clone());
        }
        let mut r = HeadReceipt {
            far_side: FAR_SIDE.into(),
            workstation: p.workstation.clone(),
            seq: p.seq,
            hash: p.hash.clone(),
            received_at: now.to_owned(),
            public_key: self.public_key_hex(),
            signature: String::new(),
            signatures_checked: true,
        };
        r.signature = hex(self.key.sign(&receipt_message(&r)).as_ref());
        Ok(r)
    }

    fn fork(&self, p: &HeadProof, seq: i64, seen: &str, now: &str) -> Refusal {
        let before = self
            .workstations
            .get(&p.workstation)
            .and_then(|w| w.heads.range(..seq).next_back().map(|(s, _)| *s))
            .unwrap_or(0);
        refuse(
            "JOURNAL_FORK",
            format!(
                "工作站 {} 第 {seq} 号事件的哈希与平台签收过的不符（签收 {}…，现为 {}…）：第 {} 号之后、第 {seq} 号及以前的日志已被改写",
                p.workstation,
                &seen[..seen.len().min(12)],
                &now[..now.len().min(12)],
                before
            ),
        )
    }
}

impl Default for Witness {
    fn default() -> Self {
        Self::new()
    }
}

/// hash(n) = SHA-256("yc-journal-v1" ‖ each field as 8-byte big-endian length ‖ bytes), the fields
/// being seq (decimal text), id, case_no (absent = one 0x00 byte), actor, role, action, at,
/// payload (the stored JSON text), reason (absent = 0x00), and the previous hash (32 bytes).
fn chain_hash(e: &ChainEvent, prev: &[u8]) -> Vec<u8> {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(b"yc-journal-v1");
    let absent: &[u8] = &[0];
    let seq = e.seq.to_string();
    for f in [
        seq.as_bytes(),
        e.id.as_bytes(),
        e.case_no.as_deref().map_or(absent, str::as_bytes),
        e.actor.as_bytes(),
        e.role.as_bytes(),
        e.action.as_bytes(),
        e.at.as_bytes(),
        e.payload.as_bytes(),
        e.reason.as_deref().map_or(absent, str::as_bytes),
        prev,
    ] {
        ctx.update(&(f.len() as u64).to_be_bytes());
        ctx.update(f);
    }
    ctx.finish().as_ref().to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use yc_adapter_sdk::anchor::head_message;

    /// A workstation's journal of `n` events and its key.
    struct Ws {
        key: Ed25519KeyPair,
        events: Vec<ChainEvent>,
    }

    fn ws(n: i64, actor_at: Option<(i64, &str)>) -> Ws {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let mut w = Ws { key, events: Vec::new() };
        w.extend(n, actor_at);
        w
    }

    impl Ws {
        fn extend(&mut self, n: i64, actor_at: Option<(i64, &str)>) {
            let mut prev = self.events.last().map_or(vec![0; 32], |e| unhex(&e.hash).unwrap());
            let start = self.events.len() as i64 + 1;
            for seq in start..start + n {
                let actor = match actor_at {
                    Some((s, a)) if s == seq => a.to_owned(),
                    _ => "zhangwei".to_owned(),
                };
                let mut e = ChainEvent {
                    seq,
                    id: format!("id-{seq}"),
                    case_no: (seq % 2 == 0).then(|| format!("C{seq}")),
                    actor,
                    role: "clerk".into(),
                    action: "accept".into(),
                    at: "2026-12-03T09:00:00+08:00".into(),
                    payload: format!("{{\"n\":{seq}}}"),
                    reason: None,
                    hash: String::new(),
                };
                let h = chain_hash(&e, &prev);
                e.hash = hex(&h);
                prev = h;
                self.events.push(e);
            }
        }

        fn rewrite_from(&mut self, seq: i64) {
            let tail = self.events.split_off(usize::try_from(seq - 1).unwrap());
            let n = tail.len() as i64;
            self.extend(n, Some((seq, "mallory")));
        }

        fn proof(&self, from: i64, to: i64) -> HeadProof {
            let events: Vec<ChainEvent> =
                self.events[usize::try_from(from).unwrap()..usize::try_from(to).unwrap()].to_vec();
            let from_hash =
                if from == 0 { "0".repeat(64) } else { self.events[usize::try_from(from - 1).unwrap()].hash.clone() };
            let hash = events.last().unwrap().hash.clone();
            HeadProof {
                workstation: "440399-W01".into(),
                from_seq: from,
                from_hash,
                signature: hex(self.key.sign(&head_message("440399-W01", to, &hash)).as_ref()),
                events,
                seq: to,
                hash,
                public_key: hex(self.key.public_key().as_ref()),
                signatures: Vec::new(),
            }
        }
    }

    #[test]
    fn journal_signatures_are_checked_before_the_receipt_vouches_for_them() {
        use yc_adapter_sdk::anchor::{RunSignature, signature_message};
        let mut w = ws(0, None);
        let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let signer = Ed25519KeyPair::from_pkcs8(doc.as_ref()).unwrap();
        let pk = hex(signer.public_key().as_ref());
        let mut e = ChainEvent {
            seq: 1,
            id: "id-1".into(),
            case_no: None,
            actor: "admin".into(),
            role: "admin".into(),
            action: "staff.key".into(),
            at: "2026-12-03T09:00:00+08:00".into(),
            payload: format!("{{\"key_id\":\"k1\",\"public_key\":\"{pk}\"}}"),
            reason: None,
            hash: String::new(),
        };
        e.hash = hex(&chain_hash(&e, &[0; 32]));
        w.events.push(e);
        w.extend(9, None);
        let sign = |first: i64, last: i64| {
            let h = unhex(&w.events[usize::try_from(last - 1).unwrap()].hash).unwrap();
            RunSignature {
                first_seq: first,
                last_seq: last,
                key_id: "k1".into(),
                signature: hex(signer.sign(&signature_message(first, last, &h)).as_ref()),
            }
        };
        let mut p = w.proof(0, 10);
        p.signatures = vec![sign(6, 10), sign(1, 5)];
        let r = Witness::new().witness(&p, "t1").unwrap();
        assert!(r.signatures_checked && r.signature_ok());

        // A signature moved to another run, one under a key the journal never announced, and one
        // for an event outside the stretch are each refused.
        let mut moved = w.proof(0, 10);
        moved.signatures = vec![RunSignature { signature: sign(1, 4).signature, ..sign(1, 5) }];
        let mut unknown = w.proof(0, 10);
        unknown.signatures = vec![RunSignature { key_id: "k2".into(), ..sign(1, 5) }];
        let mut outside = w.proof(0, 5);
        outside.signatures = vec![sign(6, 10)];
        for bad in [moved, unknown, outside] {
            let e = Witness::new().witness(&bad, "t2").unwrap_err();
            assert_eq!(e.error_type, "JOURNAL_SIGNATURE", "{e:?}");
        }
    }

    #[test]
    fn extending_heads_are_signed_and_a_rewrite_under_a_seen_head_is_a_fork() {
        let mut w = ws(50, None);
        let mut wit = Witness::new();
        let r = wit.witness(&w.proof(0, 20), "t1").unwrap();
        assert!(r.signature_ok() && r.seq == 20);
        wit.witness(&w.proof(20, 50), "t2").unwrap();
        // Receipts lost on the workstation: the whole stretch again is checked and answered.
        wit.witness(&w.proof(0, 50), "t3").unwrap();

        // Event 10 rewritten and the chain recomputed: from the beginning, the stretch crosses
        // the head seen at 20 with another hash.
        w.rewrite_from(10);
        let e = wit.witness(&w.proof(0, 50), "t4").unwrap_err();
        assert_eq!(e.error_type, "JOURNAL_FORK", "{e:?}");
        assert!(e.message.contains("第 20 号") && e.message.contains("第 0 号之后"), "{}", e.message);
        // Starting from the seen head 20 with its rewritten hash is a fork too.
        assert_eq!(wit.witness(&w.proof(20, 50), "t5").unwrap_err().error_type, "JOURNAL_FORK");
        // A stretch that ends before the first seen head cannot be judged yet, and proves nothing
        // new: answered, but the seen heads stay as they were.
        wit.witness(&w.proof(0, 15), "t6").unwrap();
        assert_eq!(wit.workstations["440399-W01"].heads.keys().copied().collect::<Vec<_>>(), vec![20, 50]);
    }

    #[test]
    fn forged_or_inconsistent_proofs_are_refused() {
        let w = ws(10, None);
        let mut wit = Witness::new();
        let mut p = w.proof(0, 10);
        p.events[3].payload = "{\"n\":999}".into();
        assert_eq!(wit.witness(&p, "t").unwrap_err().error_type, "BAD_CHAIN");
        let mut p = w.proof(0, 10);
        p.seq = 9;
        assert_eq!(wit.witness(&p, "t").unwrap_err().error_type, "BAD_PROOF");
        let mut p = w.proof(0, 10);
        let flipped = if p.signature.starts_with('0') { "1" } else { "0" };
        p.signature.replace_range(0..1, flipped);
        assert_eq!(wit.witness(&p, "t").unwrap_err().error_type, "BAD_SIGNATURE");
        assert_eq!(wit.witness(&w.proof(5, 10), "t").unwrap_err().error_type, "UNKNOWN_HEAD");
        wit.witness(&w.proof(0, 10), "t").unwrap();
        // Another key for the same workstation id.
        let other = ws(10, None);
        assert_eq!(wit.witness(&other.proof(0, 10), "t").unwrap_err().error_type, "WORKSTATION_KEY");
    }
}
