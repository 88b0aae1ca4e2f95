//! The workstation end to end on real SQLite files: intake, the state machine through the service,
//! deadlines on the official calendar, journal tampering, rebuild, catalog versions, search.

use chrono::NaiveDate;
use rusqlite::Connection;
use yc_core::case::{Action, Channel, Role, State};
use yc_core::catalog::{self, Item};
use yc_core::deadline::Light;
use yc_core::query::ListFilter;
use yc_core::staff::Actor;
use yc_core::{ActRequest, Clock, CoreError, Identity, NewCase, NewStaff, Workstation};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

struct Fx {
    dir: tempfile::TempDir,
    ws: Workstation,
}

impl Fx {
    fn new(today: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let id = Identity { region: "440305".into(), code: "W01".into(), name: "测试窗口".into() };
        let ws = Workstation::init(dir.path(), id, "admin-pw", Clock::at_date(d(today))).unwrap();
        let admin = ws.actor("admin").unwrap();
        ws.import_catalog(&admin, catalog::DEMO_CATALOG_JSON).unwrap();
        let civil =
            ws.catalog_items(None).unwrap().into_iter().find(|i| i.department.contains("民政")).unwrap().department;
        for (id, roles, dept) in [
            ("clerk", vec![Role::Clerk], "*".to_owned()),
            ("reviewer", vec![Role::Reviewer], "*".to_owned()),
            ("decider", vec![Role::Decider], "*".to_owned()),
            ("seal", vec![Role::SealKeeper], "*".to_owned()),
            ("civil", vec![Role::Reviewer, Role::Decider], civil),
        ] {
            ws.add_staff(
                &admin,
                &NewStaff {
                    id: id.into(),
                    name: id.into(),
                    roles,
                    departments: vec![dept],
                    password: Some("pw".into()),
                },
            )
            .unwrap();
        }
        Fx { dir, ws }
    }

    /// The same store, another day.
    fn on(&self, today: &str) -> Workstation {
        Workstation::open(self.dir.path(), Clock::at_date(d(today))).unwrap()
    }

    fn actor(&self, id: &str) -> Actor {
        self.ws.actor(id).unwrap()
    }

    fn item(&self, pred: impl Fn(&Item) -> bool) -> Item {
        self.ws.catalog_items(None).unwrap().into_iter().find(|i| pred(i)).expect("demo catalog has such an item")
    }

    fn promised(&self) -> Item {
        self.item(|i| i.promised_limit_days >= 5 && i.result.is_some() && !i.secret && !i.department.contains("民政"))
    }
}

fn person(seq: u16) -> String {
    yc_core::ids::make_resident_id("440305", d("1980-05-17"), seq)
}

fn file(ws: &Workstation, by: &Actor, item: &Item, id: &str, name: &str) -> String {
    ws.new_case(
        by,
        &NewCase {
            item_code: item.code.clone(),
            applicant_id: id.into(),
            applicant_name: name.into(),
            ..Default::default()
        },
    )
    .unwrap()
}

fn reason(r: &str) -> ActRequest {
    ActRequest { reason: Some(r.into()), ..Default::default() }
}

fn journal_len(ws: &Workstation) -> i64 {
    ws.verify_journal().unwrap().events
}

