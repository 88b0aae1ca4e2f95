//! city-extranet adapter against the city simulator on loopback.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use yc_adapter_sdk::conformance::{self, Started, Target};
use yc_adapter_sdk::{Adapter, AdapterError, ErrorClass, HealthStatus, Origin, OutItem};
use yc_adapters::city_extranet::{CityExtranet, CityExtranetConfig};
use yc_sim::{FaultConfig, SimConfig, SimHandle};

fn items(n: usize, cases: usize) -> Vec<OutItem> {
    let mut seqs: HashMap<usize, u64> = HashMap::new();
    (0..n)
        .map(|i| {
            let case = i % cases;
            let seq = seqs.entry(case).or_insert(0);
            *seq += 1;
            OutItem::new(
                format!("WS01-{i:06}"),
                "cases",
                Some(format!("BJ2026{case:05}")),
                *seq,
                if *seq == 1 { "case.filed" } else { "case.accepted" },
                "2026-11-23T09:30:00+08:00",
                serde_json::json!({"申请人": format!("申请人{i}"), "事项编码": "11100000000000000X", "i": i}),
            )
        })
        .collect()
}

fn adapter(addr: std::net::SocketAddr) -> CityExtranet {
    let mut cfg = CityExtranetConfig::new(format!("http://{addr}"), "WS01");
    cfg.request_timeout_ms = 5_000;
    CityExtranet::new(cfg).unwrap()
}

