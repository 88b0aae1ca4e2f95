//! Enrollment and offline updates between a workstation and its city platform (docs/ADMIN.md §2,
//! §6): the wire format both sides build, so the workstation (yc-core), the city simulator
//! (yc-sim) and a city's own tooling in any language produce the same bytes.
//!
//! Everything travels as a [`Signed`] envelope: the body's exact JSON text and an Ed25519
//! signature over `domain \n body`. The body is kept as text, never re-serialised, so the bytes
//! signed are the bytes checked. A workstation signs its [`EnrollRequest`] with the key it made
//! on the machine (proof that it holds it); the city's issuer key signs every [`Package`] — the
//! enrollment reply and each offline update bundle.

use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};

use crate::AdapterConfig;
use crate::hash::sha256_hex;

/// Domain tag of a workstation's signature over its enrollment request.
pub const REQUEST_DOMAIN: &str = "yc-enroll-request-v1";
/// Domain tag of the issuer's signature over a package (enrollment reply or update bundle).
pub const PACKAGE_DOMAIN: &str = "yc-provision-package-v1";
/// The `format` field of a request and a package.
pub const FORMAT: u32 = 1;

/// A signed file: what is written to disk or sent over HTTP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    /// The signed body, a JSON document as text.
    pub body: String,
    /// The signer's Ed25519 public key, hex.
    pub signer: String,
    /// Ed25519 signature over `domain || "\n" || body`, hex.
    pub signature: String,
}

/// Why a signed file was not accepted (the caller words it for people).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignedError {
    #[error("不是有效的签名文件：{0}")]
    Malformed(String),
    #[error("签名不符：文件内容在签名后被改动过，或签名不是这把密钥做的")]
    BadSignature,
}

fn message(domain: &str, body: &str) -> Vec<u8> {
    let mut m = Vec::with_capacity(domain.len() + 1 + body.len());
    m.extend_from_slice(domain.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(body.as_bytes());
    m
}

impl Signed {
    /// Signs `body` (already serialised) under `domain`.
    #[must_use]
    pub fn sign(domain: &str, body: String, key: &Ed25519KeyPair) -> Self {
        let signature = hex(key.sign(&message(domain, &body)).as_ref());
        Self { body, signer: hex(key.public_key().as_ref()), signature }
    }

    /// Parses the file's bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SignedError> {
        serde_json::from_slice(bytes).map_err(|e| SignedError::Malformed(e.to_string()))
    }

    /// Pretty JSON, as written to a file.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// Checks the signature with the key the envelope names; whether that key is the one to trust
    /// is the caller's decision ([`Signed::signer_fingerprint`]).
    pub fn verify(&self, domain: &str) -> Result<(), SignedError> {
        let key = unhex(&self.signer).ok_or_else(|| SignedError::Malformed("签名者公钥不是十六进制".into()))?;
        let sig = unhex(&self.signature).ok_or_else(|| SignedError::Malformed("签名不是十六进制".into()))?;
        UnparsedPublicKey::new(&ED25519, key)
            .verify(&message(domain, &self.body), &sig)
            .map_err(|_| SignedError::BadSignature)
    }

    /// SHA-256 of the signer's public key bytes, hex: what an administrator compares with the
    /// fingerprint the city publishes.
    #[must_use]
    pub fn signer_fingerprint(&self) -> String {
        unhex(&self.signer).map_or_else(String::new, |k| sha256_hex(&k))
    }

    /// SHA-256 of the body text: the package's identity (a replay has the same one).
    #[must_use]
    pub fn body_sha256(&self) -> String {
        sha256_hex(self.body.as_bytes())
    }
}

/// What a new workstation asks the city for. Signed by the workstation key under
/// [`REQUEST_DOMAIN`]; `public_key` must be the envelope's signer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub format: u32,
    /// 6-digit 行政区划代码.
    pub region: String,
    /// Workstation code within the region.
    pub workstation: String,
    pub name: String,
    /// Departments this window serves (`*` = a comprehensive window).
    pub departments: Vec<String>,
    /// The workstation's Ed25519 public key (hex), made on the machine.
    pub public_key: String,
    /// The city platform address the administrator entered.
    #[serde(default)]
    pub city_url: Option<String>,
    pub created_at: String,
    /// Random, so two requests are never the same bytes.
    pub nonce: String,
}

