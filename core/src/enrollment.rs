//! First-run enrollment with the city platform, and the training mode before it.
//!
//! A workstation made for enrollment (`yc enroll start`, the desktop's first-run wizard) has its
//! Ed25519 key made on the machine at init (crate::signing). Its administrator asks the city with
//! a request signed by that key (a file carried over, or `POST /api/v1/enrollments` through the
//! city adapter); the city answers with a signed enrollment reply bound to that key, which brings
//! the trust roots and bundle, catalog, calendar, staff and adapters (crate::provisioning).
//!
//! From the request until the reply is applied the workstation is in **training mode**: staff can
//! practise every step, but nothing enters the outbox (crate::sync::outbox) and every document is
//! watermarked 样本 (crate::seal). A workstation made by hand with `yc init` is [`EnrollmentState::Manual`]:
//! set up without the city, never in training.
//!
//! [`Workstation::first_run`] is the whole first run in one call (the wizard's and `yc enroll
//! start`'s): everything the administrator typed is checked before anything is written, then the
//! encrypted store with its keys, then the signed request; what becomes of the request (sent,
//! exported, kept for later) is the front end's choice, training mode holds until the reply.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use yc_adapter_sdk::provision::{self as wire, EnrollRequest, Signed};

use crate::case::Role;
use crate::clock::stamp;
use crate::error::{CoreError, ProvisionError, Result};
use crate::events;
use crate::journal::{self, hex};
use crate::staff::Actor;
use crate::workstation::Workstation;

/// `settings` key present while the workstation is in training mode.
const TRAINING: &str = "training_mode";
/// `settings` key: SHA-256 of the last enrollment request's body (the reply must answer it).
const REQUEST_SHA: &str = "enrollment_request_sha256";
/// `settings` key: the last request's signed file, to export again.
const REQUEST_FILE: &str = "enrollment_request";
/// What ends with enrollment (removed when the reply is applied).
pub(crate) const ENROLLMENT_SETTINGS: [&str; 3] = [TRAINING, REQUEST_SHA, REQUEST_FILE];

/// The watermark on every document a training workstation makes.
pub const TRAINING_WATERMARK: &str = "样本";

pub(crate) fn in_training(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM settings WHERE key = ?1")?
        .query_row([TRAINING], |_| Ok(()))
        .optional()?
        .is_some())
}

pub(crate) fn pending_request_sha(conn: &Connection) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM settings WHERE key = ?1", [REQUEST_SHA], |r| r.get(0)).optional()?)
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentState {
    /// Made by hand (`yc init`), set up without the city.
    Manual,
    /// Enrollment asked for, reply not yet applied: training mode.
    Training,
    Enrolled,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct EnrollmentStatus {
    pub state: EnrollmentState,
    /// Who enrolled it and when (enrolled only).
    pub issuer: Option<String>,
    pub issuer_fingerprint: Option<String>,
    pub enrolled_at: Option<String>,
    /// Packages applied (the reply and every update); the highest serial.
    pub packages: i64,
    pub serial: Option<i64>,
    /// SHA-256 of the request waiting for its reply (training only).
    pub pending_request: Option<String>,
    /// The city platform address the pending request names (training only), to send it there.
    pub pending_city_url: Option<String>,
    /// The workstation key the city binds packages to (hex) and its fingerprint.
    pub workstation_key: String,
    pub workstation_key_fingerprint: String,
}

/// What the administrator gives at the first run (the desktop's wizard, `yc enroll start`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Deserialize)]
pub struct FirstRun {
    /// 6-digit 行政区划代码.
    pub region: String,
    /// The workstation's code (2–4 capitals or digits), assigned by the county service centre.
    pub workstation: String,
    pub name: String,
    /// The departments this window takes in for; `*` for a comprehensive window (综合窗口).
    pub departments: Vec<String>,
    pub city_url: Option<String>,
    /// The first administrator's (`admin`) password: [`crate::staff::password_problem`] applies.
    pub admin_password: String,
}

/// A workstation just made by [`Workstation::first_run`].
pub struct FirstRunMade {
    pub workstation: Workstation,
    /// Shown once; the store cannot be opened without it when every password is lost.
    pub recovery: crate::vault::RecoveryKey,
    /// The enrollment request, signed by the key made on this machine.
    pub request: Signed,
}

/// The account the first run makes (the administrator of every department).
pub const FIRST_ADMIN: &str = "admin";

/// Departments offered at the first run: the comprehensive window (`*`), then those of the
/// catalog shipped with the program (the city's own catalog arrives with the enrollment reply).
pub fn department_choices() -> Vec<String> {
    let mut out: Vec<String> =
        crate::catalog::demo_catalog().map(|c| c.items.into_iter().map(|i| i.department).collect()).unwrap_or_default();
    out.sort();
    out.dedup();
    out.insert(0, crate::staff::ALL_DEPARTMENTS.to_owned());
    out
}

fn clean_departments(departments: &[String]) -> Result<Vec<String>> {
    let departments: Vec<String> = departments.iter().map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()).collect();
    if departments.is_empty() {
        return Err(CoreError::Missing {
            action: "申请注册".into(), field: "部门（综合窗口写 *）".into()
        });
    }
    Ok(departments)
}

