//! Issued documents and the seal usage log (用印登记), both made from `document.sealed` journal
//! events: the `documents` table is derived (rebuilt from the journal), the usage log is a second,
//! independently hash-chained record of every sealing that crate::integrity compares with the
//! journal entry by entry. Sealing itself — who may, with which PIN — is crate::seal.

use ring::digest;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use yc_seal::DocType;

use crate::error::Result;
use crate::journal;

/// Document kinds a case can carry, with the state each needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DocKind {
    Receipt,
    Acceptance,
    NonAcceptance,
    Supplement,
    Approval,
    Refusal,
    Certificate,
}

impl DocKind {
    pub const ALL: [DocKind; 7] = [
        Self::Receipt,
        Self::Acceptance,
        Self::NonAcceptance,
        Self::Supplement,
        Self::Approval,
        Self::Refusal,
        Self::Certificate,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Receipt => "receipt",
            Self::Acceptance => "acceptance",
            Self::NonAcceptance => "non_acceptance",
            Self::Supplement => "supplement",
            Self::Approval => "approval",
            Self::Refusal => "refusal",
            Self::Certificate => "certificate",
        }
    }

    pub fn doc_type(self) -> DocType {
        match self {
            Self::Receipt => DocType::MaterialReceipt,
            Self::Acceptance => DocType::Acceptance,
            Self::NonAcceptance => DocType::NonAcceptance,
            Self::Supplement => DocType::SupplementNotice,
            Self::Approval => DocType::ApprovalDecision,
            Self::Refusal => DocType::RefusalDecision,
            Self::Certificate => DocType::Certificate,
        }
    }

    pub fn zh(self) -> &'static str {
        self.doc_type().default_title()
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s || k.zh() == s)
    }

    /// A decision document: what 办结 needs.
    pub fn is_decision(self) -> bool {
        matches!(self, Self::Approval | Self::Refusal | Self::Certificate)
    }

    /// Whether a case with these facts may carry this document (a refusal notice only for a
    /// refused case, a certificate only for an approved item that yields one…); `accepted`: the
    /// case was accepted at some point (an acceptance notice stays issuable after later steps).
    pub fn allowed(self, f: &crate::case::Facts, accepted: bool) -> bool {
        use crate::case::{Outcome, State};
        let s = f.state;
        let approved = f.outcome == Some(Outcome::Approved);
        let withdrawn = matches!(s, State::Cancelled | State::Revoked);
        match self {
            DocKind::Receipt => s != State::Appointed,
            DocKind::Acceptance => accepted && s != State::NotAccepted,
            DocKind::NonAcceptance => s == State::NotAccepted,
            DocKind::Supplement => s == State::Supplementing,
            DocKind::Approval => approved && !withdrawn,
            DocKind::Refusal => f.outcome == Some(Outcome::Denied),
            DocKind::Certificate => approved && f.has_certificate && !withdrawn,
        }
    }
}

/// The PAdES baseline level of a sealed document (ETSI EN 319 142-1, docs/seal.md).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PadesLevel {
    /// Signed, the time only claimed: sealed offline; the sync pass adds a document timestamp.
    #[serde(rename = "B-B")]
    BB,
    /// A TSA proved the time (signature timestamp at sealing, or the sync's document timestamp).
    #[serde(rename = "B-T")]
    BT,
    /// B-T plus the chain and the authority's CRL in the file's DSS: validates after expiry.
    #[serde(rename = "B-LT")]
    BLT,
}

impl PadesLevel {
    pub fn code(self) -> &'static str {
        match self {
            Self::BB => "B-B",
            Self::BT => "B-T",
            Self::BLT => "B-LT",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::BB, Self::BT, Self::BLT].into_iter().find(|l| l.code() == s)
    }
}

/// A document's level and the time a TSA proved for it (`None` while B-B).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentProof {
    pub doc_id: String,
    pub level: PadesLevel,
    pub proven_time: Option<String>,
    pub file_sha256: String,
}

