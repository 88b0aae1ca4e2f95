//! The shell's behaviour without a window: launch options, session and lock, errors as typed
//! Chinese values, the command list against the capability file, and the generated TypeScript.

use std::path::Path;

use yc_core::ActRequest;
use yc_core::NewCase;
use yc_core::case::{Action, Kind, State};
use yc_core::enrollment::FirstRun;
use yc_core::error::ErrorKind;
use yc_core::query::ListFilter;
use yc_desktop::firstrun::EnrollNow;
use yc_desktop::{AppCtx, COMMAND_NAMES, LaunchOptions};

fn demo(dir: &Path) -> AppCtx {
    let opts = LaunchOptions { data_dir: dir.to_path_buf(), demo: true, demo_cases: 30 };
    AppCtx::open(&opts).expect("demo workstation opens")
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| (*x).to_owned()).collect()
}

#[test]
fn data_flag_wins_over_env_and_unknown_args_are_ignored() {
    let o = LaunchOptions::parse(&s(&["--data", "/tmp/a", "--demo", "--foo"]), Some("/tmp/env".into())).unwrap();
    assert_eq!(o.data_dir, Path::new("/tmp/a"));
    assert!(o.demo);
    let o = LaunchOptions::parse(&[], Some("/tmp/env".into())).unwrap();
    assert_eq!(o.data_dir, Path::new("/tmp/env"));
    assert!(!o.demo);
    let e = LaunchOptions::parse(&s(&["--demo-cases", "x"]), None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
}

fn first_run_setup(code: &str, city: Option<&str>) -> FirstRun {
    FirstRun {
        region: "440305".into(),
        workstation: code.into(),
        name: "某镇便民服务中心".into(),
        departments: vec!["*".into()],
        city_url: city.map(str::to_owned),
        admin_password: "first-admin-1".into(),
    }
}

#[test]
fn an_empty_data_dir_opens_the_first_run_wizard_which_makes_a_training_workstation_then_the_login() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("store");
    let opts = LaunchOptions { data_dir: data.clone(), demo: false, demo_cases: 0 };
    let ctx = AppCtx::open(&opts).expect("an empty directory opens for the first run");
    let info = ctx.first_run_info().expect("the wizard is shown");
    assert_eq!((info.departments[0].as_str(), info.admin_id.as_str()), ("*", "admin"));
    assert_eq!(ctx.app_info().unwrap_err().kind, ErrorKind::NotInitialised);

    // The core's rules, before anything is written.
    let mut setup = first_run_setup("W09", None);
    setup.admin_password = "12345678".into();
    let e = ctx.first_run_check(&setup).unwrap_err();
    assert!(e.kind == ErrorKind::Invalid && e.message.contains("两类"), "{e:?}");
    assert_eq!(rt().block_on(ctx.first_run(&setup, &EnrollNow::Later)).unwrap_err().kind, ErrorKind::Invalid);
    setup.admin_password = "first-admin-1".into();
    let relative = EnrollNow::Export { folder: "stick".into() };
    assert_eq!(rt().block_on(ctx.first_run(&setup, &relative)).unwrap_err().kind, ErrorKind::Invalid);
    assert!(!yc_core::vault::is_encrypted(&data) && ctx.first_run_info().is_some(), "nothing written");
    ctx.first_run_check(&setup).unwrap();

    let stick = dir.path().join("stick");
    let done =
        rt().block_on(ctx.first_run(&setup, &EnrollNow::Export { folder: stick.display().to_string() })).unwrap();
    assert_eq!((done.label.as_str(), done.problem.as_deref()), ("440305-W09", None));
    assert!(!done.recovery_key.is_empty());
    let file = done.exported.clone().expect("request written");
    let (signed, req) = yc_sim::enrollment::check_request(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!((signed.body_sha256(), req.workstation.as_str()), (done.request_sha256.clone(), "W09"));
    assert!(ctx.first_run_info().is_none());
    let again = rt().block_on(ctx.first_run(&setup, &EnrollNow::Later)).unwrap_err();
    assert_eq!(again.kind, ErrorKind::AlreadyInitialised);

    // Then the login screen, as on every start: nobody is logged in.
    assert!(ctx.current_actor().is_none());
    assert_eq!(ctx.enrollment_status().unwrap_err().kind, ErrorKind::NotLoggedIn);
    assert_eq!(ctx.app_info().unwrap().identity.code, "W09");
    assert!(ctx.list_staff().unwrap().iter().any(|s| s.id == "admin"));
    ctx.login("admin", "first-admin-1").unwrap();
    let st = ctx.enrollment_status().unwrap();
    assert_eq!(st.state, yc_core::enrollment::EnrollmentState::Training);
    assert_eq!(st.pending_request.as_deref(), Some(done.request_sha256.as_str()));
    let again = ctx.export_enrollment_request(&stick.join("again").display().to_string()).unwrap();
    assert_eq!(std::fs::read(again).unwrap(), std::fs::read(&file).unwrap(), "the same kept request");
    drop(ctx);
    // A restart opens the login screen, not the wizard.
    let ctx = AppCtx::open(&opts).unwrap();
    assert!(ctx.first_run_info().is_none());
    assert_eq!(ctx.list_staff().unwrap().iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["admin"]);
}

#[test]
fn the_first_run_enrolls_through_the_city_simulator_and_a_failed_send_is_tried_again_from_settings() {
    let dir = tempfile::tempdir().unwrap();
    let contents = dir.path().join("contents");
    std::fs::create_dir_all(&contents).unwrap();
    std::fs::write(contents.join("catalog.json"), yc_core::catalog::DEMO_CATALOG_JSON).unwrap();
    let key_file = dir.path().join("issuer.key");
    let fp = yc_sim::enrollment::fingerprint(&yc_sim::enrollment::load_or_make_key(&key_file).unwrap());
    let desk =
        yc_sim::enrollment::EnrollmentDesk {
            issuer: "某市政务服务数据管理局（模拟）".into(), key_file, contents
        };
    let sim_rt = tokio::runtime::Runtime::new().unwrap();
    let (addr, _sim) = sim_rt
        .block_on(yc_sim::city::spawn(yc_sim::SimConfig { enrollment: Some(desk), ..Default::default() }))
        .unwrap();
    let city = format!("http://{addr}");
    let open = |name: &str| {
        AppCtx::open(&LaunchOptions { data_dir: dir.path().join(name), demo: false, demo_cases: 0 }).unwrap()
    };

    // Enrolled at once from the wizard.
    let ctx = open("a");
    let send = EnrollNow::Send { issuer_fingerprint: fp.clone(), token: None };
    let done = sim_rt.block_on(ctx.first_run(&first_run_setup("W10", Some(&city)), &send)).unwrap();
    assert_eq!(done.problem, None);
    assert!(done.enrolled.expect("reply imported").changes.iter().any(|c| c.contains("事项目录")));
    ctx.login("admin", "first-admin-1").unwrap();
    assert_eq!(ctx.enrollment_status().unwrap().state, yc_core::enrollment::EnrollmentState::Enrolled);

    // A mistyped fingerprint: the workstation is made, stays in training, and 设置 sends again.
    let ctx = open("b");
    let wrong = EnrollNow::Send { issuer_fingerprint: "0".repeat(64), token: None };
    let done = sim_rt.block_on(ctx.first_run(&first_run_setup("W11", Some(&city)), &wrong)).unwrap();
    assert!(done.enrolled.is_none());
    assert!(done.problem.as_deref().is_some_and(|p| p.contains("签发者不可信")), "{:?}", done.problem);
    ctx.login("admin", "first-admin-1").unwrap();
    let st = ctx.enrollment_status().unwrap();
    assert_eq!(st.state, yc_core::enrollment::EnrollmentState::Training);
    assert_eq!(st.pending_city_url.as_deref(), Some(city.as_str()));
    let v = sim_rt.block_on(ctx.send_enrollment(&city, &fp, None)).unwrap();
    assert!(v.changes.iter().any(|c| c.contains("事项目录")));
    assert_eq!(ctx.enrollment_status().unwrap().state, yc_core::enrollment::EnrollmentState::Enrolled);
}

#[test]
fn commands_refuse_before_login_and_while_locked() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo(dir.path());
    assert_eq!(ctx.list_cases(&ListFilter::default()).unwrap_err().kind, ErrorKind::NotLoggedIn);
    let e = ctx.login("zhangwei", "wrong").unwrap_err();
    assert_eq!((e.kind, e.message.as_str()), (ErrorKind::WrongPassword, "密码错误，再错 4 次账号将被锁定"));
    ctx.login("zhangwei", yc_core::demo::DEMO_PASSWORD).unwrap();
    assert!(!ctx.list_cases(&ListFilter { limit: Some(5), ..Default::default() }).unwrap().is_empty());
    ctx.lock();
    assert_eq!(ctx.list_cases(&ListFilter::default()).unwrap_err().kind, ErrorKind::Locked);
    assert!(ctx.current_actor().is_none());
    assert_eq!(ctx.unlock("wrong").unwrap_err().kind, ErrorKind::WrongPassword);
    assert_eq!(ctx.unlock(yc_core::demo::DEMO_PASSWORD).unwrap().id, "zhangwei");
    assert!(ctx.light_counts().is_ok());
    ctx.logout();
    assert_eq!(ctx.unlock(yc_core::demo::DEMO_PASSWORD).unwrap_err().kind, ErrorKind::NotLoggedIn);
}

