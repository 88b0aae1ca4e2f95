//! PAdES levels in the workstation (issue 14, crate::timestamping): sealed online through an
//! adapter's TSA a document is B-LT at once; with the TSA down it is sealed B-B at once and the
//! sync pass adds the document timestamp, once; a refusal, a garbage reply, a reply for another
//! request or a TSA the bundle does not trust leave it B-B with the reason in the sync report.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use yc_adapter_sdk::{
    Adapter, AdapterConfig, AdapterError, BoxedAdapter, Capabilities, Handshake, Health, HealthStatus, Origin, OutItem,
    PullPage, PushReport,
};
use yc_core::case::Action;
use yc_core::seal::{DocKind, PadesLevel};
use yc_core::staff::Actor;
use yc_core::sync::SyncOptions;
use yc_core::sync::outbox::AdapterRegistration;
use yc_core::{ActRequest, Clock, NewCase, Workstation};
use yc_seal::{KeyStoreOptions, SealAuthority, SealType, TimeStampAuthority, Verdict};

const AUTH_PIN: &str = "authority-pin";
const PIN: &str = "seal-pin-1";

fn low() -> KeyStoreOptions {
    KeyStoreOptions { iterations: std::num::NonZeroU32::new(1000).unwrap(), max_attempts: 5 }
}

/// The city platform's TSA: its own root (never the seal authority's) and a TSA certificate.
struct CityTsa {
    root: Vec<u8>,
    tsa: TimeStampAuthority,
}

fn city_tsa() -> Arc<CityTsa> {
    let nb: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
    let root_ca = SealAuthority::generate("某市政务外网平台（测试）", nb, nb + Duration::days(7300)).unwrap();
    let key = yc_seal::generate_pkcs8().unwrap();
    let cert = root_ca
        .issue_tsa_certificate(
            "某市时间戳服务（测试）",
            &yc_seal::public_key_of(&key).unwrap(),
            nb,
            nb + Duration::days(5000),
        )
        .unwrap();
    let root = root_ca.root_certificate().to_vec();
    Arc::new(CityTsa { tsa: TimeStampAuthority::from_pkcs8(&key, vec![cert, root.clone()]).unwrap(), root })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Grant,
    /// The TSA answers status rejection (a request it cannot serve).
    Refuse,
    /// Something that is not a TimeStampResp (a proxy's error page).
    Garbage,
    /// A genuine reply, but for another request (a replay).
    OtherRequest,
    /// Link down.
    Down,
}

/// A far side that runs a TSA; acks every push, has nothing to pull.
struct TsaFarSide {
    city: Arc<CityTsa>,
    at: DateTime<Utc>,
    mode: Mode,
    asked: Arc<AtomicUsize>,
}

impl Adapter for TsaFarSide {
    async fn hello(&mut self) -> Result<Handshake, AdapterError> {
        Ok(Handshake {
            protocol_version: yc_adapter_sdk::PROTOCOL_VERSION,
            name: "city-tsa".into(),
            version: "1".into(),
            capabilities: Capabilities { push: true, pull: false, health: false, anchor: false, timestamp: true },
            streams: vec![],
            config_schema: serde_json::json!({}),
        })
    }
    async fn push(&mut self, batch: &[OutItem]) -> Result<PushReport, AdapterError> {
        Ok(PushReport { acked: batch.iter().map(|i| i.key.clone()).collect(), rejected: vec![] })
    }
    async fn pull(&mut self, _: &str, _: Option<&str>, _: usize) -> Result<PullPage, AdapterError> {
        Ok(PullPage { items: vec![], next_cursor: None, rejected: vec![] })
    }
    async fn timestamp(&mut self, request: &[u8]) -> Result<Vec<u8>, AdapterError> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        match self.mode {
            Mode::Grant => Ok(self.city.tsa.respond(request, self.at)),
            Mode::Refuse => Ok(self.city.tsa.respond(b"\x30\x03\x02\x01\x07", self.at)),
            Mode::Garbage => Ok(b"<html>502 Bad Gateway</html>".to_vec()),
            Mode::OtherRequest => {
                Ok(self.city.tsa.respond(&yc_seal::timestamp_request(&[7; 32], 42).unwrap(), self.at))
            }
            Mode::Down => Err(AdapterError::retryable(Origin::Transport, "网络不可达", "connection refused")),
        }
    }
    async fn health(&mut self) -> Result<Health, AdapterError> {
        Ok(Health { status: HealthStatus::Ok, message: String::new() })
    }
    async fn shutdown(&mut self) -> Result<(), AdapterError> {
        Ok(())
    }
}

