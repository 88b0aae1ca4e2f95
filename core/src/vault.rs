//! Encryption at rest (issue 13 part 1): a stolen laptop or backup disk shows no applicant.
//!
//! One random **data key** per workstation. Two keys are derived from it (HKDF-SHA256, so no key
//! serves two algorithms): the SQLCipher key of the case store (`PRAGMA key` with a raw key, so
//! SQLCipher's own slow KDF is skipped — the slow part is the password derivation below, done
//! once per login) and the AES-256-GCM key of attachments, sealed documents and drafts.
//!
//! The data key is never stored in clear. `access.json` beside the store (mode 0600) holds it
//! wrapped (AES-256-GCM) once per staff account under that account's key-encryption key — PBKDF2
//! of the password with the account's own salt, the same scheme as the signing keys
//! (crate::signing) — and once under the **recovery key** printed at `yc init` for the
//! administrator's safe. So any authorised person's login opens the store, a password change
//! re-wraps only that person's copy, and an administrator who forgot every password still gets in.
//! The file also names the workstation and its accounts (not secret: the login screen lists
//! them) and counts wrong passwords typed before the store is open (the store counts the rest).
//!
//! A plain workstation (made before this, or a test's) is converted in place by
//! [`crate::Workstation::encrypt`], after a verified backup.

use std::io::Write as _;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use ring::{digest, hkdf, pbkdf2};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::clock::shown;
use crate::error::{CoreError, Result};
use crate::hash::{hex, unhex};

pub const ACCESS_FILE: &str = "access.json";
const FORMAT: &str = "yc-access-v1";
/// An encrypted file starts with this, then the 12-byte nonce, the ciphertext and the GCM tag.
const FILE_MAGIC: &[u8; 4] = b"YCE1";
/// Whether `bytes` is a file this module encrypted (a conversion skips those it already did).
pub(crate) fn is_sealed_file(bytes: &[u8]) -> bool {
    bytes.starts_with(FILE_MAGIC)
}

/// Bytes an encrypted file has beyond its content.
pub const FILE_OVERHEAD: u64 = (FILE_MAGIC.len() + NONCE_LEN + 16) as u64;
const WRAP_DOMAIN: &[u8] = b"yc-data-key-wrap-v1";
/// Wrong passwords in a row (before the store is open) that lock an account in `access.json`:
/// the login's default (crate::auth), which sits above this module.
const MAX_FAILED: u32 = 5;
/// PBKDF2 rounds of a password's key-encryption key: the login hash's policy.
const KEK_ITERATIONS: u32 = crate::staff::PASSWORD_ITERATIONS;

/// Which workstation an access file belongs to (shown on the login screen before the store opens).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub region: String,
    pub code: String,
    pub name: String,
}

fn rng_fail() -> CoreError {
    CoreError::Invalid("系统随机数不可用".into())
}

/// The workstation's data key (zeroised on drop).
#[derive(Clone)]
pub struct DataKey {
    bytes: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKey").field("key_id", &self.key_id()).finish_non_exhaustive()
    }
}

impl DataKey {
    pub(crate) fn generate() -> Result<Self> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        SystemRandom::new().fill(bytes.as_mut()).map_err(|_| rng_fail())?;
        Ok(Self { bytes })
    }

    /// Names the key without revealing it: the first 8 bytes of SHA-256 over a domain and the key.
    pub fn key_id(&self) -> String {
        let mut ctx = digest::Context::new(&digest::SHA256);
        ctx.update(b"yc-data-key-id-v1");
        ctx.update(self.bytes.as_ref());
        hex(&ctx.finish().as_ref()[..8])
    }

    fn derive(&self, label: &[u8]) -> Zeroizing<[u8; 32]> {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"yc-data-key-v1").extract(self.bytes.as_ref());
        let mut out = Zeroizing::new([0u8; 32]);
        // Expanding 32 bytes from SHA-256 cannot fail (the limit is 255 × 32).
        if let Ok(okm) = prk.expand(&[label], hkdf::HKDF_SHA256) {
            let _ = okm.fill(out.as_mut());
        }
        out
    }

    /// The `PRAGMA key` value: a raw 256-bit key in SQLCipher's blob-literal form.
    fn sqlcipher_key(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("\"{}\"", self.sqlcipher_key_text().as_str()))
    }

    /// The key as SQLCipher reads a raw key from text: `x'<64 hex digits>'`.
    pub(crate) fn sqlcipher_key_text(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex(self.derive(b"sqlcipher").as_ref())))
    }

    pub(crate) fn files(&self) -> FileCipher {
        FileCipher { key: self.derive(b"files") }
    }
}

