//! Push throughput (items/s), each adapter against its loopback simulator, with a baseline
//! measured in the same run: a raw reqwest POST loop sending the same rows in the same batches
//! to the same simulator. The ratio (adapter / raw) is what a noisy, shared machine cannot
//! hide. Targets: city-extranet ≥ 5,000 items/s and ratio ≥ 0.5.
//!
//! A process adapter's cost is measured the same way: an in-memory adapter
//! (`yc_adapter_sdk::serve::MemoryAdapter`) pushed to in-process through the `Adapter` trait, and
//! the same adapter served over stdin/stdout (`serve::serve_stdio`) by this very bench binary
//! started as a child (`YC_BENCH_SERVE_MEMORY=1`) and driven through `ProcessAdapter`: the ratio is
//! what the JSON-lines protocol and the pipe cost per item.
//!
//! `CARGO_TARGET_DIR=… cargo bench -p yc-adapters`

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use yc_adapter_sdk::serve::{MemoryAdapter, serve_stdio};
use yc_adapter_sdk::{Adapter, OutItem, ProcessAdapter, ProcessSpec};
use yc_adapters::city_extranet::{CityExtranet, CityExtranetConfig};
use yc_adapters::file_drop::{self, FileDrop, FileDropConfig};
use yc_adapters::vertical_xml::{VerticalXml, VerticalXmlConfig};
use yc_sim::SimConfig;

const N: usize = 20_000;
const BATCH: usize = 500;
const RUNS: usize = 3;
/// Set in the child: serve the in-memory adapter on stdin/stdout instead of benchmarking.
const SERVE_ENV: &str = "YC_BENCH_SERVE_MEMORY";

