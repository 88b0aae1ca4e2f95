//! Encryption at rest (issue 13 part 1) on real files: what a thief with the disk sees, who can
//! open the store, what a wrong password costs, the recovery key, encrypted backups, and a plain
//! workstation converted in place.

use std::path::Path;

use chrono::NaiveDate;
use yc_core::backup::{self, RestoreRequest};
use yc_core::demo::{DEMO_PASSWORD, DemoOptions};
use yc_core::vault::{self, Unlock};
use yc_core::{Clock, CoreError, Workstation};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0scan-of-wang-xiaoer";
const NAME: &str = "王小二";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
}

fn demo(dir: &Path, encrypt: bool) -> (Workstation, Option<vault::RecoveryKey>) {
    let (ws, r) =
        yc_core::demo::create_reporting(dir, &DemoOptions { cases: 12, today: today(), seed: 7, seal: true, encrypt })
            .unwrap();
    ws.login("admin", DEMO_PASSWORD).unwrap();
    ws.blobs().put("身份证扫描.png", PNG).unwrap();
    ws.save_draft(&ws.actor("admin").unwrap(), &format!(r#"{{"applicant":"{NAME}"}}"#)).unwrap();
    (ws, r)
}

/// Every byte under `dir` (database, WAL, attachments, documents, drafts, backups).
fn all_bytes(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.extend(std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A demo applicant's name, ID number and phone, as the record holds them.
fn known_values(ws: &Workstation) -> Vec<String> {
    let c = ws.list_cases(&Default::default()).unwrap().remove(0);
    let phone = ws
        .case_events(&c.case_no)
        .unwrap()
        .iter()
        .find_map(|e| e.payload.pointer("/applicant/phone").and_then(|p| p.as_str()).map(str::to_owned))
        .expect("the demo records a phone");
    vec![c.applicant_name, c.applicant_id, phone]
}

fn unlock(staff: &str, password: &str) -> Unlock<'static> {
    Unlock::Password {
        staff: Box::leak(staff.to_owned().into_boxed_str()),
        password: Box::leak(password.to_owned().into_boxed_str()),
    }
}

#[test]
fn a_stolen_disk_shows_no_applicant_and_the_store_opens_only_with_a_password() {
    // The same demo plain and encrypted: the plain one shows names and scans (the check works).
    let plain = tempfile::tempdir().unwrap();
    let (ws, _) = demo(plain.path(), false);
    let known = known_values(&ws);
    drop(ws);
    let bytes = all_bytes(plain.path());
    for v in &known {
        assert!(contains(&bytes, v.as_bytes()), "the plain store shows {v}");
    }
    assert!(contains(&bytes, b"scan-of-wang-xiaoer"));
    assert!(contains(&bytes, NAME.as_bytes()) && contains(&bytes, b"%PDF-"));

    let dir = tempfile::tempdir().unwrap();
    let (ws, recovery) = demo(dir.path(), true);
    assert!(ws.status().unwrap().encrypted);
    let known = known_values(&ws);
    let applicant = known[0].clone();
    drop(ws);
    let bytes = all_bytes(dir.path());
    let fixed: [&[u8]; 4] = [NAME.as_bytes(), b"scan-of-wang-xiaoer", b"%PDF-", b"SQLite format 3"];
    for needle in known.iter().map(|v| v.as_bytes()).chain(fixed) {
        assert!(!contains(&bytes, needle), "{} readable on disk", String::from_utf8_lossy(needle));
    }

    // No key, no store; a wrong password is refused; any account's own password opens it.
    let e = Workstation::open(dir.path(), Clock::System).err().unwrap();
    assert!(matches!(e, CoreError::StoreLocked(_)), "{e}");
    let e = rusqlite::Connection::open(dir.path().join("yichuang.db"))
        .and_then(|c| c.query_row("SELECT count(*) FROM cases", [], |r| r.get::<_, i64>(0)))
        .unwrap_err();
    assert!(e.to_string().contains("not a database"), "{e}");
    let e = yc_core::demo::open_unlocked(dir.path(), None, unlock("zhangwei", "wrong-password")).err().unwrap();
    assert!(matches!(e, CoreError::WrongPassword { remaining: Some(4) }), "{e}");
    let ws = yc_core::demo::open_unlocked(dir.path(), None, unlock("zhangwei", DEMO_PASSWORD)).unwrap();
    assert_eq!(ws.list_cases(&Default::default()).unwrap()[0].applicant_name, applicant);
    // Files come back whole through the store.
    let att = ws.blobs().put("again.png", PNG).unwrap();
    assert_eq!(ws.blobs().get(&att.sha256).unwrap(), PNG);
    let doc = ws.all_documents().unwrap().remove(0);
    assert!(ws.document_bytes(&doc).unwrap().starts_with(b"%PDF-"));
    assert!(ws.load_draft(&ws.actor("admin").unwrap()).unwrap().unwrap().contains(NAME));
    assert!(ws.verify_journal().unwrap().ok);
    assert!(ws.verify_seal_record().unwrap().ok);
    drop(ws);
    let ws = yc_core::demo::open_unlocked(dir.path(), None, Unlock::Recovery(recovery.unwrap().as_str())).unwrap();
    assert_eq!(ws.list_cases(&Default::default()).unwrap()[0].applicant_name, applicant);
}

#[test]
fn an_encrypted_file_swapped_or_altered_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = demo(dir.path(), true);
    let docs = ws.all_documents().unwrap();
    let (a, b) = (&docs[0], &docs[1]);
    // Another genuine encrypted document copied over this one: bound to its name, it fails.
    std::fs::copy(&b.path, &a.path).unwrap();
    let e = ws.document_bytes(a).unwrap_err();
    assert!(matches!(e, CoreError::Tampered { .. }), "{e}");
    assert!(!ws.verify_seal_record().unwrap().ok);
}

#[test]
fn wrong_passwords_before_the_store_opens_lock_the_account_on_the_record() {
    let dir = tempfile::tempdir().unwrap();
    drop(demo(dir.path(), true));
    for _ in 0..4 {
        let e = yc_core::demo::open_unlocked(dir.path(), None, unlock("zhangwei", "guess-guess")).err().unwrap();
        assert!(matches!(e, CoreError::WrongPassword { .. }), "{e}");
    }
    let e = yc_core::demo::open_unlocked(dir.path(), None, unlock("zhangwei", "guess-guess")).err().unwrap();
    assert!(matches!(e, CoreError::AccountLocked { .. }), "{e}");
    let e = yc_core::demo::open_unlocked(dir.path(), None, unlock("zhangwei", DEMO_PASSWORD)).err().unwrap();
    assert!(matches!(e, CoreError::AccountLocked { .. }), "the right password after the lock: {e}");
    // The administrator opens the store: the lock is on the record; the unlock clears both.
    let ws = yc_core::demo::open_unlocked(dir.path(), None, unlock("admin", DEMO_PASSWORD)).unwrap();
    let admin = ws.login("admin", DEMO_PASSWORD).unwrap();
    let locked = yc_core::journal::events_with_action(&ws.store().reader().unwrap(), "staff.locked").unwrap();
    assert_eq!(locked.len(), 1);
    assert_eq!(locked[0].actor, "zhangwei");
    assert!(matches!(ws.login("zhangwei", DEMO_PASSWORD), Err(CoreError::AccountLocked { .. })));
    ws.unlock_staff(&admin, "zhangwei", "本人确认").unwrap();
    drop(ws);
    let ws = yc_core::demo::open_unlocked(dir.path(), None, unlock("zhangwei", DEMO_PASSWORD)).unwrap();
    ws.login("zhangwei", DEMO_PASSWORD).unwrap();
}

#[test]
fn a_password_change_rewraps_only_that_persons_copy_and_new_staff_get_one() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = demo(dir.path(), true);
    ws.change_password("lina", DEMO_PASSWORD, "lina-new-pass").unwrap();
    let admin = ws.actor("admin").unwrap();
    ws.add_staff(
        &admin,
        &yc_core::NewStaff {
            id: "newbie".into(),
            name: "新同事".into(),
            roles: vec![yc_core::case::Role::Clerk],
            departments: vec!["*".into()],
            password: Some("newbie-pass-1".into()),
        },
    )
    .unwrap();
    drop(ws);
    assert!(yc_core::demo::open_unlocked(dir.path(), None, unlock("lina", DEMO_PASSWORD)).is_err());
    yc_core::demo::open_unlocked(dir.path(), None, unlock("lina", "lina-new-pass")).unwrap();
    yc_core::demo::open_unlocked(dir.path(), None, unlock("zhangwei", DEMO_PASSWORD)).unwrap();
    yc_core::demo::open_unlocked(dir.path(), None, unlock("newbie", "newbie-pass-1")).unwrap();
    assert!(vault::accounts(dir.path()).unwrap().iter().any(|a| a.id == "newbie" && a.name == "新同事"));
}

#[test]
fn the_recovery_key_resets_a_forgotten_admin_password_on_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let id = yc_core::Identity { region: "440305".into(), code: "R01".into(), name: "恢复测试".into() };
    let (ws, recovery) = Workstation::init_encrypted(dir.path(), id, "admin-pw-1", Clock::System).unwrap();
    drop(ws);
    let e = Workstation::recover_admin(
        dir.path(),
        Clock::System,
        "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH",
        "admin-pw-2",
        "遗忘",
    )
    .err()
    .unwrap();
    assert!(e.to_string().contains("恢复密钥"), "{e}");
    let ws = Workstation::recover_admin(dir.path(), Clock::System, recovery.as_str(), "admin-pw-2", "管理员遗忘密码")
        .unwrap();
    let rep = ws.verify_journal().unwrap();
    assert!(rep.ok && rep.unsigned == 0, "signed by the workstation key the recovery key holds: {rep:?}");
    drop(ws);
    assert!(yc_core::demo::open_unlocked(dir.path(), None, unlock("admin", "admin-pw-1")).is_err());
    let ws = yc_core::demo::open_unlocked(dir.path(), None, unlock("admin", "admin-pw-2")).unwrap();
    let admin = ws.login("admin", "admin-pw-2").unwrap();
    // A renewed key replaces the old one.
    let renewed = ws.renew_recovery_key(&admin).unwrap();
    drop(ws);
    assert!(yc_core::demo::open_unlocked(dir.path(), None, Unlock::Recovery(recovery.as_str())).is_err());
    yc_core::demo::open_unlocked(dir.path(), None, Unlock::Recovery(renewed.as_str())).unwrap();
}