#[test]
fn a_promised_case_runs_from_intake_to_completion_with_a_journal_entry_per_step() {
    let fx = Fx::new("2026-03-02");
    let item = fx.promised();
    let no = file(&fx.ws, &fx.actor("clerk"), &item, &person(1), "王小明");
    assert!(no.starts_with("440305-W01-20260302-"), "{no}");
    let ws = fx.on("2026-03-03");
    ws.act(&fx.actor("clerk"), &no, Action::Accept, &ActRequest::default()).unwrap();
    let accepted = ws.case_summary(&no).unwrap();
    assert_eq!(accepted.accepted_on.as_deref(), Some("2026-03-03"));
    let expected_due = ws.calendar().add_workdays(d("2026-03-03"), item.promised_limit_days).unwrap();
    assert_eq!(accepted.due_date, Some(expected_due.to_string()));
    ws.act(&fx.actor("reviewer"), &no, Action::StartReview, &ActRequest::default()).unwrap();
    ws.act(&fx.actor("decider"), &no, Action::Approve, &ActRequest::default()).unwrap();
    let detail = ws.case_detail(&no, Some(&fx.actor("seal"))).unwrap();
    if item.result.as_ref().is_some_and(|r| format!("{:?}", r.kind).to_lowercase().contains("certificate")) {
        assert!(detail.available.iter().any(|a| a.code == Action::IssueCertificate));
        ws.act(&fx.actor("seal"), &no, Action::IssueCertificate, &ActRequest::default()).unwrap();
    }
    // 办结 needs the sealed decision: refused without it, allowed once sealed.
    let e = ws.act(&fx.actor("clerk"), &no, Action::Deliver, &ActRequest::default()).unwrap_err();
    assert!(e.to_string().contains("用印"), "{e}");
    let admin = fx.actor("admin");
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
    let doc = ws.seal_document(&fx.actor("seal"), &no, yc_core::seal::DocKind::Approval, "seal-pin").unwrap();
    assert_eq!(doc.case_no, no);
    ws.act(&fx.actor("clerk"), &no, Action::Deliver, &ActRequest::default()).unwrap();
    let done = ws.case_detail(&no, None).unwrap();
    assert_eq!(done.documents.len(), 1);
    assert_eq!(done.summary.state, State::Completed);
    assert_eq!(done.summary.closed_on.as_deref(), Some("2026-03-03"));
    assert_eq!(done.licence_status.as_deref(), Some("in_force"));
    let actions: Vec<&str> = done.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions.first(), Some(&"file"));
    assert_eq!(actions.last(), Some(&"deliver"));
    assert!(done.events.iter().all(|e| !e.actor.is_empty() && !e.at.is_empty()));
}

#[test]
fn case_numbers_are_sequential_per_day_and_restart_the_next_day() {
    let fx = Fx::new("2026-03-02");
    let item = fx.promised();
    let a = file(&fx.ws, &fx.actor("clerk"), &item, &person(1), "甲");
    let b = file(&fx.ws, &fx.actor("clerk"), &item, &person(2), "乙");
    assert_eq!(a, "440305-W01-20260302-00001");
    assert_eq!(b, "440305-W01-20260302-00002");
    let c = file(&fx.on("2026-03-03"), &fx.actor("clerk"), &item, &person(3), "丙");
    assert_eq!(c, "440305-W01-20260303-00001");
}

