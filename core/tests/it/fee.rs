//! Fees (一次性收费, issue 17 part 6): the amount from the catalog for the case's situation, paid
//! once with a receipt number, a second payment refused, exempted or refunded with a reason by a
//! decision maker, a theme charged once for all its branches, the figures in the statistics
//! recounted here from the journal, and the table rebuilt identically.

use yc_core::case::Action;
use yc_core::fee::{Payment, Status};
use yc_core::report::{By, Query};
use yc_core::staff::Actor;
use yc_core::theme::intake::NewTheme;
use yc_core::{ActRequest, Clock, CoreError, NewCase, Workstation, catalog};

const TRANSFER: &str = "不动产转移登记";
const FOOD: &str = "食品经营许可";
const KAIBAN: &str = "ZT-QYKB-001";
const SEAL: &str = "印章刻制备案（公章刻制）";
const TAX: &str = "新办纳税人涉税事项（发票申领）";

struct Fx {
    _dir: tempfile::TempDir,
    ws: Workstation,
    n: std::cell::Cell<u16>,
}

/// The demo catalog, re-issued with a fee per situation on 食品经营许可 (新办 20 元, 变更 10 元,
/// 延续 free) and fees on two of 企业开办's branches — the demo's own items there are free, as
/// they are in reality.
fn catalog_with_fees() -> String {
    let mut c: serde_json::Value = serde_json::from_str(catalog::DEMO_CATALOG_JSON).unwrap();
    c["version"] = "2026.12-fees".into();
    for item in c["items"].as_array_mut().unwrap() {
        let name = item["name"].as_str().unwrap().to_owned();
        let subs: Vec<String> = item["sub_items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| s["code"].as_str().unwrap().to_owned())
            .collect();
        match name.as_str() {
            FOOD => {
                item["fees"] = serde_json::json!([{
                    "name": "许可证工本费", "amount_yuan": 0.0, "basis": "测试用收费依据",
                    "by_situation": [{"sub_item": subs[0], "amount_yuan": 20.0}, {"sub_item": subs[1], "amount_yuan": 10.0}]
                }]);
            }
            SEAL => {
                item["fees"] = serde_json::json!([{"name": "刻章费", "amount_yuan": 120.0, "basis": "测试用收费依据"}])
            }
            TAX => {
                item["fees"] =
                    serde_json::json!([{"name": "发票工本费", "amount_yuan": 30.5, "basis": "测试用收费依据"}])
            }
            _ => {}
        }
    }
    c.to_string()
}

impl Fx {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (ws, admin) = crate::seal::staffed(dir.path(), "收费测试", Clock::at_date("2026-11-20".parse().unwrap()));
        ws.import_catalog(&admin, &catalog_with_fees()).unwrap();
        Fx { _dir: dir, ws, n: std::cell::Cell::new(0) }
    }

    fn a(&self, id: &str) -> Actor {
        self.ws.actor(id).unwrap()
    }

    fn code(&self, name: &str) -> (String, Vec<String>) {
        let i = self.ws.catalog_items(None).unwrap().into_iter().find(|i| i.name == name).unwrap();
        (i.code, i.sub_items.into_iter().map(|s| s.code).collect())
    }

    fn file(&self, name: &str, sub_item: Option<usize>) -> String {
        self.n.set(self.n.get() + 1);
        let (code, subs) = self.code(name);
        let req = NewCase {
            item_code: code,
            applicant_id: yc_core::ids::make_resident_id("440305", "1970-01-01".parse().unwrap(), self.n.get()),
            applicant_name: format!("缴费人{}", self.n.get()),
            sub_item: sub_item.map(|i| subs[i].clone()),
            ..Default::default()
        };
        self.ws.new_case(&self.a("clerk"), &req).unwrap()
    }

    fn journal_len(&self) -> i64 {
        self.ws.store().reader().unwrap().query_row("SELECT count(*) FROM journal", [], |r| r.get(0)).unwrap()
    }
}

fn pay(receipt: &str, amount_fen: Option<i64>) -> Payment {
    Payment { receipt_no: receipt.into(), amount_fen }
}

