//! Fuzzing (issue 13 part 4) as proptest over bytes: protocol lines both ways — what the host
//! reads from an adapter (the reply decoders, and whole stdout streams through a real
//! `ProcessAdapter`), what an adapter built on `serve` reads from the host — and the defensive XML
//! reader. Arbitrary bytes and mutations of valid samples; each must return in bounded time with a
//! typed error carrying a Chinese message, never panic. The corpus in
//! `tests/fuzz-corpus/<target>/` runs first as fixed cases. `YC_FUZZ_CASES` scales the case
//! counts (`make fuzz`); docs/fuzzing.md.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use proptest::prelude::*;
use yc_adapter_sdk::protocol::{
    AnchorReply, Envelope, ErrorReply, HealthReply, HelloReply, PROTOCOL_VERSION, PullReply, PushReply,
};
use yc_adapter_sdk::serve::{MemoryAdapter, ServeOptions, serve};
use yc_adapter_sdk::{
    Adapter, Capabilities, ErrorClass, HeadReceipt, HealthStatus, InItem, OutItem, ProcessAdapter, ProcessSpec,
    PushReport, Rejection, xml,
};

// ---- shared helpers (the same shape in every crate's fuzz.rs) -------------------------------

/// Case count: `default` in `make test`; `YC_FUZZ_CASES` (`make fuzz`) divided by `slow` for the
/// targets that are slow per case. (`PROPTEST_CASES` overrides every target alike: proptest
/// applies it over any configuration.)
fn cases(default: u32, slow: u32) -> ProptestConfig {
    let n = std::env::var("YC_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .map_or(default, |n| (n / slow.max(1)).max(default.min(n)));
    ProptestConfig { cases: n, ..ProptestConfig::default() }
}

/// How long one call may take before it counts as a hang (debug build, 2 busy cores).
const BOUND: Duration = Duration::from_secs(20);

/// Runs `f` on its own thread and fails (naming the input) if it panics or outlives [`BOUND`].
fn bounded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(BOUND) {
        Ok(v) => {
            let _ = handle.join();
            v
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("hang: no answer within {BOUND:?} for {what}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let _ = handle.join();
            panic!("panic for {what}")
        }
    }
}

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn preview(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let s: String = s.chars().take(300).collect();
    format!("{s:?}")
}

/// One edit of a valid sample.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(prop::sample::Index, u8),
    Set(prop::sample::Index, u8),
    Truncate(prop::sample::Index),
    Insert(prop::sample::Index, Vec<u8>),
    Delete(prop::sample::Index, usize),
    /// A span copied right after itself: duplicated fields, lines, elements.
    Duplicate(prop::sample::Index, usize),
}

