//! System tests live in `tests/`; they drive the built `yc` and `yc-sim` binaries
//! (`cargo build --workspace --bins` first, as `make test` does). This library holds what they
//! share: finding the binaries, a simulator child process, minimal HTTP GET and POST for its stats
//! and test controls.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A binary of this workspace, built next to the running test.
pub fn bin(name: &str) -> PathBuf {
    // target/<profile>/deps/<this test> → target/<profile>/<name>
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe.parent().and_then(Path::parent).expect("target directory");
    let p = dir.join(name);
    assert!(p.exists(), "{} is not built: run `cargo build --workspace --bins` first", p.display());
    p
}

/// `yc --data <data>` without the caller's environment choosing the actor or the day; every
/// demo account's password (`yc123456`) is given the way scripts give it, in `YC_PASSWORD`.
pub fn yc(data: &Path) -> Command {
    let mut c = Command::new(bin("yc"));
    c.arg("--data").arg(data).env_remove("YC_USER").env_remove("YC_TODAY").env("YC_PASSWORD", "yc123456");
    c
}

/// The repository root (for the example adapters).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

/// A simulator child process; killed when dropped.
pub struct Sim {
    child: Child,
    pub addr: String,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `yc-sim <kind> --port 0 <args>` and reads the address it prints on its first line.
pub fn start_sim(kind: &str, args: &[&str]) -> Sim {
    let mut child = Command::new(bin("yc-sim"))
        .args([kind, "--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("yc-sim starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout")).read_line(&mut line).expect("address line");
    Sim { child, addr: line.trim().to_owned() }
}

/// GET `path` from a simulator and parse the JSON body.
pub fn http_get(addr: &str, path: &str) -> serde_json::Value {
    let mut s = TcpStream::connect(addr).expect("simulator reachable");
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("request written");
    let mut buf = String::new();
    s.read_to_string(&mut buf).expect("response read");
    let body = buf.split("\r\n\r\n").nth(1).unwrap_or("");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("stats body: {e}: {body}"))
}

/// POST a JSON `body` to a simulator's test-control `path` (e.g. `/_sim/inbox`); the reply's
/// status line must say 2xx.
pub fn http_post(addr: &str, path: &str, body: &serde_json::Value) {
    let body = body.to_string();
    let mut s = TcpStream::connect(addr).expect("simulator reachable");
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("request written");
    let mut buf = String::new();
    s.read_to_string(&mut buf).expect("response read");
    let status = buf.lines().next().unwrap_or("");
    assert!(status.split(' ').nth(1).is_some_and(|c| c.starts_with('2')), "POST {path}: {buf}");
}

/// A plain demo workstation (no seals, no adapters, not encrypted: these tests also sync without
/// a login, which an encrypted store does not open for) with `cases` cases on a fixed day;
/// returns the directory and the number of outbox items it holds.
pub fn demo_workstation(cases: usize) -> (tempfile::TempDir, usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let o = yc(dir.path())
        .args(["--today", "2026-11-20", "demo", "--cases", &cases.to_string(), "--no-seal", "--no-adapters", "--plain"])
        .output()
        .expect("yc demo runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let n = outbox_len(dir.path());
    (dir, n)
}

/// The store's SQLite file, opened as an insider with the administrator's password would: an
/// encrypted store (the demo's default) with the data key that password unwraps.
pub fn db(data: &Path) -> rusqlite::Connection {
    let key = yc_core::vault::is_encrypted(data).then(|| {
        yc_core::vault::open_quietly(data, yc_core::vault::Unlock::Password { staff: "admin", password: "yc123456" })
            .expect("the admin's password opens the store")
    });
    yc_core::vault::open_connection(&data.join("yichuang.db"), key.as_ref(), rusqlite::OpenFlags::default())
        .expect("store opens")
}

pub fn outbox_len(data: &Path) -> usize {
    let n: i64 = db(data).query_row("SELECT count(*) FROM outbox", [], |r| r.get(0)).expect("count");
    usize::try_from(n).expect("non-negative")
}

/// Deliveries of `adapter` not yet acknowledged by its far side.
pub fn unacked(data: &Path, adapter: &str) -> usize {
    let n: i64 = db(data)
        .query_row("SELECT count(*) FROM outbox_delivery WHERE adapter = ?1 AND state <> 'acked'", [adapter], |r| {
            r.get(0)
        })
        .expect("count");
    usize::try_from(n).expect("non-negative")
}

/// Registers an adapter from a config file.
pub fn add_adapter(data: &Path, config: &Path) {
    let o = yc(data).args(["adapter", "add"]).arg(config).args(["--backfill", "--yes"]).output().expect("yc runs");
    assert!(o.status.success(), "adapter add: {}", String::from_utf8_lossy(&o.stderr));
}

/// A pseudo-random sequence for kill moments, replayable from its seed.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next_below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// How one invocation of a command the crash tests may kill ended.
pub struct Outcome {
    pub pid: u32,
    pub killed: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: std::time::Duration,
}

impl Outcome {
    /// It ran to the end and said so: what it reported must hold after any later kill.
    pub fn acknowledged(&self) -> bool {
        !self.killed && self.code == Some(0)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("JSON from yc: {e}: {}", self.stdout))
    }
}

/// Runs `cmd`, SIGKILLing it `delay` after the start unless it has ended by then. Output goes to
/// files in `scratch`, so a child is never blocked on a full pipe when its kill moment comes; the
/// child is polled, not slept through, so a run that ends first is seen to end (and its duration
/// can tune the next delays).
#[cfg(unix)]
pub fn run_killed_at(mut cmd: Command, delay: std::time::Duration, scratch: &Path) -> Outcome {
    use std::os::unix::process::ExitStatusExt;
    const SIGKILL: i32 = 9;
    let (out, err) = (scratch.join("stdout"), scratch.join("stderr"));
    cmd.stdout(std::fs::File::create(&out).expect("stdout file"));
    cmd.stderr(std::fs::File::create(&err).expect("stderr file"));
    let started = std::time::Instant::now();
    let mut child = cmd.spawn().expect("yc starts");
    let pid = child.id();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for yc") {
            break s;
        }
        if started.elapsed() >= delay {
            child.kill().expect("SIGKILL yc");
            break child.wait().expect("reap yc");
        }
        std::thread::sleep(std::time::Duration::from_micros(300));
    };
    let elapsed = started.elapsed();
    Outcome {
        pid,
        killed: status.signal() == Some(SIGKILL),
        code: status.code(),
        stdout: std::fs::read_to_string(&out).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err).unwrap_or_default(),
        elapsed,
    }
}

/// `yc --json ARGS` on `data`, run to the end; must succeed.
pub fn ycj(data: &Path, args: &[&str]) -> serde_json::Value {
    let o = yc(data).arg("--json").args(args).output().expect("yc runs");
    assert!(o.status.success(), "yc {args:?} failed ({}): {}", o.status, String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("yc {args:?}: JSON: {e}: {}", String::from_utf8_lossy(&o.stdout)))
}
