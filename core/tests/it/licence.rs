//! Electronic licences (电子证照, issue 17 part 7): a GB/T 36904 id on every certificate sealed,
//! checked as `yc id check` checks it and against python-stdnum's MOD 37,36; the local directory
//! from issued certificates and the inbox; intake taking a valid licence instead of paper; a
//! revoked, superseded or expired licence no longer offered.

use std::num::NonZeroU32;

use yc_core::case::Action;
use yc_core::licence::{Source, Status};
use yc_core::seal::DocKind;
use yc_core::staff::Actor;
use yc_core::{ActRequest, Clock, CoreError, NewCase, Workstation};
use yc_seal::{KeyStoreOptions, SealType};

const AUTH_PIN: &str = "authority-pin";
const PIN: &str = "seal-pin-1";
/// 个体工商户设立登记 (即办件) yields the 营业执照 …
const LICENCE_ITEM: &str = "11440300MB2C95374M000102001000000";
/// … that 食品经营许可 (新办) asks for as material `yyzz`.
const FOOD_ITEM: &str = "11440300MB2C95374M000102003000000";
const FOOD_NEW: &str = "11440300MB2C95374M00010200300000001";

/// The check characters python-stdnum 2.2 computes (`stdnum.iso7064.mod_37_36.calc_check_digit`)
/// for random and licence-shaped bodies. Made with:
/// `python3 -c "from stdnum.iso7064 import mod_37_36; print(mod_37_36.calc_check_digit(BODY))"`
/// (the generator, seed 36904, is described in the file's header).
const STDNUM_VECTORS: &str = include_str!("../data/iso7064_mod37_36_stdnum.tsv");

#[test]
fn mod_37_36_agrees_with_python_stdnum() {
    let mut n = 0;
    for line in STDNUM_VECTORS.lines().filter(|l| !l.starts_with('#')) {
        let (body, check) = line.split_once('\t').unwrap();
        let want = check.chars().next().unwrap();
        assert_eq!(yc_core::ids::mod37_36_check_char(body), Some(want), "{body}");
        assert!(yc_core::ids::mod37_36_is_valid(&format!("{body}{want}")));
        n += 1;
    }
    assert_eq!(n, 150);
}

struct Fx {
    _dir: tempfile::TempDir,
    ws: Workstation,
    n: std::cell::Cell<u16>,
}

impl Fx {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (ws, admin) = crate::seal::staffed(dir.path(), "证照测试", Clock::at_date("2026-11-20".parse().unwrap()));
        let dept = ws.catalog_item(LICENCE_ITEM, None).unwrap().1.department;
        let opts = KeyStoreOptions { iterations: NonZeroU32::new(1000).unwrap(), max_attempts: 3 };
        ws.create_seal_authority(&admin, "测试印章制作中心", AUTH_PIN, opts).unwrap();
        ws.issue_seal(&admin, &dept, SealType::AdministrativeLicensing, PIN, AUTH_PIN, opts).unwrap();
        Fx { _dir: dir, ws, n: std::cell::Cell::new(0) }
    }

    fn a(&self, id: &str) -> Actor {
        self.ws.actor(id).unwrap()
    }

    fn person(&self) -> String {
        self.n.set(self.n.get() + 1);
        yc_core::ids::make_resident_id("440305", "1985-03-08".parse().unwrap(), self.n.get())
    }

    fn journal_len(&self) -> i64 {
        self.ws.store().reader().unwrap().query_row("SELECT count(*) FROM journal", [], |r| r.get(0)).unwrap()
    }

    /// A 营业执照 issued to `holder`: decided on the spot, sealed, certified, delivered.
    /// Returns the case and the licence id its certificate carries.
    fn licensed(&self, holder: &str) -> (String, String) {
        let req = NewCase {
            item_code: LICENCE_ITEM.into(),
            applicant_id: holder.into(),
            applicant_name: "王个体".into(),
            ..Default::default()
        };
        let no = self.ws.new_case(&self.a("clerk"), &req).unwrap();
        self.ws.act(&self.a("clerk"), &no, Action::DecideOnSpot, &ActRequest::default()).unwrap();
        self.ws.seal_document(&self.a("keeper"), &no, DocKind::Approval, PIN).unwrap();
        let id = self.certificate(&no);
        self.ws.act(&self.a("keeper"), &no, Action::IssueCertificate, &ActRequest::default()).unwrap();
        self.ws.act(&self.a("clerk"), &no, Action::Deliver, &ActRequest::default()).unwrap();
        (no, id)
    }

    /// Seals the case's certificate; the licence id its event names.
    fn certificate(&self, no: &str) -> String {
        self.ws.seal_document(&self.a("keeper"), no, DocKind::Certificate, PIN).unwrap();
        let ev = self.ws.case_events(no).unwrap().into_iter().rev().find(|e| e.action == "document.sealed").unwrap();
        ev.payload["licence"]["licence_id"].as_str().expect("a certificate names its licence").to_owned()
    }

    fn food_case(&self, holder: &str, licence: &str) -> Result<String, CoreError> {
        let req = NewCase {
            item_code: FOOD_ITEM.into(),
            applicant_id: holder.into(),
            applicant_name: "王个体".into(),
            sub_item: Some(FOOD_NEW.into()),
            provided: Some(vec!["sqs".into(), "sfz".into(), "pmt".into(), "zd".into(), "jkz".into()]),
            licences: vec![("yyzz".into(), licence.into())],
            ..Default::default()
        };
        self.ws.new_case(&self.a("clerk"), &req)
    }
}