fn mutation(tokens: &'static [&'static str]) -> impl Strategy<Value = Mutation> {
    let token = prop::sample::select(tokens).prop_map(|t| t.as_bytes().to_vec());
    prop_oneof![
        (any::<prop::sample::Index>(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        (any::<prop::sample::Index>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<prop::sample::Index>(), token).prop_map(|(i, t)| Mutation::Insert(i, t)),
        (any::<prop::sample::Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<prop::sample::Index>(), 1usize..200).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn apply(sample: &[u8], edits: &[Mutation]) -> Vec<u8> {
    let mut b = sample.to_vec();
    for m in edits {
        let at = |i: &prop::sample::Index, len: usize| if len == 0 { 0 } else { i.index(len) };
        match m {
            Mutation::Flip(i, bit) if !b.is_empty() => {
                let p = at(i, b.len());
                b[p] ^= 1 << bit;
            }
            Mutation::Set(i, v) if !b.is_empty() => {
                let p = at(i, b.len());
                b[p] = *v;
            }
            Mutation::Truncate(i) => b.truncate(at(i, b.len())),
            Mutation::Insert(i, bytes) => {
                let p = at(i, b.len() + 1);
                b.splice(p..p, bytes.iter().copied());
            }
            Mutation::Delete(i, n) if !b.is_empty() => {
                let p = at(i, b.len());
                b.drain(p..(p + n).min(b.len()));
            }
            Mutation::Duplicate(i, n) if !b.is_empty() => {
                let p = at(i, b.len());
                let span = b[p..(p + n).min(b.len())].to_vec();
                let end = p + span.len();
                b.splice(end..end, span);
            }
            _ => {}
        }
    }
    b
}

/// A valid sample with 1–4 edits, or arbitrary bytes (about one case in five).
fn input(sample: &'static [u8], tokens: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(mutation(tokens), 1..5).prop_map(move |m| apply(sample, &m)),
        1 => prop::collection::vec(any::<u8>(), 0..512),
    ]
}

/// The files of `tests/fuzz-corpus/<target>/`, by name.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fuzz-corpus").join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()))
        .map(|e| {
            let p = e.unwrap().path();
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "empty corpus {}", dir.display());
    out
}

const JSON_TOKENS: &[&str] = &[
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\n",
    "\r\n",
    "null",
    "-1",
    "0",
    "1e999",
    "18446744073709551616",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\u{2028}",
    "\u{feff}",
    "😀",
    "\"type\":\"error\",",
    "\"type\":\"progress\",",
    "\"type\":\"log\",",
    "\"id\":1,",
    "\"id\":2,",
    "\"id\":3,",
    "\"protocol_version\":2,",
    "{\"type\":\"shutdown\",\"id\":9}\n",
    "{\"type\":\"hello\",\"id\":1,\"protocol_version\":1,\"host\":{\"name\":\"h\",\"version\":\"0\"},\"config\":{}}\n",
];

fn item(key: &str, seq: u64) -> OutItem {
    OutItem::new(
        key,
        "cases",
        Some("C1".into()),
        seq,
        "case.filed",
        "2026-11-23T09:00:00+08:00",
        serde_json::json!({"申请人": "王五", "备注": "甲\u{2028}乙", "n": seq}),
    )
}

fn batch() -> Vec<OutItem> {
    vec![item("k1", 1), item("k2", 2), item("k3", 3)]
}

fn line(kind: &str, body: &impl serde::Serialize) -> String {
    let mut v = serde_json::to_value(body).unwrap();
    v.as_object_mut().unwrap().insert("type".into(), kind.into());
    format!("{v}\n")
}

// ---- adapter → host: the reply decoders ------------------------------------------------------

/// What a well-behaved adapter writes for hello (1), push (2), pull (3), health (4), with a log
/// and a progress line in between.
fn adapter_stdout() -> &'static [u8] {
    static S: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let hello = HelloReply {
            id: 1,
            protocol_version: PROTOCOL_VERSION,
            name: "fuzz".into(),
            version: "1.0".into(),
            capabilities: Capabilities { push: true, pull: true, health: true, anchor: true },
            streams: vec!["inbox".into()],
            config_schema: serde_json::json!({"type": "object"}),
        };
        let rej = Rejection {
            key: "k2".into(),
            class: ErrorClass::Permanent,
            message: "对端拒收".into(),
            detail: String::new(),
        };
        let push = PushReply { id: 2, acked: vec!["k1".into(), "k3".into()], rejected: vec![rej] };
        let pull = PullReply {
            id: 3,
            items: vec![InItem {
                key: "in-1".into(),
                stream: "inbox".into(),
                kind: "dept.reply".into(),
                case_no: Some("C1".into()),
                occurred_at: Some("2026-11-23T10:00:00+08:00".into()),
                payload: serde_json::json!({"结果": "同意"}),
                payload_sha256: None,
                source: None,
            }],
            next_cursor: Some("1".into()),
            rejected: Vec::new(),
        };
        let health = HealthReply { id: 4, status: HealthStatus::Ok, message: "正常".into() };
        let mut out = line("hello", &hello);
        out.push_str(&line("log", &serde_json::json!({"message": "pushing"})));
        out.push_str(&line("progress", &serde_json::json!({"id": 2, "done": 1})));
        out.push_str(&line("push_result", &push));
        out.push_str(&line("pull_result", &pull));
        out.push_str(&line("health_result", &health));
        out.into_bytes()
    })
}

