//! 10 000 outbox items through each built-in adapter while the far side fails at random (and
//! answers with 30 ms latency, so a pass lasts long enough to be cut) and the syncing `yc`
//! process is SIGKILLed at random moments until 22 kills landed mid-run. Afterwards the far side holds
//! every item exactly once, in per-case order, and the local store has lost nothing.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use yc_system_tests::{http_get, start_sim as start, yc};

/// A simulator that fails at random (seeded, so a failing run replays) and answers slowly enough
/// for a kill to land mid-pass.
fn start_sim(kind: &str) -> yc_system_tests::Sim {
    start(
        kind,
        &[
            "--seed",
            "7",
            "--latency-ms",
            "30",
            "--fail-rate",
            "0.12",
            "--drop-rate",
            "0.06",
            "--dup-ack-rate",
            "0.08",
            "--malformed-rate",
            "0.06",
        ],
    )
}

/// A demo workstation with about 10 000 case events in its outbox.
fn workstation() -> (tempfile::TempDir, usize) {
    let (dir, n) = yc_system_tests::demo_workstation(2800);
    assert!(n >= 10_000, "only {n} outbox items");
    (dir, n)
}

fn register(data: &Path, config: &serde_json::Value) {
    let f = data.join("adapter.json");
    std::fs::write(&f, config.to_string()).unwrap();
    let o = yc(data).args(["adapter", "add", f.to_str().unwrap(), "--backfill"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn sync_cmd(data: &Path, name: &str) -> Command {
    let mut c = yc(data);
    // A demo syncs without a login: no password hashing before the push a kill must hit.
    c.args(["sync", "--once", "--adapter", name, "--batch", "50", "--backoff-ms", "5"])
        .env_remove("YC_PASSWORD")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// Runs sync and SIGKILLs it at pseudo-random moments until 22 kills landed mid-run (a pass
/// that finished before its kill does not count), then lets it finish.
fn kill_and_finish(data: &Path, name: &str) -> usize {
    let mut seed: u64 = 0xC0FF_EE00 ^ name.len() as u64;
    let mut kills = 0;
    for _ in 0..80 {
        if kills >= 22 {
            break;
        }
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let wait = Duration::from_millis(20 + (seed >> 33) % 280);
        let mut child = sync_cmd(data, name).spawn().unwrap();
        std::thread::sleep(wait);
        if child.try_wait().unwrap().is_none() {
            kills += 1;
        }
        child.kill().ok();
        child.wait().unwrap();
    }
    // Then let it run to the end: each pass is bounded, so loop until nothing is left.
    let c = yc_system_tests::db(data);
    for _ in 0..200 {
        let open: i64 = c
            .query_row(
                "SELECT count(*) FROM outbox_delivery WHERE adapter = ?1 AND state NOT IN ('acked')",
                [name],
                |r| r.get(0),
            )
            .unwrap();
        if open == 0 {
            return kills;
        }
        std::thread::sleep(Duration::from_millis(10)); // let the 5 ms backoff of failed items pass
        // Exit 2 = ended degraded (the injected faults); anything else is a failure.
        let code = sync_cmd(data, name).status().unwrap().code();
        assert!(matches!(code, Some(0 | 2)), "{name}: yc sync exited {code:?}");
    }
    panic!("{name}: items still unacknowledged after 200 passes");
}

fn assert_local_complete(data: &Path, name: &str, total: usize) {
    let c = yc_system_tests::db(data);
    let outbox: i64 = c.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0)).unwrap();
    let acked: i64 = c
        .query_row("SELECT count(*) FROM outbox_delivery WHERE adapter = ?1 AND state = 'acked'", [name], |r| r.get(0))
        .unwrap();
    assert_eq!(usize::try_from(outbox).unwrap(), total, "nothing local was lost");
    assert_eq!(usize::try_from(acked).unwrap(), total);
    let v = yc(data).args(["journal", "verify"]).output().unwrap();
    assert!(v.status.success());
}

fn assert_far_complete(stats: &serde_json::Value, total: usize, kind: &str) {
    assert_eq!(stats["stored"].as_u64().unwrap() as usize, total, "{kind}: far side holds each item once: {stats}");
    assert_eq!(stats["order_violations"], 0, "{kind}: per-case order: {stats}");
    assert_eq!(stats["conflicts"], 0, "{kind}: {stats}");
    assert_eq!(stats["hash_mismatches"], 0, "{kind}: {stats}");
    let faults = &stats["faults"];
    let injected: u64 =
        ["failed", "dropped", "dup_acked", "malformed"].iter().map(|k| faults[k].as_u64().unwrap()).sum();
    assert!(injected >= 3, "{kind}: faults were injected: {stats}");
}

#[test]
fn city_extranet_delivers_10k_items_exactly_once_through_faults_and_kills() {
    let (dir, total) = workstation();
    let sim = start_sim("city");
    register(
        dir.path(),
        &serde_json::json!({
            "name": "city", "kind": "city-extranet",
            "settings": { "base_url": format!("http://{}", sim.addr), "source": "440399-W01", "request_timeout_ms": 3000, "batch_size": 50 }
        }),
    );
    let kills = kill_and_finish(dir.path(), "city");
    assert!(kills >= 20, "only {kills} kills landed mid-run");
    assert_local_complete(dir.path(), "city", total);
    assert_far_complete(&http_get(&sim.addr, "/_sim/stats"), total, "city");
}

#[test]
fn vertical_xml_delivers_10k_items_exactly_once_through_faults_and_kills() {
    let (dir, total) = workstation();
    let sim = start_sim("dept");
    register(
        dir.path(),
        &serde_json::json!({
            "name": "dept", "kind": "vertical-xml",
            "settings": { "endpoint": format!("http://{}/ws/exchange", sim.addr), "source": "440399-W01", "request_timeout_ms": 3000 }
        }),
    );
    let kills = kill_and_finish(dir.path(), "dept");
    assert!(kills >= 20, "only {kills} kills landed mid-run");
    assert_local_complete(dir.path(), "dept", total);
    assert_far_complete(&http_get(&sim.addr, "/_sim/stats"), total, "dept");
}

#[test]
fn file_drop_delivers_10k_items_exactly_once_through_kills() {
    let (dir, total) = workstation();
    let d = dir.path();
    let key = d.join("ws.key");
    yc_adapters::file_drop::generate_key(&key).unwrap();
    let public = yc_adapters::file_drop::public_key_b64(&key).unwrap();
    for sub in ["out", "in", "state"] {
        std::fs::create_dir_all(d.join(sub)).unwrap();
    }
    register(
        d,
        &serde_json::json!({
            "name": "usb", "kind": "file-drop",
            "settings": { "workstation_id": "440399_W01", "outbox_dir": d.join("out"), "inbox_dir": d.join("in"),
                          "key_file": key, "state_dir": d.join("state"), "max_items_per_packet": 50 }
        }),
    );
    kill_and_finish(d, "usb");
    assert_local_complete(d, "usb", total);
    // The receiving side: verify every packet, dedupe on the key, check per-case order.
    let trusted = std::iter::once(("440399_W01".to_owned(), base64_decode(&public))).collect();
    let mut packets: Vec<_> = std::fs::read_dir(d.join("out"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir() && e.file_name().to_string_lossy().starts_with("yc-"))
        .map(|e| yc_adapters::file_drop::verify_packet(&e.path(), &trusted).expect("every packet verifies"))
        .collect();
    packets.sort_by_key(|p| p.sequence);
    let mut seen = std::collections::HashSet::new();
    let mut last: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for p in &packets {
        for it in &p.items {
            if seen.insert(it.key.clone())
                && let Some(c) = &it.case_no
            {
                let prev = last.insert(c.clone(), it.seq).unwrap_or(0);
                assert!(it.seq > prev, "case {c}: seq {} after {prev}", it.seq);
            }
        }
    }
    assert_eq!(seen.len(), total);
}

fn base64_decode(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = A.iter().position(|&x| x == c).expect("base64") as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}