#[test]
fn a_certificate_gets_a_checked_licence_id_that_intake_takes_instead_of_paper() {
    let fx = Fx::new();
    let holder = fx.person();
    let (no, id) = fx.licensed(&holder);
    // GB/T 36904's shape: root, type (the item's 基本编码), issuer, serial (the case), version, check.
    let issuer = fx.ws.catalog_item(LICENCE_ITEM, None).unwrap().1.department_code.unwrap();
    let serial: String = no.chars().filter(char::is_ascii_alphanumeric).collect();
    assert!(id.starts_with(&format!("1.2.156.3005.2.000102001000.{issuer}.{serial}.001.")), "{id}");
    // What `yc id check` runs says valid; python-stdnum computes the same check character.
    let a = yc_core::ids::analyse(&id, fx.ws.today(), None);
    assert!(a.valid(), "{:?}", a.report());
    let body: String = id.trim_start_matches("1.2.156.3005.2.").rsplit_once('.').unwrap().0.replace('.', "");
    assert_eq!(yc_core::ids::mod37_36_check_char(&body), id.chars().last());

    // In the directory: the holder's, valid, issued here, from this case.
    let list = fx.ws.licences(&holder).unwrap();
    assert_eq!(list.len(), 1);
    let l = &list[0];
    assert_eq!((l.licence_id.as_str(), l.status, l.source), (id.as_str(), Status::Valid, Source::Issued));
    assert_eq!((l.type_name.as_str(), l.case_no.as_deref()), ("营业执照", Some(no.as_str())));
    // Offered for 食品经营许可's 营业执照, and taken instead of the paper copy.
    let offers = fx.ws.licence_offers(&holder, FOOD_ITEM).unwrap();
    assert_eq!(
        offers.iter().map(|o| (o.material_id.as_str(), o.licence.licence_id.as_str())).collect::<Vec<_>>(),
        [("yyzz", id.as_str())]
    );
    let food = fx.food_case(&holder, &id).unwrap();
    let d = fx.ws.case_detail(&food, None).unwrap();
    let yyzz = d.materials.iter().find(|m| m.material_id == "yyzz").unwrap();
    assert!(yyzz.provided);
    assert_eq!(yyzz.reused_from.as_deref(), Some(id.as_str()));
    // Someone else's licence is not the applicant's.
    let e = fx.food_case(&fx.person(), &id).unwrap_err();
    assert!(e.to_string().contains("持证人"), "{e}");
}