#[test]
fn demo_workstation_runs_on_its_frozen_day() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo(dir.path());
    // Encrypted: before the first login the access file names the workstation, nothing else.
    assert_eq!(ctx.workstation().err().unwrap().kind, ErrorKind::NotLoggedIn);
    assert!(ctx.list_staff().unwrap().iter().any(|s| s.id == "zhangwei"));
    assert!(ctx.app_info().unwrap().demo);
    ctx.login("zhangwei", yc_core::demo::DEMO_PASSWORD).unwrap();
    let info = ctx.app_info().unwrap();
    assert!(info.demo);
    let frozen = ctx.workstation().unwrap().setting("demo.today").unwrap().unwrap();
    assert_eq!(info.today, frozen);
    assert!(info.actions.iter().any(|a| a.code == "accept" && a.zh == "受理"));
}

#[test]
fn intake_accept_review_decide_through_the_shell_with_chinese_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo(dir.path());
    ctx.login("zhangwei", yc_core::demo::DEMO_PASSWORD).unwrap();
    let item =
        ctx.catalog_items().unwrap().into_iter().find(|i| i.kind == Kind::Promised && !i.secret).expect("a 承诺件");
    let id = yc_core::ids::make_resident_id("440305", chrono::NaiveDate::from_ymd_opt(1990, 5, 17).unwrap(), 123);
    assert!(ctx.check_id(&id).valid);
    let mut bad = id.clone();
    bad.pop();
    bad.push(if id.ends_with('0') { '1' } else { '0' });
    let report = ctx.check_id(&bad);
    assert!(!report.valid && report.error.as_deref().is_some_and(|e| e.contains("校验")), "{report:?}");
    let refused = ctx
        .new_case(&NewCase {
            item_code: item.code.clone(),
            applicant_id: bad,
            applicant_name: "测试人".into(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidId);
    let no = ctx
        .new_case(&NewCase {
            item_code: item.code.clone(),
            applicant_id: id,
            applicant_name: "测试人".into(),
            ..Default::default()
        })
        .unwrap();
    let d = ctx.act(&no, Action::Accept, &ActRequest::default()).unwrap();
    assert_eq!(d.summary.state, State::Accepted);
    // The clerk may not review: the core says so, in Chinese.
    assert!(!d.available.iter().any(|a| a.code == Action::StartReview));
    let e = ctx.act(&no, Action::StartReview, &ActRequest::default()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::RoleDenied);
    assert!(e.message.contains("权限不足"), "{}", e.message);
    ctx.login("lina", yc_core::demo::DEMO_PASSWORD).unwrap();
    assert_eq!(ctx.act(&no, Action::StartReview, &ActRequest::default()).unwrap().summary.state, State::UnderReview);
    ctx.login("wangqiang", yc_core::demo::DEMO_PASSWORD).unwrap();
    let e = ctx
        .act(&no, Action::Deny, &ActRequest { reason: Some("不符合条件".into()), ..Default::default() })
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Missing);
    assert!(e.message.contains("不予许可"), "{}", e.message);
    let d = ctx.act(&no, Action::Approve, &ActRequest::default()).unwrap();
    assert_eq!(d.summary.state, State::Approved);
    let actions: Vec<&str> = d.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["file", "accept", "start_review", "approve"]);
}

