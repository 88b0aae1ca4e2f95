//! Signed events (issue 12 part 1; the scheme for a verifier is docs/journal-signing.md).
//!
//! The hash chain alone proves nothing against someone who can write the database file: they edit
//! an event and recompute every later hash. So each event is also signed by who made it:
//!
//! - every staff account has its own **Ed25519 key**, made on the workstation, its private half
//!   stored only AES-256-GCM-wrapped under a key derived from that person's password (PBKDF2, its
//!   own salt, not the login hash's), unlocked at login and dropped at logout;
//! - events no person makes (`system`, `sync:<adapter>`) are signed by the **workstation key**,
//!   whose private half is wrapped once for every account and unlocked by any login;
//! - public keys are journal events (`staff.key`, `workstation.key`), so a verifier needs nothing
//!   but the journal; a re-key adds a key, and old events keep verifying under the old one.
//!
//! Signing happens when a write transaction commits ([`sign_new`], called by `Store::write`): each
//! run of consecutive new events with one signer gets one signature over the hash of its last
//! event (the chain hash fixes every event before it) and the run's first and last sequence
//! numbers. A workstation made on the real clock records `journal.signing` at `yc init`: from
//! there on an event without its signer's signature is refused when written and reported by
//! `yc journal verify`. Demo and test workstations sign what they can and report the rest.

use std::collections::HashMap;
use std::sync::Arc;

use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::error::{CoreError, Result};
use crate::events;
use crate::hash::{hex, unhex};

/// Domain separation: a journal signature can never be replayed as any other signature.
const SIGNATURE_DOMAIN: &[u8] = b"yc-journal-signature-v1";
const WRAP_DOMAIN: &[u8] = b"yc-key-wrap-v1";
/// PBKDF2 rounds for the key-encryption key: the login hash's policy (crate::staff).
pub const KEK_ITERATIONS: u32 = crate::staff::PASSWORD_ITERATIONS;
/// The settings key (and journal event) that makes signatures required from here on.
pub const REQUIRED_SETTING: &str = events::JOURNAL_SIGNING;

/// Events that may be written before anyone logs in, hence unsigned even where signing is
/// required: the lockout a run of wrong passwords causes.
const PRE_LOGIN: &[&str] = &[events::STAFF_LOCKED];

/// Who signs an event, from its actor: a person's own key, or the workstation's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Signer {
    Staff(String),
    Workstation,
}

impl Signer {
    pub fn of(actor: &str) -> Self {
        if actor == "system" || actor.starts_with("sync:") { Self::Workstation } else { Self::Staff(actor.to_owned()) }
    }
}

/// An unlocked Ed25519 key. The PKCS#8 document is kept (zeroised on drop) only so the
/// workstation key can be wrapped for a new account.
pub struct SigningKey {
    pub key_id: String,
    pair: Ed25519KeyPair,
    pkcs8: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

impl SigningKey {
    fn generate() -> Result<Self> {
        let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| CoreError::Invalid("无法生成签名密钥（系统随机数不可用）".into()))?;
        Self::from_pkcs8(Zeroizing::new(doc.as_ref().to_vec()))
    }

    fn from_pkcs8(pkcs8: Zeroizing<Vec<u8>>) -> Result<Self> {
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8)
            .map_err(|_| CoreError::Tampered {
                what: "签名密钥".into(), detail: "解密后的密钥格式不正确".into()
            })?;
        Ok(Self { key_id: key_id(pair.public_key().as_ref()), pair, pkcs8 })
    }

    pub fn public_key(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    pub(crate) fn sign(&self, msg: &[u8]) -> Vec<u8> {
        self.pair.sign(msg).as_ref().to_vec()
    }
}

/// A key's id: the first 8 bytes of SHA-256 of its public key, in hex.
pub fn key_id(public_key: &[u8]) -> String {
    hex(&digest::digest(&digest::SHA256, public_key).as_ref()[..8])
}

