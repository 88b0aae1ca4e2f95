//! PAdES levels end to end (issue 14) with the real `yc` and `yc-sim city` on loopback: the
//! administrator takes the city TSA's root into the trust bundle (fingerprint typed), a document
//! sealed online is B-LT at once; with the TSA down it is sealed B-B at once, a sync killed while
//! waiting for the TSA leaves it B-B and VALID, the next sync stamps it (`yc verify` shows the
//! document timestamp), and a second sync stamps nothing. pyHanko, given only the exported roots,
//! reports the level of both.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use yc_system_tests::{repo_root, start_sim, yc};

const AUTHORITY_PIN: &str = "yc123456";
const SEAL_PIN: &str = "246810";

fn ok(o: &Output, what: &str) -> String {
    assert!(
        o.status.success(),
        "{what}: {}\n{}",
        String::from_utf8_lossy(&o.stderr),
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output, what: &str) -> serde_json::Value {
    let text = ok(o, what);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: {e}: {text}"))
}

/// `POST /_sim/tsa`: the simulated TSA down, slow or up again.
fn switch_tsa(addr: &str, down: bool, delay_ms: u64) {
    let body = serde_json::json!({ "down": down, "delay_ms": delay_ms }).to_string();
    let mut s = TcpStream::connect(addr).expect("simulator reachable");
    write!(
        s,
        "POST /_sim/tsa HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 204"), "{reply}");
}

/// The document's level as `yc doc list` shows it, checked against the store's row.
fn level(data: &Path, doc_id: &str) -> String {
    let stored: String = yc_system_tests::db(data)
        .query_row("SELECT pades_level FROM documents WHERE doc_id = ?1", [doc_id], |r| r.get(0))
        .expect("document row");
    let case_no: String = yc_system_tests::db(data)
        .query_row("SELECT case_no FROM documents WHERE doc_id = ?1", [doc_id], |r| r.get(0))
        .expect("document row");
    let list = json(&yc(data).args(["--json", "doc", "list", &case_no]).output().unwrap(), "doc list");
    let row = list.as_array().unwrap().iter().find(|d| d["doc_id"] == doc_id).expect("listed");
    assert_eq!(row["level"], stored.as_str(), "{row}");
    stored
}

/// The document's current file, as `yc doc list` names it.
fn doc_path(data: &Path, case_no: &str, doc_id: &str) -> PathBuf {
    let list = json(&yc(data).args(["--json", "doc", "list", case_no]).output().unwrap(), "doc list");
    let row = list.as_array().unwrap().iter().find(|d| d["doc_id"] == doc_id).expect("listed");
    PathBuf::from(row["path"].as_str().unwrap())
}

fn seal_receipt(data: &Path, case_no: &str) -> serde_json::Value {
    let o = yc(data)
        .args(["--json", "--as", "zhaomin", "doc", "seal", case_no, "--type", "receipt", "--pin", SEAL_PIN])
        .output()
        .unwrap();
    json(&o, "doc seal")
}

fn sync(data: &Path) -> serde_json::Value {
    let o = yc(data).args(["--json", "sync", "--once", "--adapter", "city"]).output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    let reports: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}\n{}", String::from_utf8_lossy(&o.stderr)));
    reports[0].clone()
}