fn check_city_url(url: Option<&str>) -> Result<()> {
    match url {
        Some(u) if !(u.starts_with("https://") || u.starts_with("http://")) => {
            Err(CoreError::Invalid(format!("市级平台地址应以 https:// 开头：{u}")))
        }
        _ => Ok(()),
    }
}

impl FirstRun {
    /// The identity it names, trimmed.
    pub fn identity(&self) -> crate::workstation::Identity {
        crate::workstation::Identity {
            region: self.region.trim().to_owned(),
            code: self.workstation.trim().to_ascii_uppercase(),
            name: self.name.trim().to_owned(),
        }
    }

    fn city(&self) -> Option<&str> {
        self.city_url.as_deref().map(str::trim).filter(|u| !u.is_empty())
    }

    /// Every rule of the first run, before anything is written (the wizard asks at each step):
    /// the identity, the departments, the city address, the password's strength.
    pub fn check(&self) -> Result<()> {
        crate::workstation::validate_identity(&self.identity())?;
        clean_departments(&self.departments)?;
        check_city_url(self.city())?;
        crate::staff::check_new_password(&self.admin_password)
    }
}

impl Workstation {
    /// The first run of an installed workstation in `dir` (which holds no store): checks
    /// everything, makes the encrypted store with the workstation's key pair and the first
    /// administrator, and the signed enrollment request (training mode from here on). The
    /// administrator's keys stay unlocked in the returned workstation, to send or import at once.
    pub fn first_run(dir: &Path, setup: &FirstRun, clock: crate::clock::Clock) -> Result<FirstRunMade> {
        setup.check()?;
        let (workstation, recovery) = Self::init_encrypted(dir, setup.identity(), &setup.admin_password, clock)?;
        let by = workstation.actor(FIRST_ADMIN)?;
        let request = workstation.request_enrollment(&by, &setup.departments, setup.city())?;
        Ok(FirstRunMade { workstation, recovery, request })
    }
}

impl Workstation {
    /// Whether documents made here are samples that never leave (training mode).
    pub fn training_mode(&self) -> Result<bool> {
        in_training(&*self.store().reader()?)
    }