/// What is signed for the run `first..=last` ending in the event hash `last_hash`.
pub fn message(first: i64, last: i64, last_hash: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNATURE_DOMAIN.len() + 16 + last_hash.len());
    m.extend_from_slice(SIGNATURE_DOMAIN);
    m.extend_from_slice(&first.to_be_bytes());
    m.extend_from_slice(&last.to_be_bytes());
    m.extend_from_slice(last_hash);
    m
}

/// The keys unlocked in this process (kept by the store, used at every commit).
#[derive(Default)]
pub struct Keyring {
    staff: HashMap<String, Arc<SigningKey>>,
    workstation: Option<Arc<SigningKey>>,
}

impl Keyring {
    fn key_for(&self, signer: &Signer) -> Option<&Arc<SigningKey>> {
        match signer {
            Signer::Staff(id) => self.staff.get(id),
            Signer::Workstation => self.workstation.as_ref(),
        }
    }

    pub(crate) fn insert(&mut self, staff_id: &str, staff: Option<Arc<SigningKey>>, ws: Option<Arc<SigningKey>>) {
        if let Some(k) = staff {
            self.staff.insert(staff_id.to_owned(), k);
        }
        if let Some(k) = ws {
            self.workstation = Some(k);
        }
    }

    /// Drops a person's key at logout (the workstation key stays while the program runs: the
    /// background sync signs with it).
    pub(crate) fn remove(&mut self, staff_id: &str) {
        self.staff.remove(staff_id);
    }

    pub(crate) fn workstation(&self) -> Option<Arc<SigningKey>> {
        self.workstation.clone()
    }
}

// ---- wrapping -------------------------------------------------------------------------------

struct Wrapped {
    blob: Vec<u8>,
    salt: Vec<u8>,
    iterations: u32,
}

/// The key-encryption key: PBKDF2 of the password (the slow part, done once per login), the
/// derivation the data key's wraps use too (crate::vault).
fn kek(password: &str, salt: &[u8], iterations: u32) -> Result<Zeroizing<[u8; 32]>> {
    crate::vault::derive_kek(password.as_bytes(), salt, iterations)
}

/// An account's key-encryption key with its salt: one derivation wraps both of its keys.
struct Kek {
    key: Zeroizing<[u8; 32]>,
    salt: Vec<u8>,
    iterations: u32,
}

impl Kek {
    fn new(password: &str) -> Result<Self> {
        let mut salt = vec![0u8; 16];
        SystemRandom::new().fill(&mut salt).map_err(|_| CoreError::Invalid("系统随机数不可用".into()))?;
        Ok(Self { key: kek(password, &salt, KEK_ITERATIONS)?, salt, iterations: KEK_ITERATIONS })
    }
}

fn aad(kind: &str, staff_id: &str, key_id: &str) -> Vec<u8> {
    [WRAP_DOMAIN, kind.as_bytes(), b"\x1f", staff_id.as_bytes(), b"\x1f", key_id.as_bytes()].concat()
}

fn wrap(k: &Kek, aad_bytes: &[u8], secret: &[u8]) -> Result<Wrapped> {
    let blob = crate::vault::seal_secret(&k.key, aad_bytes, secret)?;
    Ok(Wrapped { blob, salt: k.salt.clone(), iterations: k.iterations })
}

fn unwrap(kek: &[u8; 32], aad_bytes: &[u8], w: &Wrapped) -> Result<Zeroizing<Vec<u8>>> {
    crate::vault::open_secret(kek, aad_bytes, &w.blob).ok_or_else(|| CoreError::Tampered {
        what: "签名密钥".into(),
        detail: "无法用此密码解开（密码不符或密钥被改动）".into(),
    })
}

// ---- keys in the store ---------------------------------------------------------------------

