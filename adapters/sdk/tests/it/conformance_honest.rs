//! The conformance kit reports what really happened: skipped is not passed, the crash case kills
//! inside a batch the adapter has read, wrong acks are named, the adapter's own timeouts apply,
//! and the default sandbox never lets the kit push to a non-loopback address.
//!
//! The adapter under test is `tests/fixtures/kit_adapter.py`, a correct adapter with switches
//! for one misbehaviour each; configs are written as TOML and loaded with `AdapterConfig::load`.

use std::path::{Path, PathBuf};

use yc_adapter_sdk::AdapterConfig;
use yc_adapter_sdk::conformance::{
    self, CaseResult, ConformanceReport, Mode, Options, Outcome, ProcessTarget, SandboxError,
};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kit_adapter.py")
}

/// Writes `adapter.toml` into `dir` (fixture command, the far side in `dir`) and loads it.
fn config(dir: &Path, process_extra: &str, settings: &str) -> AdapterConfig {
    let far = dir.join("far.jsonl");
    let text = format!(
        "name = \"kit-fixture\"\nkind = \"process\"\n[process]\ncommand = [\"python3\", {:?}]\n{process_extra}\n\
         [settings]\nfar_file = {:?}\n{settings}\n",
        fixture().to_string_lossy(),
        far.to_string_lossy()
    );
    let path = dir.join("adapter.toml");
    std::fs::write(&path, text).unwrap();
    AdapterConfig::load(&path).unwrap()
}

/// The sandboxed target for `cfg`, with a probe that counts a key's lines in the far-side file.
fn target(cfg: &AdapterConfig) -> ProcessTarget {
    let prepared = conformance::prepare(cfg, Mode::Sandbox, |_| None).unwrap();
    let mut t = ProcessTarget::from_prepared(&prepared).unwrap();
    let far = PathBuf::from(cfg.settings["far_file"].as_str().unwrap());
    t.far_count = Some(Box::new(move |key: &str| {
        let text = std::fs::read_to_string(&far).unwrap_or_default();
        Some(
            text.lines()
                .filter(|l| serde_json::from_str::<serde_json::Value>(l).is_ok_and(|v| v["key"] == key))
                .count(),
        )
    }));
    t
}