/// Opens a connection to an encrypted (with `key`) or plain (`None`) SQLite file and checks the
/// key before anything else reads it.
pub fn open_connection(path: &Path, key: Option<&DataKey>, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    if let Some(k) = key {
        apply_key(&conn, k)?;
    }
    Ok(conn)
}

/// `PRAGMA key` on a fresh connection, then a read that fails at once if the key is wrong (SQLite
/// would otherwise report "file is not a database" at some later statement).
pub(crate) fn apply_key(conn: &Connection, key: &DataKey) -> Result<()> {
    // SQLCipher logs a failed page check to stderr by default: the error returned says it better.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&format!("PRAGMA key = {};", key.sqlcipher_key().as_str()))?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).map_err(|_| {
        CoreError::Tampered {
            what: "工作站数据库".into(),
            detail: "无法用此数据密钥解密（密钥不符，或文件不是本工作站的加密数据库）".into(),
        }
    })?;
    Ok(())
}

/// AES-256-GCM for the files beside the store. The associated data binds a file to its kind and
/// name, so an encrypted attachment copied over a document (or another attachment) fails to open.
#[derive(Clone)]
pub struct FileCipher {
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for FileCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FileCipher")
    }
}

fn file_aad(kind: &str, name: &str) -> Vec<u8> {
    [b"yc-file-v1\x1f".as_slice(), kind.as_bytes(), b"\x1f", name.as_bytes()].concat()
}

impl FileCipher {
    fn aead(&self) -> Result<LessSafeKey> {
        let k =
            UnboundKey::new(&AES_256_GCM, self.key.as_ref()).map_err(|_| CoreError::Invalid("密钥长度错误".into()))?;
        Ok(LessSafeKey::new(k))
    }

    pub fn seal(&self, kind: &str, name: &str, plain: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(|_| rng_fail())?;
        let mut out = Vec::with_capacity(plain.len() + FILE_OVERHEAD as usize);
        out.extend_from_slice(FILE_MAGIC);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plain);
        let tag = self
            .aead()?
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(file_aad(kind, name)),
                &mut out[FILE_MAGIC.len() + NONCE_LEN..],
            )
            .map_err(|_| CoreError::Invalid("文件加密失败".into()))?;
        out.extend_from_slice(tag.as_ref());
        Ok(out)
    }

    /// The content of an encrypted file; a plain, truncated, altered or swapped file is refused.
    pub fn open(&self, kind: &str, name: &str, bytes: &[u8]) -> Result<Vec<u8>> {
        let bad = |detail: &str| CoreError::Tampered { what: format!("加密文件 {name}"), detail: detail.into() };
        if !bytes.starts_with(FILE_MAGIC) {
            return Err(bad("不是本工作站加密的文件（未加密或格式不符）"));
        }
        if (bytes.len() as u64) < FILE_OVERHEAD {
            return Err(bad("文件不完整"));
        }
        let (nonce, body) = bytes[FILE_MAGIC.len()..].split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| bad("文件不完整"))?;
        let mut body = body.to_vec();
        let n = self
            .aead()?
            .open_in_place(nonce, Aad::from(file_aad(kind, name)), &mut body)
            .map_err(|_| bad("解密失败：文件被改动、截断或不属于此位置"))?
            .len();
        body.truncate(n);
        Ok(body)
    }
}