#[test]
fn sealed_online_is_b_lt_offline_b_b_until_the_sync_stamps_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let o =
        yc(data).args(["--today", "2026-11-20", "demo", "--cases", "6", "--no-adapters", "--plain"]).output().unwrap();
    ok(&o, "demo");
    let sim = start_sim("city", &[]);
    let cfg = data.join("city.json");
    let settings = serde_json::json!({ "base_url": format!("http://{}", sim.addr), "source": "440305-W01" });
    std::fs::write(
        &cfg,
        serde_json::json!({"name": "city", "kind": "city-extranet", "settings": settings}).to_string(),
    )
    .unwrap();
    ok(&yc(data).args(["adapter", "add"]).arg(&cfg).output().unwrap(), "adapter add");

    // The TSA root, fetched through the city adapter: not trusted until its fingerprint is typed.
    let o = yc(data).args(["seal", "trust", "tsa", "--adapter", "city"]).output().unwrap();
    assert!(!o.status.success());
    let told = String::from_utf8_lossy(&o.stderr).into_owned();
    let fp = told
        .split_whitespace()
        .find(|w| w.len() == 95 && w.split(':').count() == 32)
        .unwrap_or_else(|| panic!("no fingerprint shown: {told}"))
        .to_owned();
    let o = yc(data)
        .args(["seal", "trust", "tsa", "--adapter", "city", "--fingerprint", &fp, "--authority-pin", AUTHORITY_PIN])
        .output()
        .unwrap();
    assert!(ok(&o, "trust tsa").contains("列入信任包"));

    let case_no: String = yc_system_tests::db(data)
        .query_row("SELECT case_no FROM cases WHERE state <> 'appointed' ORDER BY case_no LIMIT 1", [], |r| r.get(0))
        .unwrap();

    // Online: B-LT at once.
    let online = seal_receipt(data, &case_no);
    assert_eq!(online["pades_level"], "B-LT", "{online}");
    let online_id = online["doc_id"].as_str().unwrap().to_owned();

    // The TSA down: sealed all the same, at once, B-B.
    switch_tsa(&sim.addr, true, 0);
    let started = Instant::now();
    let offline = seal_receipt(data, &case_no);
    assert!(started.elapsed() < Duration::from_secs(3), "the clerk waited {:?}", started.elapsed());
    assert_eq!(offline["pades_level"], "B-B", "{offline}");
    let offline_id = offline["doc_id"].as_str().unwrap().to_owned();
    let bb_path = doc_path(data, &case_no, &offline_id);
    let bb = std::fs::read(&bb_path).unwrap();

    // A sync killed while it waits for a slow TSA leaves the document B-B and VALID.
    switch_tsa(&sim.addr, false, 4000);
    let mut child = yc(data)
        .args(["sync", "--once", "--adapter", "city"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(child.try_wait().unwrap().is_none(), "the sync should still be waiting for the TSA");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(level(data, &offline_id), "B-B");
    assert_eq!(doc_path(data, &case_no, &offline_id), bb_path);
    assert_eq!(std::fs::read(&bb_path).unwrap(), bb);
    ok(&yc(data).arg("verify").arg(&bb_path).output().unwrap(), "verify after the kill");

    // The TSA back: the next sync stamps it; yc verify shows the proven time.
    switch_tsa(&sim.addr, false, 0);
    let rep = sync(data);
    assert!(rep["stamped"].as_u64().unwrap() >= 1, "{rep}");
    assert_eq!(rep["stamp_errors"], serde_json::json!([]), "{rep}");
    assert_eq!(level(data, &offline_id), "B-LT");
    let stamped = doc_path(data, &case_no, &offline_id);
    assert_ne!(stamped, bb_path);
    assert!(std::fs::read(&stamped).unwrap().starts_with(&bb), "one incremental update after the sealed bytes");
    let shown = ok(&yc(data).arg("verify").arg(&stamped).output().unwrap(), "verify stamped");
    assert!(shown.contains("文档时间戳有效"), "{shown}");

    // A second sync stamps nothing.
    let again = sync(data);
    assert_eq!(again["stamped"], 0, "{again}");

    // pyHanko, trusting only the exported seal root and TSA root, reports the levels.
    let trust = data.join("trust");
    ok(&yc(data).args(["seal", "trust", "export", "--out"]).arg(&trust).output().unwrap(), "trust export");
    if std::process::Command::new("python3").args(["-c", "import pyhanko.sign"]).status().is_ok_and(|s| s.success()) {
        let pem_in = |d: &Path| -> Vec<PathBuf> {
            std::fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "pem"))
                .collect()
        };
        let mut roots = pem_in(&trust);
        roots.extend(pem_in(&trust.join(yc_seal_tsa_dir())));
        assert_eq!(roots.len(), 2, "{roots:?}");
        for id in [&online_id, &offline_id] {
            let o = std::process::Command::new("python3")
                .arg(repo_root().join("seal/tests/pyhanko/validate.py"))
                .args(&roots)
                .arg(doc_path(data, &case_no, id))
                .output()
                .unwrap();
            let v: serde_json::Value = serde_json::from_slice(&o.stdout)
                .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
            assert_eq!(v["pades_level"], "B-LT", "{id}: {v}");
        }
    } else {
        eprintln!("pyHanko not installed (scripts/deps.sh test): level check by pyHanko skipped");
    }
}

/// Where `yc seal trust export` puts the TSA roots (yc_seal::TSA_DIR).
fn yc_seal_tsa_dir() -> &'static str {
    "tsa"
}
