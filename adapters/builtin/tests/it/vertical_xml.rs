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

// ---- Configurable SOAP client: the same items to two differently shaped services ----------

use yc_adapter_sdk::{AdapterConfig, AdapterKind, HealthStatus};
use yc_sim::FaultConfig as Faults;
use yc_sim::dept::Profile;

/// The worked examples of docs/vertical-xml.md, used as written (only the port changes), so the
/// documentation cannot drift from what works.
const DOC: &str = include_str!("../../../../docs/vertical-xml.md");

fn documented(name: &str, addr: std::net::SocketAddr) -> serde_json::Value {
    let block = DOC
        .split("```toml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .find(|b| b.contains(&format!("name = \"{name}\"")))
        .unwrap_or_else(|| panic!("docs/vertical-xml.md has no TOML example named {name}"));
    let cfg = AdapterConfig::from_toml_str(block).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(cfg.kind, AdapterKind::VerticalXml);
    let mut settings = cfg.settings;
    settings["endpoint"] = serde_json::json!(format!("http://{addr}/ws/exchange"));
    settings
}

fn adapter(settings: &serde_json::Value) -> VerticalXml {
    VerticalXml::from_settings(settings).unwrap_or_else(|e| panic!("{e}: {}", e.detail))
}

/// Outbox items shaped as the core emits them: event fields plus the case snapshot.
fn case_items(n: usize, cases: usize) -> Vec<OutItem> {
    let mut seqs: HashMap<usize, u64> = HashMap::new();
    (0..n)
        .map(|i| {
            let case = i % cases;
            let seq = seqs.entry(case).or_insert(0);
            *seq += 1;
            let case_no = format!("440305-W01-20261123-{case:05}");
            let payload = serde_json::json!({
                "workstation": "440305-W01", "case_no": case_no, "action": "accept", "actor": "clerk01",
                "role": "clerk", "at": "2026-11-23T09:30:00+08:00", "reason": null, "data": {},
                "state_after": "accepted", "due_date": "2026-12-07", "department": "市不动产登记中心",
                "journal_seq": i + 1, "journal_hash": format!("{i:064x}"),
                "case": {"case_no": case_no, "item": {"code": "440305-BDC-012", "name": "不动产抵押登记",
                    "catalog_version": 3}, "department": "市不动产登记中心",
                    "applicant": {"kind": "person", "id": "110101199003074514", "name": format!("张三{case}")},
                    "channel": "window", "kind": "normal"}
            });
            OutItem::new(
                format!("0193-{i:06}"),
                "cases",
                Some(case_no),
                *seq,
                "case.accept",
                "2026-11-23T09:30:00+08:00",
                payload,
            )
        })
        .collect()
}

fn with_payload(mut item: OutItem, edit: impl FnOnce(&mut serde_json::Value)) -> OutItem {
    edit(&mut item.payload);
    item.payload_sha256 = yc_adapter_sdk::payload_sha256(&item.payload);
    item
}

#[derive(Debug, Default)]
struct Tally {
    errors: usize,
    retryable_rejections: usize,
}

