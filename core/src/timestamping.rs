//! Proof of time for sealed documents (PAdES B-T/B-LT, docs/seal.md "PAdES baseline levels").
//!
//! * **At sealing**: when an enabled adapter announces the `timestamp` capability and its TSA
//!   answers within [`ONLINE_BOUND`], the signature gets its RFC 3161 timestamp and the DSS at
//!   once (B-LT). Anything else — no such adapter, link down, slow, refusal, an untrusted TSA —
//!   and the document is sealed B-B at once: the clerk never waits for a TSA that is down.
//! * **At sync**: every pass through an adapter with `timestamp` takes the documents still B-B and
//!   appends a document timestamp and the DSS in one incremental update (the seal signature's
//!   bytes untouched), writes the new file next to the old one, and journals
//!   `document.timestamped`. The old file stays: a kill mid-write leaves the record on the valid
//!   B-B file, and the seal usage log keeps naming the file that was sealed. A document stamped
//!   once is B-T/B-LT and never selected again.
//!
//! Every token is checked before it is written into a file: for this imprint and nonce
//! (`token_from_response`), genuine and from a TSA the trust bundle's `tsa_roots` trust
//! (`trusted_token_time`), and not earlier than the claimed time allows (the verifier calls a
//! claim more than 5 minutes after the proven time malformed). A stamped file that would verify
//! INVALID is never kept.

use std::sync::mpsc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ring::digest;
use rusqlite::OptionalExtension;
use yc_adapter_sdk::{Adapter, AdapterConfig, AdapterError, ErrorClass};
use yc_seal::{SealError, TrustBundle, Verdict};

use crate::case::Role;
use crate::document::{DocumentProof, PadesLevel};
use crate::error::{CoreError, Result};
use crate::events;
use crate::journal::{self, NewEvent, hex};
use crate::workstation::{AdapterFactory, Workstation};

/// How long sealing waits for a TSA, adapter start and handshake included. Short: a sealing
/// takes ~20 ms, and a TSA that does not answer in this time is treated as down.
pub const ONLINE_BOUND: Duration = Duration::from_secs(3);

/// The verifier's tolerance for a claimed time after the proven time (yc_seal::verify).
const CLAIM_SKEW: chrono::Duration = chrono::Duration::minutes(5);

/// Documents stamped per sync pass at most (the next pass continues).
const STAMP_BATCH: usize = 200;

/// What one sync pass did about timestamps.
#[derive(Debug, Clone, Default)]
pub struct StampOutcome {
    pub stamped: u64,
    /// Per document (or for the pass) why it stays B-B, in Chinese.
    pub errors: Vec<String>,
    /// The link failed (retryable or auth): the pass stopped stamping.
    pub stopped: Option<AdapterError>,
}

impl Workstation {
    /// Lets sealing reach the registered adapters' TSA (the shell passes `yc_adapters::build`).
    pub fn set_adapter_factory(&self, factory: AdapterFactory) {
        *self.adapter_factory.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(factory);
    }

    /// The TSA for one sealing at `claimed`: the enabled adapters, tried in name order.
    /// `None` when no factory is installed or no adapter is enabled (sealing is then B-B).
    pub(crate) fn online_stamper(&self, bundle: &TrustBundle, claimed: DateTime<Utc>) -> Result<Option<OnlineStamper>> {
        let Some(factory) = *self.adapter_factory.read().unwrap_or_else(std::sync::PoisonError::into_inner) else {
            return Ok(None);
        };
        let mut configs = Vec::new();
        for a in self.sync_status()?.into_iter().filter(|a| a.enabled) {
            configs.push(self.adapter_config(&a.name)?);
        }
        if configs.is_empty() {
            return Ok(None);
        }
        Ok(Some(OnlineStamper { factory, configs, roots: bundle.tsa_roots().to_vec(), claimed, bound: ONLINE_BOUND }))
    }