fn with_inbox(n: usize) -> Options {
    Options { inbox: Some(("applications.online".into(), n)) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_mid_batch_kills_inside_the_batch_after_a_partial_far_side_write() {
    let dir = tempfile::tempdir().unwrap();
    // Progress after every 50 written items; in the big fresh batch the adapter waits after the
    // first one, so the kill lands with exactly 50 of 500 items on the far side.
    let cfg = config(dir.path(), "", "progress_every = 50\nstall_min_batch = 400\ninbox_count = 25");
    let report = conformance::run_with(&target(&cfg), &with_inbox(25)).await;
    println!("{}", report.to_text());
    let case = report.case("crash_mid_batch").unwrap();
    assert!(case.passed(), "{}", report.to_text());
    let crash = report.crash.expect("crash observed");
    let held = crash.far_held_at_kill.expect("far side visible");
    assert!(held > 0 && held < crash.batch, "partial write at kill: {held}/{}", crash.batch);
    assert_eq!((held, crash.batch), (50, 500));
    assert!(!crash.finished_before_kill);
    assert!(case.message.contains("已保存本批 50/500 条（部分写入）"), "{}", case.message);
    assert!(case.message.contains("对端每键 1 份"), "{}", case.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_far_side_that_stores_the_re_push_twice_fails_crash_mid_batch() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "", "progress_every = 50\nstall_min_batch = 400\nno_dedupe = true\ninbox_count = 25");
    let report = conformance::run_with(&target(&cfg), &with_inbox(25)).await;
    let case = report.case("crash_mid_batch").unwrap();
    assert_eq!(case.outcome, Outcome::Failed, "{}", case.message);
    assert!(case.message.contains("重推后对端保存了 2 份"), "{}", case.message);
    assert!(case.evidence.iter().any(|e| e.contains("payload=")), "{:?}", case.evidence);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skipped_required_check_fails_the_kit_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    // Declares pull but the kit is told of no seeded stream; sends no progress at all.
    let cfg = config(dir.path(), "", "progress_every = 0");
    let report = conformance::run(&target(&cfg)).await;
    let text = report.to_text();
    println!("{text}");
    assert!(report.failures().is_empty(), "nothing failed: {text}");
    assert!(!report.passed(), "skipped required checks are not a pass: {text}");
    let cursor = report.case("cursor_resume").unwrap();
    assert_eq!((cursor.outcome, cursor.required), (Outcome::Skipped, true));
    let crash = report.case("crash_mid_batch").unwrap();
    assert_eq!((crash.outcome, crash.required), (Outcome::Skipped, true));
    assert!(crash.message.contains("没有发送任何 progress"), "{}", crash.message);
    assert!(text.contains("[跳过] cursor_resume（必检）: 未提供预置收件流"), "{text}");
    assert!(!text.contains("[通过] cursor_resume"), "{text}");
    assert!(report.verdict().starts_with("结论：未通过") && report.verdict().contains("2 项必检项目被跳过"), "{text}");

    // An adapter that does not pull: the same skip is "not applicable", not required.
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "", "pull = false");
    let report = conformance::run(&target(&cfg)).await;
    let cursor = report.case("cursor_resume").unwrap();
    assert_eq!((cursor.outcome, cursor.required), (Outcome::Skipped, false), "{}", cursor.message);
    assert!(report.skipped_required().is_empty(), "{}", report.to_text());
}

#[test]
fn the_verdict_counts_skips_by_whether_they_were_required() {
    let case = |name: &str, outcome, required| CaseResult {
        name: name.into(),
        outcome,
        required,
        message: format!("{name} 的说明"),
        evidence: vec![],
    };
    let mut report = ConformanceReport {
        cases: vec![case("handshake", Outcome::Passed, true), case("cursor_resume", Outcome::Skipped, false)],
        ..Default::default()
    };
    assert!(report.passed());
    assert_eq!(report.verdict(), "结论：通过——1 项通过，1 项不适用已跳过（cursor_resume）");
    report.cases[1].required = true;
    assert!(!report.passed());
    assert_eq!(report.verdict(), "结论：未通过——1 项必检项目被跳过（cursor_resume：cursor_resume 的说明）；1 项通过");
    assert!(report.to_text().contains("[跳过] cursor_resume（必检）: cursor_resume 的说明"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acking_a_key_never_sent_is_named_a_wrong_ack_with_what_was_sent() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "", "wrong_ack = true\ninbox_count = 25");
    let report = conformance::run_with(&target(&cfg), &with_inbox(25)).await;
    println!("{}", report.to_text());
    let case = report.case("push_reports_every_item").unwrap();
    assert_eq!(case.outcome, Outcome::Failed);
    assert!(case.message.contains("确认了未发送的键 never-sent-1"), "{}", case.message);
    assert!(!case.message.contains("非协议"), "{}", case.message);
    // The failure shows the items sent (key, kind, payload) and what came back.
    let sent = &case.evidence[0];
    assert!(sent.starts_with("发送：20 条") && sent.contains("kind=case.file "), "{sent}");
    assert!(sent.contains("payload={") && sent.contains("张三"), "{sent}");
    assert!(case.evidence[1].contains("返回：push_result 确认 20 条"), "{:?}", case.evidence);
    // stdout itself was clean: that case is not blamed.
    assert!(report.case("malformed_replies").unwrap().passed(), "{}", report.to_text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_liveness_timeout_from_the_toml_is_the_one_the_kit_uses() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        "liveness_timeout_ms = 700\nstartup_timeout_ms = 20000\nrun_timeout_ms = 120000",
        "hang_push = true",
    );
    let report = conformance::run(&target(&cfg)).await;
    let text = report.to_text();
    println!("{text}");
    let configured = report.timeouts.configured.expect("from the config");
    assert_eq!((configured.liveness_ms, configured.startup_ms, configured.run_ms), (700, 20_000, 120_000));
    assert_eq!(report.timeouts.liveness_ms, 700);
    assert_eq!(report.timeouts.slow_limit_ms, 700, "slow_replies never looser than the config");
    assert!(report.case("handshake").unwrap().passed());
    let push = report.case("push_reports_every_item").unwrap();
    assert_eq!(push.outcome, Outcome::Failed);
    assert!(push.message.contains("超过 700 毫秒无响应（存活超时）"), "{}", push.message);
    assert!(text.contains("存活 700 毫秒，启动 20000 毫秒，总时限 120000 毫秒"), "{text}");
    assert!(!text.contains("8000 毫秒"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_never_lets_the_kit_reach_a_non_loopback_address() {
    let dir = tempfile::tempdir().unwrap();
    let seen = dir.path().join("seen.json");
    let settings = format!(
        "seen_file = {:?}\n[settings.upstream]\nendpoint = \"http://192.0.2.1:9/submit\"",
        seen.to_string_lossy()
    );
    let cfg = config(dir.path(), "", &settings);
    let err = conformance::prepare(&cfg, Mode::Sandbox, |_| None).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, SandboxError::LiveEndpoint { ref setting, .. } if setting == "upstream.endpoint"), "{text}");
    assert!(text.contains("192.0.2.1") && text.contains("--live") && text.contains("约 729 条"), "{text}");
    assert!(!seen.exists(), "the adapter was never started");

    // A secret from the environment is checked too, and not shown.
    let mut secret_cfg = config(dir.path(), "", "");
    secret_cfg.secrets_from_env.insert("dsn".into(), "YC_TEST_DSN".into());
    let err = conformance::prepare(&secret_cfg, Mode::Sandbox, |_| Some("postgres://app:pw@198.51.100.7/db".into()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("198.51.100.7") && err.contains("YC_TEST_DSN") && !err.contains("pw@"), "{err}");

    // --live runs against the configured far side and says so.
    let live = conformance::prepare(&cfg, Mode::Live, |_| None).unwrap();
    assert!(live.describe().contains("真实端点（--live）") && live.describe().contains("http://192.0.2.1:9/submit"));

    // Loopback is a test double: the kit runs, says it is the sandbox, and the adapter got
    // exactly the loopback address.
    let local = format!(
        "seen_file = {:?}\n[settings.upstream]\nendpoint = \"http://127.0.0.1:9/submit\"",
        seen.to_string_lossy()
    );
    let cfg = config(dir.path(), "", &local);
    let prepared = conformance::prepare(&cfg, Mode::Sandbox, |_| None).unwrap();
    let mut report = conformance::run(&ProcessTarget::from_prepared(&prepared).unwrap()).await;
    report.mode = Some(prepared.describe());
    let text = report.to_text();
    assert!(
        text.starts_with("模式：沙箱（默认）") && text.contains("upstream.endpoint = http://127.0.0.1:9/submit"),
        "{text}"
    );
    assert!(text.contains("本次共推送 729 条合成测试条目"), "{text}");
    let got: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&seen).unwrap()).unwrap();
    assert_eq!(got["upstream"]["endpoint"], "http://127.0.0.1:9/submit");
}

#[test]
fn file_drop_in_the_sandbox_writes_to_a_local_recorder_directory() {
    let cfg = AdapterConfig::from_toml_str(
        "name = \"drop\"\nkind = \"file-drop\"\n[settings]\nworkstation_id = \"WS01\"\n\
         outbox_dir = \"/mnt/exchange/out\"\ninbox_dir = \"/mnt/exchange/in\"\nstate_dir = \"/var/yc/state\"\n\
         key_file = \"/var/yc/key.pk8\"\n",
    )
    .unwrap();
    let p = conformance::prepare(&cfg, Mode::Sandbox, |_| None).unwrap();
    let rec = p.recorder_dir.clone().expect("recorder");
    for key in ["outbox_dir", "inbox_dir", "state_dir"] {
        let dir = p.config.settings[key].as_str().unwrap();
        assert!(Path::new(dir).starts_with(&rec), "{key} = {dir}");
        assert_eq!(p.settings[key], p.config.settings[key]);
    }
    assert!(p.describe().contains("本地记录目录"), "{}", p.describe());
    let live = conformance::prepare(&cfg, Mode::Live, |_| None).unwrap();
    assert_eq!(live.settings["outbox_dir"], "/mnt/exchange/out");
    std::fs::remove_dir_all(rec).unwrap();
}