/// Reads a file beside the store, decrypting it when the store is encrypted.
pub(crate) fn read_file(path: &Path, cipher: Option<&FileCipher>, kind: &str) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).map_err(|e| CoreError::io(path, e))?;
    match cipher {
        Some(c) => c.open(kind, &file_name(path), &bytes),
        None => Ok(bytes),
    }
}

/// The bytes to write for `plain` at `path` (encrypted when the store is).
pub(crate) fn file_bytes(path: &Path, cipher: Option<&FileCipher>, kind: &str, plain: &[u8]) -> Result<Vec<u8>> {
    match cipher {
        Some(c) => c.seal(kind, &file_name(path), plain),
        None => Ok(plain.to_vec()),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

// ---- access.json ----------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Wrap {
    salt: String,
    iterations: u32,
    wrapped: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct AccountWrap {
    id: String,
    name: String,
    #[serde(flatten)]
    wrap: Wrap,
    /// Wrong passwords in a row typed while the store was closed.
    #[serde(default)]
    failed: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    locked_at: Option<String>,
    /// Wrapped at a plain store's conversion under the key the stored login hash equals (the
    /// person was not there to type a password): re-wrapped with a fresh salt at their next login,
    /// so an old plain copy's hash stops opening the store.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    from_login_hash: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct AccessFile {
    format: String,
    workstation: Named,
    cipher: String,
    key_id: String,
    accounts: Vec<AccountWrap>,
    recovery: Wrap,
}

/// An account the login screen may offer before the store is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: String,
    pub name: String,
}

/// How the store is opened: a person's password, or the recovery key.
#[derive(Debug, Clone, Copy)]
pub enum Unlock<'a> {
    Password { staff: &'a str, password: &'a str },
    Recovery(&'a str),
}

/// Whether the workstation in `dir` keeps its data encrypted.
pub fn is_encrypted(dir: &Path) -> bool {
    dir.join(ACCESS_FILE).exists()
}

fn access_path(dir: &Path) -> PathBuf {
    dir.join(ACCESS_FILE)
}

fn load(dir: &Path) -> Result<AccessFile> {
    let path = access_path(dir);
    let text = std::fs::read(&path).map_err(|e| CoreError::io(&path, e))?;
    let f: AccessFile = serde_json::from_slice(&text).map_err(|e| CoreError::Tampered {
        what: ACCESS_FILE.into(),
        detail: format!("无法读取：{e}（可用备份中的 {ACCESS_FILE} 替换，或用恢复密钥打开）"),
    })?;
    if f.format != FORMAT {
        return Err(CoreError::Invalid(format!("{ACCESS_FILE} 的格式 {} 不是本程序支持的 {FORMAT}", f.format)));
    }
    Ok(f)
}

/// Written under a temporary name (0600), synced, renamed: a crash leaves the old file or the new.
fn save(dir: &Path, f: &AccessFile) -> Result<()> {
    let path = access_path(dir);
    let bytes = serde_json::to_vec_pretty(f).map_err(|e| CoreError::Invalid(e.to_string()))?;
    let tmp = dir.join(format!(".{ACCESS_FILE}.{}.tmp", std::process::id()));
    let io = |e: std::io::Error| CoreError::io(&path, e);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut file = opts.open(&tmp).map_err(io)?;
    file.write_all(&bytes).and_then(|()| file.sync_all()).map_err(io)?;
    drop(file);
    std::fs::rename(&tmp, &path).map_err(io)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The workstation an encrypted directory holds (for the login screen).
pub fn identity(dir: &Path) -> Result<Named> {
    Ok(load(dir)?.workstation)
}

/// The accounts that can open the store (for the login screen).
pub fn accounts(dir: &Path) -> Result<Vec<Account>> {
    Ok(load(dir)?.accounts.into_iter().map(|a| Account { id: a.id, name: a.name }).collect())
}

/// A key-encryption key: PBKDF2-HMAC-SHA256 of a password (or the recovery key) with its salt.
/// The one derivation behind every wrapped key, the signing keys' too (crate::signing).
pub(crate) fn derive_kek(secret: &[u8], salt: &[u8], iterations: u32) -> Result<Zeroizing<[u8; 32]>> {
    let iters = NonZeroU32::new(iterations).ok_or_else(|| CoreError::Invalid("密钥派生轮数为 0".into()))?;
    let mut k = Zeroizing::new([0u8; 32]);
    pbkdf2::derive(pbkdf2::PBKDF2_HMAC_SHA256, iters, salt, secret, k.as_mut());
    Ok(k)
}

fn aad(kind: &str, who: &str, key_id: &str) -> Vec<u8> {
    [WRAP_DOMAIN, kind.as_bytes(), b"\x1f", who.as_bytes(), b"\x1f", key_id.as_bytes()].concat()
}

/// A secret wrapped under a key-encryption key: `nonce ‖ AES-256-GCM ciphertext ‖ tag`, the
/// associated data naming what and whose it is. The one wrapped form of every key here and in
/// crate::signing.
pub(crate) fn seal_secret(kek: &[u8; 32], aad_bytes: &[u8], secret: &[u8]) -> Result<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new().fill(&mut nonce).map_err(|_| rng_fail())?;
    let k = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, kek).map_err(|_| rng_fail())?);
    let mut body = secret.to_vec();
    k.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad_bytes), &mut body)
        .map_err(|_| CoreError::Invalid("密钥加密失败".into()))?;
    let mut blob = nonce.to_vec();
    blob.extend_from_slice(&body);
    Ok(blob)
}

