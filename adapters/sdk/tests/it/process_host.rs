//! The host side of the JSON-lines protocol survives misbehaving adapters with readable errors.

use std::path::Path;
use std::time::Duration;

use yc_adapter_sdk::{Adapter, ErrorClass, OutItem, ProcessAdapter, ProcessSpec};

fn spec(mode: &str, extra: &[&str]) -> ProcessSpec {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fault_adapter.py");
    let mut argv = vec!["python3".to_string(), script.to_string_lossy().into_owned(), mode.into()];
    argv.extend(extra.iter().map(|s| s.to_string()));
    let mut s = ProcessSpec::new(argv);
    s.liveness_timeout_ms = 20_000;
    s
}

fn item(key: &str) -> OutItem {
    OutItem::new(
        key,
        "cases",
        Some("C1".into()),
        1,
        "case.filed",
        "2026-11-23T09:00:00+08:00",
        serde_json::json!({"k": key}),
    )
}

#[tokio::test]
async fn protocol_version_mismatch_is_a_readable_auth_error() {
    let mut a = ProcessAdapter::spawn("v2", &spec("version2", &[]), serde_json::json!({})).unwrap();
    let err = a.hello().await.unwrap_err();
    assert_eq!(err.class, ErrorClass::Auth);
    assert!(err.message.contains("协议版本不匹配：主机为 1，适配器为 2"), "{err}");
}

#[tokio::test]
async fn unknown_message_types_and_fields_are_ignored() {
    let mut a = ProcessAdapter::spawn("chatty", &spec("chatty", &[]), serde_json::json!({})).unwrap();
    let hs = a.hello().await.unwrap();
    assert_eq!(hs.name, "fault");
    let r = a.push(&[item("k1")]).await.unwrap();
    assert_eq!(r.acked, vec!["k1".to_string()]);
    assert!(a.protocol_violations().is_empty());
    a.shutdown().await.unwrap();
}

#[tokio::test]
async fn malformed_line_fails_the_request_keeps_the_line_and_host_carries_on() {
    let mut a = ProcessAdapter::spawn("m", &spec("malformed", &[]), serde_json::json!({})).unwrap();
    let err = a.hello().await.unwrap_err();
    assert_eq!(err.class, ErrorClass::Retryable);
    assert!(err.message.contains("标准输出上写了无法解析的行"), "{err}");
    assert!(err.detail.contains("Traceback (most recent call last): oops"), "{}", err.detail);
    assert_eq!(a.protocol_violations().len(), 1);
    // The stale hello reply that follows is ignored; the next request gets its own answer.
    let h = a.health().await.unwrap();
    assert_eq!(h.status, yc_adapter_sdk::HealthStatus::Ok);
}

// Start-up (Python under a loaded machine) gets the generous default; the tight limits under
// test apply once the adapter is up.

#[tokio::test]
async fn progress_messages_keep_a_long_request_alive_past_the_liveness_timeout() {
    let mut a = ProcessAdapter::spawn("p", &spec("progress", &[]), serde_json::json!({})).unwrap();
    a.hello().await.unwrap();
    // The push takes ~3.6 s, more than twice the limit, but a progress line comes every 0.3 s.
    a.set_liveness_timeout(Duration::from_millis(1_500));
    let r = a.push(&[item("k1")]).await.unwrap();
    assert_eq!(r.acked.len(), 1);
}

#[tokio::test]
async fn whole_run_timeout_is_separate_from_liveness() {
    let mut s = spec("progress", &[]);
    s.run_timeout_ms = 3_000;
    let mut a = ProcessAdapter::spawn("p", &s, serde_json::json!({})).unwrap();
    a.hello().await.unwrap();
    a.set_liveness_timeout(Duration::from_millis(1_500));
    // Progress keeps liveness satisfied; the session limit still ends the ~3.6 s push.
    let err = a.push(&[item("k1")]).await.unwrap_err();
    assert_eq!(err.class, ErrorClass::Retryable);
    assert!(err.message.contains("超过总时限 3 秒"), "{err}");
}

#[tokio::test]
async fn silent_adapter_trips_the_liveness_timeout_and_is_killed() {
    let mut a = ProcessAdapter::spawn("s", &spec("silent", &[]), serde_json::json!({})).unwrap();
    a.hello().await.unwrap();
    a.set_liveness_timeout(Duration::from_millis(400));
    let err = a.push(&[item("k1")]).await.unwrap_err();
    assert_eq!(err.class, ErrorClass::Retryable);
    assert!(err.message.contains("400 毫秒无响应（存活超时）"), "{err}");
    let again = a.health().await.unwrap_err();
    assert!(again.message.contains("已被终止"), "{again}");
}

#[tokio::test]
async fn crash_mid_request_is_retryable_with_exit_status_and_stderr() {
    let mut a = ProcessAdapter::spawn("c", &spec("crash", &[]), serde_json::json!({})).unwrap();
    a.hello().await.unwrap();
    let err = a.push(&[item("k1")]).await.unwrap_err();
    assert_eq!(err.class, ErrorClass::Retryable);
    assert!(err.message.contains("意外退出"), "{err}");
    assert!(err.detail.contains("boom: 数据库连接断开"), "{}", err.detail);
    assert!(err.detail.contains('3'), "{}", err.detail);
}

#[tokio::test]
async fn missing_program_is_an_auth_error_naming_it() {
    let s = ProcessSpec::new(vec!["/nonexistent/yc-adapter".into()]);
    let err = ProcessAdapter::spawn("x", &s, serde_json::json!({})).err().unwrap();
    assert_eq!(err.class, ErrorClass::Auth);
    assert!(err.message.contains("/nonexistent/yc-adapter"), "{err}");
}

#[tokio::test]
async fn dropping_the_host_handle_kills_the_child() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    let pid_arg = pidfile.to_string_lossy().into_owned();
    let mut a = ProcessAdapter::spawn("d", &spec("pidfile", &[&pid_arg]), serde_json::json!({})).unwrap();
    a.hello().await.unwrap();
    let pid = std::fs::read_to_string(&pidfile).unwrap();
    let proc_dir = Path::new("/proc").join(pid.trim());
    assert!(proc_dir.exists());
    drop(a);
    // The reaper kills and reaps the child; poll with a deadline (not a fixed sleep).
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while proc_dir.exists() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!proc_dir.exists(), "child {pid} still alive after drop");
}