#[test]
fn every_command_is_granted_in_the_capability_file_and_nothing_else() {
    let mut declared: Vec<&str> = yc_desktop::commands::COMMANDS.to_vec();
    let mut named: Vec<&str> = COMMAND_NAMES.to_vec();
    declared.sort_unstable();
    named.sort_unstable();
    assert_eq!(declared, named, "commands! and command_names.rs differ");
    let cap: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/capabilities/main.json")).unwrap(),
    )
    .unwrap();
    let mut granted: Vec<String> =
        cap["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect();
    granted.sort();
    let mut wanted: Vec<String> = named.iter().map(|n| format!("allow-{}", n.replace('_', "-"))).collect();
    wanted.sort();
    assert_eq!(granted, wanted);
    // The hall display window may read its board and nothing else (no names reach it).
    let hall: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/capabilities/hall.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(hall["windows"], serde_json::json!(["hall"]));
    assert_eq!(hall["permissions"], serde_json::json!(["allow-hall-board"]));
    assert_eq!(cap["windows"], serde_json::json!(["main"]), "the main window's grants stay its own");
}

#[test]
fn csp_forbids_remote_sources() {
    let conf: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tauri.conf.json")).unwrap(),
    )
    .unwrap();
    let csp = conf["app"]["security"]["csp"].as_object().unwrap();
    assert_eq!(csp["default-src"], "'self'");
    assert_eq!(csp["script-src"], "'self'");
    for (k, v) in csp {
        let v = v.as_str().unwrap();
        assert!(!v.contains("https:") && !v.contains('*') && !v.contains("unsafe-eval"), "{k}: {v}");
    }
    assert!(conf["build"].get("devUrl").is_none(), "no dev server URL in the shipped config");
}

