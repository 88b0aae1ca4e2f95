//! Backups and restores (issue 13 part 2) on real SQLite files: a good backup verifies and restores
//! to the same journal head and derived tables; a tampered one, another workstation's, or one
//! older than the record is refused — naming what — and a refused restore leaves the live store
//! exactly as it was.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use yc_core::backup::{self, RestoreRequest};
use yc_core::demo::{DEMO_PASSWORD, DemoOptions};
use yc_core::{Clock, CoreError, Identity, NewStaff, Workstation, case::Role};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0scan";

fn demo(dir: &Path) -> Workstation {
    let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let ws =
        yc_core::demo::create(dir, &DemoOptions { cases: 12, today, seed: 7, seal: true, encrypt: false }).unwrap();
    // The administrator logs in (unlocking the workstation key), then a scan and a draft beside
    // the documents the demo sealed.
    ws.login("admin", DEMO_PASSWORD).unwrap();
    ws.blobs().put("营业执照扫描.png", PNG).unwrap();
    ws.save_draft(&ws.actor("admin").unwrap(), r#"{"applicant":"王小二"}"#).unwrap();
    ws
}

fn open_demo(d: &Path) -> yc_core::Result<Workstation> {
    yc_core::demo::open(d, None)
}

fn open_real(d: &Path) -> yc_core::Result<Workstation> {
    Workstation::open(d, Clock::System)
}

fn real(dir: &Path, code: &str) -> Workstation {
    let id = Identity { region: "440305".into(), code: code.into(), name: format!("备份测试窗口 {code}") };
    Workstation::init(dir, id, "admin-pw-1", Clock::System).unwrap()
}

fn admin(password: &str) -> RestoreRequest<'_> {
    RestoreRequest { admin_id: "admin", admin_password: password, force_reason: None }
}

