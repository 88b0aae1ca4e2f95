//! Electronic seals in the case engine: the seal registry, the signed trust bundle, sealing a
//! case's documents with the department's seal, the seal usage log (用印登记), and verification.
//!
//! The crypto, PDF and format work is in the `yc-seal` crate; this module holds the rules:
//! only a seal keeper seals; a document type only in a case state that allows it; the PIN every
//! time; every sealing journaled and written to the hash-chained usage log in one transaction; and
//! a case reaches 办结 only with its sealed decision (checked in `Workstation::act`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use yc_seal::{
    CertificateField, CjkFont, DocumentSpec, KeyStoreOptions, PictureFormat, Seal, SealAuthority, SealHeader, SealInfo,
    SealKeyFile, SealPicture, SealProperty, SealStatus, SealStatusEntry, SealType, SignerCertRequest,
    TrustBundleContent, Verification,
};

use crate::case::Role;
use crate::clock::stamp;
use crate::error::{CoreError, Result, seal_err};
use crate::events;
use crate::hash::sha256_hex;
use crate::journal::{self, NewEvent};
use crate::query::CaseDetail;
use crate::staff::Actor;
use crate::workstation::Workstation;

use crate::document::{DOCUMENT_KIND, append_usage, project_sealed};
pub use crate::document::{DocKind, DocumentProof, DocumentRow, PadesLevel};

/// The CJK font, loaded once per process (the collection file is large).
pub(crate) fn font() -> Result<&'static CjkFont> {
    static FONT: OnceLock<std::result::Result<CjkFont, String>> = OnceLock::new();
    FONT.get_or_init(|| CjkFont::load_default().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| CoreError::Seal(e.clone()))
}

#[derive(Debug, Clone, Serialize)]
pub struct SealRow {
    pub seal_id: String,
    pub name: String,
    pub seal_type: String,
    pub department: String,
    pub created_at: String,
    pub status: String,
    pub locked: bool,
    pub failed_attempts: u32,
}

fn utc(ws: &Workstation) -> DateTime<Utc> {
    ws.clock().now().with_timezone(&Utc)
}

impl Workstation {
    fn authority_key_path(&self) -> PathBuf {
        self.data_dir().join("authority").join("root.key")
    }

    /// Takes a time-stamping authority's root (the city TSA's) into the trust bundle's
    /// `tsa_roots`, so timestamps it signs prove a time to `yc verify` here and to whoever holds
    /// the exported bundle. In the bundle rather than pinned per workstation because the seal
    /// authority signs the bundle: one decision, carried to every workstation and outside
    /// verifier with the seal statuses (docs/seal.md). Admin; the authority's PIN signs the new
    /// bundle; `confirmed_sha256` is typed by the admin after comparing with the fingerprint the
    /// TSA's operator publishes. A seal authority root is refused (it vouches for seals, never for
    /// times). Journaled. Returns the fingerprint and the bundle version that carries it.
    pub fn trust_tsa_root(
        &self,
        by: &Actor,
        der: &[u8],
        confirmed_sha256: &str,
        authority_pin: &str,
    ) -> Result<(String, u64)> {
        by.require_role(Role::Admin, "导入时间戳根证书")?;
        let fp = yc_seal::fingerprint(der);
        let subject = yc_seal::certificate_subject(der)
            .ok_or_else(|| CoreError::Seal("时间戳根证书无法解析，拒绝导入".into()))?;
        if !yc_seal::fingerprint_matches(der, confirmed_sha256) {
            return Err(CoreError::Seal(format!(
                "确认的指纹与时间戳根证书不符，拒绝导入：「{subject}」的 SHA-256 为 {fp}，请与时间戳服务运营方公布的指纹逐位核对"
            )));
        }
        if self.anchors()?.iter().any(|a| a == der) {
            return Err(CoreError::Seal("这是印章制作机构的信任根，不能作为时间戳根证书".into()));
        }
        let (authority, _) = self.authority(authority_pin)?;
        let current = self.trust_bundle()?;
        if current.tsa_roots().iter().any(|r| r == der) {
            return Ok((fp, current.version()));
        }
        let now = utc(self);
        let mut content = current.content().clone();
        content.tsa_roots.push(der.to_vec());
        content.version += 1;
        content.this_update = now;
        content.next_update = now + Duration::days(90);
        let bundle = authority.sign_trust_bundle(content).map_err(seal_err)?;
        let version = self.import_trust_bundle(&bundle.to_bytes().map_err(seal_err)?, "authority")?;
        self.store().write(|tx| {
            journal::append_admin(
                tx,
                by,
                events::SEAL_TSA_ROOT,
                self.clock().now(),
                serde_json::json!({ "subject": subject, "root_sha256": sha256_hex(der), "bundle_version": version }),
                None,
            )?;
            Ok(())
        })?;
        Ok((fp, version))
    }

