//! Backups and restores (issue 13 part 2; docs/backup.md).
//!
//! A backup is a directory `yc-backup-<region>-<code>-<YYYYMMDDTHHMMSS>/` holding an online copy of
//! the SQLite store (SQLite's backup API: one consistent snapshot while the workstation works), the
//! blob directories beside it, and `manifest.json`: who, when, the journal head, counts, and every
//! file's size and SHA-256. The manifest is signed with the workstation's Ed25519 key
//! (`manifest.json.sig`), whose public half the journal announces, so a backup is checked with
//! nothing but itself and the live journal: every file, the copied journal's chain and signatures,
//! and that it is this workstation's (same label, a key this journal announced). It is written
//! under a temporary name and renamed when complete: a half backup never looks like one. Each
//! backup is journaled (`backup.made`), so the last good backup is in the record.
//!
//! A restore replaces the live store, so it runs with the workstation closed ([`restore`], a free
//! function on the data directory). It never touches the live files before a copy of the backup
//! beside them has verified; a backup older than the record (or of another history) needs a reason.
//! Not yet: encryption of the backup (it waits for the data key of issue 13 part 1).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use ring::digest;
use ring::signature::{ED25519, UnparsedPublicKey};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::case::Role;
use crate::clock::{Clock, stamp};
use crate::error::{CoreError, Result};
use crate::events;
use crate::hash::{hex, unhex};
use crate::journal;
use crate::staff::Actor;
use crate::store::DB_FILE;
use crate::vault::DataKey;
use crate::workstation::{Identity, Workstation};

/// The manifest's format; a later format gets a new name and this one keeps verifying.
pub const FORMAT: &str = "yc-backup/1";
pub const MANIFEST: &str = "manifest.json";
pub const MANIFEST_SIG: &str = "manifest.json.sig";
/// Every backup directory's name starts so (`yc backup list` looks for nothing else).
pub const PREFIX: &str = "yc-backup-";
/// Domain separation: a manifest signature is never a journal signature, nor the reverse.
const SIGNATURE_DOMAIN: &[u8] = b"yc-backup-manifest-v1\n";

/// The directories a workstation keeps beside its database, each copied when it exists:
/// scans and photos (crate::attachment `BlobStore`), sealed PDFs (`documents/<sha256>.pdf`,
/// crate::seal), seal key files (`seals/<id>.key`) and the seal authority's key
/// (`authority/root.key`, crate::seal), unsaved intakes (`drafts/<account>.json`, crate::draft).
/// The demo's exchange directory and the migration copies `yichuang.db.bak-v<N>` are not the
/// store and are left out.
pub const BLOB_DIRS: &[&str] = &["attachments", "documents", "seals", "authority", "drafts"];

/// A journal head: its sequence number and the hex SHA-256 of its last event.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub events: i64,
    pub cases: i64,
    pub documents: i64,
    pub attachments: i64,
}

/// One file of a backup, its path relative to the backup directory with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// `manifest.json`: signed as its exact bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// `region-code` (`Workstation::label`).
    pub workstation: String,
    pub identity: Identity,
    pub created_at: String,
    pub created_by: String,
    pub schema_version: usize,
    /// The workstation key that signed the manifest (announced by a `workstation.key` event).
    pub key_id: String,
    pub journal: Head,
    pub counts: Counts,
    pub files: Vec<FileEntry>,
}

/// A backup as its manifest describes it.
#[derive(Debug, Clone, Serialize)]
pub struct BackupInfo {
    pub name: String,
    pub path: String,
    pub workstation: String,
    pub created_at: String,
    pub created_by: String,
    pub head: Head,
    pub counts: Counts,
    pub files: usize,
    pub bytes: u64,
    pub manifest_sha256: String,
}

/// One entry of `list_backups`: its summary, or why its manifest cannot be read.
#[derive(Debug, Clone, Serialize)]
pub struct ListedBackup {
    pub name: String,
    pub path: String,
    pub info: Option<BackupInfo>,
    pub problem: Option<String>,
}

/// The last backup the journal knows of (made here, or restored from).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct LastBackup {
    /// `backup.made` or `backup.restore`.
    pub action: String,
    pub at: String,
    pub by: String,
    pub name: String,
    pub head: Head,
    pub manifest_sha256: String,
}

/// The setting (whole days) after which the last backup is called old (the 设置 tab warns).
pub const WARN_AFTER_DAYS_SETTING: &str = "backup.warn_after_days";
pub const DEFAULT_WARN_AFTER_DAYS: i64 = 7;

/// Whether the workstation has a recent backup, for the 设置 tab.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct BackupStatus {
    pub last: Option<LastBackup>,
    /// Whole days since the last backup (Beijing dates), `None` without one.
    pub age_days: Option<i64>,
    pub warn_after_days: i64,
    /// No backup at all, or one older than `warn_after_days`.
    pub overdue: bool,
}

/// What `verify_backup` found. `ok` only with no problem and not foreign.
#[derive(Debug, Clone, Serialize)]
pub struct BackupCheck {
    pub name: String,
    pub path: String,
    pub ok: bool,
    pub workstation: Option<String>,
    pub created_at: Option<String>,
    pub head: Option<Head>,
    pub files_checked: usize,
    /// Events in the copied journal and how many carry a valid signature.
    pub events: i64,
    pub signed: i64,
    /// Set when the backup belongs to another workstation: both are named.
    pub foreign: Option<String>,
    /// Each problem precisely: which file, expected and found.
    pub problems: Vec<String>,
}

