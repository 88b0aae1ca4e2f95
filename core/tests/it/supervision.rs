//! Supervision scenarios with known answers (issue 15): each monitor fires exactly where it should
//! and nowhere else; a second run raises nothing; hits reach the outbox stream `supervision`
//! matching their schema; a 差评 opens a work order that goes late; a rebuild reproduces it all.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, TimeZone};
use yc_core::calendar::Calendar;
use yc_core::case::{Action, Role};
use yc_core::catalog::Item;
use yc_core::clock::beijing;
use yc_core::staff::Actor;
use yc_core::supervision::{self, Channel, Level, NewRating, Rule, WorkOrderStep, monitors};
use yc_core::{ActRequest, Clock, CoreError, NewCase, NewStaff, Workstation};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

struct Fx {
    dir: tempfile::TempDir,
    ws: Workstation,
    item: Item,
    seq: std::cell::Cell<u16>,
}

impl Fx {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Clock::at_date(d("2026-03-02"));
        let (ws, admin) = crate::support::staffed_with(
            dir.path(),
            "测试窗口",
            "admin-pw",
            clock,
            &crate::deadlines::ACCOUNTS,
            Some("pw"),
        );
        let item = ws
            .catalog_items(None)
            .unwrap()
            .into_iter()
            .find(|i| i.promised_limit_days == 10 && i.result.is_some() && !i.secret)
            .expect("a 10-day promised item");
        let low = yc_seal::KeyStoreOptions { iterations: std::num::NonZeroU32::new(1000).unwrap(), max_attempts: 5 };
        ws.create_seal_authority(&admin, "测试印章制作中心", "authority-pin", low).unwrap();
        ws.issue_seal(
            &admin,
            &item.department,
            yc_seal::SealType::AdministrativeLicensing,
            "seal-pin",
            "authority-pin",
            low,
        )
        .unwrap();
        Fx { dir, ws, item, seq: std::cell::Cell::new(0) }
    }

    /// The store at `2026-03-DD HH:MM` Beijing time.
    fn at(&self, when: &str) -> Workstation {
        let t = chrono::NaiveDateTime::parse_from_str(when, "%Y-%m-%d %H:%M").unwrap();
        Workstation::open(self.dir.path(), Clock::fixed(beijing().from_local_datetime(&t).single().unwrap())).unwrap()
    }

    fn actor(&self, id: &str) -> Actor {
        self.ws.actor(id).unwrap()
    }

    fn file(&self, when: &str) -> String {
        self.seq.set(self.seq.get() + 1);
        let req = NewCase {
            item_code: self.item.code.clone(),
            applicant_id: yc_core::ids::make_resident_id("440305", d("1980-05-17"), self.seq.get()),
            applicant_name: format!("申请人{}", self.seq.get()),
            ..Default::default()
        };
        self.at(when).new_case(&self.actor("clerk"), &req).unwrap()
    }

    fn act_with(&self, when: &str, who: &str, no: &str, action: Action, basis: &str) {
        let req =
            ActRequest {
                reason: Some("材料不符合要求".into()), legal_basis: Some(basis.into()), ..Default::default()
            };
        self.at(when)
            .act(&self.actor(who), no, action, &req)
            .unwrap_or_else(|e| panic!("{action:?} on {no} at {when}: {e}"));
    }

    fn act(&self, when: &str, who: &str, no: &str, action: Action) {
        self.act_with(when, who, no, action, "《行政许可法》第三十八条");
    }

    fn deliver(&self, when: &str, no: &str) {
        let ws = self.at(when);
        ws.seal_document(&self.actor("seal"), no, yc_core::seal::DocKind::Approval, "seal-pin").unwrap();
        if self.item.result.as_ref().is_some_and(|r| format!("{:?}", r.kind).to_lowercase().contains("certificate")) {
            self.act(when, "seal", no, Action::IssueCertificate);
        }
        self.act(when, "clerk", no, Action::Deliver);
    }
}

/// A named 非常不满意 at the window (a 差评: it opens a work order), the rater's phone taken for
/// the call-back.
fn named_bad(case_no: &str) -> NewRating {
    NewRating {
        case_no: case_no.to_owned(),
        channel: Channel::WindowDevice,
        level: Level::VeryDissatisfied,
        indicators: [("态度".to_owned(), Level::Dissatisfied)].into(),
        comment: Some("等了很久".into()),
        real_name: true,
        rater_name: Some("申请人1".into()),
        rater_phone: Some("13912345678".into()),
    }
}