#[test]
fn a_wrong_resident_id_is_refused_with_the_reason_and_nothing_is_stored() {
    let fx = Fx::new("2026-03-02");
    let good = person(7);
    let last = good.chars().last().unwrap();
    let wrong_check = if last == '0' { '1' } else { '0' };
    let bad = format!("{}{}", &good[..17], wrong_check);
    let before = journal_len(&fx.ws);
    let e = fx
        .ws
        .new_case(
            &fx.actor("clerk"),
            &NewCase {
                item_code: fx.promised().code,
                applicant_id: bad,
                applicant_name: "李四".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(matches!(e, CoreError::Id(_)), "{e:?}");
    assert!(e.to_string().contains("校验"), "{e}");
    assert_eq!(journal_len(&fx.ws), before);
}

#[test]
fn a_credit_code_failing_only_its_checksum_needs_a_recorded_override() {
    let fx = Fx::new("2026-03-02");
    let good = yc_core::ids::make_credit_code("91440300MA5FXXXX1").unwrap();
    let check = good.chars().last().unwrap();
    let other = if check == '0' { '1' } else { '0' };
    let bad = format!("{}{}", &good[..17], other);
    let item = fx.promised();
    let req = NewCase {
        item_code: item.code.clone(),
        applicant_id: bad.clone(),
        applicant_name: "早期试点公司".into(),
        ..Default::default()
    };
    assert!(matches!(fx.ws.new_case(&fx.actor("clerk"), &req), Err(CoreError::Id(_))));
    let no = fx
        .ws
        .new_case(&fx.actor("clerk"), &NewCase { id_override: Some("早期试点代码，经登记机关核实".into()), ..req })
        .unwrap();
    let ev = &fx.ws.case_events(&no).unwrap()[0];
    assert_eq!(ev.payload["id_override"], "早期试点代码，经登记机关核实");
    assert_eq!(fx.ws.case_summary(&no).unwrap().applicant_id, bad);
}

#[test]
fn refusals_need_reason_and_legal_basis_and_a_refused_action_changes_nothing() {
    let fx = Fx::new("2026-03-02");
    let no = file(&fx.ws, &fx.actor("clerk"), &fx.promised(), &person(1), "王五");
    let before = journal_len(&fx.ws);
    let e = fx.ws.act(&fx.actor("clerk"), &no, Action::RefuseAcceptance, &reason("不属于本机关职权")).unwrap_err();
    assert!(matches!(e, CoreError::Missing { .. }), "{e:?}");
    assert!(e.to_string().contains("法律依据"), "{e}");
    assert_eq!(journal_len(&fx.ws), before);
    assert_eq!(fx.ws.case_summary(&no).unwrap().state, State::Submitted);
    let ok = ActRequest {
        legal_basis: Some("《行政许可法》第三十二条".into()), ..reason("不属于本机关职权")
    };
    fx.ws.act(&fx.actor("clerk"), &no, Action::RefuseAcceptance, &ok).unwrap();
    let s = fx.ws.case_summary(&no).unwrap();
    assert_eq!((s.state, s.closed_on.is_some()), (State::NotAccepted, true));
    let e = fx.ws.act(&fx.actor("clerk"), &no, Action::Accept, &ActRequest::default()).unwrap_err();
    assert!(matches!(e, CoreError::IllegalTransition { .. }), "{e:?}");
    assert!(e.to_string().contains("不予受理"), "{e}");
}

#[test]
fn roles_and_department_scope_are_checked_in_the_core() {
    let fx = Fx::new("2026-03-02");
    let other = fx.promised();
    let no = file(&fx.ws, &fx.actor("clerk"), &other, &person(1), "赵六");
    fx.ws.act(&fx.actor("clerk"), &no, Action::Accept, &ActRequest::default()).unwrap();
    let e = fx.ws.act(&fx.actor("clerk"), &no, Action::StartReview, &ActRequest::default()).unwrap_err();
    assert!(matches!(e, CoreError::RoleDenied { .. }), "{e:?}");
    assert!(e.to_string().contains("审查员"), "{e}");
    // A civil-affairs reviewer may not touch another department's case.
    let e = fx.ws.act(&fx.actor("civil"), &no, Action::StartReview, &ActRequest::default()).unwrap_err();
    assert!(matches!(e, CoreError::DepartmentDenied { .. }), "{e:?}");
    // …but may work a civil-affairs case.
    let civil_item = fx.item(|i| i.department.contains("民政") && i.promised_limit_days > 0);
    let c = file(&fx.ws, &fx.actor("clerk"), &civil_item, &person(2), "钱七");
    fx.ws.act(&fx.actor("clerk"), &c, Action::Accept, &ActRequest::default()).unwrap();
    fx.ws.act(&fx.actor("civil"), &c, Action::StartReview, &ActRequest::default()).unwrap();
    // An unknown account is refused outright.
    assert!(matches!(fx.ws.actor("nobody"), Err(CoreError::UnknownStaff(_))));
    assert!(matches!(fx.ws.login("clerk", "wrong"), Err(CoreError::WrongPassword { remaining: Some(4) })));
    assert_eq!(fx.ws.login("clerk", "pw").unwrap().id, "clerk");
}

#[test]
fn immediate_items_are_decided_on_the_spot() {
    let fx = Fx::new("2026-03-02");
    let item = fx.item(|i| {
        i.promised_limit_days == 0 && i.result.as_ref().is_none_or(|r| !format!("{:?}", r.kind).contains("Certificate"))
    });
    let no = file(&fx.ws, &fx.actor("clerk"), &item, &person(1), "孙八");
    fx.ws.act(&fx.actor("clerk"), &no, Action::DecideOnSpot, &ActRequest::default()).unwrap();
    let s = fx.ws.case_summary(&no).unwrap();
    assert_eq!((s.state, s.due_date.as_deref()), (State::Approved, Some("2026-03-02")));
    let promised = file(&fx.ws, &fx.actor("clerk"), &fx.promised(), &person(2), "周九");
    assert!(matches!(
        fx.ws.act(&fx.actor("clerk"), &promised, Action::DecideOnSpot, &ActRequest::default()),
        Err(CoreError::IllegalTransition { .. })
    ));
}

/// 2026-09-21 (Mon) accepted; 补正 asked 2026-09-22; handed in 2026-10-09.
/// Stopped working days in (09-22, 10-09]: 09-23, 09-24, 09-28, 09-29, 09-30, 10-08, 10-09 = 7
/// (09-25..27 Mid-Autumn, 10-01..07 National Day are off).
#[test]
fn a_supplement_stops_the_clock_across_national_day_and_resumes_it() {
    let fx = Fx::new("2026-09-21");
    let item = fx.promised();
    let no = file(&fx.ws, &fx.actor("clerk"), &item, &person(1), "吴十");
    fx.ws.act(&fx.actor("clerk"), &no, Action::Accept, &ActRequest::default()).unwrap();
    fx.ws.act(&fx.actor("reviewer"), &no, Action::StartReview, &ActRequest::default()).unwrap();
    let due_before = fx.ws.case_summary(&no).unwrap().due_date.unwrap();
    let ws = fx.on("2026-09-22");
    ws.act(&fx.actor("reviewer"), &no, Action::RequestSupplement, &reason("请补正：营业执照复印件")).unwrap();
    // While paused, the days left stay as they were when the clock stopped.
    let paused_then = fx.on("2026-09-30").case_summary(&no).unwrap();
    let paused_later = fx.on("2026-10-08").case_summary(&no).unwrap();
    assert!(paused_then.paused);
    assert_eq!(paused_then.days_left, paused_later.days_left);
    let ws = fx.on("2026-10-09");
    ws.act(&fx.actor("clerk"), &no, Action::Supplement, &ActRequest { materials: vec![], ..Default::default() })
        .unwrap();
    let detail = ws.case_detail(&no, None).unwrap();
    assert_eq!(detail.stopped_days, 7);
    let cal = ws.calendar().clone();
    let expected = cal.add_workdays(d("2026-09-21"), item.promised_limit_days + 7).unwrap();
    assert_eq!(detail.summary.due_date, Some(expected.to_string()));
    assert_ne!(detail.summary.due_date.unwrap(), due_before);
    assert_eq!(detail.supplement_count, 1);
}

#[test]
fn lights_turn_yellow_on_the_due_day_and_red_the_working_day_after() {
    let fx = Fx::new("2026-03-02");
    let no = file(&fx.ws, &fx.actor("clerk"), &fx.promised(), &person(1), "郑一");
    fx.ws.act(&fx.actor("clerk"), &no, Action::Accept, &ActRequest::default()).unwrap();
    let due: NaiveDate = fx.ws.case_summary(&no).unwrap().due_date.unwrap().parse().unwrap();
    let cal = fx.ws.calendar().clone();
    assert_eq!(fx.ws.case_summary(&no).unwrap().light, Some(Light::Green));
    let on_due = fx.on(&due.to_string()).case_summary(&no).unwrap();
    assert_eq!((on_due.light, on_due.days_left), (Some(Light::Yellow), Some(0)));
    let after = cal.add_workdays(due, 1).unwrap();
    let late = fx.on(&after.to_string()).case_summary(&no).unwrap();
    assert_eq!((late.light, late.days_left), (Some(Light::Red), Some(-1)));
    let counts = fx.on(&after.to_string()).light_counts().unwrap();
    assert_eq!(counts.red, 1);
    let reds =
        fx.on(&after.to_string()).list_cases(&ListFilter { light: Some(Light::Red), ..Default::default() }).unwrap();
    assert_eq!(reds.len(), 1);
}

#[test]
fn an_extension_beyond_ten_working_days_is_refused() {
    let fx = Fx::new("2026-03-02");
    let no = file(&fx.ws, &fx.actor("clerk"), &fx.promised(), &person(1), "冯二");
    fx.ws.act(&fx.actor("clerk"), &no, Action::Accept, &ActRequest::default()).unwrap();
    let due0: NaiveDate = fx.ws.case_summary(&no).unwrap().due_date.unwrap().parse().unwrap();
    fx.ws
        .act(&fx.actor("decider"), &no, Action::Extend, &ActRequest { days: Some(10), ..reason("负责人批准") })
        .unwrap();
    let due1: NaiveDate = fx.ws.case_summary(&no).unwrap().due_date.unwrap().parse().unwrap();
    assert_eq!(fx.ws.calendar().workdays_between(due0, due1).unwrap(), 10);
    let e = fx
        .ws
        .act(&fx.actor("decider"), &no, Action::Extend, &ActRequest { days: Some(1), ..reason("再延") })
        .unwrap_err();
    assert!(e.to_string().contains("10"), "{e}");
}

fn busy_store(fx: &Fx) -> Vec<String> {
    let item = fx.promised();
    let mut nos = Vec::new();
    for i in 0..12u16 {
        let no = file(&fx.ws, &fx.actor("clerk"), &item, &person(i + 1), &format!("申请人{i}"));
        let steps: &[(Action, &str)] = match i % 4 {
            0 => &[(Action::Accept, "clerk"), (Action::StartReview, "reviewer")],
            1 => &[(Action::Accept, "clerk"), (Action::Suspend, "decider")],
            2 => &[(Action::RequestSupplement, "clerk")],
            _ => &[(Action::Accept, "clerk"), (Action::StartReview, "reviewer"), (Action::Approve, "decider")],
        };
        for (a, who) in steps {
            fx.ws.act(&fx.actor(who), &no, *a, &reason("理由")).unwrap();
        }
        nos.push(no);
    }
    nos
}

#[test]
fn a_rebuild_reproduces_the_case_tables_exactly_and_repairs_edited_ones() {
    let fx = Fx::new("2026-03-02");
    busy_store(&fx);
    let before = fx.ws.derived_fingerprint().unwrap();
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), before);
    // Someone edits a derived table by hand: the journal still holds the truth.
    let c = Connection::open(fx.dir.path().join("yichuang.db")).unwrap();
    c.execute("UPDATE cases SET state = 'completed' WHERE rowid = 3", []).unwrap();
    c.execute("DELETE FROM case_materials WHERE rowid = 1", []).unwrap();
    drop(c);
    assert_ne!(fx.ws.derived_fingerprint().unwrap(), before);
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), before);
}