/// Makes the workstation key at `yc init`: stored public, journaled (by `system`), returned
/// unlocked so the init transaction is signed and the first account gets its wrapped copy.
pub(crate) fn create_workstation_key(
    tx: &Transaction<'_>,
    at: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Arc<SigningKey>> {
    let key = SigningKey::generate()?;
    tx.execute(
        "INSERT INTO workstation_keys (key_id, public_key, created_at) VALUES (?1, ?2, ?3)",
        params![key.key_id, key.public_key(), crate::clock::stamp(&at)],
    )?;
    crate::journal::append(
        tx,
        crate::journal::NewEvent {
            case_no: None,
            actor: "system",
            role: crate::case::Role::Admin.code(),
            action: events::WORKSTATION_KEY,
            at,
            payload: serde_json::json!({ "key_id": key.key_id, "algorithm": "Ed25519", "public_key": hex(key.public_key()) }),
            reason: None,
        },
    )?;
    Ok(Arc::new(key))
}

/// Makes (or, on a reset, replaces) `staff_id`'s key under `password`, journaled by `by`, and
/// wraps the workstation key for the account when it is unlocked. Returns the new key unlocked.
pub(crate) fn create_staff_key(
    tx: &Transaction<'_>,
    staff_id: &str,
    password: &str,
    by: &str,
    at: chrono::DateTime<chrono::FixedOffset>,
    ws_key: Option<&SigningKey>,
) -> Result<Arc<SigningKey>> {
    let key = SigningKey::generate()?;
    let k = Kek::new(password)?;
    let w = wrap(&k, &aad("staff", staff_id, &key.key_id), &key.pkcs8)?;
    let now = crate::clock::stamp(&at);
    tx.execute(
        "UPDATE staff_keys SET retired_at = ?2 WHERE staff_id = ?1 AND retired_at IS NULL",
        params![staff_id, now],
    )?;
    tx.execute(
        "INSERT INTO staff_keys (key_id, staff_id, public_key, wrapped, salt, iterations, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![key.key_id, staff_id, key.public_key(), w.blob, w.salt, w.iterations, now],
    )?;
    if let Some(ws) = ws_key {
        wrap_workstation_key(tx, staff_id, &k, ws)?;
    }
    crate::journal::append(
        tx,
        crate::journal::NewEvent {
            case_no: None,
            actor: by,
            role: crate::case::Role::Admin.code(),
            action: events::STAFF_KEY,
            at,
            payload: serde_json::json!({
                "staff": staff_id, "key_id": key.key_id, "algorithm": "Ed25519", "public_key": hex(key.public_key())
            }),
            reason: None,
        },
    )?;
    Ok(Arc::new(key))
}

fn wrap_workstation_key(tx: &Transaction<'_>, staff_id: &str, k: &Kek, ws: &SigningKey) -> Result<()> {
    let w = wrap(k, &aad("workstation", staff_id, &ws.key_id), &ws.pkcs8)?;
    tx.execute(
        "INSERT INTO workstation_key_wraps (key_id, staff_id, wrapped, salt, iterations) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (key_id, staff_id) DO UPDATE SET wrapped = excluded.wrapped, salt = excluded.salt,
           iterations = excluded.iterations",
        params![ws.key_id, staff_id, w.blob, w.salt, w.iterations],
    )?;
    Ok(())
}

/// The pseudo-account under which the recovery key (crate::vault) holds a copy of the workstation
/// key: whoever holds the printed recovery key can sign a recovery (an administrator's new
/// password) as the workstation, on the record.
pub(crate) const RECOVERY_ACCOUNT: &str = "#recovery";

/// Wraps the workstation key under the recovery key (its normalised text is the secret).
pub(crate) fn wrap_workstation_key_for_recovery(tx: &Transaction<'_>, recovery: &str, ws: &SigningKey) -> Result<()> {
    tx.execute("DELETE FROM workstation_key_wraps WHERE staff_id = ?1", [RECOVERY_ACCOUNT])?;
    wrap_workstation_key(tx, RECOVERY_ACCOUNT, &Kek::new(recovery)?, ws)
}

/// (the person's own key, the workstation key), each if the account has one.
pub(crate) type Unlocked = (Option<Arc<SigningKey>>, Option<Arc<SigningKey>>);

/// The account's current key and the workstation key, opened with the password just checked at
/// login. An account made before signing existed has none (its first password change makes one).
pub(crate) fn unlock(conn: &Connection, staff_id: &str, password: &str) -> Result<Unlocked> {
    let row = |sql: &str| -> Result<Option<(String, Wrapped)>> {
        Ok(conn
            .query_row(sql, [staff_id], |r| {
                Ok((r.get(0)?, Wrapped { blob: r.get(1)?, salt: r.get(2)?, iterations: r.get(3)? }))
            })
            .optional()?)
    };
    let staff =
        row("SELECT key_id, wrapped, salt, iterations FROM staff_keys WHERE staff_id = ?1 AND retired_at IS NULL")?;
    let ws = row("SELECT w.key_id, w.wrapped, w.salt, w.iterations FROM workstation_key_wraps w
         JOIN workstation_keys k USING (key_id) WHERE w.staff_id = ?1 ORDER BY k.created_at DESC LIMIT 1")?;
    // Both are wrapped under the same derivation when made together: derive once.
    let mut derived: Option<(Vec<u8>, u32, Zeroizing<[u8; 32]>)> = None;
    let mut open = |kind: &str, id: &str, w: &Wrapped| -> Result<Arc<SigningKey>> {
        let reuse = derived.as_ref().is_some_and(|(salt, it, _)| *salt == w.salt && *it == w.iterations);
        if !reuse {
            derived = Some((w.salt.clone(), w.iterations, kek(password, &w.salt, w.iterations)?));
        }
        let key = derived.as_ref().map(|(_, _, k)| k).ok_or_else(|| CoreError::Invalid("密钥派生失败".into()))?;
        SigningKey::from_pkcs8(unwrap(key, &aad(kind, staff_id, id), w)?).map(Arc::new)
    };
    let staff = staff.map(|(id, w)| open("staff", &id, &w)).transpose()?;
    let ws = ws.map(|(id, w)| open("workstation", &id, &w)).transpose()?;
    Ok((staff, ws))
}

/// A password change: the same keys, re-wrapped under the new password (nothing journaled about
/// the keys; their public halves do not change).
pub(crate) fn rewrap(tx: &Transaction<'_>, staff_id: &str, old: &str, new: &str) -> Result<()> {
    let (staff, ws) = unlock(tx, staff_id, old)?;
    let kek = Kek::new(new)?;
    if let Some(k) = staff {
        let w = wrap(&kek, &aad("staff", staff_id, &k.key_id), &k.pkcs8)?;
        tx.execute(
            "UPDATE staff_keys SET wrapped = ?2, salt = ?3, iterations = ?4 WHERE key_id = ?1",
            params![k.key_id, w.blob, w.salt, w.iterations],
        )?;
    }
    if let Some(k) = ws {
        wrap_workstation_key(tx, staff_id, &kek, &k)?;
    }
    Ok(())
}

/// Whether this workstation requires signatures (recorded at `yc init` on the real clock).
pub(crate) fn required(conn: &Connection) -> Result<bool> {
    Ok(conn.prepare_cached("SELECT 1 FROM settings WHERE key = ?1")?.exists([REQUIRED_SETTING])?)
}

/// Signs every event appended since `before` in this transaction. Where signatures are required
/// an event whose signer is not unlocked stops the whole write (nothing is committed).
pub(crate) fn sign_new(tx: &Transaction<'_>, before: i64, ring: &Keyring) -> Result<()> {
    let mut st = tx.prepare_cached("SELECT seq, actor, action, hash FROM journal WHERE seq > ?1 ORDER BY seq")?;
    let rows: Vec<(i64, String, String, Vec<u8>)> = st
        .query_map([before], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if rows.is_empty() {
        return Ok(());
    }
    let required = required(tx)?;
    let mut i = 0;
    while i < rows.len() {
        let signer = Signer::of(&rows[i].1);
        let mut j = i;
        while j + 1 < rows.len() && Signer::of(&rows[j + 1].1) == signer {
            j += 1;
        }
        let run = &rows[i..=j];
        match ring.key_for(&signer) {
            Some(key) => {
                let (first, last) = (run[0].0, run[run.len() - 1].0);
                let sig = key.sign(&message(first, last, &run[run.len() - 1].3));
                tx.prepare_cached(
                    "INSERT INTO journal_signatures (first_seq, last_seq, key_id, signature) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![first, last, key.key_id, sig])?;
            }
            None if required && run.iter().any(|r| !PRE_LOGIN.contains(&r.2.as_str())) => {
                return Err(CoreError::NotSigned { actor: run[0].1.clone() });
            }
            None => {}
        }
        i = j + 1;
    }
    Ok(())
}

// ---- verification ---------------------------------------------------------------------------

/// What the signatures say about the whole journal.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SignatureReport {
    /// Events covered by a valid signature of their signer.
    pub signed: i64,
    /// Events with no signature (demo and training workstations; pre-login lockouts).
    pub unsigned: i64,
    /// Of `signed`, events whose Ed25519 check was left to a far side's receipt (checkpoint).
    pub vouched: i64,
    /// Whether signatures are required (from the `journal.signing` event on).
    pub required: bool,
    /// The first event whose signature is missing, wrong or by someone else's key.
    pub first_bad: Option<(i64, String)>,
}

/// A signed run while the verifier walks through it.
struct Run {
    first: i64,
    last: i64,
    key_id: String,
    signature: Vec<u8>,
    signer: Signer,
    mixed: bool,
}

/// Checks every signature against the public keys the journal itself records, in one pass.
/// Run after the chain has verified (the chain fixes the hashes signed here). The pass itself is
/// sequential (a key counts only from its announcement on); the Ed25519 checks, which are most of
/// the time, run in batches on every core.
pub fn verify(conn: &Connection) -> Result<SignatureReport> {
    verify_after(conn, 0)
}

/// [`verify`], trusting the Ed25519 checks of runs ending at or before `trusted_through` (a far
/// side's receipt vouched for them, crate::anchor): everything else — keys, signers, coverage,
/// the runs after it — is checked as always.
pub fn verify_after(conn: &Connection, trusted_through: i64) -> Result<SignatureReport> {
    let mut sigs: HashMap<i64, (i64, String, Vec<u8>)> = HashMap::new();
    {
        let mut st = conn.prepare("SELECT first_seq, last_seq, key_id, signature FROM journal_signatures")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            sigs.insert(r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?));
        }
    }
    // key id → (owner, public key), as the journal has announced them so far.
    let mut keys: HashMap<String, (Signer, Vec<u8>)> = HashMap::new();
    let mut rep = SignatureReport::default();
    let mut problems: Vec<(i64, String)> = Vec::new();
    let mut pending: Vec<Pending> = Vec::with_capacity(BATCH);
    let mut open: Option<Run> = None;
    let mut st = conn.prepare(
        "SELECT seq, actor, action, CASE WHEN action IN (?1, ?2) THEN payload END, hash FROM journal ORDER BY seq",
    )?;
    // Payloads are read only for key announcements: a million events verify in one pass.
    let mut rows = st.query([events::STAFF_KEY, events::WORKSTATION_KEY])?;
    while let Some(r) = rows.next()? {
        let (seq, actor, action): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        if action == events::STAFF_KEY || action == events::WORKSTATION_KEY {
            let text: Option<String> = r.get(3)?;
            let payload: serde_json::Value = serde_json::from_str(text.as_deref().unwrap_or("")).unwrap_or_default();
            let s = |k: &str| payload.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let owner = if action == events::STAFF_KEY { Signer::Staff(s("staff")) } else { Signer::Workstation };
            if let Some(pk) = unhex(&s("public_key")).filter(|pk| key_id(pk) == s("key_id")) {
                keys.insert(s("key_id"), (owner, pk));
            }
        }
        if action == REQUIRED_SETTING {
            rep.required = true;
        }
        if open.is_none()
            && let Some((last, key_id, signature)) = sigs.remove(&seq)
        {
            open = Some(Run { first: seq, last, key_id, signature, signer: Signer::of(&actor), mixed: false });
        }
        match open.as_mut() {
            Some(run) => {
                run.mixed |= Signer::of(&actor) != run.signer;
                rep.signed += 1;
                if seq == run.last {
                    let hash: Vec<u8> = r.get(4)?;
                    if let Some(run) = open.take() {
                        match check_run(&keys, &run) {
                            Ok(_) if run.last <= trusted_through => rep.vouched += run.last - run.first + 1,
                            Ok(pk) => pending.push(Pending {
                                first: run.first,
                                public_key: pk.to_vec(),
                                message: message(run.first, run.last, &hash),
                                signature: run.signature,
                            }),
                            Err(p) => problems.push((run.first, p)),
                        }
                        if pending.len() >= BATCH {
                            problems.extend(verify_batch(&pending));
                            pending.clear();
                        }
                    }
                }
            }
            None => {
                rep.unsigned += 1;
                if rep.required && !PRE_LOGIN.contains(&action.as_str()) && problems.is_empty() {
                    problems.push((seq, format!("缺少签名（操作人 {actor}）")));
                }
            }
        }
    }
    problems.extend(verify_batch(&pending));
    // Runs and unsigned events do not overlap and come in journal order: the earliest problem
    // is the first a reader meets.
    rep.first_bad = problems.into_iter().min_by_key(|p| p.0);
    if let Some(run) = open {
        rep.first_bad.get_or_insert((run.first, "签名覆盖的事件不全（日志末尾被删除）".into()));
    }
    if let Some(first) = sigs.keys().min() {
        rep.first_bad.get_or_insert((*first, "签名与日志事件对不上（事件被删除、重排或签名被挪用）".into()));
    }
    Ok(rep)
}

/// Signatures checked together, on every core.
const BATCH: usize = 8192;

/// A run whose key and signer are right, waiting for its Ed25519 check.
struct Pending {
    first: i64,
    public_key: Vec<u8>,
    message: Vec<u8>,
    signature: Vec<u8>,
}

/// The runs of `batch` whose signature does not verify, checked on every core.
fn verify_batch(batch: &[Pending]) -> Vec<(i64, String)> {
    if batch.is_empty() {
        return Vec::new();
    }
    let check = |part: &[Pending]| -> Vec<(i64, String)> {
        part.iter()
            .filter(|p| UnparsedPublicKey::new(&ED25519, &p.public_key).verify(&p.message, &p.signature).is_err())
            .map(|p| (p.first, "签名无效（事件被改写后重算了哈希链）".to_owned()))
            .collect()
    };
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get).clamp(1, 8);
    if threads == 1 || batch.len() < 64 {
        return check(batch);
    }
    let size = batch.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = batch.chunks(size).map(|part| s.spawn(move || check(part))).collect();
        // A panicked checker (it cannot, short of a bug) counts its whole part as unverified.
        handles
            .into_iter()
            .zip(batch.chunks(size))
            .flat_map(|(h, part)| {
                h.join().unwrap_or_else(|_| {
                    part.first().map(|p| vec![(p.first, "签名校验线程失败".to_owned())]).unwrap_or_default()
                })
            })
            .collect()
    })
}

/// The run's public key if the journal announced it for the run's signer and the run has one
/// signer; otherwise what is wrong.
fn check_run<'k>(keys: &'k HashMap<String, (Signer, Vec<u8>)>, run: &Run) -> std::result::Result<&'k [u8], String> {
    match keys.get(&run.key_id) {
        _ if run.mixed => Err("一个签名覆盖了不同操作人的事件".to_owned()),
        None => Err(format!("签名密钥 {} 未在日志中登记", run.key_id)),
        Some((owner, _)) if *owner != run.signer => Err(format!("签名密钥 {} 不属于该事件的操作人", run.key_id)),
        Some((_, pk)) => Ok(pk),
    }
}
