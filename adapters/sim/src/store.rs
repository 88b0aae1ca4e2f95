//! What a far system keeps: rows deduped on (source, key) with their payload hash, each case's
//! order, and inbox streams for the workstation to pull.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::faults::{FaultConfig, FaultPlan};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FaultCounts {
    pub failed: u64,
    pub dropped: u64,
    pub dup_acked: u64,
    pub malformed: u64,
}

/// Counts for tests (`GET /_sim/stats`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub batches: u64,
    /// Rows offered, duplicates included.
    pub rows_received: u64,
    /// Distinct rows held.
    pub stored: u64,
    /// Re-sent rows with the same payload hash (acked, not stored again).
    pub duplicates: u64,
    /// Same key, different payload (rejected).
    pub conflicts: u64,
    /// Declared hash does not match the payload (rejected).
    pub hash_mismatches: u64,
    /// A case's row arrived with a seq not above the last one held for that case.
    pub order_violations: u64,
    pub cases: u64,
    /// Time-stamp requests answered by the TSA (city only).
    #[serde(default)]
    pub timestamps: u64,
    pub faults: FaultCounts,
    /// Journal heads offered, signed for, and refused as forks (crate::heads).
    #[serde(default)]
    pub heads_received: u64,
    #[serde(default)]
    pub heads_signed: u64,
    #[serde(default)]
    pub forks: u64,
    /// City only: SMS notices the gateway sent (one per notice id), and re-pushes of a notice
    /// already sent that it answered without sending again.
    #[serde(default)]
    pub sms_sent: u64,
    #[serde(default)]
    pub sms_repeats: u64,
    /// Distinct rows held, by their `kind` (`supervision.hit`, `evaluation.rating`, …): what the
    /// platform's own systems (监察, 好差评) would have received.
    #[serde(default)]
    pub by_kind: BTreeMap<String, u64>,
}

/// One SMS the city platform's gateway sent (`GET /_sim/sms`). The number is kept masked: the
/// gateway's record, like every log, never holds it in clear (the row as received does, for the
/// hash check).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sms {
    pub source: String,
    /// The notice's id, the row's idempotency key.
    pub notice_id: String,
    pub case_no: Option<String>,
    pub template: String,
    pub to_masked: String,
    pub text: String,
    pub sent_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredRow {
    pub source: String,
    pub key: String,
    pub payload_sha256: String,
    pub case_no: Option<String>,
    pub seq: u64,
    pub row: serde_json::Value,
}

/// One row as received, before dedupe.
#[derive(Debug, Clone)]
pub struct Incoming<'a> {
    pub source: &'a str,
    pub key: &'a str,
    pub case_no: Option<String>,
    pub seq: u64,
    pub declared_sha256: &'a str,
    /// What the receiver computed from the payload it got.
    pub computed_sha256: &'a str,
    pub row: serde_json::Value,
}

/// Outcome of offering one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    Accepted,
    Duplicate,
    Conflict { held: String },
    HashMismatch { computed: String },
}

#[derive(Debug, Serialize, Deserialize, Default)]
struct Persisted {
    rows: Vec<StoredRow>,
    inbox: BTreeMap<String, Vec<serde_json::Value>>,
    /// The witness's key (PKCS#8, hex) and what it has witnessed: a restarted platform keeps
    /// signing with the key workstations pinned.
    #[serde(default)]
    witness_key: Option<String>,
    #[serde(default)]
    witnessed: HashMap<String, crate::heads::Witnessed>,
    #[serde(default)]
    sms: Vec<Sms>,
}

pub struct Store {
    rows: HashMap<(String, String), usize>,
    log: Vec<StoredRow>,
    cases: HashMap<String, Vec<u64>>,
    pub inbox: BTreeMap<String, Vec<serde_json::Value>>,
    /// Highest inbox cursor each stream's reader acknowledged.
    pub inbox_acked: BTreeMap<String, String>,
    pub stats: Stats,
    pub faults: FaultPlan,
    pub witness: crate::heads::Witness,
    /// What the SMS gateway sent, in order.
    pub sms: Vec<Sms>,
}

impl Store {
    pub fn new(faults: FaultConfig) -> Self {
        Self {
            rows: HashMap::new(),
            log: Vec::new(),
            cases: HashMap::new(),
            inbox: BTreeMap::new(),
            inbox_acked: BTreeMap::new(),
            stats: Stats::default(),
            faults: FaultPlan::new(faults),
            witness: crate::heads::Witness::new(),
            sms: Vec::new(),
        }
    }