fn tamper(fx: &Fx, sql: &str) -> yc_core::journal::VerifyReport {
    let c = Connection::open(fx.dir.path().join("yichuang.db")).unwrap();
    c.execute_batch("DROP TRIGGER journal_is_append_only_u; DROP TRIGGER journal_is_append_only_d;").unwrap();
    c.execute_batch(sql).unwrap();
    drop(c);
    fx.ws.verify_journal().unwrap()
}

#[test]
fn the_journal_refuses_updates_and_deletes_through_sqlite() {
    let fx = Fx::new("2026-03-02");
    busy_store(&fx);
    let c = Connection::open(fx.dir.path().join("yichuang.db")).unwrap();
    assert!(c.execute("UPDATE journal SET actor = 'x' WHERE seq = 2", []).is_err());
    assert!(c.execute("DELETE FROM journal WHERE seq = 2", []).is_err());
}

#[test]
fn tampering_with_any_journal_row_is_detected_and_the_first_bad_event_named() {
    for (sql, seq, word) in [
        ("UPDATE journal SET payload = replace(payload, '}', ',\"x\":1}') WHERE seq = 20", Some(20), "篡改"),
        ("UPDATE journal SET reason = '改过的理由' WHERE seq = 25", Some(25), "篡改"),
        ("UPDATE journal SET at = '2026-03-01T09:00:00.000+08:00' WHERE seq = 15", Some(15), "篡改"),
        ("DELETE FROM journal WHERE seq = 12", Some(13), "删除"),
        // Reorder: swap two events' positions.
        (
            "UPDATE journal SET seq = -1 WHERE seq = 30; UPDATE journal SET seq = 30 WHERE seq = 31; UPDATE journal SET seq = 31 WHERE seq = -1;",
            Some(30),
            "",
        ),
        ("DELETE FROM journal WHERE seq = (SELECT MAX(seq) FROM journal)", None, "末尾"),
    ] {
        let fx = Fx::new("2026-03-02");
        busy_store(&fx);
        assert!(fx.ws.verify_journal().unwrap().ok);
        let r = tamper(&fx, sql);
        assert!(!r.ok, "not detected: {sql}");
        let bad = r.first_bad.unwrap();
        if let Some(seq) = seq {
            assert_eq!(bad.seq, seq, "{sql}: {bad:?}");
        }
        assert!(bad.problem.contains(word), "{sql}: {bad:?}");
        // A rebuild refuses to launder a broken chain.
        assert!(matches!(fx.ws.rebuild(), Err(CoreError::JournalBroken { .. })));
    }
}

