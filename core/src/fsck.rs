//! Leftovers of writers killed mid-write, named and swept (issue 13 part 3; docs/crash-safety.md).
//!
//! Files beside the store are written whole or not at all: `store::write_atomically` writes
//! `.NAME.PID.tmp`, syncs it and renames it over `NAME`; a backup is assembled in
//! `.yc-backup-….tmp-PID` and renamed when complete. A process killed before its rename (SIGKILL,
//! a power cut, a crash) leaves the temporary behind, and nothing reads, backs up or removes it:
//! a scan can be 32 MB, a half backup as large as the store and its files, and on a USB stick
//! they pile up backup after backup (tests/system/tests/crash.rs finds them after its kills).
//! Here they are listed and, once their writer is gone, removed.
//!
//! A writer is gone when no process has its id (Linux: `/proc/<pid>`), or, where that cannot be
//! asked, when its temporary has not changed for [`STALE_AFTER`]. A reused process id only
//! postpones a sweep; this process's own temporaries are never touched. Drafts
//! (`drafts/<account>.json.tmp`, crate::draft) carry no process id and are overwritten by the
//! next save, so they are left alone.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::error::{CoreError, Result};

/// Where a process cannot be asked about, a temporary unchanged this long is a dead writer's.
pub const STALE_AFTER: Duration = Duration::from_secs(24 * 3600);
/// The directories `write_atomically` writes into (attachments one level down, `<aa>/<sha256>`).
const BLOB_DIRS: &[&str] = &["attachments", "documents"];
/// `backup::PREFIX`, spelled out: this file sits below `backup` (core/tests/it/module_graph.rs).
const BACKUP_PREFIX: &str = "yc-backup-";

/// A temporary file or directory left by a writer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leftover {
    pub path: PathBuf,
    /// The process that was writing it.
    pub pid: u32,
    /// What it holds (a directory: all its files).
    pub bytes: u64,
    /// Its writer is gone: nothing will rename it any more.
    pub stale: bool,
}

/// `.NAME.PID.tmp` (store::write_atomically) → PID.
fn temp_file_pid(name: &str) -> Option<u32> {
    let (stem, pid) = name.strip_prefix('.')?.strip_suffix(".tmp")?.rsplit_once('.')?;
    if stem.is_empty() {
        return None;
    }
    pid.parse().ok()
}

/// `.yc-backup-….tmp-PID` (backup::backup_now) → PID.
fn backup_temp_pid(name: &str) -> Option<u32> {
    let (stem, pid) = name.strip_prefix('.')?.rsplit_once(".tmp-")?;
    if !stem.starts_with(BACKUP_PREFIX) {
        return None;
    }
    pid.parse().ok()
}

fn writer_gone(pid: u32, path: &Path) -> bool {
    if pid == std::process::id() {
        return false;
    }
    let procfs = Path::new("/proc");
    if cfg!(target_os = "linux") && procfs.join("self").exists() {
        return !procfs.join(pid.to_string()).exists();
    }
    std::fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > STALE_AFTER)
}

/// Bytes of the regular files under `path` (symbolic links not followed).
fn size_of(path: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else { return 0 };
    if !meta.is_dir() {
        return meta.len();
    }
    std::fs::read_dir(path).map_or(0, |entries| entries.flatten().map(|e| size_of(&e.path())).sum())
}