    /// The PAdES level of a document and the time a TSA proved for it.
    pub fn document_proof(&self, doc_id: &str) -> Result<DocumentProof> {
        let row: Option<(String, Option<String>, String)> = self
            .store()
            .reader()?
            .query_row("SELECT pades_level, proven_time, file_sha256 FROM documents WHERE doc_id = ?1", [doc_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        let (level, proven_time, file_sha256) = row.ok_or_else(|| CoreError::Invalid(format!("没有文书 {doc_id}")))?;
        Ok(DocumentProof {
            doc_id: doc_id.to_owned(),
            level: PadesLevel::parse(&level).unwrap_or(PadesLevel::BB),
            proven_time,
            file_sha256,
        })
    }

    /// Documents still waiting for a timestamp (B-B), oldest first.
    pub fn documents_to_stamp(&self) -> Result<Vec<String>> {
        let conn = self.store().reader()?;
        let mut st = conn
            .prepare_cached("SELECT doc_id FROM documents WHERE pades_level = 'B-B' ORDER BY journal_seq LIMIT ?1")?;
        let rows = st.query_map([i64::try_from(STAMP_BATCH).unwrap_or(i64::MAX)], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The sync pass's step for an adapter that announced `timestamp`: a document timestamp
    /// and the DSS for every B-B document (see the module comment). Store errors are the outer
    /// result; the far side's answers are in the outcome.
    pub async fn stamp_documents<A: Adapter>(&self, name: &str, adapter: &mut A) -> Result<StampOutcome> {
        let mut out = StampOutcome::default();
        let docs = self.documents_to_stamp()?;
        if docs.is_empty() {
            return Ok(out);
        }
        let bundle = match self.trust_bundle() {
            Ok(b) => b,
            Err(e) => {
                out.errors.push(format!("无法加盖时间戳：{e}"));
                return Ok(out);
            }
        };
        for doc_id in docs {
            let prepared = match self.prepare_stamp(&doc_id, &bundle) {
                Ok(p) => p,
                Err(e) => {
                    out.errors.push(format!("文书 {doc_id}：{e}"));
                    continue;
                }
            };
            let request = match yc_seal::timestamp_request(&prepared.imprint, prepared.nonce) {
                Ok(r) => r,
                Err(e) => {
                    out.errors.push(format!("文书 {doc_id}：{e}"));
                    continue;
                }
            };
            let response = match adapter.timestamp(&request).await {
                Ok(r) => r,
                Err(e) if e.class == ErrorClass::Permanent => {
                    out.errors.push(format!("文书 {doc_id}：时间戳服务拒绝：{e}"));
                    continue;
                }
                Err(e) => {
                    // Link down or credentials wrong: the rest waits for the next pass.
                    out.errors.push(format!("文书 {doc_id}：{e}"));
                    out.stopped = Some(e);
                    break;
                }
            };
            match self.finish_stamp(name, prepared, &response, &bundle) {
                Ok(()) => out.stamped += 1,
                Err(CoreError::Seal(e)) => out.errors.push(format!("文书 {doc_id}：{e}，仍为 B-B")),
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    fn prepare_stamp(&self, doc_id: &str, bundle: &TrustBundle) -> Result<PreparedStamp> {
        let doc = self.document(doc_id)?;
        let bytes = self.document_bytes(&doc)?;
        let entry = bundle
            .seal_entry(&doc.seal_id)
            .ok_or_else(|| CoreError::Seal(format!("信任包中没有印章 {}", doc.seal_id)))?;
        let mut chain = entry.seal.info().property.signer_certs.clone();
        chain.extend(bundle.roots().iter().cloned());
        let data = bundle.validation_data(&chain, &[]);
        let level = if data.crls.is_empty() { PadesLevel::BT } else { PadesLevel::BLT };
        let pending = yc_seal::PendingDocumentTimestamp::prepare(&bytes, Some(&data)).map_err(seal)?;
        let claimed = DateTime::parse_from_rfc3339(&doc.sealed_at)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| CoreError::Invalid(format!("文书 {doc_id} 的用印时间无法解析：{e}")))?;
        Ok(PreparedStamp {
            imprint: pending.imprint(),
            nonce: yc_seal::timestamp_nonce().map_err(seal)?,
            pending,
            doc_id: doc_id.to_owned(),
            case_no: doc.case_no,
            old_sha256: doc.file_sha256,
            claimed,
            level,
        })
    }

    fn finish_stamp(&self, adapter: &str, p: PreparedStamp, response: &[u8], bundle: &TrustBundle) -> Result<()> {
        let token = yc_seal::token_from_response(response, &p.imprint, p.nonce).map_err(seal)?;
        let proven = yc_seal::trusted_token_time(&token, &p.imprint, bundle.tsa_roots()).map_err(seal)?;
        if p.claimed > proven + CLAIM_SKEW {
            return Err(CoreError::Seal(format!(
                "用印时间 {} 晚于时间戳时间 {proven}（工作站时钟可能不准），不加盖",
                p.claimed
            )));
        }
        let pdf = p.pending.finish(&token).map_err(seal)?;
        let check = yc_seal::verify_pdf(&pdf, bundle, self.clock().now().with_timezone(&Utc));
        if check.verdict == Verdict::Invalid {
            return Err(CoreError::Seal(format!("加盖时间戳后的文件验证不通过（{:?}），未保存", check.reason)));
        }
        let sha = hex(digest::digest(&digest::SHA256, &pdf).as_ref());
        // The stamped file is complete on disk (temp + fsync + rename) before the record moves
        // to it; until the commit below the record names the old file, which is never touched.
        let path = self.data_dir().join("documents").join(format!("{sha}.pdf"));
        crate::store::write_atomically(
            &path,
            &crate::vault::file_bytes(&path, self.store().files(), crate::document::DOCUMENT_KIND, &pdf)?,
        )?;
        let actor = format!("sync:{adapter}");
        let at = self.clock().now();
        let payload = serde_json::json!({
            "doc_id": p.doc_id,
            "previous_sha256": p.old_sha256,
            "file_sha256": sha,
            "pades_level": p.level.code(),
            "proven_time": proven.to_rfc3339(),
            "adapter": adapter,
        });
        self.store().write(|tx| {
            // Another pass may have stamped it meanwhile: a document is stamped once.
            let current: Option<(String, String)> = tx
                .query_row("SELECT file_sha256, pades_level FROM documents WHERE doc_id = ?1", [&p.doc_id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            if current != Some((p.old_sha256.clone(), PadesLevel::BB.code().to_owned())) {
                return Ok(());
            }
            let ev = journal::append(
                tx,
                NewEvent {
                    case_no: Some(&p.case_no),
                    actor: &actor,
                    role: Role::Admin.code(),
                    action: events::DOCUMENT_TIMESTAMPED,
                    at,
                    payload: payload.clone(),
                    reason: None,
                },
            )?;
            crate::document::project_timestamped(tx, &ev)
        })
    }

    /// Stamps the B-B documents through an adapter built by `factory` from the config of
    /// `name` (a pass of its own, for `yc doc stamp`): started, handshake, stamping, shut down.
    pub async fn stamp_through(&self, name: &str, factory: AdapterFactory) -> Result<StampOutcome> {
        let cfg = self.adapter_config(name)?;
        let mut adapter = match factory(&cfg) {
            Ok(a) => a,
            Err(e) => return Ok(StampOutcome { errors: vec![e.to_string()], stopped: Some(e), ..Default::default() }),
        };
        let out = match adapter.hello().await {
            Ok(h) if h.capabilities.timestamp => self.stamp_documents(name, &mut adapter).await,
            Ok(_) => Ok(StampOutcome {
                errors: vec![format!("适配器 {name} 不提供时间戳服务")], ..Default::default()
            }),
            Err(e) => Ok(StampOutcome { errors: vec![e.to_string()], stopped: Some(e), ..Default::default() }),
        };
        let _ = adapter.shutdown().await;
        out
    }
}

fn seal(e: SealError) -> CoreError {
    CoreError::Seal(e.to_string())
}

struct PreparedStamp {
    pending: yc_seal::PendingDocumentTimestamp,
    imprint: [u8; 32],
    nonce: u64,
    doc_id: String,
    case_no: String,
    old_sha256: String,
    claimed: DateTime<Utc>,
    level: PadesLevel,
}

/// The TSA for one sealing, reached through the registered adapters.
pub(crate) struct OnlineStamper {
    factory: AdapterFactory,
    configs: Vec<AdapterConfig>,
    roots: Vec<Vec<u8>>,
    claimed: DateTime<Utc>,
    bound: Duration,
}

impl yc_seal::TimeStamper for OnlineStamper {
    fn timestamp(&self, imprint: &[u8; 32]) -> yc_seal::Result<Vec<u8>> {
        let nonce = yc_seal::timestamp_nonce()?;
        let request = yc_seal::timestamp_request(imprint, nonce)?;
        let (tx, rx) = mpsc::channel();
        let (factory, configs, bound) = (self.factory, self.configs.clone(), self.bound);
        // Its own thread and runtime: sealing may be called from inside an async runtime (the
        // desktop shell), and an adapter that hangs must not hold the clerk past the bound — the
        // thread is left to finish on its own.
        std::thread::spawn(move || {
            let _ = tx.send(ask_adapters(factory, &configs, &request, bound));
        });
        let response = match rx.recv_timeout(self.bound) {
            Ok(Ok(r)) => r,
            Ok(Err(why)) => return Err(SealError::Timestamp(why)),
            Err(_) => {
                return Err(SealError::Timestamp(format!("时间戳服务 {} 秒内未应答", self.bound.as_secs())));
            }
        };
        let token = yc_seal::token_from_response(&response, imprint, nonce)?;
        let proven = yc_seal::trusted_token_time(&token, imprint, &self.roots)?;
        if self.claimed > proven + CLAIM_SKEW {
            return Err(SealError::Timestamp(format!(
                "用印时间 {} 晚于时间戳时间 {proven}（工作站时钟可能不准）",
                self.claimed
            )));
        }
        Ok(token)
    }
}

/// The first enabled adapter with `timestamp` that answers: its TSA's DER reply, or why none did.
fn ask_adapters(
    factory: AdapterFactory,
    configs: &[AdapterConfig],
    request: &[u8],
    bound: Duration,
) -> std::result::Result<Vec<u8>, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("无法启动异步运行时：{e}"))?;
    rt.block_on(async {
        let mut why = Vec::new();
        for cfg in configs {
            let mut adapter = match factory(cfg) {
                Ok(a) => a,
                Err(e) => {
                    why.push(format!("{}：{e}", cfg.name));
                    continue;
                }
            };
            let asked = tokio::time::timeout(bound, async {
                let hello = adapter.hello().await?;
                if !hello.capabilities.timestamp {
                    return Ok(None);
                }
                adapter.timestamp(request).await.map(Some)
            })
            .await;
            let _ = tokio::time::timeout(Duration::from_millis(500), adapter.shutdown()).await;
            match asked {
                Ok(Ok(Some(r))) => return Ok(r),
                Ok(Ok(None)) => {}
                Ok(Err(e)) => why.push(format!("{}：{e}", cfg.name)),
                Err(_) => why.push(format!("{}：{} 秒内未应答", cfg.name, bound.as_secs())),
            }
        }
        Err(if why.is_empty() { "没有提供时间戳服务的同步适配器".to_owned() } else { why.join("；") })
    })
}
