//! `yc theme …` as a script uses it: the catalog's themes, one filing for five departments, the
//! order constraint refused with its reason, the combined supplement notice and one hand-in, the
//! lead's board, the filed list, and a rebuild that reproduces it all.

use crate::common::{json, stderr, stdout, yc, yc_ok};

const DAY: &str = "2026-11-20";

fn run(d: &std::path::Path, who: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--today", DAY, "--as", who];
    all.extend_from_slice(args);
    yc(d, &all)
}

fn ok(d: &std::path::Path, who: &str, args: &[&str]) -> std::process::Output {
    let o = run(d, who, args);
    assert!(o.status.success(), "yc {args:?}: {}", stderr(&o));
    o
}

#[test]
fn a_theme_runs_through_yc_from_one_filing_to_its_board() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    yc_ok(d, &["--today", DAY, "demo", "--cases", "2", "--no-seal", "--no-adapters", "--plain"]);

    let list = stdout(&ok(d, "zhangwei", &["theme", "list"]));
    assert!(list.contains("ZT-QYKB-001") && list.contains("企业开办") && list.contains("ZT-GCJS-002"), "{list}");
    assert!(list.contains("sfz=法定代表人居民身份证"), "{list}");

    // Everything but the articles of association (公司章程) handed in.
    let id = yc_core::ids::make_resident_id("440305", "1988-08-08".parse().unwrap(), 7);
    let receipt = json(&ok(
        d,
        "zhangwei",
        &[
            "--json",
            "theme",
            "new",
            "ZT-QYKB-001",
            "--applicant-id",
            &id,
            "--applicant-name",
            "李开办",
            "--provided",
            "sqs,sfz,zs,yzsq,bsry,yhzh,cbdj,jcdj",
        ],
    ));
    let theme_no = receipt["theme_no"].as_str().unwrap().to_owned();
    // Friday + 1 working day = Monday.
    assert_eq!(receipt["due_date"], "2026-11-23");
    let branches: Vec<(String, String)> = receipt["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["case_no"].as_str().unwrap().to_owned(), b["item_name"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(branches.len(), 5);
    let no = |name: &str| branches.iter().find(|(_, n)| n.contains(name)).unwrap().0.clone();
    let (licence, seal, social) = (no("营业执照"), no("公章"), no("社会保险"));

    // The seal branch waits for the business licence.
    let o = run(d, "zhangwei", &["case", "act", &seal, "accept"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("须待前置事项「企业设立登记（营业执照）」"), "{}", stderr(&o));

    // Pre-review: the licence lacks the articles, the social insurance registration its form.
    ok(d, "zhangwei", &["case", "act", &licence, "request_supplement", "--reason", "缺公司章程", "--materials", "zc"]);
    ok(
        d,
        "zhangwei",
        &["case", "act", &social, "request_supplement", "--reason", "登记表未盖章", "--materials", "cbdj"],
    );
    let notice = stdout(&ok(d, "zhangwei", &["theme", "notice", &theme_no]));
    assert!(notice.starts_with("一次性补正告知书"), "{notice}");
    for s in ["公司章程", "社会保险单位参保登记表", &licence, &social, "缺公司章程", "登记表未盖章"]
    {
        assert!(notice.contains(s), "{s}: {notice}");
    }
    let done = stdout(&ok(
        d,
        "zhangwei",
        &["theme", "supplement", &theme_no, "--materials", "公司章程,社会保险单位参保登记表"],
    ));
    assert!(done.contains(&licence) && done.contains(&social), "{done}");

    ok(d, "zhangwei", &["case", "act", &licence, "accept"]);
    ok(d, "lina", &["case", "act", &licence, "start_review"]);
    ok(d, "wangqiang", &["case", "act", &licence, "approve"]);
    ok(d, "zhangwei", &["case", "act", &seal, "accept"]);

    let board = stdout(&ok(d, "zhangwei", &["theme", "show", &theme_no]));
    for (case_no, _) in &branches {
        assert!(board.contains(case_no), "{board}");
    }
    assert!(
        board.contains("并联办理中") && board.contains("2026-11-23 前办结") && board.contains("剩 1 个工作日"),
        "{board}"
    );
    let b = json(&ok(d, "zhangwei", &["--json", "theme", "show", &theme_no]));
    assert_eq!(b["state"], "in_progress");
    assert_eq!(b["required_settled"], 1);
    assert_eq!(b["branches"][0]["state"], "approved");
    assert_eq!(b["branches"][1]["state"], "accepted");

    let filed = stdout(&ok(d, "zhangwei", &["theme", "list", "--filed", "--open"]));
    assert!(filed.contains(&theme_no) && filed.contains("已决定 1/5"), "{filed}");

    let r = json(&ok(d, "admin", &["--json", "rebuild"]));
    assert_eq!(r["identical"], true, "{r}");
}

// ----- branches out to departments' SOAP services, decisions back through the inbox -----

mod soap {
    use yc_adapter_sdk::AdapterConfig;
    use yc_core::case::{Action, Role, State};
    use yc_core::staff::Actor;
    use yc_core::sync::SyncOptions;
    use yc_core::sync::outbox::AdapterRegistration;
    use yc_core::theme::intake::NewTheme;
    use yc_core::{ActRequest, Clock, Identity, NewStaff, Workstation};
    use yc_sim::SimConfig;

    const POLICE: &str = "示范区公安分局";
    const TAX: &str = "示范区税务局";
    const FUND: &str = "示范区住房公积金管理中心";

    /// The accounts a case passes through before sealing.
    const CASEWORKERS: [(&str, Role); 3] =
        [("clerk", Role::Clerk), ("reviewer", Role::Reviewer), ("decider", Role::Decider)];

    /// A workstation with the demo catalog and one account per `(id, role)` for every department,
    /// on `day`; returned with its administrator.
    fn staffed(dir: &std::path::Path, name: &str, day: &str, accounts: &[(&str, Role)]) -> (Workstation, Actor) {
        let id = Identity { region: "440305".into(), code: "W01".into(), name: name.into() };
        let ws = Workstation::init(dir, id, "admin-pw", Clock::at_date(day.parse().unwrap())).unwrap();
        let admin = ws.actor("admin").unwrap();
        ws.import_catalog(&admin, yc_core::catalog::DEMO_CATALOG_JSON).unwrap();
        for (who, role) in accounts {
            let s = NewStaff {
                id: (*who).into(),
                name: (*who).into(),
                roles: vec![*role],
                departments: vec!["*".into()],
                password: None,
            };
            ws.add_staff(&admin, &s).unwrap();
        }
        (ws, admin)
    }

    fn register(ws: &Workstation, admin: &Actor, name: &str, addr: std::net::SocketAddr, dept: &str) {
        let config = AdapterConfig::from_json_str(&format!(
            r#"{{"name":"{name}","kind":"vertical-xml","settings":{{"endpoint":"http://{addr}/ws/exchange","source":"440305-W01","request_timeout_ms":5000}}}}"#
        ))
        .unwrap();
        let reg = AdapterRegistration {
            config,
            streams: vec!["*".into()],
            departments: vec![dept.into()],
            backfill: false,
            program_confirmed: false,
        };
        ws.register_adapter(admin, &reg).unwrap();
    }

    /// The fund centre's file-drop exchange: the workstation's adapter registered for `FUND`, and
    /// the fund's own side (a second file-drop instance with its own key) to answer from.
    fn fund_exchange(ws: &Workstation, admin: &Actor, ex: &std::path::Path) -> yc_adapters::file_drop::FileDrop {
        use yc_adapters::file_drop::{FileDrop, FileDropConfig, generate_key};
        let p = |s: &str| ex.join(s);
        let ws_pub = generate_key(&p("ws.key")).unwrap();
        let fund_pub = generate_key(&p("fund.key")).unwrap();
        // The workstation writes to `to_fund` and reads `to_ws`; the fund's side the reverse.
        let settings = serde_json::json!({
            "workstation_id": "W440305_W01", "outbox_dir": p("to_fund"), "inbox_dir": p("to_ws"),
            "key_file": p("ws.key"), "state_dir": p("ws_state"), "trusted_keys": {"FUND_GJJ": fund_pub}
        });
        let config = AdapterConfig::from_json_str(
            &serde_json::json!({"name": "fund-exchange", "kind": "file-drop", "settings": settings}).to_string(),
        )
        .unwrap();
        let reg = AdapterRegistration {
            config,
            streams: vec!["*".into()],
            departments: vec![FUND.into()],
            backfill: false,
            program_confirmed: false,
        };
        ws.register_adapter(admin, &reg).unwrap();
        FileDrop::new(FileDropConfig {
            workstation_id: "FUND_GJJ".into(),
            outbox_dir: p("to_ws"),
            inbox_dir: p("to_fund"),
            key_file: p("fund.key"),
            state_dir: p("fund_state"),
            trusted_keys: [("W440305_W01".to_owned(), ws_pub)].into(),
            max_items_per_packet: 100,
        })
        .unwrap()
    }

    fn dept_events(ws: &Workstation, case_no: &str) -> Vec<String> {
        ws.case_events(case_no)
            .unwrap()
            .into_iter()
            .filter(|e| e.action.starts_with("dept."))
            .map(|e| e.action)
            .collect()
    }

    #[test]
    fn branches_go_to_two_departments_soap_services_and_their_decisions_come_back_once() {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (ws, admin) = staffed(dir.path(), "测试窗口", "2026-03-02", &CASEWORKERS);
        let (police_addr, police) = rt.block_on(yc_sim::dept::spawn(SimConfig::default())).unwrap();
        let (tax_addr, tax) = rt.block_on(yc_sim::dept::spawn(SimConfig::default())).unwrap();
        register(&ws, &admin, "police-soap", police_addr, POLICE);
        register(&ws, &admin, "tax-soap", tax_addr, TAX);
        let opts = SyncOptions { backoff_base_ms: 10, ..SyncOptions::default() };
        let sync = || rt.block_on(ws.sync_pass(None, &opts, yc_adapters::build)).unwrap();

        let clerk = ws.actor("clerk").unwrap();
        let r = ws
            .new_theme(
                &clerk,
                &NewTheme {
                    theme_code: "ZT-QYKB-001".into(),
                    applicant_id: yc_core::ids::make_resident_id("440305", "1990-01-01".parse().unwrap(), 3),
                    applicant_name: "王开办".into(),
                    ..NewTheme::default()
                },
            )
            .unwrap();
        let branch = |dept: &str| r.branches.iter().find(|b| b.department == dept).unwrap().case_no.clone();
        let (seal, taxes, licence) = (branch(POLICE), branch(TAX), r.branches[0].case_no.clone());

        // Dispatch: each department's service receives its own branch, and only that.
        sync();
        assert_eq!(police.case_seqs(&seal), [1]);
        assert_eq!(tax.case_seqs(&taxes), [1]);
        assert!(police.case_seqs(&taxes).is_empty() && tax.case_seqs(&seal).is_empty());
        assert!(police.case_seqs(&licence).is_empty(), "the lead's own branch is handled at the window");

        // The lead department approves the licence here; the window accepts the two branches.
        let act =
            |who: &str, no: &str, a: Action| ws.act(&ws.actor(who).unwrap(), no, a, &ActRequest::default()).unwrap();
        act("clerk", &licence, Action::Accept);
        act("reviewer", &licence, Action::StartReview);
        act("decider", &licence, Action::Approve);
        act("clerk", &seal, Action::Accept);
        act("clerk", &taxes, Action::Accept);

        // The departments answer: the police twice (its service re-sends the reply under a new
        // flow number, and once more under the same one), the tax office an opinion then a decision.
        let reply = |key: &str, kind: &str, case_no: &str, extra: serde_json::Value| {
            let mut v = serde_json::json!({"YWLSH": key, "YWLX": kind, "BJBH": case_no});
            v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            v
        };
        let approved = serde_json::json!({"reply_id": "GA-2026-0001", "outcome": "approved", "opinion": "准予备案"});
        police.seed_inbox(
            "decisions",
            vec![
                reply("GA-1", "decision", &seal, approved.clone()),
                reply("GA-1", "decision", &seal, approved.clone()),
                reply("GA-1-resent", "decision", &seal, approved),
            ],
        );
        tax.seed_inbox(
            "opinions",
            vec![reply("SW-1", "opinion", &taxes, serde_json::json!({"opinion": "已核定税种"}))],
        );
        tax.seed_inbox(
            "decisions",
            vec![reply(
                "SW-2",
                "decision",
                &taxes,
                serde_json::json!({"outcome": "approved", "opinion": "发放首次发票"}),
            )],
        );
        sync();
        assert_eq!(ws.case_summary(&seal).unwrap().state, State::Approved);
        assert_eq!(ws.case_summary(&taxes).unwrap().state, State::Approved);
        assert_eq!(dept_events(&ws, &seal), ["dept.decision"]);
        assert_eq!(dept_events(&ws, &taxes), ["dept.opinion", "dept.decision"]);
        let approvals = |no: &str| ws.case_events(no).unwrap().iter().filter(|e| e.action == "approve").count();
        assert_eq!((approvals(&seal), approvals(&taxes)), (1, 1));

        // Syncing again changes nothing; the decisions went back out as case items.
        sync();
        assert_eq!(dept_events(&ws, &seal), ["dept.decision"]);
        assert_eq!(approvals(&seal), 1);
        assert!(police.case_seqs(&seal).len() >= 3, "{:?}", police.case_seqs(&seal));

        let board = ws.theme_board(&clerk, &r.theme_no).unwrap();
        assert_eq!(board.required_settled, 3);
        assert_eq!(board.state, yc_core::theme::state::ThemeState::InProgress);
        police.stop();
        tax.stop();
    }

    #[test]
    fn a_branch_answered_through_signed_file_drop_packets_is_applied_once() {
        use yc_adapter_sdk::{Adapter, OutItem};

        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let ex = tempfile::tempdir().unwrap();
        let (ws, admin) = staffed(dir.path(), "乡镇便民服务中心", "2026-03-02", &CASEWORKERS);
        let mut fund = fund_exchange(&ws, &admin, ex.path());
        let opts = SyncOptions { backoff_base_ms: 10, ..SyncOptions::default() };
        let sync = || rt.block_on(ws.sync_pass(None, &opts, yc_adapters::build)).unwrap();

        let clerk = ws.actor("clerk").unwrap();
        let r = ws
            .new_theme(
                &clerk,
                &NewTheme {
                    theme_code: "ZT-QYKB-001".into(),
                    applicant_id: yc_core::ids::make_resident_id("440305", "1990-01-01".parse().unwrap(), 4),
                    applicant_name: "赵开办".into(),
                    ..NewTheme::default()
                },
            )
            .unwrap();
        let branch = r.branches.iter().find(|b| b.department == FUND).unwrap().case_no.clone();
        let licence = r.branches[0].case_no.clone();

        // Dispatch: the fund receives its branch (and only it) in a signed packet.
        sync();
        let page = rt.block_on(fund.pull("packets", None, 100)).unwrap();
        let cases: Vec<Option<String>> = page.items.iter().map(|i| i.case_no.clone()).collect();
        assert_eq!(cases, [Some(branch.clone())]);
        rt.block_on(fund.ack("packets", page.next_cursor.as_deref().unwrap())).unwrap();

        let act =
            |who: &str, no: &str, a: Action| ws.act(&ws.actor(who).unwrap(), no, a, &ActRequest::default()).unwrap();
        act("clerk", &licence, Action::Accept);
        act("reviewer", &licence, Action::StartReview);
        act("decider", &licence, Action::Approve);
        act("clerk", &branch, Action::Accept);

        // The fund answers, then re-sends the same decision in a second packet.
        let decision =
            serde_json::json!({"reply_id": "GJJ-2026-17", "outcome": "approved", "opinion": "单位缴存账户已设立"});
        for key in ["GJJ-17", "GJJ-17-resent"] {
            let item = OutItem::new(
                key,
                "decisions",
                Some(branch.clone()),
                1,
                "decision",
                "2026-03-02T15:00:00+08:00",
                decision.clone(),
            );
            assert_eq!(rt.block_on(fund.push(&[item])).unwrap().acked.len(), 1);
        }
        sync();
        assert_eq!(ws.case_summary(&branch).unwrap().state, State::Approved);
        assert_eq!(dept_events(&ws, &branch), ["dept.decision"]);
        sync();
        assert_eq!(dept_events(&ws, &branch), ["dept.decision"]);
        let approvals = ws.case_events(&branch).unwrap().iter().filter(|e| e.action == "approve").count();
        assert_eq!(approvals, 1);
        let board = ws.theme_board(&clerk, &r.theme_no).unwrap();
        assert_eq!(board.required_settled, 2);
    }

    /// Issue 16's end-to-end case: five departments — the lead and social insurance at the
    /// window, the police and the tax office through their SOAP services, the housing fund
    /// through signed file-drop packets — with one branch asking for a supplement: one combined
    /// notice, the overall deadline on the calendar, and the theme closing with every branch
    /// decided, sealed and delivered.
    #[test]
    fn a_five_department_theme_closes_with_every_decision_sealed_and_delivered() {
        use yc_adapter_sdk::{Adapter, OutItem};
        use yc_core::document::DocKind;
        use yc_core::theme::state::{ThemeOutcome, ThemeState};

        const PIN: &str = "seal-pin-1";
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let ex = tempfile::tempdir().unwrap();
        // Monday 2026-09-28: the theme is due the next working day.
        let accounts = [CASEWORKERS.as_slice(), &[("keeper", Role::SealKeeper)]].concat();
        let (ws, admin) = staffed(dir.path(), "示范区政务服务中心", "2026-09-28", &accounts);
        let low = || yc_seal::KeyStoreOptions { iterations: std::num::NonZeroU32::new(1000).unwrap(), max_attempts: 5 };
        ws.create_seal_authority(&admin, "测试印章制作中心", "authority-pin", low()).unwrap();
        let (police_addr, police) = rt.block_on(yc_sim::dept::spawn(SimConfig::default())).unwrap();
        let (tax_addr, tax) = rt.block_on(yc_sim::dept::spawn(SimConfig::default())).unwrap();
        register(&ws, &admin, "police-soap", police_addr, POLICE);
        register(&ws, &admin, "tax-soap", tax_addr, TAX);
        let mut fund = fund_exchange(&ws, &admin, ex.path());
        let opts = SyncOptions { backoff_base_ms: 10, ..SyncOptions::default() };
        let sync = || rt.block_on(ws.sync_pass(None, &opts, yc_adapters::build)).unwrap();

        let clerk = ws.actor("clerk").unwrap();
        let r = ws
            .new_theme(
                &clerk,
                &NewTheme {
                    theme_code: "ZT-QYKB-001".into(),
                    applicant_id: yc_core::ids::make_resident_id("440305", "1990-01-01".parse().unwrap(), 5),
                    applicant_name: "钱开办".into(),
                    ..NewTheme::default()
                },
            )
            .unwrap();
        assert_eq!(r.due_date.as_deref(), Some("2026-09-29"));
        let departments: Vec<&str> = r.branches.iter().map(|b| b.department.as_str()).collect();
        for d in &departments {
            ws.issue_seal(&admin, d, yc_seal::SealType::AdministrativeLicensing, PIN, "authority-pin", low()).unwrap();
        }
        let no = |dept: &str| r.branches.iter().find(|b| b.department == dept).unwrap().case_no.clone();
        let licence = r.branches[0].case_no.clone();
        let social = no("示范区人力资源和社会保障局");
        let (seal, taxes, housing) = (no(POLICE), no(TAX), no(FUND));

        // Pre-review at the window: the social insurance form is unsigned. One notice, one hand-in.
        let ask = ActRequest {
            reason: Some("登记表未加盖单位公章".into()),
            materials: vec!["cbdj".into()],
            ..ActRequest::default()
        };
        ws.act(&clerk, &social, Action::RequestSupplement, &ask).unwrap();
        let notice = ws.theme_supplement_notice(&clerk, &r.theme_no).unwrap();
        assert_eq!(notice.branches.len(), 1);
        assert!(notice.text().contains("社会保险单位参保登记表") && notice.text().contains(&social));
        let resumed = ws.supplement_theme(&clerk, &r.theme_no, &["社会保险单位参保登记表".into()]).unwrap();
        assert_eq!(resumed, [social.as_str()]);

        // Dispatch, then the lead decides the licence; the window accepts the rest.
        sync();
        let act =
            |who: &str, no: &str, a: Action| ws.act(&ws.actor(who).unwrap(), no, a, &ActRequest::default()).unwrap();
        act("clerk", &licence, Action::Accept);
        act("reviewer", &licence, Action::StartReview);
        act("decider", &licence, Action::Approve);
        for b in [&social, &seal, &taxes, &housing] {
            act("clerk", b, Action::Accept);
        }
        act("reviewer", &social, Action::StartReview);
        act("decider", &social, Action::Approve);

        // Three departments answer from their own systems.
        let approved = |key: &str, case_no: &str| serde_json::json!({"YWLSH": key, "YWLX": "decision", "BJBH": case_no, "outcome": "approved", "opinion": "准予"});
        police.seed_inbox("decisions", vec![approved("GA-1", &seal)]);
        tax.seed_inbox("decisions", vec![approved("SW-1", &taxes)]);
        let item = OutItem::new(
            "GJJ-1",
            "decisions",
            Some(housing.clone()),
            1,
            "decision",
            "2026-09-28T15:00:00+08:00",
            serde_json::json!({"outcome": "approved", "opinion": "单位缴存账户已设立"}),
        );
        rt.block_on(fund.push(&[item])).unwrap();
        sync();
        for b in &r.branches {
            assert_eq!(ws.case_summary(&b.case_no).unwrap().state, State::Approved, "{}", b.item_name);
        }
        let board = ws.theme_board(&clerk, &r.theme_no).unwrap();
        assert_eq!((board.state, board.outcome), (ThemeState::Decided, Some(ThemeOutcome::Approved)));

        // Every decision sealed by its department's seal, then all delivered together.
        let keeper = ws.actor("keeper").unwrap();
        act("keeper", &licence, Action::IssueCertificate);
        ws.seal_document(&keeper, &licence, DocKind::Certificate, PIN).unwrap();
        for b in &r.branches {
            ws.seal_document(&keeper, &b.case_no, DocKind::Approval, PIN).unwrap();
        }
        for b in &r.branches {
            act("clerk", &b.case_no, Action::Deliver);
        }
        let board = ws.theme_board(&clerk, &r.theme_no).unwrap();
        assert_eq!((board.state, board.outcome), (ThemeState::Completed, Some(ThemeOutcome::Approved)));
        for b in &board.branches {
            assert_eq!(b.state, State::Completed);
            let docs = ws.case_documents(&b.case_no).unwrap();
            assert!(docs.iter().any(|d| d.doc_type == "approval"), "{}: {docs:?}", b.item_name);
        }
        assert!(ws.verify_seal_record().unwrap().problem.is_none());
        assert!(ws.verify_journal().unwrap().ok);
        let before = ws.derived_fingerprint().unwrap();
        ws.rebuild().unwrap();
        assert_eq!(ws.derived_fingerprint().unwrap(), before);
        police.stop();
        tax.stop();
    }
}
