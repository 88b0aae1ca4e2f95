//! The sync engine against an in-memory far side (a test double with fault injection): batching,
//! idempotency, per-case order, quarantine of a poison item, backoff, credentials errors, pulls
//! with cursors, and online applications becoming cases.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use yc_adapter_sdk::{
    Adapter, AdapterError, Capabilities, ErrorClass, Handshake, Health, HealthStatus, InItem, Origin, OutItem,
    PullPage, PushReport, Rejection,
};
use yc_core::case::{Action, Channel, Role};
use yc_core::sync::inbox::InboxState;
use yc_core::sync::outbox::DeliveryState;
use yc_core::sync::{AdapterState, SyncOptions};
use yc_core::{ActRequest, Clock, NewCase, Workstation};

#[derive(Default)]
struct FarState {
    /// key -> payload hash, as a real receiver dedupes (Stripe's rule).
    seen: HashMap<String, String>,
    /// case -> seqs in arrival order.
    per_case: BTreeMap<String, Vec<u64>>,
    received: usize,
    pushes: usize,
    inbox: Vec<InItem>,
    acked_cursor: Option<String>,
}

/// Test double of a far system. Faults: fail the next N pushes, refuse one poison key,
/// refuse credentials.
#[derive(Clone, Default)]
struct MemoryFarSide {
    state: Arc<Mutex<FarState>>,
    fail_next: Arc<Mutex<usize>>,
    poison: Option<String>,
    bad_credentials: bool,
    reject_whole_batch_with_poison: bool,
}

impl Adapter for MemoryFarSide {
    async fn hello(&mut self) -> Result<Handshake, AdapterError> {
        if self.bad_credentials {
            return Err(AdapterError::auth(Origin::FarSystem, "用户名或密码错误", "401"));
        }
        Ok(Handshake {
            protocol_version: yc_adapter_sdk::PROTOCOL_VERSION,
            name: "memory".into(),
            version: "1".into(),
            capabilities: Capabilities { push: true, pull: true, health: true, anchor: false, timestamp: false },
            streams: vec!["applications".into()],
            config_schema: serde_json::json!({}),
        })
    }

    async fn push(&mut self, batch: &[OutItem]) -> Result<PushReport, AdapterError> {
        {
            let mut f = self.fail_next.lock().unwrap();
            if *f > 0 {
                *f -= 1;
                return Err(AdapterError::retryable(Origin::Transport, "网络中断", "connection reset"));
            }
        }
        if self.reject_whole_batch_with_poison && batch.iter().any(|i| Some(&i.key) == self.poison.as_ref()) {
            return Err(AdapterError::permanent(Origin::FarSystem, "批次格式错误", "400"));
        }
        let mut s = self.state.lock().unwrap();
        s.pushes += 1;
        let mut rep = PushReport { acked: vec![], rejected: vec![] };
        for it in batch {
            assert!(it.hash_matches(), "payload hash must match");
            if Some(&it.key) == self.poison.as_ref() {
                rep.rejected.push(Rejection {
                    key: it.key.clone(),
                    class: ErrorClass::Permanent,
                    message: "申请人证件类型不被对端接受".into(),
                    detail: "E1001".into(),
                });
                continue;
            }
            match s.seen.get(&it.key) {
                Some(h) if *h != it.payload_sha256 => {
                    rep.rejected.push(Rejection {
                        key: it.key.clone(),
                        class: ErrorClass::Permanent,
                        message: "同一幂等键不同内容".into(),
                        detail: String::new(),
                    });
                    continue;
                }
                Some(_) => {}
                None => {
                    s.seen.insert(it.key.clone(), it.payload_sha256.clone());
                    s.received += 1;
                    if let Some(c) = &it.case_no {
                        s.per_case.entry(c.clone()).or_default().push(it.seq);
                    }
                }
            }
            rep.acked.push(it.key.clone());
        }
        Ok(rep)
    }

