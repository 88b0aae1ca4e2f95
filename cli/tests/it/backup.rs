//! Backup and restore as an IT administrator runs them with the real `yc`: back up, list, verify,
//! more work, a restore refused because the backup is older than the record, the forced restore
//! with a reason, and the journal verifying afterwards.

use std::path::PathBuf;

use crate::common::{json, stderr, stdout, yc, yc_ok};

#[test]
fn backup_list_verify_and_a_forced_restore_of_an_older_backup() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("data");
    let to = tmp.path().join("backups");
    yc_ok(&d, &["--today", "2026-11-20", "demo", "--cases", "20", "--no-adapters", "--plain"]);

    // Back up; the directory name says whose and when, the journal records it.
    let info = json(&yc_ok(&d, &["--json", "backup", "now", "--to", to.to_str().unwrap()]));
    let name = info["name"].as_str().unwrap().to_owned();
    assert!(name.starts_with("yc-backup-440399-W01-"), "{info}");
    let backup = PathBuf::from(info["path"].as_str().unwrap());
    assert!(backup.join("manifest.json").is_file() && backup.join("manifest.json.sig").is_file());
    let head = info["head"]["seq"].as_i64().unwrap();
    let last = json(&yc_ok(&d, &["--json", "backup", "last"]));
    assert_eq!(last["name"], name.as_str());

    let list = json(&yc_ok(&d, &["--json", "backup", "list", to.to_str().unwrap()]));
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["info"]["head"]["seq"], head);
    let o = yc_ok(&d, &["backup", "list", to.to_str().unwrap()]);
    assert!(stdout(&o).contains(&name), "{}", stdout(&o));

    let check = json(&yc_ok(&d, &["--json", "backup", "verify", backup.to_str().unwrap()]));
    assert_eq!(check["ok"], true, "{check}");
    let o = yc_ok(&d, &["backup", "verify", backup.to_str().unwrap()]);
    assert!(stdout(&o).contains("备份完好"), "{}", stdout(&o));

    // A tampered copy fails verification with exit 1, naming the file.
    let bad = tmp.path().join("bad").join(&name);
    std::fs::create_dir_all(&bad).unwrap();
    for f in ["manifest.json", "manifest.json.sig", "yichuang.db"] {
        std::fs::copy(backup.join(f), bad.join(f)).unwrap();
    }
    let o = yc(&d, &["backup", "verify", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("缺少文件 documents/"), "{}", stdout(&o));

    // More work after the backup.
    yc_ok(&d, &["staff", "add", "zhaoliu", "--name", "赵六", "--roles", "clerk"]);
    let live_events = || {
        let c = rusqlite::Connection::open(d.join("yichuang.db")).unwrap();
        c.query_row("SELECT MAX(seq) FROM journal", [], |r| r.get::<_, i64>(0)).unwrap()
    };
    let before = live_events();
    assert!(before > head + 1);

    // Restoring the older backup is refused, and nothing changes.
    let o = yc(&d, &["restore", backup.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("备份比当前记录旧") && stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(live_events(), before);
    // --force needs --reason.
    let o = yc(&d, &["restore", backup.to_str().unwrap(), "--force"]);
    assert!(!o.status.success());
    assert_eq!(live_events(), before);

    let started = std::time::Instant::now();
    let o =
        yc_ok(&d, &["--json", "restore", backup.to_str().unwrap(), "--force", "--reason", "误操作后回退到上午的备份"]);
    eprintln!("restore of the demo store: {:.2} s", started.elapsed().as_secs_f64());
    let r = json(&o);
    assert_eq!(r["restored"]["head"]["seq"], head);
    assert_eq!(r["before"]["head"]["seq"], before);
    assert_eq!(r["after"]["head"]["seq"], head + 1);
    assert_eq!(r["after"]["fingerprint"], r["restored"]["fingerprint"]);
    assert_eq!(r["forced"], "误操作后回退到上午的备份");

    // The record verifies, shows the restore with its reason, and the later account is gone.
    let o = yc_ok(&d, &["journal", "verify"]);
    assert!(stdout(&o).contains("用印登记与日志一致"), "{}", stdout(&o));
    let c = rusqlite::Connection::open(d.join("yichuang.db")).unwrap();
    let (actor, reason): (String, String) = c
        .query_row("SELECT actor, reason FROM journal WHERE action = 'backup.restore'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((actor.as_str(), reason.as_str()), ("admin", "误操作后回退到上午的备份"));
    let staff = stdout(&yc_ok(&d, &["staff", "list"]));
    assert!(!staff.contains("zhaoliu"), "{staff}");
    let last = json(&yc_ok(&d, &["--json", "backup", "last"]));
    assert_eq!(last["action"], "backup.restore");
    // The replaced store is kept beside it.
    let kept = std::fs::read_dir(&d)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("yichuang.db.before-restore-"))
        .count();
    assert_eq!(kept, 1);
}