/// The secret [`seal_secret`] wrapped, if this key and associated data open it.
pub(crate) fn open_secret(kek: &[u8; 32], aad_bytes: &[u8], blob: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if blob.len() < NONCE_LEN + 16 {
        return None;
    }
    let (nonce, body) = blob.split_at(NONCE_LEN);
    let k = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, kek).ok()?);
    let mut body = Zeroizing::new(body.to_vec());
    let n = k.open_in_place(Nonce::try_assume_unique_for_key(nonce).ok()?, Aad::from(aad_bytes), &mut body).ok()?.len();
    Some(Zeroizing::new(body[..n].to_vec()))
}

fn wrap_under(kek: &[u8; 32], salt: Vec<u8>, iterations: u32, aad_bytes: &[u8], key: &DataKey) -> Result<Wrap> {
    let blob = seal_secret(kek, aad_bytes, key.bytes.as_ref())?;
    Ok(Wrap { salt: hex(&salt), iterations, wrapped: hex(&blob) })
}

fn unwrap_with(kek: &[u8; 32], aad_bytes: &[u8], w: &Wrap, key_id: &str) -> Option<DataKey> {
    let plain = open_secret(kek, aad_bytes, &unhex(&w.wrapped)?)?;
    if plain.len() != 32 {
        return None;
    }
    let mut bytes = Zeroizing::new([0u8; 32]);
    bytes.copy_from_slice(&plain);
    let key = DataKey { bytes };
    (key.key_id() == key_id).then_some(key)
}

fn fresh_salt() -> Result<Vec<u8>> {
    let mut s = vec![0u8; 16];
    SystemRandom::new().fill(&mut s).map_err(|_| rng_fail())?;
    Ok(s)
}

fn wrap_for_password(id: &str, password: &str, key: &DataKey) -> Result<Wrap> {
    let salt = fresh_salt()?;
    let iterations = KEK_ITERATIONS;
    let kek = derive_kek(password.as_bytes(), &salt, iterations)?;
    wrap_under(&kek, salt, iterations, &aad("staff", id, &key.key_id()), key)
}

// ---- the recovery key ----------------------------------------------------------------------

/// Crockford's base32: no I, L, O, U, so a code read aloud or typed from paper is unambiguous.
const B32: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const RECOVERY_BYTES: usize = 20;

/// The recovery key as printed: 32 characters in 8 groups of 4 (160 random bits).
#[derive(Clone)]
pub struct RecoveryKey(Zeroizing<String>);