impl EnrollRequest {
    /// `region-code`, the sender label every outbox item carries.
    #[must_use]
    pub fn label(&self) -> String {
        format!("{}-{}", self.region, self.workstation)
    }
}

/// Enrollment reply or offline update bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PackageKind {
    Enrollment,
    Update,
}

/// The body of a package, signed by the city's issuer key under [`PACKAGE_DOMAIN`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Package {
    pub format: u32,
    pub kind: PackageKind,
    /// The issuing body (市政务服务数据管理局 …).
    pub issuer: String,
    /// The issuer's sequence number for this workstation: each package must be newer than the last
    /// one applied.
    pub serial: u64,
    /// The workstation it is for (`region-code`).
    pub to: String,
    /// That workstation's public key (hex): a package made for another machine with the same code
    /// is refused.
    pub workstation_key: String,
    pub issued_at: String,
    /// Enrollment replies: SHA-256 of the request body they answer.
    #[serde(default)]
    pub request_sha256: Option<String>,
    #[serde(default)]
    pub contents: Contents,
}

/// What a package brings. Every part is optional; an update bundle carries only what changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contents {
    /// Seal authority root certificates to pin (DER, hex). Enrollment replies only.
    #[serde(default)]
    pub trust_roots: Vec<String>,
    /// A signed seal trust bundle (its file's bytes, hex), checked against the pinned roots.
    #[serde(default)]
    pub trust_bundle: Option<String>,
    /// A service-item catalog file (docs/catalog-format.md).
    #[serde(default)]
    pub catalog: Option<serde_json::Value>,
    /// Working-calendar year tables (docs/calendar-format.md).
    #[serde(default)]
    pub calendars: Vec<serde_json::Value>,
    /// Accounts to add. Never passwords: the administrator sets each initial password here.
    #[serde(default)]
    pub staff: Vec<StaffEntry>,
    /// Sync adapters to register.
    #[serde(default)]
    pub adapters: Vec<AdapterEntry>,
    /// A new application package carried alongside (in the same folder), by name and hash.
    #[serde(default)]
    pub app_package: Option<AppPackage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffEntry {
    pub id: String,
    pub name: String,
    /// Role codes: clerk, reviewer, decider, seal_keeper, admin.
    pub roles: Vec<String>,
    pub departments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdapterEntry {
    pub config: AdapterConfig,
    #[serde(default = "all")]
    pub streams: Vec<String>,
    #[serde(default = "all")]
    pub departments: Vec<String>,
}

fn all() -> Vec<String> {
    vec!["*".into()]
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppPackage {
    /// File name in the bundle's folder, e.g. `yichuang_0.2.0_amd64.deb`.
    pub file: String,
    pub version: String,
    pub sha256: String,
}

/// Lower-case hex.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Hex to bytes; `None` on odd length or a non-hex digit.
#[must_use]
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Ed25519KeyPair {
        let doc = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
        Ed25519KeyPair::from_pkcs8(doc.as_ref()).unwrap()
    }

    #[test]
    fn a_signed_body_verifies_and_any_change_breaks_it() {
        let k = key();
        let s = Signed::sign(PACKAGE_DOMAIN, r#"{"a":1}"#.into(), &k);
        s.verify(PACKAGE_DOMAIN).unwrap();
        assert_eq!(s.verify(REQUEST_DOMAIN), Err(SignedError::BadSignature), "another domain");
        let mut t = s.clone();
        t.body = r#"{"a":2}"#.into();
        assert_eq!(t.verify(PACKAGE_DOMAIN), Err(SignedError::BadSignature));
        let mut t = s.clone();
        t.signer = hex(key().public_key().as_ref());
        assert_eq!(t.verify(PACKAGE_DOMAIN), Err(SignedError::BadSignature), "someone else's key");
        assert_eq!(Signed::from_bytes(&s.to_bytes()).unwrap(), s);
        assert_eq!(s.signer_fingerprint(), sha256_hex(k.public_key().as_ref()));
    }

    #[test]
    fn hex_round_trips_and_rejects_junk() {
        assert_eq!(unhex(&hex(&[0, 1, 254, 255])).unwrap(), vec![0, 1, 254, 255]);
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }
}