    async fn pull(&mut self, _stream: &str, cursor: Option<&str>, max: usize) -> Result<PullPage, AdapterError> {
        let s = self.state.lock().unwrap();
        let from: usize = cursor.and_then(|c| c.parse().ok()).unwrap_or(0);
        let items: Vec<InItem> = s.inbox.iter().skip(from).take(max).cloned().collect();
        let next = from + items.len();
        Ok(PullPage { items, next_cursor: Some(next.to_string()), rejected: vec![] })
    }

    async fn ack(&mut self, _stream: &str, cursor: &str) -> Result<(), AdapterError> {
        self.state.lock().unwrap().acked_cursor = Some(cursor.to_owned());
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
    let accounts = [("clerk", Role::Clerk), ("rev", Role::Reviewer)];
    let (ws, admin) = crate::support::staffed_with(dir.path(), "同步测试", "pw", clock, &accounts, None);
    crate::support::register_city(&ws, &admin, "city");
    (dir, ws)
}

fn person(i: u16) -> String {
    yc_core::ids::make_resident_id("440305", "1985-01-01".parse().unwrap(), i)
}

/// Files `n` cases and moves every other one two steps, so cases have 1–3 outbox items.
fn work(ws: &Workstation, n: u16) -> usize {
    let clerk = ws.actor("clerk").unwrap();
    let rev = ws.actor("rev").unwrap();
    let item = ws.catalog_items(None).unwrap().into_iter().find(|i| i.promised_limit_days > 0 && !i.secret).unwrap();
    let mut events = 0;
    for i in 0..n {
        let no = ws
            .new_case(
                &clerk,
                &NewCase {
                    item_code: item.code.clone(),
                    applicant_id: person(i + 1),
                    applicant_name: format!("人{i}"),
                    ..Default::default()
                },
            )
            .unwrap();
        events += 1;
        if i % 2 == 0 {
            ws.act(&clerk, &no, Action::Accept, &ActRequest::default()).unwrap();
            ws.act(&rev, &no, Action::StartReview, &ActRequest::default()).unwrap();
            events += 2;
        }
    }
    events
}

fn fast() -> SyncOptions {
    SyncOptions { batch: 7, backoff_base_ms: 1, backoff_max_ms: 2, ..Default::default() }
}

fn in_order(far: &FarState) -> bool {
    far.per_case.values().all(|seqs| seqs.windows(2).all(|w| w[0] < w[1]) && seqs.first() == Some(&1))
}

#[tokio::test]
async fn every_outbox_item_arrives_once_in_per_case_order_and_rerunning_is_safe() {
    let (_d, ws) = setup();
    let events = work(&ws, 30);
    let mut far = MemoryFarSide::default();
    let rep = ws.sync_once("city", &mut far, &fast()).await.unwrap();
    assert_eq!(rep.acked as usize, events);
    {
        let s = far.state.lock().unwrap();
        assert_eq!(s.received, events);
        assert!(in_order(&s));
        assert!(s.pushes >= events / 7, "batched: {} pushes", s.pushes);
    }
    let again = ws.sync_once("city", &mut far, &fast()).await.unwrap();
    assert_eq!(again.pushed, 0);
    let st = &ws.sync_status().unwrap()[0];
    assert_eq!((st.backlog.acked as usize, st.backlog.pending, st.state), (events, 0, AdapterState::Ok));
}

#[tokio::test]
async fn a_link_failure_backs_off_and_the_next_run_delivers_everything_without_duplicates() {
    let (_d, ws) = setup();
    let events = work(&ws, 10);
    let far = MemoryFarSide::default();
    *far.fail_next.lock().unwrap() = 1;
    let mut a = far.clone();
    let rep = ws.sync_once("city", &mut a, &fast()).await.unwrap();
    assert!(rep.stopped.as_deref().unwrap_or("").contains("网络中断"), "{rep:?}");
    let st = &ws.sync_status().unwrap()[0];
    assert_eq!(st.state, AdapterState::Degraded);
    assert!(st.backlog.failed > 0 && st.oldest_unacked_since.is_some());
    // Backoff is a few ms here; wait for it to pass on the real clock.
    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    let rep = ws.sync_once("city", &mut a, &fast()).await.unwrap();
    assert_eq!(rep.stopped, None);
    let s = far.state.lock().unwrap();
    assert_eq!(s.received, events);
    assert!(in_order(&s));
}

#[tokio::test]
async fn a_poison_item_is_quarantined_while_the_items_behind_it_arrive() {
    let (_d, ws) = setup();
    let events = work(&ws, 12);
    // The poison is the filing event of the first case: that case's later items must wait,
    // every other case goes through.
    let first = ws.deliveries(Some("city"), DeliveryState::Pending, 1).unwrap().remove(0);
    let mut far = MemoryFarSide { poison: Some(first.key.clone()), ..Default::default() };
    let rep = ws.sync_once("city", &mut far, &fast()).await.unwrap();
    assert_eq!(rep.quarantined, 1);
    let q = ws.deliveries(Some("city"), DeliveryState::Quarantined, 10).unwrap();
    assert_eq!(q.len(), 1);
    assert!(q[0].last_error.as_deref().unwrap().contains("证件类型"));
    let blocked_case = first.case_no.clone().unwrap();
    {
        let s = far.state.lock().unwrap();
        assert!(!s.per_case.contains_key(&blocked_case));
        let case_items = 3; // filed, accepted, review started (case 0 is an even one)
        assert_eq!(s.received, events - case_items);
    }
    // An admin retries after the far side is fixed: the case catches up, in order.
    let admin = ws.actor("admin").unwrap();
    ws.resolve_quarantine(&admin, "city", first.outbox_id, true, None).unwrap();
    far.poison = None;
    ws.sync_once("city", &mut far, &fast()).await.unwrap();
    let s = far.state.lock().unwrap();
    assert_eq!(s.per_case[&blocked_case], vec![1, 2, 3]);
    assert_eq!(s.received, events);
}

#[tokio::test]
async fn a_batch_refused_whole_is_bisected_until_the_poison_is_found() {
    let (_d, ws) = setup();
    let events = work(&ws, 8);
    let keys = ws.deliveries(Some("city"), DeliveryState::Pending, 100).unwrap();
    let poison = keys.iter().rev().find(|d| d.case_seq == 1).unwrap().clone();
    let mut far =
        MemoryFarSide { poison: Some(poison.key.clone()), reject_whole_batch_with_poison: true, ..Default::default() };
    let rep = ws.sync_once("city", &mut far, &SyncOptions { batch: 16, ..fast() }).await.unwrap();
    assert_eq!(rep.quarantined, 1, "{rep:?}");
    let q = ws.deliveries(Some("city"), DeliveryState::Quarantined, 10).unwrap();
    assert_eq!(q[0].key, poison.key);
    let blocked = events - keys.iter().filter(|d| d.case_no == poison.case_no).count();
    assert_eq!(far.state.lock().unwrap().received, blocked);
}

#[tokio::test]
async fn wrong_credentials_stop_the_run_and_ask_for_an_operator() {
    let (_d, ws) = setup();
    work(&ws, 3);
    let mut far = MemoryFarSide { bad_credentials: true, ..Default::default() };
    let rep = ws.sync_once("city", &mut far, &fast()).await.unwrap();
    assert!(rep.stopped.unwrap().contains("密码错误"));
    let st = &ws.sync_status().unwrap()[0];
    assert_eq!(st.state, AdapterState::NeedsOperator);
    assert_eq!(st.last_error_class, Some(yc_adapter_sdk::ErrorClass::Auth));
    assert_eq!(st.backlog.acked, 0);
    assert!(st.backlog.pending > 0, "nothing is lost or quarantined for a credentials problem");
}

#[tokio::test]
async fn online_applications_are_pulled_once_by_cursor_and_become_cases() {
    let (_d, ws) = setup();
    let item = ws.catalog_items(None).unwrap().into_iter().find(|i| i.online && !i.secret).unwrap();
    let mut far = MemoryFarSide::default();
    {
        let mut s = far.state.lock().unwrap();
        for i in 0..5u16 {
            s.inbox.push(InItem {
                key: format!("WS-2026-{i}"),
                stream: "applications".into(),
                kind: "application.online".into(),
                case_no: None,
                occurred_at: None,
                payload: serde_json::json!({ "item_code": item.code, "applicant_id": person(100 + i), "applicant_name": format!("网上{i}") }),
                payload_sha256: None,
                source: Some("portal".into()),
            });
        }
        // A malformed one: kept and shown, not dropped, and not blocking the rest.
        s.inbox.push(InItem {
            key: "WS-bad".into(),
            stream: "applications".into(),
            kind: "application.online".into(),
            case_no: None,
            occurred_at: None,
            payload: serde_json::json!({ "item_code": item.code, "applicant_id": "123", "applicant_name": "错号" }),
            payload_sha256: None,
            source: None,
        });
    }
    let rep = ws.sync_once("city", &mut far, &fast()).await.unwrap();
    assert_eq!((rep.pulled, rep.applied, rep.inbox_failed), (6, 5, 1));
    let online = ws
        .list_cases(&yc_core::query::ListFilter::default())
        .unwrap()
        .into_iter()
        .filter(|c| c.channel == Channel::Online)
        .count();
    assert_eq!(online, 5);
    let failed = ws.inbox_items(Some(InboxState::Failed), 10).unwrap();
    assert_eq!(failed[0].key, "WS-bad");
    assert_eq!(far.state.lock().unwrap().acked_cursor.as_deref(), Some("6"));
    // Pulling again from the saved cursor brings nothing new and creates no duplicate case.
    let rep = ws.sync_once("city", &mut far, &fast()).await.unwrap();
    assert_eq!(rep.pulled, 0);
    let online2 = ws
        .list_cases(&yc_core::query::ListFilter::default())
        .unwrap()
        .into_iter()
        .filter(|c| c.channel == Channel::Online)
        .count();
    assert_eq!(online2, 5);
}

#[tokio::test]
async fn an_interrupted_push_is_resent_and_deduplicated_by_the_far_side() {
    let (dir, ws) = setup();
    let events = work(&ws, 6);
    // Simulate a run killed after marking a batch 'sending' (the far side may have got it).
    let mut far = MemoryFarSide::default();
    ws.sync_once("city", &mut far, &SyncOptions { max_batches: 1, ..fast() }).await.unwrap();
    let c = rusqlite::Connection::open(dir.path().join("yichuang.db")).unwrap();
    c.execute(
        "UPDATE outbox_delivery SET state = 'sending' WHERE rowid IN (SELECT rowid FROM outbox_delivery LIMIT 3)",
        [],
    )
    .unwrap();
    drop(c);
    ws.sync_once("city", &mut far, &fast()).await.unwrap();
    let s = far.state.lock().unwrap();
    assert_eq!(s.received, events);
    assert!(in_order(&s));
    assert_eq!(ws.sync_status().unwrap()[0].backlog.acked as usize, events);
}

#[tokio::test]
async fn a_status_query_is_answered_through_the_outbox() {
    let (_d, ws) = setup();
    work(&ws, 1);
    let case_no = ws.list_cases(&yc_core::query::ListFilter::default()).unwrap()[0].case_no.clone();
    let mut far = MemoryFarSide::default();
    far.state.lock().unwrap().inbox.push(InItem {
        key: "Q-1".into(),
        stream: "applications".into(),
        kind: "status.query".into(),
        case_no: Some(case_no.clone()),
        occurred_at: None,
        payload: serde_json::json!({}),
        payload_sha256: None,
        source: None,
    });
    ws.sync_once("city", &mut far, &fast()).await.unwrap();
    // The reply was queued after the push; the next run delivers it.
    ws.sync_once("city", &mut far, &fast()).await.unwrap();
    let rows = ws.inbox_items(Some(InboxState::Applied), 10).unwrap();
    assert!(rows[0].result.as_deref().unwrap().contains(&case_no));
    let s = far.state.lock().unwrap();
    assert!(s.seen.keys().any(|k| k.starts_with("status:city:")), "{:?}", s.seen.keys().collect::<Vec<_>>());
}
