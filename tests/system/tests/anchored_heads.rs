//! Anchored journal heads as IT staff and an insider meet them (issue 12 part 2): `yc sync` shows
//! the city platform simulator the journal head and keeps its signed receipt; `yc journal verify`
//! checks the journal against the receipts; an insider who rewrites an early event and
//! recomputes the chain is named by `journal verify`, and, after also deleting the receipts, is
//! refused by the platform at the next `yc sync` as a fork.

use std::path::Path;

use rusqlite::params;
use yc_core::journal::{GENESIS, chain_hash};
use yc_system_tests::{db, demo_workstation, http_get, start_sim, yc};

fn run(data: &Path, args: &[&str]) -> (bool, String, String) {
    let o = yc(data).args(args).output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn receipts(data: &Path) -> Vec<(i64, String)> {
    db(data)
        .prepare("SELECT seq, far_side FROM journal_anchors ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn head(data: &Path) -> i64 {
    db(data).query_row("SELECT MAX(seq) FROM journal", [], |r| r.get(0)).unwrap()
}

/// The insider's rewrite: event `seq` gets another actor and every later hash is recomputed with
/// the published formula, so the chain alone verifies.
fn rewrite_and_rechain(data: &Path, seq: i64) {
    let c = db(data);
    c.execute_batch("DROP TRIGGER journal_is_append_only_u; DROP TRIGGER journal_is_append_only_d;").unwrap();
    c.execute("UPDATE journal SET actor = 'mallory' WHERE seq = ?1", [seq]).unwrap();
    let mut prev: Vec<u8> = if seq == 1 {
        GENESIS.to_vec()
    } else {
        c.query_row("SELECT hash FROM journal WHERE seq = ?1", [seq - 1], |r| r.get(0)).unwrap()
    };
    type Row = (i64, String, Option<String>, String, String, String, String, String, Option<String>);
    let rows: Vec<Row> = c
        .prepare("SELECT seq, id, case_no, actor, role, action, at, payload, reason FROM journal WHERE seq >= ?1 ORDER BY seq")
        .unwrap()
        .query_map([seq], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for (s, id, case_no, actor, role, action, at, payload, reason) in rows {
        let h = chain_hash(s, &id, case_no.as_deref(), &actor, &role, &action, &at, &payload, reason.as_deref(), &prev);
        c.execute("UPDATE journal SET prev_hash = ?2, hash = ?3 WHERE seq = ?1", params![s, prev, h]).unwrap();
        prev = h;
    }
    c.execute("UPDATE journal_head SET hash = ?1", [prev]).unwrap();
}

#[test]
fn sync_anchors_the_head_and_a_rechained_rewrite_is_named_locally_and_refused_as_a_fork() {
    let (dir, _) = demo_workstation(30);
    let data = dir.path();
    let state = data.join("city-sim.json");
    let sim = start_sim("city", &["--state-file", state.to_str().unwrap()]);
    let cfg = data.join("city.json");
    std::fs::write(
        &cfg,
        serde_json::json!({
            "name": "city", "kind": "city-extranet",
            "settings": { "base_url": format!("http://{}", sim.addr), "source": "440399-W01" }
        })
        .to_string(),
    )
    .unwrap();
    yc_system_tests::add_adapter(data, &cfg);

    // Without a login a demo syncs but cannot sign a head, and says so.
    let o = yc(data).args(["sync", "--once", "--adapter", "city"]).env_remove("YC_PASSWORD").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("日志头未锚定"), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(receipts(data).is_empty());

    // Logged in (YC_PASSWORD, as a timer gives it): the head is anchored; the first receipt pins
    // the platform's key with a journal event, which the same pass anchors too.
    let (ok, out, err) = run(data, &["sync", "--once", "--adapter", "city"]);
    assert!(ok, "{out}{err}");
    let h = head(data);
    assert!(out.contains(&format!("日志头已由对端签收至第 {h} 号")), "{out}");
    let got = receipts(data);
    assert_eq!(got.last().map(|r| r.0), Some(h), "{got:?}");
    assert!(got.iter().all(|r| r.1 == "city-platform-sim"));
    let pins: i64 =
        db(data).query_row("SELECT count(*) FROM journal WHERE action = 'sync.anchor_key'", [], |r| r.get(0)).unwrap();
    assert_eq!(pins, 1);
    let stats = http_get(&sim.addr, "/_sim/stats");
    assert_eq!(stats["heads_signed"].as_u64(), Some(got.len() as u64), "{stats}");
    assert_eq!(stats["forks"].as_u64(), Some(0));

    let (ok, out, err) = run(data, &["journal", "verify"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains(&format!("city-platform-sim 已签收至第 {h} 号")), "{out}");

    // Nothing new: the next pass sends no head.
    let before = http_get(&sim.addr, "/_sim/stats")["heads_received"].as_u64().unwrap();
    let (ok, out, _) = run(data, &["sync", "--once", "--adapter", "city"]);
    assert!(ok && !out.contains("签收至"), "{out}");
    assert_eq!(http_get(&sim.addr, "/_sim/stats")["heads_received"].as_u64().unwrap(), before);

    // The insider rewrites who filed an early case and re-chains: the chain verifies, the
    // receipts do not.
    let target: i64 =
        db(data).query_row("SELECT MIN(seq) FROM journal WHERE case_no IS NOT NULL", [], |r| r.get(0)).unwrap();
    rewrite_and_rechain(data, target);
    let (ok, out, err) = run(data, &["journal", "verify"]);
    assert!(!ok, "a rewrite under a receipt must fail: {out}");
    assert!(err.contains("签收的不符") && err.contains("被改写"), "{err}");
    let first_receipt = got.iter().map(|r| r.0).find(|s| *s >= target).unwrap();
    assert!(err.contains(&format!("第 {first_receipt} 号事件的哈希")), "names the first receipted event: {err}");

    // … and also deletes the receipts: locally nothing is left to compare with, but the platform
    // remembers, and the next sync is refused as a fork that needs an administrator.
    db(data).execute("DELETE FROM journal_anchors", []).unwrap();
    let o = yc(data).args(["sync", "--once", "--adapter", "city"]).output().unwrap();
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.status.code(), Some(3), "a fork needs an administrator: {out}{err}");
    assert!(format!("{out}{err}").contains("日志分叉"), "{out}{err}");
    let stats = http_get(&sim.addr, "/_sim/stats");
    assert_eq!(stats["forks"].as_u64(), Some(1), "{stats}");
    assert!(receipts(data).is_empty(), "no receipt for a forked history");

    // The platform's memory survives its restart (state file), and so does its key.
    drop(sim);
    let sim = start_sim("city", &["--state-file", state.to_str().unwrap()]);
    let c = db(data);
    c.execute(
        "UPDATE adapters SET config = json_set(config, '$.settings.base_url', ?1) WHERE name = 'city'",
        [format!("http://{}", sim.addr)],
    )
    .unwrap();
    drop(c);
    let o = yc(data).args(["sync", "--once", "--adapter", "city"]).output().unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(http_get(&sim.addr, "/_sim/stats")["forks"].as_u64(), Some(1));
}

/// A workstation whose only far side is reached by carried files (file-drop, docs/adapter-protocol
/// §6.4): `yc sync` leaves the head on the stick and says it waits; the county front-end
/// (`yc-sim witness-files`, the city platform's memory) answers; the next `yc sync` keeps the
/// receipt and `journal verify` checks against it. A rewrite re-chained by an insider is answered
/// with a fork, and `yc sync` stops for an administrator.
#[test]
fn heads_carried_as_files_come_back_signed_and_a_rewrite_comes_back_as_a_fork() {
    let (dir, _) = demo_workstation(12);
    let data = dir.path();
    let key = data.join("ws.key");
    yc_adapters::file_drop::generate_key(&key).unwrap();
    let stick = data.join("usb");
    let cfg = data.join("usb.json");
    std::fs::write(
        &cfg,
        serde_json::json!({
            "name": "usb", "kind": "file-drop",
            "settings": { "workstation_id": "440399_W01", "outbox_dir": stick.join("out"), "inbox_dir": stick.join("in"),
                          "key_file": key, "state_dir": data.join("usb-state") }
        })
        .to_string(),
    )
    .unwrap();
    yc_system_tests::add_adapter(data, &cfg);
    let state = data.join("county-city-sim.json");
    let witness = |expect_signed: u64, expect_refused: u64| {
        let o = std::process::Command::new(yc_system_tests::bin("yc-sim"))
            .args(["witness-files", "--heads"])
            .arg(stick.join("out/heads"))
            .arg("--answers")
            .arg(stick.join("in/heads"))
            .arg("--state-file")
            .arg(&state)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let run: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(run["signed"].as_u64(), Some(expect_signed), "{run}");
        assert_eq!(run["refused"].as_u64(), Some(expect_refused), "{run}");
    };

    let (ok, out, err) = run(data, &["sync", "--once", "--adapter", "usb"]);
    assert!(ok, "{out}{err}");
    let h = head(data);
    assert!(out.contains(&format!("第 {h} 号日志头已写入交换目录")) && out.contains("待对端回执"), "{out}");
    assert!(receipts(data).is_empty(), "nothing is signed before the stick comes back");
    let (ok, out, _) = run(data, &["journal", "verify"]);
    assert!(ok && !out.contains("已签收至"), "{out}");

    // The stick goes to the county and back.
    witness(1, 0);
    let (ok, out, err) = run(data, &["sync", "--once", "--adapter", "usb"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains(&format!("日志头已由对端签收至第 {h} 号")), "{out}");
    let got = receipts(data);
    assert_eq!(got.first(), Some(&(h, "city-platform-sim".to_owned())), "{got:?}");
    // The receipt pinned the platform's key with a journal event: a new head, left for next time.
    let h2 = head(data);
    assert!(h2 > h && out.contains(&format!("第 {h2} 号日志头已写入交换目录")), "{out}");
    let (ok, out, err) = run(data, &["journal", "verify"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains(&format!("city-platform-sim 已签收至第 {h} 号")), "{out}");

    // An insider rewrites an early event and re-chains, and deletes the receipt that would name
    // it locally; the county sees the next head disagree with the one it signed.
    let target: i64 =
        db(data).query_row("SELECT MIN(seq) FROM journal WHERE case_no IS NOT NULL", [], |r| r.get(0)).unwrap();
    rewrite_and_rechain(data, target);
    db(data).execute("DELETE FROM journal_anchors", []).unwrap();
    let (ok, out, err) = run(data, &["sync", "--once", "--adapter", "usb"]);
    assert!(ok, "{out}{err}");
    witness(0, 1);
    let o = yc(data).args(["sync", "--once", "--adapter", "usb"]).output().unwrap();
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.status.code(), Some(3), "a fork needs an administrator: {out}{err}");
    assert!(format!("{out}{err}").contains("日志分叉"), "{out}{err}");
    assert!(receipts(data).is_empty(), "no receipt for a forked history");
}
