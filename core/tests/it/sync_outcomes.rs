//! Partial outcomes and error classes, as docs/adapter-protocol.md §3.2 and §3.6 state them,
//! against the engine with an in-process test adapter: k of n acked and the rest left out,
//! per-item retryable / permanent / auth rejections, an `error` reply after k far-side writes,
//! and a process adapter whose program path is wrong.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use yc_adapter_sdk::{
    Adapter, AdapterError, Capabilities, ErrorClass, Handshake, Health, HealthStatus, Origin, OutItem, ProcessAdapter,
    ProcessSpec, PullPage, PushReport, Rejection,
};
use yc_core::case::Role;
use yc_core::sync::outbox::DeliveryState;
use yc_core::sync::{AdapterState, SyncOptions};
use yc_core::{Clock, NewCase, Workstation};

/// What the far side does with the next push.
#[derive(Clone)]
enum Script {
    /// Store and ack everything.
    All,
    /// Store and ack the first k items, then "fail" and leave the rest out of the answer.
    AckFirst(usize),
    /// Store the first k items, then answer the whole request with a retryable `error`.
    WriteThenError(usize),
    /// Reject these keys with these classes; store and ack the rest.
    Reject(HashMap<String, ErrorClass>),
    /// Answer wrongly: ack a key never sent, ack *and* reject the first item, say nothing of the
    /// rest (a far side that "succeeds" without confirming anything).
    Wrong,
}

#[derive(Clone)]
struct Far {
    script: Arc<Mutex<Script>>,
    /// Keys held durably (a real far side dedupes on the key).
    stored: Arc<Mutex<HashSet<String>>>,
    /// every key received, in arrival order, duplicates included.
    received: Arc<Mutex<Vec<String>>>,
}

impl Far {
    fn new(script: Script) -> Self {
        Self { script: Arc::new(Mutex::new(script)), stored: Arc::default(), received: Arc::default() }
    }

    fn store(&self, it: &OutItem) {
        self.stored.lock().unwrap().insert(it.key.clone());
    }
}

impl Adapter for Far {
    async fn hello(&mut self) -> Result<Handshake, AdapterError> {
        Ok(Handshake {
            protocol_version: yc_adapter_sdk::PROTOCOL_VERSION,
            name: "far".into(),
            version: "1".into(),
            capabilities: Capabilities { push: true, pull: false, health: true, anchor: false, timestamp: false },
            streams: vec![],
            config_schema: serde_json::json!({}),
        })
    }

    async fn push(&mut self, batch: &[OutItem]) -> Result<PushReport, AdapterError> {
        self.received.lock().unwrap().extend(batch.iter().map(|i| i.key.clone()));
        let script = self.script.lock().unwrap().clone();
        let mut rep = PushReport { acked: vec![], rejected: vec![] };
        match script {
            Script::All => {
                for it in batch {
                    self.store(it);
                    rep.acked.push(it.key.clone());
                }
            }
            Script::AckFirst(k) => {
                for it in batch.iter().take(k) {
                    self.store(it);
                    rep.acked.push(it.key.clone());
                }
            }
            Script::WriteThenError(k) => {
                for it in batch.iter().take(k) {
                    self.store(it);
                }
                return Err(AdapterError::retryable(Origin::FarSystem, "对端写入中途失败", "HTTP 503 after k rows"));
            }
            Script::Wrong => {
                rep.acked.push("never-sent-key".into());
                if let Some(first) = batch.first() {
                    rep.acked.push(first.key.clone());
                    rep.rejected.push(Rejection {
                        key: first.key.clone(),
                        class: ErrorClass::Permanent,
                        message: "矛盾".into(),
                        detail: String::new(),
                    });
                }
            }
            Script::Reject(classes) => {
                for it in batch {
                    if let Some(&class) = classes.get(&it.key) {
                        rep.rejected.push(Rejection {
                            key: it.key.clone(),
                            class,
                            message: format!("对端拒收（{class:?}）"),
                            detail: "test".into(),
                        });
                    } else {
                        self.store(it);
                        rep.acked.push(it.key.clone());
                    }
                }
            }
        }
        Ok(rep)
    }

