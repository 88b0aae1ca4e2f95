//! SIGKILL in the middle of a theme's dispatch (issue 16): the real `yc theme new` (one
//! transaction: the theme, five branch cases, five outbox items) and `yc sync` (the pass sending
//! those branches to the city platform simulator) are killed at random moments — a third anywhere
//! in the run, the rest aimed at the moment it commits, as crash.rs does. After every run the
//! workstation is reopened and checked: every theme has all its branches and no branch exists
//! without its theme (a killed filing left all of it or none of it), every branch has exactly one
//! outbox item, an acknowledged filing is there, the journal verifies and a rebuild is identical,
//! and the far side never held an item twice or in conflict. At the end a clean sync leaves the
//! simulator holding each item exactly once.
//!
//! `YC_THEME_CRASH_RUNS` (default 40) and `YC_CRASH_SEED` as in crash.rs.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use yc_system_tests::{Lcg, add_adapter, db, http_get, run_killed_at, start_sim, yc, ycj};

const THEME: &str = "ZT-QYKB-001";
const BRANCHES: i64 = 5;

fn count(data: &Path, sql: &str, arg: &str) -> i64 {
    db(data).query_row(sql, [arg], |r| r.get(0)).expect("count")
}

/// An applicant name no other filing of the run has (found again after a kill by exact match).
fn applicant(n: usize) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let d: String = n.to_string().chars().map(|c| DIGITS[c.to_digit(10).unwrap_or(0) as usize]).collect();
    format!("并联断电{d}号")
}

#[derive(Default, Debug)]
struct Tally {
    filings: usize,
    filings_killed_before: usize,
    filings_killed_after: usize,
    filings_done: usize,
    syncs: usize,
    syncs_killed: usize,
    checks: usize,
}

/// The invariants after any run. `names` are the applicants of every filing tried so far, with
/// whether `yc` acknowledged it.
fn check(data: &Path, sim: &str, names: &[(String, bool)], ctx: &str, tally: &mut Tally) {
    let conn = db(data);
    // Every theme has all its branches, each an existing case of the theme's applicant.
    let broken: i64 = conn
        .query_row(
            "SELECT count(*) FROM themes t WHERE
               (SELECT count(*) FROM theme_branches b JOIN cases c USING (case_no) WHERE b.theme_no = t.theme_no
                  AND c.applicant_name = t.applicant_name) <> ?1",
            [BRANCHES],
            |r| r.get(0),
        )
        .expect("query");
    assert_eq!(broken, 0, "{ctx}: a theme without all its branches");
    for (name, acknowledged) in names {
        let themes = count(data, "SELECT count(*) FROM themes WHERE applicant_name = ?1", name);
        let cases = count(data, "SELECT count(*) FROM cases WHERE applicant_name = ?1", name);
        let linked = count(
            data,
            "SELECT count(*) FROM cases c JOIN theme_branches b USING (case_no) WHERE c.applicant_name = ?1",
            name,
        );
        // All of a filing or none of it: never a branch without its theme, never one twice.
        assert!(themes <= 1, "{ctx}: {name} filed {themes} times");
        assert_eq!((cases, linked), (themes * BRANCHES, themes * BRANCHES), "{ctx}: {name}: half a theme");
        if *acknowledged {
            assert_eq!(themes, 1, "{ctx}: {name} was acknowledged but is not there");
        }
        // Each branch queued once for dispatch.
        let queued = count(
            data,
            "SELECT count(*) FROM outbox o JOIN cases c USING (case_no) WHERE c.applicant_name = ?1 AND o.kind = 'case.file'",
            name,
        );
        assert_eq!(queued, themes * BRANCHES, "{ctx}: {name}: outbox items");
    }
    drop(conn);
    // The journal verifies and the tables are what it says.
    let v = yc(data).args(["--json", "journal", "verify"]).output().expect("yc runs");
    let report: Value = serde_json::from_slice(&v.stdout).unwrap_or(Value::Null);
    assert!(v.status.success() && report["ok"] == true, "{ctx}: journal verify: {report}");
    let r = ycj(data, &["rebuild"]);
    assert_eq!(r["identical"], true, "{ctx}: rebuild: {r}");
    // The far side never received anything twice differently or out of order.
    let s = http_get(sim, "/_sim/stats");
    for k in ["conflicts", "hash_mismatches", "order_violations"] {
        assert_eq!(s[k], 0, "{ctx}: {k}: {s}");
    }
    tally.checks += 5;
}

