//! The workstation's SQLite file: WAL, foreign keys, embedded migrations, one writer.
//!
//! Readers open their own connections (WAL lets them read while the writer writes), so a long
//! search never blocks an intake. Every state change happens inside one write transaction.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction};
use rusqlite_migration::{M, Migrations};

use crate::error::{CoreError, Result};
use crate::vault::{DataKey, FileCipher};

pub const DB_FILE: &str = "yichuang.db";

/// Embedded, ordered migrations. Files are never edited after they ship.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/20261123_0001_init.sql"),
    include_str!("../migrations/20261123_0002_sync.sql"),
    include_str!("../migrations/20261123_0003_seal.sql"),
    include_str!("../migrations/20261123_0004_worklist_indexes.sql"),
    include_str!("../migrations/20261123_0005_attachments.sql"),
    include_str!("../migrations/20261202_0006_two_deadlines.sql"),
    include_str!("../migrations/20261202_0007_staff_lockout.sql"),
    include_str!("../migrations/20261202_0008_supervision.sql"),
    include_str!("../migrations/20261202_0009_signed_events.sql"),
    include_str!("../migrations/20261203_0010_journal_anchors.sql"),
    include_str!("../migrations/20261203_0011_anchor_signatures.sql"),
    include_str!("../migrations/20261203_0012_themes.sql"),
    include_str!("../migrations/20261203_0016_applicant.sql"),
    include_str!("../migrations/20261203_0018_enrollment.sql"),
    include_str!("../migrations/20261203_0019_pades_levels.sql"),
    include_str!("../migrations/20261203_0020_appointments_queue.sql"),
    include_str!("../migrations/20261203_0021_fees_agents.sql"),
    include_str!("../migrations/20261203_0022_supervision_incremental.sql"),
];

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

pub fn schema_target() -> usize {
    MIGRATIONS.len()
}

fn tune(conn: &Connection) -> Result<()> {
    // NORMAL is durable across application crashes in WAL mode (a power cut may lose the last
    // commits but never corrupts); FULL would fsync every intake.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -32000;",
    )?;
    // One filing runs more distinct statements (cases, journal, outbox, FTS, materials, seal and
    // supervision checks …) than rusqlite's default cache of 16 holds, so each filing re-parsed
    // many of them: 256 made a one-transaction filing ~45 % faster (docs/benchmarks.md).
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(())
}

const STATEMENT_CACHE: usize = 256;

pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    /// Idle read connections: opening one costs ~0.5–2 ms (schema parse), which bulk intake and
    /// busy work lists paid on every call before the pool.
    readers: Mutex<Vec<Connection>>,
    /// Signing keys unlocked by logins in this program; never written anywhere.
    keyring: std::sync::RwLock<crate::signing::Keyring>,
    /// The data key of an encrypted store (crate::vault): every connection is keyed with it and
    /// the files beside the store are sealed with its file key. `None` for a plain store.
    key: Option<DataKey>,
    files: Option<FileCipher>,
}

/// Keep at most this many idle readers.
const IDLE_READERS: usize = 4;

/// A pooled read-only connection; goes back to the pool when dropped.
pub struct Reader<'a> {
    conn: Option<Connection>,
    pool: &'a Mutex<Vec<Connection>>,
}

impl std::ops::Deref for Reader<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("present until drop")
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            let mut pool = self.pool.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if pool.len() < IDLE_READERS {
                pool.push(c);
            }
        }
    }
}

impl Store {
    /// Opens (creating if needed) a plain store in `dir` and migrates it to the current schema.
    pub fn open(dir: &Path) -> Result<Self> {
        Self::open_keyed(dir, None)
    }

