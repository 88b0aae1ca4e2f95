//! The city platform's enrollment desk (TEST DOUBLE): answers `POST /api/v1/enrollments` with a
//! signed enrollment reply, and makes offline update bundles (`yc-sim bundle`). Wire format:
//! `yc_adapter_sdk::provision`.
//!
//! What a package brings is read from a contents folder, as a city's staff would prepare it:
//!
//! | file | part |
//! | --- | --- |
//! | `catalog.json` | the service-item catalog |
//! | `calendar-*.json` | working-calendar years |
//! | `staff.json` | accounts: `[{"id","name","roles":[…],"departments":[…]}]` |
//! | `adapters.json` | adapter registrations: `[{"config":{…},"streams":["*"],"departments":["*"]}]` |
//! | `trust-roots/*.der` | seal authority roots to pin (enrollment only) |
//! | `trust-bundle.json` | a signed seal trust bundle |
//! | `app.json` | `{"file","version"}` of a program package in the same folder (bundles) |
//!
//! An enrollment reply without `adapters.json` registers the city adapter pointing back at this
//! simulator, with the workstation's label as its source.

use std::path::{Path, PathBuf};

use ring::signature::{Ed25519KeyPair, KeyPair};
use yc_adapter_sdk::provision::{
    self as wire, AdapterEntry, AppPackage, Contents, EnrollRequest, Package, PackageKind, Signed, StaffEntry,
};

/// The desk's settings: who signs, with which key, from which contents folder.
#[derive(Debug, Clone)]
pub struct EnrollmentDesk {
    pub issuer: String,
    /// PKCS#8 Ed25519 key file; made (0600) on first use when missing.
    pub key_file: PathBuf,
    pub contents: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("签发密钥文件 {0}：{1}")]
    Key(String, String),
    #[error("内容文件 {0}：{1}")]
    Contents(String, String),
    #[error("注册申请无效：{0}")]
    Request(String),
}

/// Loads the issuer key, making it first if the file does not exist.
pub fn load_or_make_key(path: &Path) -> Result<Ed25519KeyPair, DeskError> {
    let err = |e: String| DeskError::Key(path.display().to_string(), e);
    if !path.exists() {
        let doc = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).map_err(|e| err(e.to_string()))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
        }
        std::fs::write(path, doc.as_ref()).map_err(|e| err(e.to_string()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|e| err(e.to_string()))?;
        }
    }
    let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    Ed25519KeyPair::from_pkcs8(&bytes).map_err(|e| err(format!("不是 Ed25519 PKCS#8 密钥：{e}")))
}

/// SHA-256 of the key's public half: what the city publishes for administrators to confirm.
#[must_use]
pub fn fingerprint(key: &Ed25519KeyPair) -> String {
    yc_adapter_sdk::sha256_hex(key.public_key().as_ref())
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>, DeskError> {
    if !path.exists() {
        return Ok(None);
    }
    let bytes = std::fs::read(path).map_err(|e| DeskError::Contents(path.display().to_string(), e.to_string()))?;
    serde_json::from_slice(&bytes).map(Some).map_err(|e| DeskError::Contents(path.display().to_string(), e.to_string()))
}

/// Reads a contents folder (table above).
pub fn contents_from_dir(dir: &Path, kind: PackageKind) -> Result<Contents, DeskError> {
    let mut c = Contents { catalog: read_json(&dir.join("catalog.json"))?, ..Contents::default() };
    let list = |d: &Path| -> Result<Vec<PathBuf>, DeskError> {
        let mut v: Vec<PathBuf> = match std::fs::read_dir(d) {
            Ok(rd) => rd.flatten().map(|e| e.path()).collect(),
            Err(_) => Vec::new(),
        };
        v.sort();
        Ok(v)
    };
    for p in list(dir)? {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with("calendar-") && name.ends_with(".json") {
            c.calendars.extend(read_json::<serde_json::Value>(&p)?);
        }
    }
    c.staff = read_json::<Vec<StaffEntry>>(&dir.join("staff.json"))?.unwrap_or_default();
    c.adapters = read_json::<Vec<AdapterEntry>>(&dir.join("adapters.json"))?.unwrap_or_default();
    if kind == PackageKind::Enrollment {
        for p in list(&dir.join("trust-roots"))? {
            if p.extension().is_some_and(|e| e == "der") {
                let der = std::fs::read(&p).map_err(|e| DeskError::Contents(p.display().to_string(), e.to_string()))?;
                c.trust_roots.push(wire::hex(&der));
            }
        }
    }
    let tb = dir.join("trust-bundle.json");
    if tb.exists() {
        let bytes = std::fs::read(&tb).map_err(|e| DeskError::Contents(tb.display().to_string(), e.to_string()))?;
        c.trust_bundle = Some(wire::hex(&bytes));
    }
    if let Some(app) = read_json::<serde_json::Value>(&dir.join("app.json"))? {
        let file = app.get("file").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let version = app.get("version").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let p = dir.join(&file);
        let bytes = std::fs::read(&p).map_err(|e| DeskError::Contents(p.display().to_string(), e.to_string()))?;
        c.app_package = Some(AppPackage { file, version, sha256: yc_adapter_sdk::sha256_hex(&bytes) });
    }
    Ok(c)
}

/// Signs a package.
#[must_use]
pub fn sign_package(key: &Ed25519KeyPair, package: &Package) -> Signed {
    Signed::sign(wire::PACKAGE_DOMAIN, serde_json::to_string_pretty(package).unwrap_or_default(), key)
}

/// Checks a signed enrollment request: the signature, by the key the request names, and its shape.
pub fn check_request(bytes: &[u8]) -> Result<(Signed, EnrollRequest), DeskError> {
    let signed = Signed::from_bytes(bytes).map_err(|e| DeskError::Request(e.to_string()))?;
    signed.verify(wire::REQUEST_DOMAIN).map_err(|e| DeskError::Request(e.to_string()))?;
    let req: EnrollRequest = serde_json::from_str(&signed.body).map_err(|e| DeskError::Request(e.to_string()))?;
    if req.public_key != signed.signer {
        return Err(DeskError::Request("申请中的工作站公钥与签名者不符".into()));
    }
    if req.region.len() != 6 || !req.region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DeskError::Request(format!("行政区划代码应为 6 位数字：{}", req.region)));
    }
    Ok((signed, req))
}

/// The enrollment reply to a checked request (serial 1: the first package of a workstation).
pub fn reply(
    desk: &EnrollmentDesk,
    key: &Ed25519KeyPair,
    signed: &Signed,
    req: &EnrollRequest,
    city_base_url: &str,
    issued_at: &str,
) -> Result<Signed, DeskError> {
    let mut contents = contents_from_dir(&desk.contents, PackageKind::Enrollment)?;
    if contents.adapters.is_empty() {
        let config = serde_json::from_value(serde_json::json!({
            "name": "city-platform",
            "kind": "city-extranet",
            "settings": { "base_url": city_base_url, "source": req.label() },
        }))
        .map_err(|e| DeskError::Contents("adapters".into(), e.to_string()))?;
        contents.adapters.push(AdapterEntry { config, streams: vec!["*".into()], departments: vec!["*".into()] });
    }
    let package = Package {
        format: wire::FORMAT,
        kind: PackageKind::Enrollment,
        issuer: desk.issuer.clone(),
        serial: 1,
        to: req.label(),
        workstation_key: req.public_key.clone(),
        issued_at: issued_at.to_owned(),
        request_sha256: Some(signed.body_sha256()),
        contents,
    };
    Ok(sign_package(key, &package))
}
