//! Sealing inside the case engine: who may seal what and when, the PIN every time, the usage
//! log, verification of the result, revocation, and the 办结 gate.

use std::num::NonZeroU32;

use yc_core::case::{Action, Role, State};
use yc_core::seal::DocKind;
use yc_core::staff::Actor;
use yc_core::{ActRequest, Clock, CoreError, NewCase, Workstation};
use yc_seal::{KeyStoreOptions, SealType, Verdict};

const AUTH_PIN: &str = "authority-pin";
pub(crate) const PIN: &str = "seal-pin-1";

fn low() -> KeyStoreOptions {
    KeyStoreOptions { iterations: NonZeroU32::new(1000).unwrap(), max_attempts: 3 }
}

/// A workstation with the demo catalog and one account of each role a case passes through (clerk,
/// rev, dec, keeper, all departments); returns it with its administrator. Shared by the test
/// modules that seal (seal, delivery, licence, enrollment).
pub(crate) fn staffed(dir: &std::path::Path, name: &str, clock: Clock) -> (Workstation, yc_core::staff::Actor) {
    let accounts =
        [("clerk", Role::Clerk), ("rev", Role::Reviewer), ("dec", Role::Decider), ("keeper", Role::SealKeeper)];
    crate::support::staffed_with(dir, name, "pw", clock, &accounts, None)
}

/// A staffed workstation (`staffed`) with a seal for the department of an item that needs no
/// business licence; shared with the enrollment tests, which add their own methods.
pub(crate) struct Fx {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) ws: Workstation,
    pub(crate) dept: String,
    pub(crate) code: String,
}

impl Fx {
    fn new() -> Self {
        Self::named("用印测试")
    }

    pub(crate) fn named(name: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (ws, admin) = crate::seal::staffed(dir.path(), name, Clock::at_date("2026-11-20".parse().unwrap()));
        let item = ws
            .catalog_items(None)
            .unwrap()
            .into_iter()
            .find(|i| i.promised_limit_days > 0 && !i.materials.iter().any(|m| m.name.contains("营业执照")))
            .unwrap();
        ws.create_seal_authority(&admin, "测试印章制作中心", AUTH_PIN, low()).unwrap();
        ws.issue_seal(&admin, &item.department, SealType::AdministrativeLicensing, PIN, AUTH_PIN, low()).unwrap();
        Fx { dir, ws, dept: item.department, code: item.code }
    }

    pub(crate) fn a(&self, id: &str) -> Actor {
        self.ws.actor(id).unwrap()
    }

    pub(crate) fn approved_case(&self, n: u16) -> String {
        let id = yc_core::ids::make_resident_id("440305", "1970-01-01".parse().unwrap(), n);
        let no = self
            .ws
            .new_case(
                &self.a("clerk"),
                &NewCase {
                    item_code: self.code.clone(),
                    applicant_id: id,
                    applicant_name: "申请人".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        for (who, action) in [("clerk", Action::Accept), ("rev", Action::StartReview), ("dec", Action::Approve)] {
            self.ws.act(&self.a(who), &no, action, &ActRequest::default()).unwrap();
        }
        no
    }
}

#[test]
fn a_sealed_decision_verifies_valid_and_lets_the_case_complete() {
    let fx = Fx::new();
    let no = fx.approved_case(1);
    let doc = fx.ws.seal_document(&fx.a("keeper"), &no, DocKind::Approval, PIN).unwrap();
    let pdf = std::fs::read(&doc.path).unwrap();
    let v = fx.ws.verify_pdf(&pdf).unwrap();
    assert_eq!(v.verdict, Verdict::Valid, "{v:?}");
    assert_eq!(v.doc_id.as_deref(), Some(doc.doc_id.as_str()));
    // One byte changed: INVALID.
    let mut bad = pdf.clone();
    let i = bad.len() / 3;
    bad[i] ^= 0x01;
    assert_eq!(fx.ws.verify_pdf(&bad).unwrap().verdict, Verdict::Invalid);
    if fx.ws.case_detail(&no, None).unwrap().has_certificate {
        fx.ws.act(&fx.a("keeper"), &no, Action::IssueCertificate, &ActRequest::default()).unwrap();
    }
    fx.ws.act(&fx.a("clerk"), &no, Action::Deliver, &ActRequest::default()).unwrap();
    assert_eq!(fx.ws.case_summary(&no).unwrap().state, State::Completed);
    // The sealing is journaled and in the usage log; a rebuild keeps the document.
    let d = fx.ws.case_detail(&no, None).unwrap();
    assert!(d.events.iter().any(|e| e.action == "document.sealed"));
    assert_eq!(fx.ws.verify_seal_usage().unwrap().entries, 1);
    let fp = fx.ws.derived_fingerprint().unwrap();
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), fp);
    assert_eq!(fx.ws.case_documents(&no).unwrap().len(), 1);
}

