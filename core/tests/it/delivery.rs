//! Delivery of the result (送达, issue 17 part 3): the method chosen at intake and changed, a
//! courier dispatch with its waybill and the receipt that completes the case, a 退件 sent again,
//! the §44 light, the sealed-decision gate — all journaled and rebuilt identically.

use std::num::NonZeroU32;
use std::path::Path;

use chrono::NaiveDate;
use yc_core::case::{Action, Role, State};
use yc_core::deadline::Light;
use yc_core::delivery::{Dispatch, Method, Plan, Status};
use yc_core::seal::DocKind;
use yc_core::staff::Actor;
use yc_core::{ActRequest, Clock, CoreError, NewCase, NewStaff, Workstation};
use yc_seal::{KeyStoreOptions, SealType};

const AUTH_PIN: &str = "authority-pin";
const PIN: &str = "seal-pin-1";
/// A Friday; the decision is taken on it, so §44's 10 working days end on Friday 2026-12-04.
const DAY: &str = "2026-11-20";

pub(crate) fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub(crate) struct Fx {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) ws: Workstation,
    code: String,
    n: std::cell::Cell<u16>,
}

impl Fx {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (ws, admin) = crate::seal::staffed(dir.path(), "送达测试", Clock::at_date(day(DAY)));
        // A promised item with a certificate: the longest road (seal, 制证, then delivery).
        let item = ws
            .catalog_items(None)
            .unwrap()
            .into_iter()
            .find(|i| {
                i.promised_limit_days > 0
                    && i.result.as_ref().is_some_and(|r| serde_json::to_value(r.kind).unwrap() == "certificate")
            })
            .expect("a promised item with a certificate");
        let opts = KeyStoreOptions { iterations: NonZeroU32::new(1000).unwrap(), max_attempts: 3 };
        ws.create_seal_authority(&admin, "测试印章制作中心", AUTH_PIN, opts).unwrap();
        ws.issue_seal(&admin, &item.department, SealType::AdministrativeLicensing, PIN, AUTH_PIN, opts).unwrap();
        Fx { dir, ws, code: item.code, n: std::cell::Cell::new(0) }
    }

    pub(crate) fn a(&self, id: &str) -> Actor {
        self.ws.actor(id).unwrap()
    }

    pub(crate) fn file(&self, plan: Option<Plan>) -> String {
        self.n.set(self.n.get() + 1);
        let id = yc_core::ids::make_resident_id("440305", "1970-01-01".parse().unwrap(), self.n.get());
        let req = NewCase {
            item_code: self.code.clone(),
            applicant_id: id,
            applicant_name: "李四".into(),
            delivery: plan,
            ..Default::default()
        };
        self.ws.new_case(&self.a("clerk"), &req).unwrap()
    }

    pub(crate) fn approve(&self, no: &str) {
        for (who, action) in [("clerk", Action::Accept), ("rev", Action::StartReview), ("dec", Action::Approve)] {
            self.ws.act(&self.a(who), no, action, &ActRequest::default()).unwrap();
        }
    }

    pub(crate) fn seal_and_make(&self, no: &str) {
        self.ws.seal_document(&self.a("keeper"), no, DocKind::Approval, PIN).unwrap();
        self.ws.act(&self.a("keeper"), no, Action::IssueCertificate, &ActRequest::default()).unwrap();
    }

    fn journal_len(&self) -> i64 {
        self.ws.store().reader().unwrap().query_row("SELECT count(*) FROM journal", [], |r| r.get(0)).unwrap()
    }
}

pub(crate) fn courier(address: &str) -> Plan {
    Plan { method: Method::Courier, address: Some(address.into()), recipient: None }
}

fn open_on(dir: &Path, on: &str) -> Workstation {
    Workstation::open(dir, Clock::at_date(day(on))).unwrap()
}

