//! vertical-xml adapter against the department SOAP simulator on loopback.

use std::collections::{HashMap, HashSet, VecDeque};

use yc_adapter_sdk::{Adapter, ErrorClass, Origin, OutItem};
use yc_adapters::vertical_xml::{SoapVersion, VerticalXml, VerticalXmlConfig};
use yc_sim::dept::RawReply;
use yc_sim::{FaultConfig, SimConfig};

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
                Some(format!("BJ{case:05}")),
                *seq,
                "case.filed",
                "2026-11-23T09:30:00+08:00",
                serde_json::json!({"applicant": {"id": "110101199003074514", "name": format!("张三{i}")}, "note": "a<b & c"}),
            )
        })
        .collect()
}

fn config(addr: std::net::SocketAddr, v: SoapVersion) -> VerticalXmlConfig {
    let mut cfg = VerticalXmlConfig::new(format!("http://{addr}/ws/exchange"), "WS01");
    cfg.soap_version = v;
    cfg.field_map.insert("applicant.id".into(), "SQRZJHM".into());
    cfg.request_timeout_ms = 5_000;
    cfg
}

async fn push_until_acked(a: &mut VerticalXml, all: &[OutItem]) -> usize {
    let mut pending: VecDeque<OutItem> = all.iter().cloned().collect();
    let mut errors = 0;
    for _ in 0..10_000 {
        if pending.is_empty() {
            return errors;
        }
        let batch: Vec<OutItem> = pending.iter().cloned().collect();
        match a.push(&batch).await {
            Ok(r) => {
                assert!(r.rejected.is_empty(), "{:?}", r.rejected);
                let acked: HashSet<String> = r.acked.into_iter().collect();
                pending.retain(|i| !acked.contains(&i.key));
            }
            Err(e) => {
                assert_eq!(e.class, ErrorClass::Retryable, "{e}: {}", e.detail);
                errors += 1;
            }
        }
    }
    panic!("no progress");
}