#[test]
fn only_a_seal_keeper_seals_and_only_documents_the_state_allows() {
    let fx = Fx::new();
    let no = fx.approved_case(2);
    let e = fx.ws.seal_document(&fx.a("clerk"), &no, DocKind::Approval, PIN).unwrap_err();
    assert!(matches!(e, CoreError::RoleDenied { .. }), "{e:?}");
    let e = fx.ws.seal_document(&fx.a("keeper"), &no, DocKind::Refusal, PIN).unwrap_err();
    assert!(matches!(e, CoreError::IllegalTransition { .. }), "{e:?}");
    assert!(e.to_string().contains("不予行政许可决定书"), "{e}");
    assert_eq!(fx.ws.verify_seal_usage().unwrap().entries, 0);
}

#[test]
fn wrong_pins_are_counted_and_lock_the_seal() {
    let fx = Fx::new();
    let no = fx.approved_case(3);
    // This fixture's key allows 3 tries: two wrong PINs say how many are left, the third locks.
    let kinds: Vec<CoreError> = (0..3)
        .map(|_| fx.ws.seal_document(&fx.a("keeper"), &no, DocKind::Approval, "wrong-pin").unwrap_err())
        .collect();
    assert!(matches!(kinds[0], CoreError::WrongPin { remaining: 2 }), "{kinds:?}");
    assert!(matches!(kinds[1], CoreError::WrongPin { remaining: 1 }), "{kinds:?}");
    assert!(matches!(kinds[2], CoreError::SealLocked { attempts: 3 }), "{kinds:?}");
    let e = fx.ws.seal_document(&fx.a("keeper"), &no, DocKind::Approval, PIN).unwrap_err();
    assert!(matches!(e, CoreError::SealLocked { .. }), "locked even for the right PIN: {e:?}");
    assert!(fx.ws.list_seals().unwrap()[0].locked);
    // Nothing was journaled for the failed attempts.
    assert!(fx.ws.case_documents(&no).unwrap().is_empty());
}

#[test]
fn the_key_file_holds_no_key_material_in_clear() {
    let fx = Fx::new();
    let keys: Vec<_> = std::fs::read_dir(fx.dir.path().join("seals")).unwrap().filter_map(Result::ok).collect();
    assert_eq!(keys.len(), 1);
    let text = std::fs::read_to_string(keys[0].path()).unwrap();
    assert!(!text.contains("PRIVATE KEY"));
    assert!(text.contains("600") || text.contains("iterations"), "the KDF parameters are recorded");
}

#[test]
fn a_revoked_seal_cannot_seal_and_the_bundle_says_why() {
    let fx = Fx::new();
    let no = fx.approved_case(4);
    let seal_id = fx.ws.list_seals().unwrap()[0].seal_id.clone();
    fx.ws.revoke_seal(&fx.a("admin"), &seal_id, "印章遗失", AUTH_PIN).unwrap();
    let e = fx.ws.seal_document(&fx.a("keeper"), &no, DocKind::Approval, PIN).unwrap_err();
    assert!(matches!(e, CoreError::Seal(_)), "{e:?}");
    assert!(fx.ws.list_seals().unwrap()[0].status.contains("作废"));
    // And still no 办结 without a sealed decision.
    let e = fx.ws.act(&fx.a("clerk"), &no, Action::Deliver, &ActRequest::default()).unwrap_err();
    assert!(matches!(e, CoreError::IllegalTransition { .. }));
}

#[test]
fn an_older_trust_bundle_is_refused() {
    let fx = Fx::new();
    let conn = rusqlite::Connection::open(fx.dir.path().join("yichuang.db")).unwrap();
    let first: Vec<u8> =
        conn.query_row("SELECT body FROM trust_bundles ORDER BY version LIMIT 1", [], |r| r.get(0)).unwrap();
    let e = fx.ws.import_trust_bundle(&first, "usb").unwrap_err();
    assert!(e.to_string().contains("不比现有版本"), "{e}");
    let mut forged = first.clone();
    let n = forged.len() / 2;
    forged[n] ^= 1;
    assert!(fx.ws.import_trust_bundle(&forged, "usb").is_err());
}

#[test]
fn tampering_with_the_seal_usage_log_is_detected() {
    let fx = Fx::new();
    for n in 5..8 {
        let no = fx.approved_case(n);
        fx.ws.seal_document(&fx.a("keeper"), &no, DocKind::Approval, PIN).unwrap();
    }
    assert!(fx.ws.verify_seal_usage().unwrap().ok);
    let c = rusqlite::Connection::open(fx.dir.path().join("yichuang.db")).unwrap();
    c.execute_batch("DROP TRIGGER seal_usage_is_append_only_u; UPDATE seal_usage SET actor = 'mallory' WHERE seq = 2;")
        .unwrap();
    let r = fx.ws.verify_seal_usage().unwrap();
    assert_eq!((r.ok, r.first_bad), (false, Some(2)));
    let _ = &fx.dept;
}