struct Fx {
    _dir: tempfile::TempDir,
    ws: Workstation,
    admin: Actor,
    code: String,
    city: Arc<CityTsa>,
}

impl Fx {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (ws, admin) = crate::seal::staffed(dir.path(), "时间戳测试", Clock::at_date("2026-11-20".parse().unwrap()));
        let item = ws
            .catalog_items(None)
            .unwrap()
            .into_iter()
            .find(|i| i.promised_limit_days > 0 && !i.materials.iter().any(|m| m.name.contains("营业执照")))
            .unwrap();
        ws.create_seal_authority(&admin, "测试印章制作中心", AUTH_PIN, low()).unwrap();
        ws.issue_seal(&admin, &item.department, SealType::AdministrativeLicensing, PIN, AUTH_PIN, low()).unwrap();
        let reg = AdapterRegistration {
            config: AdapterConfig::from_json_str(r#"{"name":"city","kind":"city-extranet","settings":{}}"#).unwrap(),
            streams: vec!["*".into()],
            departments: vec!["*".into()],
            backfill: false,
            program_confirmed: false,
        };
        ws.register_adapter(&admin, &reg).unwrap();
        Fx { _dir: dir, ws, admin, code: item.code, city: city_tsa() }
    }

    fn trust_city_tsa(&self) {
        let fp = yc_seal::fingerprint(&self.city.root);
        self.ws.trust_tsa_root(&self.admin, &self.city.root, &fp, AUTH_PIN).unwrap();
    }

    fn now(&self) -> DateTime<Utc> {
        self.ws.clock().now().with_timezone(&Utc)
    }

    fn far(&self, mode: Mode) -> (TsaFarSide, Arc<AtomicUsize>) {
        let asked = Arc::new(AtomicUsize::new(0));
        // The TSA's clock a minute after the workstation's: the claim precedes the proof.
        (
            TsaFarSide { city: self.city.clone(), at: self.now() + Duration::minutes(1), mode, asked: asked.clone() },
            asked,
        )
    }