/// Outbox items of the `evaluations` stream: (kind, key, payload).
fn evaluation_items(fx: &Fx) -> Vec<(String, String, serde_json::Value)> {
    let conn = rusqlite::Connection::open(fx.dir.path().join("yichuang.db")).unwrap();
    let mut st = conn
        .prepare("SELECT kind, key, payload, case_no FROM outbox WHERE stream = 'evaluations' ORDER BY id")
        .unwrap();
    st.query_map([], |r| {
        assert_eq!(r.get::<_, Option<String>>(3)?, None, "no per-case order on this stream");
        Ok((r.get(0)?, r.get(1)?, serde_json::from_str(&r.get::<_, String>(2)?).unwrap()))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

#[test]
fn ratings_given_here_and_work_order_steps_go_up_on_the_evaluations_stream_and_far_ratings_do_not_echo() {
    let fx = Fx::new();
    let closed: Vec<String> = (0..2)
        .map(|_| {
            let no = fx.file("2026-03-02 09:00");
            fx.act("2026-03-03 09:00", "clerk", &no, Action::Accept);
            fx.act("2026-03-03 10:00", "reviewer", &no, Action::StartReview);
            fx.act("2026-03-04 10:00", "decider", &no, Action::Approve);
            fx.deliver("2026-03-05 10:00", &no);
            no
        })
        .collect();
    let ws = fx.at("2026-03-05 15:00");
    assert!(evaluation_items(&fx).is_empty());

    // A named 差评 at the window: one item, with the case snapshot and the name, never the phone.
    let bad = named_bad(&closed[0]);
    let rec = ws.record_rating(&fx.actor("clerk"), &bad).unwrap();
    let order = rec.work_order.clone().unwrap();
    let items = evaluation_items(&fx);
    assert_eq!(items.len(), 1);
    let (kind, key, p) = &items[0];
    assert_eq!((kind.as_str(), key.as_str()), ("evaluation.rating", rec.rating_id.as_str()));
    assert_eq!(p["case_no"], closed[0].as_str());
    assert_eq!(p["case"]["case_no"], closed[0].as_str());
    assert_eq!(p["case"]["department"], fx.item.department.as_str());
    assert_eq!((p["level"].as_str(), p["channel"].as_str()), (Some("very_dissatisfied"), Some("window_device")));
    assert_eq!(p["indicators"]["态度"], "dissatisfied");
    assert_eq!((p["rater_name"].as_str(), p["staff"].as_str()), (Some("申请人1"), Some("clerk")));
    assert_eq!(p["work_order"], order.as_str());
    assert!(!p.to_string().contains("13912345678"), "the phone stays here: {p}");

    // Each step of its work order follows, with the state after it.
    let reviewer = fx.actor("reviewer");
    ws.step_work_order(&reviewer, &order, WorkOrderStep::Verify, "调取录像核实").unwrap();
    ws.step_work_order(&reviewer, &order, WorkOrderStep::Rectify, "窗口人员培训").unwrap();
    let steps: Vec<_> = evaluation_items(&fx).into_iter().filter(|(k, _, _)| k == "evaluation.work_order").collect();
    let got: Vec<(&str, &str, &str)> = steps
        .iter()
        .map(|(_, _, p)| (p["step"].as_str().unwrap(), p["state_after"].as_str().unwrap(), p["note"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [("verify", "rectifying", "调取录像核实"), ("rectify", "feedback", "窗口人员培训")]);
    assert!(steps.iter().all(|(_, _, p)| p["order_id"] == order.as_str() && p["outcome"].is_null()));
    // A refused step queues nothing.
    ws.step_work_order(&reviewer, &order, WorkOrderStep::Review, "复核").unwrap_err();
    assert_eq!(evaluation_items(&fx).len(), 3);

    // A rating the city platform sent (an online 好差评) is recorded, and not sent back to it.
    let online = serde_json::json!({ "case_no": closed[1], "channel": "online", "level": "satisfied" });
    let far = ws.record_rating_from_sync("city", &online).unwrap();
    assert!(far.work_order.is_none());
    assert_eq!(evaluation_items(&fx).len(), 3, "a far rating is not echoed");
    let conn = rusqlite::Connection::open(fx.dir.path().join("yichuang.db")).unwrap();
    let ratings: i64 = conn.query_row("SELECT count(*) FROM ratings", [], |r| r.get(0)).unwrap();
    assert_eq!(ratings, 2, "both ratings are counted here");

    // The outbox is not derived: a rebuild neither drops nor repeats the items.
    ws.rebuild().unwrap();
    assert_eq!(evaluation_items(&fx).len(), 3);
}

fn by_rule(hits: &[supervision::Hit]) -> BTreeMap<Rule, BTreeSet<String>> {
    let mut m: BTreeMap<Rule, BTreeSet<String>> = BTreeMap::new();
    for h in hits {
        m.entry(h.rule).or_default().insert(h.case_no.clone().unwrap_or_default());
    }
    m
}

#[test]
fn each_monitor_fires_exactly_where_it_should() {
    let fx = Fx::new();
    let cal = Calendar::official();

    // A clean case: filed, accepted next day, decided, delivered in time. No hit at all.
    let clean = fx.file("2026-03-02 09:00");
    fx.act("2026-03-03 09:00", "clerk", &clean, Action::Accept);
    fx.act("2026-03-03 10:00", "reviewer", &clean, Action::StartReview);
    fx.act("2026-03-04 10:00", "decider", &clean, Action::Approve);
    fx.deliver("2026-03-05 10:00", &clean);

    // Two supplement requests: 多次补正 fires once, on the second.
    let sup = fx.file("2026-03-02 09:00");
    fx.act("2026-03-02 10:00", "clerk", &sup, Action::RequestSupplement);
    fx.act("2026-03-03 09:00", "clerk", &sup, Action::Supplement);
    fx.act("2026-03-03 11:00", "clerk", &sup, Action::RequestSupplement);
    fx.act("2026-03-04 09:00", "clerk", &sup, Action::Supplement);
    fx.act("2026-03-04 10:00", "clerk", &sup, Action::Accept);

    // Refusals: one with a generic basis (fires), one citing the law (does not).
    let vague = fx.file("2026-03-02 09:00");
    fx.act_with("2026-03-03 09:00", "clerk", &vague, Action::RefuseAcceptance, "相关规定");
    let cited = fx.file("2026-03-02 09:00");
    fx.act_with(
        "2026-03-03 09:00",
        "clerk",
        &cited,
        Action::RefuseAcceptance,
        "《行政许可法》第三十二条第一款第（二）项",
    );

    // Decided one working day late.
    let late = fx.file("2026-03-02 09:00");
    fx.act("2026-03-02 13:00", "clerk", &late, Action::Accept);
    fx.act("2026-03-02 14:00", "reviewer", &late, Action::StartReview);
    let due = cal.add_workdays(d("2026-03-02"), 10).unwrap();
    let late_day = cal.add_workdays(due, 1).unwrap();
    fx.act(&format!("{late_day} 10:00"), "decider", &late, Action::Approve);

    // A 承诺件 decided 10 minutes after filing.
    let hasty = fx.file("2026-03-02 09:00");
    fx.act("2026-03-02 09:03", "clerk", &hasty, Action::Accept);
    fx.act("2026-03-02 09:05", "reviewer", &hasty, Action::StartReview);
    fx.act("2026-03-02 09:10", "decider", &hasty, Action::Approve);
    fx.deliver("2026-03-03 09:00", &hasty);

    // Back-filling: ten week-old cases accepted by one clerk within five minutes (they are also
    // late for pre-review).
    let old: Vec<String> = (0..10).map(|_| fx.file("2026-03-02 16:00")).collect();
    for (i, no) in old.iter().enumerate() {
        fx.act(&format!("2026-03-09 10:{:02}", i / 2), "clerk", no, Action::Accept);
    }

    // A named 差评 on the clean case: a work order due in 5 working days, left after 整改.
    let ws = fx.at("2026-03-05 15:00");
    let rating = named_bad(&clean);
    let rec = ws.record_rating(&fx.actor("clerk"), &rating).unwrap();
    let order = rec.work_order.clone().expect("a 差评 opens a work order");
    let e = ws.record_rating(&fx.actor("clerk"), &rating).unwrap_err();
    assert!(e.to_string().contains("只能评价一次"), "{e}");
    let e = ws.record_rating(&fx.actor("clerk"), &NewRating { case_no: sup.clone(), ..rating.clone() }).unwrap_err();
    assert!(matches!(e, CoreError::IllegalTransition { .. }), "not closed yet: {e}");
    let reviewer = fx.actor("reviewer");
    ws.step_work_order(&reviewer, &order, WorkOrderStep::Verify, "已核实").unwrap();
    let e = ws.step_work_order(&reviewer, &order, WorkOrderStep::Review, "复核").unwrap_err();
    assert!(e.to_string().contains("待整改"), "{e}");
    ws.step_work_order(&reviewer, &order, WorkOrderStep::Rectify, "已整改").unwrap();
    ws.step_work_order(&reviewer, &order, WorkOrderStep::Feedback, "已反馈").unwrap();
    let e = ws.step_work_order(&reviewer, &order, WorkOrderStep::Review, "复核").unwrap_err();
    assert!(e.to_string().contains("回访"), "a named 差评 is called back first: {e}");
    let wo = ws.work_orders(&reviewer, false).unwrap();
    assert_eq!(wo.len(), 1);
    assert_eq!(wo[0].due_on, Some(cal.add_workdays(d("2026-03-05"), 5).unwrap()));

    // Run on the day after the late decision.
    let run_on = cal.add_workdays(late_day, 1).unwrap();
    let ws = fx.at(&format!("{run_on} 18:00"));
    let admin = fx.actor("admin");
    let e = ws.run_monitors(&fx.actor("clerk")).unwrap_err();
    assert!(matches!(e, CoreError::RoleDenied { .. }));
    let rep = ws.run_monitors(&admin).unwrap();
    let got = by_rule(&rep.raised);
    let set = |v: &[&String]| v.iter().map(|s| (*s).clone()).collect::<BTreeSet<_>>();
    let mut want: BTreeMap<Rule, BTreeSet<String>> = BTreeMap::new();
    want.insert(Rule::RepeatedSupplement, set(&[&sup]));
    want.insert(Rule::WeakLegalBasis, set(&[&vague]));
    want.insert(Rule::DecisionOverdue, set(&[&late]));
    want.insert(Rule::HastyDecision, set(&[&hasty]));
    want.insert(Rule::BackfillBurst, old.iter().cloned().collect());
    want.insert(Rule::PreReviewLate, old.iter().cloned().collect());
    want.insert(Rule::WorkOrderOverdue, set(&[&clean]));
    assert_eq!(got, want, "{:#?}", rep.raised);
    // 多次补正 on the second request only.
    let sup_hit = rep.raised.iter().find(|h| h.rule == Rule::RepeatedSupplement).unwrap();
    assert_eq!(sup_hit.evidence["nth"], 2);
    assert_eq!(sup_hit.staff.as_deref(), Some("clerk"));
    let late_hit = rep.raised.iter().find(|h| h.rule == Rule::DecisionOverdue).unwrap();
    assert_eq!((late_hit.evidence["late_days"].as_u64(), late_hit.occurred_on), (Some(1), late_day));

    // Idempotent: nothing new on a second run.
    let again = ws.run_monitors(&admin).unwrap();
    assert!(again.raised.is_empty(), "{:#?}", again.raised);
    assert_eq!(again.known, rep.raised.len());

    // Journaled once each (the run's hits in one `supervision.hits` event), stored, and queued on
    // the supervision stream matching the schema, one item per hit.
    let conn = rusqlite::Connection::open(fx.dir.path().join("yichuang.db")).unwrap();
    let (events, journaled): (i64, i64) = conn
        .query_row(
            "SELECT count(*), COALESCE(SUM(json_array_length(payload, '$.hits')), 0) FROM journal
             WHERE action = 'supervision.hits'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((events, journaled as usize), (1, rep.raised.len()));
    let stored = ws.supervision_hits(&admin, None, None, 1000).unwrap();
    assert_eq!(stored.len(), rep.raised.len());
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/schemas/item.supervision.hit.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let v = jsonschema::draft202012::options().should_validate_formats(true).build(&schema).unwrap();
    let mut st = conn
        .prepare("SELECT stream, kind, case_no, case_seq, payload FROM outbox WHERE stream = 'supervision'")
        .unwrap();
    let items: Vec<(String, String, Option<String>, i64, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(items.len(), rep.raised.len());
    for (_, kind, case_no, seq, payload) in &items {
        assert_eq!((kind.as_str(), case_no, *seq), ("supervision.hit", &None, 0));
        let p: serde_json::Value = serde_json::from_str(payload).unwrap();
        let bad: Vec<String> = v.iter_errors(&p).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(bad.is_empty(), "{bad:?}\n{p:#}");
    }

    // A rebuild reproduces every derived row.
    let before = ws.derived_fingerprint().unwrap();
    ws.rebuild().unwrap();
    assert_eq!(ws.derived_fingerprint().unwrap(), before);
    assert_eq!(ws.supervision_hits(&admin, None, None, 1000).unwrap().len(), rep.raised.len());
}

#[test]
fn thresholds_are_configuration_and_basis_rules_are_documented_defaults() {
    let cfg = supervision::Config::default();
    assert_eq!((cfg.work_order_days, cfg.pre_review_days, cfg.supplements_allowed), (5, 2, 1));
    for (basis, weak) in [
        (None, true),
        (Some("相关规定"), true),
        (Some("有关规定。"), true),
        (Some("依法不予受理"), true),
        (Some("依据相关法律法规的规定不予受理"), true),
        (Some("《行政许可法》第三十二条"), false),
        (Some("行政许可法第三十二条第一款"), false),
    ] {
        assert_eq!(monitors::weak_basis(basis, &cfg).is_some(), weak, "{basis:?}");
    }
    let fx = Fx::new();
    let admin = fx.actor("admin");
    let e = fx.ws.set_supervision_config(&fx.actor("clerk"), &cfg).unwrap_err();
    assert!(matches!(e, CoreError::RoleDenied { .. }));
    let custom = supervision::Config { work_order_days: 15, ..cfg };
    fx.ws.set_supervision_config(&admin, &custom).unwrap();
    assert_eq!(fx.ws.supervision_config().unwrap().work_order_days, 15);
    let e = fx.ws.set_supervision_config(&admin, &supervision::Config { burst_events: 1, ..custom }).unwrap_err();
    assert!(e.to_string().contains("至少"), "{e}");
}

/// The 监察 tab's figures (supervision/dashboard.rs): each number equals what was done, each
/// drill-down lists exactly those cases, and only the supervisor (an administrator of every
/// department) reads them.
#[test]
fn dashboard_numbers_and_their_cases() {
    use yc_core::supervision_board::{Drill, monday};
    let fx = Fx::new();
    let cal = Calendar::official();
    let admin = fx.actor("admin");

    // Week of 03-02: two filed; one decided a working day late, one delivered and badly rated.
    let late = fx.file("2026-03-02 09:00");
    fx.act("2026-03-02 13:00", "clerk", &late, Action::Accept);
    fx.act("2026-03-02 14:00", "reviewer", &late, Action::StartReview);
    let due = cal.add_workdays(d("2026-03-02"), 10).unwrap();
    let late_day = cal.add_workdays(due, 1).unwrap();
    let rated = fx.file("2026-03-02 10:00");
    fx.act("2026-03-03 09:00", "clerk", &rated, Action::Accept);
    fx.act("2026-03-03 10:00", "reviewer", &rated, Action::StartReview);
    fx.act("2026-03-04 10:00", "decider", &rated, Action::Approve);
    fx.deliver("2026-03-05 10:00", &rated);
    // Week of 03-09: one filed, left open.
    let open = fx.file("2026-03-10 09:00");
    fx.act(&format!("{late_day} 10:00"), "decider", &late, Action::Approve);
    let ws = fx.at(&format!("{late_day} 16:00"));
    let bad = NewRating {
        case_no: rated.clone(),
        channel: Channel::WindowDevice,
        level: Level::Dissatisfied,
        indicators: BTreeMap::new(),
        comment: None,
        real_name: false,
        rater_name: None,
        rater_phone: None,
    };
    let order = ws.record_rating(&fx.actor("clerk"), &bad).unwrap().work_order.unwrap();
    let run = ws.run_monitors(&admin).unwrap();
    assert_eq!(run.count(Rule::DecisionOverdue), 1);

    let (from, to) = (d("2026-03-01"), d("2026-03-31"));
    let dash = ws.supervision_dashboard(&admin, from, to).unwrap();
    assert_eq!(dash.weeks.first().unwrap().week, monday(from));
    assert_eq!(dash.weeks.first().unwrap().week, d("2026-02-23"), "03-01 is a Sunday");
    assert_eq!(dash.weeks.len(), 6, "02-23 … 03-30");
    let week = |w: &str| dash.weeks.iter().find(|x| x.week == d(w)).unwrap().clone();
    assert_eq!((week("2026-03-02").received, week("2026-03-02").decided), (2, 1));
    assert_eq!(week("2026-03-09").received, 1);
    let lw = week(&monday(late_day).to_string());
    assert_eq!((lw.late, lw.decided >= 1), (1, true));
    assert_eq!(dash.weeks.iter().map(|w| w.hits).sum::<u64>(), run.raised.len() as u64);
    let by_rule: u64 = dash.rules.iter().map(|r| r.count).sum();
    assert_eq!(by_rule, run.raised.len() as u64);
    assert!(dash.rules.windows(2).all(|w| w[0].count >= w[1].count), "most first");
    let level = |l: Level| dash.ratings.iter().find(|r| r.level == l).unwrap().count;
    assert_eq!((level(Level::Dissatisfied), level(Level::Satisfied)), (1, 0));
    assert_eq!(dash.satisfaction_rate, Some(0.0));
    assert_eq!(dash.work_orders.iter().map(|o| o.order_id.clone()).collect::<Vec<_>>(), vec![order]);
    // Lights: every open case once, under its department.
    let open_cases: u64 =
        dash.lights.iter().map(|l| l.lights.green + l.lights.yellow + l.lights.red + l.lights.unknown).sum();
    assert_eq!(open_cases, 2, "the late case awaits delivery, the third awaits acceptance");
    assert!(dash.lights.iter().all(|l| l.department == fx.item.department));

    // Drill-downs: exactly the cases behind each number.
    let cases = |dr: Drill| -> BTreeSet<String> {
        let r = ws.supervision_drill(&admin, from, to, &dr).unwrap();
        assert_eq!(r.total as usize, r.cases.len());
        r.cases.into_iter().map(|c| c.case_no).collect()
    };
    let set = |v: &[&String]| v.iter().map(|s| (*s).clone()).collect::<BTreeSet<_>>();
    assert_eq!(cases(Drill::Received { week: d("2026-03-02") }), set(&[&late, &rated]));
    assert_eq!(cases(Drill::Received { week: d("2026-03-11") }), set(&[&open]), "any day names its week");
    assert_eq!(cases(Drill::Decided { week: monday(late_day), late_only: true }), set(&[&late]));
    assert_eq!(cases(Drill::Hits { rule: Some(Rule::DecisionOverdue), week: None }), set(&[&late]));
    assert_eq!(cases(Drill::Rating { level: Level::Dissatisfied }), set(&[&rated]));
    assert!(cases(Drill::Rating { level: Level::VerySatisfied }).is_empty());
    let dept = &dash.lights[0];
    for (light, n) in [
        (Some(yc_core::deadline::Light::Green), dept.lights.green),
        (Some(yc_core::deadline::Light::Yellow), dept.lights.yellow),
        (Some(yc_core::deadline::Light::Red), dept.lights.red),
        (None, dept.lights.unknown),
    ] {
        let got = cases(Drill::Light { department: dept.department.clone(), light });
        assert_eq!(got.len() as u64, n, "{light:?}");
        assert!(got.iter().all(|c| *c == late || *c == open));
    }
    // A week outside the period is clipped to it: nothing.
    assert!(cases(Drill::Received { week: d("2026-04-06") }).is_empty());

    // Supervisor only: a clerk, and an administrator of one department, are refused.
    let e = ws.supervision_dashboard(&fx.actor("clerk"), from, to).unwrap_err();
    assert!(matches!(e, CoreError::RoleDenied { .. }), "{e}");
    let s = NewStaff {
        id: "dept_admin".into(),
        name: "部门管理员".into(),
        roles: vec![Role::Admin],
        departments: vec![fx.item.department.clone()],
        password: Some("pw".into()),
    };
    ws.add_staff(&admin, &s).unwrap();
    let e = ws
        .supervision_drill(&fx.actor("dept_admin"), from, to, &Drill::Rating { level: Level::Satisfied })
        .unwrap_err();
    assert!(matches!(e, CoreError::DepartmentDenied { .. }), "{e}");
    let e = ws.supervision_dashboard(&admin, to, from).unwrap_err();
    assert!(e.to_string().contains("晚于"), "{e}");
    // Reads only: a rebuild leaves every derived row as it was.
    let before = ws.derived_fingerprint().unwrap();
    ws.rebuild().unwrap();
    assert_eq!(ws.derived_fingerprint().unwrap(), before);
}

/// A small deterministic generator (SplitMix64): the same histories on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn watch_rows(fx: &Fx) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(fx.dir.path().join("yichuang.db")).unwrap();
    let mut st = conn.prepare("SELECT case_no, wake_on FROM monitor_watch ORDER BY case_no").unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<rusqlite::Result<_>>().unwrap()
}

/// The monitors resume from the journal cursor and the watch list; over random histories (cases
/// filed, handled, refused with and without basis, supplemented twice, decided late, back-filled
/// in bursts; runs on random days) every incremental run raises exactly what a run from scratch
/// raises at that moment — the findings of the dry run minus those recorded — evidence included.
/// A rebuild clears the resume state; the run from scratch after it raises nothing, rebuilds the
/// same watch list, and the year table reads the same before and after.
#[test]
fn incremental_runs_raise_what_a_run_from_scratch_raises() {
    let mut rules_seen: BTreeSet<Rule> = BTreeSet::new();
    let mut incremental_runs = 0;
    for seed in 1..=4u64 {
        let fx = Fx::new();
        let admin = fx.actor("admin");
        // Bursts of four events in ten minutes on two-day-old cases, so short histories have some.
        let cfg = supervision::Config { burst_events: 4, burst_case_age_days: 2, ..Default::default() };
        fx.ws.set_supervision_config(&admin, &cfg).unwrap();
        let mut rng = Rng(seed);
        let mut now = chrono::NaiveDateTime::parse_from_str("2026-03-02 09:00", "%Y-%m-%d %H:%M").unwrap();
        let stamp = |t: &chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M").to_string();
        // One scripted 多次补正 per history (random moves rarely line up two requests).
        let twice = fx.file("2026-03-02 09:00");
        fx.act("2026-03-02 09:01", "clerk", &twice, Action::RequestSupplement);
        fx.act("2026-03-02 09:02", "clerk", &twice, Action::Supplement);
        fx.act("2026-03-02 09:03", "clerk", &twice, Action::RequestSupplement);
        now += chrono::Duration::minutes(3);
        let mut cases: Vec<String> = vec![twice];
        for step in 0..80 {
            // Time only moves forward: a few minutes, or on to a later morning.
            if rng.below(6) == 0 {
                now = (now.date() + chrono::Days::new(1 + rng.below(3) as u64)).and_hms_opt(9, 0, 0).unwrap();
            } else {
                now += chrono::Duration::minutes(1 + rng.below(4) as i64);
            }
            let when = stamp(&now);
            let ws = fx.at(&when);
            let pick = |rng: &mut Rng| cases[rng.below(cases.len())].clone();
            match rng.below(10) {
                0 | 1 => cases.push(fx.file(&when)),
                2..=6 if !cases.is_empty() => {
                    let no = pick(&mut rng);
                    let (who, action) = [
                        ("clerk", Action::Accept),
                        ("clerk", Action::RequestSupplement),
                        ("clerk", Action::Supplement),
                        ("clerk", Action::RefuseAcceptance),
                        ("reviewer", Action::StartReview),
                        ("decider", Action::Approve),
                        ("decider", Action::Deny),
                    ][rng.below(7)];
                    let basis = ["相关规定", "《行政许可法》第三十八条", ""][rng.below(3)];
                    let req = ActRequest {
                        reason: Some("材料不符合要求".into()),
                        legal_basis: (!basis.is_empty()).then(|| basis.into()),
                        ..Default::default()
                    };
                    // Illegal moves are refused and journal nothing: part of a random history.
                    let _ = ws.act(&fx.actor(who), &no, action, &req);
                }
                7 if !cases.is_empty() => {
                    // A burst: one clerk handles several cases within minutes.
                    for _ in 0..6 {
                        let no = pick(&mut rng);
                        let ws = fx.at(&stamp(&now));
                        // The first of these moves the case's state allows.
                        let _ = [Action::Supplement, Action::Accept, Action::RequestSupplement]
                            .into_iter()
                            .find(|a| ws.act(&fx.actor("clerk"), &no, *a, &ActRequest::default()).is_ok());
                        now += chrono::Duration::minutes(1);
                    }
                }
                _ => {
                    let known: BTreeSet<String> = ws
                        .supervision_hits(&admin, None, None, usize::MAX)
                        .unwrap()
                        .into_iter()
                        .map(|h| h.hit.hit_id)
                        .collect();
                    let mut want: BTreeMap<String, supervision::Hit> = BTreeMap::new();
                    for h in ws.supervision_findings(&admin).unwrap() {
                        if !known.contains(&h.hit_id) {
                            want.entry(h.hit_id.clone()).or_insert(h);
                        }
                    }
                    incremental_runs += usize::from(!known.is_empty());
                    let rep = ws.run_monitors(&admin).unwrap();
                    let got: BTreeMap<String, supervision::Hit> =
                        rep.raised.into_iter().map(|h| (h.hit_id.clone(), h)).collect();
                    assert_eq!(got, want, "seed {seed}, step {step}, {when}");
                    rules_seen.extend(got.values().map(|h| h.rule));
                }
            }
        }
        // Weeks later: the time-driven monitors wake on the watch list alone.
        let later = stamp(&(now + chrono::Duration::days(30)));
        let ws = fx.at(&later);
        let known: BTreeSet<String> =
            ws.supervision_hits(&admin, None, None, usize::MAX).unwrap().into_iter().map(|h| h.hit.hit_id).collect();
        let want: BTreeSet<String> = ws
            .supervision_findings(&admin)
            .unwrap()
            .into_iter()
            .map(|h| h.hit_id)
            .filter(|id| !known.contains(id))
            .collect();
        let raised = ws.run_monitors(&admin).unwrap().raised;
        rules_seen.extend(raised.iter().map(|h| h.rule));
        let got: BTreeSet<String> = raised.into_iter().map(|h| h.hit_id).collect();
        assert_eq!(got, want, "seed {seed}, 30 days on");

        // Rebuild: the resume state is dropped; the run from scratch finds it all recorded.
        let year = yc_core::report::Query {
            from: d("2026-01-01"),
            to: d("2026-12-31"),
            by: Some(yc_core::report::By::Department),
        };
        let table = ws.report(&admin, &year).unwrap();
        let watch = watch_rows(&fx);
        ws.rebuild().unwrap();
        assert!(watch_rows(&fx).is_empty());
        let again = ws.run_monitors(&admin).unwrap();
        assert!(again.raised.is_empty(), "seed {seed}: {:#?}", again.raised);
        assert_eq!(watch_rows(&fx), watch, "seed {seed}: the watch list is a function of the record");
        assert_eq!(ws.report(&admin, &year).unwrap(), table, "seed {seed}");
    }
    assert!(incremental_runs >= 6, "{incremental_runs} incremental runs");
    for r in [
        Rule::PreReviewLate,
        Rule::DecisionOverdue,
        Rule::RepeatedSupplement,
        Rule::WeakLegalBasis,
        Rule::BackfillBurst,
    ] {
        assert!(rules_seen.contains(&r), "no {r:?} in the random histories: {rules_seen:?}");
    }
}

/// A run that raises more hits than one event holds journals them in several `supervision.hits`
/// events of at most [`monitors::HITS_PER_EVENT`], still queues one outbox item per hit under its
/// own key, and a rebuild from those events gives back every stored hit.
#[test]
fn a_large_run_is_journaled_in_batches_and_queued_hit_by_hit() {
    let fx = Fx::new();
    let n = monitors::HITS_PER_EVENT + 205;
    let reqs: Vec<NewCase> = (1..=u16::try_from(n).unwrap())
        .map(|i| NewCase {
            item_code: fx.item.code.clone(),
            applicant_id: yc_core::ids::make_resident_id("440305", d("1980-05-17"), i),
            applicant_name: format!("申请人{i}"),
            ..Default::default()
        })
        .collect();
    fx.at("2026-03-02 09:00").new_cases(&fx.actor("clerk"), &reqs).unwrap();
    // Friday: every case is past its two working days of pre-review.
    let ws = fx.at("2026-03-06 17:00");
    let admin = fx.actor("admin");
    let rep = ws.run_monitors(&admin).unwrap();
    assert_eq!(rep.count(Rule::PreReviewLate), n, "{:?}", by_rule(&rep.raised).keys().collect::<Vec<_>>());
    let conn = rusqlite::Connection::open(fx.dir.path().join("yichuang.db")).unwrap();
    let sizes: Vec<i64> = conn
        .prepare(
            "SELECT json_array_length(payload, '$.hits') FROM journal WHERE action = 'supervision.hits' ORDER BY seq",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let total = rep.raised.len();
    let per = i64::try_from(monitors::HITS_PER_EVENT).unwrap();
    assert_eq!(sizes.len(), total.div_ceil(monitors::HITS_PER_EVENT), "{sizes:?}");
    assert!(sizes.iter().all(|&k| k > 0 && k <= per), "{sizes:?}");
    assert_eq!(sizes.iter().sum::<i64>(), i64::try_from(total).unwrap());
    let (items, keys, from_batches): (i64, i64, i64) = conn
        .query_row(
            "SELECT count(*), count(DISTINCT o.key),
                    SUM((SELECT action FROM journal j WHERE j.seq = o.journal_seq) = 'supervision.hits')
             FROM outbox o WHERE o.stream = 'supervision'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((items, keys, from_batches), (total as i64, total as i64, total as i64));
    assert!(ws.run_monitors(&admin).unwrap().raised.is_empty());
    let before = ws.derived_fingerprint().unwrap();
    ws.rebuild().unwrap();
    assert_eq!(ws.derived_fingerprint().unwrap(), before);
    assert_eq!(ws.supervision_hits(&admin, None, None, usize::MAX).unwrap().len(), total);
}