// ---- files ------------------------------------------------------------------------------------

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CoreError + '_ {
    move |e| CoreError::io(path, e)
}

/// A new file readable by the workstation's OS user only (backups hold applicants' data).
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)
}

fn create_private_dir(path: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(path)
}

/// Copies `src` to the new file `dst` (fsynced), returning its size and SHA-256.
fn copy_hashing(src: &Path, dst: &Path) -> Result<(u64, String)> {
    let mut r = std::fs::File::open(src).map_err(io(src))?;
    if let Some(parent) = dst.parent() {
        create_private_dir(parent).map_err(io(parent))?;
    }
    let mut w = create_private(dst).map_err(io(dst))?;
    let mut ctx = digest::Context::new(&digest::SHA256);
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = r.read(&mut buf).map_err(io(src))?;
        if n == 0 {
            break;
        }
        ctx.update(&buf[..n]);
        w.write_all(&buf[..n]).map_err(io(dst))?;
        size += n as u64;
    }
    w.sync_all().map_err(io(dst))?;
    Ok((size, hex(ctx.finish().as_ref())))
}

fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut r = std::fs::File::open(path)?;
    let mut ctx = digest::Context::new(&digest::SHA256);
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        ctx.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex(ctx.finish().as_ref())))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = create_private(path).map_err(io(path))?;
    f.write_all(bytes).and_then(|()| f.sync_all()).map_err(io(path))
}

/// Makes a rename or a new file in `dir` durable.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Makes every file name under `dir` durable (each directory fsynced).
fn sync_tree(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                sync_tree(&e.path());
            }
        }
    }
    sync_dir(dir);
}

