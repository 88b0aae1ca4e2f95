//! Creating and opening a workstation, and its working calendar. Opening finishes a rebuild a
//! crash interrupted, so derived tables never stay half-built.

use std::path::Path;
use std::sync::RwLock;

use rusqlite::{OptionalExtension, params};

use crate::auth::{NewStaff, insert_staff};
use crate::calendar::{Calendar, YearTable};
use crate::case::Role;
use crate::clock::{Clock, stamp};
use crate::error::{CoreError, Result};
use crate::events;
use crate::journal::{self, NewEvent};
use crate::projection::Projector;
use crate::staff::{self, Actor};
use crate::store::Store;
use crate::workstation::{Identity, Status, Workstation, load_policy, validate_identity};

/// The first administrator every workstation is made with.
const ADMIN_ID: &str = "admin";
const ADMIN_NAME: &str = "系统管理员";

// ---- encrypting a plain workstation in place -----------------------------------------------

/// What `yc encrypt` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EncryptReport {
    /// The verified plain backup made first (keep it safe, or destroy it once the encrypted
    /// workstation is checked: it holds every applicant in clear).
    pub backup: crate::backup::BackupInfo,
    pub key_id: String,
    /// Accounts whose own password opens the converted store.
    pub accounts: Vec<String>,
    /// Files sealed: attachments, documents, drafts.
    pub files: usize,
    /// Plain copies beside the store that were removed (migration backups).
    pub removed: Vec<String>,
    #[serde(skip)]
    pub recovery: crate::vault::RecoveryKey,
}

/// The plain store being converted, until it replaces the plain one.
const ENCRYPTING: &str = "yichuang.db.encrypting";
/// Directories whose files are sealed by the data key's file key, with their associated-data kind.
const SEALED_DIRS: &[(&str, &str)] = &[("attachments", "attachment"), ("documents", "document"), ("drafts", "draft")];