    /// Creates a seal authority in this data directory and pins its root. The city's real seal
    /// authority is a separate body; this is for demos, tests and pilots.
    pub fn create_seal_authority(&self, by: &Actor, name: &str, pin: &str, options: KeyStoreOptions) -> Result<()> {
        by.require_role(Role::Admin, "建立印章制作机构")?;
        let now = utc(self);
        let authority =
            SealAuthority::generate(name, now - Duration::days(1), now + Duration::days(3650)).map_err(seal_err)?;
        let path = self.authority_key_path();
        if path.exists() {
            return Err(CoreError::Seal(format!("印章制作机构已存在：{}", path.display())));
        }
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).map_err(|e| CoreError::io(&path, e))?;
        let root = authority.root_certificate().to_vec();
        SealKeyFile::create(&path, "authority", &authority.root_key_pkcs8(), vec![root.clone()], pin, options)
            .map_err(seal_err)?;
        let at = stamp(&self.clock().now());
        self.store().write(|tx| {
            tx.execute(
                "INSERT OR IGNORE INTO trust_anchors (sha256, der, name, added_at) VALUES (?1, ?2, ?3, ?4)",
                params![sha256_hex(&root), root, name, at],
            )?;
            journal::append_admin(
                tx,
                by,
                events::SEAL_AUTHORITY,
                self.clock().now(),
                serde_json::json!({ "name": name, "root_sha256": sha256_hex(&root) }),
                None,
            )?;
            Ok(())
        })?;
        self.publish_bundle(&authority, name)
    }

    fn authority(&self, pin: &str) -> Result<(SealAuthority, String)> {
        let file = SealKeyFile::open(&self.authority_key_path()).map_err(seal_err)?;
        let (pkcs8, chain) = file.unlock_key(pin).map_err(seal_err)?;
        let conn = self.store().reader()?;
        let name: String = conn
            .query_row("SELECT name FROM trust_anchors ORDER BY added_at LIMIT 1", [], |r| r.get(0))
            .optional()?
            .ok_or_else(|| CoreError::Seal("没有印章制作机构".into()))?;
        let root = chain.into_iter().next().ok_or_else(|| CoreError::Seal("根证书缺失".into()))?;
        Ok((SealAuthority::from_pkcs8(&name, &pkcs8, root).map_err(seal_err)?, name))
    }

    /// Signs and stores a new trust bundle with every registered seal and its status.
    fn publish_bundle(&self, authority: &SealAuthority, name: &str) -> Result<()> {
        let now = utc(self);
        let previous = self.trust_bundle().ok();
        let mut seals: Vec<SealStatusEntry> = previous.as_ref().map(|b| b.content().seals.clone()).unwrap_or_default();
        let conn = self.store().reader()?;
        let mut st = conn.prepare("SELECT seal_json FROM seals ORDER BY created_at")?;
        let registered: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        for json in registered {
            let seal = Seal::from_json(&json).map_err(seal_err)?;
            if !seals.iter().any(|e| e.seal.id() == seal.id()) {
                seals.push(SealStatusEntry { seal, status: SealStatus::Active });
            }
        }
        let content = TrustBundleContent {
            version: previous.as_ref().map_or(1, |b| b.version() + 1),
            issuer: name.to_owned(),
            this_update: now,
            // The demo authority republishes at every change; 90 days covers a long offline spell.
            next_update: now + Duration::days(90),
            roots: vec![authority.root_certificate().to_vec()],
            seals,
            revoked_certificates: previous
                .as_ref()
                .map(|b| b.content().revoked_certificates.clone())
                .unwrap_or_default(),
            tsa_roots: previous.map(|b| b.content().tsa_roots.clone()).unwrap_or_default(),
        };
        let bundle = authority.sign_trust_bundle(content).map_err(seal_err)?;
        self.import_trust_bundle(&bundle.to_bytes().map_err(seal_err)?, "authority")?;
        Ok(())
    }

    /// Issues a department seal: key pair, signer certificate and seal object from the
    /// authority, the private key encrypted under `pin` in the key store, a new trust bundle.
    pub fn issue_seal(
        &self,
        by: &Actor,
        department: &str,
        seal_type: SealType,
        pin: &str,
        authority_pin: &str,
        options: KeyStoreOptions,
    ) -> Result<String> {
        by.require_role(Role::Admin, "刻制电子印章")?;
        by.require_department(department)?;
        let (authority, name) = self.authority(authority_pin)?;
        let now = utc(self);
        let pkcs8 = yc_seal::generate_pkcs8().map_err(seal_err)?;
        let public = yc_seal::public_key_of(&pkcs8).map_err(seal_err)?;
        let credit_code = self
            .catalog_items(None)?
            .into_iter()
            .find(|i| i.department == department)
            .and_then(|i| i.department_code)
            .unwrap_or_default();
        let seal_name = format!("{department}{}", seal_type.label());
        let cert = authority
            .issue_signer_certificate(
                &SignerCertRequest {
                    common_name: seal_name.clone(),
                    department: department.to_owned(),
                    credit_code: credit_code.clone(),
                    not_before: now - Duration::days(1),
                    not_after: now + Duration::days(3 * 365),
                },
                &public,
            )
            .map_err(seal_err)?;
        let seq: i64 = self.store().reader()?.query_row("SELECT count(*) + 1 FROM seals", [], |r| r.get(0))?;
        let seal_id = format!("{}{}{seq:04}", self.identity().region, now.format("%Y"));
        let seal = authority
            .make_seal(SealInfo {
                header: SealHeader::default(),
                seal_id: seal_id.clone(),
                property: SealProperty {
                    seal_type,
                    name: seal_name.clone(),
                    department: department.to_owned(),
                    credit_code,
                    signer_certs: vec![cert.clone()],
                    create_date: now,
                    valid_start: now - Duration::days(1),
                    valid_end: now + Duration::days(3 * 365),
                },
                picture: SealPicture {
                    format: PictureFormat::Svg,
                    data: yc_seal::seal_svg(department, seal_type),
                    width_mm: 42,
                    height_mm: 42,
                },
            })
            .map_err(seal_err)?;
        let rel = format!("seals/{seal_id}.key");
        let path = self.data_dir().join(&rel);
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).map_err(|e| CoreError::io(&path, e))?;
        SealKeyFile::create(&path, &seal_id, &pkcs8, vec![cert, authority.root_certificate().to_vec()], pin, options)
            .map_err(seal_err)?;
        let json = seal.to_json().map_err(seal_err)?;
        self.store().write(|tx| {
            tx.execute(
                "INSERT INTO seals (seal_id, name, seal_type, department, seal_json, key_file, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![seal_id, seal_name, seal_type.label(), department, json, rel, stamp(&self.clock().now())],
            )?;
            journal::append_admin(tx, by, events::SEAL_ISSUE, self.clock().now(), serde_json::json!({ "seal_id": seal_id, "name": seal_name, "department": department }), None)?;
            Ok(())
        })?;
        self.publish_bundle(&authority, &name)?;
        Ok(seal_id)
    }

    /// Revokes a seal from now on (a new signed bundle lists it revoked).
    pub fn revoke_seal(&self, by: &Actor, seal_id: &str, reason: &str, authority_pin: &str) -> Result<()> {
        by.require_role(Role::Admin, "作废电子印章")?;
        by.require_department(&self.seal_department(seal_id)?)?;
        if reason.trim().is_empty() {
            return Err(CoreError::Missing { action: "作废电子印章".into(), field: "理由".into() });
        }
        let (authority, name) = self.authority(authority_pin)?;
        let current = self.trust_bundle()?;
        let mut content = current.content().clone();
        let entry = content
            .seals
            .iter_mut()
            .find(|e| e.seal.id() == seal_id)
            .ok_or_else(|| CoreError::Seal(format!("信任包中没有印章 {seal_id}")))?;
        entry.status = SealStatus::Revoked { at: utc(self), reason: reason.to_owned() };
        content.version += 1;
        content.this_update = utc(self);
        content.next_update = utc(self) + Duration::days(90);
        let bundle = authority.sign_trust_bundle(content).map_err(seal_err)?;
        self.import_trust_bundle(&bundle.to_bytes().map_err(seal_err)?, "authority")?;
        self.store().write(|tx| {
            journal::append_admin(
                tx,
                by,
                events::SEAL_REVOKE,
                self.clock().now(),
                serde_json::json!({ "seal_id": seal_id, "authority": name }),
                Some(reason),
            )?;
            Ok(())
        })
    }

    /// Unlocks a seal whose key locked itself after wrong PINs. An administrator asks, the seal
    /// authority confirms with its own PIN (so a workstation admin alone cannot reopen a seal),
    /// a reason is required, and the unlock is journaled with the count of wrong PINs it clears.
    pub fn unlock_seal(&self, by: &Actor, seal_id: &str, reason: &str, authority_pin: &str) -> Result<u32> {
        by.require_role(Role::Admin, "解锁电子印章")?;
        by.require_department(&self.seal_department(seal_id)?)?;
        if reason.trim().is_empty() {
            return Err(CoreError::Missing { action: "解锁电子印章".into(), field: "理由".into() });
        }
        let key_file: String = self
            .store()
            .reader()?
            .query_row("SELECT key_file FROM seals WHERE seal_id = ?1", [seal_id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| CoreError::Invalid(format!("没有印章 {seal_id}")))?;
        let file = SealKeyFile::open(&self.data_dir().join(key_file)).map_err(seal_err)?;
        let status = file.status().map_err(seal_err)?;
        if status.failed_attempts == 0 {
            return Err(CoreError::Invalid(format!("印章 {seal_id} 未锁定，也没有 PIN 错误记录，无需解锁")));
        }
        let (_, authority) = self.authority(authority_pin)?;
        // Journal first: if the reset then fails the record says an unlock was attempted; a
        // reset without its journal event cannot happen.
        self.store().write(|tx| {
            journal::append_admin(
                tx,
                by,
                events::SEAL_UNLOCK,
                self.clock().now(),
                serde_json::json!({
                    "seal_id": seal_id,
                    "authority": authority,
                    "failed_attempts": status.failed_attempts,
                    "was_locked": status.locked,
                }),
                Some(reason),
            )?;
            Ok(())
        })?;
        file.reset_attempts().map_err(seal_err)?;
        Ok(status.failed_attempts)
    }

    /// The department a seal belongs to (its administrators manage it).
    fn seal_department(&self, seal_id: &str) -> Result<String> {
        self.store()
            .reader()?
            .query_row("SELECT department FROM seals WHERE seal_id = ?1", [seal_id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| CoreError::Invalid(format!("没有印章 {seal_id}")))
    }

    pub fn list_seals(&self) -> Result<Vec<SealRow>> {
        let bundle = self.trust_bundle().ok();
        let conn = self.store().reader()?;
        let mut st = conn
            .prepare("SELECT seal_id, name, seal_type, department, created_at, key_file FROM seals ORDER BY seal_id")?;
        let rows: Vec<(String, String, String, String, String, String)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let dir = self.data_dir();
        Ok(rows
            .into_iter()
            .map(|(seal_id, name, seal_type, department, created_at, key_file)| {
                let status = match bundle.as_ref().and_then(|b| b.seal_entry(&seal_id)) {
                    Some(e) => match &e.status {
                        SealStatus::Active => "有效".to_owned(),
                        SealStatus::Revoked { at, reason } => format!("已作废（{at}，{reason}）"),
                    },
                    None => "未列入信任包".to_owned(),
                };
                let key = SealKeyFile::open(&dir.join(key_file)).and_then(|k| k.status()).ok();
                SealRow {
                    seal_id,
                    name,
                    seal_type,
                    department,
                    created_at,
                    status,
                    locked: key.as_ref().is_some_and(|k| k.locked),
                    failed_attempts: key.map_or(0, |k| k.failed_attempts),
                }
            })
            .collect())
    }

    fn seal_for(&self, department: &str) -> Result<(Seal, String)> {
        let conn = self.store().reader()?;
        let row: Option<(String, String)> = conn
            .query_row(
                "SELECT seal_json, key_file FROM seals WHERE department = ?1
                 ORDER BY seal_type = '行政许可专用章' DESC, created_at DESC LIMIT 1",
                [department],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (json, key) = row.ok_or_else(|| CoreError::Seal(format!("「{department}」没有可用的电子印章")))?;
        Ok((Seal::from_json(&json).map_err(seal_err)?, key))
    }

    /// Seals one document of a case with its department's seal. Seal keeper only; the PIN is
    /// needed every time (a wrong PIN is counted and locks the key after N tries).
    pub fn seal_document(&self, by: &Actor, case_no: &str, kind: DocKind, pin: &str) -> Result<DocumentRow> {
        by.require_role(Role::SealKeeper, "用印")?;
        let case = self.case_detail(case_no, None)?;
        by.require_department(&case.summary.department)?;
        // The rule is over the case's facts, the same the state machine decides on.
        let facts = crate::projection::facts(&*self.store().reader()?, case_no)?;
        if !kind.allowed(&facts, case.summary.accepted_on.is_some()) {
            return Err(CoreError::IllegalTransition {
                state: case.summary.state_zh.clone(),
                action: format!("用印（{}）", kind.zh()),
                detail: format!("（办件处于「{}」状态，不能出具「{}」）", case.summary.state_zh, kind.zh()),
            });
        }
        let (seal, key_file) = self.seal_for(&case.summary.department)?;
        let bundle = self.trust_bundle()?;
        let now = utc(self);
        bundle.check_seal_usable(&seal, now).map_err(seal_err)?;
        let signer =
            SealKeyFile::open(&self.data_dir().join(key_file)).and_then(|k| k.unlock(pin)).map_err(seal_err)?;
        let doc_id = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            u64::try_from(now.timestamp()).unwrap_or(0),
            now.timestamp_subsec_nanos(),
        ))
        .to_string();
        // Every certificate carries its GB/T 36904 licence id, printed on it (and so bound by
        // the verification QR's content hash) and named in the event (crate::licence).
        let licence = if kind == DocKind::Certificate { Some(self.licence_for(&case)?) } else { None };
        let spec = self.document_spec(&case, kind, &doc_id, licence.as_ref())?;
        // Online (an adapter's TSA answers within the bound): B-T at once, and the DSS makes it
        // B-LT; otherwise B-B at once and the sync pass stamps it (crate::timestamping).
        let sealed = match self.online_stamper(&bundle, now)? {
            Some(tsa) => yc_seal::seal_document_timestamped(&spec, &seal, &signer, font()?, now, &tsa),
            None => yc_seal::seal_document(&spec, &seal, &signer, font()?, now),
        }
        .map_err(seal_err)?;
        let chain = yc_seal::Signer::certificate_chain(&signer).to_vec();
        drop(signer);
        let (pdf, level) = match sealed.signature_timestamp {
            Some(_) => {
                let data = bundle.validation_data(&chain, &[]);
                let level = if data.crls.is_empty() { PadesLevel::BT } else { PadesLevel::BLT };
                (yc_seal::add_validation_data(&sealed.pdf, &data).map_err(seal_err)?, level)
            }
            None => (sealed.pdf, PadesLevel::BB),
        };
        let sha = sha256_hex(&pdf);
        let path = self.data_dir().join("documents").join(format!("{sha}.pdf"));
        crate::store::write_atomically(
            &path,
            &crate::vault::file_bytes(&path, self.store().files(), DOCUMENT_KIND, &pdf)?,
        )?;
        let info = serde_json::to_value(&sealed.signature_info).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let mut payload = serde_json::json!({
            "doc_id": doc_id, "doc_type": kind.code(), "seal_id": seal.id(), "file_sha256": sha,
            "qr_payload": sealed.qr_payload, "signature_info": info,
            "pades_level": level.code(),
            "proven_time": sealed.signature_timestamp.map(|t| t.to_rfc3339()),
            "timestamp_error": sealed.timestamp_error,
        });
        if let (Some(l), Some(o)) = (&licence, payload.as_object_mut()) {
            o.insert("licence".into(), serde_json::to_value(l).map_err(|e| CoreError::Invalid(e.to_string()))?);
        }
        let at = self.clock().now();
        let label = self.label();
        self.store().write(|tx| {
            let ev = journal::append(
                tx,
                NewEvent {
                    case_no: Some(case_no),
                    actor: &by.id,
                    role: Role::SealKeeper.code(),
                    action: events::DOCUMENT_SEALED,
                    at,
                    payload: payload.clone(),
                    reason: None,
                },
            )?;
            project_sealed(tx, &ev)?;
            crate::licence::project::project_sealed(tx, &ev)?;
            append_usage(tx, &ev, &info)?;
            crate::sync::outbox::enqueue(tx, &ev, &label)?;
            Ok(())
        })?;
        self.document(&doc_id)
    }

    /// The licence id of the case's certificate: the item's 基本编码 as the type, the implementing
    /// department's credit code as the issuer, the case as the serial, and the version counting
    /// the case's 变更 and 转让 (crate::licence).
    fn licence_for(&self, c: &CaseDetail) -> Result<crate::licence::Issued> {
        let s = &c.summary;
        let (_, item) = self.catalog_item(&s.item_code, Some(c.catalog_version))?;
        let issuer = item.department_code.clone().ok_or_else(|| {
            CoreError::Invalid(format!("事项「{}」未登记实施机关的统一社会信用代码，无法生成电子证照标识", item.name))
        })?;
        let type_code = item.base_code.clone().unwrap_or_else(|| item.code.clone());
        let type_name = item.result.as_ref().map_or_else(|| item.name.clone(), |r| r.name.clone());
        let changes = c.events.iter().filter(|e| e.action == "change" || e.action == "transfer").count();
        let version = u16::try_from(changes + 1).unwrap_or(u16::MAX);
        crate::licence::issue(&type_code, &type_name, &issuer, &s.case_no, version)
    }

    fn document_spec(
        &self,
        c: &CaseDetail,
        kind: DocKind,
        doc_id: &str,
        licence: Option<&crate::licence::Issued>,
    ) -> Result<DocumentSpec> {
        let s = &c.summary;
        let date = self.today();
        let year = date.format("%Y");
        // GB/T 9704 §7.2.3 发文字号: 机关代字 + 〔年份〕 + 序号, no 第, no zero padding
        // (民政许〔2026〕1号). Kinds sharing a 代字 share one series per department and year.
        let (code, series) = doc_series(kind);
        let placeholders = vec!["?"; series.len()].join(", ");
        let mut args: Vec<String> = series.iter().map(|k| k.code().to_owned()).collect();
        args.push(year.to_string());
        args.push(s.department.clone());
        let n: i64 = self.store().reader()?.query_row(
            &format!(
                "SELECT count(*) + 1 FROM documents WHERE doc_type IN ({placeholders})
                 AND substr(sealed_at, 1, 4) = ?{y}
                 AND case_no IN (SELECT case_no FROM cases WHERE department = ?{d})",
                y = series.len() + 1,
                d = series.len() + 2
            ),
            rusqlite::params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        let short: String = s.department.trim_start_matches("示范区").chars().take(2).collect();
        let doc_number = format!("{short}{code}〔{year}〕{n}号");
        let event = |action: &str| c.events.iter().rev().find(|e| e.action == action);
        let reason_of = |action: &str| event(action).and_then(|e| e.reason.clone()).unwrap_or_default();
        let basis_of = |action: &str| {
            event(action).and_then(|e| e.payload.get("legal_basis").and_then(|b| b.as_str()).map(str::to_owned))
        };
        // Dates in the body in Chinese (2026年10月21日), as GB/T 9704 writes them.
        let filed = &zh_date(&s.filed_on);
        let mut body = Vec::new();
        let mut list = Vec::new();
        let mut legal_basis = None;
        let mut fields = Vec::new();
        match kind {
            DocKind::Receipt => {
                body.push(format!("你（单位）于{filed}提交的「{}」申请材料已收到，清单如下。", s.item_name));
                body.push(format!("凭办件编号 {} 可随时查询办理进度。", s.case_no));
                list = c.materials.iter().filter(|m| m.provided).map(|m| m.name.clone()).collect();
            }
            DocKind::Acceptance => {
                body.push(format!(
                    "你（单位）于{filed}提出的「{}」申请，申请材料齐全、符合法定形式，本机关决定予以受理。",
                    s.item_name
                ));
                if let Some(due) = s.due_date.as_deref().map(zh_date) {
                    body.push(format!("本机关将于{due}前作出决定（不含依法不计入期限的时间）。"));
                }
                legal_basis = Some("《中华人民共和国行政许可法》第三十二条第一款第（五）项".to_owned());
            }
            DocKind::NonAcceptance => {
                body.push(format!("你（单位）于{filed}提出的「{}」申请，本机关决定不予受理。", s.item_name));
                body.push(format!("理由：{}", reason_of("refuse_acceptance")));
                // The remedy sentence is printed by the template (yc_seal::remedy_sentence), once.
                legal_basis = basis_of("refuse_acceptance");
            }
            DocKind::Supplement => {
                body.push(format!(
                    "你（单位）于{filed}提出的「{}」申请，材料不齐全或不符合法定形式，请一次性补正下列材料：",
                    s.item_name
                ));
                let asked = reason_of("request_supplement");
                list = asked
                    .trim_start_matches("请补正：")
                    .split(['、', '，', ',', '；'])
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_owned)
                    .collect();
                if list.is_empty() {
                    list.push(asked);
                }
                legal_basis = Some("《中华人民共和国行政许可法》第三十二条第一款第（四）项".to_owned());
            }
            DocKind::Approval => {
                body.push(format!(
                    "你（单位）于{filed}提出的「{}」申请，经审查，符合法定条件、标准，本机关决定准予行政许可。",
                    s.item_name
                ));
                legal_basis = Some("《中华人民共和国行政许可法》第三十八条第一款".to_owned());
            }
            DocKind::Refusal => {
                body.push(format!(
                    "你（单位）于{filed}提出的「{}」申请，经审查，本机关决定不予行政许可。",
                    s.item_name
                ));
                body.push(format!("理由：{}", reason_of("deny")));
                legal_basis = basis_of("deny");
            }
            DocKind::Certificate => {
                // Holder, ID and item are printed by the template itself.
                fields = vec![
                    CertificateField { label: "发证机关".into(), value: s.department.clone() },
                    CertificateField { label: "发证日期".into(), value: yc_seal::chinese_date(date) },
                ];
                if let Some(l) = licence {
                    fields.push(CertificateField { label: "电子证照标识".into(), value: l.licence_id.clone() });
                }
            }
        }
        Ok(DocumentSpec {
            doc_type: kind.doc_type(),
            title: None,
            doc_id: doc_id.to_owned(),
            doc_number,
            case_number: s.case_no.clone(),
            applicant_name: s.applicant_name.clone(),
            applicant_id: s.applicant_id.clone(),
            item_name: s.item_name.clone(),
            body,
            list_items: list,
            legal_basis,
            department: s.department.clone(),
            date,
            qr_payload: (kind == DocKind::Receipt).then(|| format!("YCCASE:{}", s.case_no)),
            certificate_fields: fields,
            watermark: crate::enrollment::in_training(&*self.store().reader()?)?
                .then(|| crate::enrollment::TRAINING_WATERMARK.to_owned()),
        })
    }

    /// Verifies a sealed PDF against this workstation's trust bundle: same answer offline and
    /// online (only the bundle's freshness differs).
    pub fn verify_pdf(&self, bytes: &[u8]) -> Result<Verification> {
        Ok(yc_seal::verify_pdf(bytes, &self.trust_bundle()?, utc(self)))
    }

    pub fn verify_qr(&self, payload: &str) -> Result<Verification> {
        Ok(yc_seal::verify_qr(payload, &self.trust_bundle()?, utc(self)))
    }
}

/// 机关代字 of a document kind and the kinds numbered in the same series.
fn doc_series(kind: DocKind) -> (&'static str, &'static [DocKind]) {
    match kind {
        DocKind::Approval | DocKind::Refusal => ("许", &[DocKind::Approval, DocKind::Refusal]),
        DocKind::Acceptance | DocKind::NonAcceptance => ("受", &[DocKind::Acceptance, DocKind::NonAcceptance]),
        DocKind::Supplement => ("补", &[DocKind::Supplement]),
        DocKind::Receipt => ("收", &[DocKind::Receipt]),
        DocKind::Certificate => ("证", &[DocKind::Certificate]),
    }
}

/// An ISO date from the case record as 2026年10月21日; anything else unchanged.
fn zh_date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso.get(..10).unwrap_or(iso), "%Y-%m-%d")
        .map_or_else(|_| iso.to_owned(), yc_seal::chinese_date)
}