    /// Loads a state file if it exists.
    pub fn load(faults: FaultConfig, path: Option<&Path>) -> std::io::Result<Self> {
        let mut store = Self::new(faults);
        let Some(path) = path else { return Ok(store) };
        if !path.exists() {
            return Ok(store);
        }
        let text = std::fs::read_to_string(path)?;
        let p: Persisted = serde_json::from_str(&text).map_err(std::io::Error::other)?;
        store.inbox = p.inbox;
        store.sms = p.sms;
        store.stats.sms_sent = store.sms.len() as u64;
        if let Some(k) = p.witness_key.as_deref().and_then(crate::heads::unhex)
            && let Some(mut w) = crate::heads::Witness::from_pkcs8(&k)
        {
            w.workstations = p.witnessed;
            store.witness = w;
        }
        for row in p.rows {
            store.insert(row);
        }
        Ok(store)
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let p = Persisted {
            rows: self.log.clone(),
            inbox: self.inbox.clone(),
            witness_key: Some(self.witness.pkcs8().iter().map(|b| format!("{b:02x}")).collect()),
            witnessed: self.witness.workstations.clone(),
            sms: self.sms.clone(),
        };
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec(&p).map_err(std::io::Error::other)?)?;
        std::fs::rename(tmp, path)
    }

    /// Witnesses a journal head (crate::heads), counting what happened.
    pub fn witness(
        &mut self,
        proof: &yc_adapter_sdk::HeadProof,
        now: &str,
    ) -> Result<yc_adapter_sdk::HeadReceipt, crate::heads::Refusal> {
        self.stats.heads_received += 1;
        let r = self.witness.witness(proof, now);
        match &r {
            Ok(_) => self.stats.heads_signed += 1,
            Err(e) if e.error_type == "JOURNAL_FORK" => self.stats.forks += 1,
            Err(_) => {}
        }
        r
    }

    fn insert(&mut self, row: StoredRow) {
        if let Some(case) = &row.case_no {
            let seqs = self.cases.entry(case.clone()).or_default();
            if seqs.last().is_some_and(|last| row.seq <= *last) {
                self.stats.order_violations += 1;
            }
            seqs.push(row.seq);
        }
        if let Some(kind) = row.row.get("kind").and_then(|k| k.as_str()) {
            *self.stats.by_kind.entry(kind.to_owned()).or_default() += 1;
        }
        self.rows.insert((row.source.clone(), row.key.clone()), self.log.len());
        self.log.push(row);
        self.stats.stored = self.log.len() as u64;
        self.stats.cases = self.cases.len() as u64;
    }

    /// Offers a row; dedupes on (source, key) with the payload hash (Stripe's rule).
    pub fn offer(&mut self, row: Incoming<'_>) -> Offer {
        let Incoming { source, key, case_no, seq, declared_sha256, computed_sha256, row } = row;
        self.stats.rows_received += 1;
        if declared_sha256 != computed_sha256 {
            self.stats.hash_mismatches += 1;
            return Offer::HashMismatch { computed: computed_sha256.to_string() };
        }
        if let Some(idx) = self.rows.get(&(source.to_string(), key.to_string())) {
            let held = &self.log[*idx].payload_sha256;
            if held == declared_sha256 {
                self.stats.duplicates += 1;
                return Offer::Duplicate;
            }
            self.stats.conflicts += 1;
            return Offer::Conflict { held: held.clone() };
        }
        self.insert(StoredRow {
            source: source.to_string(),
            key: key.to_string(),
            payload_sha256: declared_sha256.to_string(),
            case_no,
            seq,
            row,
        });
        Offer::Accepted
    }

    pub fn case_seqs(&self, case_no: &str) -> Vec<u64> {
        self.cases.get(case_no).cloned().unwrap_or_default()
    }

    /// The row held for (source, key), as received.
    pub fn row(&self, source: &str, key: &str) -> Option<serde_json::Value> {
        self.rows.get(&(source.to_string(), key.to_string())).map(|i| self.log[*i].row.clone())
    }

    pub fn held(&self, source: &str, key: &str) -> usize {
        usize::from(self.rows.contains_key(&(source.to_string(), key.to_string())))
    }

    pub fn seed_inbox(&mut self, stream: &str, items: Vec<serde_json::Value>) {
        self.inbox.entry(stream.to_string()).or_default().extend(items);
    }

    /// Items of `stream` after offset `cursor`, at most `limit`; returns the next offset.
    pub fn inbox_page(&self, stream: &str, cursor: usize, limit: usize) -> (Vec<serde_json::Value>, usize) {
        let items = self.inbox.get(stream).map(Vec::as_slice).unwrap_or(&[]);
        let start = cursor.min(items.len());
        let end = (start + limit).min(items.len());
        (items[start..end].to_vec(), end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inc<'a>(
        source: &'a str,
        key: &'a str,
        case_no: Option<String>,
        seq: u64,
        declared: &'a str,
        computed: &'a str,
        row: serde_json::Value,
    ) -> Incoming<'a> {
        Incoming { source, key, case_no, seq, declared_sha256: declared, computed_sha256: computed, row }
    }

    #[test]
    fn same_key_same_hash_is_duplicate_and_different_hash_is_conflict() {
        let mut s = Store::new(FaultConfig::default());
        let v = serde_json::json!({});
        assert_eq!(s.offer(inc("ws", "k", Some("c".into()), 1, "h1", "h1", v.clone())), Offer::Accepted);
        assert_eq!(s.offer(inc("ws", "k", Some("c".into()), 1, "h1", "h1", v.clone())), Offer::Duplicate);
        assert_eq!(
            s.offer(inc("ws", "k", Some("c".into()), 1, "h2", "h2", v.clone())),
            Offer::Conflict { held: "h1".into() }
        );
        // Another source may use the same key.
        assert_eq!(s.offer(inc("ws2", "k", Some("c".into()), 2, "h2", "h2", v)), Offer::Accepted);
        assert_eq!(s.stats.stored, 2);
        assert_eq!(s.stats.order_violations, 0);
    }

    #[test]
    fn distinct_rows_are_counted_by_kind_and_again_after_a_restart() {
        // Not under tempfile_dir(): the other test removes that when it ends.
        let dir = std::env::temp_dir().join(format!("yc-sim-by-kind-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        let mut s = Store::new(FaultConfig::default());
        let rating = serde_json::json!({"kind": "evaluation.rating"});
        s.offer(inc("ws", "r1", None, 0, "h", "h", rating.clone()));
        s.offer(inc("ws", "r1", None, 0, "h", "h", rating.clone())); // a re-push
        s.offer(inc("ws", "r2", None, 0, "g", "g", rating));
        s.offer(inc("ws", "w1", None, 0, "f", "f", serde_json::json!({"kind": "evaluation.work_order"})));
        s.offer(inc("ws", "x", None, 0, "e", "e", serde_json::json!({"no": "kind"})));
        let want = BTreeMap::from([("evaluation.rating".to_owned(), 2), ("evaluation.work_order".to_owned(), 1)]);
        assert_eq!(s.stats.by_kind, want);
        s.save(&path).unwrap();
        assert_eq!(Store::load(FaultConfig::default(), Some(&path)).unwrap().stats.by_kind, want);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn out_of_order_seq_is_counted() {
        let mut s = Store::new(FaultConfig::default());
        let v = serde_json::json!({});
        s.offer(inc("ws", "a", Some("c".into()), 2, "h", "h", v.clone()));
        s.offer(inc("ws", "b", Some("c".into()), 1, "g", "g", v));
        assert_eq!(s.stats.order_violations, 1);
        assert_eq!(s.case_seqs("c"), vec![2, 1]);
    }

    #[test]
    fn state_file_round_trips() {
        let dir = tempfile_dir();
        let path = dir.join("state.json");
        let mut s = Store::new(FaultConfig::default());
        s.offer(inc("ws", "a", Some("c".into()), 1, "h", "h", serde_json::json!({"x": 1})));
        s.seed_inbox("opinions", vec![serde_json::json!({"key": "o1"})]);
        s.save(&path).unwrap();
        let t = Store::load(FaultConfig::default(), Some(&path)).unwrap();
        assert_eq!(t.held("ws", "a"), 1);
        assert_eq!(t.inbox_page("opinions", 0, 10).0.len(), 1);
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("yc-sim-store-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
