//! Seal private keys at rest: PBKDF2-HMAC-SHA256 → AES-256-GCM, a PIN per sealing, and a
//! persisted wrong-PIN counter that locks the seal.
//!
//! The counter lives in the key file itself and is rewritten atomically (temp file + fsync +
//! rename), so a crash never leaves a half-written key. It stops guessing through the
//! application; an attacker who copies the file is held back only by the KDF cost, which is why a
//! hardware UKey (its own counter) is the production target behind the same [`crate::Signer`] seam.

use std::io::Write as _;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom as _, SystemRandom};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::encoding::{base64_bytes, base64_list};
use crate::error::{Result, SealError};
use crate::signer::SoftwareSigner;

/// DER certificates, signer first.
pub type CertChain = Vec<Vec<u8>>;

/// OWASP Password Storage Cheat Sheet (2023): PBKDF2-HMAC-SHA256 needs ≥ 600 000 iterations.
pub const DEFAULT_PBKDF2_ITERATIONS: u32 = 600_000;
/// Wrong PINs tolerated before the seal locks (UKey practice: 5–10; we take the strict end).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;

const FORMAT: &str = "yc-seal-key/1";
const KDF_ALG: &str = "PBKDF2-HMAC-SHA256";
const CIPHER_ALG: &str = "AES-256-GCM";
const SALT_LEN: usize = 16;

/// How a key file is protected. `Default` is the production setting; tests may lower the
/// iteration count to keep debug builds fast (the count is stored in the file).
#[derive(Clone, Copy, Debug)]
pub struct KeyStoreOptions {
    pub iterations: NonZeroU32,
    pub max_attempts: u32,
}

impl Default for KeyStoreOptions {
    fn default() -> Self {
        Self {
            iterations: NonZeroU32::new(DEFAULT_PBKDF2_ITERATIONS).unwrap_or(NonZeroU32::MIN),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct KdfParams {
    algorithm: String,
    iterations: u32,
    #[serde(with = "base64_bytes")]
    salt: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct CipherParams {
    algorithm: String,
    #[serde(with = "base64_bytes")]
    nonce: Vec<u8>,
    /// AES-256-GCM(PKCS#8) with the tag appended; AAD = format + seal id.
    #[serde(with = "base64_bytes")]
    ciphertext: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct KeyFileData {
    format: String,
    seal_id: String,
    kdf: KdfParams,
    cipher: CipherParams,
    #[serde(with = "base64_list")]
    cert_chain: Vec<Vec<u8>>,
    max_attempts: u32,
    failed_attempts: u32,
}

/// What the UI shows about a key without the PIN.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyFileStatus {
    pub seal_id: String,
    pub failed_attempts: u32,
    pub max_attempts: u32,
    pub locked: bool,
}

/// A seal key file on disk. Holds only the path; every operation re-reads the file so the
/// wrong-PIN counter cannot be bypassed by keeping an old handle.
#[derive(Clone, Debug)]
pub struct SealKeyFile {
    path: PathBuf,
}

fn check_pin(pin: &str) -> Result<()> {
    let n = pin.chars().count();
    if (6..=64).contains(&n) { Ok(()) } else { Err(SealError::InvalidPin) }
}

fn derive_key(pin: &str, salt: &[u8], iterations: NonZeroU32) -> Zeroizing<[u8; 32]> {
    let mut key = Zeroizing::new([0u8; 32]);
    ring::pbkdf2::derive(ring::pbkdf2::PBKDF2_HMAC_SHA256, iterations, salt, pin.as_bytes(), key.as_mut());
    key
}

fn aad_for(seal_id: &str) -> Vec<u8> {
    let mut aad = FORMAT.as_bytes().to_vec();
    aad.push(0);
    aad.extend_from_slice(seal_id.as_bytes());
    aad
}

fn seal_pkcs8(pkcs8: &[u8], seal_id: &str, pin: &str, iterations: NonZeroU32) -> Result<(KdfParams, CipherParams)> {
    let rng = SystemRandom::new();
    let mut salt = vec![0u8; SALT_LEN];
    rng.fill(&mut salt).map_err(|_| SealError::Rng)?;
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill(&mut nonce).map_err(|_| SealError::Rng)?;
    let key = derive_key(pin, &salt, iterations);
    let aead = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key.as_ref()).map_err(|_| SealError::Rng)?);
    let mut buf = Zeroizing::new(pkcs8.to_vec());
    aead.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad_for(seal_id)), &mut *buf)
        .map_err(|_| SealError::Signing("加密失败".into()))?;
    Ok((
        KdfParams { algorithm: KDF_ALG.into(), iterations: iterations.get(), salt },
        CipherParams { algorithm: CIPHER_ALG.into(), nonce: nonce.to_vec(), ciphertext: buf.to_vec() },
    ))
}