#[test]
fn cases_keep_the_catalog_version_they_were_opened_under() {
    let fx = Fx::new("2026-03-02");
    let admin = fx.actor("admin");
    let item = fx.promised();
    let old = file(&fx.ws, &fx.actor("clerk"), &item, &person(1), "甲");
    let mut cat = catalog::parse(catalog::DEMO_CATALOG_JSON).unwrap();
    cat.version = "2026.12".into();
    let it = cat.items.iter_mut().find(|i| i.code == item.code).unwrap();
    it.promised_limit_days = 1;
    it.name = format!("{}（新版）", it.name);
    let v = fx.ws.import_catalog(&admin, &catalog::to_json(&cat)).unwrap();
    assert_eq!(v.version, 2);
    let new = file(&fx.ws, &fx.actor("clerk"), &item, &person(2), "乙");
    let (o, n) = (fx.ws.case_detail(&old, None).unwrap(), fx.ws.case_detail(&new, None).unwrap());
    assert_eq!((o.catalog_version, o.limit_days), (1, item.promised_limit_days));
    assert_eq!((n.catalog_version, n.limit_days), (2, 1));
    assert!(n.summary.item_name.ends_with("（新版）"));
    assert_eq!(fx.ws.catalog_item(&item.code, Some(1)).unwrap().1.name, item.name);
}

