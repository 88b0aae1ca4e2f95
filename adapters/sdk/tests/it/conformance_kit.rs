//! The conformance kit against the Python examples: the good one passes every case, the broken
//! one fails the cases it breaks, each with a readable message.

use std::path::{Path, PathBuf};

use yc_adapter_sdk::ProcessSpec;
use yc_adapter_sdk::conformance::{self, ProcessTarget};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/python")
}

fn seeded_target(script: &str, dir: &Path) -> ProcessTarget {
    let state = dir.join("far.json");
    let inbox: Vec<serde_json::Value> = (1..=25)
        .map(|n| {
            serde_json::json!({"key": format!("app-{n}"), "stream": "applications.online",
                "kind": "application.online", "payload": {"事项": "个体工商户设立登记", "n": n}})
        })
        .collect();
    let seed = serde_json::json!({"received": [], "index": {}, "inbox": {"applications.online": inbox}});
    std::fs::write(&state, seed.to_string()).unwrap();
    let spec = ProcessSpec::new(vec!["python3".into(), examples().join(script).to_string_lossy().into_owned()]);
    let mut target = ProcessTarget::new(spec, serde_json::json!({"state_file": state, "token": "s3cret"}));
    let probe = state.clone();
    target.far_count = Some(Box::new(move |key: &str| {
        let text = std::fs::read_to_string(&probe).ok()?;
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        let received = v.get("received")?.as_array()?;
        Some(received.iter().filter(|i| i.get("key").and_then(|k| k.as_str()) == Some(key)).count())
    }));
    target.inbox = Some(("applications.online".into(), 25));
    target
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_example_adapter_passes_every_conformance_case() {
    let dir = tempfile::tempdir().unwrap();
    let target = seeded_target("example_adapter.py", dir.path());
    let report = conformance::run(&target).await;
    println!("{}", report.to_text());
    assert!(report.passed(), "{}", report.to_text());
    assert_eq!(report.cases.len(), 10);
    assert!(report.case("handshake").unwrap().message.contains("token"), "secret setting listed");
    // The example runs no TSA and says so: its timestamp case is skipped, not required.
    let ts = report.case("timestamp").unwrap();
    assert!(ts.skipped() && !ts.required, "{}", ts.message);
    assert!(
        report.cases.iter().filter(|c| c.name != "timestamp").all(|c| c.passed()),
        "nothing else skipped: {}",
        report.to_text()
    );
    // Killed on its first progress (item 100): it writes the far side once per batch, so nothing
    // of the batch was there yet, and the re-push after the restart stored each item once.
    let crash = report.crash.expect("killed inside the batch");
    assert_eq!(crash.far_held_at_kill, Some(0), "{}", report.to_text());
    assert!(crash.progress_seen >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_adapter_fails_with_readable_messages() {
    let dir = tempfile::tempdir().unwrap();
    let target = seeded_target("broken_adapter.py", dir.path());
    let report = conformance::run(&target).await;
    println!("{}", report.to_text());
    assert!(!report.passed());
    let failed = |name: &str| {
        let c = report.case(name).unwrap_or_else(|| panic!("case {name} missing"));
        assert!(c.failed(), "{name} should fail: {}", c.message);
        c.message.clone()
    };
    assert!(failed("idempotent_repush").contains("对端保存了 2 份"));
    assert!(failed("same_key_different_payload_is_permanent").contains("被确认了"));
    assert!(failed("cursor_resume").contains("共拉到 0 条"));
    assert!(failed("slow_replies").contains("存活超时"));
    assert!(failed("malformed_replies").contains("health checked"));
    // What it does right is still recognised.
    assert!(report.case("handshake").unwrap().passed());
    assert!(report.case("shutdown").unwrap().passed());
    // It sends no progress, so the kit cannot crash it inside a batch: skipped, and said so.
    let crash = report.case("crash_mid_batch").unwrap();
    assert!(crash.skipped() && crash.required, "{}", crash.message);
    assert!(report.to_text().contains("[跳过] crash_mid_batch（必检）"), "{}", report.to_text());
}
