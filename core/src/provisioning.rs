//! Packages from the city platform: the enrollment reply (crate::enrollment) and the offline
//! update bundles after it (`yc update`). Both are a [`Package`] signed by the city's issuer key
//! (wire format: `yc_adapter_sdk::provision`). The rules, in the order they are checked:
//!
//! 1. the signature holds over the exact bytes (else: tampered);
//! 2. the signer is the issuer this workstation trusts — for the enrollment reply the key whose
//!    fingerprint the administrator confirmed, afterwards the key the reply came from (else: foreign);
//! 3. it is addressed to this workstation: its code and its own public key (else: not ours);
//! 4. its serial is above every package applied here, and its bytes were never applied (else:
//!    replayed, or older — a rollback to a bundle from before a revocation);
//! 5. every part parses and checks (catalog, calendar years, trust bundle against the pinned roots,
//!    staff roles, adapters; an app package beside it matches its hash).
//!
//! Then all of it is applied in ONE transaction with its `provision.apply` event: a bundle applies
//! completely or not at all.

use std::path::Path;

use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use yc_adapter_sdk::provision::{self as wire, Package, PackageKind, Signed};

use crate::calendar::YearTable;
use crate::case::Role;
use crate::clock::stamp;
use crate::enrollment::{enrolled_issuer, workstation_public_key};
use crate::error::{CoreError, ProvisionError, Result};
use crate::events;
use crate::journal;
use crate::projection::Projector;
use crate::staff::Actor;
use crate::workstation::Workstation;

pub(crate) fn kind_zh(k: PackageKind) -> &'static str {
    match k {
        PackageKind::Enrollment => "注册回执",
        PackageKind::Update => "升级包",
    }
}

/// One thing a package changes, in the order it is applied.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum Change {
    TrustRoot {
        subject: String,
        sha256: String,
    },
    TrustBundle {
        version: u64,
    },
    Catalog {
        label: String,
        items: usize,
    },
    Calendar {
        year: i32,
    },
    StaffAdd {
        id: String,
        name: String,
        roles: Vec<String>,
        departments: Vec<String>,
    },
    /// The account exists already: left as it is.
    StaffKept {
        id: String,
    },
    Adapter {
        name: String,
        kind: String,
    },
    /// A new program version beside the bundle, hash checked; installing it needs root (ADMIN.md §6).
    AppPackage {
        file: String,
        version: String,
    },
}

impl Change {
    pub fn zh(&self) -> String {
        match self {
            Self::TrustRoot { subject, sha256 } => format!("固定印章信任根「{subject}」（SHA-256 {sha256}）"),
            Self::TrustBundle { version } => format!("印章信任包更新到版本 {version}"),
            Self::Catalog { label, items } => format!("导入事项目录 {label}（{items} 个事项），新收办件按新版本"),
            Self::Calendar { year } => format!("导入 {year} 年工作日历，进行中办件的期限重新计算"),
            Self::StaffAdd { id, name, roles, departments } => {
                format!(
                    "新增工作人员 {id}（{name}，角色 {}，部门 {}；初始密码由管理员设置）",
                    roles.join("、"),
                    departments.join("、")
                )
            }
            Self::StaffKept { id } => format!("工作人员 {id} 已存在，保持不变"),
            Self::Adapter { name, kind } => format!("登记同步适配器 {name}（{kind}）"),
            Self::AppPackage { file, version } => {
                format!("新版程序 {file}（{version}，哈希已核对）：须由管理员安装 sudo apt install ./{file}")
            }
        }
    }
}

/// What a package is and what it would change (`yc update show`), before anything is written.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub kind: PackageKind,
    pub issuer: String,
    pub issuer_fingerprint: String,
    pub serial: u64,
    pub to: String,
    pub issued_at: String,
    pub sha256: String,
    pub changes: Vec<Change>,
    /// Why it would be refused (the error [`Workstation::apply_update`] would give), if it would.
    pub refusal: Option<String>,
}

/// One applied package.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub kind: PackageKind,
    pub serial: u64,
    pub issuer: String,
    pub sha256: String,
    pub changes: Vec<Change>,
}

/// The package's parts, parsed and checked: what [`apply`] writes.
pub(crate) struct Checked {
    pub package: Package,
    pub sha256: String,
    pub issuer_key: String,
    pub roots: Vec<(String, String, Vec<u8>)>,
    pub bundle: Option<(Vec<u8>, u64)>,
    pub catalog: Option<(crate::catalog::CatalogFile, String)>,
    pub calendars: Vec<YearTable>,
    pub staff: Vec<crate::NewStaff>,
    pub adapters: Vec<crate::sync::outbox::AdapterRegistration>,
    pub changes: Vec<Change>,
}