fn anchor_line() -> &'static [u8] {
    static S: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let receipt = HeadReceipt {
            far_side: "city".into(),
            workstation: "440399-W01".into(),
            seq: 7,
            hash: "ab".repeat(32),
            received_at: "2026-11-23T10:00:00+08:00".into(),
            public_key: "cd".repeat(32),
            signature: "ef".repeat(64),
            signatures_checked: true,
        };
        line("anchor_result", &AnchorReply::new(5, yc_adapter_sdk::AnchorAnswer::signed(receipt))).into_bytes()
    })
}

/// Every line through the host's decoders as `ProcessAdapter` applies them: JSON, the envelope,
/// then the reply type; push outcomes through `sanitize_report`.
fn decode_lines(bytes: &[u8]) {
    let batch = batch();
    for raw in bytes.split(|b| *b == b'\n') {
        let Ok(text) = std::str::from_utf8(raw) else { continue };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else { continue };
        let Ok(env) = serde_json::from_value::<Envelope>(value.clone()) else { continue };
        let v = || value.clone();
        match env.kind.as_str() {
            "hello" => drop(serde_json::from_value::<HelloReply>(v())),
            "push_result" => {
                if let Ok(r) = serde_json::from_value::<PushReply>(v()) {
                    let (clean, problems) = yc_adapter_sdk::process::sanitize_report(
                        &batch,
                        PushReport { acked: r.acked, rejected: r.rejected },
                    );
                    assert!(clean.acked.iter().all(|k| batch.iter().any(|i| &i.key == k)), "acked a key never sent");
                    assert!(problems.iter().all(|p| has_chinese(p)), "{problems:?}");
                }
            }
            "pull_result" => drop(serde_json::from_value::<PullReply>(v())),
            "anchor_result" => drop(serde_json::from_value::<AnchorReply>(v())),
            "health_result" => drop(serde_json::from_value::<HealthReply>(v())),
            "error" => drop(serde_json::from_value::<ErrorReply>(v())),
            _ => {}
        }
    }
}

fn check_decode(bytes: Vec<u8>) -> Result<(), String> {
    let what = preview(&bytes);
    bounded(&what.clone(), move || decode_lines(&bytes));
    Ok(())
}

// ---- adapter → host: whole stdout streams through a real ProcessAdapter ---------------------

/// `messages` of the `error` lines in a stream: the host passes an adapter's own error message
/// through (its language is the adapter's business).
fn adapter_error_messages(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|b| *b == b'\n')
        .filter_map(|l| serde_json::from_slice::<serde_json::Value>(l).ok())
        .filter(|v| v["type"] == "error")
        .filter_map(|v| v["message"].as_str().map(str::to_string))
        .collect()
}

/// An "adapter" that writes `bytes` to stdout whatever it is asked, lingers a moment, exits.
async fn host_reads(bytes: Vec<u8>) -> Result<usize, String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stdout.bin");
    std::fs::write(&file, &bytes).unwrap();
    let script = r#"cat "$0"; sleep 0.05"#;
    let mut spec = ProcessSpec::new(vec!["sh".into(), "-c".into(), script.into(), file.display().to_string()]);
    spec.liveness_timeout_ms = 5_000;
    spec.startup_timeout_ms = 5_000;
    spec.run_timeout_ms = 10_000;
    let passthrough = adapter_error_messages(&bytes);
    let ok_message = |m: &str| has_chinese(m) || passthrough.iter().any(|p| p == m);
    let mut a = ProcessAdapter::spawn("fuzz", &spec, serde_json::json!({})).map_err(|e| e.to_string())?;
    let batch = batch();
    let run = async {
        let mut errors = Vec::new();
        match a.hello().await {
            Err(e) => errors.push(e),
            Ok(hs) => {
                if hs.protocol_version != PROTOCOL_VERSION {
                    return Err(format!("accepted protocol version {}", hs.protocol_version));
                }
                match a.push(&batch).await {
                    Ok(r) => {
                        if let Some(k) = r.acked.iter().find(|k| !batch.iter().any(|i| &i.key == *k)) {
                            return Err(format!("acked key {k} never sent"));
                        }
                    }
                    Err(e) => errors.push(e),
                }
                match a.pull("inbox", None, 10).await {
                    Ok(p) if p.items.len() > 10 => return Err("more items than asked".into()),
                    Ok(_) => {}
                    Err(e) => errors.push(e),
                }
                if let Err(e) = a.health().await {
                    errors.push(e);
                }
            }
        }
        for e in &errors {
            if !ok_message(&e.message) {
                return Err(format!("error without a Chinese message: {e:?}"));
            }
        }
        let _ = a.shutdown().await;
        Ok(errors.len())
    };
    match tokio::time::timeout(BOUND, run).await {
        Ok(r) => r,
        Err(_) => Err(format!("hang: the host did not finish within {BOUND:?}")),
    }
}