#[test]
fn bindings_ts_is_generated_from_the_rust_types() {
    let text = yc_desktop::bindings::typescript();
    if std::env::var_os("YC_WRITE_BINDINGS").is_some() {
        std::fs::write(yc_desktop::bindings::BINDINGS_PATH, &text).unwrap();
    }
    let on_disk = std::fs::read_to_string(yc_desktop::bindings::BINDINGS_PATH).unwrap_or_default();
    assert!(
        text.contains("export function act(case_no: string, action: Action, request: ActRequest): Promise<CaseDetail>")
    );
    // Kinds and states cross as unions, so vue-tsc catches a misspelt one (issue 11).
    assert!(text.contains("export type IpcError = { kind: ErrorKind, message: string, };"));
    for t in ["ErrorKind", "State", "Channel", "CaseKind", "Outcome", "Action", "AdapterState", "DeliveryState"] {
        assert!(text.contains(&format!("export type {t} = \"")), "{t} is not a union");
    }
    for field in ["state: string", "channel: string", "outcome: string", "kind: string,"] {
        let n = text.matches(field).count();
        // Left as text: DeliveryRow's outbox item kind (`case.accept`…, the adapter protocol's
        // vocabulary) and AdapterStatus's adapter kind (the SDK's `AdapterKind`, which has no
        // TypeScript export yet).
        let allowed = if field == "kind: string," { 2 } else { 0 };
        assert!(n <= allowed, "`{field}` crosses IPC {n} times");
    }
    assert_eq!(on_disk, text, "ui/src/bindings.ts is stale: run YC_WRITE_BINDINGS=1 cargo test -p yc-desktop bindings");
}