fn bad(part: &str, detail: impl std::fmt::Display) -> ProvisionError {
    ProvisionError::BadContent { part: part.into(), detail: detail.to_string() }
}

/// The signature, then the body (rule 1).
pub(crate) fn open(bytes: &[u8]) -> Result<(Signed, Package), ProvisionError> {
    let signed = Signed::from_bytes(bytes).map_err(|e| ProvisionError::Malformed(e.to_string()))?;
    signed.verify(wire::PACKAGE_DOMAIN).map_err(|e| match e {
        wire::SignedError::BadSignature => ProvisionError::Tampered,
        wire::SignedError::Malformed(m) => ProvisionError::Malformed(m),
    })?;
    let package: Package = serde_json::from_str(&signed.body).map_err(|e| ProvisionError::Malformed(e.to_string()))?;
    if package.format != wire::FORMAT {
        return Err(ProvisionError::Malformed(format!("格式版本 {}，本程序支持 {}", package.format, wire::FORMAT)));
    }
    Ok((signed, package))
}

fn fingerprint_of(key_hex: &str) -> String {
    wire::unhex(key_hex).map_or_else(String::new, |k| yc_adapter_sdk::sha256_hex(&k))
}

/// Normalises a fingerprint typed by a person: spaces and colons dropped, lower case.
pub(crate) fn normalise_fingerprint(s: &str) -> String {
    s.chars().filter(char::is_ascii_hexdigit).collect::<String>().to_ascii_lowercase()
}

