//! yc-sim: TEST DOUBLES of the far systems Yichuang talks to. Never a production service.
//!
//! * [`city`]: the city e-government extranet platform, per docs/city-extranet.openapi.yaml;
//! * [`files`]: the city platform's witness for journal heads carried as files;
//! * [`sms`]: the city platform's SMS gateway, sending each `notice.sms` row once per key;
//! * [`dept`]: a vertically managed department's SOAP 1.1/1.2 service, in two shapes
//!   ([`dept::Profile`]: the project's own exchange service, a registry-style `ReportCase` one).
//!
//! Both keep what they receive (in memory, optionally mirrored to a JSON state file), dedupe on
//! (source, idempotency key) with the payload hash (same key + different payload ⇒ error, as a
//! careful receiver must), record each case's order, expose counts at `GET /_sim/stats`, and
//! inject faults by flag (latency, 500s, dropped connections, duplicated acks, malformed bodies)
//! from a seeded generator so a failing run can be replayed.

pub mod city;
pub mod dept;
pub mod enrollment;
pub mod faults;
pub mod files;
pub mod heads;
pub mod sms;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub use faults::{FaultConfig, FaultPlan};
pub use store::{Incoming, Offer, Sms, Stats, Store};

/// Settings shared by both simulators.
#[derive(Debug, Clone, Default)]
pub struct SimConfig {
    /// 0 binds an ephemeral port (tests).
    pub port: u16,
    pub faults: FaultConfig,
    /// Mirror of the store, loaded at start and rewritten after each accepted batch.
    pub state_file: Option<PathBuf>,
    /// When set, requests must carry it (`Authorization: Bearer …` / SOAP header `AuthToken`).
    pub token: Option<String>,
    /// Largest request body accepted (bytes); larger is 413 / a SOAP fault.
    pub max_body_bytes: Option<usize>,
    /// City only: answer enrollment requests (`POST /api/v1/enrollments`) with this desk.
    pub enrollment: Option<enrollment::EnrollmentDesk>,
}

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    pub(crate) store: Arc<Mutex<Store>>,
    pub(crate) task: tokio::task::JoinHandle<()>,
    pub addr: SocketAddr,
    /// The city simulator's TSA root certificate (DER); `None` for other simulators.
    pub tsa_root: Option<Vec<u8>>,
}

impl SimHandle {
    pub fn stats(&self) -> Stats {
        self.store.lock().map(|s| s.stats.clone()).unwrap_or_default()
    }
    /// Sequence numbers stored for `case_no`, in arrival order.
    pub fn case_seqs(&self, case_no: &str) -> Vec<u64> {
        self.store.lock().map(|s| s.case_seqs(case_no)).unwrap_or_default()
    }
    /// Copies of `key` held (0 or 1 for a correct receiver).
    pub fn held(&self, source: &str, key: &str) -> usize {
        self.store.lock().map(|s| s.held(source, key)).unwrap_or(0)
    }
    /// The row held for (source, key), as received (city: the JSON row; dept: element → text).
    pub fn row(&self, source: &str, key: &str) -> Option<serde_json::Value> {
        self.store.lock().ok().and_then(|s| s.row(source, key))
    }
    /// What the city platform's SMS gateway sent, in order (crate::sms).
    pub fn sms(&self) -> Vec<Sms> {
        self.store.lock().map(|s| s.sms.clone()).unwrap_or_default()
    }
    /// Adds items to an inbox stream (what the far side has for the workstation).
    pub fn seed_inbox(&self, stream: &str, items: Vec<serde_json::Value>) {
        if let Ok(mut s) = self.store.lock() {
            s.seed_inbox(stream, items);
        }
    }
    /// Turns fault injection off/on mid-test (e.g. to drain after a faulty phase).
    pub fn set_faults(&self, faults: FaultConfig) {
        if let Ok(mut s) = self.store.lock() {
            s.faults = FaultPlan::new(faults);
        }
    }
    pub fn stop(self) {
        self.task.abort();
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `router` on loopback `port` (0: any free one) in a task of its own; returns the
/// address it listens on and the task (aborted when the simulator's handle is dropped).
pub(crate) async fn serve(
    router: axum::Router,
    port: u16,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((addr, task))
}

/// Current time as RFC 3339 with the +08:00 offset.
// A far system keeps its own clock: the simulator stamps what it receives with real time.
#[allow(clippy::disallowed_methods)]
pub fn beijing_now() -> String {
    let now = chrono::Utc::now();
    match chrono::FixedOffset::east_opt(8 * 3600) {
        Some(tz) => now.with_timezone(&tz).to_rfc3339_opts(chrono::SecondsFormat::Millis, false),
        None => now.to_rfc3339(),
    }
}
