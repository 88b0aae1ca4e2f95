//! The exported trust directory: what a citizen, a court or a receiving department needs to
//! verify a sealed document with no workstation — the seal authority's root certificate(s)
//! (PEM and DER, for `yc verify --trust` and for pyHanko/Adobe) and the current signed bundle.
//!
//! ```text
//! DIR/root-<sha256 first 16 hex>.pem | .der   the trust anchor(s)
//! DIR/trust-bundle.json                       signed seal status list (yc-trust-bundle/1)
//! DIR/FINGERPRINTS.txt                        SHA-256 of each root, to compare out of band
//! ```
//! The bundle is authenticated against the roots of the same directory, so the directory is only
//! as trustworthy as its source: compare the root fingerprint with the one the seal authority
//! publishes (notice, phone, gazette) before relying on it.

use std::path::{Path, PathBuf};

use ring::digest::{SHA256, digest};

use crate::encoding::{b64, hex, unb64};
use crate::error::{Result, SealError};
use crate::trust::TrustBundle;
use crate::x509::ParsedCert;

pub const TRUST_BUNDLE_FILE: &str = "trust-bundle.json";
const FINGERPRINTS_FILE: &str = "FINGERPRINTS.txt";

/// SHA-256 fingerprint of a certificate (DER), upper-case hex pairs joined by ':' as browsers show it.
#[must_use]
pub fn fingerprint(der: &[u8]) -> String {
    let h = hex(digest(&SHA256, der).as_ref()).to_ascii_uppercase();
    h.as_bytes().chunks(2).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(":")
}

/// True when `typed` names the same SHA-256 as `der` (case, ':' and spaces ignored).
#[must_use]
pub fn fingerprint_matches(der: &[u8], typed: &str) -> bool {
    let norm = |s: &str| s.chars().filter(char::is_ascii_hexdigit).collect::<String>().to_ascii_lowercase();
    let t = norm(typed);
    t.len() == 64 && t == norm(&fingerprint(der))
}

/// Subject of a certificate, e.g. `CN=某市印章制作中心,…`; `None` if it does not parse.
#[must_use]
pub fn certificate_subject(der: &[u8]) -> Option<String> {
    ParsedCert::parse(der).map(|c| c.subject_string())
}

/// PEM text of a DER certificate.
#[must_use]
pub fn certificate_pem(der: &[u8]) -> String {
    let body = b64(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// Certificates in a PEM text (any number) or a DER file (for `yc seal trust tsa FILE`).
#[must_use]
pub fn read_certificates(bytes: &[u8]) -> Vec<Vec<u8>> {
    certificates_in(bytes)
}

/// Certificates in a PEM text (any number) or a DER file.
fn certificates_in(bytes: &[u8]) -> Vec<Vec<u8>> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return ParsedCert::parse(bytes).map(|_| vec![bytes.to_vec()]).unwrap_or_default();
    };
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let after = &rest[start + 27..];
        let Some(end) = after.find("-----END CERTIFICATE-----") else { break };
        let b: String = after[..end].chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(der) = unb64(&b).filter(|d| ParsedCert::parse(d).is_some()) {
            out.push(der);
        }
        rest = &after[end..];
    }
    out
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SealError + '_ {
    move |source| SealError::Io { path: path.to_path_buf(), source }
}

/// Subdirectory of an exported trust directory holding the TSA roots.
pub const TSA_DIR: &str = "tsa";

/// One exported root.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ExportedRoot {
    pub subject: String,
    pub sha256: String,
    pub pem: PathBuf,
    pub der: PathBuf,
}

