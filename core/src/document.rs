//! Issued documents and the seal usage log (用印登记), both made from `document.sealed` journal
//! events: the `documents` table is derived (rebuilt from the journal), the usage log is a second,
//! independently hash-chained record of every sealing that crate::integrity compares with the
//! journal entry by entry. Sealing itself — who may, with which PIN — is crate::seal.

use std::path::Path;

use ring::digest;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use yc_seal::DocType;

use crate::error::{CoreError, Result};
use crate::journal;
use crate::workstation::Workstation;

/// The associated-data kind of a sealed document file on an encrypted workstation.
pub(crate) const DOCUMENT_KIND: &str = "document";

#[derive(Debug, Clone, Serialize)]
pub struct UsageReport {
    pub ok: bool,
    pub entries: i64,
    pub first_bad: Option<i64>,
}

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

/// Reading the issued documents and checking the usage log: what sealing left behind, for the
/// case screen, export, time-stamping and integrity checks (sealing is crate::seal).
impl Workstation {
    pub fn document(&self, doc_id: &str) -> Result<DocumentRow> {
        self.documents_where("doc_id = ?1", doc_id)?
            .pop()
            .ok_or_else(|| CoreError::Invalid(format!("没有文书 {doc_id}")))
    }

    /// The bytes of a sealed document, re-hashed against the record before they leave the
    /// store: a replaced or damaged file in `documents/` is refused, never exported as genuine.
    pub fn document_bytes(&self, doc: &DocumentRow) -> Result<Vec<u8>> {
        let bytes = crate::vault::read_file(Path::new(&doc.path), self.store().files(), DOCUMENT_KIND).map_err(
            |e| match e {
                CoreError::Tampered { detail, .. } => CoreError::Tampered {
                    what: format!("办件 {} 的{}（{}）文件，拒绝导出", doc.case_no, doc.doc_type_zh, doc.doc_id),
                    detail,
                },
                e => e,
            },
        )?;
        let actual = crate::journal::hex(ring::digest::digest(&ring::digest::SHA256, &bytes).as_ref());
        if actual != doc.file_sha256 {
            return Err(CoreError::Tampered {
                what: format!(
                    "办件 {} 的{}（{}）文件与用印登记不符，可能已被替换或损坏，拒绝导出",
                    doc.case_no, doc.doc_type_zh, doc.doc_id
                ),
                detail: format!("记录的 SHA-256 {}，文件的 SHA-256 {actual}", doc.file_sha256),
            });
        }
        Ok(bytes)
    }

    pub fn case_documents(&self, case_no: &str) -> Result<Vec<DocumentRow>> {
        self.documents_where("case_no = ?1", case_no)
    }

    pub fn all_documents(&self) -> Result<Vec<DocumentRow>> {
        self.documents_where("?1 = ?1", "")
    }

    fn documents_where(&self, cond: &str, arg: &str) -> Result<Vec<DocumentRow>> {
        let conn = self.store().reader()?;
        let mut st = conn.prepare(&format!(
            "SELECT doc_id, case_no, doc_type, seal_id, file_sha256, sealed_at, sealed_by, pades_level, proven_time
             FROM documents WHERE {cond} ORDER BY journal_seq"
        ))?;
        let dir = self.data_dir().join("documents");
        let rows = st.query_map([arg], |r| {
            let doc_type: String = r.get(2)?;
            let sha: String = r.get(4)?;
            Ok(DocumentRow {
                doc_id: r.get(0)?,
                case_no: r.get(1)?,
                doc_type_zh: DocKind::parse(&doc_type).map_or_else(|| doc_type.clone(), |k| k.zh().to_owned()),
                doc_type,
                seal_id: r.get(3)?,
                path: dir.join(format!("{sha}.pdf")).display().to_string(),
                file_sha256: sha,
                sealed_at: r.get(5)?,
                sealed_by: r.get(6)?,
                level: PadesLevel::parse(&r.get::<_, String>(7)?).unwrap_or(PadesLevel::BB),
                proven_time: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Re-walks the seal usage log's hash chain.
    pub fn verify_seal_usage(&self) -> Result<UsageReport> {
        let conn = self.store().reader()?;
        let mut st = conn.prepare(
            "SELECT seq, doc_id, seal_id, case_no, doc_type, file_sha256, signature_info, actor, at, prev_hash, hash FROM seal_usage ORDER BY seq",
        )?;
        let mut rows = st.query([])?;
        let mut prev = journal::GENESIS.to_vec();
        let mut n = 0;
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let fields: Vec<String> = (1..9).map(|i| r.get(i)).collect::<rusqlite::Result<_>>()?;
            let stored_prev: Vec<u8> = r.get(9)?;
            let hash: Vec<u8> = r.get(10)?;
            n += 1;
            if seq != n || stored_prev != prev || usage_hash(seq, &fields, &prev) != hash {
                return Ok(UsageReport { ok: false, entries: n - 1, first_bad: Some(seq) });
            }
            prev = hash;
        }
        Ok(UsageReport { ok: true, entries: n, first_bad: None })
    }

    /// Whether the case carries the sealed decision 办结 needs for its outcome.
    pub(crate) fn has_sealed_decision(
        &self,
        tx: &Transaction<'_>,
        case_no: &str,
        outcome: Option<&str>,
    ) -> Result<bool> {
        let kinds: &[&str] = match outcome {
            Some("approved") => &["approval", "certificate"],
            Some("denied") => &["refusal"],
            _ => return Ok(true),
        };
        let n: i64 = tx
            .prepare_cached("SELECT count(*) FROM documents WHERE case_no = ?1 AND doc_type IN (?2, ?3)")?
            .query_row(params![case_no, kinds[0], kinds.get(1).copied().unwrap_or(kinds[0])], |r| r.get(0))?;
        Ok(n > 0)
    }
}