#[test]
fn a_malformed_catalog_is_refused_whole_with_the_place_at_fault() {
    let fx = Fx::new("2026-03-02");
    let admin = fx.actor("admin");
    let broken = catalog::DEMO_CATALOG_JSON.replacen("\"required\": true", "\"required\": \"是\"", 1);
    let e = fx.ws.import_catalog(&admin, &broken).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("required") && msg.contains("行"), "{msg}");
    assert_eq!(fx.ws.catalog_versions().unwrap().len(), 1);
    let clerk = fx.actor("clerk");
    assert!(matches!(fx.ws.import_catalog(&clerk, catalog::DEMO_CATALOG_JSON), Err(CoreError::RoleDenied { .. })));
}

#[test]
fn search_finds_chinese_substrings_names_ids_and_case_numbers() {
    let fx = Fx::new("2026-03-02");
    let item = fx.promised();
    let id = person(42);
    let no = file(&fx.ws, &fx.actor("clerk"), &item, &id, "欧阳明月");
    file(&fx.ws, &fx.actor("clerk"), &item, &person(43), "张三");
    let hits = |q: &str| fx.ws.search_cases(q, 20).unwrap().into_iter().map(|s| s.case_no).collect::<Vec<_>>();
    assert_eq!(hits("阳明月"), vec![no.clone()]);
    assert_eq!(hits(&id[12..]), vec![no.clone()]);
    assert!(hits(&no[11..]).contains(&no));
    assert_eq!(hits("张三").len(), 1);
    let name_part: String = item.name.chars().take(4).collect();
    assert_eq!(hits(&name_part).len(), 2);
    assert!(hits("不存在的名字").is_empty());
    assert!(hits("\"; DROP TABLE cases; --").is_empty());
}

#[test]
fn earlier_materials_of_the_same_applicant_are_offered_and_reused() {
    let fx = Fx::new("2026-03-02");
    let item = fx.item(|i| i.promised_limit_days > 0 && i.materials.iter().any(|m| m.reusable && m.required));
    let id = person(9);
    let first = file(&fx.ws, &fx.actor("clerk"), &item, &id, "林十一");
    let offered = fx.ws.reusable_materials(&id).unwrap();
    let m = item.materials.iter().find(|m| m.reusable && m.required).unwrap();
    assert!(offered.iter().any(|o| o.name == m.name && o.case_no == first));
    let second = fx
        .ws
        .new_case(
            &fx.actor("clerk"),
            &NewCase {
                item_code: item.code.clone(),
                applicant_id: id.clone(),
                applicant_name: "林十一".into(),
                reuse: vec![(m.id.clone(), first.clone())],
                ..Default::default()
            },
        )
        .unwrap();
    let mats = fx.ws.case_detail(&second, None).unwrap().materials;
    assert_eq!(mats.iter().find(|x| x.material_id == m.id).unwrap().reused_from.as_deref(), Some(first.as_str()));
    // Another applicant's case cannot be the source.
    let e = fx.ws.new_case(
        &fx.actor("clerk"),
        &NewCase {
            item_code: item.code.clone(),
            applicant_id: person(10),
            applicant_name: "他人".into(),
            reuse: vec![(m.id.clone(), first)],
            ..Default::default()
        },
    );
    assert!(matches!(e, Err(CoreError::Invalid(_))));
}

/// A case accepted 2026-12-21 with a 10-day limit runs into 2027, which the shipped calendar lacks:
/// the deadline is flagged unknown, never guessed; importing a 2027 table fills it in.
#[test]
fn a_deadline_in_an_unknown_year_is_flagged_until_that_year_is_imported() {
    let fx = Fx::new("2026-12-21");
    let item = fx.item(|i| i.promised_limit_days >= 10 && !i.secret);
    let no = file(&fx.ws, &fx.actor("clerk"), &item, &person(1), "何十二");
    fx.ws.act(&fx.actor("clerk"), &no, Action::Accept, &ActRequest::default()).unwrap();
    let s = fx.ws.case_summary(&no).unwrap();
    assert_eq!(s.due_date, None);
    assert!(s.deadline_note.as_deref().unwrap_or("").contains("2027"), "{s:?}");
    assert_eq!(fx.ws.light_counts().unwrap().unknown, 1);
    // A test table for 2027 (NOT official: only New Year's Day off).
    let t2027 = r#"{"format":"yichuang-calendar/1","year":2027,"source":"测试用（非官方）","holidays":[{"name":"元旦","from":"2027-01-01","to":"2027-01-01"}],"workdays":[]}"#;
    fx.ws.import_calendar(&fx.actor("admin"), t2027).unwrap();
    let s = fx.ws.case_summary(&no).unwrap();
    assert!(s.due_date.as_deref().unwrap_or("").starts_with("2027-"), "{s:?}");
    assert_eq!(s.deadline_note, None);
    // The import is in the journal, so a rebuild lands on the same deadline.
    let fp = fx.ws.derived_fingerprint().unwrap();
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), fp);
    // And a reopened workstation keeps the imported year.
    assert!(fx.on("2026-12-22").calendar().years().contains(&2027));
}

