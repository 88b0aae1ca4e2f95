//! `yc doc export` hands out a stored document only if it still is the one the record sealed.

use std::path::Path;
use std::process::{Command, Output};

fn yc(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yc"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("YC_USER")
        .env_remove("YC_TODAY")
        .output()
        .expect("yc runs")
}

#[test]
fn a_replaced_document_file_is_refused_not_exported_as_genuine() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = yc(d, &["--today", "2026-11-20", "demo", "--cases", "20"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = yc(d, &["--json", "case", "list", "--state", "completed", "--limit", "1"]);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let no = list[0]["case_no"].as_str().expect("a completed demo case").to_owned();
    let o = yc(d, &["--json", "doc", "list", &no]);
    let docs: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(docs[0]["path"].is_string(), "a sealed document: {docs}");

    // Genuine: exported byte for byte.
    let out = d.join("genuine.pdf");
    let o = yc(d, &["doc", "export", &no, "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // Someone with file access swaps every stored PDF of the case for another valid-looking one.
    let other = std::fs::read(&out).unwrap();
    for doc in docs.as_array().unwrap() {
        let p = doc["path"].as_str().unwrap();
        let mut forged = other.clone();
        forged.extend_from_slice(b"\n% replaced\n");
        std::fs::write(p, forged).unwrap();
    }
    let dest = d.join("forged.pdf");
    let o = yc(d, &["--json", "doc", "export", &no, "--out", dest.to_str().unwrap()]);
    assert!(!o.status.success());
    let err: serde_json::Value = serde_json::from_slice(&o.stderr).unwrap();
    assert_eq!(err["error"]["kind"], "Tampered");
    let msg = err["error"]["message"].as_str().unwrap();
    assert!(msg.contains(&no) && msg.contains("可能已被替换"), "{msg}");
    assert!(!dest.exists(), "nothing written");
}