    async fn pull(&mut self, _stream: &str, _cursor: Option<&str>, _max: usize) -> Result<PullPage, AdapterError> {
        Ok(PullPage { items: vec![], next_cursor: None, rejected: vec![] })
    }

    async fn ack(&mut self, _stream: &str, _cursor: &str) -> Result<(), AdapterError> {
        Ok(())
    }

    async fn health(&mut self) -> Result<Health, AdapterError> {
        Ok(Health { status: HealthStatus::Ok, message: String::new() })
    }

    async fn shutdown(&mut self) -> Result<(), AdapterError> {
        Ok(())
    }
}

fn setup() -> (tempfile::TempDir, Workstation) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::at_date("2026-03-02".parse().unwrap());
    let (ws, admin) =
        crate::support::staffed_with(dir.path(), "结果测试", "pw", clock, &[("clerk", Role::Clerk)], None);
    crate::support::register_city(&ws, &admin, "far");
    (dir, ws)
}

/// `n` cases, one filing each: n independent items (no per-case waiting in one batch).
fn cases(ws: &Workstation, n: u16) -> Vec<String> {
    let clerk = ws.actor("clerk").unwrap();
    let item = ws.catalog_items(None).unwrap().into_iter().find(|i| i.promised_limit_days > 0 && !i.secret).unwrap();
    (0..n)
        .map(|i| {
            ws.new_case(
                &clerk,
                &NewCase {
                    item_code: item.code.clone(),
                    applicant_id: yc_core::ids::make_resident_id("440305", "1985-01-01".parse().unwrap(), i + 1),
                    applicant_name: format!("人{i}"),
                    ..Default::default()
                },
            )
            .unwrap()
        })
        .collect()
}

fn opts() -> SyncOptions {
    SyncOptions { batch: 10, backoff_base_ms: 60_000, backoff_max_ms: 60_000, ..Default::default() }
}

struct Delivery {
    key: String,
    state: String,
    attempts: i64,
    class: Option<String>,
    /// The item is held back until then (unix ms).
    next_attempt_ms: i64,
}