/// Delivers like the sync engine: at most one unconfirmed item per case in flight, retryable
/// outcomes sent again, anything permanent a test failure.
async fn deliver(a: &mut VerticalXml, all: &[OutItem]) -> Tally {
    let mut pending: VecDeque<OutItem> = all.iter().cloned().collect();
    let mut tally = Tally::default();
    for _ in 0..10_000 {
        if pending.is_empty() {
            return tally;
        }
        let mut cases = HashSet::new();
        let batch: Vec<OutItem> = pending.iter().filter(|i| cases.insert(i.case_no.clone())).cloned().collect();
        match a.push(&batch).await {
            Ok(r) => {
                for rej in &r.rejected {
                    assert_eq!(rej.class, ErrorClass::Retryable, "{rej:?}");
                    tally.retryable_rejections += 1;
                }
                let acked: HashSet<String> = r.acked.into_iter().collect();
                pending.retain(|i| !acked.contains(&i.key));
            }
            Err(e) => {
                assert_eq!(e.class, ErrorClass::Retryable, "{e}: {}", e.detail);
                tally.errors += 1;
            }
        }
    }
    panic!("no progress");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_items_reach_both_shapes_of_service_by_configuration_only_exactly_once() {
    let faults = Faults {
        fail_rate: 0.10,
        drop_rate: 0.05,
        dup_ack_rate: 0.05,
        malformed_rate: 0.05,
        seed: 7,
        ..Default::default()
    };
    let all = case_items(600, 40);
    for (profile, example) in [(Profile::Exchange, "dept-exchange"), (Profile::Registry, "bdc-registry")] {
        let (addr, sim) =
            yc_sim::dept::spawn_profile(SimConfig { faults: faults.clone(), ..Default::default() }, profile)
                .await
                .unwrap();
        let mut a = adapter(&documented(example, addr));
        let tally = deliver(&mut a, &all).await;
        let stats = sim.stats();
        assert_eq!(stats.stored, all.len() as u64, "{example}: {stats:?}");
        assert_eq!((stats.order_violations, stats.conflicts, stats.hash_mismatches), (0, 0, 0), "{example}: {stats:?}");
        assert!(tally.errors > 0 && stats.duplicates > 0, "{example}: faults really happened: {tally:?} {stats:?}");
        for case in 0..40 {
            let seqs = sim.case_seqs(&format!("440305-W01-20261123-{case:05}"));
            assert_eq!(seqs, (1..=15).collect::<Vec<_>>(), "{example}");
        }
        // The mapped snapshot fields arrive under each department's own element names.
        let row = sim.row("440305-W01", "0193-000000").unwrap();
        match profile {
            Profile::Exchange => {
                assert_eq!(
                    (row["SXBM"].as_str(), row["SQRZJHM"].as_str()),
                    (Some("440305-BDC-012"), Some("110101199003074514"))
                );
                assert_eq!(row["SQRMC"], "张三0");
                assert_eq!(sim.calls().get("FetchItems"), None);
            }
            Profile::Registry => {
                assert_eq!(row["事项编码"], "440305-BDC-012");
                assert_eq!(row["事项名称"], "不动产抵押登记");
                assert_eq!(row["申请人证件号码"], "110101199003074514");
                assert_eq!(row["办理环节"], "accept");
                assert_eq!(row["内容摘要"], all[0].payload_sha256.as_str());
                // ReturnCode 9 (busy, after storing) came back and was retried, not lost.
                assert!(tally.retryable_rejections > 0, "{tally:?}");
                assert_eq!(sim.calls().keys().collect::<Vec<_>>(), ["ReportCase"], "one operation only, no FetchItems");
            }
        }
        // Pushing everything again is acknowledged as duplicates and stores nothing new.
        sim.set_faults(Faults::default());
        let before = sim.stats().duplicates;
        let mut acked = 0;
        for chunk in all.chunks(40) {
            let r = a.push(chunk).await.unwrap();
            assert!(r.rejected.is_empty(), "{example}: {:?}", r.rejected);
            acked += r.acked.len();
        }
        assert_eq!(acked, all.len());
        let stats = sim.stats();
        assert_eq!((stats.stored, stats.duplicates - before), (all.len() as u64, all.len() as u64), "{example}");
    }
}

const REG: &str = yc_sim::dept::REGISTRY_NS;

fn registry_answer(code: &str, msg: &str) -> RawReply {
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{S11}" xmlns:r="{REG}"><s:Body><r:ReportCaseResponse><r:ReturnCode>{code}</r:ReturnCode><r:ReturnMsg>{msg}</r:ReturnMsg></r:ReportCaseResponse></s:Body></s:Envelope>"#
    );
    raw(200, body.into_bytes())
}