/// What a refused restore must leave alone: the head, the derived tables, the directory listing.
fn live_state(data: &Path, open: fn(&Path) -> yc_core::Result<Workstation>) -> (i64, String, String, Vec<String>) {
    let ws = open(data).unwrap();
    let rep = ws.verify_journal().unwrap();
    assert!(rep.ok, "{rep:?}");
    let fp = ws.derived_fingerprint().unwrap();
    drop(ws);
    let mut names: Vec<String> = std::fs::read_dir(data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with("-wal") && !n.ends_with("-shm"))
        .collect();
    names.sort();
    (rep.events, rep.head, fp, names)
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_tree(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

fn first_file(dir: &Path) -> PathBuf {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    v.into_iter().next().unwrap()
}

#[test]
fn a_good_backup_verifies_and_a_restore_reproduces_its_head_and_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, dest) = (tmp.path().join("data"), tmp.path().join("backups"));
    let ws = demo(&data);
    let by = ws.actor("admin").unwrap();
    let fingerprint = ws.derived_fingerprint().unwrap();
    let info = ws.backup_now(&by, &dest).unwrap();
    assert!(info.name.starts_with("yc-backup-440399-W01-"), "{info:?}");
    assert!(info.counts.cases >= 12 && info.counts.documents > 0, "{info:?}");
    let dir = PathBuf::from(&info.path);
    for f in ["yichuang.db", "manifest.json", "manifest.json.sig", "drafts/admin.json"] {
        assert!(dir.join(f).is_file(), "{f} missing from the backup");
    }
    assert!(std::fs::read_dir(dir.join("documents")).unwrap().count() as i64 >= info.counts.documents);
    assert_eq!(std::fs::read_dir(dir.join("attachments")).unwrap().count(), 1);
    // No temporary directory is left in the destination.
    assert_eq!(std::fs::read_dir(&dest).unwrap().count(), 1);

    let check = ws.verify_backup(&dir).unwrap();
    assert!(check.ok, "{check:?}");
    assert_eq!(check.files_checked, info.files);
    assert_eq!(check.head.as_ref(), Some(&info.head));
    let listed = backup::list_backups(&dest).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].info.as_ref().unwrap().manifest_sha256, info.manifest_sha256);
    // The journal knows the last good backup.
    let last = ws.last_backup().unwrap().unwrap();
    assert_eq!((last.action.as_str(), last.name.as_str()), ("backup.made", info.name.as_str()));
    assert_eq!((last.head.clone(), last.manifest_sha256.clone()), (info.head.clone(), info.manifest_sha256.clone()));

    // Never into the data directory itself.
    let e = ws.backup_now(&by, &data.join("backups")).unwrap_err();
    assert!(e.to_string().contains("数据目录"), "{e}");
    assert!(!data.join("backups").exists());
    // A second backup the same (frozen) second gets its own name; the list is newest first.
    let second = ws.backup_now(&by, &dest).unwrap();
    assert_ne!(second.name, info.name);
    let listed = backup::list_backups(&dest).unwrap();
    assert_eq!(listed.iter().map(|b| b.name.clone()).collect::<Vec<_>>(), [second.name.clone(), info.name.clone()]);

    // Damage the live store's files, then restore the latest backup: only backup records came
    // after it, so no reason is needed.
    drop(ws);
    let doc = first_file(&data.join("documents"));
    std::fs::write(&doc, b"not the sealed PDF").unwrap();
    std::fs::remove_dir_all(data.join("attachments")).unwrap();
    let r = backup::restore(&data, Path::new(&second.path), &admin(DEMO_PASSWORD), open_demo).unwrap();
    assert_eq!(r.restored.head, second.head);
    assert_eq!(r.restored.fingerprint, fingerprint);
    assert_eq!(r.after.fingerprint, fingerprint, "the restore event projects nothing");
    assert_eq!(r.after.head.seq, second.head.seq + 1);
    assert_eq!(r.before.as_ref().unwrap().head.seq, second.head.seq + 1, "the live store had the backup record");
    assert!(r.forced.is_none());
    assert!(!r.set_aside.is_empty());

    let ws = open_demo(&data).unwrap();
    let rep = ws.verify_journal().unwrap();
    assert!(rep.ok, "{rep:?}");
    assert_eq!(ws.verify_seal_record().unwrap().problem, None, "the sealed PDF is back");
    let ev = yc_core::journal::events_with_action(
        &rusqlite::Connection::open(data.join("yichuang.db")).unwrap(),
        "backup.restore",
    )
    .unwrap();
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].seq, second.head.seq + 1);
    assert_eq!(ev[0].actor, "admin");
    assert_eq!(ev[0].payload["backup"], second.name.as_str());
    assert!(ws.blobs().has(&hex_sha(PNG), PNG.len() as u64), "the scan is back");
    assert_eq!(ws.load_draft(&ws.actor("admin").unwrap()).unwrap().as_deref(), Some(r#"{"applicant":"王小二"}"#));
    assert_eq!(ws.last_backup().unwrap().unwrap().action, "backup.restore");
    // The replaced files are kept, renamed.
    assert!(r.set_aside.iter().any(|p| p.contains("yichuang.db.before-restore-")), "{:?}", r.set_aside);
}

fn hex_sha(b: &[u8]) -> String {
    yc_core::hash::hex(ring::digest::digest(&ring::digest::SHA256, b).as_ref())
}

#[test]
fn a_tampered_backup_is_refused_naming_what_and_the_live_store_is_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, dest) = (tmp.path().join("data"), tmp.path().join("backups"));
    let ws = demo(&data);
    let info = ws.backup_now(&ws.actor("admin").unwrap(), &dest).unwrap();
    let good = PathBuf::from(&info.path);
    let doc = first_file(&good.join("documents"));
    let doc_rel = format!("documents/{}", doc.file_name().unwrap().to_string_lossy());

    type Tamper = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Tamper, Vec<String>)> = vec![
        (
            "a byte flipped in the database",
            Box::new(|d: &Path| {
                let p = d.join("yichuang.db");
                let mut b = std::fs::read(&p).unwrap();
                let i = b.len() / 2;
                b[i] ^= 0x01;
                std::fs::write(&p, b).unwrap();
            }),
            vec!["文件 yichuang.db 内容不符".into()],
        ),
        (
            "a document replaced",
            Box::new({
                let rel = doc_rel.clone();
                move |d: &Path| std::fs::write(d.join(&rel), b"%PDF-1.7 forged").unwrap()
            }),
            vec![format!("文件 {doc_rel} 大小不符")],
        ),
        (
            "a file deleted",
            Box::new({
                let rel = doc_rel.clone();
                move |d: &Path| std::fs::remove_file(d.join(&rel)).unwrap()
            }),
            vec![format!("缺少文件 {doc_rel}")],
        ),
        (
            "a file added",
            Box::new(|d: &Path| std::fs::write(d.join("documents").join("extra.pdf"), b"%PDF-").unwrap()),
            vec!["多出文件 documents/extra.pdf".into()],
        ),
        (
            "the manifest edited",
            Box::new(|d: &Path| {
                let p = d.join("manifest.json");
                let t = std::fs::read_to_string(&p)
                    .unwrap()
                    .replace("\"created_by\": \"admin\"", "\"created_by\": \"wangqiang\"");
                std::fs::write(&p, t).unwrap();
            }),
            vec!["清单签名无效".into()],
        ),
        (
            "the signature edited",
            Box::new(|d: &Path| {
                let p = d.join("manifest.json.sig");
                let t = std::fs::read_to_string(&p).unwrap();
                let flipped = match t.strip_prefix('0') {
                    Some(rest) => format!("1{rest}"),
                    None => format!("0{}", &t[1..]),
                };
                std::fs::write(&p, flipped).unwrap();
            }),
            vec!["清单签名无效".into()],
        ),
        (
            "the manifest removed",
            Box::new(|d: &Path| std::fs::remove_file(d.join("manifest.json")).unwrap()),
            vec!["无法读取 manifest.json".into()],
        ),
    ];
    drop(ws);
    let before = live_state(&data, open_demo);
    for (i, (what, tamper, expected)) in cases.iter().enumerate() {
        let copy = tmp.path().join(format!("tampered-{i}")).join(&info.name);
        copy_tree(&good, &copy);
        tamper(&copy);
        let ws = open_demo(&data).unwrap();
        let c = ws.verify_backup(&copy).unwrap();
        assert!(!c.ok, "{what}: verified");
        for e in expected {
            assert!(c.problems.iter().any(|p| p.contains(e.as_str())), "{what}: expected «{e}» in {:?}", c.problems);
        }
        drop(ws);
        let e = backup::restore(&data, &copy, &admin(DEMO_PASSWORD), open_demo).unwrap_err();
        assert!(matches!(e, CoreError::Tampered { .. }), "{what}: {e}");
        let msg = e.to_string();
        assert!(expected.iter().all(|x| msg.contains(x.as_str())), "{what}: {msg}");
        assert_eq!(live_state(&data, open_demo), before, "{what}: the live store changed");
    }
    // The untouched backup still verifies: the copies were tampered, not it.
    assert!(open_demo(&data).unwrap().verify_backup(&good).unwrap().ok);
}