impl Workstation {
    /// Rules 2–5 for a package that passed [`open`]. `trusted_fingerprint`: for the enrollment
    /// reply, the issuer fingerprint the administrator confirmed; updates use the enrolled issuer.
    pub(crate) fn check_package(
        &self,
        signed: &Signed,
        package: Package,
        expected: PackageKind,
        trusted_fingerprint: Option<&str>,
        folder: Option<&Path>,
    ) -> Result<Checked> {
        let conn = self.store().reader()?;
        if package.kind != expected {
            return Err(ProvisionError::WrongKind { expected: kind_zh(expected), found: kind_zh(package.kind) }.into());
        }
        let found = signed.signer_fingerprint();
        match (expected, enrolled_issuer(&conn)?) {
            (PackageKind::Enrollment, Some((issuer, _, at))) => {
                return Err(ProvisionError::AlreadyEnrolled { issuer, at }.into());
            }
            (PackageKind::Enrollment, None) => {
                let expected_fp = normalise_fingerprint(trusted_fingerprint.unwrap_or_default());
                if expected_fp.is_empty() || expected_fp != found {
                    return Err(ProvisionError::Foreign {
                        issuer: package.issuer.clone(),
                        found,
                        expected: if expected_fp.is_empty() { "（未填写）".into() } else { expected_fp },
                    }
                    .into());
                }
            }
            (PackageKind::Update, None) => return Err(ProvisionError::NotEnrolled.into()),
            (PackageKind::Update, Some((_, key, _))) => {
                if key != signed.signer {
                    return Err(ProvisionError::Foreign {
                        issuer: package.issuer.clone(),
                        found,
                        expected: fingerprint_of(&key),
                    }
                    .into());
                }
            }
        }
        let ours = self.label();
        let our_key = workstation_public_key(&conn)?;
        if package.to != ours || package.workstation_key != our_key {
            let detail = if package.to == ours {
                "（编号相同，但绑定的是另一台电脑的工作站密钥）".into()
            } else {
                String::new()
            };
            return Err(ProvisionError::NotForUs { to: package.to.clone(), ours, detail }.into());
        }
        let sha256 = signed.body_sha256();
        let seen: Option<(i64, String)> = conn
            .query_row("SELECT serial, applied_at FROM provisioning WHERE sha256 = ?1", [&sha256], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        if let Some((serial, applied_at)) = seen {
            return Err(ProvisionError::Replayed { serial: u64::try_from(serial).unwrap_or(0), applied_at }.into());
        }
        let current: Option<i64> = conn.query_row("SELECT MAX(serial) FROM provisioning", [], |r| r.get(0))?;
        if let Some(current) = current.and_then(|c| u64::try_from(c).ok())
            && package.serial <= current
        {
            return Err(ProvisionError::Older { serial: package.serial, current }.into());
        }
        if expected == PackageKind::Enrollment {
            let pending = crate::enrollment::pending_request_sha(&conn)?.unwrap_or_default();
            let answered = package.request_sha256.clone().unwrap_or_default();
            if pending != answered {
                return Err(ProvisionError::WrongRequest { expected: pending, found: answered }.into());
            }
        }
        if expected == PackageKind::Update && !package.contents.trust_roots.is_empty() {
            return Err(
                bad("信任根", "升级包不能更换印章信任根：根证书只在注册时固定，或由管理员核对指纹后手工固定").into()
            );
        }
        drop(conn);
        self.check_contents(package, sha256, signed.signer.clone(), folder)
    }

    fn check_contents(
        &self,
        package: Package,
        sha256: String,
        issuer_key: String,
        folder: Option<&Path>,
    ) -> Result<Checked> {
        let c = &package.contents;
        let mut changes = Vec::new();
        let mut roots = Vec::new();
        let mut anchors = self.trust_anchors()?;
        for r in &c.trust_roots {
            let der = wire::unhex(r).ok_or_else(|| bad("信任根", "不是十六进制"))?;
            let subject = yc_seal::certificate_subject(&der).ok_or_else(|| bad("信任根", "根证书无法解析"))?;
            let sha = yc_adapter_sdk::sha256_hex(&der);
            changes.push(Change::TrustRoot { subject: subject.clone(), sha256: sha.clone() });
            anchors.push(der.clone());
            roots.push((sha, subject, der));
        }
        let bundle = match &c.trust_bundle {
            None => None,
            Some(h) => {
                let bytes = wire::unhex(h).ok_or_else(|| bad("印章信任包", "不是十六进制"))?;
                let b = yc_seal::TrustBundle::from_bytes(&bytes, &anchors).map_err(|e| bad("印章信任包", e))?;
                if let Ok(current) = self.trust_bundle()
                    && !b.supersedes(&current)
                {
                    return Err(bad(
                        "印章信任包",
                        format!("版本 {} 不比现有版本 {} 新", b.version(), current.version()),
                    )
                    .into());
                }
                changes.push(Change::TrustBundle { version: b.version() });
                Some((bytes, b.version()))
            }
        };
        let catalog = match &c.catalog {
            None => None,
            Some(v) => {
                let text = serde_json::to_string(v).map_err(|e| bad("事项目录", e))?;
                let file = crate::catalog::parse(&text).map_err(|e| bad("事项目录", e))?;
                changes.push(Change::Catalog { label: file.version.clone(), items: file.items.len() });
                Some((file, yc_adapter_sdk::sha256_hex(text.as_bytes())))
            }
        };
        let mut calendars = Vec::new();
        for v in &c.calendars {
            let text = serde_json::to_string(v).map_err(|e| bad("工作日历", e))?;
            let t = YearTable::parse_json(&text).map_err(|e| bad("工作日历", e))?;
            changes.push(Change::Calendar { year: t.year });
            calendars.push(t);
        }
        let mut staff = Vec::new();
        let existing: Vec<String> = self.list_staff()?.into_iter().map(|a| a.id).collect();
        for s in &c.staff {
            let roles = s
                .roles
                .iter()
                .map(|r| Role::parse(r).ok_or_else(|| bad("工作人员", format!("{} 的角色「{r}」未知", s.id))))
                .collect::<Result<Vec<_>, _>>()?;
            if s.id.trim().is_empty() || s.name.trim().is_empty() || roles.is_empty() || s.departments.is_empty() {
                return Err(bad("工作人员", format!("账号「{}」须有账号、姓名、至少一个角色和部门", s.id)).into());
            }
            if existing.contains(&s.id) || staff.iter().any(|n: &crate::NewStaff| n.id == s.id) {
                changes.push(Change::StaffKept { id: s.id.clone() });
                continue;
            }
            changes.push(Change::StaffAdd {
                id: s.id.clone(),
                name: s.name.clone(),
                roles: roles.iter().map(|r| r.zh().to_owned()).collect(),
                departments: s.departments.clone(),
            });
            staff.push(crate::NewStaff {
                id: s.id.clone(),
                name: s.name.clone(),
                roles,
                departments: s.departments.clone(),
                password: None,
            });
        }
        let mut adapters = Vec::new();
        for a in &c.adapters {
            if a.config.name.trim().is_empty() {
                return Err(bad("同步适配器", "名称为空").into());
            }
            if crate::sync::outbox::program_to_confirm(&a.config).is_some() {
                return Err(bad(
                    "同步适配器",
                    format!(
                        "{} 要在本机运行程序（process），只能由管理员核对后手工登记（yc adapter add）",
                        a.config.name
                    ),
                )
                .into());
            }
            changes.push(Change::Adapter {
                name: a.config.name.clone(),
                kind: crate::workstation::enum_code(&a.config.kind),
            });
            adapters.push(crate::sync::outbox::AdapterRegistration {
                config: a.config.clone(),
                streams: a.streams.clone(),
                departments: a.departments.clone(),
                backfill: false,
                program_confirmed: false,
            });
        }
        if let Some(app) = &c.app_package {
            if app.file.contains('/') || app.file.contains('\\') || app.file.starts_with('.') {
                return Err(bad("程序安装包", format!("文件名「{}」不合法", app.file)).into());
            }
            let dir = folder.ok_or_else(|| bad("程序安装包", "须从升级包所在文件夹导入"))?;
            let path = dir.join(&app.file);
            let bytes = std::fs::read(&path).map_err(|e| bad("程序安装包", format!("{}：{e}", path.display())))?;
            let got = yc_adapter_sdk::sha256_hex(&bytes);
            if got != app.sha256.to_ascii_lowercase() {
                return Err(bad(
                    "程序安装包",
                    format!("{} 的哈希 {got} 与升级包记载的 {} 不符（文件被替换或损坏）", app.file, app.sha256),
                )
                .into());
            }
            changes.push(Change::AppPackage { file: app.file.clone(), version: app.version.clone() });
        }
        Ok(Checked { package, sha256, issuer_key, roots, bundle, catalog, calendars, staff, adapters, changes })
    }

    /// Writes a checked package, all parts and its `provision.apply` event in one transaction.
    pub(crate) fn apply_checked(
        &self,
        by: &Actor,
        checked: Checked,
        extra: impl FnOnce(&Transaction<'_>) -> Result<()>,
    ) -> Result<Applied> {
        let now = self.clock().now();
        let at = stamp(&now);
        let Checked { package, sha256, issuer_key, roots, bundle, catalog, calendars, staff, adapters, changes } =
            checked;
        let ws_key = self.store().keyring().workstation();
        let mut cal = self.calendar.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut projector = Projector::new(cal.clone());
        self.store().write(|tx| {
            for (sha, subject, der) in &roots {
                crate::trust::pin_in(tx, by, now, sha, der, subject, Some(kind_zh(package.kind)))?;
            }
            if let Some((bytes, version)) = &bundle {
                tx.execute(
                    "INSERT INTO trust_bundles (version, body, received_at, source) VALUES (?1, ?2, ?3, ?4)",
                    params![i64::try_from(*version).unwrap_or(i64::MAX), bytes, at, kind_zh(package.kind)],
                )?;
            }
            if let Some((file, sha)) = &catalog {
                crate::catalog_versions::insert_catalog(tx, by, file, sha, now)?;
            }
            for table in &calendars {
                let body = table.to_json();
                tx.execute(
                    "INSERT INTO calendar_years (year, body) VALUES (?1, ?2) ON CONFLICT(year) DO UPDATE SET body = excluded.body",
                    params![table.year, body],
                )?;
                let ev = journal::append_admin(
                    tx,
                    by,
                    events::CALENDAR_IMPORT,
                    now,
                    serde_json::json!({ "year": table.year, "body": body }),
                    None,
                )?;
                projector.apply(tx, &ev)?;
            }
            for s in &staff {
                crate::auth::insert_staff(tx, s, &by.id, now, ws_key.as_deref())?;
            }
            for reg in &adapters {
                crate::sync::outbox::upsert_adapter(tx, by, reg, now)?;
            }
            extra(tx)?;
            let changes_json = serde_json::to_string(&changes).map_err(|e| CoreError::Invalid(e.to_string()))?;
            tx.execute(
                "INSERT INTO provisioning (serial, kind, issuer, issuer_key, sha256, issued_at, applied_at, applied_by, changes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    i64::try_from(package.serial).unwrap_or(i64::MAX),
                    crate::workstation::enum_code(&package.kind),
                    package.issuer,
                    issuer_key,
                    sha256,
                    package.issued_at,
                    at,
                    by.id,
                    changes_json
                ],
            )?;
            journal::append_admin(
                tx,
                by,
                events::PROVISION_APPLY,
                now,
                serde_json::json!({
                    "kind": package.kind, "serial": package.serial, "issuer": package.issuer,
                    "issuer_key": issuer_key, "sha256": sha256, "issued_at": package.issued_at,
                    "changes": changes,
                }),
                None,
            )
            .map(drop)
        })?;
        *cal = projector.cal;
        Ok(Applied { kind: package.kind, serial: package.serial, issuer: package.issuer, sha256, changes })
    }

    /// What `bytes` (an update bundle) would change, and whether it would be refused. Reads only.
    pub fn show_update(&self, bytes: &[u8], folder: Option<&Path>) -> Result<Preview> {
        let (signed, package) = open(bytes)?;
        let head = Preview {
            kind: package.kind,
            issuer: package.issuer.clone(),
            issuer_fingerprint: signed.signer_fingerprint(),
            serial: package.serial,
            to: package.to.clone(),
            issued_at: package.issued_at.clone(),
            sha256: signed.body_sha256(),
            changes: Vec::new(),
            refusal: None,
        };
        match self.check_package(&signed, package, PackageKind::Update, None, folder) {
            Ok(c) => Ok(Preview { changes: c.changes, ..head }),
            Err(e @ (CoreError::Provision(_) | CoreError::Catalog(_) | CoreError::Calendar(_))) => {
                Ok(Preview { refusal: Some(e.to_string()), ..head })
            }
            Err(e) => Err(e),
        }
    }

    /// Applies an offline update bundle (an administrator of every department; `folder` is where
    /// it was found, for an app package beside it). Refused whole, with the reason, unless every
    /// rule of this module holds.
    pub fn apply_update(&self, by: &Actor, bytes: &[u8], folder: Option<&Path>) -> Result<Applied> {
        by.require_role(Role::Admin, "导入升级包")?;
        if !by.covers(crate::staff::ALL_DEPARTMENTS) {
            return Err(CoreError::DepartmentDenied { actor: by.name.clone(), department: "全部部门".into() });
        }
        let (signed, package) = open(bytes)?;
        let checked = self.check_package(&signed, package, PackageKind::Update, None, folder)?;
        self.apply_checked(by, checked, |_| Ok(()))
    }

    /// Packages applied here, oldest first: (serial, kind, issuer, applied_at, changes).
    pub fn applied_packages(&self) -> Result<Vec<Applied>> {
        let conn = self.store().reader()?;
        let mut st = conn.prepare("SELECT serial, kind, issuer, sha256, changes FROM provisioning ORDER BY serial")?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .map(|(serial, kind, issuer, sha256, changes)| Applied {
                kind: if kind == "enrollment" { PackageKind::Enrollment } else { PackageKind::Update },
                serial: u64::try_from(serial).unwrap_or(0),
                issuer,
                sha256,
                changes: changes_from_json(&changes),
            })
            .collect())
    }
}