    /// Opens the store in `dir`, encrypted with `key` (or plain), creating it if needed, and
    /// migrates it. A file that already has data is copied to `yichuang.db.bak-v<N>` (encrypted
    /// as the store is) before a migration runs.
    pub fn open_keyed(dir: &Path, key: Option<DataKey>) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
        // Temporaries of writers killed before their rename (crate::fsck): never read, only disk.
        if let Err(e) = crate::fsck::sweep_temp_files(dir) {
            tracing::warn!("leftover temporary files not removed: {e}");
        }
        let path = dir.join(DB_FILE);
        let mut conn = crate::vault::open_connection(&path, key.as_ref(), OpenFlags::default())?;
        tune(&conn)?;
        let current: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if current > schema_target() {
            return Err(CoreError::Invalid(format!(
                "数据库结构版本 {current} 比本程序支持的 {} 新，请升级一窗",
                schema_target()
            )));
        }
        if current > 0 && current < schema_target() {
            let backup = dir.join(format!("{DB_FILE}.bak-v{current}"));
            snapshot(&conn, &backup, key.as_ref())?;
        }
        migrations().to_latest(&mut conn)?;
        let files = key.as_ref().map(DataKey::files);
        Ok(Self {
            path,
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
            keyring: Default::default(),
            key,
            files,
        })
    }

    /// The data key when the store is encrypted.
    pub(crate) fn data_key(&self) -> Option<&DataKey> {
        self.key.as_ref()
    }

    /// The cipher of the files beside an encrypted store.
    pub(crate) fn files(&self) -> Option<&FileCipher> {
        self.files.as_ref()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn schema_version(&self) -> Result<usize> {
        let conn = self.writer();
        Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// The single writer. A poisoned lock only means another thread panicked mid-call; SQLite
    /// rolled its transaction back, so the connection is still sound.
    /// Whether journal events must keep time order (`journal::append` refuses a clock that went
    /// back or jumped far ahead). On for the system clock; off for a fixed clock (tests replaying a
    /// scenario, demos) unless asked. Kept on the writer connection, which every event goes through.
    pub(crate) fn set_clock_order(&self, enforced: bool) -> Result<()> {
        self.writer().execute_batch(&format!(
            "CREATE TEMP TABLE IF NOT EXISTS yc_session (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             INSERT OR REPLACE INTO temp.yc_session (key, value) VALUES ('clock_order', '{}');",
            if enforced { "on" } else { "off" }
        ))?;
        Ok(())
    }

    pub fn writer(&self) -> MutexGuard<'_, Connection> {
        self.writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `f` in one IMMEDIATE write transaction: all of it commits, or none of it.
    /// Every event the transaction appended is signed before it commits (crate::signing).
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let before: i64 = tx
            .prepare_cached("SELECT seq FROM journal_head WHERE id = 1")?
            .query_row([], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        let out = f(&tx)?;
        crate::signing::sign_new(&tx, before, &self.keyring())?;
        tx.commit()?;
        Ok(out)
    }

    /// The signing keys unlocked in this program.
    pub(crate) fn keyring(&self) -> std::sync::RwLockReadGuard<'_, crate::signing::Keyring> {
        self.keyring.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn keyring_mut(&self) -> std::sync::RwLockWriteGuard<'_, crate::signing::Keyring> {
        self.keyring.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A read-only connection from the pool (or a new one); callers keep it while they read.
    /// WAL: it never blocks the writer and sees every committed transaction.
    pub fn reader(&self) -> Result<Reader<'_>> {
        let idle = self.readers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
        let conn = match idle {
            Some(c) => c,
            None => self.open_reader()?,
        };
        Ok(Reader { conn: Some(conn), pool: &self.readers })
    }

    fn open_reader(&self) -> Result<Connection> {
        let conn = crate::vault::open_connection(
            &self.path,
            self.key.as_ref(),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.execute_batch("PRAGMA busy_timeout = 5000; PRAGMA cache_size = -32000;")?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }
}

/// A consistent copy of `conn`'s database in one file at `dest`, keyed as the source is (SQLite's
/// online backup API: pages are copied as they are, so both sides must use the same key).
pub(crate) fn snapshot(conn: &Connection, dest: &Path, key: Option<&DataKey>) -> Result<()> {
    let mut dst = crate::vault::open_connection(dest, key, OpenFlags::default())?;
    {
        let b = rusqlite::backup::Backup::new(conn, &mut dst)?;
        let mut waits = 0;
        loop {
            match b.step(-1)? {
                rusqlite::backup::StepResult::Done => break,
                rusqlite::backup::StepResult::More => {}
                _ if waits < 200 => {
                    waits += 1;
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                _ => return Err(CoreError::Invalid("复制数据库失败：数据库持续忙，请稍后再试".into())),
            }
        }
    }
    dst.execute_batch("PRAGMA journal_mode = DELETE;")?;
    Ok(())
}

/// Writes a file beside the database so that a crash leaves the whole file or none: a temporary
/// name in the same directory, fsync, rename, then fsync of the directory (the rename must be
/// durable before the journal names the file). Used for sealed documents and attachments.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
    let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    // The process id keeps a CLI and the app writing the same file from sharing a temp file.
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut f = std::fs::File::create(&tmp).map_err(|e| CoreError::io(&tmp, e))?;
    f.write_all(bytes).and_then(|()| f.sync_all()).map_err(|e| CoreError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| CoreError::io(path, e))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_embedded_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        files.sort();
        assert_eq!(files.len(), MIGRATIONS.len(), "{files:?}");
        for (f, sql) in files.iter().zip(MIGRATIONS) {
            assert_eq!(std::fs::read_to_string(dir.join(f)).unwrap(), *sql, "{f} is not embedded at its place");
        }
    }

    #[test]
    fn opening_twice_keeps_schema_and_data() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.schema_version().unwrap(), schema_target());
        s.write(|tx| {
            tx.execute("INSERT INTO settings(key, value) VALUES ('k', 'v')", [])?;
            Ok(())
        })
        .unwrap();
        drop(s);
        let s = Store::open(dir.path()).unwrap();
        let v: String =
            s.reader().unwrap().query_row("SELECT value FROM settings WHERE key='k'", [], |r| r.get(0)).unwrap();
        assert_eq!(v, "v");
    }

    #[test]
    fn failed_transaction_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let r: Result<()> = s.write(|tx| {
            tx.execute("INSERT INTO settings(key, value) VALUES ('a', '1')", [])?;
            Err(CoreError::Invalid("boom".into()))
        });
        assert!(r.is_err());
        let n: i64 = s.reader().unwrap().query_row("SELECT count(*) FROM settings", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn a_newer_schema_is_refused_with_a_readable_error() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        let c = Connection::open(dir.path().join(DB_FILE)).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
        drop(c);
        let e = Store::open(dir.path()).err().unwrap();
        assert!(e.to_string().contains("99"), "{e}");
    }
}