#[tokio::test]
async fn the_result_code_table_decides_accepted_duplicate_permanent_and_retryable() {
    let (addr, sim) = yc_sim::dept::spawn_profile(SimConfig::default(), Profile::Registry).await.unwrap();
    let mut a = adapter(&documented("bdc-registry", addr));
    let item = case_items(1, 1);
    for (code, acked) in [("0", true), ("1", true)] {
        sim.queue_raw_reply(registry_answer(code, "成功"));
        assert_eq!(a.push(&item).await.unwrap().acked.len(), usize::from(acked), "code {code}");
    }
    sim.queue_raw_reply(registry_answer("2", "申请人证件号码校验位错误"));
    let r = a.push(&item).await.unwrap();
    assert_eq!(r.rejected[0].class, ErrorClass::Permanent);
    assert!(
        r.rejected[0].message.contains("结果代码 2") && r.rejected[0].message.contains("校验位错误"),
        "{:?}",
        r.rejected
    );
    sim.queue_raw_reply(registry_answer("9", "系统繁忙"));
    let r = a.push(&item).await.unwrap();
    assert_eq!(r.rejected[0].class, ErrorClass::Retryable, "{:?}", r.rejected);
    // A code the table does not know: nothing confirmed, an administrator must extend the table.
    sim.queue_raw_reply(registry_answer("7", "人工审核中"));
    let e = a.push(&item).await.unwrap_err();
    assert_eq!((e.class, e.origin), (ErrorClass::Auth, Origin::Adapter), "{e}");
    assert!(e.message.contains("结果代码“7”不在 result_codes 中（已配置：0、1、2、9）"), "{e}");
    assert!(e.detail.contains("人工审核中"), "{}", e.detail);
    // The live service: the same key with other content is its code 2, quarantined.
    assert_eq!(a.push(&item).await.unwrap().acked.len(), 1);
    let changed = vec![with_payload(item[0].clone(), |p| p["reason"] = serde_json::json!("改"))];
    let r = a.push(&changed).await.unwrap();
    assert_eq!(r.rejected[0].class, ErrorClass::Permanent);
    assert!(r.rejected[0].message.contains("IDEMPOTENCY_CONFLICT"), "{:?}", r.rejected);
}

#[tokio::test]
async fn an_unknown_setting_key_is_refused_naming_it() {
    let toml = "name = \"bdc\"\nkind = \"vertical-xml\"\n[settings]\nendpoint = \"http://127.0.0.1:9/ws\"\nsource = \"W01\"\nopertion = \"ReportCase\"\n";
    let cfg = AdapterConfig::from_toml_str(toml).unwrap();
    let e = yc_adapters::from_config(&cfg, &cfg.settings).err().unwrap();
    assert_eq!((e.class, e.origin), (ErrorClass::Auth, Origin::Adapter));
    assert!(e.message.contains("未知的键“opertion”") && e.message.contains("operation"), "{e}");
    // A config from before these settings keeps today's behaviour: pull on, the three streams.
    let old = serde_json::json!({"endpoint": "http://127.0.0.1:9/ws", "source": "W01", "request_timeout_ms": 3000});
    let hello = adapter(&old).hello().await.unwrap();
    assert!(hello.capabilities.pull && hello.capabilities.health);
    assert_eq!(hello.streams, ["cases", "opinions", "decisions"]);
}

#[tokio::test]
async fn with_pull_off_no_fetch_items_is_ever_sent_and_the_link_reports_healthy() {
    let (addr, sim) = yc_sim::dept::spawn_profile(SimConfig::default(), Profile::Registry).await.unwrap();
    let settings = documented("bdc-registry", addr);
    let mut a = adapter(&settings);
    let hello = a.hello().await.unwrap();
    assert!(hello.capabilities.push && !hello.capabilities.pull && !hello.capabilities.health);
    assert!(hello.streams.is_empty());
    assert_eq!(a.push(&case_items(3, 3)).await.unwrap().acked.len(), 3);
    assert_eq!(a.health().await.unwrap().status, HealthStatus::Ok);
    assert_eq!(a.pull("cases", None, 10).await.unwrap(), yc_adapter_sdk::PullPage::default());
    assert_eq!(sim.calls(), [("ReportCase".to_string(), 3)].into_iter().collect());
    // What happened before `pull` existed: the probe's FetchItems is refused, the link looks down.
    let mut on = settings.clone();
    on["pull"] = serde_json::json!(true);
    let h = adapter(&on).health().await.unwrap();
    assert_eq!(h.status, HealthStatus::Down);
    assert!(h.message.contains("FetchItems"), "{}", h.message);
    assert_eq!(sim.calls().get("FetchItems"), Some(&1));
}

