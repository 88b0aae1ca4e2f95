//! The `yc-sim` binary starts on an ephemeral port, serves, and refuses nonsense flags.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn city_simulator_binary_serves_health_and_stats_on_the_port_it_prints() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yc-sim"))
        .args(["city", "--port", "0", "--seed", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().to_string();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (health, stats) = rt.block_on(async {
        let h = reqwest::get(format!("http://{addr}/api/v1/health")).await.unwrap();
        let s: serde_json::Value =
            reqwest::get(format!("http://{addr}/_sim/stats")).await.unwrap().json().await.unwrap();
        (h.status(), s)
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(health.is_success());
    assert_eq!(stats["stored"], 0);
}

#[test]
fn out_of_range_fault_rate_is_refused_with_a_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_yc-sim")).args(["dept", "--fail-rate", "1.5"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--fail-rate 应在 0 到 1 之间"));
}