/// Entries of `dir` (none when it does not exist).
fn entries(dir: &Path) -> Result<Vec<std::fs::DirEntry>> {
    match std::fs::read_dir(dir) {
        Ok(rd) => rd.collect::<std::io::Result<Vec<_>>>().map_err(|e| CoreError::io(dir, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(CoreError::io(dir, e)),
    }
}

fn leftover(path: PathBuf, pid: u32) -> Leftover {
    Leftover { stale: writer_gone(pid, &path), bytes: size_of(&path), path, pid }
}

/// The temporary files of `write_atomically` in the data directory's blob directories.
pub fn temp_files(data_dir: &Path) -> Result<Vec<Leftover>> {
    let mut out = Vec::new();
    for d in BLOB_DIRS {
        let root = data_dir.join(d);
        let mut dirs = vec![(root, 0)];
        while let Some((dir, depth)) = dirs.pop() {
            for e in entries(&dir)? {
                let path = e.path();
                let kind = e.file_type().map_err(|err| CoreError::io(&path, err))?;
                if kind.is_dir() && depth == 0 {
                    dirs.push((path, depth + 1));
                } else if kind.is_file()
                    && let Some(pid) = temp_file_pid(&e.file_name().to_string_lossy())
                {
                    out.push(leftover(path, pid));
                }
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The half-made backups in a backup destination.
pub fn backup_temp_dirs(dest_dir: &Path) -> Result<Vec<Leftover>> {
    let mut out = Vec::new();
    for e in entries(dest_dir)? {
        let path = e.path();
        let kind = e.file_type().map_err(|err| CoreError::io(&path, err))?;
        if kind.is_dir()
            && let Some(pid) = backup_temp_pid(&e.file_name().to_string_lossy())
        {
            out.push(leftover(path, pid));
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Removes `l` unless another sweeper was first; `Ok(false)` when it was already gone.
fn remove(l: &Leftover) -> Result<bool> {
    let r = if l.path.is_dir() { std::fs::remove_dir_all(&l.path) } else { std::fs::remove_file(&l.path) };
    match r {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(CoreError::io(&l.path, e)),
    }
}

fn sweep(found: Vec<Leftover>) -> Result<Vec<Leftover>> {
    let mut removed = Vec::new();
    for l in found.into_iter().filter(|l| l.stale) {
        if remove(&l)? {
            removed.push(l);
        }
    }
    Ok(removed)
}

/// Removes the blob temporaries whose writer is gone (when the store opens); returns them.
pub fn sweep_temp_files(data_dir: &Path) -> Result<Vec<Leftover>> {
    sweep(temp_files(data_dir)?)
}

/// Removes the half backups whose writer is gone (before the next backup into `dest_dir`).
pub fn sweep_backup_temp_dirs(dest_dir: &Path) -> Result<Vec<Leftover>> {
    sweep(backup_temp_dirs(dest_dir)?)
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;

    /// No process has this id: Linux caps ids at 2^22.
    const DEAD: u32 = 4_000_000_000;

    /// A file whose writer is gone by every rule: no such process, untouched for years.
    fn old_file(path: &Path, bytes: &[u8]) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
        let long_ago = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        std::fs::File::options().write(true).open(path).unwrap().set_modified(long_ago).unwrap();
    }

    #[test]
    fn names_are_read_as_their_writers_make_them() {
        let sha = "ab".repeat(32);
        assert_eq!(temp_file_pid(&format!(".{sha}.4242.tmp")), Some(4242));
        assert_eq!(temp_file_pid(&format!(".{sha}.pdf.17.tmp")), Some(17));
        for not in [sha.as_str(), ".x.tmp", "x.12.tmp", "..12.tmp", ".x.12.tmp.bak", ".x.-1.tmp"] {
            assert_eq!(temp_file_pid(not), None, "{not}");
        }
        let b = "yc-backup-440399-W01-20261120T120000";
        assert_eq!(backup_temp_pid(&format!(".{b}.tmp-99")), Some(99));
        assert_eq!(backup_temp_pid(&format!(".{b}-2.tmp-7")), Some(7));
        for not in [b.to_owned(), format!("{b}.tmp-99"), ".other.tmp-99".into(), format!(".{b}.tmp-x")] {
            assert_eq!(backup_temp_pid(&not), None, "{not}");
        }
        assert_eq!(BACKUP_PREFIX, crate::backup::PREFIX);
    }

    #[test]
    fn sweeps_dead_writers_temporaries_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let sha = "cd".repeat(32);
        let dead_scan = d.join(format!("attachments/cd/.{sha}.{DEAD}.tmp"));
        let dead_pdf = d.join(format!("documents/.{sha}.pdf.{DEAD}.tmp"));
        let mine = d.join(format!("documents/.{sha}.pdf.{}.tmp", std::process::id()));
        let whole = d.join(format!("attachments/cd/{sha}"));
        let draft = d.join("drafts/zhangwei.json.tmp");
        old_file(&dead_scan, b"%PDF-half");
        old_file(&dead_pdf, b"%PDF");
        old_file(&mine, b"%PDF-being-written");
        old_file(&whole, b"%PDF-whole");
        old_file(&draft, b"{}");

        let found = temp_files(d).unwrap();
        let stale = |p: &Path| found.iter().find(|l| l.path == p).map(|l| (l.bytes, l.stale));
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(stale(&dead_scan), Some((9, true)));
        assert_eq!(stale(&dead_pdf), Some((4, true)));
        assert_eq!(stale(&mine), Some((18, false)), "this process is writing it");

        let removed = sweep_temp_files(d).unwrap();
        assert_eq!(removed.len(), 2);
        assert!(!dead_scan.exists() && !dead_pdf.exists());
        assert!(mine.exists() && whole.exists() && draft.exists(), "a live writer's, a whole file, a draft stay");
        assert!(sweep_temp_files(d).unwrap().is_empty());
        assert!(temp_files(&d.join("no such dir")).unwrap().is_empty());
    }

    #[test]
    fn sweeps_half_backups_of_dead_writers_only() {
        let dest = tempfile::tempdir().unwrap();
        let d = dest.path();
        let name = "yc-backup-440399-W01-20261120T120000";
        let half = d.join(format!(".{name}.tmp-{DEAD}"));
        let running = d.join(format!(".{name}-2.tmp-{}", std::process::id()));
        let complete = d.join(name);
        let foreign = d.join(format!(".photos.tmp-{DEAD}"));
        for dir in [&half, &running, &complete, &foreign] {
            old_file(&dir.join("attachments/ab/file"), &[0; 100]);
            old_file(&dir.join("yichuang.db"), &[0; 1000]);
            std::fs::File::open(dir)
                .unwrap()
                .set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000))
                .ok();
        }
        let found = backup_temp_dirs(d).unwrap();
        assert_eq!(found.len(), 2, "{found:?}");
        let h = found.iter().find(|l| l.path == half).unwrap();
        assert_eq!((h.pid, h.bytes, h.stale), (DEAD, 1100, true));
        assert!(!found.iter().find(|l| l.path == running).unwrap().stale);

        let removed = sweep_backup_temp_dirs(d).unwrap();
        assert_eq!(removed.iter().map(|l| &l.path).collect::<Vec<_>>(), [&half]);
        assert!(!half.exists());
        assert!(running.exists() && complete.exists() && foreign.exists());
    }
}
