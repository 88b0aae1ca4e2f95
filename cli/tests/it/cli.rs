//! The `yc` binary as scripts use it: exit codes, `--json`, Chinese errors.

use std::path::Path;
use std::process::{Command, Output};

use crate::common;
use common::{stderr, stdout, yc};

/// `yc --as clerk case new` for `item` and applicant `id`/`name`, plus `extra` arguments.
fn file_case(data: &Path, item: &str, id: &str, name: &str, extra: &[&str]) -> Output {
    let mut args =
        vec!["--json", "--as", "clerk", "case", "new", "--item", item, "--applicant-id", id, "--applicant-name", name];
    args.extend_from_slice(extra);
    yc(data, &args)
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "stderr: {}", stderr(o));
    serde_json::from_slice(&o.stdout).expect("valid JSON on stdout")
}

#[test]
fn calendar_answers_on_the_official_tables_without_a_workstation() {
    let dir = tempfile::tempdir().unwrap();
    // 10-01..10-07 National Day; 10-08 is the first working day after 09-30.
    assert_eq!(stdout(&yc(dir.path(), &["calendar", "add-workdays", "2026-09-30", "1"])), "2026-10-08");
    // 2026-10-10 is a make-up Saturday; 2026-02-16 is Spring Festival.
    assert_eq!(stdout(&yc(dir.path(), &["calendar", "is-workday", "2026-10-10"])), "true");
    assert_eq!(stdout(&yc(dir.path(), &["calendar", "is-workday", "2026-02-16"])), "false");
    assert_eq!(stdout(&yc(dir.path(), &["calendar", "add-workdays", "2024-09-30", "1"])), "2024-10-08");
    let o = yc(dir.path(), &["calendar", "add-workdays", "2027-03-01", "1"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("2027"), "{}", stderr(&o));
}

#[test]
fn id_check_prints_kind_and_validity_with_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let o = yc(dir.path(), &["id", "check", "11010519491231002X"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("居民身份证") && stdout(&o).contains("valid"), "{}", stdout(&o));
    let o = yc(dir.path(), &["id", "check", "110105194912310021"]);
    assert!(!o.status.success());
    assert!(stdout(&o).contains("invalid"), "{}", stdout(&o));
    let v = json(&yc(dir.path(), &["--json", "id", "check", "１１０１０５１９４９１２３１００２ｘ"]));
    assert_eq!(v["valid"], true);
    assert_eq!(v["normalized"], "11010519491231002X");
}

#[test]
fn commands_on_a_missing_workstation_say_how_to_create_one() {
    let dir = tempfile::tempdir().unwrap();
    let o = yc(dir.path(), &["case", "list"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("yc init"), "{}", stderr(&o));
    let o = yc(dir.path(), &["--json", "status"]);
    let err: serde_json::Value = serde_json::from_slice(&o.stderr).unwrap();
    assert_eq!(err["error"]["kind"], "NotInitialised");
}

#[test]
fn a_scripted_intake_runs_through_the_cli_and_refusals_explain_themselves() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = yc(
        d,
        &[
            "init",
            "--region",
            "440305",
            "--workstation",
            "T1",
            "--name",
            "测试",
            "--admin-password",
            yc_core::demo::DEMO_PASSWORD,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let catalog = d.join("catalog.json");
    std::fs::write(&catalog, yc_core::catalog::DEMO_CATALOG_JSON).unwrap();
    assert!(yc(d, &["catalog", "import", catalog.to_str().unwrap()]).status.success());
    for (id, roles) in [("clerk", "受理员"), ("rev", "reviewer"), ("dec", "decider")] {
        let o =
            yc(d, &["staff", "add", id, "--name", id, "--roles", roles, "--password", yc_core::demo::DEMO_PASSWORD]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let items = json(&yc(d, &["--json", "catalog", "list"]));
    let item = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["kind"] == "promised"
                && i["materials"].as_array().unwrap().iter().all(|m| !m["name"].as_str().unwrap().contains("营业执照"))
        })
        .unwrap();
    let code = item["code"].as_str().unwrap();
    let guide = stdout(&yc(d, &["catalog", "guide", code]));
    assert!(guide.contains(item["name"].as_str().unwrap()) && guide.contains("办理时限"), "{guide}");
    let id = yc_core::ids::make_resident_id("440305", "1970-01-01".parse().unwrap(), 12);
    let s = json(&file_case(d, code, &id, "测试人", &[]));
    let no = s["case_no"].as_str().unwrap().to_owned();
    assert_eq!(s["state"], "submitted");
    // The clerk may not decide: the refusal names the role needed, in Chinese.
    let o = yc(d, &["--as", "clerk", "case", "act", &no, "approve"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("决定人"), "{}", stderr(&o));
    for (who, action) in [("clerk", "受理"), ("rev", "start_review"), ("dec", "approve")] {
        let o = yc(d, &["--as", who, "case", "act", &no, action]);
        assert!(o.status.success(), "{who} {action}: {}", stderr(&o));
    }
    let detail = json(&yc(d, &["--json", "case", "show", &no]));
    assert_eq!(detail["summary"]["state"], "approved");
    assert_eq!(detail["events"].as_array().unwrap().len(), 4);
    let found = json(&yc(d, &["--json", "case", "search", "测试人"]));
    assert_eq!(found.as_array().unwrap().len(), 1);
    // Scans handed in from files: stored by hash, listed by `case show`; a text file is refused.
    let scan = d.join("申请表.pdf");
    std::fs::write(&scan, b"%PDF-1.7\n% scanned form\n").unwrap();
    let material = item["materials"][0]["id"].as_str().unwrap().to_owned();
    let spec = format!("{material}={}", scan.display());
    let s = json(&file_case(d, code, &id, "附件人", &["--attach", &spec]));
    let with_file = s["case_no"].as_str().unwrap().to_owned();
    let shown = stdout(&yc(d, &["case", "show", &with_file]));
    assert!(shown.contains("申请表.pdf") && shown.contains("application/pdf"), "{shown}");
    let notes = d.join("notes.pdf");
    std::fs::write(&notes, "not a scan at all").unwrap();
    let o = file_case(d, code, &id, "附件人", &["--attach", notes.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("不是可接受的扫描件"), "{}", stderr(&o));

    let wrong = format!("{}{}", &id[..17], if id.ends_with('0') { '1' } else { '0' });
    let o = file_case(d, code, &wrong, "错号", &[]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("校验"), "{}", stderr(&o));
}

#[test]
fn a_malformed_catalog_file_is_refused_with_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        yc(d, &["init", "--region", "440305", "--workstation", "T1", "--admin-password", yc_core::demo::DEMO_PASSWORD])
            .status
            .success()
    );
    let bad = d.join("bad.json");
    std::fs::write(&bad, yc_core::catalog::DEMO_CATALOG_JSON.replacen("\"visits\": 1", "\"visits\": -1", 1)).unwrap();
    let o = yc(d, &["catalog", "import", bad.to_str().unwrap()]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("visits") && e.contains("行"), "{e}");
    assert_eq!(json(&yc(d, &["--json", "catalog", "versions"])).as_array().unwrap().len(), 0);
}

#[test]
fn demo_then_tamper_makes_journal_verify_fail_and_rebuild_is_identical_before_that() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = yc(d, &["--today", "2026-11-20", "demo", "--cases", "60", "--plain"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = json(&yc(d, &["--json", "status"]));
    assert!(s["cases"].as_i64().unwrap() >= 60);
    assert_eq!(s["today"], "2026-11-20");
    // Every state is present in the demo.
    for st in [
        "appointed",
        "submitted",
        "supplementing",
        "accepted",
        "under_review",
        "suspended",
        "special_procedure",
        "approved",
        "denied",
        "completed",
        "not_accepted",
        "withdrawn",
        "terminated",
        "cancelled",
        "revoked",
    ] {
        let l = json(&yc(d, &["--json", "case", "list", "--state", st, "--limit", "1"]));
        assert_eq!(l.as_array().unwrap().len(), 1, "no demo case in state {st}");
    }
    let r = json(&yc(d, &["--json", "rebuild"]));
    assert_eq!(r["identical"], true);
    // A decided demo case has its sealed decision: exported, it verifies VALID here, poppler's
    // pdfsig checks its integrity, and pdftotext reads the Chinese back.
    let done = json(&yc(d, &["--json", "case", "list", "--state", "completed", "--limit", "1"]));
    let no = done[0]["case_no"].as_str().unwrap();
    let pdf = d.join("decision.pdf");
    assert!(
        yc(d, &["doc", "export", no, "--type", "approval", "--out", pdf.to_str().unwrap()]).status.success()
            || yc(d, &["doc", "export", no, "--type", "refusal", "--out", pdf.to_str().unwrap()]).status.success()
    );
    let v = yc(d, &["verify", pdf.to_str().unwrap()]);
    assert!(v.status.success(), "{}", stdout(&v));
    assert!(stdout(&v).starts_with("VALID"), "{}", stdout(&v));
    let sig = Command::new("pdfsig").arg(&pdf).output().expect("pdfsig (poppler-utils) is installed by make test");
    assert!(
        String::from_utf8_lossy(&sig.stdout).contains("Signature is Valid"),
        "{}",
        String::from_utf8_lossy(&sig.stdout)
    );
    let text = Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("行政许可决定书") && text.contains(no), "{text}");
    let all = d.join("all-docs");
    assert!(yc(d, &["doc", "export", "--all", "--out", all.to_str().unwrap()]).status.success());
    assert!(std::fs::read_dir(&all).unwrap().count() > 5);
    assert!(yc(d, &["seal", "log"]).status.success());
    assert!(yc(d, &["journal", "verify"]).status.success());
    let c = rusqlite::Connection::open(d.join("yichuang.db")).unwrap();
    c.execute_batch("DROP TRIGGER journal_is_append_only_u; UPDATE journal SET actor = 'mallory' WHERE seq = 40;")
        .unwrap();
    drop(c);
    let o = yc(d, &["journal", "verify"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("第 40 条"), "{}", stderr(&o));
}

#[test]
fn adapter_check_passes_the_python_example_and_fails_the_broken_one_with_reasons() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let target = tempfile::tempdir().unwrap();
    // Run from elsewhere: the configs' relative paths are relative to the config files.
    let run = |cfg: &str, extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_yc"))
            .current_dir(target.path())
            .arg("--data")
            .arg(target.path())
            .args(["adapter", "check"])
            .arg(root.join(cfg))
            .args(extra)
            .output()
            .unwrap()
    };
    // As the README says: the example's sample inbox lets the kit check pull cursors too.
    let good = run("adapters/examples/python/example.toml", &["--inbox", "applications.online=25"]);
    assert!(good.status.success(), "{}{}", stdout(&good), stderr(&good));
    // Nothing failed, nothing skipped but `timestamp` (the example runs no TSA; not required).
    let shown = stdout(&good);
    assert!(!shown.contains("[失败]"), "{shown}");
    assert_eq!(shown.matches("[跳过]").count(), shown.matches("[跳过] timestamp").count(), "{shown}");
    // Without saying what is seeded, the required pull check is skipped: the kit does not pass.
    let unseeded = run("adapters/examples/python/example.toml", &[]);
    assert!(!unseeded.status.success());
    assert!(stdout(&unseeded).contains("[跳过] cursor_resume"), "{}", stdout(&unseeded));
    let bad = run("adapters/examples/python/broken.toml", &[]);
    assert!(!bad.status.success());
    let text = stdout(&bad);
    assert!(text.contains("[失败] same_key_different_payload_is_permanent"), "{text}");
    assert!(text.contains("[失败] malformed_replies") && text.contains("标准错误"), "{text}");
}

#[test]
fn demo_force_rebuilds_a_demo_with_its_seals_and_never_overwrites_a_real_workstation() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for _ in 0..2 {
        let o = yc(d, &["--today", "2026-11-20", "demo", "--cases", "20", "--force"]);
        assert!(o.status.success(), "a second `demo --force` (seal keys on disk) works: {}", stderr(&o));
    }
    assert!(!json(&yc(d, &["--json", "seal", "list"])).as_array().unwrap().is_empty(), "the new demo has its seals");
    let real = tempfile::tempdir().unwrap();
    assert!(
        yc(
            real.path(),
            &["init", "--region", "440305", "--workstation", "T1", "--admin-password", yc_core::demo::DEMO_PASSWORD]
        )
        .status
        .success()
    );
    let o = yc(real.path(), &["demo", "--force"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("拒绝覆盖"), "{}", stderr(&o));
    assert!(yc(real.path(), &["status"]).status.success(), "the real workstation is untouched");
}