#[test]
fn a_backup_of_another_workstation_is_refused_as_foreign() {
    let tmp = tempfile::tempdir().unwrap();
    let (a_dir, b_dir, c_dir) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    let a = real(&a_dir, "W01");
    let b = real(&b_dir, "W02");
    // Another machine set up with the same identity (a re-init, a cloned configuration).
    let c = real(&c_dir, "W01");
    let b_backup = b.backup_now(&b.actor("admin").unwrap(), &tmp.path().join("bb")).unwrap();
    let c_backup = c.backup_now(&c.actor("admin").unwrap(), &tmp.path().join("cb")).unwrap();
    assert!(b.verify_backup(Path::new(&b_backup.path)).unwrap().ok);

    let check = a.verify_backup(Path::new(&b_backup.path)).unwrap();
    assert!(!check.ok && check.problems.is_empty(), "{check:?}");
    let foreign = check.foreign.unwrap();
    assert!(foreign.contains("440305-W02") && foreign.contains("440305-W01"), "{foreign}");
    let check = a.verify_backup(Path::new(&c_backup.path)).unwrap();
    assert!(check.foreign.as_deref().unwrap_or_default().contains("签名密钥"), "{check:?}");

    drop(a);
    let before = live_state(&a_dir, open_real);
    for dir in [&b_backup.path, &c_backup.path] {
        let e = backup::restore(&a_dir, Path::new(dir), &admin("admin-pw-1"), open_real).unwrap_err();
        assert!(e.to_string().contains("外来备份") && e.to_string().contains("440305-W01"), "{e}");
        // Not even with a reason: a workstation never takes another's identity by a restore.
        let forced = RestoreRequest { force_reason: Some("试试看"), ..admin("admin-pw-1") };
        let e = backup::restore(&a_dir, Path::new(dir), &forced, open_real).unwrap_err();
        assert!(e.to_string().contains("外来备份"), "{e}");
    }
    assert_eq!(live_state(&a_dir, open_real), before);
}