/// The simple retry loop the test needs (the engine in core owns the real one): push what is
/// still unconfirmed, in order, until everything is acked.
async fn push_until_acked(a: &mut CityExtranet, all: &[OutItem]) -> (usize, usize) {
    let mut pending: VecDeque<OutItem> = all.iter().cloned().collect();
    let (mut calls, mut errors) = (0, 0);
    while !pending.is_empty() {
        calls += 1;
        assert!(calls < 10_000, "no progress");
        let batch: Vec<OutItem> = pending.iter().cloned().collect();
        match a.push(&batch).await {
            Ok(r) => {
                assert!(r.rejected.is_empty(), "unexpected rejection: {:?}", r.rejected);
                let acked: std::collections::HashSet<String> = r.acked.into_iter().collect();
                pending.retain(|i| !acked.contains(&i.key));
            }
            Err(e) => {
                assert_eq!(e.class, ErrorClass::Retryable, "{e}: {}", e.detail);
                errors += 1;
            }
        }
    }
    (calls, errors)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_items_arrive_exactly_once_in_case_order_despite_faults() {
    let faults = FaultConfig {
        latency_ms: 0,
        fail_rate: 0.10,
        drop_rate: 0.05,
        dup_ack_rate: 0.05,
        malformed_rate: 0.05,
        seed: 42,
    };
    let (addr, sim) = yc_sim::city::spawn(SimConfig { faults, ..Default::default() }).await.unwrap();
    // Small batches: more requests, so every kind of fault gets drawn.
    let mut cfg = CityExtranetConfig::new(format!("http://{addr}"), "WS01");
    cfg.batch_size = 100;
    let mut a = CityExtranet::new(cfg).unwrap();
    let all = items(10_000, 200);
    let (calls, errors) = push_until_acked(&mut a, &all).await;

    let stats: yc_sim::Stats = reqwest::get(format!("http://{addr}/_sim/stats")).await.unwrap().json().await.unwrap();
    assert_eq!(stats.stored, 10_000, "{stats:?}");
    assert_eq!(stats.order_violations, 0);
    assert_eq!(stats.conflicts + stats.hash_mismatches, 0);
    assert_eq!(stats.cases, 200);
    // Every kind of fault really happened, and duplicates were re-sent and absorbed.
    assert!(stats.faults.failed > 0 && stats.faults.dropped > 0, "{stats:?}");
    assert!(stats.faults.dup_acked > 0 && stats.faults.malformed > 0, "{stats:?}");
    assert!(stats.duplicates > 0, "{stats:?}");
    assert!(errors > 0 && calls > errors);
    for case in 0..200 {
        let seqs = sim.case_seqs(&format!("BJ2026{case:05}"));
        assert_eq!(seqs, (1..=50).collect::<Vec<u64>>(), "case {case}");
    }
    for item in all.iter().step_by(97) {
        assert_eq!(sim.held("WS01", &item.key), 1);
    }
}

#[tokio::test]
async fn same_key_with_a_different_payload_is_rejected_as_permanent() {
    let (addr, sim) = yc_sim::city::spawn(SimConfig::default()).await.unwrap();
    let mut a = adapter(addr);
    let original = items(1, 1);
    assert_eq!(a.push(&original).await.unwrap().acked.len(), 1);
    assert_eq!(a.push(&original).await.unwrap().acked.len(), 1, "same payload is acked again");
    let mut changed = original.clone();
    changed[0].payload = serde_json::json!({"申请人": "李四"});
    changed[0].payload_sha256 = yc_adapter_sdk::payload_sha256(&changed[0].payload);
    let r = a.push(&changed).await.unwrap();
    assert!(r.acked.is_empty());
    assert_eq!(r.rejected[0].class, ErrorClass::Permanent);
    assert!(r.rejected[0].detail.contains("IDEMPOTENCY_CONFLICT"));
    assert_eq!(sim.stats().stored, 1);
}

#[tokio::test]
async fn tampered_payload_hash_is_rejected_per_row_without_blocking_the_batch() {
    let (addr, _sim) = yc_sim::city::spawn(SimConfig::default()).await.unwrap();
    let mut a = adapter(addr);
    let mut batch = items(3, 3);
    batch[1].payload_sha256 = "0".repeat(64);
    let r = a.push(&batch).await.unwrap();
    assert_eq!(r.acked, vec![batch[0].key.clone(), batch[2].key.clone()]);
    assert_eq!(r.rejected.len(), 1);
    assert!(r.rejected[0].detail.contains("HASH_MISMATCH"));
}

#[tokio::test]
async fn missing_token_is_an_auth_error_from_the_far_system() {
    let cfg = SimConfig { token: Some("t0ken".into()), ..Default::default() };
    let (addr, _sim) = yc_sim::city::spawn(cfg).await.unwrap();
    let mut a = adapter(addr);
    let err = a.push(&items(1, 1)).await.unwrap_err();
    assert_eq!((err.class, err.origin), (ErrorClass::Auth, Origin::FarSystem));
    assert!(err.message.contains("HTTP 401"), "{err}");
    let mut cfg = CityExtranetConfig::new(format!("http://{addr}"), "WS01");
    cfg.token = Some("t0ken".into());
    let mut ok = CityExtranet::new(cfg).unwrap();
    assert_eq!(ok.push(&items(1, 1)).await.unwrap().acked.len(), 1);
}

#[tokio::test]
async fn slow_platform_trips_the_request_timeout_as_a_retryable_transport_error() {
    let faults = FaultConfig { latency_ms: 1_000, ..Default::default() };
    let (addr, _sim) = yc_sim::city::spawn(SimConfig { faults, ..Default::default() }).await.unwrap();
    let mut cfg = CityExtranetConfig::new(format!("http://{addr}"), "WS01");
    cfg.request_timeout_ms = 200;
    let mut a = CityExtranet::new(cfg).unwrap();
    let err = a.push(&items(1, 1)).await.unwrap_err();
    assert_eq!((err.class, err.origin), (ErrorClass::Retryable, Origin::Transport));
    assert!(err.message.contains("超时"), "{err}");
}

#[tokio::test]
async fn oversized_answer_is_refused_with_a_clear_error() {
    let (addr, _sim) = yc_sim::city::spawn(SimConfig::default()).await.unwrap();
    let mut cfg = CityExtranetConfig::new(format!("http://{addr}"), "WS01");
    cfg.max_response_bytes = 200;
    let mut a = CityExtranet::new(cfg).unwrap();
    let err = a.push(&items(20, 2)).await.unwrap_err();
    assert!(err.message.contains("应答超过上限 200 字节"), "{err}");
}

#[tokio::test]
async fn unreachable_platform_reports_down_health_and_retryable_push() {
    // Bind then drop a listener to get a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut cfg = CityExtranetConfig::new(format!("http://127.0.0.1:{port}"), "WS01");
    cfg.connect_timeout_ms = 500;
    let mut a = CityExtranet::new(cfg).unwrap();
    assert_eq!(a.health().await.unwrap().status, HealthStatus::Down);
    let err = a.push(&items(1, 1)).await.unwrap_err();
    assert_eq!((err.class, err.origin), (ErrorClass::Retryable, Origin::Transport));
}

struct CityTarget {
    addr: std::net::SocketAddr,
    sim: SimHandle,
}

impl Target for CityTarget {
    type Adapter = CityExtranet;
    async fn start(&self, _liveness: Duration) -> Result<Started<CityExtranet>, AdapterError> {
        Ok(Started { adapter: adapter(self.addr), kill: None })
    }
    fn far_count(&self, key: &str) -> Option<usize> {
        Some(self.sim.held("WS01", key))
    }
    fn inbox(&self) -> Option<(String, usize)> {
        Some(("applications.online".into(), 30))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn city_adapter_passes_the_conformance_kit_including_cursor_resume() {
    let (addr, sim) = yc_sim::city::spawn(SimConfig::default()).await.unwrap();
    let seed: Vec<serde_json::Value> = (1..=30)
        .map(|n| {
            serde_json::json!({"row_id": format!("APP-{n}"), "kind": "application.online",
            "stream": "applications.online", "payload": {"n": n}})
        })
        .collect();
    sim.seed_inbox("applications.online", seed);
    let target = CityTarget { addr, sim };
    let report = conformance::run(&target).await;
    assert!(report.passed(), "{}", report.to_text());
    // The city platform runs a TSA: announced, so the kit sent a request through and it passed.
    assert!(report.case("timestamp").unwrap().passed(), "{}", report.to_text());
    let mut a = adapter(addr);
    a.ack("applications.online", "o:30").await.unwrap();
}