/// Converts the plain workstation in `dir` to an encrypted one. An administrator of every
/// department does it with their password; first a backup to `backup_dir`, verified; then the
/// conversion is journaled, the store copied into an encrypted file (SQLCipher's export), every
/// attachment, document and draft sealed in place, and the encrypted store renamed over the
/// plain one. The other accounts keep their passwords (crate::vault::add_from_login_hash).
/// Interrupted (a crash, a power cut), it is run again and finishes: nothing is lost.
pub fn encrypt_in_place(
    dir: &Path,
    admin_id: &str,
    password: &str,
    backup_dir: &Path,
    clock: Clock,
) -> Result<EncryptReport> {
    let pending = dir.join(ENCRYPTING);
    if crate::vault::is_encrypted(dir) && !pending.exists() {
        return Err(CoreError::Invalid(format!("工作站 {} 已加密", dir.display())));
    }
    if crate::vault::is_encrypted(dir) {
        // An earlier run stopped after the access file was written: finish it.
        let key = crate::vault::unlock(
            dir,
            crate::vault::Unlock::Password { staff: admin_id, password },
            &stamp(&clock.now()),
        )?;
        let files = seal_files(dir, &key)?;
        let removed = swap_in(dir)?;
        let ws = Workstation::open_keyed(dir, clock, Some(key.clone()))?;
        ws.login(admin_id, password)?;
        let backup = ws
            .last_backup()?
            .and_then(|b| crate::backup::list_backups(backup_dir).ok()?.into_iter().find(|l| l.name == b.name))
            .and_then(|l| l.info);
        let accounts = crate::vault::accounts(dir)?.into_iter().map(|a| a.id).collect();
        return Ok(EncryptReport {
            backup: backup.ok_or_else(|| CoreError::Invalid("未找到加密前所做的备份".into()))?,
            key_id: key.key_id(),
            accounts,
            files,
            removed,
            recovery: ws.renew_recovery_key(&ws.actor(admin_id)?)?,
        });
    }
    let ws = Workstation::open(dir, clock.clone())?;
    let admin = ws.login(admin_id, password)?;
    let backup = ws.backup_now(&admin, backup_dir)?;
    let check = ws.verify_backup(Path::new(&backup.path))?;
    if !check.ok {
        return Err(CoreError::Tampered {
            what: format!("加密前的备份 {}", backup.name),
            detail: check.problems.join("；"),
        });
    }
    let key = crate::vault::DataKey::generate()?;
    let now = ws.clock().now();
    ws.store().write(|tx| {
        journal::append_admin(
            tx,
            &admin,
            events::STORE_ENCRYPT,
            now,
            serde_json::json!({ "key_id": key.key_id(), "backup": backup.name, "backup_head": backup.head }),
            None,
        )
        .map(drop)
    })?;
    let accounts: Vec<(String, String, String)> = {
        let conn = ws.store().reader()?;
        let mut st = conn.prepare(
            "SELECT id, name, password_hash FROM staff WHERE active = 1 AND password_hash IS NOT NULL ORDER BY id",
        )?;
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?
    };
    let identity = ws.identity().clone();
    // The encrypted copy, from a store nobody writes to any more (SQLCipher's export copies
    // schema and rows; the schema version is set by hand, as export does not carry it).
    let _ = std::fs::remove_file(&pending);
    {
        let conn = ws.store().writer();
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        conn.execute(
            "ATTACH DATABASE ?1 AS enc KEY ?2",
            params![pending.to_string_lossy(), key.sqlcipher_key_text().as_str()],
        )?;
        conn.query_row("SELECT sqlcipher_export('enc')", [], |_| Ok(()))?;
        conn.execute_batch(&format!("PRAGMA enc.user_version = {version}; DETACH DATABASE enc;"))?;
    }
    drop(ws);
    {
        let conn = crate::vault::open_connection(&pending, Some(&key), rusqlite::OpenFlags::default())?;
        let rep = journal::verify(&conn)?;
        if let Some(bad) = rep.first_bad {
            return Err(CoreError::JournalBroken { seq: bad.seq, id: bad.id, problem: bad.problem });
        }
        conn.execute_batch("PRAGMA journal_mode = DELETE;")?;
    }
    let named = crate::vault::Named { region: identity.region, code: identity.code, name: identity.name };
    let admin_name = accounts.iter().find(|a| a.0 == admin_id).map_or(ADMIN_NAME, |a| a.1.as_str()).to_owned();
    let recovery = crate::vault::write_access(dir, &named, (admin_id, &admin_name), password, &key)?;
    let mut opened = vec![admin_id.to_owned()];
    for (id, name, hash) in &accounts {
        if id != admin_id && crate::vault::add_from_login_hash(dir, &key, id, name, hash)? {
            opened.push(id.clone());
        }
    }
    let files = seal_files(dir, &key)?;
    let removed = swap_in(dir)?;
    let ws = Workstation::open_keyed(dir, clock, Some(key.clone()))?;
    ws.login(admin_id, password)?;
    ws.wrap_workstation_key_for_recovery(&recovery)?;
    Ok(EncryptReport { backup, key_id: key.key_id(), accounts: opened, files, removed, recovery })
}

/// Seals every plain file of the sealed directories in place (each write atomic; files already
/// sealed are skipped, so a second run finishes the first).
fn seal_files(dir: &Path, key: &crate::vault::DataKey) -> Result<usize> {
    let cipher = key.files();
    let mut n = 0;
    for (d, kind) in SEALED_DIRS {
        let mut stack = vec![dir.join(d)];
        while let Some(p) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&p) else { continue };
            for e in entries.flatten() {
                let path = e.path();
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let bytes = std::fs::read(&path).map_err(|err| CoreError::io(&path, err))?;
                if crate::vault::is_sealed_file(&bytes) {
                    continue;
                }
                crate::store::write_atomically(&path, &cipher.seal(kind, &name, &bytes)?)?;
                n += 1;
            }
        }
    }
    Ok(n)
}

/// The encrypted store replaces the plain one; the plain WAL files and migration copies go.
fn swap_in(dir: &Path) -> Result<Vec<String>> {
    let db = dir.join(crate::store::DB_FILE);
    let pending = dir.join(ENCRYPTING);
    let mut removed = Vec::new();
    for suffix in ["-wal", "-shm", "-journal"] {
        let p = dir.join(format!("{}{suffix}", crate::store::DB_FILE));
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| CoreError::io(&p, e))?;
        }
    }
    std::fs::rename(&pending, &db).map_err(|e| CoreError::io(&db, e))?;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(&format!("{}.bak-v", crate::store::DB_FILE)) {
                std::fs::remove_file(e.path()).map_err(|err| CoreError::io(e.path(), err))?;
                removed.push(name);
            }
        }
    }
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(removed)
}