    fn sealed_decision(&self, n: u16) -> yc_core::seal::DocumentRow {
        let a = |id: &str| self.ws.actor(id).unwrap();
        let id = yc_core::ids::make_resident_id("440305", "1970-01-01".parse().unwrap(), n);
        let no = self
            .ws
            .new_case(
                &a("clerk"),
                &NewCase {
                    item_code: self.code.clone(),
                    applicant_id: id,
                    applicant_name: "申请人".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        for (who, action) in [("clerk", Action::Accept), ("rev", Action::StartReview), ("dec", Action::Approve)] {
            self.ws.act(&a(who), &no, action, &ActRequest::default()).unwrap();
        }
        self.ws.seal_document(&a("keeper"), &no, DocKind::Approval, PIN).unwrap()
    }

    fn verify(&self, doc_id: &str) -> yc_seal::Verification {
        let doc = self.ws.document(doc_id).unwrap();
        self.ws.verify_pdf(&self.ws.document_bytes(&doc).unwrap()).unwrap()
    }

    fn level(&self, doc_id: &str) -> PadesLevel {
        self.ws.document_proof(doc_id).unwrap().level
    }
}

fn opts() -> SyncOptions {
    SyncOptions { backoff_base_ms: 1, backoff_max_ms: 2, ..Default::default() }
}

#[tokio::test]
async fn sealed_offline_is_b_b_and_the_next_sync_stamps_it_once() {
    let fx = Fx::new();
    fx.trust_city_tsa();
    let doc = fx.sealed_decision(1);
    assert_eq!(fx.level(&doc.doc_id), PadesLevel::BB);
    assert_eq!(fx.ws.documents_to_stamp().unwrap(), vec![doc.doc_id.clone()]);
    let before = std::fs::read(&doc.path).unwrap();
    assert_eq!(fx.verify(&doc.doc_id).verdict, Verdict::Valid);

    let (mut far, asked) = fx.far(Mode::Grant);
    let rep = fx.ws.sync_once("city", &mut far, &opts()).await.unwrap();
    assert_eq!((rep.stamped, rep.stamp_errors.len()), (1, 0), "{rep:?}");
    let proof = fx.ws.document_proof(&doc.doc_id).unwrap();
    // The bundle carries the authority's CRL, so the update holds the DSS too: B-LT.
    assert_eq!(proof.level, PadesLevel::BLT, "{proof:?}");
    let proven: DateTime<Utc> = proof.proven_time.as_deref().unwrap().parse().unwrap();
    assert_eq!(proven, fx.now() + Duration::minutes(1));
    let stamped = fx.ws.document(&doc.doc_id).unwrap();
    assert_ne!(stamped.file_sha256, doc.file_sha256);
    let bytes = fx.ws.document_bytes(&stamped).unwrap();
    // One incremental update after the sealed bytes, which stay as they were.
    assert!(bytes.starts_with(&before) && bytes.len() > before.len());
    let v = fx.verify(&doc.doc_id);
    assert_eq!(v.verdict, Verdict::Valid, "{v:?}");
    assert!(v.checks.iter().any(|c| c.name == "document_timestamp" && c.passed), "{v:?}");
    // The B-B file is still there: the usage log and the integrity check name it.
    assert_eq!(std::fs::read(&doc.path).unwrap(), before);
    assert!(fx.ws.verify_seal_record().unwrap().problem.is_none());

    // A second pass stamps nothing and asks the TSA nothing.
    let again = fx.ws.sync_once("city", &mut far, &opts()).await.unwrap();
    assert_eq!((again.stamped, asked.load(Ordering::SeqCst)), (0, 1), "{again:?}");

    // Derived: a rebuild lands on the same file and level.
    let fp = fx.ws.derived_fingerprint().unwrap();
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), fp);
    assert_eq!(fx.ws.document_proof(&doc.doc_id).unwrap(), proof);
    let events = fx.ws.case_detail(&doc.case_no, None).unwrap().events;
    assert_eq!(events.iter().filter(|e| e.action == "document.timestamped").count(), 1);
}

#[tokio::test]
async fn a_refusal_garbage_or_a_reply_for_another_request_leaves_the_document_b_b_with_the_reason() {
    let fx = Fx::new();
    fx.trust_city_tsa();
    let doc = fx.sealed_decision(2);
    for (mode, says) in [
        (Mode::Refuse, "拒绝"),
        (Mode::Garbage, "无法解析"),
        (Mode::OtherRequest, "与请求不符"),
        (Mode::Down, "网络不可达"),
    ] {
        let (mut far, _) = fx.far(mode);
        let rep = fx.ws.sync_once("city", &mut far, &opts()).await.unwrap();
        assert_eq!(rep.stamped, 0, "{mode:?}: {rep:?}");
        let why = rep.stamp_errors.join("\n");
        assert!(why.contains(&doc.doc_id) && why.contains(says), "{mode:?}: {why}");
        assert_eq!(fx.level(&doc.doc_id), PadesLevel::BB, "{mode:?}");
        assert_eq!(fx.ws.document(&doc.doc_id).unwrap().file_sha256, doc.file_sha256, "{mode:?}");
    }
    assert_eq!(fx.verify(&doc.doc_id).verdict, Verdict::Valid);
    // Once the TSA grants, the same document is stamped.
    let (mut far, _) = fx.far(Mode::Grant);
    assert_eq!(fx.ws.sync_once("city", &mut far, &opts()).await.unwrap().stamped, 1);
}

