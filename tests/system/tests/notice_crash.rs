//! A notice sent once across SIGKILLs (issue 17 part 4): notices to consented applicants are
//! queued by real case actions, then the real `yc sync` pushing them one per request to the city
//! platform simulator (whose SMS gateway sends a `notice.sms` row once per key, crate
//! yc_sim::sms) is SIGKILLed at random moments, over and over, while more are queued. After every
//! run the gateway has sent no notice twice and none the workstation did not queue; at the end a
//! sync to completion leaves every notice sent exactly once and none missing.
//!
//! `YC_NOTICE_CRASH_RUNS` (default 30 killed syncs) and `YC_CRASH_SEED` as in crash.rs.
#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::time::Duration;

use yc_system_tests::{Lcg, db, http_get, run_killed_at, start_sim, yc, ycj};

const ITEM: &str = "11440300MB2C95374M000102003000000";
/// The simulator's delay per request: a push of n notices one per request takes n × this.
const LATENCY_MS: u64 = 15;

/// The notices the workstation queued (their keys are the notice ids the gateway dedupes on).
fn queued(data: &Path) -> BTreeSet<String> {
    let conn = db(data);
    let mut st = conn.prepare("SELECT key FROM outbox WHERE stream = 'notifications' AND kind = 'notice.sms'").unwrap();
    st.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
}

/// What the gateway sent: notice id → times sent.
fn sent(sim: &str) -> BTreeMap<String, usize> {
    let v = http_get(sim, "/_sim/sms");
    let mut m = BTreeMap::new();
    for s in v["sent"].as_array().expect("sent list") {
        *m.entry(s["notice_id"].as_str().expect("notice_id").to_owned()).or_insert(0) += 1;
    }
    m
}

/// After any run: nothing sent twice, nothing sent that was not queued, the number masked.
fn check(data: &Path, sim: &str, ctx: &str) -> usize {
    let queued = queued(data);
    let sent = sent(sim);
    for (id, n) in &sent {
        assert_eq!(*n, 1, "{ctx}: notice {id} sent {n} times");
        assert!(queued.contains(id), "{ctx}: the gateway sent {id}, which was never queued");
    }
    let raw = http_get(sim, "/_sim/sms").to_string();
    assert!(!raw.contains("13912340"), "{ctx}: a number in clear in the gateway's record");
    let s = http_get(sim, "/_sim/stats");
    for k in ["conflicts", "hash_mismatches", "order_violations"] {
        assert_eq!(s[k], 0, "{ctx}: {k}: {s}");
    }
    sent.len()
}