impl Workstation {
    /// A new recovery key (the old one stops opening the store), by an administrator of every
    /// department, journaled. For a lost or exposed printout.
    pub fn renew_recovery_key(&self, by: &Actor) -> Result<crate::vault::RecoveryKey> {
        by.require_role(Role::Admin, "更换恢复密钥")?;
        by.require_whole_workstation("恢复密钥可打开所有部门的数据")?;
        let key = self.store().data_key().ok_or_else(|| CoreError::Invalid("工作站未加密，没有恢复密钥".into()))?;
        let now = self.clock().now();
        let ws_key = self
            .store()
            .keyring()
            .workstation()
            .ok_or_else(|| CoreError::Invalid("工作站签名密钥未解锁：请以管理员账号登录后再更换恢复密钥".into()))?;
        let mut out = None;
        self.store().write(|tx| {
            let r = crate::vault::new_recovery(&self.data_dir(), key)?;
            crate::signing::wrap_workstation_key_for_recovery(tx, &r.secret()?, &ws_key)?;
            out = Some(r);
            journal::append_admin(
                tx,
                by,
                events::RECOVERY_KEY,
                now,
                serde_json::json!({ "key_id": key.key_id() }),
                None,
            )
            .map(drop)
        })?;
        out.ok_or_else(|| CoreError::Invalid("恢复密钥未生成".into()))
    }

    /// Gives the recovery key its copy of the workstation key (unlocked by the login just made).
    fn wrap_workstation_key_for_recovery(&self, recovery: &crate::vault::RecoveryKey) -> Result<()> {
        let ws_key =
            self.store().keyring().workstation().ok_or_else(|| CoreError::Invalid("工作站签名密钥未解锁".into()))?;
        self.store().write(|tx| crate::signing::wrap_workstation_key_for_recovery(tx, &recovery.secret()?, &ws_key))
    }

    /// With the printed recovery key, when no administrator's password is known any more: opens
    /// the store, unlocks the workstation key the recovery key holds, and gives `admin` a new
    /// password (and a new signing key), journaled by the workstation with the reason.
    pub fn recover_admin(dir: &Path, clock: Clock, recovery: &str, new_password: &str, reason: &str) -> Result<Self> {
        if reason.trim().is_empty() {
            return Err(CoreError::Missing {
                action: "用恢复密钥重置管理员密码".into(), field: "理由".into()
            });
        }
        staff::check_new_password(new_password)?;
        let ws = Self::open_unlocked(dir, clock, crate::vault::Unlock::Recovery(recovery))?;
        let key =
            ws.store().data_key().cloned().ok_or_else(|| CoreError::Invalid("工作站未加密，没有恢复密钥".into()))?;
        let secret = crate::vault::recovery_secret(recovery)?;
        let (_, ws_key) = crate::signing::unlock(&*ws.store().reader()?, crate::signing::RECOVERY_ACCOUNT, &secret)?;
        let ws_key = ws_key.ok_or_else(|| {
            CoreError::Invalid("恢复密钥没有工作站签名密钥的副本（请用管理员账号更换恢复密钥）".into())
        })?;
        ws.store().keyring_mut().insert("", None, Some(ws_key.clone()));
        let now = ws.clock().now();
        let name: String =
            ws.store().reader()?.query_row("SELECT name FROM staff WHERE id = ?1", [ADMIN_ID], |r| r.get(0))?;
        ws.store().write(|tx| {
            tx.execute(
                "UPDATE staff SET password_hash = ?2, failed_logins = 0, locked_at = NULL WHERE id = ?1",
                params![ADMIN_ID, staff::hash_password(new_password)],
            )?;
            journal::append(
                tx,
                NewEvent {
                    case_no: None,
                    actor: "system",
                    role: Role::Admin.code(),
                    action: events::STAFF_PASSWORD_RESET,
                    at: now,
                    payload: serde_json::json!({ "id": ADMIN_ID, "by_recovery_key": true }),
                    reason: Some(reason),
                },
            )?;
            crate::signing::create_staff_key(tx, ADMIN_ID, new_password, "system", now, Some(&ws_key))?;
            crate::vault::set_password(dir, &key, ADMIN_ID, &name, new_password)
        })?;
        Ok(ws)
    }