impl SealKeyFile {
    /// Encrypt `pkcs8` under `pin` and write a new key file. Refuses to overwrite.
    ///
    /// # Errors
    /// `InvalidPin`, `KeyFileExists`, `Io`, or `SealMismatch` when the chain is not for this key.
    pub fn create(
        path: &Path,
        seal_id: &str,
        pkcs8: &[u8],
        cert_chain: Vec<Vec<u8>>,
        pin: &str,
        options: KeyStoreOptions,
    ) -> Result<Self> {
        check_pin(pin)?;
        // Proves key and certificate belong together before anything is written.
        drop(SoftwareSigner::from_pkcs8(pkcs8, cert_chain.clone())?);
        if path.exists() {
            return Err(SealError::KeyFileExists(path.to_path_buf()));
        }
        let (kdf, cipher) = seal_pkcs8(pkcs8, seal_id, pin, options.iterations)?;
        let data = KeyFileData {
            format: FORMAT.into(),
            seal_id: seal_id.into(),
            kdf,
            cipher,
            cert_chain,
            max_attempts: options.max_attempts.max(1),
            failed_attempts: 0,
        };
        let file = Self { path: path.to_path_buf() };
        file.write(&data)?;
        Ok(file)
    }

    /// Open an existing key file (checks that it parses).
    ///
    /// # Errors
    /// `Io` or `KeyFileFormat`.
    pub fn open(path: &Path) -> Result<Self> {
        let file = Self { path: path.to_path_buf() };
        file.read()?;
        Ok(file)
    }

    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Seal id, counter and lock state, without the PIN.
    ///
    /// # Errors
    /// `Io` or `KeyFileFormat`.
    pub fn status(&self) -> Result<KeyFileStatus> {
        let d = self.read()?;
        Ok(KeyFileStatus {
            seal_id: d.seal_id,
            failed_attempts: d.failed_attempts,
            max_attempts: d.max_attempts,
            locked: d.failed_attempts >= d.max_attempts,
        })
    }

    /// Decrypt the key with `pin` for one sealing. A wrong PIN is counted on disk before this
    /// returns; at `max_attempts` the seal locks and even the right PIN is refused.
    ///
    /// # Errors
    /// `Locked`, `WrongPin { remaining }`, `Io`, `KeyFileFormat`, `InvalidKey`.
    pub fn unlock(&self, pin: &str) -> Result<SoftwareSigner> {
        let (pkcs8, chain) = self.unlock_key(pin)?;
        SoftwareSigner::from_pkcs8(&pkcs8, chain)
    }

    /// As [`SealKeyFile::unlock`], but hands back the decrypted PKCS#8 itself (zeroised on drop)
    /// with the certificate chain. Only for the seal authority's own root key, which must build
    /// a [`crate::SealAuthority`]; department seals go through [`SealKeyFile::unlock`].
    ///
    /// # Errors
    /// As [`SealKeyFile::unlock`].
    pub fn unlock_key(&self, pin: &str) -> Result<(Zeroizing<Vec<u8>>, CertChain)> {
        let mut d = self.read()?;
        if d.failed_attempts >= d.max_attempts {
            return Err(SealError::Locked { attempts: d.failed_attempts });
        }
        match Self::decrypt(&d, pin) {
            Some(pkcs8) => {
                if d.failed_attempts != 0 {
                    d.failed_attempts = 0;
                    self.write(&d)?;
                }
                Ok((pkcs8, d.cert_chain.clone()))
            }
            None => {
                d.failed_attempts = d.failed_attempts.saturating_add(1);
                self.write(&d)?;
                if d.failed_attempts >= d.max_attempts {
                    Err(SealError::Locked { attempts: d.failed_attempts })
                } else {
                    Err(SealError::WrongPin { remaining: d.max_attempts - d.failed_attempts })
                }
            }
        }
    }

