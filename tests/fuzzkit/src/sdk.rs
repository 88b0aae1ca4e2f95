//! Adapter SDK targets: adapter → host lines through the host's decoders, host → adapter lines
//! through `serve`, the defensive XML reader.

use yc_adapter_sdk::protocol::{
    AnchorReply, Envelope, ErrorReply, HealthReply, HelloReply, PROTOCOL_VERSION, PullReply, PushReply,
};
use yc_adapter_sdk::serve::{MemoryAdapter, ServeOptions, serve};
use yc_adapter_sdk::{
    Capabilities, ErrorClass, HeadReceipt, HealthStatus, InItem, OutItem, PushReport, Rejection, xml,
};

use crate::has_chinese;

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

/// The three items the host sends in every push.
pub fn batch() -> Vec<OutItem> {
    vec![item("k1", 1), item("k2", 2), item("k3", 3)]
}

fn line(kind: &str, body: &impl serde::Serialize) -> String {
    let mut v = serde_json::to_value(body).unwrap();
    v.as_object_mut().unwrap().insert("type".into(), kind.into());
    format!("{v}\n")
}

/// What a well-behaved adapter writes for hello (1), push (2), pull (3), health (4), with a log
/// and a progress line in between.
pub fn adapter_stdout() -> &'static [u8] {
    static S: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let hello = HelloReply {
            id: 1,
            protocol_version: PROTOCOL_VERSION,
            name: "fuzz".into(),
            version: "1.0".into(),
            capabilities: Capabilities { push: true, pull: true, health: true, anchor: true, timestamp: false },
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

/// An adapter's answer to an anchor request: a signed receipt.
pub fn anchor_line() -> &'static [u8] {
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
/// then the reply type; push outcomes through `sanitize_report`, which never lets a key through
/// that was not sent and says each problem in Chinese.
pub fn decode_lines(bytes: &[u8]) -> Result<(), String> {
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
                    if let Some(k) = clean.acked.iter().find(|k| !batch.iter().any(|i| &i.key == *k)) {
                        return Err(format!("acked key {k} never sent"));
                    }
                    if let Some(p) = problems.iter().find(|p| !has_chinese(p)) {
                        return Err(format!("problem without Chinese: {p}"));
                    }
                }
            }
            "pull_result" => drop(serde_json::from_value::<PullReply>(v())),
            "anchor_result" => drop(serde_json::from_value::<AnchorReply>(v())),
            "health_result" => drop(serde_json::from_value::<HealthReply>(v())),
            "error" => drop(serde_json::from_value::<ErrorReply>(v())),
            _ => {}
        }
    }
    Ok(())
}

// ---- host → adapter: `serve` over any reader ---------------------------------------------------

/// What a host sends: hello, push, pull, ack, anchor, health, shutdown.
pub fn host_input() -> &'static [u8] {
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
/// whole JSON messages with a `type` and an `id`; every `error` it writes says what in Chinese.
pub fn serve_input(bytes: &[u8]) -> Result<(), String> {
    let mut out = Vec::new();
    for chunk in [1, 100] {
        out.clear();
        serve(|_: &serde_json::Value| Ok(memory_adapter()), bytes, &mut out, ServeOptions { chunk })
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
}

// ---- the XML reader ----------------------------------------------------------------------------

/// A SOAP reply with entities, CDATA, comments and PIs.
pub const SOAP_SAMPLE_TEXT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="urn:yichuang:dept-exchange:1">
  <s:Header><t:Source>WS01</t:Source></s:Header>
  <s:Body><t:SubmitItemsResponse>
    <t:Result><t:YWLSH>WS01-000001</t:YWLSH><t:Status>ACCEPTED</t:Status><t:Message>已接收 &amp; 入库&#x4E2D;</t:Message></t:Result>
    <t:Result><t:YWLSH>WS01-000002</t:YWLSH><t:Status>REJECTED</t:Status><t:Message><![CDATA[缺少<字段>]]></t:Message></t:Result>
    <!-- comment --><?pi data?><t:Empty/>
  </t:SubmitItemsResponse></s:Body>
</s:Envelope>
"#;
pub const SOAP_SAMPLE: &[u8] = SOAP_SAMPLE_TEXT.as_bytes();

/// `xml::parse`: a tree one can query, or a typed `XmlError` in Chinese.
pub fn xml(bytes: &[u8]) -> Result<(), String> {
    match xml::parse(bytes) {
        Ok(el) => {
            let _ = (el.find("Body"), el.find("Result"), el.child_text("Body"));
            Ok(())
        }
        Err(e) if has_chinese(&e.to_string()) => Ok(()),
        Err(e) => Err(format!("error without a Chinese message: {e:?}")),
    }
}