/// The number of requests that failed (each with a clear error).
fn check_host(bytes: Vec<u8>) -> Result<usize, String> {
    let what = preview(&bytes);
    // One runtime for every case (and the corpus test).
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    let rt =
        RT.get_or_init(|| tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap());
    rt.block_on(host_reads(bytes)).map_err(|e| format!("{e} — stdout {what}"))
}

#[test]
fn adapter_line_corpus_and_sample() {
    decode_lines(adapter_stdout());
    decode_lines(anchor_line());
    assert_eq!(check_host(adapter_stdout().to_vec()), Ok(0), "the valid sample answers every request");
    for (name, bytes) in corpus("adapter-lines") {
        check_decode(bytes.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        check_host(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

// ---- host → adapter: `serve` over any reader -------------------------------------------------

fn host_input() -> &'static [u8] {
    static S: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let hello =
            r#"{"type":"hello","id":1,"protocol_version":1,"host":{"name":"yichuang","version":"0"},"config":{}}"#;
        let push = serde_json::json!({"type": "push", "id": 2, "items": batch()});
        let pull = r#"{"type":"pull","id":3,"stream":"inbox","cursor":"1","max":2}"#;
        let ack = r#"{"type":"ack","id":4,"stream":"inbox","cursor":"2"}"#;
        let proof = serde_json::json!({"type": "anchor", "id": 5, "proof": {
            "workstation": "440399-W01", "from_seq": 0, "from_hash": "0".repeat(64), "events": [],
            "seq": 0, "hash": "0".repeat(64), "public_key": "", "signature": ""}});
        let health = r#"{"type":"health","id":6}"#;
        let shutdown = r#"{"type":"shutdown","id":7}"#;
        format!("{hello}\n{push}\n{pull}\n{ack}\n{proof}\n{health}\n{shutdown}\n").into_bytes()
    })
}

fn memory_adapter() -> MemoryAdapter {
    let mut m = MemoryAdapter::default();
    let items = (0..3)
        .map(|n| InItem {
            key: format!("in-{n}"),
            stream: "inbox".into(),
            kind: "dept.reply".into(),
            case_no: None,
            occurred_at: None,
            payload: serde_json::json!({"n": n}),
            payload_sha256: None,
            source: None,
        })
        .collect();
    m.inbox.insert("inbox".into(), items);
    m
}

/// `serve` reads the bytes to the end (or to `shutdown`), never fails on them, and writes only
/// whole JSON messages with a `type`; every `error` it writes says what in Chinese.
fn check_serve(bytes: Vec<u8>) -> Result<(), String> {
    let what = preview(&bytes);
    bounded(&what.clone(), move || {
        let mut out = Vec::new();
        for chunk in [1, 100] {
            out.clear();
            serve(|_: &serde_json::Value| Ok(memory_adapter()), bytes.as_slice(), &mut out, ServeOptions { chunk })
                .map_err(|e| format!("serve failed: {e}"))?;
            let text = String::from_utf8(out.clone()).map_err(|_| "output is not UTF-8".to_string())?;
            for l in text.lines() {
                let v: serde_json::Value = serde_json::from_str(l).map_err(|e| format!("output line {l:?}: {e}"))?;
                let kind = v["type"].as_str().ok_or_else(|| format!("output line without type: {l}"))?;
                if v.get("id").and_then(serde_json::Value::as_u64).is_none() {
                    return Err(format!("output line without an id: {l}"));
                }
                if kind == "error" && !v["message"].as_str().is_some_and(has_chinese) {
                    return Err(format!("error without a Chinese message: {l}"));
                }
            }
        }
        Ok(())
    })
    .map_err(|e| format!("{e} — input {what}"))
}

#[test]
fn serve_corpus_and_sample() {
    check_serve(host_input().to_vec()).expect("the valid sample");
    for (name, bytes) in corpus("serve-lines") {
        check_serve(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

// ---- the XML reader ---------------------------------------------------------------------------

const SOAP_SAMPLE_TEXT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="urn:yichuang:dept-exchange:1">
  <s:Header><t:Source>WS01</t:Source></s:Header>
  <s:Body><t:SubmitItemsResponse>
    <t:Result><t:YWLSH>WS01-000001</t:YWLSH><t:Status>ACCEPTED</t:Status><t:Message>已接收 &amp; 入库&#x4E2D;</t:Message></t:Result>
    <t:Result><t:YWLSH>WS01-000002</t:YWLSH><t:Status>REJECTED</t:Status><t:Message><![CDATA[缺少<字段>]]></t:Message></t:Result>
    <!-- comment --><?pi data?><t:Empty/>
  </t:SubmitItemsResponse></s:Body>
</s:Envelope>
"#;
const SOAP_SAMPLE: &[u8] = SOAP_SAMPLE_TEXT.as_bytes();

const XML_TOKENS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "<a>",
    "</a>",
    "&",
    "&amp;",
    "&lt;",
    "&#0;",
    "&#x110000;",
    "&#xD800;",
    "&unknown;",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<!DOCTYPE x [<!ENTITY e \"e\">]>",
    "<?xml version=\"1.0\" encoding=\"GBK\"?>",
    "xmlns:u=\"urn:x\"",
    "<u:x>",
    "<v:x>",
    "\"",
    "'",
    "=",
    "\u{feff}",
    "\u{0}",
    "中",
];

fn check_xml(bytes: Vec<u8>) -> Result<(), String> {
    let what = preview(&bytes);
    bounded(&what.clone(), move || match xml::parse(&bytes) {
        Ok(el) => {
            let _ = (el.find("Body"), el.find("Result"), el.child_text("Body"));
            Ok(())
        }
        Err(e) if has_chinese(&e.to_string()) => Ok(()),
        Err(e) => Err(format!("error without a Chinese message: {e:?}")),
    })
    .map_err(|e| format!("{e} — input {what}"))
}

#[test]
fn xml_corpus_and_sample() {
    xml::parse(SOAP_SAMPLE).expect("the SOAP sample parses");
    let deep = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
    assert!(matches!(xml::parse(deep.as_bytes()), Err(xml::XmlError::TooDeep(_))));
    for (name, bytes) in corpus("xml") {
        if name.starts_with("valid-") {
            xml::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        check_xml(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

// ---- the targets --------------------------------------------------------------------------------

proptest! {
    #![proptest_config(cases(512, 1))]

    #[test]
    fn adapter_reply_decoding_never_panics(bytes in prop_oneof![
        3 => input(adapter_stdout(), JSON_TOKENS),
        1 => input(anchor_line(), JSON_TOKENS),
    ]) {
        check_decode(bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn serve_never_fails_on_host_input(bytes in input(host_input(), JSON_TOKENS)) {
        check_serve(bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn xml_reader_never_panics(bytes in input(SOAP_SAMPLE, XML_TOKENS)) {
        check_xml(bytes).map_err(TestCaseError::fail)?;
    }
}

proptest! {
    // Each case spawns `sh`, `cat` and `sleep`: few in `make test`.
    #![proptest_config(cases(40, 50))]

    #[test]
    fn host_survives_any_adapter_stdout(bytes in input(adapter_stdout(), JSON_TOKENS)) {
        check_host(bytes).map(drop).map_err(TestCaseError::fail)?;
    }
}