/// Every entry under `root` as (relative path with `/`, full path, is a regular file), depth first
/// in name order. Symbolic links are listed as not regular (never followed).
fn walk(root: &Path) -> Result<Vec<(String, PathBuf, bool)>> {
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), root.to_path_buf())];
    while let Some((rel, dir)) = stack.pop() {
        let mut entries: Vec<_> =
            std::fs::read_dir(&dir).map_err(io(&dir))?.collect::<std::io::Result<_>>().map_err(io(&dir))?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let r = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            let p = e.path();
            let meta = std::fs::symlink_metadata(&p).map_err(io(&p))?;
            if meta.is_dir() {
                stack.push((r, p));
            } else {
                out.push((r, p, meta.is_file()));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// A manifest path that stays inside the backup: relative, `/`-separated, no `.`/`..`.
fn safe_rel(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && !p.contains('\\')
        && !p.contains(':')
        && p.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
}

fn rel_path(root: &Path, rel: &str) -> PathBuf {
    rel.split('/').fold(root.to_path_buf(), |p, c| p.join(c))
}

/// Removes a directory when dropped unless kept: a failed backup or restore leaves no half copy.
struct Scratch {
    path: PathBuf,
    keep: bool,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

// ---- the store's facts ------------------------------------------------------------------------

fn head_of(conn: &Connection) -> Result<Head> {
    let h: Option<(i64, Vec<u8>)> = conn
        .query_row("SELECT seq, hash FROM journal_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(h.map_or_else(|| Head { seq: 0, hash: hex(&journal::GENESIS) }, |(seq, h)| Head { seq, hash: hex(&h) }))
}

/// The hash of event `seq` (the genesis value for 0).
fn hash_at(conn: &Connection, seq: i64) -> Result<Option<String>> {
    if seq == 0 {
        return Ok(Some(hex(&journal::GENESIS)));
    }
    let h: Option<Vec<u8>> =
        conn.query_row("SELECT hash FROM journal WHERE seq = ?1", [seq], |r| r.get(0)).optional()?;
    Ok(h.map(|h| hex(&h)))
}

fn counts_of(conn: &Connection) -> Result<Counts> {
    let n = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    Ok(Counts {
        events: n("SELECT COALESCE(MAX(seq), 0) FROM journal")?,
        cases: n("SELECT count(*) FROM cases")?,
        documents: n("SELECT count(*) FROM documents")?,
        attachments: n("SELECT count(*) FROM case_attachments")?,
    })
}

fn identity_of(conn: &Connection) -> Result<Option<Identity>> {
    Ok(conn
        .query_row("SELECT region, code, name FROM workstation WHERE id = 1", [], |r| {
            Ok(Identity { region: r.get(0)?, code: r.get(1)?, name: r.get(2)? })
        })
        .optional()?)
}

fn label_of(id: &Identity) -> String {
    format!("{}-{}", id.region, id.code)
}

/// Workstation keys (key id → public key) the journal announces (`workstation.key` events).
fn workstation_keys(conn: &Connection) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut st = conn.prepare("SELECT payload FROM journal WHERE action = ?1 ORDER BY seq")?;
    let payloads: Vec<String> =
        st.query_map([events::WORKSTATION_KEY], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let mut keys = BTreeMap::new();
    for text in payloads {
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_owned();
        if let Some(pk) = unhex(&s("public_key")).filter(|pk| crate::signing::key_id(pk) == s("key_id")) {
            keys.insert(s("key_id"), pk);
        }
    }
    Ok(keys)
}

/// The backup of an encrypted store is encrypted with the same data key (the pages are copied
/// as they are): every connection to a copy is keyed like the live store.
fn open_read_only(path: &Path, key: Option<&DataKey>) -> Result<Connection> {
    crate::vault::open_connection(path, key, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
}

/// What the copied database says about itself once its chain and signatures verified.
struct DbFacts {
    identity: Option<Identity>,
    keys: BTreeMap<String, Vec<u8>>,
    events: i64,
    signed: i64,
}

/// The copied database checked on its own: the chain, every signature, the head the manifest
/// names. Problems are pushed in Chinese; `None` when it could not be read at all.
fn check_db(path: &Path, key: Option<&DataKey>, expected: &Head, problems: &mut Vec<String>) -> Option<DbFacts> {
    let run = |problems: &mut Vec<String>| -> Result<DbFacts> {
        let conn = open_read_only(path, key)?;
        let chain = journal::verify(&conn)?;
        if let Some(bad) = &chain.first_bad {
            problems.push(format!("备份数据库的日志链校验失败：第 {} 条事件（{}）{}", bad.seq, bad.id, bad.problem));
        }
        let sig = crate::signing::verify(&conn)?;
        if chain.ok
            && let Some((seq, p)) = &sig.first_bad
        {
            problems.push(format!("备份数据库的签名校验失败：第 {seq} 条事件{p}"));
        }
        let head = head_of(&conn)?;
        if head != *expected {
            problems.push(format!(
                "备份数据库的日志链头与清单不符：清单记录第 {} 条（{}），数据库为第 {} 条（{}）",
                expected.seq, expected.hash, head.seq, head.hash
            ));
        }
        Ok(DbFacts {
            identity: identity_of(&conn)?,
            keys: workstation_keys(&conn)?,
            events: chain.events,
            signed: sig.signed,
        })
    };
    match run(problems) {
        Ok(f) => Some(f),
        Err(e) => {
            problems.push(format!("备份数据库 {DB_FILE} 无法读取：{e}"));
            None
        }
    }
}

/// The live workstation as a backup is compared with it.
struct Live {
    label: String,
    name: String,
    keys: BTreeMap<String, Vec<u8>>,
}

impl Live {
    fn of(ws: &Workstation) -> Result<Self> {
        let conn = ws.store().reader()?;
        Ok(Self { label: ws.label(), name: ws.identity().name.clone(), keys: workstation_keys(&conn)? })
    }
}

fn signed_message(manifest: &[u8]) -> Vec<u8> {
    [SIGNATURE_DOMAIN, manifest].concat()
}

fn dir_name(dir: &Path) -> String {
    dir.file_name().map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned())
}

fn read_manifest(dir: &Path) -> std::result::Result<(Vec<u8>, Manifest), String> {
    let bytes = std::fs::read(dir.join(MANIFEST)).map_err(|e| format!("无法读取 {MANIFEST}：{e}"))?;
    let m: Manifest = serde_json::from_slice(&bytes).map_err(|e| format!("{MANIFEST} 无法解析：{e}"))?;
    Ok((bytes, m))
}

/// Checks the backup in `dir` completely; compared with `live` when there is one.
fn inspect(dir: &Path, live: Option<&Live>, key: Option<&DataKey>) -> Result<(BackupCheck, Option<Manifest>)> {
    // A backup made before the workstation was encrypted is plain (it has no access file).
    let key = key.filter(|_| crate::vault::is_encrypted(dir));
    let mut c = BackupCheck {
        name: dir_name(dir),
        path: dir.display().to_string(),
        ok: false,
        workstation: None,
        created_at: None,
        head: None,
        files_checked: 0,
        events: 0,
        signed: 0,
        foreign: None,
        problems: Vec::new(),
    };
    if !dir.is_dir() {
        c.problems.push(format!("备份目录不存在：{}", dir.display()));
        return Ok((c, None));
    }
    let (bytes, m) = match read_manifest(dir) {
        Ok(x) => x,
        Err(p) => {
            c.problems.push(p);
            return Ok((c, None));
        }
    };
    c.workstation = Some(m.workstation.clone());
    c.created_at = Some(m.created_at.clone());
    c.head = Some(m.journal.clone());
    if m.format != FORMAT {
        c.problems.push(format!("清单格式为「{}」，本程序只认「{FORMAT}」", m.format));
    }
    let signature = match std::fs::read_to_string(dir.join(MANIFEST_SIG)) {
        Ok(t) => {
            let s = unhex(t.trim());
            if s.is_none() {
                c.problems.push(format!("{MANIFEST_SIG} 不是十六进制签名"));
            }
            s
        }
        Err(e) => {
            c.problems.push(format!("缺少清单签名 {MANIFEST_SIG}：{e}"));
            None
        }
    };

    // Every file the manifest names, then anything it does not.
    let mut named = BTreeSet::new();
    for f in &m.files {
        if !safe_rel(&f.path) {
            c.problems.push(format!("清单中的路径不安全：{}", f.path));
            continue;
        }
        if !named.insert(f.path.clone()) {
            c.problems.push(format!("清单重复列出文件 {}", f.path));
            continue;
        }
        let p = rel_path(dir, &f.path);
        match std::fs::symlink_metadata(&p) {
            Ok(meta) if !meta.is_file() => c.problems.push(format!("{} 不是普通文件", f.path)),
            Ok(_) => match hash_file(&p) {
                Ok((size, _)) if size != f.size => {
                    c.problems.push(format!("文件 {} 大小不符：清单记录 {} 字节，实际 {size} 字节", f.path, f.size))
                }
                Ok((_, sha)) if sha != f.sha256 => {
                    c.problems.push(format!("文件 {} 内容不符：清单记录 SHA-256 {}，实际 {sha}", f.path, f.sha256))
                }
                Ok(_) => c.files_checked += 1,
                Err(e) => c.problems.push(format!("文件 {} 无法读取：{e}", f.path)),
            },
            Err(_) => c.problems.push(format!("缺少文件 {}（清单记录 {} 字节）", f.path, f.size)),
        }
    }
    for (rel, _, regular) in walk(dir)? {
        if rel == MANIFEST || rel == MANIFEST_SIG || named.contains(&rel) {
            continue;
        }
        let what = if regular { "文件" } else { "非普通文件" };
        c.problems.push(format!("多出{what} {rel}（清单中没有）"));
    }
    if !named.contains(DB_FILE) {
        c.problems.push(format!("清单中没有数据库文件 {DB_FILE}"));
    }

    // The copied store: chain, signatures, head; the keys it announces.
    let db = dir.join(DB_FILE);
    let facts = if db.is_file() { check_db(&db, key, &m.journal, &mut c.problems) } else { None };
    if let Some(f) = &facts {
        c.events = f.events;
        c.signed = f.signed;
        match &f.identity {
            Some(id) if label_of(id) != m.workstation => c.problems.push(format!(
                "清单记录的工作站 {} 与备份数据库中的工作站 {} 不符",
                m.workstation,
                label_of(id)
            )),
            Some(_) => {}
            None => c.problems.push("备份数据库中没有工作站身份".into()),
        }
    }

    // The manifest's signature, under a workstation key the backup's own journal announces.
    if let (Some(f), Some(sig)) = (&facts, &signature) {
        match f.keys.get(&m.key_id) {
            None => c.problems.push(format!("清单签名密钥 {} 未在备份的日志中登记", m.key_id)),
            Some(pk) => {
                if UnparsedPublicKey::new(&ED25519, pk).verify(&signed_message(&bytes), sig).is_err() {
                    c.problems.push(format!("清单签名无效：{MANIFEST} 或 {MANIFEST_SIG} 被改动"));
                }
            }
        }
    }

    // Whose backup it is.
    if let Some(live) = live {
        if m.workstation != live.label {
            c.foreign = Some(format!(
                "备份属于工作站 {}（{}），本工作站是 {}（{}）",
                m.workstation, m.identity.name, live.label, live.name
            ));
        } else if let Some(f) = &facts
            && let Some(pk) = f.keys.get(&m.key_id)
            && live.keys.get(&m.key_id) != Some(pk)
        {
            c.foreign = Some(format!(
                "备份由签名密钥 {} 签署，本工作站 {}（{}）的日志中没有这把密钥：这是另一台同名工作站 {}（{}）的备份",
                m.key_id, live.label, live.name, m.workstation, m.identity.name
            ));
        }
    }
    c.ok = c.problems.is_empty() && c.foreign.is_none();
    Ok((c, Some(m)))
}

fn info_of(dir: &Path, bytes: &[u8], m: &Manifest) -> BackupInfo {
    BackupInfo {
        name: dir_name(dir),
        path: dir.display().to_string(),
        workstation: m.workstation.clone(),
        created_at: m.created_at.clone(),
        created_by: m.created_by.clone(),
        head: m.journal.clone(),
        counts: m.counts.clone(),
        files: m.files.len(),
        // Saturating: a hostile manifest may claim sizes that add up past u64 (found by `make fuzz`).
        bytes: m.files.iter().fold(0u64, |a, f| a.saturating_add(f.size)),
        manifest_sha256: hex(digest::digest(&digest::SHA256, bytes).as_ref()),
    }
}

/// Every `yc-backup-*` directory in `dir` with its manifest's summary (not verified: that is
/// `verify_backup`), newest first; a directory whose manifest cannot be read is listed with why.
pub fn list_backups(dir: &Path) -> Result<Vec<ListedBackup>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(io(dir))? {
        let e = e.map_err(io(dir))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with(PREFIX) || !e.path().is_dir() {
            continue;
        }
        let p = e.path();
        let (info, problem) = match read_manifest(&p) {
            Ok((bytes, m)) => (Some(info_of(&p, &bytes, &m)), None),
            Err(why) => (None, Some(why)),
        };
        out.push(ListedBackup { name, path: p.display().to_string(), info, problem });
    }
    let key = |b: &ListedBackup| {
        (b.info.as_ref().map(|i| i.created_at.clone()), b.info.as_ref().map_or(0, |i| i.head.seq), b.name.clone())
    };
    out.sort_by_key(|b| std::cmp::Reverse(key(b)));
    Ok(out)
}

// ---- commands ---------------------------------------------------------------------------------

/// A backup or a restore holds every department's records at once: an administrator scoped to
/// some departments must not carry the others' away (or replace them).
const WHOLE: &str = "备份含所有部门的数据";

impl Workstation {
    /// Backs the store up into a new directory in `dest_dir` (see the module documentation),
    /// signed by the workstation key and journaled. Administrators only; the workstation key must
    /// be unlocked (someone logged in).
    pub fn backup_now(&self, by: &Actor, dest_dir: &Path) -> Result<BackupInfo> {
        by.require_role(Role::Admin, "备份工作站数据")?;
        by.require_whole_workstation(WHOLE)?;
        let key = self.store().keyring().workstation().ok_or_else(|| {
            CoreError::Invalid(
                "无法签署备份清单：工作站签名密钥未解锁（请以管理员账号登录后再备份），未生成备份".into(),
            )
        })?;
        let now = self.clock().now();
        // A backup inside the data directory would be lost with it (and copy itself).
        let data = self.data_dir();
        let resolved = dest_dir.canonicalize().or_else(|_| {
            let parent = dest_dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            parent.canonicalize().map(|p| p.join(dest_dir.file_name().unwrap_or_default()))
        });
        if let (Ok(d), Ok(w)) = (resolved, data.canonicalize())
            && d.starts_with(&w)
        {
            return Err(CoreError::Invalid(format!(
                "备份目录 {} 在工作站数据目录 {} 之内：请备份到另一块磁盘或另一个目录",
                dest_dir.display(),
                data.display()
            )));
        }
        create_private_dir(dest_dir).map_err(io(dest_dir))?;
        // Half backups of runs killed before their rename (crate::fsck) would pile up on the stick.
        if let Err(e) = crate::fsck::sweep_backup_temp_dirs(dest_dir) {
            tracing::warn!("half backups not removed from {}: {e}", dest_dir.display());
        }
        let base = format!("{PREFIX}{}-{}", self.label(), now.format("%Y%m%dT%H%M%S"));
        let name = (1..)
            .map(|i| if i == 1 { base.clone() } else { format!("{base}-{i}") })
            .find(|n| !dest_dir.join(n).exists())
            .unwrap_or(base);
        let tmp = dest_dir.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
        }
        create_private_dir(&tmp).map_err(io(&tmp))?;
        let mut scratch = Scratch { path: tmp.clone(), keep: false };

        // 1. The database: one consistent snapshot through SQLite's backup API, as one file.
        let db = tmp.join(DB_FILE);
        let (head, counts, schema_version) = {
            let src = self.store().reader()?;
            crate::store::snapshot(&src, &db, self.store().data_key())?;
            let dst = open_read_only(&db, self.store().data_key())?;
            let schema: usize = dst.pragma_query_value(None, "user_version", |r| r.get(0))?;
            (head_of(&dst)?, counts_of(&dst)?, schema)
        };
        let (size, sha) = hash_file(&db).map_err(io(&db))?;
        std::fs::File::open(&db).and_then(|f| f.sync_all()).map_err(io(&db))?;
        let mut files = vec![FileEntry { path: DB_FILE.into(), size, sha256: sha }];

        // The wraps of the data key: without them an encrypted backup opens only with the
        // recovery key.
        let access = data.join(crate::vault::ACCESS_FILE);
        if access.is_file() {
            let (size, sha256) = copy_hashing(&access, &tmp.join(crate::vault::ACCESS_FILE))?;
            files.push(FileEntry { path: crate::vault::ACCESS_FILE.into(), size, sha256 });
        }

        // 2. The blob directories, after the snapshot: content-addressed files are only ever
        // added, so every file the snapshot names is there. Temporary files (`.name.tmp`) are not.
        for d in BLOB_DIRS {
            let src = data.join(d);
            if !src.is_dir() {
                continue;
            }
            for (rel, p, regular) in walk(&src)? {
                if !regular || rel.split('/').any(|c| c.starts_with('.')) {
                    continue;
                }
                let rel = format!("{d}/{rel}");
                let (size, sha256) = copy_hashing(&p, &rel_path(&tmp, &rel))?;
                files.push(FileEntry { path: rel, size, sha256 });
            }
        }
        sync_tree(&tmp);

        // 3. The manifest, signed by the workstation key.
        let manifest = Manifest {
            format: FORMAT.into(),
            workstation: self.label(),
            identity: self.identity().clone(),
            created_at: stamp(&now),
            created_by: by.id.clone(),
            schema_version,
            key_id: key.key_id.clone(),
            journal: head,
            counts,
            files,
        };
        let bytes = serde_json::to_vec_pretty(&manifest).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let sig = key.sign(&signed_message(&bytes));
        write_synced(&tmp.join(MANIFEST), &bytes)?;
        write_synced(&tmp.join(MANIFEST_SIG), format!("{}\n", hex(&sig)).as_bytes())?;
        sync_dir(&tmp);

        // 4. Complete: renamed into place, then journaled.
        let dir = dest_dir.join(&name);
        std::fs::rename(&tmp, &dir).map_err(io(&dir))?;
        scratch.path.clone_from(&dir);
        sync_dir(dest_dir);
        let info = info_of(&dir, &bytes, &manifest);
        self.store().write(|tx| {
            journal::append_admin(
                tx,
                by,
                events::BACKUP,
                now,
                serde_json::json!({
                    "name": info.name, "to": dest_dir.display().to_string(),
                    "seq": info.head.seq, "head": info.head.hash,
                    "manifest_sha256": info.manifest_sha256, "files": info.files, "bytes": info.bytes,
                }),
                None,
            )
            .map(drop)
        })?;
        scratch.keep = true;
        Ok(info)
    }

    /// Checks the backup in `dir`: the manifest's signature under a workstation key the backup's
    /// journal announces and this journal announced too, every file's size and hash, no file
    /// missing or extra, the copied journal's chain, signatures and head.
    pub fn verify_backup(&self, dir: &Path) -> Result<BackupCheck> {
        let live = Live::of(self)?;
        Ok(inspect(dir, Some(&live), self.store().data_key())?.0)
    }

    /// The last backup the journal records (made here, or the one a restore brought back).
    /// The last backup and whether it is too old (setting `backup.warn_after_days`, default 7).
    pub fn backup_status(&self) -> Result<BackupStatus> {
        let last = self.last_backup()?;
        let warn_after_days = self
            .store()
            .reader()?
            .query_row("SELECT value FROM settings WHERE key = ?1", [WARN_AFTER_DAYS_SETTING], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .and_then(|v| v.parse::<i64>().ok())
            .filter(|d| *d > 0)
            .unwrap_or(DEFAULT_WARN_AFTER_DAYS);
        let age_days = match &last {
            Some(l) => {
                let day =
                    l.at.get(..10)
                        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                        .ok_or_else(|| CoreError::Invalid(format!("备份时间格式错误：{}", l.at)))?;
                Some((self.today() - day).num_days())
            }
            None => None,
        };
        let overdue = age_days.is_none_or(|d| d > warn_after_days);
        Ok(BackupStatus { last, age_days, warn_after_days, overdue })
    }

    pub fn last_backup(&self) -> Result<Option<LastBackup>> {
        let conn = self.store().reader()?;
        let mut last: Option<journal::Event> = None;
        for action in [events::BACKUP, events::RESTORE] {
            if let Some(e) = journal::events_with_action(&conn, action)?.pop()
                && last.as_ref().is_none_or(|l| l.seq < e.seq)
            {
                last = Some(e);
            }
        }
        Ok(last.map(|e| {
            let p = &e.payload;
            let s = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_owned();
            let (name, head, sha) = if e.action == events::BACKUP {
                (
                    s(p, "name"),
                    Head { seq: p["seq"].as_i64().unwrap_or(0), hash: s(p, "head") },
                    s(p, "manifest_sha256"),
                )
            } else {
                let b = &p["backup_head"];
                (
                    s(p, "backup"),
                    Head { seq: b["seq"].as_i64().unwrap_or(0), hash: s(b, "hash") },
                    s(p, "manifest_sha256"),
                )
            };
            LastBackup { action: e.action, at: e.at, by: e.actor, name, head, manifest_sha256: sha }
        }))
    }
}

// ---- restore ----------------------------------------------------------------------------------

/// Who restores, and why when the backup is older than the record (or of another history, or the
/// live store cannot be opened).
#[derive(Debug, Clone, Copy)]
pub struct RestoreRequest<'a> {
    pub admin_id: &'a str,
    pub admin_password: &'a str,
    pub force_reason: Option<&'a str>,
}

/// A store's head and its derived tables' fingerprint (`Workstation::derived_fingerprint`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreState {
    pub head: Head,
    pub fingerprint: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    pub backup: String,
    pub workstation: String,
    /// The live store replaced (absent when it could not be opened).
    pub before: Option<StoreState>,
    /// The backup as restored, before the restore's own event.
    pub restored: StoreState,
    /// The store now: the backup plus the `backup.restore` event.
    pub after: StoreState,
    /// Events of the replaced store after the backup's head (kept in the set-aside files).
    pub lost_events: i64,
    pub forced: Option<String>,
    /// Whether the clock had to be confirmed (the backup's last event too far from now).
    pub clock_confirmed: bool,
    /// The replaced live files, renamed aside (`<name>.before-restore-<time>`).
    pub set_aside: Vec<String>,
}

/// Why the backup may only replace the live store with a reason: older, or another history.
/// Returns the reason and the events the live store has after the backup's head.
fn needs_reason(
    key: Option<&DataKey>,
    live: &Connection,
    live_head: &Head,
    backup_db: &Path,
    backup_head: &Head,
) -> Result<(Option<String>, i64)> {
    if backup_head.seq <= live_head.seq {
        if hash_at(live, backup_head.seq)?.as_deref() != Some(backup_head.hash.as_str()) {
            return Ok((
                Some(format!(
                    "备份与当前记录不是同一段历史：当前日志第 {} 条事件的哈希与备份的链头不同",
                    backup_head.seq
                )),
                live_head.seq - backup_head.seq,
            ));
        }
        // Backup records made after it lose nothing of the record.
        let lost: i64 = live.query_row(
            "SELECT count(*) FROM journal WHERE seq > ?1 AND action <> ?2",
            rusqlite::params![backup_head.seq, events::BACKUP],
            |r| r.get(0),
        )?;
        let why = (lost > 0).then(|| {
            format!(
                "备份比当前记录旧：备份到第 {} 条事件，当前已到第 {} 条，恢复将撤下其后的 {lost} 条记录",
                backup_head.seq, live_head.seq
            )
        });
        return Ok((why, live_head.seq - backup_head.seq));
    }
    // A backup ahead of the live store must extend it.
    let b = open_read_only(backup_db, key)?;
    if hash_at(&b, live_head.seq)?.as_deref() != Some(live_head.hash.as_str()) {
        return Ok((
            Some(format!("备份与当前记录不是同一段历史：备份日志第 {} 条事件的哈希与当前链头不同", live_head.seq)),
            live_head.seq,
        ));
    }
    Ok((None, 0))
}

fn state_of(ws: &Workstation) -> Result<StoreState> {
    Ok(StoreState { head: head_of(&*ws.store().reader()?)?, fingerprint: ws.derived_fingerprint()? })
}

/// What sits in a data directory and is replaced by a restore.
fn store_items() -> Vec<String> {
    let mut v: Vec<String> = ["", "-wal", "-shm", "-journal"].iter().map(|s| format!("{DB_FILE}{s}")).collect();
    v.push(crate::vault::ACCESS_FILE.to_owned());
    v.extend(BLOB_DIRS.iter().map(|d| (*d).to_owned()));
    v
}

/// Replaces the workstation in `data_dir` by the backup in `backup_dir`. `open` opens a
/// workstation directory with the clock it may use (`yc` passes `demo::open`).
///
/// The live workstation must be closed (no desktop app, no `yc sync` on it). Steps: the admin
/// logs in on the live store; the backup verifies (`verify_backup`) and is this workstation's; a
/// backup older than the record, or of another history, or a live store that cannot be opened,
/// needs `force_reason`. The backup is copied beside the live files, the copy verified again
/// (every file's hash, chain, signatures, head) and the restore journaled in it (signed by the
/// admin's key as of the backup: the admin's password must be the same there), then the live
/// files are renamed aside and the copy renamed into place. Nothing live is touched before that.
pub fn restore(
    data_dir: &Path,
    backup_dir: &Path,
    req: &RestoreRequest<'_>,
    open: impl Fn(&Path) -> Result<Workstation>,
) -> Result<RestoreReport> {
    if let Some(r) = req.force_reason
        && r.trim().is_empty()
    {
        return Err(CoreError::Missing { action: "强制恢复备份".into(), field: "理由".into() });
    }
    let name = dir_name(backup_dir);

    // 1. The live workstation: who restores, what it holds, whether the backup is its own.
    let live_ws = match open(data_dir) {
        Ok(ws) => Some(ws),
        Err(e) if req.force_reason.is_some() => {
            tracing::warn!("live store cannot be opened, restoring by force: {e}");
            None
        }
        Err(e) => {
            return Err(CoreError::Invalid(format!(
                "当前工作站无法打开（{e}）：在其上恢复备份须加 --force 并写明理由"
            )));
        }
    };
    // An encrypted backup is under this workstation's data key: the live store's, or (the live
    // store lost) the one the backup's own access file gives the administrator's password.
    let key: Option<DataKey> = match &live_ws {
        Some(ws) => ws.store().data_key().cloned(),
        None if crate::vault::is_encrypted(backup_dir) => Some(crate::vault::open_quietly(
            backup_dir,
            crate::vault::Unlock::Password { staff: req.admin_id, password: req.admin_password },
        )?),
        None => None,
    };
    let live_key = key.as_ref();
    // The backup (and the copy made of it) is keyed as it was made: plain before encryption.
    let key = live_key.filter(|_| crate::vault::is_encrypted(backup_dir));
    let (check, manifest) = match &live_ws {
        Some(ws) => {
            let admin = ws.login(req.admin_id, req.admin_password)?;
            admin.require_role(Role::Admin, "恢复备份")?;
            admin.require_whole_workstation(WHOLE)?;
            inspect(backup_dir, Some(&Live::of(ws)?), key)?
        }
        None => inspect(backup_dir, None, key)?,
    };
    if let Some(f) = &check.foreign {
        return Err(CoreError::Invalid(format!("外来备份，拒绝恢复：{f}")));
    }
    let manifest = match manifest {
        Some(m) if check.ok => m,
        _ => {
            return Err(CoreError::Tampered { what: format!("备份 {name}"), detail: check.problems.join("；") });
        }
    };
    let (before, why, lost) = match &live_ws {
        Some(ws) => {
            let before = state_of(ws)?;
            let (why, lost) =
                needs_reason(key, &*ws.store().reader()?, &before.head, &backup_dir.join(DB_FILE), &manifest.journal)?;
            (Some(before), why, lost)
        }
        None => (None, Some("当前工作站无法打开".to_owned()), 0),
    };
    if let Some(why) = &why
        && req.force_reason.is_none()
    {
        return Err(CoreError::Invalid(format!("{why}。确需恢复，请加 --force 并用 --reason 写明理由（记入日志）")));
    }
    let now = live_ws.as_ref().map_or_else(|| Clock::System.now(), |ws| ws.clock().now());
    drop(live_ws);

    // 2. A copy beside the live files, each file hashed again as it is copied.
    let ts = now.format("%Y%m%dT%H%M%S").to_string();
    let staging = data_dir.join(format!(".restore-{ts}-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    create_private_dir(&staging).map_err(io(&staging))?;
    let _scratch = Scratch { path: staging.clone(), keep: false };
    for f in &manifest.files {
        let (size, sha) = copy_hashing(&rel_path(backup_dir, &f.path), &rel_path(&staging, &f.path))?;
        if size != f.size || sha != f.sha256 {
            return Err(CoreError::Tampered {
                what: format!("备份 {name} 的副本"),
                detail: format!(
                    "文件 {} 复制后不符：清单记录 {} 字节 {}，副本 {size} 字节 {sha}",
                    f.path, f.size, f.sha256
                ),
            });
        }
    }
    let mut problems = Vec::new();
    check_db(&staging.join(DB_FILE), key, &manifest.journal, &mut problems);
    if !problems.is_empty() {
        return Err(CoreError::Tampered { what: format!("备份 {name} 的副本"), detail: problems.join("；") });
    }

    // 3. The restore journaled in the copy, by the admin as the backup knows them.
    let suffix = (1..)
        .map(|i| if i == 1 { format!("before-restore-{ts}") } else { format!("before-restore-{ts}-{i}") })
        .find(|s| store_items().iter().all(|n| !data_dir.join(format!("{n}.{s}")).exists()))
        .unwrap_or_else(|| format!("before-restore-{ts}"));
    let manifest_sha = hash_file(&backup_dir.join(MANIFEST)).map_err(io(backup_dir))?.1;
    let (restored, clock_confirmed) = {
        let copy = open(&staging)?;
        let admin = copy.login(req.admin_id, req.admin_password).map_err(|e| match e {
            CoreError::WrongPassword { .. } => CoreError::Invalid(format!(
                "管理员 {} 的密码与备份中的不符：请用备份时的密码恢复（当前工作站未改动）",
                req.admin_id
            )),
            e => e,
        })?;
        admin.require_role(Role::Admin, "恢复备份")?;
        admin.require_whole_workstation(WHOLE)?;
        let restored = state_of(&copy)?;
        let payload = serde_json::json!({
            "backup": name,
            "manifest_sha256": manifest_sha,
            "backup_head": manifest.journal,
            "backup_created_at": manifest.created_at,
            "replaced_head": before.as_ref().map(|b| &b.head),
            "replaced_fingerprint": before.as_ref().map(|b| &b.fingerprint),
            "lost_events": lost,
            "forced": why.is_some(),
            "set_aside": suffix,
        });
        let at = copy.clock().now();
        let write = || {
            copy.store().write(|tx| {
                journal::append_admin(tx, &admin, events::RESTORE, at, payload.clone(), req.force_reason).map(drop)
            })
        };
        let confirmed = match write() {
            Ok(()) => false,
            Err(CoreError::ClockBehind { .. } | CoreError::ClockJump { .. }) if req.force_reason.is_some() => {
                let reason = format!("恢复备份 {name}：{}", req.force_reason.unwrap_or_default());
                copy.confirm_clock(&admin, &reason)?;
                write()?;
                true
            }
            Err(e @ (CoreError::ClockBehind { .. } | CoreError::ClockJump { .. })) => {
                return Err(CoreError::Invalid(format!(
                    "{e}。备份的最后一条记录与现在的时钟相差过大：确需恢复，请加 --force 并用 --reason 写明理由（同时记入时钟确认）"
                )));
            }
            Err(e) => return Err(e),
        };
        let _: i64 = copy.store().writer().query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        (restored, confirmed)
    };
    // One self-contained file again, then the chain and signatures once more.
    crate::vault::open_connection(&staging.join(DB_FILE), key, OpenFlags::default())?
        .execute_batch("PRAGMA journal_mode = DELETE;")?;
    {
        let conn = open_read_only(&staging.join(DB_FILE), key)?;
        let chain = journal::verify(&conn)?;
        let sig = crate::signing::verify(&conn)?;
        let at = hash_at(&conn, manifest.journal.seq)?;
        let bad = chain
            .first_bad
            .map(|b| format!("第 {} 条事件{}", b.seq, b.problem))
            .or_else(|| sig.first_bad.map(|(s, p)| format!("第 {s} 条事件{p}")));
        if let Some(b) =
            bad.or_else(|| (at.as_deref() != Some(manifest.journal.hash.as_str())).then(|| "备份链头被改动".into()))
        {
            return Err(CoreError::Tampered { what: format!("备份 {name} 的副本"), detail: b });
        }
    }

    // 4. The swap: live files aside, the copy into place. Nobody else may have the store open.
    // Leaving WAL mode needs the only connection to the file: it fails while any other program
    // holds the store open, and otherwise folds the WAL into the file that is set aside.
    if data_dir.join(DB_FILE).exists() {
        let c = crate::vault::open_connection(&data_dir.join(DB_FILE), live_key, OpenFlags::default())?;
        c.busy_timeout(std::time::Duration::from_secs(1))?;
        let mode: String = c.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0)).unwrap_or_default();
        if !mode.eq_ignore_ascii_case("delete") {
            return Err(CoreError::Invalid(
                "工作站正被其他程序使用（一窗桌面程序或 yc sync）：请先关闭后再恢复（当前工作站未改动）".into(),
            ));
        }
    }
    let mut aside: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut placed: Vec<(PathBuf, PathBuf)> = Vec::new();
    let undo = |aside: &[(PathBuf, PathBuf)], placed: &[(PathBuf, PathBuf)]| {
        for (from, to) in placed.iter().rev() {
            let _ = std::fs::rename(to, from);
        }
        for (from, to) in aside.iter().rev() {
            let _ = std::fs::rename(to, from);
        }
    };
    for n in store_items() {
        let p = data_dir.join(&n);
        if std::fs::symlink_metadata(&p).is_ok() {
            let to = data_dir.join(format!("{n}.{suffix}"));
            if let Err(e) = std::fs::rename(&p, &to) {
                undo(&aside, &placed);
                return Err(CoreError::io(&p, e));
            }
            aside.push((p, to));
        }
    }
    for n in store_items() {
        let from = staging.join(&n);
        if std::fs::symlink_metadata(&from).is_ok() {
            let to = data_dir.join(&n);
            if let Err(e) = std::fs::rename(&from, &to) {
                undo(&aside, &placed);
                return Err(CoreError::io(&to, e));
            }
            placed.push((from, to));
        }
    }
    sync_dir(data_dir);

    // 5. The restored workstation as it now opens.
    let ws = open(data_dir)?;
    let after = state_of(&ws)?;
    Ok(RestoreReport {
        backup: name,
        workstation: manifest.workstation,
        before,
        restored,
        after,
        lost_events: lost,
        forced: req.force_reason.map(str::to_owned),
        clock_confirmed,
        set_aside: aside.into_iter().map(|(_, to)| to.display().to_string()).collect(),
    })
}
