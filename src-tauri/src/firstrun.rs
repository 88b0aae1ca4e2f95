//! The first run of an installed app: started on a data directory with no workstation, the window
//! opens the first-run wizard instead of failing (docs/ADMIN.md §2). Its commands carry what the
//! administrator typed to the core (`Workstation::first_run`: every rule, the key pair made on the
//! machine, the signed request) and then do what was chosen with the request: send it through the
//! city adapter and import the reply, write it to a folder, or keep it (training mode for now; the
//! 设置 card sends or exports it later with the same two functions).

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use yc_core::enrollment::{FIRST_ADMIN, FirstRun, FirstRunMade};
use yc_core::{Clock, Workstation};

use crate::context::AppCtx;
use crate::enrollment::PackageView;
use crate::ipc::{ErrorKind, IpcError, IpcResult};

/// What the wizard needs to show (only while there is no workstation).
#[derive(Debug, Clone, Serialize, TS)]
pub struct FirstRunInfo {
    pub data_dir: String,
    /// `*` (comprehensive window) first, then the shipped catalog's departments.
    pub departments: Vec<String>,
    /// The first administrator's account id.
    pub admin_id: String,
    pub password_min_chars: u32,
    pub version: String,
}

/// What becomes of the enrollment request at the end of the wizard.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum EnrollNow {
    /// Training mode for now: the request is kept; 设置 sends or exports it later.
    Later,
    /// Written to this folder (absolute), to carry to the city platform.
    Export { folder: String },
    /// Sent through the city adapter; the reply is imported if its issuer has this fingerprint.
    Send { issuer_fingerprint: String, token: Option<String> },
}

/// The wizard's last page.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FirstRunDone {
    /// `region-code`.
    pub label: String,
    pub key_fingerprint: String,
    pub request_sha256: String,
    /// Shown once, to be written down and kept in the safe.
    pub recovery_key: String,
    /// Where the request file was written (export).
    pub exported: Option<String>,
    /// What the city's reply brought (send).
    pub enrolled: Option<PackageView>,
    /// The workstation was made but sending or writing the request failed: why. It stays in
    /// training mode with the request kept; 设置 tries again.
    pub problem: Option<String>,
}

/// Writes the request file into `folder` (absolute; made if missing). Returns the file's path.
pub fn export_request(folder: &str, label: &str, bytes: &[u8]) -> IpcResult<String> {
    let dir = absolute_folder(folder)?;
    let io = |e: std::io::Error, p: &Path| IpcError::new(ErrorKind::Io, format!("无法写入 {}：{e}", p.display()));
    std::fs::create_dir_all(&dir).map_err(|e| io(e, &dir))?;
    let path = dir.join(format!("yichuang-enroll-request-{label}.json"));
    std::fs::write(&path, bytes).map_err(|e| io(e, &path))?;
    Ok(path.display().to_string())
}

fn absolute_folder(folder: &str) -> IpcResult<PathBuf> {
    let dir = PathBuf::from(folder.trim());
    if dir.as_os_str().is_empty() || !dir.is_absolute() {
        return Err(IpcError::new(
            ErrorKind::Invalid,
            format!("请填写保存申请文件的完整文件夹路径（绝对路径）：{folder}"),
        ));
    }
    Ok(dir)
}

/// Sends the kept request through the city adapter and imports the signed reply (checked by the
/// core against the fingerprint the administrator confirmed).
pub async fn send_request(
    ws: &Workstation,
    by: &yc_core::staff::Actor,
    city_url: &str,
    issuer_fingerprint: &str,
    token: Option<&str>,
) -> IpcResult<PackageView> {
    let request = ws.enrollment_request()?.ok_or_else(|| IpcError::new(ErrorKind::Invalid, "没有待提交的注册申请"))?;
    let city = city_url.trim();
    if city.is_empty() {
        return Err(IpcError::new(ErrorKind::Missing, "请填写市级平台地址"));
    }
    if issuer_fingerprint.trim().is_empty() {
        return Err(IpcError::new(ErrorKind::Missing, "请填写市级平台公布的签发密钥指纹"));
    }
    let mut settings = serde_json::json!({ "base_url": city, "source": ws.label() });
    if let Some(t) = token.map(str::trim).filter(|t| !t.is_empty()) {
        settings["token"] = serde_json::Value::String(t.to_owned());
    }
    let far = |e: yc_adapter_sdk::AdapterError| {
        IpcError::new(ErrorKind::Unavailable, format!("{}（{}）", e.message, e.detail))
    };
    let adapter = yc_adapters::city_extranet::CityExtranet::from_settings(&settings).map_err(far)?;
    let reply = adapter.enroll(&request).await.map_err(far)?;
    Ok(ws.import_enrollment(by, &reply, issuer_fingerprint.trim())?.into())
}