#[test]
fn secret_items_never_go_online() {
    let fx = Fx::new("2026-03-02");
    let Some(item) = fx.ws.catalog_items(None).unwrap().into_iter().find(|i| i.secret) else { return };
    let e = fx.ws.new_case(
        &fx.actor("clerk"),
        &NewCase {
            item_code: item.code,
            applicant_id: person(1),
            applicant_name: "甲".into(),
            channel: Some(Channel::Online),
            ..Default::default()
        },
    );
    assert!(e.unwrap_err().to_string().contains("涉密"));
}

#[test]
fn scans_handed_in_are_stored_by_hash_journaled_with_the_case_and_survive_a_rebuild() {
    let fx = Fx::new("2026-03-02");
    let item = fx.promised();
    let clerk = fx.actor("clerk");
    let scan = b"%PDF-1.7\n% a scanned business licence\n".to_vec();
    let photo = b"\xFF\xD8\xFF\xE0 a phone photo of an ID card".to_vec();
    let mut a = fx.ws.put_attachment(&clerk, "营业执照.pdf", &scan).unwrap();
    a.material = Some(item.materials[0].id.clone());
    let b = fx.ws.put_attachment(&clerk, "/home/clerk/身份证.jpg", &photo).unwrap();
    assert_eq!((a.mime.as_str(), b.mime.as_str(), b.name.as_str()), ("application/pdf", "image/jpeg", "身份证.jpg"));
    // Only clerks add files.
    assert!(matches!(fx.ws.put_attachment(&fx.actor("reviewer"), "x.pdf", &scan), Err(CoreError::RoleDenied { .. })));

    let req = NewCase {
        item_code: item.code.clone(),
        applicant_id: person(7),
        applicant_name: "附件人".into(),
        attachments: vec![a.clone(), b.clone()],
        ..Default::default()
    };
    let no = fx.ws.new_case(&clerk, &req).unwrap();
    let detail = fx.ws.case_detail(&no, Some(&clerk)).unwrap();
    assert_eq!(detail.attachments, vec![a.clone(), b.clone()]);
    // The journal names the files by hash; the bytes stay out of it.
    let ev = &fx.ws.case_events(&no).unwrap()[0];
    let payload = ev.payload.to_string();
    assert!(payload.contains(&a.sha256) && !payload.contains("scanned business licence"), "{payload}");
    let (got, bytes) = fx.ws.attachment(&fx.actor("reviewer"), &no, &a.sha256).unwrap();
    assert_eq!((got, bytes), (a.clone(), scan.clone()));

    let before = fx.ws.derived_fingerprint().unwrap();
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), before);
    assert_eq!(fx.ws.case_detail(&no, None).unwrap().attachments.len(), 2);

    // A department outside the actor's scope does not see the files.
    let civil = fx.actor("civil");
    assert!(matches!(fx.ws.attachment(&civil, &no, &a.sha256), Err(CoreError::DepartmentDenied { .. })));
    // A file changed on disk is reported, never served.
    let path = fx.dir.path().join("attachments").join(&b.sha256[..2]).join(&b.sha256);
    std::fs::write(&path, b"\xFF\xD8\xFF\xE0 a different photo!!!!!!!").unwrap();
    let e = fx.ws.attachment(&clerk, &no, &b.sha256).unwrap_err().to_string();
    assert!(e.contains("已被改动"), "{e}");
}