#[test]
fn a_courier_delivery_with_a_waybill_and_receipt_completes_the_case() {
    let fx = Fx::new();
    let clerk = fx.a("clerk");
    let no = fx.file(Some(courier("  深圳市南山区科技园路 1 号  ")));
    let d = fx.ws.delivery(&clerk, &no).unwrap().expect("chosen at intake");
    assert_eq!((d.method, d.status), (Method::Courier, Status::Planned));
    assert_eq!(d.address.as_deref(), Some("深圳市南山区科技园路 1 号"));
    assert_eq!(d.due, None, "no limit before the decision");

    fx.approve(&no);
    // Not sealed yet: the result cannot leave, and nothing is journaled.
    let before = fx.journal_len();
    let sent = Dispatch {
        carrier: Some("顺丰速运".into()), waybill: Some("ＳＦ１４２３ ５６７８ ９０".into())
    };
    let e = fx.ws.dispatch_delivery(&clerk, &no, &sent).unwrap_err();
    assert!(matches!(e, CoreError::IllegalTransition { .. }) && e.to_string().contains("电子印章"), "{e}");
    assert_eq!(fx.journal_len(), before, "a refusal journals nothing");
    fx.ws.seal_document(&fx.a("keeper"), &no, DocKind::Approval, PIN).unwrap();
    let before = fx.journal_len();
    let e = fx.ws.dispatch_delivery(&clerk, &no, &sent).unwrap_err();
    assert!(e.to_string().contains("证照尚未制作"), "{e}");
    assert_eq!(fx.journal_len(), before);
    fx.ws.act(&fx.a("keeper"), &no, Action::IssueCertificate, &ActRequest::default()).unwrap();

    // A courier needs its waybill.
    let e = fx.ws.dispatch_delivery(&clerk, &no, &Dispatch { carrier: Some("顺丰速运".into()), waybill: None });
    assert!(matches!(e, Err(CoreError::Missing { .. })), "{e:?}");
    let d = fx.ws.dispatch_delivery(&clerk, &no, &sent).unwrap();
    assert_eq!(d.status, Status::Dispatched);
    assert_eq!(d.waybill.as_deref(), Some("SF1423567890"), "folded from full width, spaces dropped");
    assert_eq!((d.dispatched_on, d.met_on, d.late_days), (Some(day(DAY)), Some(day(DAY)), Some(0)));
    assert_eq!(d.due, Some(day("2026-12-04")));
    assert_eq!(fx.ws.case_summary(&no).unwrap().state, State::Approved, "sent is not yet delivered");

    // A receipt dated before the dispatch is refused; the return card's date is taken.
    let e = fx.ws.record_delivery_receipt(&clerk, &no, "李四", Some(day("2026-11-19"))).unwrap_err();
    assert!(matches!(e, CoreError::Invalid(_)), "{e}");
    let ws = open_on(fx.dir.path(), "2026-11-24");
    let d = ws.record_delivery_receipt(&clerk, &no, " 李四（本人） ", Some(day("2026-11-23"))).unwrap();
    assert_eq!(
        (d.status, d.received_on, d.signed_by.as_deref()),
        (Status::Received, Some(day("2026-11-23")), Some("李四（本人）"))
    );
    assert_eq!(d.met_on, Some(day(DAY)), "the limit was met when it was sent");
    // The receipt completed the case (送达) in the same transaction, and says who signed.
    assert_eq!(ws.case_summary(&no).unwrap().state, State::Completed);
    let evs = ws.case_events(&no).unwrap();
    let deliver = evs.iter().find(|e| e.action == "deliver").expect("送达 journaled");
    assert!(deliver.payload["detail"].as_str().unwrap().contains("李四（本人）"));
    // Every step went to the outbox's deliveries stream; the courier's address stayed home.
    let items: Vec<(String, String)> = {
        let conn = ws.store().reader().unwrap();
        let mut st = conn
            .prepare("SELECT kind, payload FROM outbox WHERE stream = 'deliveries' AND payload LIKE ?1 ORDER BY id")
            .unwrap();
        st.query_map([format!("%{no}%")], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    let kinds: Vec<&str> = items.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["delivery.plan", "delivery.dispatch", "delivery.receipt"]);
    assert!(items.iter().all(|(_, p)| !p.contains("科技园路")), "{items:?}");
    // Nothing more to do with it: a second receipt or a return is refused.
    assert!(ws.record_delivery_receipt(&clerk, &no, "李四", None).is_err());
    assert!(ws.record_delivery_return(&clerk, &no, "查无此人", None).is_err());

    let fp = ws.derived_fingerprint().unwrap();
    ws.rebuild().unwrap();
    assert_eq!(ws.derived_fingerprint().unwrap(), fp);
    assert_eq!(ws.delivery(&clerk, &no).unwrap(), Some(d));
}

#[test]
fn the_method_changes_until_sent_and_a_returned_result_goes_out_again() {
    let fx = Fx::new();
    let clerk = fx.a("clerk");
    let no = fx.file(None);
    assert_eq!(fx.ws.delivery(&clerk, &no).unwrap(), None);
    // Bad input is refused with the field named.
    let e = fx.ws.plan_delivery(&clerk, &no, &Plan { method: Method::Post, address: None, recipient: None });
    assert!(matches!(e, Err(CoreError::Missing { .. })), "{e:?}");
    fx.ws.plan_delivery(&clerk, &no, &Plan { method: Method::Window, address: None, recipient: None }).unwrap();
    let post =
        Plan { method: Method::Post, address: Some("广州市越秀区中山路 2 号".into()), recipient: None };
    assert_eq!(fx.ws.plan_delivery(&clerk, &no, &post).unwrap().method, Method::Post);
    fx.approve(&no);
    fx.seal_and_make(&no);
    let ems = Dispatch { carrier: Some("中国邮政 EMS".into()), waybill: Some("1100123456789".into()) };
    fx.ws.dispatch_delivery(&clerk, &no, &ems).unwrap();
    let e = fx.ws.plan_delivery(&clerk, &no, &post).unwrap_err();
    assert!(e.to_string().contains("已寄出"), "{e}");

    let ws = open_on(fx.dir.path(), "2026-11-25");
    let d = ws.record_delivery_return(&clerk, &no, "  ", None);
    assert!(matches!(d, Err(CoreError::Missing { .. })), "{d:?}");
    let d = ws.record_delivery_return(&clerk, &no, "地址不详，原件退回", Some(day("2026-11-24"))).unwrap();
    assert_eq!((d.status, d.returned_on), (Status::Returned, Some(day("2026-11-24"))));
    assert_eq!(d.met_on, None, "a returned result has not reached the applicant");
    assert_eq!(d.light, Some(Light::Green), "the §44 limit runs again: {d:?}");
    // The applicant will come to the window instead: the plan changes, the return stays on record.
    let d = ws.plan_delivery(&clerk, &no, &Plan { method: Method::Window, address: None, recipient: None }).unwrap();
    assert_eq!((d.method, d.status, d.waybill.as_deref()), (Method::Window, Status::Planned, None));
    assert_eq!(d.return_reason.as_deref(), Some("地址不详，原件退回"));
    let e = ws.dispatch_delivery(&clerk, &no, &ems).unwrap_err();
    assert!(e.to_string().contains("窗口领取"), "{e}");
    let d = ws.record_delivery_receipt(&clerk, &no, "李四", None).unwrap();
    assert_eq!((d.status, d.met_on, d.attempts), (Status::Received, Some(day("2026-11-25")), 1));
    assert_eq!(ws.case_summary(&no).unwrap().state, State::Completed);
    let fp = ws.derived_fingerprint().unwrap();
    ws.rebuild().unwrap();
    assert_eq!(ws.derived_fingerprint().unwrap(), fp);
}

#[test]
fn the_delivery_light_runs_from_the_decision_and_turns_red_after_ten_working_days() {
    let fx = Fx::new();
    let clerk = fx.a("clerk");
    let agent = Plan { method: Method::Agent, address: Some("石门镇石门村三组".into()), recipient: None };
    let no = fx.file(Some(agent));
    fx.approve(&no);
    fx.seal_and_make(&no);
    let d = fx.ws.delivery(&clerk, &no).unwrap().unwrap();
    assert_eq!((d.due, d.days_left, d.light), (Some(day("2026-12-04")), Some(10), Some(Light::Green)));
    // The due day: yellow; the next working day: red, and a dispatch then is late by one day.
    let ws = open_on(fx.dir.path(), "2026-12-04");
    assert_eq!(ws.delivery(&clerk, &no).unwrap().unwrap().light, Some(Light::Yellow));
    let ws = open_on(fx.dir.path(), "2026-12-07");
    let d = ws.delivery(&clerk, &no).unwrap().unwrap();
    assert_eq!((d.days_left, d.light), (Some(-1), Some(Light::Red)));
    assert_eq!(ws.delivery_list(&clerk, Some(Status::Planned)).unwrap().len(), 1);
    // The township agent carries it: their name, no waybill.
    let e = ws.dispatch_delivery(&clerk, &no, &Dispatch::default()).unwrap_err();
    assert!(e.to_string().contains("代办员姓名"), "{e}");
    let d = ws
        .dispatch_delivery(&clerk, &no, &Dispatch { carrier: Some("刘洋（石门镇代办员）".into()), waybill: None })
        .unwrap();
    assert_eq!((d.met_on, d.late_days, d.light), (Some(day("2026-12-07")), Some(1), None));
    assert!(ws.delivery_list(&clerk, Some(Status::Planned)).unwrap().is_empty());
}

#[test]
fn staff_of_another_department_neither_see_nor_deliver() {
    let fx = Fx::new();
    let no = fx.file(Some(courier("深圳市福田区")));
    let admin = fx.a("admin");
    fx.ws
        .add_staff(
            &admin,
            &NewStaff {
                id: "other".into(),
                name: "别的部门".into(),
                roles: vec![Role::Clerk],
                departments: vec!["不存在的局".into()],
                password: None,
            },
        )
        .unwrap();
    let other = fx.a("other");
    assert!(matches!(fx.ws.delivery(&other, &no), Err(CoreError::DepartmentDenied { .. })));
    assert!(fx.ws.delivery_list(&other, None).unwrap().is_empty());
    let e = fx.ws.plan_delivery(&other, &no, &courier("别处")).unwrap_err();
    assert!(matches!(e, CoreError::DepartmentDenied { .. }), "{e}");
    let e = fx.ws.plan_delivery(&fx.a("rev"), &no, &courier("别处")).unwrap_err();
    assert!(matches!(e, CoreError::RoleDenied { .. }), "{e}");
}