#[test]
fn a_revoked_licence_is_no_longer_offered_nor_taken_and_a_change_issues_a_new_version() {
    let fx = Fx::new();
    let holder = fx.person();
    let (no, id) = fx.licensed(&holder);
    let revoke = ActRequest {
        reason: Some("以欺骗手段取得许可".into()),
        legal_basis: Some("《中华人民共和国行政许可法》第六十九条第二款".into()),
        ..ActRequest::default()
    };
    fx.ws.act(&fx.a("dec"), &no, Action::Revoke, &revoke).unwrap();
    assert_eq!(fx.ws.licence(&id).unwrap().unwrap().status, Status::Revoked);
    assert!(fx.ws.licence_offers(&holder, FOOD_ITEM).unwrap().is_empty(), "a revoked licence is not offered");
    let before = fx.journal_len();
    let e = fx.food_case(&holder, &id).unwrap_err();
    assert!(e.to_string().contains("已撤销"), "{e}");
    assert_eq!(fx.journal_len(), before, "the refused intake journaled nothing");
    let fp = fx.ws.derived_fingerprint().unwrap();
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), fp);
    assert_eq!(fx.ws.licence(&id).unwrap().unwrap().status, Status::Revoked);

    // 变更: the licence in force is superseded; the certificate sealed again is version 002.
    let holder = fx.person();
    let (no, first) = fx.licensed(&holder);
    let change = ActRequest { reason: Some("经营场所变更".into()), ..ActRequest::default() };
    fx.ws.act(&fx.a("dec"), &no, Action::Change, &change).unwrap();
    assert_eq!(fx.ws.licence(&first).unwrap().unwrap().status, Status::Changed);
    assert!(fx.ws.licence_offers(&holder, FOOD_ITEM).unwrap().is_empty());
    let second = fx.certificate(&no);
    assert!(second.contains(".002."), "{second}");
    let states: Vec<(String, Status)> =
        fx.ws.licences(&holder).unwrap().into_iter().map(|l| (l.licence_id, l.status)).collect();
    assert!(
        states.contains(&(first.clone(), Status::Changed)) && states.contains(&(second.clone(), Status::Valid)),
        "{states:?}"
    );
    assert_eq!(fx.ws.licence_offers(&holder, FOOD_ITEM).unwrap()[0].licence.licence_id, second);
    let fp = fx.ws.derived_fingerprint().unwrap();
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), fp);
}

fn inbox(ws: &Workstation, key: &str, payload: &serde_json::Value) {
    ws.store()
        .writer()
        .execute(
            "INSERT INTO inbox (adapter, stream, key, kind, case_no, payload, payload_sha256, received_at, state)
             VALUES ('city-platform', 'licences', ?1, 'licence.record', NULL, ?2, '', '2026-11-20T09:00:00+08:00', 'received')",
            rusqlite::params![key, payload.to_string()],
        )
        .unwrap();
}

#[test]
fn licences_from_the_library_arrive_through_the_inbox_and_expire_by_date() {
    let fx = Fx::new();
    let holder = fx.person();
    let issuer = yc_core::ids::make_credit_code("11440300MB2C95374").unwrap();
    let good = yc_core::ids::make_licence_id("000102001000", &issuer, "LIB2025000001", 1).unwrap();
    let old = yc_core::ids::make_licence_id("000102001000", &issuer, "LIB2019000002", 1).unwrap();
    let record = |id: &str, until: &str| {
        serde_json::json!({
            "licence_id": id, "holder_id": holder, "holder_name": "王个体", "type_name": "营业执照",
            "issuer_name": "示范区市场监督管理局", "valid_from": "2019-01-01", "valid_until": until, "status": "valid",
        })
    };
    inbox(&fx.ws, "L-1", &record(&good, "2030-12-31"));
    inbox(&fx.ws, "L-2", &record(&old, "2025-12-31"));
    // One wrong check character: refused, kept in the inbox with the reason, not blocking the rest.
    let mut bad = good.clone();
    let last = if bad.ends_with('0') { '1' } else { '0' };
    bad.pop();
    bad.push(last);
    inbox(&fx.ws, "L-3", &record(&bad, "2030-12-31"));
    let rep = fx.ws.apply_inbox().unwrap();
    assert_eq!((rep.applied, rep.failed), (2, 1));

    let list = fx.ws.licences(&holder).unwrap();
    let status = |id: &str| list.iter().find(|l| l.licence_id == id).map(|l| (l.status, l.source));
    assert_eq!(status(&good), Some((Status::Valid, Source::Inbox)));
    assert_eq!(status(&old), Some((Status::Expired, Source::Inbox)), "past its validity on 2026-11-20");
    assert_eq!(status(&bad), None);
    let offers = fx.ws.licence_offers(&holder, FOOD_ITEM).unwrap();
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].licence.licence_id, good);
    let e = fx.food_case(&holder, &old).unwrap_err();
    assert!(e.to_string().contains("已过期"), "{e}");
    fx.food_case(&holder, &good).unwrap();

    // The library revokes it: the record's new status replaces the old.
    let mut revoked = record(&good, "2030-12-31");
    revoked["status"] = "revoked".into();
    inbox(&fx.ws, "L-4", &revoked);
    fx.ws.apply_inbox().unwrap();
    assert_eq!(fx.ws.licence(&good).unwrap().unwrap().status, Status::Revoked);
    assert!(fx.ws.licence_offers(&holder, FOOD_ITEM).unwrap().is_empty());
    let fp = fx.ws.derived_fingerprint().unwrap();
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), fp);
}