impl RecoveryKey {
    fn generate() -> Result<Self> {
        let mut raw = Zeroizing::new([0u8; RECOVERY_BYTES]);
        SystemRandom::new().fill(raw.as_mut()).map_err(|_| rng_fail())?;
        let mut bits: u64 = 0;
        let mut n = 0;
        let mut chars = String::with_capacity(40);
        for b in raw.iter() {
            bits = (bits << 8) | u64::from(*b);
            n += 8;
            while n >= 5 {
                n -= 5;
                chars.push(B32[((bits >> n) & 31) as usize] as char);
            }
        }
        let grouped: Vec<String> =
            chars.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        Ok(Self(Zeroizing::new(grouped.join("-"))))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The normalised text (what wraps the workstation key, crate::signing).
    pub(crate) fn secret(&self) -> Result<Zeroizing<String>> {
        normalise_recovery(self.as_str())
    }
}

/// A typed recovery key in the form that wraps the workstation key.
pub(crate) fn recovery_secret(typed: &str) -> Result<Zeroizing<String>> {
    normalise_recovery(typed)
}

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKey(…)")
    }
}

/// A typed recovery key normalised: case, spaces and dashes ignored, I/L read as 1 and O as 0.
fn normalise_recovery(s: &str) -> Result<Zeroizing<String>> {
    let mut out = Zeroizing::new(String::with_capacity(32));
    for c in s.chars().filter(|c| !c.is_whitespace() && *c != '-') {
        let c = match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            c => c,
        };
        if !B32.contains(&(c as u8)) || !c.is_ascii() {
            return Err(CoreError::Invalid(format!("恢复密钥含无效字符「{c}」")));
        }
        out.push(c);
    }
    if out.len() != 32 {
        return Err(CoreError::Invalid(format!("恢复密钥应为 32 个字符（8 组，每组 4 个），收到 {} 个", out.len())));
    }
    Ok(out)
}

/// The recovery key has 160 random bits: one PBKDF2 round set is ample, kept modest so the
/// recovery path is not slower than a login.
const RECOVERY_ITERATIONS: u32 = 10_000;

// ---- creating, unlocking, keeping the wraps in step ------------------------------------------

/// Makes the data key of a new (or converted) workstation and its `access.json` with the first
/// administrator's wrap and the recovery wrap. Returns the key and the recovery key to print.
pub(crate) fn create(
    dir: &Path,
    identity: &Named,
    admin: (&str, &str),
    admin_password: &str,
) -> Result<(DataKey, RecoveryKey)> {
    let key = DataKey::generate()?;
    let recovery = write_access(dir, identity, admin, admin_password, &key)?;
    Ok((key, recovery))
}

/// Writes the access file for an existing data key (a conversion) with the administrator's wrap
/// and a new recovery key.
pub(crate) fn write_access(
    dir: &Path,
    identity: &Named,
    admin: (&str, &str),
    admin_password: &str,
    key: &DataKey,
) -> Result<RecoveryKey> {
    let key = key.clone();
    let recovery = RecoveryKey::generate()?;
    let f = AccessFile {
        format: FORMAT.into(),
        workstation: identity.clone(),
        cipher: "SQLCipher 4 (raw key) + AES-256-GCM".into(),
        key_id: key.key_id(),
        accounts: vec![AccountWrap {
            id: admin.0.into(),
            name: admin.1.into(),
            wrap: wrap_for_password(admin.0, admin_password, &key)?,
            failed: 0,
            locked_at: None,
            from_login_hash: false,
        }],
        recovery: recovery_wrap(&recovery, &key)?,
    };
    save(dir, &f)?;
    Ok(recovery)
}

fn recovery_wrap(recovery: &RecoveryKey, key: &DataKey) -> Result<Wrap> {
    let salt = fresh_salt()?;
    let kek = derive_kek(normalise_recovery(recovery.as_str())?.as_bytes(), &salt, RECOVERY_ITERATIONS)?;
    wrap_under(&kek, salt, RECOVERY_ITERATIONS, &aad("recovery", "", &key.key_id()), key)
}