    pub fn enrollment_status(&self) -> Result<EnrollmentStatus> {
        let conn = self.store().reader()?;
        let key = workstation_public_key(&conn)?;
        let issuer = enrolled_issuer(&conn)?;
        let (packages, serial): (i64, Option<i64>) =
            conn.query_row("SELECT count(*), MAX(serial) FROM provisioning", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let state = if issuer.is_some() {
            EnrollmentState::Enrolled
        } else if in_training(&conn)? {
            EnrollmentState::Training
        } else {
            EnrollmentState::Manual
        };
        Ok(EnrollmentStatus {
            state,
            issuer_fingerprint: issuer
                .as_ref()
                .map(|(_, k, _)| wire::unhex(k).map_or_else(String::new, |b| yc_adapter_sdk::sha256_hex(&b))),
            enrolled_at: issuer.as_ref().map(|(_, _, at)| at.clone()),
            issuer: issuer.map(|(i, _, _)| i),
            packages,
            serial,
            pending_request: if state == EnrollmentState::Training { pending_request_sha(&conn)? } else { None },
            pending_city_url: if state == EnrollmentState::Training { pending_city_url(&conn)? } else { None },
            workstation_key_fingerprint: wire::unhex(&key).map_or_else(String::new, |b| yc_adapter_sdk::sha256_hex(&b)),
            workstation_key: key,
        })
    }

    /// Makes the enrollment request, signed by the workstation key (unlocked by the administrator's
    /// login), and puts the workstation in training mode until the reply is applied. Asking again
    /// (a lost file) makes a new request; only a reply to the newest one is accepted.
    pub fn request_enrollment(&self, by: &Actor, departments: &[String], city_url: Option<&str>) -> Result<Signed> {
        by.require_role(Role::Admin, "申请注册")?;
        if !by.covers(crate::staff::ALL_DEPARTMENTS) {
            return Err(CoreError::DepartmentDenied { actor: by.name.clone(), department: "全部部门".into() });
        }
        let departments = clean_departments(departments)?;
        check_city_url(city_url)?;
        let conn = self.store().reader()?;
        if let Some((issuer, _, at)) = enrolled_issuer(&conn)? {
            return Err(ProvisionError::AlreadyEnrolled { issuer, at }.into());
        }
        let training = in_training(&conn)?;
        drop(conn);
        let key = self
            .store()
            .keyring()
            .workstation()
            .ok_or_else(|| CoreError::Invalid("工作站签名密钥未解锁：请以管理员账号登录后再申请注册".into()))?;
        let now = self.clock().now();
        let mut nonce = [0u8; 16];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut nonce)
            .map_err(|_| CoreError::Invalid("系统随机数不可用".into()))?;
        let id = self.identity();
        let request = EnrollRequest {
            format: wire::FORMAT,
            region: id.region.clone(),
            workstation: id.code.clone(),
            name: id.name.clone(),
            departments: departments.clone(),
            public_key: hex(key.public_key()),
            city_url: city_url.map(str::to_owned),
            created_at: stamp(&now),
            nonce: hex(&nonce),
        };
        let body = serde_json::to_string_pretty(&request).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let mut msg = wire::REQUEST_DOMAIN.as_bytes().to_vec();
        msg.push(b'\n');
        msg.extend_from_slice(body.as_bytes());
        let signed = Signed { signature: hex(&key.sign(&msg)), signer: request.public_key.clone(), body };
        let sha = signed.body_sha256();
        let file = String::from_utf8(signed.to_bytes()).map_err(|e| CoreError::Invalid(e.to_string()))?;
        self.store().write(|tx| {
            if !training {
                tx.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, '1')", [TRAINING])?;
                journal::append_admin(tx, by, events::TRAINING_MODE, now, serde_json::json!({ "on": true }), None)?;
            }
            for (k, v) in [(REQUEST_SHA, sha.as_str()), (REQUEST_FILE, file.as_str())] {
                tx.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)", params![k, v])?;
            }
            journal::append_admin(
                tx,
                by,
                events::ENROLL_REQUEST,
                now,
                serde_json::json!({ "sha256": sha, "departments": departments, "city_url": city_url }),
                None,
            )
            .map(drop)
        })?;
        Ok(signed)
    }

    /// The newest enrollment request's file, to export again (training only).
    pub fn enrollment_request(&self) -> Result<Option<Vec<u8>>> {
        let conn = self.store().reader()?;
        let file: Option<String> =
            conn.query_row("SELECT value FROM settings WHERE key = ?1", [REQUEST_FILE], |r| r.get(0)).optional()?;
        Ok(file.map(String::into_bytes))
    }
}

/// The city address named in the newest request (a kept request is sent there later).
fn pending_city_url(conn: &Connection) -> Result<Option<String>> {
    let file: Option<String> =
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [REQUEST_FILE], |r| r.get(0)).optional()?;
    Ok(file
        .and_then(|f| Signed::from_bytes(f.as_bytes()).ok())
        .and_then(|s| serde_json::from_str::<EnrollRequest>(&s.body).ok())
        .and_then(|r| r.city_url))
}

/// The latest workstation public key (hex): packages are bound to it.
pub(crate) fn workstation_public_key(conn: &rusqlite::Connection) -> Result<String> {
    let key: Option<Vec<u8>> = conn
        .query_row("SELECT public_key FROM workstation_keys ORDER BY created_at DESC, rowid DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    key.map(|k| hex(&k)).ok_or_else(|| CoreError::Invalid("工作站没有签名密钥".into()))
}

/// The issuer recorded at enrollment: (issuer name, key hex, applied_at).
pub(crate) fn enrolled_issuer(conn: &rusqlite::Connection) -> Result<Option<(String, String, String)>> {
    Ok(conn
        .query_row(
            "SELECT issuer, issuer_key, applied_at FROM provisioning WHERE kind = 'enrollment' ORDER BY serial LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}