impl AppCtx {
    /// `Some` while the data directory holds no workstation: the window shows the wizard.
    pub fn first_run_info(&self) -> Option<FirstRunInfo> {
        self.needs_first_run().then(|| FirstRunInfo {
            data_dir: self.data_dir().display().to_string(),
            departments: yc_core::enrollment::department_choices(),
            admin_id: FIRST_ADMIN.to_owned(),
            password_min_chars: u32::try_from(yc_core::staff::PASSWORD_MIN_CHARS).unwrap_or(8),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        })
    }

    /// The wizard asks before its last step: the first of the core's objections, or nothing.
    pub fn first_run_check(&self, setup: &FirstRun) -> IpcResult<()> {
        self.require_first_run()?;
        Ok(setup.check()?)
    }

    /// Makes the workstation, then sends, exports or keeps the request. Once the store exists,
    /// a failed send or write is reported in the result (the workstation stays, in training).
    pub async fn first_run(&self, setup: &FirstRun, then: &EnrollNow) -> IpcResult<FirstRunDone> {
        self.require_first_run()?;
        // What the choice needs is asked before the store exists, so a typo costs nothing.
        match then {
            EnrollNow::Later => {}
            EnrollNow::Export { folder } => {
                absolute_folder(folder)?;
            }
            EnrollNow::Send { issuer_fingerprint, .. } => {
                if setup.city_url.as_deref().is_none_or(|u| u.trim().is_empty()) {
                    return Err(IpcError::new(ErrorKind::Missing, "在线注册须填写市级平台地址"));
                }
                if issuer_fingerprint.trim().is_empty() {
                    return Err(IpcError::new(ErrorKind::Missing, "请填写市级平台公布的签发密钥指纹"));
                }
            }
        }
        if self.first_run_busy().swap(true, Ordering::AcqRel) {
            return Err(IpcError::new(ErrorKind::Busy, "工作站正在建立，请稍候"));
        }
        let made = Workstation::first_run(self.data_dir(), setup, Clock::System);
        let FirstRunMade { workstation, recovery, request } = match made {
            Ok(m) => m,
            Err(e) => {
                self.first_run_busy().store(false, Ordering::Release);
                return Err(e.into());
            }
        };
        let ws = self.adopt(workstation);
        let st = ws.enrollment_status()?;
        let mut done = FirstRunDone {
            label: ws.label(),
            key_fingerprint: st.workstation_key_fingerprint,
            request_sha256: request.body_sha256(),
            recovery_key: recovery.as_str().to_owned(),
            exported: None,
            enrolled: None,
            problem: None,
        };
        match then {
            EnrollNow::Later => {}
            EnrollNow::Export { folder } => match export_request(folder, &done.label, &request.to_bytes()) {
                Ok(p) => done.exported = Some(p),
                Err(e) => done.problem = Some(e.message),
            },
            EnrollNow::Send { issuer_fingerprint, token } => {
                let by = ws.actor(FIRST_ADMIN)?;
                let city = setup.city_url.clone().unwrap_or_default();
                match send_request(ws, &by, &city, issuer_fingerprint, token.as_deref()).await {
                    Ok(v) => done.enrolled = Some(v),
                    Err(e) => done.problem = Some(e.message),
                }
            }
        }
        // The wizard made the administrator's keys available without a login: the login screen
        // comes next, as on every start.
        ws.logout(FIRST_ADMIN);
        Ok(done)
    }

    fn require_first_run(&self) -> IpcResult<()> {
        if self.needs_first_run() {
            Ok(())
        } else {
            Err(IpcError::new(ErrorKind::AlreadyInitialised, "工作站已建立，不能再运行首次设置"))
        }
    }

    /// From the 设置 card (training mode): sends the kept request to the city platform.
    pub async fn send_enrollment(
        &self,
        city_url: &str,
        issuer_fingerprint: &str,
        token: Option<&str>,
    ) -> IpcResult<PackageView> {
        let by = self.actor()?;
        by.require_role(yc_core::case::Role::Admin, "提交注册申请").map_err(IpcError::from)?;
        send_request(self.workstation()?, &by, city_url, issuer_fingerprint, token).await
    }

    /// From the 设置 card: writes the kept request to a folder; returns the file's path.
    pub fn export_enrollment_request(&self, folder: &str) -> IpcResult<String> {
        let by = self.actor()?;
        by.require_role(yc_core::case::Role::Admin, "导出注册申请").map_err(IpcError::from)?;
        let ws = self.workstation()?;
        let request =
            ws.enrollment_request()?.ok_or_else(|| IpcError::new(ErrorKind::Invalid, "没有待提交的注册申请"))?;
        export_request(folder, &ws.label(), &request)
    }
}