fn items(run: usize) -> Vec<OutItem> {
    (0..N)
        .map(|i| {
            OutItem::new(
                format!("R{run}-{i:06}"),
                "cases",
                Some(format!("BJ{:05}", i % 500)),
                (i / 500) as u64 + 1,
                "case.accepted",
                "2026-11-23T09:30:00+08:00",
                serde_json::json!({"申请人": "张三", "事项编码": "11100000000000000X", "窗口": "综合窗口3", "i": i}),
            )
        })
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

async fn city_adapter(run: usize) -> f64 {
    let (addr, sim) = yc_sim::city::spawn(SimConfig::default()).await.expect("sim");
    let mut cfg = CityExtranetConfig::new(format!("http://{addr}"), "WS01");
    cfg.batch_size = BATCH;
    let mut a = CityExtranet::new(cfg).expect("adapter");
    let batch = items(run);
    let t = Instant::now();
    let r = a.push(&batch).await.expect("push");
    let d = t.elapsed();
    assert_eq!(r.acked.len(), N);
    assert_eq!(sim.stats().stored, N as u64);
    rate(N, d)
}

async fn city_raw(run: usize) -> f64 {
    let (addr, sim) = yc_sim::city::spawn(SimConfig::default()).await.expect("sim");
    let client = reqwest::Client::new();
    let batch = items(run + 100);
    let url = format!("http://{addr}/api/v1/items:batch");
    let t = Instant::now();
    for (n, chunk) in batch.chunks(BATCH).enumerate() {
        let rows: Vec<serde_json::Value> = chunk
            .iter()
            .map(|i| {
                serde_json::json!({"row_id": i.key, "operation": "I", "kind": i.kind, "stream": i.stream,
                    "case_no": i.case_no, "seq": i.seq, "operate_time": i.occurred_at,
                    "payload": i.payload, "payload_sha256": i.payload_sha256})
            })
            .collect();
        let body = serde_json::json!({"batch_no": format!("RAW-{n}"), "source": "WS01",
            "sent_at": "2026-11-23T09:30:00+08:00", "rows": rows});
        let resp = client.post(&url).json(&body).send().await.expect("post");
        assert!(resp.status().is_success());
        let _ = resp.bytes().await.expect("body");
    }
    let d = t.elapsed();
    assert_eq!(sim.stats().stored, N as u64);
    rate(N, d)
}

async fn vertical(run: usize) -> f64 {
    let (addr, dept) = yc_sim::dept::spawn(SimConfig::default()).await.expect("sim");
    let mut cfg = VerticalXmlConfig::new(format!("http://{addr}/ws/exchange"), "WS01");
    cfg.batch_size = BATCH;
    let mut a = VerticalXml::new(cfg).expect("adapter");
    let batch = items(run);
    let t = Instant::now();
    let r = a.push(&batch).await.expect("push");
    let d = t.elapsed();
    assert_eq!(r.acked.len(), N);
    assert_eq!(dept.stats().stored, N as u64);
    rate(N, d)
}

async fn filedrop(run: usize) -> f64 {
    let dir = tempfile::tempdir().expect("tmp");
    let key = dir.path().join("key.pk8");
    file_drop::generate_key(&key).expect("key");
    let mut a = FileDrop::new(FileDropConfig {
        workstation_id: "WS01".into(),
        outbox_dir: dir.path().join("out"),
        inbox_dir: dir.path().join("in"),
        key_file: key,
        state_dir: dir.path().join("state"),
        trusted_keys: BTreeMap::new(),
        max_items_per_packet: 1000,
    })
    .expect("adapter");
    let batch = items(run);
    let t = Instant::now();
    let r = a.push(&batch).await.expect("push");
    let d = t.elapsed();
    assert_eq!(r.acked.len(), N);
    rate(N, d)
}

async fn memory_in_process(run: usize) -> f64 {
    let mut a = MemoryAdapter::default();
    a.hello().await.expect("hello");
    let batch = items(run);
    let t = Instant::now();
    let mut acked = 0;
    for chunk in batch.chunks(BATCH) {
        acked += a.push(chunk).await.expect("push").acked.len();
    }
    let d = t.elapsed();
    assert_eq!((acked, a.held.len()), (N, N));
    rate(N, d)
}

async fn memory_process(run: usize) -> f64 {
    let exe = std::env::current_exe().expect("bench binary path");
    let mut spec = ProcessSpec::new(vec![exe.to_string_lossy().into_owned()]);
    spec.env.insert(SERVE_ENV.into(), "1".into());
    let mut a = ProcessAdapter::spawn("bench-memory", &spec, serde_json::json!({})).expect("spawn");
    a.hello().await.expect("hello");
    let batch = items(run);
    let t = Instant::now();
    let mut acked = 0;
    for chunk in batch.chunks(BATCH) {
        acked += a.push(chunk).await.expect("push").acked.len();
    }
    let d = t.elapsed();
    a.shutdown().await.expect("shutdown");
    assert_eq!(acked, N);
    rate(N, d)
}

fn main() {
    if std::env::var_os(SERVE_ENV).is_some() {
        serve_stdio(|_: &serde_json::Value| Ok(MemoryAdapter::default())).expect("serve");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("rt");
    rt.block_on(async {
        // Warm-up (connection pools, allocator).
        let _ = city_adapter(99).await;
        let _ = city_raw(99).await;
        let _ = memory_process(99).await;
        let (mut adapter, mut raw, mut soap, mut drop_) = (vec![], vec![], vec![], vec![]);
        let (mut mem, mut proc_) = (vec![], vec![]);
        for run in 0..RUNS {
            mem.push(memory_in_process(run).await);
            proc_.push(memory_process(run).await);
            adapter.push(city_adapter(run).await);
            raw.push(city_raw(run).await);
            soap.push(vertical(run).await);
            drop_.push(filedrop(run).await);
        }
        let (a, r) = (median(adapter), median(raw));
        println!("push throughput, {N} items, batches of {BATCH}, median of {RUNS} runs (items/s):");
        println!("  city-extranet adapter      {a:>10.0}");
        println!("  raw reqwest POST loop      {r:>10.0}   (same rows, same batches, same simulator)");
        println!("  ratio adapter/raw          {:>10.2}   (target >= 0.5)", a / r);
        println!("  vertical-xml (SOAP 1.1)    {:>10.0}", median(soap));
        println!("  file-drop (1000/packet)    {:>10.0}", median(drop_));
        println!("  city target >= 5000 items/s: {}", if a >= 5000.0 { "met" } else { "NOT met" });
        let (m, p) = (median(mem), median(proc_));
        println!("process adapter (in-memory far side, same adapter both ways):");
        println!("  in-process (Adapter trait)     {m:>10.0}");
        println!("  process (JSON lines on stdio)  {p:>10.0}   (child serves it with serve::serve_stdio)");
        println!(
            "  ratio process/in-process       {:>10.4}   ({:.1} µs protocol cost per item)",
            p / m,
            1e6 / p - 1e6 / m
        );
    });
}