#[test]
fn drafts_are_per_staff_and_survive_reopening_the_store() {
    let dir = tempfile::tempdir().unwrap();
    {
        let ctx = demo(dir.path());
        assert_eq!(ctx.save_draft("{}").unwrap_err().kind, ErrorKind::NotLoggedIn);
        ctx.login("zhangwei", yc_core::demo::DEMO_PASSWORD).unwrap();
        assert_eq!(ctx.save_draft("{not json").unwrap_err().kind, ErrorKind::Invalid);
        ctx.save_draft(r#"{"applicantName":"陈晓明"}"#).unwrap();
    }
    let ctx = AppCtx::from_dir(dir.path()).unwrap();
    ctx.login("liuyang", yc_core::demo::DEMO_PASSWORD).unwrap();
    assert_eq!(ctx.load_draft().unwrap(), None);
    ctx.login("zhangwei", yc_core::demo::DEMO_PASSWORD).unwrap();
    assert!(ctx.load_draft().unwrap().is_some_and(|d| d.contains("陈晓明")));
    ctx.clear_draft().unwrap();
    assert_eq!(ctx.load_draft().unwrap(), None);
    ctx.clear_draft().unwrap();
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn a_sync_pass_delivers_to_the_exchange_and_says_in_chinese_why_the_city_platform_is_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo(dir.path());
    assert_eq!(ctx.sync_overview().unwrap_err().kind, ErrorKind::NotLoggedIn);
    ctx.login("admin", yc_core::demo::DEMO_PASSWORD).unwrap();
    // Point the city platform at a port where nothing listens.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let cfg = format!(
        r#"{{"name":"city-platform","kind":"city-extranet","settings":{{"base_url":"http://127.0.0.1:{port}","source":"W01","connect_timeout_ms":500}}}}"#
    );
    assert_eq!(ctx.add_adapter("city.json", &cfg, false).unwrap(), "city-platform");
    assert_eq!(ctx.add_adapter("bad.json", "{\"name\":", false).unwrap_err().kind, ErrorKind::Invalid);
    // A process adapter runs a program at every sync: the admin is asked first, in words.
    let proc_cfg = "name = \"dept\"\nkind = \"process\"\n[process]\ncommand = [\"python3\", \"dept_adapter.py\"]\n";
    let e = ctx.add_adapter("dept.toml", proc_cfg, false).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NeedsConfirm);
    assert!(e.message.contains("python3 dept_adapter.py"), "{}", e.message);
    assert!(ctx.sync_overview().unwrap().adapters.iter().all(|a| a.name != "dept"), "not stored before confirming");
    assert_eq!(ctx.add_adapter("dept.toml", proc_cfg, true).unwrap(), "dept");
    ctx.set_adapter_enabled("dept", false).unwrap();

    let before = ctx.sync_overview().unwrap();
    let exchange = before.adapters.iter().find(|a| a.name == "county-exchange").expect("demo file-drop adapter");
    let queued = exchange.backlog.pending;
    assert!(queued > 30, "the demo's journal is queued for the exchange: {queued}");
    assert!(!before.running && before.last_pass_at.is_none());

    let reports = rt().block_on(ctx.sync_pass(&yc_core::sync::SyncOptions::default())).unwrap();
    assert_eq!(reports.len(), 2);
    let after = ctx.sync_overview().unwrap();
    let exchange = after.adapters.iter().find(|a| a.name == "county-exchange").unwrap();
    assert_eq!((exchange.backlog.pending, exchange.backlog.acked), (0, queued));
    let packets = std::fs::read_dir(dir.path().join("exchange/out")).unwrap().count();
    assert!(packets >= 1, "packets written to the exchange directory");
    let city = after.adapters.iter().find(|a| a.name == "city-platform").unwrap();
    assert_eq!(city.state, yc_core::sync::AdapterState::Degraded);
    let err = city.last_error.as_deref().unwrap_or_default();
    assert!(err.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "error in words: {err}");
    assert!(city.backlog.pending + city.backlog.failed > 0, "nothing lost while the platform is down");
    assert!(after.last_pass_at.is_some() && after.last_reports.len() == 2);
    assert!(ctx.sync_label().unwrap().contains("同步异常"), "{:?}", ctx.sync_label());

    // Pausing is for admins; a paused adapter is skipped by the next pass.
    ctx.set_adapter_enabled("city-platform", false).unwrap();
    let reports = rt().block_on(ctx.sync_pass(&yc_core::sync::SyncOptions::default())).unwrap();
    assert_eq!(reports.iter().map(|r| r.adapter.as_str()).collect::<Vec<_>>(), ["county-exchange"]);
    ctx.logout();
    ctx.login("zhangwei", yc_core::demo::DEMO_PASSWORD).unwrap();
    assert_eq!(ctx.set_adapter_enabled("city-platform", true).unwrap_err().kind, ErrorKind::RoleDenied);
    assert_eq!(ctx.resolve_quarantine("city-platform", 1, true, None).unwrap_err().kind, ErrorKind::RoleDenied);
    assert!(ctx.quarantine(None).unwrap().is_empty());
    // No worker thread in a test: asking for a pass says so instead of pretending.
    assert_eq!(ctx.sync_now().unwrap_err().kind, ErrorKind::Unavailable);
}