    /// Whether this workstation's data is encrypted at rest.
    pub fn encrypted(&self) -> bool {
        self.store().data_key().is_some()
    }
}

impl Workstation {
    /// Creates a new plain workstation in `dir` with its first administrator (tests; a real
    /// workstation is made encrypted by [`Self::init_encrypted`]).
    pub fn init(dir: &Path, identity: Identity, admin_password: &str, clock: Clock) -> Result<Self> {
        Self::init_with(dir, identity, admin_password, clock, None)
    }

    /// Creates a new workstation whose store and files are encrypted (crate::vault). Returns the
    /// recovery key, to be shown once and kept in the administrator's safe.
    pub fn init_encrypted(
        dir: &Path,
        identity: Identity,
        admin_password: &str,
        clock: Clock,
    ) -> Result<(Self, crate::vault::RecoveryKey)> {
        validate_identity(&identity)?;
        if dir.join(crate::store::DB_FILE).exists() || crate::vault::is_encrypted(dir) {
            return Err(CoreError::AlreadyInitialised(dir.display().to_string()));
        }
        std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
        let named = crate::vault::Named {
            region: identity.region.clone(),
            code: identity.code.clone(),
            name: identity.name.clone(),
        };
        let (key, recovery) = crate::vault::create(dir, &named, (ADMIN_ID, ADMIN_NAME), admin_password)?;
        let made = Self::init_with(dir, identity, admin_password, clock, Some(key)).and_then(|ws| {
            ws.wrap_workstation_key_for_recovery(&recovery)?;
            Ok(ws)
        });
        match made {
            Ok(ws) => Ok((ws, recovery)),
            Err(e) => {
                // Nothing was recorded: leave the directory as it was (no orphan access file).
                let _ = std::fs::remove_file(dir.join(crate::vault::ACCESS_FILE));
                Err(e)
            }
        }
    }

    fn init_with(
        dir: &Path,
        identity: Identity,
        admin_password: &str,
        clock: Clock,
        key: Option<crate::vault::DataKey>,
    ) -> Result<Self> {
        validate_identity(&identity)?;
        let store = Store::open_keyed(dir, key.clone())?;
        let now = clock.now();
        // A workstation on the real clock requires signatures from its first event; a demo or a
        // test on a fixed clock signs what its logins unlock (crate::signing).
        let required = matches!(clock, Clock::System);
        let (admin_key, ws_key) = store.write(|tx| {
            let exists: Option<String> =
                tx.query_row("SELECT region || '-' || code FROM workstation", [], |r| r.get(0)).optional()?;
            if let Some(e) = exists {
                return Err(CoreError::AlreadyInitialised(e));
            }
            tx.execute(
                "INSERT INTO workstation (id, region, code, name, created_at) VALUES (1, ?1, ?2, ?3, ?4)",
                params![identity.region, identity.code, identity.name, stamp(&now)],
            )?;
            journal::append(
                tx,
                NewEvent {
                    case_no: None,
                    actor: "system",
                    role: Role::Admin.code(),
                    action: events::INIT,
                    at: now,
                    payload: serde_json::to_value(&identity).unwrap_or_default(),
                    reason: None,
                },
            )?;
            if required {
                tx.execute(
                    "INSERT INTO settings (key, value) VALUES (?1, 'required')",
                    [crate::signing::REQUIRED_SETTING],
                )?;
                journal::append(
                    tx,
                    NewEvent {
                        case_no: None,
                        actor: "system",
                        role: Role::Admin.code(),
                        action: events::JOURNAL_SIGNING,
                        at: now,
                        payload: serde_json::json!({ "required": true }),
                        reason: None,
                    },
                )?;
            }
            let ws_key = crate::signing::create_workstation_key(tx, now)?;
            // Unlocked before the commit, so these first events are signed by the workstation.
            store.keyring_mut().insert("", None, Some(ws_key.clone()));
            let admin_key = insert_staff(
                tx,
                &NewStaff {
                    id: ADMIN_ID.into(),
                    name: ADMIN_NAME.into(),
                    roles: vec![Role::Admin],
                    departments: vec![staff::ALL_DEPARTMENTS.into()],
                    password: Some(admin_password.into()),
                },
                "system",
                now,
                Some(&ws_key),
            )?;
            Ok((admin_key, ws_key))
        })?;
        drop(store);
        let ws = Self::open_keyed(dir, clock, key)?;
        // Whoever just chose the admin password is the admin in this program.
        ws.store().keyring_mut().insert("admin", admin_key, Some(ws_key));
        Ok(ws)
    }