/// Whether the case is in a state that allows this document (a refusal notice only for a
/// refused case, a certificate only for an approved item that yields one…).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct DocumentRow {
    pub doc_id: String,
    pub case_no: String,
    pub doc_type: String,
    pub doc_type_zh: String,
    pub seal_id: String,
    pub file_sha256: String,
    pub sealed_at: String,
    pub sealed_by: String,
    pub path: String,
    /// B-B until a time-stamping authority proved the time (at sealing, or at a later sync).
    pub level: PadesLevel,
    /// The time the TSA proved; `None` while B-B.
    pub proven_time: Option<String>,
}

pub(crate) fn usage_hash(seq: i64, fields: &[String], prev: &[u8]) -> Vec<u8> {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(b"yc-seal-usage-v1");
    ctx.update(&seq.to_be_bytes());
    for f in fields {
        ctx.update(&(f.len() as u64).to_be_bytes());
        ctx.update(f.as_bytes());
    }
    ctx.update(prev);
    ctx.finish().as_ref().to_vec()
}

/// A usage entry's fields, all taken from its `document.sealed` journal event: so the log can be
/// recomputed from the journal and compared entry by entry (crate::integrity).
pub(crate) fn usage_fields(ev: &journal::Event, info: &serde_json::Value) -> Vec<String> {
    let s = |k: &str| ev.payload.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    vec![
        s("doc_id"),
        s("seal_id"),
        ev.case_no.clone().unwrap_or_default(),
        s("doc_type"),
        s("file_sha256"),
        info.to_string(),
        ev.actor.clone(),
        ev.at.clone(),
    ]
}

pub(crate) fn append_usage(tx: &Transaction<'_>, ev: &journal::Event, info: &serde_json::Value) -> Result<()> {
    let (seq, prev): (i64, Vec<u8>) = tx
        .query_row("SELECT seq, hash FROM seal_usage ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, journal::GENESIS.to_vec()));
    let fields = usage_fields(ev, info);
    let hash = usage_hash(seq + 1, &fields, &prev);
    tx.execute(
        "INSERT INTO seal_usage (seq, doc_id, seal_id, case_no, doc_type, file_sha256, signature_info, actor, at, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![seq + 1, fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6], fields[7], prev, hash],
    )?;
    Ok(())
}

/// Journal → `documents` row (live and in `yc rebuild`).
pub(crate) fn project_sealed(tx: &Transaction<'_>, ev: &journal::Event) -> Result<()> {
    let s = |k: &str| ev.payload.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    tx.prepare_cached(
        "INSERT OR REPLACE INTO documents (doc_id, case_no, doc_type, seal_id, file_sha256, qr_payload, sealed_at, sealed_by, journal_seq, pades_level, proven_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        s("doc_id"),
        ev.case_no,
        s("doc_type"),
        s("seal_id"),
        s("file_sha256"),
        s("qr_payload"),
        ev.at,
        ev.actor,
        ev.seq,
        // Events from before PAdES levels carry none: those documents were sealed B-B.
        PadesLevel::parse(&s("pades_level")).unwrap_or(PadesLevel::BB).code(),
        ev.payload.get("proven_time").and_then(|v| v.as_str()),
    ])?;
    Ok(())
}

/// Journal `document.timestamped` → the document's current file and level (live and in
/// `yc rebuild`). The B-B file stays on disk: the seal usage log and crate::integrity name it.
pub(crate) fn project_timestamped(tx: &Transaction<'_>, ev: &journal::Event) -> Result<()> {
    let s = |k: &str| ev.payload.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    tx.prepare_cached("UPDATE documents SET file_sha256 = ?2, pades_level = ?3, proven_time = ?4 WHERE doc_id = ?1")?
        .execute(params![
        s("doc_id"),
        s("file_sha256"),
        PadesLevel::parse(&s("pades_level")).unwrap_or(PadesLevel::BT).code(),
        s("proven_time")
    ])?;
    Ok(())
}
