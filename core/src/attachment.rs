//! Attachments: scans, photos and PDFs handed in at the window, stored content-addressed.
//!
//! A file is stored under its SHA-256, so the same scan handed in twice is kept once, a file
//! altered on disk no longer matches its name (every read re-hashes), and the journal names a
//! file by hash only — the bytes never enter the journal, the chain stays small and the sync
//! payload stays light. Files are written to a temporary name, synced and renamed, so a crash
//! leaves either the whole file or none.

use std::path::{Path, PathBuf};

use ring::digest;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::journal::hex;
use crate::vault::FileCipher;

/// Largest accepted file: a 600 dpi colour A4 scan as JPEG stays well under this.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// Most files per case (a thick application is scanned as one PDF, not 500 photos).
pub const MAX_PER_CASE: usize = 64;

/// One file attached to a case, as the journal records it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Hex SHA-256 of the bytes: the file's address in the store.
    pub sha256: String,
    /// The name the clerk saw (e.g. 营业执照扫描.pdf); shown, never used as a path.
    pub name: String,
    /// Sniffed from the bytes, never taken from the file name.
    pub mime: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
    /// The catalog material this file shows, when the clerk linked it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
}

/// The file types a window accepts. Sniffed from the first bytes: a renamed HTML or SVG file is
/// refused, so nothing that could run script ever reaches the webview's previews.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let b = bytes;
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if b.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some("image/webp")
    } else if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        Some("image/tiff")
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if b.starts_with(b"BM") && b.len() > 14 {
        Some("image/bmp")
    } else {
        None
    }
}

fn valid_sha(sha: &str) -> bool {
    sha.len() == 64 && sha.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// `<data>/attachments/<first two hex digits>/<sha256>`. The address is the hash of the content;
/// on an encrypted workstation the file holds it AES-256-GCM-sealed (crate::vault).
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
    cipher: Option<FileCipher>,
}

/// The associated-data kind of an attachment file (crate::vault::FileCipher).
const KIND: &str = "attachment";

impl BlobStore {
    pub fn new(data_dir: &Path) -> Self {
        Self { root: data_dir.join("attachments"), cipher: None }
    }

    /// The store of an encrypted workstation.
    pub(crate) fn with_cipher(mut self, cipher: Option<FileCipher>) -> Self {
        self.cipher = cipher;
        self
    }

    fn stored_size(&self, size: u64) -> u64 {
        if self.cipher.is_some() { size + crate::vault::FILE_OVERHEAD } else { size }
    }

    fn path(&self, sha: &str) -> PathBuf {
        self.root.join(&sha[..2]).join(sha)
    }

    /// Stores the bytes (idempotent) and describes them. `name` is the clerk-visible file name.
    pub fn put(&self, name: &str, bytes: &[u8]) -> Result<Attachment> {
        let name = clean_name(name)?;
        if bytes.is_empty() {
            return Err(CoreError::Invalid(format!("附件「{name}」是空文件")));
        }
        if bytes.len() > MAX_BYTES {
            return Err(CoreError::Invalid(format!(
                "附件「{name}」有 {:.1} MB，超过上限 {} MB；请降低扫描分辨率或拆分",
                bytes.len() as f64 / 1_048_576.0,
                MAX_BYTES / 1_048_576
            )));
        }
        let mime = sniff(bytes).ok_or_else(|| {
            CoreError::Invalid(format!(
                "附件「{name}」不是可接受的扫描件或照片（只收 PDF、JPEG、PNG、WebP、TIFF、GIF、BMP）"
            ))
        })?;
        let sha = hex(digest::digest(&digest::SHA256, bytes).as_ref());
        if !self.has(&sha, bytes.len() as u64) {
            let path = self.path(&sha);
            crate::store::write_atomically(
                &path,
                &crate::vault::file_bytes(&path, self.cipher.as_ref(), KIND, bytes)?,
            )?;
        }
        Ok(Attachment { sha256: sha, name, mime: mime.into(), size: bytes.len() as u64, material: None })
    }

    /// True when the store holds a file of that hash and size (checked before filing a case).
    pub fn has(&self, sha: &str, size: u64) -> bool {
        valid_sha(sha) && std::fs::metadata(self.path(sha)).is_ok_and(|m| m.len() == self.stored_size(size))
    }

