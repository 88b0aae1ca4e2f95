//! Killing `yc` at any point of a write leaves a consistent store: every commit is one SQLite
//! transaction holding the state change and its journal event together.
//!
//! The writer is `yc demo`, which runs hundreds of small transactions (init, catalog import,
//! staff, seal issuing, intake, every kind of case action, sealing decisions). It is SIGKILLed at pseudo-random moments until 24 kills landed mid-run; after
//! each kill the journal must verify, and a rebuild from it must reproduce the case tables exactly
//! (a half-applied transaction would show up as a difference).

use std::process::Command;
use std::time::Instant;

fn yc(data: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yc"));
    c.arg("--data")
        .arg(data)
        .env_remove("YC_USER")
        .env_remove("YC_TODAY")
        .env("YC_PASSWORD", yc_core::demo::DEMO_PASSWORD);
    c
}

#[test]
fn killing_yc_mid_write_leaves_a_consistent_store() {
    // Measure how long a full run takes here, then kill at points spread across it.
    let probe = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let ok = yc(probe.path())
        .args(["--today", "2026-11-20", "demo", "--cases", "80"])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(ok.success());
    let full = t.elapsed();
    let mut seed: u64 = 0x5EED_2026;
    let mut killed_mid_run = 0;
    // Until 24 kills have landed mid-run (a run that finished first does not count; machine load
    // changes how long a run takes), within a bounded number of rounds.
    for round in 0..60 {
        if killed_mid_run >= 24 {
            break;
        }
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let frac = (seed >> 33) % 900;
        let at = full.mul_f64(frac as f64 / 1000.0);
        let dir = tempfile::tempdir().unwrap();
        let mut child = yc(dir.path())
            .args(["--today", "2026-11-20", "demo", "--cases", "80"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(at);
        // Child::kill is SIGKILL on Unix: no destructor, no rollback handler runs.
        let still_running = child.try_wait().unwrap().is_none();
        child.kill().ok();
        child.wait().unwrap();
        if still_running {
            killed_mid_run += 1;
        }
        let status = yc(dir.path()).args(["--json", "status"]).output().unwrap();
        if !status.status.success() {
            // Killed before the first transaction committed: nothing was written, or only an
            // empty migrated file. Either way there is no half-made workstation.
            let err = String::from_utf8_lossy(&status.stderr);
            assert!(err.contains("NotInitialised"), "round {round}: {err}");
            continue;
        }
        let verify = yc(dir.path()).args(["journal", "verify"]).output().unwrap();
        assert!(
            verify.status.success(),
            "round {round} (killed at {at:?}): {}",
            String::from_utf8_lossy(&verify.stderr)
        );
        let rebuild = yc(dir.path()).args(["--json", "rebuild"]).output().unwrap();
        assert!(rebuild.status.success(), "round {round}: {}", String::from_utf8_lossy(&rebuild.stderr));
        let r: serde_json::Value = serde_json::from_slice(&rebuild.stdout).unwrap();
        assert_eq!(r["identical"], true, "round {round} (killed at {at:?}): derived tables disagree with the journal");
        // The store still takes new work after the crash.
        let more = yc(dir.path()).args(["case", "list", "--limit", "1"]).output().unwrap();
        assert!(more.status.success());
    }
    assert!(killed_mid_run >= 20, "only {killed_mid_run} kills landed mid-run (full run took {full:?})");
}