/// The data key `how` opens, if it does (nothing counted, nothing written).
fn try_open(f: &AccessFile, how: Unlock<'_>) -> Result<Option<DataKey>> {
    match how {
        Unlock::Recovery(code) => {
            let code = normalise_recovery(code)?;
            let salt = unhex(&f.recovery.salt).unwrap_or_default();
            let kek = derive_kek(code.as_bytes(), &salt, f.recovery.iterations)?;
            Ok(unwrap_with(&kek, &aad("recovery", "", &f.key_id), &f.recovery, &f.key_id))
        }
        Unlock::Password { staff, password } => {
            let a = f.accounts.iter().find(|a| a.id == staff).ok_or_else(|| CoreError::UnknownStaff(staff.into()))?;
            let salt = unhex(&a.wrap.salt).unwrap_or_default();
            let kek = derive_kek(password.as_bytes(), &salt, a.wrap.iterations)?;
            let kind = if a.from_login_hash { "login-hash" } else { "staff" };
            Ok(unwrap_with(&kek, &aad(kind, staff, &f.key_id), &a.wrap, &f.key_id))
        }
    }
}

/// The data key of the workstation (or backup) in `dir`, without counting a failure: for a
/// backup being restored, which must not be written to.
pub fn open_quietly(dir: &Path, how: Unlock<'_>) -> Result<DataKey> {
    let f = load(dir)?;
    try_open(&f, how)?.ok_or_else(|| match how {
        Unlock::Recovery(_) => CoreError::Invalid("恢复密钥不正确".into()),
        Unlock::Password { .. } => CoreError::WrongPassword { remaining: None },
    })
}

/// The data key of the workstation in `dir`. A wrong password is counted here (the store is not
/// open yet to count it); the 5th in a row locks the account until an administrator unlocks it.
/// `now` is stamped on a lock.
pub fn unlock(dir: &Path, how: Unlock<'_>, now: &str) -> Result<DataKey> {
    let mut f = load(dir)?;
    let Unlock::Password { staff, password } = how else {
        return open_quietly(dir, how);
    };
    let i = f.accounts.iter().position(|a| a.id == staff).ok_or_else(|| CoreError::UnknownStaff(staff.into()))?;
    if let Some(at) = &f.accounts[i].locked_at {
        return Err(CoreError::AccountLocked { id: staff.into(), since: shown(at) });
    }
    let opened = try_open(&f, how)?;
    let a = &mut f.accounts[i];
    match opened {
        Some(key) => {
            if a.failed > 0 || a.from_login_hash {
                a.failed = 0;
                if a.from_login_hash {
                    a.wrap = wrap_for_password(staff, password, &key)?;
                    a.from_login_hash = false;
                }
                save(dir, &f)?;
            }
            Ok(key)
        }
        None => {
            a.failed += 1;
            let locked = a.failed >= MAX_FAILED;
            if locked {
                a.locked_at = Some(now.to_owned());
            }
            let remaining = MAX_FAILED.saturating_sub(a.failed);
            save(dir, &f)?;
            if locked {
                Err(CoreError::AccountLocked { id: staff.into(), since: shown(now) })
            } else {
                Err(CoreError::WrongPassword { remaining: Some(remaining) })
            }
        }
    }
}

/// Accounts locked in `access.json` (before the store opened): the store mirrors them.
pub(crate) fn locked_accounts(dir: &Path) -> Result<Vec<(String, u32, String)>> {
    Ok(load(dir)?.accounts.into_iter().filter_map(|a| a.locked_at.map(|at| (a.id, a.failed, at))).collect())
}

/// Gives `id` (new, reset, or changed password) its own wrap of the data key; clears its count.
pub(crate) fn set_password(dir: &Path, key: &DataKey, id: &str, name: &str, password: &str) -> Result<()> {
    let mut f = load(dir)?;
    check_key(&f, key)?;
    let wrap = wrap_for_password(id, password, key)?;
    match f.accounts.iter_mut().find(|a| a.id == id) {
        Some(a) => {
            a.wrap = wrap;
            a.failed = 0;
            a.locked_at = None;
            a.from_login_hash = false;
            a.name = name.into();
        }
        None => f.accounts.push(AccountWrap {
            id: id.into(),
            name: name.into(),
            wrap,
            failed: 0,
            locked_at: None,
            from_login_hash: false,
        }),
    }
    save(dir, &f)
}

