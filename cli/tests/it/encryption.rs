//! Encryption at rest as an IT administrator meets it with the real `yc`: `yc init` makes an
//! encrypted workstation and prints the recovery key once; nothing opens without a password; the
//! recovery key opens it and resets a forgotten admin password; a plain workstation is encrypted
//! in place after a verified backup, and everyone's password still works.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{json, stderr, yc, yc_ok};

fn yc_with(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yc"));
    c.arg("--data").arg(data).args(args).env_remove("YC_USER").env_remove("YC_TODAY").env_remove("YC_PASSWORD");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("yc runs")
}

fn bytes_under(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_file() {
            out.extend(std::fs::read(e.path()).unwrap());
        } else if e.path().is_dir() {
            out.extend(bytes_under(&e.path()));
        }
    }
    out
}

#[test]
fn init_encrypts_nothing_opens_without_a_password_and_the_recovery_key_resets_the_admin() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("real");
    let args = ["--json", "init", "--region", "440305", "--workstation", "W02", "--name", "某镇便民服务中心"];
    let o = yc_with(&d, &args, &[("YC_ADMIN_PASSWORD", "admin-pw-1")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["status"]["encrypted"], true, "{v}");
    let recovery = v["recovery_key"].as_str().unwrap().to_owned();
    assert_eq!(recovery.len(), 39, "8 groups of 4 with dashes: {recovery}");
    assert!(!bytes_under(&d).windows(15).any(|w| w == b"SQLite format 3"), "the store is not plain SQLite");

    // No password: refused, saying why. A wrong one: counted. The right one: opens.
    let o = yc_with(&d, &["status"], &[]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("密码"), "{}", stderr(&o));
    let o = yc_with(&d, &["status"], &[("YC_PASSWORD", "not-the-one")]);
    assert!(stderr(&o).contains("再错 4 次"), "{}", stderr(&o));
    let o = yc_with(&d, &["--json", "status"], &[("YC_PASSWORD", "admin-pw-1")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(json(&o)["encrypted"], true);
    // The recovery key opens it too (typed in lower case, with spaces).
    let typed = recovery.to_lowercase().replace('-', " ");
    let o = yc_with(&d, &["--recovery-key", &typed, "status"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));

    // The admin forgot the password: the recovery key sets a new one, on the record.
    let o = yc_with(
        &d,
        &["recover", "--reason", "管理员遗忘密码"],
        &[("YC_RECOVERY_KEY", &recovery), ("YC_NEW_PASSWORD", "admin-pw-2")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = yc_with(&d, &["status"], &[("YC_PASSWORD", "admin-pw-1")]);
    assert!(!o.status.success(), "the old password no longer opens it");
    let o = yc_with(&d, &["--json", "journal", "verify"], &[("YC_PASSWORD", "admin-pw-2")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["unsigned"], 0, "the reset is signed by the workstation key: {v}");

    // A renewed recovery key replaces the printed one.
    let o = yc_with(&d, &["--json", "renew-recovery-key"], &[("YC_PASSWORD", "admin-pw-2")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let renewed = json(&o)["recovery_key"].as_str().unwrap().to_owned();
    assert!(!yc_with(&d, &["--recovery-key", &recovery, "status"], &[]).status.success());
    assert!(yc_with(&d, &["--recovery-key", &renewed, "status"], &[]).status.success());
}

#[test]
fn a_plain_demo_is_encrypted_in_place_after_a_verified_backup() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("data");
    let b = tmp.path().join("backups");
    yc_ok(&d, &["--today", "2026-11-20", "demo", "--cases", "20", "--no-adapters", "--plain"]);
    let before = json(&yc_ok(&d, &["--json", "case", "list"]));
    let name = before[0]["applicant_name"].as_str().unwrap().to_owned();
    assert!(bytes_under(&d).windows(name.len()).any(|w| w == name.as_bytes()), "plain before");

    let o = yc(&d, &["--as", "zhangwei", "encrypt", "--backup-to", b.to_str().unwrap()]);
    assert!(!o.status.success(), "a clerk cannot encrypt the workstation");
    let v = json(&yc_ok(&d, &["--json", "encrypt", "--backup-to", b.to_str().unwrap()]));
    assert!(v["report"]["files"].as_u64().unwrap() > 0, "{v}");
    assert!(v["recovery_key"].as_str().is_some_and(|k| k.len() == 39));
    assert!(!bytes_under(&d).windows(name.len()).any(|w| w == name.as_bytes()), "encrypted after");
    let backup = v["report"]["backup"]["path"].as_str().unwrap();
    assert_eq!(json(&yc_ok(&d, &["--json", "backup", "verify", backup]))["ok"], true);

    // Every account's own password opens it; the record and the seal log verify.
    let after = json(&yc_ok(&d, &["--as", "zhangwei", "--json", "case", "list"]));
    assert_eq!(after[0]["applicant_name"], name.as_str());
    let v = json(&yc_ok(&d, &["--json", "journal", "verify"]));
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(json(&yc_ok(&d, &["--json", "status"]))["encrypted"], true);
}
