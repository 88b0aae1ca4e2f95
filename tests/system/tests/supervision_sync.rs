//! Supervision and 好差评 up to the city platform as a user runs it: the real `yc` runs the
//! monitors, records a named 差评 at the window and steps its work order, the city platform
//! simulator sends an online rating down, and `yc sync` pushes every monitor hit on the
//! `supervision` stream and the workstation's own rating and steps on the `evaluations` stream —
//! once each, the far side's rating applied here and never echoed back, the rater's phone never
//! sent. The simulator counts what it holds by kind.
#![cfg(unix)]

use std::path::Path;

use yc_system_tests::{db, http_get, http_post, start_sim, yc, ycj};

fn completed(data: &Path) -> Vec<String> {
    let conn = db(data);
    let mut st = conn.prepare("SELECT case_no FROM cases WHERE state = 'completed' ORDER BY case_no").unwrap();
    st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

fn sync(data: &Path) -> serde_json::Value {
    ycj(data, &["--as", "admin", "sync", "--once", "--adapter", "city"])
}

fn held(sim: &str, kind: &str) -> u64 {
    http_get(sim, "/_sim/stats")["by_kind"][kind].as_u64().unwrap_or(0)
}

#[test]
fn hits_ratings_and_work_order_steps_reach_the_city_once_and_its_own_ratings_do_not_come_back() {
    let dir = tempfile::tempdir().expect("data dir");
    let data = dir.path();
    let o = yc(data)
        .args(["--today", "2026-11-20", "demo", "--cases", "40", "--no-adapters", "--plain"])
        .output()
        .expect("yc demo runs");
    assert!(o.status.success(), "yc demo: {}", String::from_utf8_lossy(&o.stderr));
    let done = completed(data);
    assert!(done.len() >= 2, "the sealed demo closes cases: {done:?}");

    let sim = start_sim("city", &[]);
    let cfg = data.join("city.json");
    let config = serde_json::json!({
        "name": "city", "kind": "city-extranet",
        "settings": { "base_url": format!("http://{}", sim.addr), "source": "440305-W01", "anchor_heads": false }
    });
    std::fs::write(&cfg, config.to_string()).expect("config written");
    let o = yc(data)
        .args(["--as", "admin", "adapter", "add"])
        .arg(&cfg)
        .args(["--streams", "supervision,evaluations", "--yes"])
        .output()
        .expect("yc runs");
    assert!(o.status.success(), "adapter add: {}", String::from_utf8_lossy(&o.stderr));

    let run = ycj(data, &["--as", "admin", "supervision", "run"]);
    let hits = run["raised"].as_array().expect("raised").len();
    assert!(hits > 0, "the demo has overdue cases: {run}");

    // At the window: a named 非常不满意 (the rater's phone taken for the call-back) and the first
    // two steps of the work order it opens.
    let bad = ycj(
        data,
        &[
            "--as",
            "admin",
            "rating",
            "add",
            &done[0],
            "--level",
            "非常不满意",
            "--channel",
            "window_device",
            "--indicator",
            "态度=1",
            "--comment",
            "等了很久",
            "--rater-phone",
            "13912345678",
        ],
    );
    let order = bad["work_order"].as_str().expect("a 差评 opens a work order").to_owned();
    ycj(data, &["--as", "admin", "workorder", "advance", &order, "--step", "核实", "--note", "调取录像核实"]);
    ycj(data, &["--as", "admin", "workorder", "advance", &order, "--step", "整改", "--note", "窗口人员培训"]);

    // From the platform: an online 满意 for another case.
    http_post(
        &sim.addr,
        "/_sim/inbox",
        &serde_json::json!({ "stream": "evaluations", "items": [{
            "row_id": "HCP-2026-0001", "kind": "evaluation.rating", "case_no": done[1],
            "payload": { "case_no": done[1], "channel": "online", "level": "satisfied" }
        }]}),
    );

    let first = sync(data);
    assert_eq!(held(&sim.addr, "evaluation.rating"), 1, "the window's rating, not the platform's own: {first}");
    assert_eq!(held(&sim.addr, "evaluation.work_order"), 2, "{first}");
    assert_eq!(held(&sim.addr, "supervision.hit") as usize, hits, "every hit, once: {first}");
    // The platform's rating is here now, once.
    let conn = db(data);
    let channels: Vec<String> = conn
        .prepare("SELECT channel FROM ratings ORDER BY channel")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(channels, ["online", "window_device"]);
    // What went up carries the name of a real-name rater, never the phone.
    let sent: String =
        conn.query_row("SELECT payload FROM outbox WHERE kind = 'evaluation.rating'", [], |r| r.get(0)).unwrap();
    assert!(!sent.contains("13912345678"), "{sent}");
    assert!(sent.contains("\"rater_name\":\""), "{sent}");

    // A second sync, the platform's inbox pulled again: nothing new either way.
    let second = sync(data);
    assert_eq!((held(&sim.addr, "evaluation.rating"), held(&sim.addr, "evaluation.work_order")), (1, 2), "{second}");
    assert_eq!(held(&sim.addr, "supervision.hit") as usize, hits, "{second}");
    let n: i64 = db(data).query_row("SELECT count(*) FROM ratings", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 2);
    let s = http_get(&sim.addr, "/_sim/stats");
    for k in ["conflicts", "hash_mismatches", "order_violations"] {
        assert_eq!(s[k], 0, "{k}: {s}");
    }
}