#[test]
fn an_older_backup_needs_a_reason_and_the_forced_restore_journals_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, dest) = (tmp.path().join("data"), tmp.path().join("backups"));
    let ws = real(&data, "W01");
    let by = ws.actor("admin").unwrap();
    let info = ws.backup_now(&by, &dest).unwrap();
    let dir = PathBuf::from(&info.path);
    // Backups need an administrator with the workstation key unlocked.
    let clerk = NewStaff {
        id: "clerk".into(),
        name: "窗口甲".into(),
        roles: vec![Role::Clerk],
        departments: vec!["*".into()],
        password: Some("clerk-pw-1".into()),
    };
    let clerk = ws.add_staff(&by, &clerk).unwrap();
    assert!(matches!(ws.backup_now(&clerk, &dest), Err(CoreError::RoleDenied { .. })));
    drop(ws);
    let fresh = open_real(&data).unwrap();
    let e = fresh.backup_now(&fresh.actor("admin").unwrap(), &dest).unwrap_err();
    assert!(e.to_string().contains("未解锁"), "{e}");
    // More work after the backup (the clerk's account above): the backup is older than the record.
    drop(fresh);
    let before = live_state(&data, open_real);
    let e = backup::restore(&data, &dir, &admin("admin-pw-1"), open_real).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("备份比当前记录旧") && msg.contains("--force"), "{msg}");
    assert_eq!(live_state(&data, open_real), before, "a refused restore changed the live store");
    // A wrong password is refused before anything else.
    let e = backup::restore(&data, &dir, &admin("wrong"), open_real).unwrap_err();
    assert!(matches!(e, CoreError::WrongPassword { .. }), "{e}");
    // An empty reason is no reason.
    let blank = RestoreRequest { force_reason: Some("  "), ..admin("admin-pw-1") };
    assert!(matches!(backup::restore(&data, &dir, &blank, open_real), Err(CoreError::Missing { .. })));
    // Refused while another program holds the store open.
    let holder = open_real(&data).unwrap();
    let forced = RestoreRequest { force_reason: Some("误删账号后回退"), ..admin("admin-pw-1") };
    let e = backup::restore(&data, &dir, &forced, open_real).unwrap_err();
    assert!(e.to_string().contains("其他程序"), "{e}");
    drop(holder);
    let live = live_state(&data, open_real);
    assert_eq!((live.0, &live.1, &live.2), (before.0, &before.1, &before.2));

    let r = backup::restore(&data, &dir, &forced, open_real).unwrap();
    assert_eq!(r.forced.as_deref(), Some("误删账号后回退"));
    assert_eq!(r.restored.head, info.head);
    assert_eq!(r.before.as_ref().unwrap().head.seq, before.0);
    assert_eq!(r.lost_events, before.0 - info.head.seq);
    let ws = open_real(&data).unwrap();
    let rep = ws.verify_journal().unwrap();
    assert!(rep.ok && rep.signing_required && rep.unsigned == 0, "the restore event is signed: {rep:?}");
    assert!(ws.actor("clerk").is_err(), "the account made after the backup is gone");
    let conn = rusqlite::Connection::open(data.join("yichuang.db")).unwrap();
    let ev = yc_core::journal::events_with_action(&conn, "backup.restore").unwrap();
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].reason.as_deref(), Some("误删账号后回退"));
    assert_eq!(ev[0].payload["forced"], true);
    assert_eq!(ev[0].payload["replaced_head"]["seq"], before.0);
    assert_eq!(ev[0].payload["replaced_head"]["hash"], before.1.as_str());
    // The replaced store is kept aside and still verifies on its own.
    let aside = r.set_aside.iter().find(|p| p.contains("yichuang.db.before-restore-")).unwrap();
    let old = rusqlite::Connection::open(aside).unwrap();
    assert_eq!(yc_core::journal::verify(&old).unwrap().events, before.0);
}