#[test]
fn scans_go_through_the_shell_into_the_case_and_back() {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo(dir.path());
    ctx.login("zhangwei", yc_core::demo::DEMO_PASSWORD).unwrap();
    let scan = b"%PDF-1.4\n% scanned application form".to_vec();
    let att = ctx.put_attachment("申请表.pdf", &b64(&scan)).unwrap();
    assert_eq!(att.mime, "application/pdf");
    assert_eq!(ctx.put_attachment("x.pdf", "***").unwrap_err().kind, ErrorKind::Invalid);
    let e = ctx.put_attachment("page.png", &b64(b"<html><script>alert(1)</script>")).unwrap_err();
    assert!(e.message.contains("不是可接受的扫描件"), "{}", e.message);

    let item = ctx.catalog_items().unwrap().into_iter().find(|i| i.kind == Kind::Promised && !i.secret).unwrap();
    let id = yc_core::ids::make_resident_id("440305", chrono::NaiveDate::from_ymd_opt(1991, 2, 3).unwrap(), 9);
    let no = ctx
        .new_case(&NewCase {
            item_code: item.code,
            applicant_id: id,
            applicant_name: "附件测试".into(),
            attachments: vec![att.clone()],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(ctx.case_detail(&no).unwrap().attachments, vec![att.clone()]);
    let back = ctx.attachment_data(&no, &att.sha256).unwrap();
    assert_eq!(back.data_base64, b64(&scan));
    assert_eq!(ctx.attachment_data(&no, &"0".repeat(64)).unwrap_err().kind, ErrorKind::Invalid);
}

#[test]
fn wrong_passwords_lock_the_account_in_the_app_and_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo(dir.path());
    for left in (1..=4).rev() {
        let e = ctx.login("liuyang", "wrong").unwrap_err();
        assert_eq!(e.kind, ErrorKind::WrongPassword);
        assert!(e.message.contains(&format!("再错 {left} 次")), "{}", e.message);
    }
    let e = ctx.login("liuyang", "wrong").unwrap_err();
    assert_eq!(e.kind, ErrorKind::AccountLocked);
    assert!(e.message.contains("已锁定") && e.message.contains("请管理员解锁"), "{}", e.message);
    // Locked means locked: the right password is refused too, until an admin unlocks.
    assert_eq!(ctx.login("liuyang", yc_core::demo::DEMO_PASSWORD).unwrap_err().kind, ErrorKind::AccountLocked);
    // The store is encrypted: the administrator opens it with their own password, and sees the
    // lock counted before it was open, on the record.
    let ws = yc_core::Workstation::open_unlocked(
        dir.path(),
        yc_core::Clock::System,
        yc_core::vault::Unlock::Password { staff: "admin", password: yc_core::demo::DEMO_PASSWORD },
    )
    .unwrap();
    let admin = ws.login("admin", yc_core::demo::DEMO_PASSWORD).unwrap();
    ws.unlock_staff(&admin, "liuyang", "本人确认").unwrap();
    assert_eq!(ctx.login("liuyang", yc_core::demo::DEMO_PASSWORD).unwrap().id, "liuyang");
}

#[test]
fn a_theme_is_filed_and_its_board_notice_and_results_come_through_the_shell() {
    use yc_core::theme::intake::NewTheme;
    use yc_core::theme::state::ThemeState;
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo(dir.path());
    assert_eq!(ctx.catalog_themes().unwrap_err().kind, ErrorKind::NotLoggedIn);
    ctx.login("zhangwei", yc_core::demo::DEMO_PASSWORD).unwrap();
    let themes = ctx.catalog_themes().unwrap();
    let kaiban = themes.iter().find(|t| t.code == "ZT-QYKB-001").expect("企业开办");
    assert_eq!(kaiban.branches.len(), 5);
    // The union: the legal representative's ID once, counted for all five items.
    let sfz = kaiban.materials.iter().find(|m| m.name == "法定代表人居民身份证").unwrap();
    assert_eq!((sfz.items.len(), sfz.reusable), (5, true));
    assert!(kaiban.branches.iter().skip(1).all(|b| b.after == ["企业设立登记（营业执照）"]));
    let id = yc_core::ids::make_credit_code("91440300MA5G0E2R1").unwrap();
    let receipt = ctx
        .new_theme(&NewTheme {
            theme_code: kaiban.code.clone(),
            applicant_id: id,
            applicant_name: "示范区并联示范有限公司".into(),
            ..NewTheme::default()
        })
        .unwrap();
    assert_eq!(receipt.branches.len(), 5);
    let rows = ctx.list_themes(true, 50).unwrap();
    assert_eq!(rows.iter().map(|r| r.theme_no.as_str()).collect::<Vec<_>>(), [receipt.theme_no.as_str()]);
    let tax = &receipt.branches[2];
    let req =
        ActRequest {
            reason: Some("缺开户许可证号".into()), materials: vec!["yhzh".into()], ..Default::default()
        };
    ctx.act(&tax.case_no, Action::RequestSupplement, &req).unwrap();
    let notice = ctx.theme_notice(&receipt.theme_no).unwrap();
    assert_eq!(notice.materials.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["单位银行账户信息"]);
    let resumed = ctx.supplement_theme(&receipt.theme_no, &["单位银行账户信息".into()]).unwrap();
    assert_eq!(resumed, [tax.case_no.as_str()]);
    let board = ctx.theme_board(&receipt.theme_no).unwrap();
    assert_eq!((board.state, board.branches.len()), (ThemeState::InProgress, 5));
    // Results go out together: refused while undecided, in Chinese.
    let e = ctx.deliver_theme(&receipt.theme_no, None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::IllegalTransition);
    assert!(e.message.contains("一并送达"), "{}", e.message);
    assert_eq!(ctx.theme_result(&receipt.theme_no).unwrap().branches.len(), 5);
    ctx.lock();
    assert_eq!(ctx.theme_board(&receipt.theme_no).unwrap_err().kind, ErrorKind::Locked);
}

#[test]
fn the_queue_through_the_shell_and_the_hall_board_without_login() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo(dir.path());
    ctx.login("zhangwei", yc_core::demo::DEMO_PASSWORD).unwrap();
    let p = ctx.take_ticket(yc_core::queue::Service::General).unwrap();
    assert_eq!(p.ticket.number, "A001");
    assert!(p.text.contains("A001") && p.text.contains("综合受理"), "{}", p.text);
    let called = ctx.call_next("1号窗口", &[]).unwrap().unwrap();
    assert_eq!(called.number, "A001");
    // The hall display reads its board while the clerk's screen is locked or nobody is logged in.
    ctx.lock();
    assert_eq!(ctx.queue_status().unwrap_err().kind, ErrorKind::Locked);
    let board = ctx.hall_board().unwrap();
    assert_eq!(board.latest.map(|c| (c.number, c.window)), Some(("A001".into(), "1号窗口".into())));
    ctx.logout();
    assert!(ctx.hall_board().is_ok());
    assert_eq!(ctx.take_ticket(yc_core::queue::Service::General).unwrap_err().kind, ErrorKind::NotLoggedIn);
}

#[test]
fn the_service_post_is_read_by_staff_and_set_by_a_whole_workstation_admin_only() {
    use yc_core::agent::{Post, PostLevel};
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo(dir.path());
    assert_eq!(ctx.service_post().unwrap_err().kind, ErrorKind::NotLoggedIn);
    ctx.login("zhangwei", yc_core::demo::DEMO_PASSWORD).unwrap();
    assert_eq!(ctx.service_post().unwrap().level, PostLevel::County);
    let village =
        Post { level: PostLevel::Village, township: Some("石门镇".into()), village: Some("石门村".into()) };
    let e = ctx.set_service_post(&village).unwrap_err();
    assert!(e.message.contains("权限不足"), "{e:?}");
    ctx.logout();
    ctx.login("admin", yc_core::demo::DEMO_PASSWORD).unwrap();
    let e = ctx.set_service_post(&Post { village: None, ..village.clone() }).unwrap_err();
    assert!(e.message.contains("村（社区）名称"), "{e:?}");
    assert_eq!(ctx.set_service_post(&village).unwrap(), village);
    ctx.logout();
    ctx.login("zhangwei", yc_core::demo::DEMO_PASSWORD).unwrap();
    assert_eq!(ctx.service_post().unwrap(), village);
}
