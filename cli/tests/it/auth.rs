//! `yc --as X` acts as X only with X's password: the journal's actor is no longer whatever the
//! caller typed. Wrong passwords are counted and lock the account until an admin unlocks it.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use yc_core::demo::DEMO_PASSWORD;

fn yc(data: &Path, args: &[&str], password: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yc"));
    c.arg("--data").arg(data).args(args).env_remove("YC_USER").env_remove("YC_TODAY").env_remove("YC_PASSWORD");
    if let Some(p) = password {
        c.env("YC_PASSWORD", p);
    }
    // Not a terminal: yc must not hang on a prompt.
    c.stdin(Stdio::null()).output().expect("yc runs")
}

fn err(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stderr).unwrap_or_else(|_| panic!("JSON error: {}", String::from_utf8_lossy(&o.stderr)))
}

fn events(data: &Path, action: &str) -> Vec<(String, Option<String>)> {
    let c = rusqlite::Connection::open(data.join("yichuang.db")).unwrap();
    let mut st = c.prepare("SELECT actor, reason FROM journal WHERE action = ?1 ORDER BY seq").unwrap();
    st.query_map([action], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

fn journal_len(data: &Path) -> i64 {
    let c = rusqlite::Connection::open(data.join("yichuang.db")).unwrap();
    c.query_row("SELECT count(*) FROM journal", [], |r| r.get(0)).unwrap()
}

#[test]
fn acting_as_someone_needs_their_password_and_wrong_ones_lock_the_account() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = yc(d, &["--today", "2026-11-20", "demo", "--cases", "20", "--no-seal", "--no-adapters", "--plain"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = yc(d, &["--json", "case", "list", "--state", "under_review", "--limit", "1"], None);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let no = list[0]["case_no"].as_str().expect("a case under review").to_owned();
    let before = journal_len(d);

    // The forged actor from the issue: no password, nothing happens, and it says what is missing.
    let o = yc(d, &["--json", "--as", "wangqiang", "case", "act", &no, "approve"], None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(err(&o)["error"]["kind"], "Missing");
    assert!(err(&o)["error"]["message"].as_str().unwrap().contains("YC_PASSWORD"));
    // Someone else's password does not make you wangqiang either.
    let o = yc(d, &["--json", "--as", "wangqiang", "case", "act", &no, "approve"], Some("not-his-password"));
    assert_eq!(err(&o)["error"]["kind"], "WrongPassword");
    assert!(err(&o)["error"]["message"].as_str().unwrap().contains("再错 4 次"), "{}", err(&o));
    assert_eq!(journal_len(d), before, "nothing was written as wangqiang");

    // Four more wrong passwords lock the account; then even the right one is refused.
    for _ in 0..4 {
        let _ = yc(d, &["--json", "--as", "wangqiang", "case", "act", &no, "approve"], Some("guess"));
    }
    let o = yc(d, &["--json", "--as", "wangqiang", "case", "act", &no, "approve"], Some(DEMO_PASSWORD));
    assert_eq!(err(&o)["error"]["kind"], "AccountLocked");
    assert!(err(&o)["error"]["message"].as_str().unwrap().contains("请管理员解锁"));
    assert_eq!(events(d, "staff.locked"), [("wangqiang".to_owned(), Some("连续输错密码".to_owned()))]);

    // Only an admin unlocks, with a reason; then the right password works, from a file too.
    let o = yc(
        d,
        &["--json", "--as", "zhangwei", "staff", "unlock", "wangqiang", "--reason", "本人确认"],
        Some(DEMO_PASSWORD),
    );
    assert_eq!(err(&o)["error"]["kind"], "RoleDenied");
    let o = yc(d, &["staff", "unlock", "wangqiang", "--reason", "本人到场确认，系输错"], Some(DEMO_PASSWORD));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(events(d, "staff.unlock"), [("admin".to_owned(), Some("本人到场确认，系输错".to_owned()))]);
    let pw = d.join("pw.txt");
    std::fs::write(&pw, format!("{DEMO_PASSWORD}\n")).unwrap();
    let o = yc(d, &["--as", "wangqiang", "--password-file", pw.to_str().unwrap(), "case", "act", &no, "approve"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let c = rusqlite::Connection::open(d.join("yichuang.db")).unwrap();
    let actor: String = c
        .query_row("SELECT actor FROM journal WHERE case_no = ?1 AND action = 'approve'", [&no], |r| r.get(0))
        .unwrap();
    assert_eq!(actor, "wangqiang");
}

#[test]
fn passwords_are_changed_by_their_owner_and_reset_by_an_admin_on_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = yc(d, &["--today", "2026-11-20", "demo", "--cases", "3", "--no-seal", "--no-adapters", "--plain"], None);
    assert!(o.status.success());
    let passwd = |who: &str, old: &str, new: &str| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_yc"));
        c.arg("--data")
            .arg(d)
            .args(["--as", who, "staff", "passwd"])
            .env("YC_PASSWORD", old)
            .env("YC_NEW_PASSWORD", new);
        c.stdin(Stdio::null()).output().unwrap()
    };
    assert!(!passwd("lina", DEMO_PASSWORD, "short").status.success(), "too short");
    assert!(passwd("lina", DEMO_PASSWORD, "新的密码-2026").status.success());
    assert!(!yc(d, &["--as", "lina", "staff", "passwd"], Some(DEMO_PASSWORD)).status.success(), "old one is gone");

    let mut c = Command::new(env!("CARGO_BIN_EXE_yc"));
    c.arg("--data").arg(d).args(["staff", "reset-password", "lina", "--reason", "本人遗忘，持证件到场"]);
    let o = c
        .env("YC_PASSWORD", DEMO_PASSWORD)
        .env("YC_NEW_PASSWORD", "重置后的密码-1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(passwd("lina", "重置后的密码-1", "之后的密码-22").status.success());
    assert_eq!(events(d, "staff.password.change").len(), 2);
    assert_eq!(events(d, "staff.password.reset"), [("admin".to_owned(), Some("本人遗忘，持证件到场".to_owned()))]);
    // The journal holds no password material.
    let c = rusqlite::Connection::open(d.join("yichuang.db")).unwrap();
    let leaked: i64 = c
        .query_row("SELECT count(*) FROM journal WHERE payload LIKE '%密码-%' OR payload LIKE '%pbkdf2%'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(leaked, 0);
}