    /// Re-encrypt under a new PIN (old PIN required and counted like any attempt).
    ///
    /// # Errors
    /// As [`SealKeyFile::unlock`], plus `InvalidPin` for the new PIN.
    pub fn change_pin(&self, old_pin: &str, new_pin: &str, iterations: NonZeroU32) -> Result<()> {
        check_pin(new_pin)?;
        drop(self.unlock(old_pin)?);
        let mut d = self.read()?;
        let pkcs8 =
            Self::decrypt(&d, old_pin).ok_or_else(|| SealError::KeyFileFormat("密钥文件在修改 PIN 时被改动".into()))?;
        let (kdf, cipher) = seal_pkcs8(&pkcs8, &d.seal_id, new_pin, iterations)?;
        d.kdf = kdf;
        d.cipher = cipher;
        d.failed_attempts = 0;
        self.write(&d)
    }

    /// Administrative reset of the wrong-PIN counter (the caller checks the 印章管理员 role and
    /// records it in the seal usage log).
    ///
    /// # Errors
    /// `Io` or `KeyFileFormat`.
    pub fn reset_attempts(&self) -> Result<()> {
        let mut d = self.read()?;
        d.failed_attempts = 0;
        self.write(&d)
    }

    fn decrypt(d: &KeyFileData, pin: &str) -> Option<Zeroizing<Vec<u8>>> {
        let iterations = NonZeroU32::new(d.kdf.iterations)?;
        let key = derive_key(pin, &d.kdf.salt, iterations);
        let aead = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key.as_ref()).ok()?);
        let nonce = Nonce::try_assume_unique_for_key(&d.cipher.nonce).ok()?;
        let mut buf = Zeroizing::new(d.cipher.ciphertext.clone());
        let len = aead.open_in_place(nonce, Aad::from(aad_for(&d.seal_id)), &mut buf).ok()?.len();
        buf.truncate(len);
        Some(buf)
    }

    fn read(&self) -> Result<KeyFileData> {
        let bytes = std::fs::read(&self.path).map_err(|source| SealError::Io { path: self.path.clone(), source })?;
        let d: KeyFileData = serde_json::from_slice(&bytes).map_err(|e| SealError::KeyFileFormat(e.to_string()))?;
        if d.format != FORMAT || d.kdf.algorithm != KDF_ALG || d.cipher.algorithm != CIPHER_ALG {
            return Err(SealError::KeyFileFormat(format!("不支持的格式 {}", d.format)));
        }
        Ok(d)
    }

    fn write(&self, d: &KeyFileData) -> Result<()> {
        let io = |source| SealError::Io { path: self.path.clone(), source };
        let json = serde_json::to_vec_pretty(d).map_err(|e| SealError::KeyFileFormat(e.to_string()))?;
        let dir = self.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let mut tmp = tempfile_in(dir).map_err(io)?;
        tmp.1.write_all(&json).map_err(io)?;
        tmp.1.sync_all().map_err(io)?;
        std::fs::rename(&tmp.0, &self.path).map_err(io)?;
        // fsync the directory so the rename itself survives a power cut.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// A fresh, exclusive, owner-only temp file next to the key file (same filesystem → atomic rename).
fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let rng = SystemRandom::new();
    for _ in 0..16 {
        let mut n = [0u8; 8];
        rng.fill(&mut n).map_err(|_| std::io::Error::other("rng"))?;
        let path = dir.join(format!(".yc-seal-key.{}.tmp", crate::encoding::hex(&n)));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            opts.mode(0o600);
        }
        match opts.open(&path) {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("无法创建临时文件"))
}