/// Write the trust directory (created if missing; files overwritten).
///
/// # Errors
/// `Io`, `TrustBundleFormat`.
pub fn export_trust(dir: &Path, roots: &[Vec<u8>], bundle: &TrustBundle) -> Result<Vec<ExportedRoot>> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut out = Vec::new();
    let mut prints = String::from("一窗印章信任根 SHA-256 指纹（导入或信任前，请与印章制作机构公布的指纹逐位核对）\n");
    for der in roots {
        let short = hex(digest(&SHA256, der).as_ref())[..16].to_owned();
        let pem = dir.join(format!("root-{short}.pem"));
        let der_path = dir.join(format!("root-{short}.der"));
        std::fs::write(&pem, certificate_pem(der)).map_err(io(&pem))?;
        std::fs::write(&der_path, der).map_err(io(&der_path))?;
        let subject = certificate_subject(der).unwrap_or_default();
        prints.push_str(&format!("{}  {subject}\n", fingerprint(der)));
        out.push(ExportedRoot { subject, sha256: fingerprint(der), pem, der: der_path });
    }
    // The time-stamping authority's roots (PAdES B-T/B-LT) go in a subdirectory: they vouch for
    // timestamps only and must never become an anchor for the bundle itself (`load_roots`
    // reads the top directory only).
    if !bundle.tsa_roots().is_empty() {
        let tsa_dir = dir.join(TSA_DIR);
        std::fs::create_dir_all(&tsa_dir).map_err(io(&tsa_dir))?;
        prints.push_str("\n时间戳服务根证书 SHA-256 指纹（tsa/，仅用于验证时间戳；请与市级平台公布的指纹核对）\n");
        for der in bundle.tsa_roots() {
            let short = hex(digest(&SHA256, der).as_ref())[..16].to_owned();
            let pem = tsa_dir.join(format!("tsa-root-{short}.pem"));
            std::fs::write(&pem, certificate_pem(der)).map_err(io(&pem))?;
            prints.push_str(&format!("{}  {}\n", fingerprint(der), certificate_subject(der).unwrap_or_default()));
        }
    }
    let b = dir.join(TRUST_BUNDLE_FILE);
    std::fs::write(&b, bundle.to_bytes()?).map_err(io(&b))?;
    let f = dir.join(FINGERPRINTS_FILE);
    std::fs::write(&f, prints).map_err(io(&f))?;
    Ok(out)
}

/// The roots (`*.pem`, `*.der`, `*.crt`, `*.cer`) of an exported trust directory.
///
/// # Errors
/// `Io`; `TrustBundleFormat` when the directory holds no certificate.
pub fn load_roots(dir: &Path) -> Result<Vec<Vec<u8>>> {
    let mut roots = Vec::new();
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).map_err(io(dir))?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
        if matches!(ext.as_str(), "pem" | "der" | "crt" | "cer") {
            for c in certificates_in(&std::fs::read(&p).map_err(io(&p))?) {
                if !roots.contains(&c) {
                    roots.push(c);
                }
            }
        }
    }
    if roots.is_empty() {
        return Err(SealError::TrustBundleFormat(format!("{} 中没有根证书（*.pem / *.der）", dir.display())));
    }
    Ok(roots)
}

/// Trust for `yc verify --trust PATH` on any machine: a directory written by [`export_trust`]
/// (bundle authenticated by the roots beside it), or a bundle file on its own (its signer is
/// taken as the anchor — the caller must show [`fingerprint`] of `roots[0]` for comparison).
///
/// # Errors
/// `Io`, `TrustBundleFormat`, `TrustBundleSignature`.
pub fn load_trust(path: &Path) -> Result<(Vec<Vec<u8>>, TrustBundle)> {
    if path.is_dir() {
        let roots = load_roots(path)?;
        let b = path.join(TRUST_BUNDLE_FILE);
        let bytes = std::fs::read(&b).map_err(io(&b))?;
        let bundle = TrustBundle::from_bytes(&bytes, &roots)?;
        return Ok((roots, bundle));
    }
    let bytes = std::fs::read(path).map_err(io(path))?;
    let signer = TrustBundle::signer_of(&bytes)?;
    let bundle = TrustBundle::from_bytes(&bytes, std::slice::from_ref(&signer))?;
    Ok((vec![signer], bundle))
}