#[tokio::test]
async fn a_missing_mapped_path_rejects_only_that_item_or_sends_an_empty_element_as_configured() {
    let (addr, sim) = yc_sim::dept::spawn_profile(SimConfig::default(), Profile::Registry).await.unwrap();
    let settings = documented("bdc-registry", addr);
    let mut a = adapter(&settings);
    let mut batch = case_items(3, 3);
    batch[1] = with_payload(batch[1].clone(), |p| {
        p["case"]["applicant"].as_object_mut().unwrap().remove("id");
    });
    let r = a.push(&batch).await.unwrap();
    assert_eq!(r.acked, [batch[0].key.clone(), batch[2].key.clone()]);
    assert_eq!(r.rejected.len(), 1);
    assert_eq!((r.rejected[0].key.as_str(), r.rejected[0].class), (batch[1].key.as_str(), ErrorClass::Permanent));
    assert!(r.rejected[0].message.contains("payload.case.applicant.id（元素 申请人证件号码）"), "{:?}", r.rejected);
    assert_eq!(sim.calls().get("ReportCase"), Some(&2), "the incomplete item was never sent");
    // `missing = "empty"` sends <申请人证件号码/>; this registry requires it and answers code 2.
    let mut lenient = settings.clone();
    lenient["field_map"]["payload.case.applicant.id"] =
        serde_json::json!({"element": "申请人证件号码", "missing": "empty"});
    let r = adapter(&lenient).push(&batch[1..2]).await.unwrap();
    assert_eq!(r.rejected[0].class, ErrorClass::Permanent);
    assert!(r.rejected[0].message.contains("必填项 申请人证件号码 缺失或为空"), "{:?}", r.rejected);
    assert_eq!(sim.calls().get("ReportCase"), Some(&3));
}

#[tokio::test]
async fn the_soap_action_and_namespace_are_what_the_service_dispatches_on() {
    let (addr, _sim) = yc_sim::dept::spawn_profile(SimConfig::default(), Profile::Registry).await.unwrap();
    let mut settings = documented("bdc-registry", addr);
    settings["soap_action"] = serde_json::json!(format!("{REG}#ReportCase"));
    let e = adapter(&settings).push(&case_items(1, 1)).await.unwrap_err();
    assert_eq!((e.class, e.origin), (ErrorClass::Permanent, Origin::FarSystem), "{e}");
    assert!(e.message.contains("SOAPAction"), "{e}");
    for v in ["1.1", "1.2"] {
        let mut s = documented("bdc-registry", addr);
        s["soap_version"] = serde_json::json!(v);
        assert_eq!(adapter(&s).push(&case_items(1, 1)).await.unwrap().acked.len(), 1, "SOAP {v}");
    }
}

#[tokio::test]
async fn positional_matching_needs_one_row_per_record_sent() {
    let (addr, sim) = yc_sim::dept::spawn(SimConfig::default()).await.unwrap();
    let mut settings = documented("dept-exchange", addr);
    settings["match_by"] = serde_json::json!("position");
    let mut a = adapter(&settings);
    let batch = case_items(5, 5);
    assert_eq!(a.push(&batch).await.unwrap().acked.len(), 5);
    sim.queue_raw_reply(raw(
        200,
        soap11("<t:SubmitItemsResponse><t:Result><t:Status>ACCEPTED</t:Status></t:Result></t:SubmitItemsResponse>"),
    ));
    let e = a.push(&batch).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Retryable);
    assert!(e.message.contains("应答有 1 个结果（Result），发送了 5 条"), "{e}");
}

#[tokio::test]
async fn hostile_replies_are_refused_in_the_registry_shape_too() {
    let (addr, sim) = yc_sim::dept::spawn_profile(SimConfig::default(), Profile::Registry).await.unwrap();
    let mut settings = documented("bdc-registry", addr);
    settings["max_response_bytes"] = serde_json::json!(64 * 1024);
    let mut a = adapter(&settings);
    let item = case_items(1, 1);
    let ok = registry_answer("0", "接收成功").body;
    let cases: Vec<(Vec<u8>, ErrorClass, &str)> = vec![
        (ok[..ok.len() - 30].to_vec(), ErrorClass::Retryable, "应答被截断"),
        (b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>".to_vec(), ErrorClass::Auth, "DTD"),
        ("<x>".repeat(100).into_bytes(), ErrorClass::Auth, "嵌套超过 64 层"),
        (vec![b' '; 100 * 1024], ErrorClass::Retryable, "应答超过上限 65536 字节"),
    ];
    for (body, class, text) in cases {
        sim.queue_raw_reply(raw(200, body));
        let e = a.push(&item).await.unwrap_err();
        assert_eq!(e.class, class, "{e}");
        assert!(e.message.contains(text), "{e}");
    }
    let fault = soap11("<s:Fault><faultcode>s:Server</faultcode><faultstring>登记库忙</faultstring></s:Fault>");
    sim.queue_raw_reply(raw(500, fault));
    let e = a.push(&item).await.unwrap_err();
    assert_eq!((e.class, e.origin), (ErrorClass::Retryable, Origin::FarSystem), "{e}");
    assert_eq!(sim.stats().stored, 0);
    assert_eq!(a.push(&item).await.unwrap().acked.len(), 1);
}
