//! Fuzzing (issue 13 part 4) as proptest over bytes: protocol lines both ways — what the host
//! reads from an adapter (the reply decoders, and whole stdout streams through a real
//! `ProcessAdapter`), what an adapter built on `serve` reads from the host — and the defensive XML
//! reader. Arbitrary bytes and mutations of valid samples; each must return in bounded time with a
//! typed error carrying a Chinese message, never panic. The corpus in
//! `tests/fuzz-corpus/<target>/` runs first as fixed cases. The checks live in yc-fuzzkit, shared
//! with the cargo-fuzz targets in `fuzz/`. `YC_FUZZ_CASES` scales the case counts
//! (`make fuzz-proptest`); docs/fuzzing.md.

use proptest::prelude::*;
use yc_adapter_sdk::protocol::PROTOCOL_VERSION;
use yc_adapter_sdk::{Adapter, ProcessAdapter, ProcessSpec, xml};
use yc_fuzzkit::sdk::{SOAP_SAMPLE, adapter_stdout, anchor_line, batch, decode_lines, host_input};
use yc_fuzzkit::{BOUND, bounded_check, cases, corpus, has_chinese, input, preview};

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

// ---- adapter → host: the reply decoders ------------------------------------------------------

fn check_decode(bytes: Vec<u8>) -> Result<(), String> {
    bounded_check(bytes, decode_lines)
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
    decode_lines(adapter_stdout()).unwrap();
    decode_lines(anchor_line()).unwrap();
    assert_eq!(check_host(adapter_stdout().to_vec()), Ok(0), "the valid sample answers every request");
    for (name, bytes) in corpus("adapter-lines") {
        check_decode(bytes.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        check_host(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

// ---- host → adapter: `serve` over any reader -------------------------------------------------

fn check_serve(bytes: Vec<u8>) -> Result<(), String> {
    bounded_check(bytes, yc_fuzzkit::sdk::serve_input)
}

#[test]
fn serve_corpus_and_sample() {
    check_serve(host_input().to_vec()).expect("the valid sample");
    for (name, bytes) in corpus("serve-lines") {
        check_serve(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

// ---- the XML reader ---------------------------------------------------------------------------

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
    bounded_check(bytes, yc_fuzzkit::sdk::xml)
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