#[test]
fn an_encrypted_backup_stays_encrypted_verifies_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    let (ws, _) = demo(dir.path(), true);
    let admin = ws.actor("admin").unwrap();
    let info = ws.backup_now(&admin, backups.path()).unwrap();
    assert!(ws.verify_backup(Path::new(&info.path)).unwrap().ok);
    let known = known_values(&ws);
    let head = ws.verify_journal().unwrap().events;
    drop(ws);
    let bytes = all_bytes(backups.path());
    for v in &known {
        assert!(!contains(&bytes, v.as_bytes()), "{v} readable in the backup");
    }
    assert!(!contains(&bytes, b"%PDF-"), "a sealed PDF readable in the backup");
    // The live data lost: restored from the backup with the administrator's password.
    for n in ["yichuang.db", "yichuang.db-wal", "yichuang.db-shm"] {
        let _ = std::fs::remove_file(dir.path().join(n));
    }
    std::fs::remove_dir_all(dir.path().join("documents")).unwrap();
    let req = RestoreRequest { admin_id: "admin", admin_password: DEMO_PASSWORD, force_reason: Some("硬盘损坏") };
    backup::restore(dir.path(), Path::new(&info.path), &req, |d| {
        yc_core::demo::open_unlocked(d, None, Unlock::Password { staff: "admin", password: DEMO_PASSWORD })
    })
    .unwrap();
    let ws = yc_core::demo::open_unlocked(dir.path(), None, unlock("admin", DEMO_PASSWORD)).unwrap();
    assert!(ws.encrypted());
    // The backup holds everything before its own `backup.made`; the restore adds its event.
    assert_eq!(ws.verify_journal().unwrap().events, head, "the backup plus the restore event");
    assert!(ws.verify_seal_record().unwrap().ok);
}

