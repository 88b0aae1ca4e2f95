//! What the CLI tests share: run `yc` as a script would.

#![allow(dead_code)] // each test file uses its own part

use std::path::Path;
use std::process::{Command, Output};

/// `yc --data <data> <args>` without the caller's environment choosing the actor or the day; every
/// account of these tests has the demo password, given the way scripts give it.
pub fn yc(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yc"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("YC_USER")
        .env_remove("YC_TODAY")
        .env("YC_PASSWORD", yc_core::demo::DEMO_PASSWORD)
        .output()
        .expect("yc runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).trim().to_owned()
}

/// `yc`'s `--json` output on stdout, parsed (the test fails naming stderr when it is not JSON).
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("JSON on stdout: {} / {}", stdout(o), stderr(o)))
}

/// Runs `yc` and fails the test with its stderr unless it succeeded.
pub fn yc_ok(data: &Path, args: &[&str]) -> Output {
    let o = yc(data, args);
    assert!(o.status.success(), "yc {args:?}: {}", stderr(&o));
    o
}