impl Workstation {
    /// What an enrollment reply would bring, checked as [`Self::import_enrollment`] would.
    pub fn show_enrollment_reply(&self, bytes: &[u8], issuer_fingerprint: &str) -> Result<Vec<Change>> {
        let (signed, package) = open(bytes)?;
        Ok(self.check_package(&signed, package, PackageKind::Enrollment, Some(issuer_fingerprint), None)?.changes)
    }

    /// Applies the signed enrollment reply: the issuer must be the key whose fingerprint the
    /// administrator confirmed (`issuer_fingerprint`, compared with what the city publishes), the
    /// reply must answer this workstation's newest request and be bound to its key. Everything it
    /// brings, and the end of training mode, commit together.
    pub fn import_enrollment(&self, by: &Actor, bytes: &[u8], issuer_fingerprint: &str) -> Result<Applied> {
        by.require_role(Role::Admin, "导入注册回执")?;
        if !by.covers(crate::staff::ALL_DEPARTMENTS) {
            return Err(CoreError::DepartmentDenied { actor: by.name.clone(), department: "全部部门".into() });
        }
        let (signed, package) = open(bytes)?;
        let checked = self.check_package(&signed, package, PackageKind::Enrollment, Some(issuer_fingerprint), None)?;
        let now = self.clock().now();
        self.apply_checked(by, checked, |tx| {
            for k in crate::enrollment::ENROLLMENT_SETTINGS {
                tx.execute("DELETE FROM settings WHERE key = ?1", [k])?;
            }
            journal::append_admin(tx, by, events::TRAINING_MODE, now, serde_json::json!({ "on": false }), None)
                .map(drop)
        })
    }
}

/// Changes are stored for people to read again; a row a newer version wrote that this one cannot
/// read lists no changes rather than failing the whole list.
fn changes_from_json(s: &str) -> Vec<Change> {
    serde_json::from_str(s).unwrap_or_default()
}
