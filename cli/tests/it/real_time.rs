//! A real workstation runs on the system clock: `--today` / `YC_TODAY` cannot backdate its record.
//! Demo (and training) workstations may move in time.

use std::path::Path;
use std::process::{Command, Output};

fn yc(data: &Path, args: &[&str], today_env: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yc"));
    // Both workstations are encrypted: every command opens them with the admin's password.
    let password = if data.ends_with("demo") { "yc123456" } else { "pw-123456" };
    c.arg("--data").arg(data).args(args).env_remove("YC_USER").env_remove("YC_TODAY").env("YC_PASSWORD", password);
    if let Some(t) = today_env {
        c.env("YC_TODAY", t);
    }
    c.output().expect("yc runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_real_workstation_refuses_a_requested_day_and_a_demo_accepts_it() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    let o = yc(
        &real,
        &[
            "init",
            "--region",
            "440305",
            "--workstation",
            "W01",
            "--name",
            "某镇便民服务中心",
            "--admin-password",
            "pw-123456",
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // The backdating attempt from the issue: act on a real workstation as of 2026-03-02.
    for (args, env) in [
        (&["--today", "2026-03-02", "status"][..], None),
        (&["status"][..], Some("2026-03-02")),
        (&["--today", "2026-03-02", "case", "list"][..], None),
    ] {
        let o = yc(&real, args, env);
        assert_eq!(o.status.code(), Some(1), "{args:?} {env:?}");
        let e = stderr(&o);
        assert!(e.contains("只使用系统时钟") && e.contains("2026-03-02"), "{e}");
    }
    // Without a requested day it works, on the system clock.
    assert!(yc(&real, &["status"], None).status.success());

    let demo = dir.path().join("demo");
    let o = yc(&demo, &["--today", "2026-11-20", "demo", "--cases", "3", "--no-seal", "--no-adapters"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = yc(&demo, &["--json", "--today", "2026-11-25", "status"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["today"], "2026-11-25");
    let o = yc(&demo, &["--json", "status"], None);
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["today"], "2026-11-20", "the demo's frozen day");
}