#[test]
fn a_plain_workstation_is_converted_in_place_after_a_verified_backup() {
    let dir = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    let (ws, _) = demo(dir.path(), false);
    let applicant = ws.list_cases(&Default::default()).unwrap()[0].applicant_name.clone();
    let before = ws.verify_journal().unwrap();
    let att_sha = ws.blobs().put("x.png", PNG).unwrap().sha256;
    drop(ws);
    // A stranger's password does not convert it.
    let e = yc_core::setup::encrypt_in_place(
        dir.path(),
        "zhangwei",
        DEMO_PASSWORD,
        backups.path(),
        Clock::at_date(today()),
    )
    .err()
    .unwrap();
    assert!(matches!(e, CoreError::RoleDenied { .. }), "{e}");
    assert!(!vault::is_encrypted(dir.path()));
    let r =
        yc_core::setup::encrypt_in_place(dir.path(), "admin", DEMO_PASSWORD, backups.path(), Clock::at_date(today()))
            .unwrap();
    assert!(r.files > 0 && r.accounts.contains(&"zhangwei".to_owned()), "{r:?}");
    assert!(backups.path().join(&r.backup.name).is_dir());
    let bytes = all_bytes(dir.path());
    assert!(!contains(&bytes, applicant.as_bytes()) && !contains(&bytes, NAME.as_bytes()));
    // Everyone's old password opens it; the record is whole, one event longer.
    let ws = yc_core::demo::open_unlocked(dir.path(), None, unlock("zhangwei", DEMO_PASSWORD)).unwrap();
    let after = ws.verify_journal().unwrap();
    assert!(after.ok, "{after:?}");
    assert!(after.events >= before.events + 2, "backup and conversion journaled");
    assert_eq!(ws.blobs().get(&att_sha).unwrap(), PNG);
    assert!(ws.verify_seal_record().unwrap().ok);
    assert!(ws.load_draft(&ws.actor("admin").unwrap()).unwrap().unwrap().contains(NAME));
    drop(ws);
    yc_core::demo::open_unlocked(dir.path(), None, Unlock::Recovery(r.recovery.as_str())).unwrap();
    let e =
        yc_core::setup::encrypt_in_place(dir.path(), "admin", DEMO_PASSWORD, backups.path(), Clock::at_date(today()))
            .err()
            .unwrap();
    assert!(e.to_string().contains("已加密"), "{e}");
}