#[tokio::test]
async fn a_tsa_the_bundle_does_not_trust_is_never_written_into_a_document() {
    let fx = Fx::new();
    let doc = fx.sealed_decision(3);
    let (mut far, _) = fx.far(Mode::Grant);
    let rep = fx.ws.sync_once("city", &mut far, &opts()).await.unwrap();
    assert_eq!(rep.stamped, 0, "{rep:?}");
    assert!(rep.stamp_errors.join("").contains("yc seal trust tsa"), "{rep:?}");
    assert_eq!(fx.level(&doc.doc_id), PadesLevel::BB);
    // After the administrator takes the root in (fingerprint typed), the next pass stamps it.
    let wrong = fx.ws.trust_tsa_root(&fx.admin, &fx.city.root, &"00".repeat(32), AUTH_PIN).unwrap_err();
    assert!(wrong.to_string().contains("指纹"), "{wrong}");
    fx.trust_city_tsa();
    assert_eq!(fx.ws.sync_once("city", &mut far, &opts()).await.unwrap().stamped, 1);
    assert_eq!(fx.verify(&doc.doc_id).verdict, Verdict::Valid);
}

/// What the online test's factory builds (a `fn` cannot capture).
static ONLINE: Mutex<Option<Online>> = Mutex::new(None);

/// The TSA, its clock and how it answers.
type Online = (Arc<CityTsa>, DateTime<Utc>, Mode);

fn online_factory(_: &AdapterConfig) -> Result<BoxedAdapter, AdapterError> {
    let (city, at, mode) = ONLINE.lock().unwrap().clone().expect("set by the test");
    Ok(BoxedAdapter::new(TsaFarSide { city, at, mode, asked: Arc::default() }))
}

#[test]
fn sealed_online_is_b_lt_at_once_and_with_the_tsa_down_b_b_at_once() {
    let fx = Fx::new();
    fx.trust_city_tsa();
    fx.ws.set_adapter_factory(online_factory);
    *ONLINE.lock().unwrap() = Some((fx.city.clone(), fx.now() + Duration::seconds(2), Mode::Grant));
    let online = fx.sealed_decision(4);
    let proof = fx.ws.document_proof(&online.doc_id).unwrap();
    assert_eq!(proof.level, PadesLevel::BLT, "{proof:?}");
    assert!(proof.proven_time.is_some());
    let v = fx.verify(&online.doc_id);
    assert_eq!(v.verdict, Verdict::Valid, "{v:?}");
    assert!(v.checks.iter().any(|c| c.name == "signature_timestamp" && c.passed), "{v:?}");
    assert!(fx.ws.documents_to_stamp().unwrap().is_empty());

    // The TSA down: sealed all the same, at once, B-B, and queued for the sync pass.
    *ONLINE.lock().unwrap() = Some((fx.city.clone(), fx.now(), Mode::Down));
    let started = std::time::Instant::now();
    let offline = fx.sealed_decision(5);
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(fx.level(&offline.doc_id), PadesLevel::BB);
    assert_eq!(fx.verify(&offline.doc_id).verdict, Verdict::Valid);
    assert_eq!(fx.ws.documents_to_stamp().unwrap(), vec![offline.doc_id.clone()]);
    let sealed = fx.ws.case_detail(&offline.case_no, None).unwrap().events;
    let ev = sealed.iter().find(|e| e.action == "document.sealed").unwrap();
    assert!(ev.payload["timestamp_error"].as_str().unwrap().contains("网络不可达"), "{:?}", ev.payload);
}