    /// Opens a plain workstation; an encrypted one needs [`Self::open_unlocked`].
    pub fn open(dir: &Path, clock: Clock) -> Result<Self> {
        if crate::vault::is_encrypted(dir) {
            return Err(CoreError::StoreLocked(dir.display().to_string()));
        }
        Self::open_keyed(dir, clock, None)
    }

    /// Opens the workstation in `dir`, encrypted or plain: an encrypted store is opened with the
    /// data key `how` unwraps (a person's password, counted when wrong, or the recovery key).
    pub fn open_unlocked(dir: &Path, clock: Clock, how: crate::vault::Unlock<'_>) -> Result<Self> {
        if !crate::vault::is_encrypted(dir) {
            return Self::open(dir, clock);
        }
        let key = crate::vault::unlock(dir, how, &stamp(&clock.now()))?;
        Self::open_keyed(dir, clock, Some(key))
    }

    pub(crate) fn open_keyed(dir: &Path, clock: Clock, key: Option<crate::vault::DataKey>) -> Result<Self> {
        if !dir.join(crate::store::DB_FILE).exists() {
            return Err(CoreError::NotInitialised(dir.display().to_string()));
        }
        let encrypted = key.is_some();
        let store = Store::open_keyed(dir, key)?;
        let (identity, years) = {
            let conn = store.writer();
            let identity = conn
                .query_row("SELECT region, code, name FROM workstation WHERE id = 1", [], |r| {
                    Ok(Identity { region: r.get(0)?, code: r.get(1)?, name: r.get(2)? })
                })
                .optional()?
                .ok_or_else(|| CoreError::NotInitialised(dir.display().to_string()))?;
            let mut st = conn.prepare("SELECT body FROM calendar_years ORDER BY year")?;
            let years: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            (identity, years)
        };
        let mut calendar = Calendar::official();
        for body in years {
            calendar.insert_year(YearTable::parse_json(&body)?);
        }
        let policy = load_policy(&store)?;
        store.set_clock_order(matches!(clock, Clock::System))?;
        let ws = Self {
            store,
            clock,
            identity,
            calendar: RwLock::new(calendar),
            policy,
            adapter_factory: RwLock::new(None),
        };
        crate::projection::finish_pending_rebuild(&ws.store, || ws.rebuild())?;
        if encrypted {
            ws.mirror_locks_from_access()?;
        }
        Ok(ws)
    }

    /// Imports (or replaces) one year's official table; running deadlines are recomputed.
    pub fn import_calendar(&self, by: &Actor, text: &str) -> Result<i32> {
        by.require_role(Role::Admin, "导入工作日历")?;
        let table = YearTable::parse_json(text)?;
        let year = table.year;
        let body = table.to_json();
        let now = self.now();
        let mut cal = self.calendar.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut projector = Projector::new(cal.clone());
        self.store.write(|tx| {
            tx.execute(
                "INSERT INTO calendar_years (year, body) VALUES (?1, ?2) ON CONFLICT(year) DO UPDATE SET body = excluded.body",
                params![year, body],
            )?;
            let ev = journal::append_admin(tx, by, events::CALENDAR_IMPORT, now, serde_json::json!({ "year": year, "body": body }), None)?;
            projector.apply(tx, &ev)
        })?;
        *cal = projector.cal;
        Ok(year)
    }

    pub fn status(&self) -> Result<Status> {
        let conn = self.store.reader()?;
        let count = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
        Ok(Status {
            path: self.store.path().display().to_string(),
            schema_version: self.store.schema_version()?,
            identity: self.identity.clone(),
            journal_events: count("SELECT COALESCE(MAX(seq), 0) FROM journal")?,
            cases: count("SELECT count(*) FROM cases")?,
            open_cases: count("SELECT count(*) FROM cases WHERE closed_on IS NULL")?,
            catalog_version: conn.query_row("SELECT MAX(version) FROM catalog_versions", [], |r| r.get(0))?,
            calendar_years: self.calendar().years(),
            today: self.today(),
            encrypted: self.encrypted(),
        })
    }
}