#[test]
fn sigkill_while_filing_and_dispatching_themes_loses_or_duplicates_no_branch() {
    let runs: usize = std::env::var("YC_THEME_CRASH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    let seed = std::env::var("YC_CRASH_SEED")
        .ok()
        .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        .unwrap_or_else(|| std::collections::hash_map::RandomState::new().build_hasher().finish());
    eprintln!("theme crash: seed {seed:#x} (replay: YC_CRASH_SEED={seed:#x}), {runs} runs");
    let mut rng = Lcg(seed);
    let dir = tempfile::tempdir().expect("data dir");
    let scratch = tempfile::tempdir().expect("scratch dir");
    let data = dir.path();
    let o = yc(data)
        .args(["--today", "2026-11-20", "demo", "--cases", "3", "--no-seal", "--no-adapters", "--plain"])
        .output()
        .expect("yc demo runs");
    assert!(o.status.success(), "yc demo: {}", String::from_utf8_lossy(&o.stderr));
    let sim = start_sim("city", &["--latency-ms", "2"]);
    let cfg = scratch.path().join("city.json");
    let config = serde_json::json!({
        "name": "city", "kind": "city-extranet",
        "settings": { "base_url": format!("http://{}", sim.addr), "source": "440399-W01" }
    });
    std::fs::write(&cfg, config.to_string()).expect("config written");
    add_adapter(data, &cfg);

    let file_cmd = |name: &str| {
        let mut c = yc(data);
        c.args(["--as", "zhangwei", "theme", "new", THEME, "--applicant-id", "11010519491231002X"])
            .args(["--applicant-name", name]);
        c
    };
    let sync_cmd = || {
        let mut c = yc(data);
        c.args(["sync", "--once", "--adapter", "city", "--batch", "3", "--backoff-ms", "5"]);
        c
    };

    // Warm-up (not killed): how long a filing and a sync take, and when a filing commits.
    let mut names: Vec<(String, bool)> = Vec::new();
    let mut expect: BTreeMap<&str, u64> = BTreeMap::new();
    for i in 0..2 {
        let name = applicant(names.len() + 1);
        let r = run_killed_at(file_cmd(&name), Duration::from_secs(120), scratch.path());
        assert_eq!(r.code, Some(0), "warm-up filing: {}{}", r.stdout, r.stderr);
        names.push((name, true));
        expect.insert("file", r.elapsed.as_micros() as u64);
        if i == 1 {
            let r = run_killed_at(sync_cmd(), Duration::from_secs(120), scratch.path());
            assert_eq!(r.code, Some(0), "warm-up sync: {}", r.stderr);
            expect.insert("sync", r.elapsed.as_micros() as u64);
        }
    }
    // A filing commits near its end (start-up and login take most of a run).
    let mut commit_us = expect["file"] * 95 / 100;
    let mut tally = Tally::default();
    for run in 0..runs {
        let ctx = format!("seed {seed:#x} run {run}");
        let filing = rng.next_below(3) != 0;
        if filing {
            let name = applicant(names.len() + 1);
            let e = expect["file"];
            let aimed = rng.next_below(3) != 0;
            let delay = if aimed {
                let spread = e / 10 + 1;
                commit_us.saturating_sub(spread) + rng.next_below(2 * spread)
            } else {
                rng.next_below(e * 13 / 10 + 1)
            };
            let r = run_killed_at(file_cmd(&name), Duration::from_micros(delay), scratch.path());
            assert!(r.killed || r.code == Some(0), "{ctx}: yc theme new failed: {}{}", r.stdout, r.stderr);
            let there = count(data, "SELECT count(*) FROM themes WHERE applicant_name = ?1", &name) == 1;
            tally.filings += 1;
            match (r.killed, there) {
                (false, _) => tally.filings_done += 1,
                (true, false) => tally.filings_killed_before += 1,
                (true, true) => tally.filings_killed_after += 1,
            }
            if aimed && r.killed {
                // Robbins–Monro towards the moment half the aimed kills find it committed.
                let step = e / 12 + 1;
                commit_us = if there { commit_us.saturating_sub(step) } else { commit_us + step };
            }
            names.push((name, !r.killed));
        } else {
            let delay = rng.next_below(expect["sync"] * 13 / 10 + 1);
            let r = run_killed_at(sync_cmd(), Duration::from_micros(delay), scratch.path());
            assert!(r.killed || r.code == Some(0), "{ctx}: yc sync failed: {}", r.stderr);
            tally.syncs += 1;
            tally.syncs_killed += usize::from(r.killed);
        }
        check(data, &sim.addr, &names, &ctx, &mut tally);
    }

    // A clean sync: every branch of every theme reaches the far side exactly once.
    let o = yc(data).args(["--json", "sync", "--once", "--adapter", "city"]).output().expect("yc runs");
    assert!(o.status.success(), "final sync: {}", String::from_utf8_lossy(&o.stderr));
    let s = ycj(data, &["sync", "status", "--adapter", "city"]);
    let backlog = s[0]["backlog"].as_object().expect("backlog").clone();
    let outbox: i64 = db(data).query_row("SELECT count(*) FROM outbox", [], |r| r.get(0)).expect("count");
    assert_eq!(backlog["acked"].as_i64(), Some(outbox), "every item acknowledged: {backlog:?}");
    let stats = http_get(&sim.addr, "/_sim/stats");
    assert_eq!(stats["stored"].as_i64(), Some(outbox), "the far side holds each item once: {stats}");
    check(data, &sim.addr, &names, &format!("seed {seed:#x} final"), &mut tally);
    eprintln!("theme crash: {tally:?}");
    assert!(
        tally.filings_killed_before + tally.filings_killed_after > 0 || runs < 10,
        "no filing was killed: {tally:?}"
    );
}