fn deliveries(dir: &tempfile::TempDir) -> Vec<Delivery> {
    let c = rusqlite::Connection::open(dir.path().join("yichuang.db")).unwrap();
    let mut st = c
        .prepare(
            "SELECT o.key, d.state, d.attempts, d.last_error_class, d.next_attempt_ms
             FROM outbox_delivery d JOIN outbox o ON o.id = d.outbox_id WHERE d.adapter = 'far' ORDER BY o.id",
        )
        .unwrap();
    st.query_map([], |r| {
        Ok(Delivery {
            key: r.get(0)?,
            state: r.get(1)?,
            attempts: r.get(2)?,
            class: r.get(3)?,
            next_attempt_ms: r.get(4)?,
        })
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

fn adapter_state(dir: &tempfile::TempDir) -> (String, Option<String>, Option<String>) {
    let c = rusqlite::Connection::open(dir.path().join("yichuang.db")).unwrap();
    c.query_row("SELECT state, last_error_class, last_error FROM adapters WHERE name = 'far'", [], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .unwrap()
}

/// The backoff has passed: makes every held-back item due now, instead of waiting a minute.
fn backoff_passes(dir: &tempfile::TempDir) {
    let c = rusqlite::Connection::open(dir.path().join("yichuang.db")).unwrap();
    c.execute("UPDATE outbox_delivery SET next_attempt_ms = 0 WHERE state IN ('failed', 'pending')", []).unwrap();
}

fn now_ms() -> i64 {
    Clock::System.now().timestamp_millis()
}

#[tokio::test]
async fn k_of_n_acked_then_the_rest_left_out_stay_unconfirmed_back_off_and_are_resent() {
    let (dir, ws) = setup();
    cases(&ws, 10);
    let mut far = Far::new(Script::AckFirst(4));
    let before = now_ms();
    let rep = ws.sync_once("far", &mut far, &SyncOptions { max_batches: 1, ..opts() }).await.unwrap();
    assert_eq!((rep.pushed, rep.acked, rep.failed, rep.quarantined), (10, 4, 6, 0), "{rep:?}");
    let d = deliveries(&dir);
    for (i, x) in d.iter().enumerate() {
        if i < 4 {
            assert_eq!(x.state, "acked", "{}", x.key);
        } else {
            // Unconfirmed: kept, counted as an attempt, held back for the backoff, never quarantined.
            assert_eq!((x.state.as_str(), x.attempts, x.class.as_deref()), ("failed", 1, Some("retryable")));
            assert!(x.next_attempt_ms >= before + 30_000, "backs off (±50 % of 60 s)");
        }
    }
    // Within the backoff a new run sends nothing.
    *far.script.lock().unwrap() = Script::All;
    let rep = ws.sync_once("far", &mut far, &opts()).await.unwrap();
    assert_eq!(rep.pushed, 0);
    backoff_passes(&dir);
    let rep = ws.sync_once("far", &mut far, &opts()).await.unwrap();
    assert_eq!((rep.pushed, rep.acked), (6, 6));
    assert!(deliveries(&dir).iter().all(|x| x.state == "acked"));
    // The 4 acked items were never sent again; the 6 others twice (left out, then acked).
    let received = far.received.lock().unwrap();
    assert_eq!(received.len(), 16);
    assert_eq!(far.stored.lock().unwrap().len(), 10);
}

#[tokio::test]
async fn a_rejection_is_per_item_retryable_backs_off_permanent_quarantines_auth_is_kept() {
    let (dir, ws) = setup();
    cases(&ws, 6);
    let keys: Vec<String> = deliveries(&dir).into_iter().map(|d| d.key).collect();
    let classes = HashMap::from([
        (keys[1].clone(), ErrorClass::Retryable),
        (keys[2].clone(), ErrorClass::Permanent),
        (keys[3].clone(), ErrorClass::Auth),
    ]);
    let mut far = Far::new(Script::Reject(classes));
    let rep = ws.sync_once("far", &mut far, &opts()).await.unwrap();
    assert_eq!((rep.acked, rep.failed, rep.quarantined), (3, 2, 1), "{rep:?}");
    let d = deliveries(&dir);
    let by_key: HashMap<&str, &Delivery> = d.iter().map(|x| (x.key.as_str(), x)).collect();
    let retry = by_key[keys[1].as_str()];
    assert_eq!((retry.state.as_str(), retry.class.as_deref(), retry.attempts), ("failed", Some("retryable"), 1));
    assert!(retry.next_attempt_ms > now_ms());
    let poison = by_key[keys[2].as_str()];
    assert_eq!((poison.state.as_str(), poison.class.as_deref()), ("quarantined", Some("permanent")));
    // `auth` on one item is not a credentials stop (that is an `error` reply): the item is kept
    // and retried after the backoff like a retryable one.
    let auth = by_key[keys[3].as_str()];
    assert_eq!((auth.state.as_str(), auth.class.as_deref()), ("pending", Some("auth")));
    assert!(auth.next_attempt_ms > now_ms());
    assert_ne!(adapter_state(&dir).0, "needs_operator");

    *far.script.lock().unwrap() = Script::All;
    backoff_passes(&dir);
    let rep = ws.sync_once("far", &mut far, &opts()).await.unwrap();
    assert_eq!(rep.acked, 2, "the retryable and the auth-rejected item; the quarantined one waits for an admin");
    let q = ws.deliveries(Some("far"), DeliveryState::Quarantined, 10).unwrap();
    assert_eq!(q.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), vec![keys[2].as_str()]);
}

#[tokio::test]
async fn an_error_reply_after_k_far_side_writes_resends_the_whole_batch_and_the_far_side_dedupes() {
    let (dir, ws) = setup();
    cases(&ws, 8);
    let mut far = Far::new(Script::WriteThenError(3));
    let rep = ws.sync_once("far", &mut far, &opts()).await.unwrap();
    assert_eq!((rep.acked, rep.failed), (0, 8));
    assert!(rep.stopped.as_deref().unwrap_or("").contains("中途失败"), "{rep:?}");
    let (state, class, _) = adapter_state(&dir);
    assert_eq!((state.as_str(), class.as_deref()), ("degraded", Some("retryable")));
    assert!(deliveries(&dir).iter().all(|x| x.state == "failed" && x.attempts == 1));
    *far.script.lock().unwrap() = Script::All;
    backoff_passes(&dir);
    let rep = ws.sync_once("far", &mut far, &opts()).await.unwrap();
    assert_eq!(rep.acked, 8);
    // All 8 were sent again, the 3 written before the failure included: the far side's dedupe
    // on the key is what keeps them single.
    assert_eq!(far.received.lock().unwrap().len(), 16);
    assert_eq!(far.stored.lock().unwrap().len(), 8);
    assert_eq!(adapter_state(&dir).0, "ok");
}

#[tokio::test]
async fn a_wrong_program_path_is_an_auth_start_failure_and_the_adapter_needs_an_operator() {
    let (dir, ws) = setup();
    cases(&ws, 2);
    let spec = ProcessSpec::new(vec!["/nonexistent/yc-adapter-missing.py".into()]);
    let started = ProcessAdapter::spawn("far", &spec, serde_json::json!({}));
    let err = started.as_ref().err().expect("a missing program cannot start");
    assert_eq!(err.class, ErrorClass::Auth);
    assert!(err.message.contains("/nonexistent/yc-adapter-missing.py"), "{}", err.message);
    let rep = ws.sync_started("far", started, &opts()).await.unwrap();
    assert_eq!(rep.pushed, 0);
    let (state, class, msg) = adapter_state(&dir);
    assert_eq!((state.as_str(), class.as_deref()), ("needs_operator", Some("auth")));
    assert!(msg.unwrap().contains("启动失败"));
    // Nothing was lost, tried or quarantined.
    assert!(deliveries(&dir).iter().all(|x| x.state == "pending" && x.attempts == 0));
}

#[tokio::test]
async fn wrong_answers_end_the_run_degraded_with_the_reason_and_lose_nothing() {
    let (dir, ws) = setup();
    let keys = cases(&ws, 4);
    assert_eq!(keys.len(), 4);
    let mut far = Far::new(Script::Wrong);
    let r = ws.sync_once("far", &mut far, &opts()).await.unwrap();
    assert_eq!((r.pushed, r.acked), (4, 0), "{r:?}");
    assert_eq!(r.state, AdapterState::Degraded, "not 'ok' when nothing was confirmed: {r:?}");
    let why = r.stopped.clone().unwrap_or_default();
    assert!(why.contains("对端未答复 3 项"), "{why}");
    assert!(why.contains("1 个本次未发送的键") && why.contains("never-sent-key"), "{why}");
    assert!(why.contains("既确认又拒绝"), "{why}");
    let (state, class, err) = adapter_state(&dir);
    assert_eq!((state.as_str(), class.as_deref()), ("degraded", Some("retryable")));
    assert!(err.unwrap_or_default().contains("适配器答复不完整"));
    // Nothing was taken as confirmed or quarantined: every item waits for a proper answer.
    assert!(deliveries(&dir).iter().all(|d| d.state == "failed"), "all retried later");

    *far.script.lock().unwrap() = Script::All;
    backoff_passes(&dir);
    let r = ws.sync_once("far", &mut far, &opts()).await.unwrap();
    assert_eq!((r.acked, r.state), (4, AdapterState::Ok), "{r:?}");
    assert!(deliveries(&dir).iter().all(|d| d.state == "acked"));
}