#[test]
fn a_filing_naming_a_file_the_store_lacks_or_a_foreign_material_is_refused_and_nothing_is_stored() {
    let fx = Fx::new("2026-03-02");
    let item = fx.promised();
    let clerk = fx.actor("clerk");
    let ok = fx.ws.put_attachment(&clerk, "scan.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let events = journal_len(&fx.ws);
    let base = NewCase {
        item_code: item.code.clone(),
        applicant_id: person(8),
        applicant_name: "某人".into(),
        ..Default::default()
    };
    let missing = yc_core::attachment::Attachment { sha256: "ab".repeat(32), ..ok.clone() };
    let wrong_size = yc_core::attachment::Attachment { size: ok.size + 1, ..ok.clone() };
    let foreign = yc_core::attachment::Attachment { material: Some("no-such-material".into()), ..ok.clone() };
    for (bad, needle) in [(missing, "不在本机附件库"), (wrong_size, "不在本机附件库"), (foreign, "不属于本事项")]
    {
        let e = fx.ws.new_case(&clerk, &NewCase { attachments: vec![bad], ..base.clone() }).unwrap_err().to_string();
        assert!(e.contains(needle), "{e}");
    }
    assert_eq!(journal_len(&fx.ws), events, "a refused filing leaves no trace");
}

#[test]
fn choosing_a_situation_narrows_the_materials_to_those_it_needs() {
    let fx = Fx::new("2026-03-02");
    let item = fx.item(|i| i.sub_items.len() >= 2 && !i.secret);
    let clerk = fx.actor("clerk");
    let (first, second) = (&item.sub_items[0], &item.sub_items[1]);
    let base = NewCase {
        item_code: item.code.clone(),
        applicant_id: person(11),
        applicant_name: "情形人".into(),
        ..Default::default()
    };
    let no = fx.ws.new_case(&clerk, &NewCase { sub_item: Some(second.code.clone()), ..base.clone() }).unwrap();
    let d = fx.ws.case_detail(&no, None).unwrap();
    let ids: Vec<&str> = d.materials.iter().map(|m| m.material_id.as_str()).collect();
    assert_eq!(ids, second.materials.iter().map(String::as_str).collect::<Vec<_>>(), "only the situation's materials");
    assert_eq!(d.sub_item.as_deref(), Some(second.name.as_str()));
    // Without a choice every material applies (as before situations existed).
    let all = fx.ws.new_case(&clerk, &base).unwrap();
    assert_eq!(fx.ws.case_detail(&all, None).unwrap().materials.len(), item.materials.len());
    // A material outside the chosen situation, or an unknown situation, is refused.
    if let Some(outside) = item.materials.iter().find(|m| !first.materials.contains(&m.id)) {
        let req =
            NewCase { sub_item: Some(first.code.clone()), provided: Some(vec![outside.id.clone()]), ..base.clone() };
        assert!(fx.ws.new_case(&clerk, &req).unwrap_err().to_string().contains("没有材料"));
    }
    let e = fx.ws.new_case(&clerk, &NewCase { sub_item: Some("nope".into()), ..base }).unwrap_err().to_string();
    assert!(e.contains("办理情形"), "{e}");
    let before = fx.ws.derived_fingerprint().unwrap();
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), before);
}

#[test]
fn scans_of_corrected_materials_join_the_case_with_the_supplement_and_nowhere_else() {
    let fx = Fx::new("2026-03-02");
    let item = fx.promised();
    let clerk = fx.actor("clerk");
    let first = fx.ws.put_attachment(&clerk, "申请书.pdf", b"%PDF-1.7 first version").unwrap();
    let no = fx
        .ws
        .new_case(
            &clerk,
            &NewCase {
                item_code: item.code.clone(),
                applicant_id: person(21),
                applicant_name: "补正人".into(),
                attachments: vec![first.clone()],
                ..Default::default()
            },
        )
        .unwrap();
    let mut corrected = fx.ws.put_attachment(&clerk, "申请书（更正）.pdf", b"%PDF-1.7 corrected version").unwrap();
    corrected.material = Some(item.materials[0].id.clone());
    // Files go with a supplement only.
    let with_files = ActRequest { attachments: vec![corrected.clone()], ..ActRequest::default() };
    let e = fx.ws.act(&clerk, &no, Action::Accept, &with_files).unwrap_err().to_string();
    assert!(e.contains("不能附带附件"), "{e}");
    fx.ws.act(&clerk, &no, Action::RequestSupplement, &reason("申请书填写不完整")).unwrap();
    let supplement = ActRequest { materials: vec![item.materials[0].id.clone()], ..with_files };
    fx.ws.act(&clerk, &no, Action::Supplement, &supplement).unwrap();
    let d = fx.ws.case_detail(&no, None).unwrap();
    assert_eq!(d.attachments, vec![first, corrected.clone()], "intake files first, then the supplement's");
    assert_eq!(fx.ws.attachment(&clerk, &no, &corrected.sha256).unwrap().1, b"%PDF-1.7 corrected version");
    let before = fx.ws.derived_fingerprint().unwrap();
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), before);
}