#[test]
fn a_fee_is_paid_once_with_its_receipt_and_refunded_with_a_reason() {
    let fx = Fx::new();
    let (clerk, dec) = (fx.a("clerk"), fx.a("dec"));
    let no = fx.file(TRANSFER, Some(0));
    let a = fx.ws.fee(&clerk, &no).unwrap();
    assert_eq!((a.status, a.due_fen, a.lines.len()), (Status::Due, Some(8000), 1));
    assert!(a.lines[0].amount_text.as_deref().is_some_and(|t| t.contains("非住宅类每件 550 元")));

    // The decision maker does not take money at the window.
    let e = fx.ws.pay_fee(&dec, &no, &pay("FS-2026-0001", None)).unwrap_err();
    assert!(matches!(e, CoreError::RoleDenied { .. }), "{e}");
    let a = fx.ws.pay_fee(&clerk, &no, &pay(" ＦＳ-2026-0001 ", None)).unwrap();
    assert_eq!((a.status, a.amount_fen, a.receipt_no.as_deref()), (Status::Paid, Some(8000), Some("FS-2026-0001")));
    assert_eq!(a.paid_by.as_deref(), Some("clerk"));

    // Once: a second payment, a waiver of the paid fee, and the same receipt on another case
    // are refused and journal nothing.
    let other = fx.file(TRANSFER, Some(1));
    let before = fx.journal_len();
    let e = fx.ws.pay_fee(&clerk, &no, &pay("FS-2026-0002", None)).unwrap_err().to_string();
    assert!(e.contains("已于 2026-11-20 缴费 80.00 元") && e.contains("FS-2026-0001"), "{e}");
    assert!(fx.ws.exempt_fee(&dec, &no, "低保对象", None).is_err());
    let e = fx.ws.pay_fee(&clerk, &other, &pay("FS-2026-0001", None)).unwrap_err().to_string();
    assert!(e.contains("已用于"), "{e}");
    assert_eq!(fx.journal_len(), before);

    // 分档: the catalog describes the non-residential amount, so the clerk enters it.
    let a = fx.ws.pay_fee(&clerk, &other, &pay("FS-2026-0003", Some(55000))).unwrap();
    assert_eq!(a.amount_fen, Some(55000));

    // Refund: the decision maker's, with a reason and the voucher; once.
    let e = fx.ws.refund_fee(&clerk, &no, "TF-0001", "申请人撤回申请").unwrap_err();
    assert!(matches!(e, CoreError::RoleDenied { .. }), "{e}");
    let e = fx.ws.refund_fee(&dec, &no, "TF-0001", "  ").unwrap_err();
    assert!(matches!(e, CoreError::Missing { .. }), "{e}");
    let a = fx.ws.refund_fee(&dec, &no, "TF-0001", "申请人撤回申请").unwrap();
    assert_eq!(
        (a.status, a.refunded_fen, a.refund_reason.as_deref()),
        (Status::Refunded, Some(8000), Some("申请人撤回申请"))
    );
    assert!(fx.ws.refund_fee(&dec, &no, "TF-0002", "再退一次").unwrap_err().to_string().contains("不能重复退费"));
    assert!(fx.ws.pay_fee(&clerk, &no, &pay("FS-2026-0009", None)).is_err(), "refunded is settled too");
    let ev: (String, String, Option<String>) = fx
        .ws
        .store()
        .reader()
        .unwrap()
        .query_row("SELECT action, actor, reason FROM journal ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(ev, ("fee.refund".into(), "dec".into(), Some("申请人撤回申请".into())));

    // A free item is not charged.
    let free = fx.file("敬老优待证办理", None);
    assert_eq!(fx.ws.fee(&clerk, &free).unwrap().status, Status::Free);
    assert!(fx.ws.pay_fee(&clerk, &free, &pay("FS-2026-0100", Some(100))).unwrap_err().to_string().contains("不收费"));
}

#[test]
fn the_amount_follows_the_situation_and_an_exemption_needs_a_reason() {
    let fx = Fx::new();
    let (clerk, dec) = (fx.a("clerk"), fx.a("dec"));
    let new = fx.file(FOOD, Some(0));
    let change = fx.file(FOOD, Some(1));
    let renew = fx.file(FOOD, Some(2));
    assert_eq!(fx.ws.fee(&clerk, &new).unwrap().due_fen, Some(2000));
    assert_eq!(fx.ws.fee(&clerk, &change).unwrap().due_fen, Some(1000));
    assert_eq!(fx.ws.fee(&clerk, &renew).unwrap().due_fen, Some(0));
    // A fixed amount is not typed over.
    let e = fx.ws.pay_fee(&clerk, &new, &pay("FS-1001", Some(1500))).unwrap_err().to_string();
    assert!(e.contains("应收 20.00 元"), "{e}");

    assert!(matches!(fx.ws.exempt_fee(&clerk, &new, "小微企业", None), Err(CoreError::RoleDenied { .. })));
    assert!(matches!(fx.ws.exempt_fee(&dec, &new, " ", None), Err(CoreError::Missing { .. })));
    let a = fx.ws.exempt_fee(&dec, &new, "小微企业免征（财税〔2019〕13号）", None).unwrap();
    assert_eq!((a.status, a.amount_fen), (Status::Exempted, Some(2000)));
    assert!(
        fx.ws.pay_fee(&clerk, &new, &pay("FS-1002", None)).unwrap_err().to_string().contains("已于 2026-11-20 减免")
    );
    // A withdrawn application is not charged.
    fx.ws
        .act(&clerk, &change, Action::Withdraw, &ActRequest { reason: Some("申请人撤回".into()), ..Default::default() })
        .unwrap();
    let e = fx.ws.pay_fee(&clerk, &change, &pay("FS-1003", None)).unwrap_err();
    assert!(matches!(e, CoreError::IllegalTransition { .. }), "{e}");
}

#[test]
fn a_theme_is_charged_once_for_all_its_branches_and_the_statistics_recount_from_the_journal() {
    let fx = Fx::new();
    let clerk = fx.a("clerk");
    let r = fx
        .ws
        .new_theme(
            &clerk,
            &NewTheme {
                theme_code: KAIBAN.into(),
                applicant_id: yc_core::ids::make_resident_id("440305", "1985-03-12".parse().unwrap(), 7),
                applicant_name: "开办人".into(),
                ..NewTheme::default()
            },
        )
        .unwrap();
    let branches: Vec<String> = r.branches.iter().map(|b| b.case_no.clone()).collect();
    let a = fx.ws.fee(&clerk, &branches[0]).unwrap();
    assert_eq!((a.account.as_str(), a.theme_no.as_deref()), (r.theme_no.as_str(), Some(r.theme_no.as_str())));
    assert_eq!((a.due_fen, a.lines.len(), a.department.as_str()), (Some(15050), 2, r.lead_department.as_str()));
    let a = fx.ws.pay_fee(&clerk, &branches[3], &pay("FS-ZT-0001", None)).unwrap();
    assert_eq!((a.status, a.amount_fen), (Status::Paid, Some(15050)));
    for b in &branches {
        let e = fx.ws.pay_fee(&clerk, b, &pay("FS-ZT-0002", None)).unwrap_err().to_string();
        assert!(e.contains(&format!("随主题 {} 一次收取", r.theme_no)), "{e}");
        assert_eq!(fx.ws.fee(&clerk, b).unwrap().status, Status::Paid);
    }

    // More settled accounts, then the statistics against the journal's own count.
    let one = fx.file(TRANSFER, Some(0));
    fx.ws.pay_fee(&clerk, &one, &pay("FS-0001", None)).unwrap();
    fx.ws.refund_fee(&fx.a("dec"), &one, "TF-0001", "多收退还").unwrap();
    let two = fx.file(FOOD, Some(1));
    fx.ws.exempt_fee(&fx.a("dec"), &two, "低保对象", None).unwrap();
    let day = "2026-11-20".parse().unwrap();
    let rep = fx.ws.report(&fx.a("admin"), &Query { from: day, to: day, by: Some(By::Department) }).unwrap();
    let (mut paid, mut paid_fen, mut exempted, mut exempted_fen, mut refunded, mut refunded_fen) = (0, 0, 0, 0, 0, 0);
    let conn = fx.ws.store().reader().unwrap();
    let mut st = conn.prepare("SELECT action, payload FROM journal WHERE action LIKE 'fee.%' ORDER BY seq").unwrap();
    let evs: Vec<(String, String)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    for (action, payload) in &evs {
        let p: serde_json::Value = serde_json::from_str(payload).unwrap();
        let fen = p["amount_fen"].as_u64().unwrap();
        match action.as_str() {
            "fee.pay" => (paid, paid_fen) = (paid + 1, paid_fen + fen),
            "fee.exempt" => (exempted, exempted_fen) = (exempted + 1, exempted_fen + fen),
            "fee.refund" => (refunded, refunded_fen) = (refunded + 1, refunded_fen + fen),
            a => panic!("{a}"),
        }
    }
    let f = &rep.total.fees;
    assert_eq!(
        (f.paid, f.paid_fen, f.exempted, f.exempted_fen, f.refunded, f.refunded_fen),
        (paid, paid_fen, exempted, exempted_fen, refunded, refunded_fen)
    );
    assert_eq!((paid, paid_fen, exempted, exempted_fen, refunded, refunded_fen), (2, 15050 + 8000, 1, 1000, 1, 8000));
    // The theme's payment is the lead department's.
    let lead_department = fx.ws.catalog_theme(KAIBAN).unwrap().1.lead_department;
    let lead = rep.rows.iter().find(|r| r.key == lead_department).map(|r| r.fees.paid_fen);
    assert_eq!(lead, Some(15050));
    drop(st);
    drop(conn);

    let fp = fx.ws.derived_fingerprint().unwrap();
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), fp, "fees rebuilt identically");
    assert_eq!(fx.ws.fee(&clerk, &branches[1]).unwrap().amount_fen, Some(15050));
}

/// A catalog fee must be a plain amount of yuan: negative, more than two decimals, not a number
/// or beyond 100 million (where a case's lines summed in fen could overflow) is refused on
/// import, with the field named.
#[test]
fn a_fee_amount_out_of_range_is_refused_on_import() {
    let good: serde_json::Value = serde_json::from_str(&catalog_with_fees()).unwrap();
    assert!(catalog::parse(&good.to_string()).is_ok());
    for bad in [-1.0, 0.001, 1.0e8 + 1.0, 9.0e16] {
        let mut c = good.clone();
        let item = c["items"].as_array_mut().unwrap().iter_mut().find(|i| i["name"] == SEAL).unwrap();
        item["fees"][0]["amount_yuan"] = bad.into();
        let e = catalog::parse(&c.to_string()).unwrap_err().to_string();
        assert!(e.contains("amount_yuan") && e.contains("1 亿元"), "{bad}: {e}");
    }
}