    /// Reads a file back, re-hashing it: a file changed on disk is reported, never served.
    pub fn get(&self, sha: &str) -> Result<Vec<u8>> {
        if !valid_sha(sha) {
            return Err(CoreError::Invalid(format!("附件编号无效：{sha}")));
        }
        let path = self.path(sha);
        let raw = std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => CoreError::Invalid(format!("附件文件缺失：{}", path.display())),
            _ => CoreError::io(&path, e),
        })?;
        let bytes = match &self.cipher {
            Some(c) => c.open(KIND, sha, &raw)?,
            None => raw,
        };
        if hex(digest::digest(&digest::SHA256, &bytes).as_ref()) != sha {
            return Err(CoreError::Invalid(format!("附件文件已被改动，与登记的摘要不符：{}", path.display())));
        }
        Ok(bytes)
    }
}

/// The clerk-visible name: no path parts, no control characters, at most 120 characters.
fn clean_name(name: &str) -> Result<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let s: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    let s = s.trim().to_owned();
    if s.is_empty() {
        return Err(CoreError::Invalid("附件缺少文件名".into()));
    }
    Ok(s)
}

/// Checks the attachments of a filing against the store and the item's materials.
pub(crate) fn check_for_filing(
    store: &BlobStore,
    atts: &[Attachment],
    materials: &std::collections::HashSet<&str>,
) -> Result<Vec<Attachment>> {
    if atts.len() > MAX_PER_CASE {
        return Err(CoreError::Invalid(format!("一件最多 {MAX_PER_CASE} 个附件，收到 {} 个", atts.len())));
    }
    let mut out = Vec::with_capacity(atts.len());
    for a in atts {
        let name = clean_name(&a.name)?;
        if !store.has(&a.sha256, a.size) {
            return Err(CoreError::Invalid(format!("附件「{name}」不在本机附件库中，请重新添加")));
        }
        if let Some(m) = &a.material
            && !materials.contains(m.as_str())
        {
            return Err(CoreError::Invalid(format!("附件「{name}」对应的材料 {m} 不属于本事项")));
        }
        // The stored bytes decide the type, not what the caller claims.
        let head = store.get(&a.sha256)?;
        let mime = sniff(&head).ok_or_else(|| CoreError::Invalid(format!("附件「{name}」类型不被接受")))?;
        out.push(Attachment {
            sha256: a.sha256.clone(),
            name,
            mime: mime.into(),
            size: a.size,
            material: a.material.clone(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn put_is_content_addressed_and_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let s = BlobStore::new(dir.path());
        let a = s.put("C:\\扫描\\身份证.png", PNG).unwrap();
        assert_eq!(a.name, "身份证.png");
        assert_eq!(a.mime, "image/png");
        assert_eq!(a.sha256, hex(digest::digest(&digest::SHA256, PNG).as_ref()));
        let b = s.put("again.png", PNG).unwrap();
        assert_eq!(a.sha256, b.sha256);
        assert_eq!(s.get(&a.sha256).unwrap(), PNG);
        assert!(s.has(&a.sha256, PNG.len() as u64));
        assert!(!s.has(&a.sha256, 3));
    }

    #[test]
    fn refuses_what_is_not_a_scan() {
        let dir = tempfile::tempdir().unwrap();
        let s = BlobStore::new(dir.path());
        for (name, bytes) in [("x.png", &b"<html><script>"[..]), ("a.svg", b"<svg onload=alert(1)>"), ("e.pdf", b"")] {
            let e = s.put(name, bytes).unwrap_err();
            assert!(matches!(e, CoreError::Invalid(_)), "{name}: {e}");
        }
        assert!(s.put("  ", PNG).is_err());
    }

    #[test]
    fn altered_file_is_reported_not_served() {
        let dir = tempfile::tempdir().unwrap();
        let s = BlobStore::new(dir.path());
        let a = s.put("p.pdf", b"%PDF-1.7 hello").unwrap();
        let p = dir.path().join("attachments").join(&a.sha256[..2]).join(&a.sha256);
        std::fs::write(&p, b"%PDF-1.7 HELLO").unwrap();
        let e = s.get(&a.sha256).unwrap_err().to_string();
        assert!(e.contains("已被改动"), "{e}");
        assert!(s.get("../../etc/passwd").is_err());
        assert!(s.get(&"A".repeat(64)).is_err());
    }
}