async fn exactly_once_under_faults(v: SoapVersion, n: usize) {
    let faults = FaultConfig {
        fail_rate: 0.10,
        drop_rate: 0.05,
        dup_ack_rate: 0.05,
        malformed_rate: 0.05,
        seed: 7,
        ..Default::default()
    };
    let (addr, sim) = yc_sim::dept::spawn(SimConfig { faults, ..Default::default() }).await.unwrap();
    let mut cfg = config(addr, v);
    cfg.batch_size = 100;
    let mut a = VerticalXml::new(cfg).unwrap();
    let all = items(n, 100);
    let errors = push_until_acked(&mut a, &all).await;
    let stats = sim.stats();
    assert_eq!(stats.stored, n as u64, "{stats:?}");
    assert_eq!(stats.order_violations, 0);
    assert_eq!(stats.conflicts + stats.hash_mismatches, 0, "{stats:?}");
    assert!(errors > 0 && stats.duplicates > 0, "faults really happened: {stats:?}");
    assert!(
        stats.faults.failed > 0 && stats.faults.dropped > 0 && stats.faults.malformed > 0 && stats.faults.dup_acked > 0
    );
    let per_case = (n / 100) as u64;
    for case in 0..100 {
        assert_eq!(sim.case_seqs(&format!("BJ{case:05}")), (1..=per_case).collect::<Vec<_>>());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soap11_ten_thousand_items_arrive_exactly_once_in_case_order_despite_faults() {
    exactly_once_under_faults(SoapVersion::V11, 10_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soap12_items_arrive_exactly_once_in_case_order_despite_faults() {
    exactly_once_under_faults(SoapVersion::V12, 3_000).await;
}

#[tokio::test]
async fn mapped_fields_reach_the_department_under_its_element_names() {
    let (addr, sim) = yc_sim::dept::spawn(SimConfig::default()).await.unwrap();
    let mut a = VerticalXml::new(config(addr, SoapVersion::V11)).unwrap();
    let batch = items(1, 1);
    assert_eq!(a.push(&batch).await.unwrap().acked.len(), 1);
    let row = sim.row("WS01", "WS01-000000").unwrap();
    assert_eq!(row["SQRZJHM"], "110101199003074514");
    assert_eq!(row["BJBH"], "BJ00000");
    assert_eq!(row["NRZY"], batch[0].payload_sha256.as_str());
}

#[tokio::test]
async fn same_key_with_a_different_payload_is_rejected_as_permanent() {
    let (addr, _sim) = yc_sim::dept::spawn(SimConfig::default()).await.unwrap();
    let mut a = VerticalXml::new(config(addr, SoapVersion::V12)).unwrap();
    let original = items(1, 1);
    a.push(&original).await.unwrap();
    let mut changed = original.clone();
    changed[0].payload = serde_json::json!({"applicant": {"id": "X"}});
    changed[0].payload_sha256 = yc_adapter_sdk::payload_sha256(&changed[0].payload);
    let r = a.push(&changed).await.unwrap();
    assert_eq!(r.rejected.len(), 1);
    assert_eq!(r.rejected[0].class, ErrorClass::Permanent);
    assert!(r.rejected[0].detail.contains("IDEMPOTENCY_CONFLICT"));
}

#[tokio::test]
async fn auth_faults_in_both_soap_versions_are_auth_errors() {
    for v in [SoapVersion::V11, SoapVersion::V12] {
        let cfg = SimConfig { token: Some("secret".into()), ..Default::default() };
        let (addr, _sim) = yc_sim::dept::spawn(cfg).await.unwrap();
        let mut a = VerticalXml::new(config(addr, v)).unwrap();
        let err = a.push(&items(1, 1)).await.unwrap_err();
        assert_eq!((err.class, err.origin), (ErrorClass::Auth, Origin::FarSystem), "{v:?}: {err}");
        assert!(err.message.contains("认证失败"), "{err}");
        let mut cfg = config(addr, v);
        cfg.token = Some("secret".into());
        let mut ok = VerticalXml::new(cfg).unwrap();
        assert_eq!(ok.push(&items(1, 1)).await.unwrap().acked.len(), 1);
    }
}

const S11: &str = "http://schemas.xmlsoap.org/soap/envelope/";

fn soap11(body: &str) -> Vec<u8> {
    format!(r#"<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{S11}" xmlns:t="urn:yichuang:dept-exchange:1"><s:Body>{body}</s:Body></s:Envelope>"#).into_bytes()
}

async fn hostile(
    reply: RawReply,
    max_response_bytes: usize,
) -> Result<yc_adapter_sdk::PushReport, yc_adapter_sdk::AdapterError> {
    let (addr, sim) = yc_sim::dept::spawn(SimConfig::default()).await.unwrap();
    sim.queue_raw_reply(reply);
    let mut cfg = config(addr, SoapVersion::V11);
    cfg.max_response_bytes = max_response_bytes;
    let mut a = VerticalXml::new(cfg).unwrap();
    a.push(&items(1, 1)).await
}

fn raw(status: u16, body: Vec<u8>) -> RawReply {
    RawReply { status, content_type: "text/xml; charset=utf-8".into(), body }
}

#[tokio::test]
async fn hostile_replies_give_clear_errors() {
    let ok_body = soap11(
        "<t:SubmitItemsResponse><t:Result><t:YWLSH>WS01-000000</t:YWLSH><t:Status>ACCEPTED</t:Status></t:Result></t:SubmitItemsResponse>",
    );

    let mut truncated = ok_body.clone();
    truncated.truncate(ok_body.len() - 40);
    let e = hostile(raw(200, truncated), 1 << 20).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Retryable);
    assert!(e.message.contains("应答被截断"), "{e}");

    let wrong_ns = String::from_utf8(ok_body.clone()).unwrap().replace("urn:yichuang:dept-exchange:1", "urn:other");
    let e = hostile(raw(200, wrong_ns.into_bytes()), 1 << 20).await.unwrap_err();
    assert!(e.message.contains("应答命名空间错误，期望 urn:yichuang:dept-exchange:1，实为 urn:other"), "{e}");

    let huge = soap11(&format!("<t:SubmitItemsResponse>{}</t:SubmitItemsResponse>", "<t:Pad>x</t:Pad>".repeat(10_000)));
    let e = hostile(raw(200, huge), 64 * 1024).await.unwrap_err();
    assert!(e.message.contains("应答超过上限 65536 字节"), "{e}");

    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(ok_body.iter().flat_map(|b| [*b, 0]));
    let e = hostile(raw(200, utf16), 1 << 20).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Auth);
    assert!(e.message.contains("不支持的编码"), "{e}");

    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(&ok_body);
    let r = hostile(raw(200, bom), 1 << 20).await.unwrap();
    assert_eq!(r.acked, vec!["WS01-000000".to_string()], "a UTF-8 BOM is legal XML and tolerated");

    let doctype = b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>".to_vec();
    let e = hostile(raw(200, doctype), 1 << 20).await.unwrap_err();
    assert!(e.message.contains("DTD"), "{e}");

    let html = b"<html><body>502 Bad Gateway</body></html>".to_vec();
    let e = hostile(raw(200, html), 1 << 20).await.unwrap_err();
    assert!(e.message.contains("不是 SOAP 信封"), "{e}");

    let v12 = String::from_utf8(ok_body.clone()).unwrap().replace(S11, "http://www.w3.org/2003/05/soap-envelope");
    let e = hostile(raw(200, v12.into_bytes()), 1 << 20).await.unwrap_err();
    assert!(e.message.contains("SOAP 版本不符，配置为 1.1，对端应答 1.2"), "{e}");

    let server = soap11("<s:Fault><faultcode>s:Server</faultcode><faultstring>数据库忙</faultstring></s:Fault>");
    let e = hostile(raw(500, server), 1 << 20).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Retryable);
    assert!(e.message.contains("数据库忙"), "{e}");

    let client = soap11("<s:Fault><faultcode>s:Client</faultcode><faultstring>BJBH 格式错误</faultstring></s:Fault>");
    let e = hostile(raw(500, client), 1 << 20).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Permanent);
    assert!(e.message.contains("BJBH 格式错误"), "{e}");

    let gateway = RawReply { status: 503, content_type: "text/html".into(), body: b"busy".to_vec() };
    let e = hostile(gateway, 1 << 20).await.unwrap_err();
    assert_eq!((e.class, e.origin), (ErrorClass::Retryable, Origin::Gateway), "{e}");
}

#[tokio::test]
async fn pulled_department_items_map_back_and_resume_from_a_cursor() {
    let (addr, sim) = yc_sim::dept::spawn(SimConfig::default()).await.unwrap();
    let inbox: Vec<serde_json::Value> = (1..=12)
        .map(|n| {
            serde_json::json!({"YWLSH": format!("GA-{n}"), "YWLX": "opinion", "BJBH": format!("BJ{n}"),
            "SPYJ": "同意", "CBR": "李警官"})
        })
        .collect();
    sim.seed_inbox("opinions", inbox);
    let mut cfg = config(addr, SoapVersion::V12);
    cfg.field_map.insert("opinion.text".into(), "SPYJ".into());
    let mut a = VerticalXml::new(cfg).unwrap();
    let p1 = a.pull("opinions", None, 5).await.unwrap();
    assert_eq!(p1.items.len(), 5);
    let first = &p1.items[0];
    assert_eq!((first.key.as_str(), first.kind.as_str(), first.case_no.as_deref()), ("GA-1", "opinion", Some("BJ1")));
    assert_eq!(first.payload, serde_json::json!({"opinion": {"text": "同意"}, "CBR": "李警官"}));
    let mut keys: Vec<String> = p1.items.iter().map(|i| i.key.clone()).collect();
    let mut cursor = p1.next_cursor;
    loop {
        let p = a.pull("opinions", cursor.as_deref(), 5).await.unwrap();
        if p.items.is_empty() {
            break;
        }
        keys.extend(p.items.into_iter().map(|i| i.key));
        cursor = p.next_cursor;
    }
    assert_eq!(keys, (1..=12).map(|n| format!("GA-{n}")).collect::<Vec<_>>());
}