#[test]
fn each_notice_reaches_the_sms_gateway_exactly_once_across_sigkilled_syncs() {
    let runs: usize = std::env::var("YC_NOTICE_CRASH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    let seed = std::env::var("YC_CRASH_SEED")
        .ok()
        .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        .unwrap_or_else(|| std::collections::hash_map::RandomState::new().build_hasher().finish());
    eprintln!("notice crash: seed {seed:#x} (replay: YC_CRASH_SEED={seed:#x}), {runs} runs");
    let mut rng = Lcg(seed);
    let dir = tempfile::tempdir().expect("data dir");
    let scratch = tempfile::tempdir().expect("scratch dir");
    let data = dir.path();
    let o = yc(data)
        .args(["--today", "2026-11-20", "demo", "--cases", "2", "--no-seal", "--no-adapters", "--plain"])
        .output()
        .expect("yc demo runs");
    assert!(o.status.success(), "yc demo: {}", String::from_utf8_lossy(&o.stderr));
    let sim = start_sim("city", &["--latency-ms", &LATENCY_MS.to_string()]);
    let cfg = scratch.path().join("city.json");
    let config = serde_json::json!({
        "name": "city", "kind": "city-extranet",
        "settings": { "base_url": format!("http://{}", sim.addr), "source": "440399-W01", "anchor_heads": false }
    });
    std::fs::write(&cfg, config.to_string()).expect("config written");
    // The gateway's stream must be named: `*` does not carry phone numbers.
    let o = yc(data)
        .args(["adapter", "add"])
        .arg(&cfg)
        .args(["--streams", "notifications", "--yes"])
        .output()
        .expect("yc runs");
    assert!(o.status.success(), "adapter add: {}", String::from_utf8_lossy(&o.stderr));

    let sync_cmd = || {
        let mut c = yc(data);
        c.args(["sync", "--once", "--adapter", "city", "--batch", "1", "--backoff-ms", "5"]);
        c
    };
    // How long a sync with nothing to push takes (start-up, login, the pass itself).
    let r = run_killed_at(sync_cmd(), Duration::from_secs(120), scratch.path());
    let (code, idle) = (r.code, r.elapsed);
    assert_eq!(code, Some(0), "idle sync");

    // Filing, consent and the actions that queue notices: accepted, and for every third case a
    // supplement request first (补正通知) — one or two notices a case.
    let mut filed = 0usize;
    let mut queue_some = |rng: &mut Lcg| {
        for _ in 0..2 {
            filed += 1;
            let name = format!("短信断电{filed}号");
            let c = ycj(
                data,
                &[
                    "--as",
                    "zhangwei",
                    "case",
                    "new",
                    "--item",
                    ITEM,
                    "--applicant-id",
                    "11010519491231002X",
                    "--applicant-name",
                    &name,
                ],
            );
            let case_no = c["case_no"].as_str().expect("case_no").to_owned();
            let phone = format!("139123400{:02}", filed % 100);
            ycj(data, &["--as", "zhangwei", "notice", "consent", &case_no, "--phone", &phone]);
            if rng.next_below(3) == 0 {
                ycj(
                    data,
                    &[
                        "--as",
                        "zhangwei",
                        "case",
                        "act",
                        &case_no,
                        "request_supplement",
                        "--reason",
                        "营业执照复印件不清晰",
                        "--materials",
                        "yyzz",
                    ],
                );
                ycj(data, &["--as", "zhangwei", "case", "act", &case_no, "supplement"]);
            }
            ycj(data, &["--as", "zhangwei", "case", "act", &case_no, "accept"]);
        }
    };

    let (mut killed, mut partial) = (0usize, 0usize);
    for run in 0..runs {
        let ctx = format!("seed {seed:#x} run {run}");
        if run % 3 == 0 {
            queue_some(&mut rng);
        }
        let before = check(data, &sim.addr, &ctx);
        let pending = queued(data).len().saturating_sub(before) as u64;
        // Anywhere from the start to a little past the time the whole push would take.
        let whole = idle.as_micros() as u64 + pending * (LATENCY_MS * 1000 + 3000);
        let delay = rng.next_below(whole * 13 / 10 + 1);
        let r = run_killed_at(sync_cmd(), Duration::from_micros(delay), scratch.path());
        let (k, code) = (r.killed, r.code);
        assert!(k || code == Some(0), "{ctx}: yc sync failed with {code:?}");
        let after = check(data, &sim.addr, &ctx);
        killed += usize::from(k);
        // Killed in the middle of the push: some of this run's notices went, not all.
        partial += usize::from(k && after > before && after < before + pending as usize);
    }

    // A sync to completion: every notice sent exactly once, none missing.
    let o = yc(data).args(["--json", "sync", "--once", "--adapter", "city"]).output().expect("yc runs");
    assert!(o.status.success(), "final sync: {}", String::from_utf8_lossy(&o.stderr));
    let queued = queued(data);
    let sent = sent(&sim.addr);
    assert!(queued.len() >= runs / 3 * 2, "notices queued: {}", queued.len());
    assert_eq!(sent.keys().cloned().collect::<BTreeSet<_>>(), queued, "every notice sent, none invented");
    assert!(sent.values().all(|n| *n == 1), "each sent once: {sent:?}");
    let stats = http_get(&sim.addr, "/_sim/stats");
    assert_eq!(stats["sms_sent"].as_u64(), Some(queued.len() as u64), "{stats}");
    let acked: i64 = db(data)
        .query_row(
            "SELECT count(*) FROM outbox_delivery d JOIN outbox o ON o.id = d.outbox_id
             WHERE d.adapter = 'city' AND o.stream = 'notifications' AND d.state = 'acked'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(acked as usize, queued.len(), "every notice acknowledged at the workstation");
    // The state each notice shows at the window is 已发送.
    let conn = db(data);
    let case_no: String = conn
        .query_row("SELECT case_no FROM notices ORDER BY journal_seq LIMIT 1", [], |r| r.get(0))
        .expect("a notice's case");
    let s = ycj(data, &["--as", "zhangwei", "notice", "show", &case_no]);
    assert!(s["notices"].as_array().is_some_and(|n| !n.is_empty() && n.iter().all(|n| n["sent"] == true)), "{s}");
    eprintln!(
        "notice crash: {} notices, {runs} syncs, {killed} killed, {partial} killed mid-push, {} re-pushes answered without sending",
        queued.len(),
        stats["sms_repeats"]
    );
    assert!(killed > 0 || runs < 10, "no sync was killed");
}