#[test]
fn a_new_machine_restores_only_with_a_reason_and_the_backups_admin_password() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new, dest) = (tmp.path().join("old"), tmp.path().join("new"), tmp.path().join("backups"));
    let ws = real(&old, "W01");
    let info = ws.backup_now(&ws.actor("admin").unwrap(), &dest).unwrap();
    let dir = PathBuf::from(&info.path);
    // An empty data directory: nothing to compare with, so a reason is required.
    let e = backup::restore(&new, &dir, &admin("admin-pw-1"), open_real).unwrap_err();
    assert!(e.to_string().contains("--force"), "{e}");
    assert!(!new.join("yichuang.db").exists());
    // The administrator is checked against the backup's accounts.
    let wrong = RestoreRequest { force_reason: Some("旧电脑硬盘损坏，换新机"), ..admin("guess") };
    let e = backup::restore(&new, &dir, &wrong, open_real).unwrap_err();
    assert!(e.to_string().contains("密码"), "{e}");
    assert!(!new.join("yichuang.db").exists());
    let forced = RestoreRequest { force_reason: Some("旧电脑硬盘损坏，换新机"), ..admin("admin-pw-1") };
    let r = backup::restore(&new, &dir, &forced, open_real).unwrap();
    assert!(r.before.is_none());
    assert_eq!(r.restored.head, info.head);
    let ws = open_real(&new).unwrap();
    assert_eq!(ws.label(), "440305-W01");
    assert!(ws.verify_journal().unwrap().ok);
    assert_eq!(ws.last_backup().unwrap().unwrap().action, "backup.restore");
}

#[test]
fn the_settings_tab_is_told_when_the_last_backup_is_missing_or_old() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("ws");
    let ws = demo(&data);
    let st = ws.backup_status().unwrap();
    assert!(st.last.is_none() && st.overdue && st.age_days.is_none(), "{st:?}");
    let made = ws.backup_now(&ws.actor("admin").unwrap(), &tmp.path().join("usb")).unwrap();
    let st = ws.backup_status().unwrap();
    assert_eq!(st.last.as_ref().map(|l| l.name.as_str()), Some(made.name.as_str()));
    assert_eq!((st.age_days, st.overdue, st.warn_after_days), (Some(0), false, backup::DEFAULT_WARN_AFTER_DAYS));
    drop(ws);
    // Eight days on (the demo's day moved), the same backup is past the default of seven.
    let later = yc_core::demo::open(&data, Some(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap())).unwrap();
    let st = later.backup_status().unwrap();
    assert_eq!((st.age_days, st.overdue), (Some(8), true), "{st:?}");
}
