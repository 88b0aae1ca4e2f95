//! The seal trust a workstation holds: the pinned authority roots and the signed trust bundle
//! (seal statuses, time-stamping roots) verified against them. Sealing (crate::seal), verifying
//! a document and time-stamping (crate::timestamping) read it; only the bundle's signer, the seal
//! authority, writes a new one.

use chrono::{DateTime, FixedOffset};
use rusqlite::{OptionalExtension, Transaction, params};
use yc_seal::TrustBundle;

use crate::case::Role;
use crate::clock::stamp;
use crate::error::{CoreError, Result, seal_err};
use crate::events;
use crate::hash::sha256_hex;
use crate::journal;
use crate::staff::Actor;
use crate::workstation::Workstation;

impl Workstation {
    /// Pinned roots: a trust bundle counts only if one of them signed it.
    pub(crate) fn anchors(&self) -> Result<Vec<Vec<u8>>> {
        let conn = self.store().reader()?;
        let mut st = conn.prepare("SELECT der FROM trust_anchors ORDER BY added_at")?;
        Ok(st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
    }

    /// The pinned root certificates (DER), for `yc seal trust export`.
    pub fn trust_anchors(&self) -> Result<Vec<Vec<u8>>> {
        self.anchors()
    }

    /// Pins a seal authority root from an exported trust directory (another workstation of the
    /// city). Admin only, and only when `confirmed_sha256` — typed by the admin after comparing
    /// with the fingerprint the authority publishes — names this certificate; journaled.
    /// Returns the fingerprint.
    pub fn pin_trust_anchor(&self, by: &Actor, der: &[u8], confirmed_sha256: &str) -> Result<String> {
        by.require_role(Role::Admin, "固定印章信任根")?;
        let fp = yc_seal::fingerprint(der);
        let subject =
            yc_seal::certificate_subject(der).ok_or_else(|| CoreError::Seal("根证书无法解析，拒绝固定".into()))?;
        if !yc_seal::fingerprint_matches(der, confirmed_sha256) {
            return Err(CoreError::Seal(format!(
                "确认的指纹与根证书不符，拒绝固定：根证书「{subject}」的 SHA-256 为 {fp}，请与印章制作机构公布的指纹逐位核对"
            )));
        }
        let sha = sha256_hex(der);
        self.store().write(|tx| pin_in(tx, by, self.clock().now(), &sha, der, &subject, None))?;
        Ok(fp)
    }

    /// The newest stored trust bundle, re-verified against the pinned roots.
    pub fn trust_bundle(&self) -> Result<TrustBundle> {
        let conn = self.store().reader()?;
        let body: Option<Vec<u8>> = conn
            .query_row("SELECT body FROM trust_bundles ORDER BY version DESC LIMIT 1", [], |r| r.get(0))
            .optional()?;
        let body = body.ok_or_else(|| CoreError::Seal("尚无信任包：请先同步或导入印章信任包".into()))?;
        TrustBundle::from_bytes(&body, &self.anchors()?).map_err(seal_err)
    }

    /// Imports a trust bundle (from sync or a file): signature checked against the pinned roots,
    /// and only a newer version is taken (no rollback to a bundle that predates a revocation).
    pub fn import_trust_bundle(&self, bytes: &[u8], source: &str) -> Result<u64> {
        let bundle = TrustBundle::from_bytes(bytes, &self.anchors()?).map_err(seal_err)?;
        if let Ok(current) = self.trust_bundle()
            && !bundle.supersedes(&current)
        {
            return Err(CoreError::Seal(format!(
                "信任包版本 {} 不比现有版本 {} 新，已拒绝",
                bundle.version(),
                current.version()
            )));
        }
        let now = stamp(&self.clock().now());
        let v = bundle.version();
        self.store().write(|tx| {
            tx.execute(
                "INSERT INTO trust_bundles (version, body, received_at, source) VALUES (?1, ?2, ?3, ?4)",
                params![i64::try_from(v).unwrap_or(i64::MAX), bytes, now, source],
            )?;
            Ok(())
        })?;
        Ok(v)
    }
}

/// Pins a root inside a caller's transaction and journals it (`seal.trust_anchor`); `from` names
/// the city package it came with, if any. Pinning the same root again changes nothing.
pub(crate) fn pin_in(
    tx: &Transaction<'_>,
    by: &Actor,
    now: DateTime<FixedOffset>,
    sha: &str,
    der: &[u8],
    subject: &str,
    from: Option<&str>,
) -> Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO trust_anchors (sha256, der, name, added_at) VALUES (?1, ?2, ?3, ?4)",
        params![sha, der, subject, stamp(&now)],
    )?;
    let mut payload = serde_json::json!({ "subject": subject, "root_sha256": sha });
    if let Some(from) = from {
        payload["from"] = from.into();
    }
    journal::append_admin(tx, by, events::SEAL_TRUST_ANCHOR, now, payload, None)?;
    Ok(())
}