/// An administrator's unlock clears the count kept here too.
pub(crate) fn clear_lock(dir: &Path, id: &str) -> Result<()> {
    let mut f = load(dir)?;
    if let Some(a) = f.accounts.iter_mut().find(|a| a.id == id)
        && (a.failed > 0 || a.locked_at.is_some())
    {
        a.failed = 0;
        a.locked_at = None;
        save(dir, &f)?;
    }
    Ok(())
}

/// A new recovery key (the old one stops working), e.g. when the printed one was lost.
pub(crate) fn new_recovery(dir: &Path, key: &DataKey) -> Result<RecoveryKey> {
    let mut f = load(dir)?;
    check_key(&f, key)?;
    let r = RecoveryKey::generate()?;
    f.recovery = recovery_wrap(&r, key)?;
    save(dir, &f)?;
    Ok(r)
}

fn check_key(f: &AccessFile, key: &DataKey) -> Result<()> {
    if f.key_id != key.key_id() {
        return Err(CoreError::Invalid(format!("{ACCESS_FILE} 属于另一个数据密钥（{}）", f.key_id)));
    }
    Ok(())
}

/// A plain store's accounts at conversion: each wrapped under the key its stored login hash
/// equals (PBKDF2 of the password with the login salt), so everyone's own password opens the
/// converted store; re-wrapped with a fresh salt at first use.
pub(crate) fn add_from_login_hash(dir: &Path, key: &DataKey, id: &str, name: &str, login_hash: &str) -> Result<bool> {
    let parts: Vec<&str> = login_hash.split('$').collect();
    let [scheme, iters, salt, hash] = parts.as_slice() else { return Ok(false) };
    let (Ok(iterations), Some(salt_bytes), Some(hash)) = (iters.parse::<u32>(), unhex(salt), unhex(hash)) else {
        return Ok(false);
    };
    if *scheme != "pbkdf2-sha256" || hash.len() != 32 {
        return Ok(false);
    }
    let mut kek = Zeroizing::new([0u8; 32]);
    kek.copy_from_slice(&hash);
    let mut f = load(dir)?;
    check_key(&f, key)?;
    if f.accounts.iter().any(|a| a.id == id) {
        return Ok(true);
    }
    f.accounts.push(AccountWrap {
        id: id.into(),
        name: name.into(),
        wrap: wrap_under(&kek, salt_bytes, iterations, &aad("login-hash", id, &key.key_id()), key)?,
        failed: 0,
        locked_at: None,
        from_login_hash: true,
    });
    save(dir, &f)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ident() -> Named {
        Named { region: "440305".into(), code: "W01".into(), name: "测试".into() }
    }

    #[test]
    fn a_password_and_the_recovery_key_open_the_same_key_and_nothing_else_does() {
        let dir = tempfile::tempdir().unwrap();
        let (key, rec) = create(dir.path(), &ident(), ("admin", "管理员"), "pw-admin-1").unwrap();
        let now = "2026-12-03T10:00:00.000+08:00";
        let k1 = unlock(dir.path(), Unlock::Password { staff: "admin", password: "pw-admin-1" }, now).unwrap();
        assert_eq!(k1.key_id(), key.key_id());
        let lower = rec.as_str().to_lowercase().replace('-', " ");
        let k2 = unlock(dir.path(), Unlock::Recovery(&lower), now).unwrap();
        assert_eq!(k2.key_id(), key.key_id());
        assert!(matches!(
            unlock(dir.path(), Unlock::Password { staff: "admin", password: "nope" }, now),
            Err(CoreError::WrongPassword { remaining: Some(4) })
        ));
        // The right password resets the count.
        unlock(dir.path(), Unlock::Password { staff: "admin", password: "pw-admin-1" }, now).unwrap();
        let mut other = rec.as_str().to_owned();
        other.replace_range(0..1, if other.starts_with('A') { "B" } else { "A" });
        assert!(unlock(dir.path(), Unlock::Recovery(&other), now).is_err());
        assert!(matches!(
            unlock(dir.path(), Unlock::Password { staff: "ghost", password: "x" }, now),
            Err(CoreError::UnknownStaff(_))
        ));
        let text = std::fs::read_to_string(dir.path().join(ACCESS_FILE)).unwrap();
        assert!(!text.contains(&hex(key.bytes.as_ref())), "the data key is never stored in clear");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(ACCESS_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
    }

    #[test]
    fn five_wrong_passwords_lock_the_account_before_the_store_opens() {
        let dir = tempfile::tempdir().unwrap();
        create(dir.path(), &ident(), ("admin", "管理员"), "pw-admin-1").unwrap();
        let now = "2026-12-03T10:00:00.000+08:00";
        for i in 1..=4 {
            let e = unlock(dir.path(), Unlock::Password { staff: "admin", password: "bad" }, now).unwrap_err();
            assert!(matches!(e, CoreError::WrongPassword { remaining: Some(r) } if r == 5 - i), "{e}");
        }
        let e = unlock(dir.path(), Unlock::Password { staff: "admin", password: "bad" }, now).unwrap_err();
        assert!(matches!(e, CoreError::AccountLocked { .. }), "{e}");
        let e = unlock(dir.path(), Unlock::Password { staff: "admin", password: "pw-admin-1" }, now).unwrap_err();
        assert!(matches!(e, CoreError::AccountLocked { .. }), "locked even with the right password: {e}");
        assert_eq!(locked_accounts(dir.path()).unwrap().len(), 1);
        clear_lock(dir.path(), "admin").unwrap();
        unlock(dir.path(), Unlock::Password { staff: "admin", password: "pw-admin-1" }, now).unwrap();
    }

    #[test]
    fn files_are_bound_to_their_kind_and_name() {
        let c = DataKey::generate().unwrap().files();
        let sealed = c.seal("attachment", "ab", b"%PDF-1.7 secret").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(c.open("attachment", "ab", &sealed).unwrap(), b"%PDF-1.7 secret");
        assert!(c.open("attachment", "cd", &sealed).is_err(), "moved to another name");
        assert!(c.open("document", "ab", &sealed).is_err(), "moved to another kind");
        assert!(c.open("attachment", "ab", &sealed[..sealed.len() - 1]).is_err(), "truncated");
        let mut flipped = sealed.clone();
        flipped[20] ^= 1;
        assert!(c.open("attachment", "ab", &flipped).is_err(), "altered");
        assert!(c.open("attachment", "ab", b"%PDF-1.7 plain").is_err(), "plain file");
        let other = DataKey::generate().unwrap().files();
        assert!(other.open("attachment", "ab", &sealed).is_err(), "another workstation's key");
    }

    #[test]
    fn a_converted_account_opens_with_its_old_password_and_is_rewrapped() {
        let dir = tempfile::tempdir().unwrap();
        let (key, _) = create(dir.path(), &ident(), ("admin", "管理员"), "pw-admin-1").unwrap();
        let h = crate::staff::hash_password("clerk-pass-1");
        assert!(add_from_login_hash(dir.path(), &key, "clerk", "张伟", &h).unwrap());
        let now = "2026-12-03T10:00:00.000+08:00";
        assert!(unlock(dir.path(), Unlock::Password { staff: "clerk", password: "wrong-one" }, now).is_err());
        let k = unlock(dir.path(), Unlock::Password { staff: "clerk", password: "clerk-pass-1" }, now).unwrap();
        assert_eq!(k.key_id(), key.key_id());
        let text = std::fs::read_to_string(dir.path().join(ACCESS_FILE)).unwrap();
        assert!(!text.contains("from_login_hash"), "re-wrapped with a fresh salt at first use");
        unlock(dir.path(), Unlock::Password { staff: "clerk", password: "clerk-pass-1" }, now).unwrap();
    }
}
