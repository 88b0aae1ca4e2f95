//! Parallel approval (并联审批, issue 16) on real SQLite files: themes in the catalog, one theme
//! filing for every branch in one transaction, the theme's state derived from its branches, the
//! lead's board, order constraints, the combined supplement notice, department replies through
//! the inbox (twice, late, out of order, for a closed branch), deadlines over holidays, rebuild.

use chrono::NaiveDate;
use proptest::prelude::*;
use rusqlite::{Connection, params};
use yc_core::case::{Action, Role, State};
use yc_core::catalog::{self, CatalogError, Theme, ThemeBranch};
use yc_core::staff::Actor;
use yc_core::theme::board::ThemeBoard;
use yc_core::theme::intake::{NewTheme, ThemeReceipt};
use yc_core::theme::state::{ThemeOutcome, ThemeState};
use yc_core::{ActRequest, Clock, CoreError, Identity, NewStaff, Workstation};

const KAIBAN: &str = "ZT-QYKB-001";
const GONGCHENG: &str = "ZT-GCJS-002";
const SHEZHI: &str = "11440300MB2C95374M000102005000000";
const SHEBAO: &str = "11440300007496088E000108003000000";
const GUIHUA: &str = "114403000074960376000103001000000";
const XIAOFANG: &str = "11440300007496109Y000110003000000";
const SHIGONG: &str = "11440300007496109Y000110004000000";
const PAISHUI: &str = "114403000074960969000109001000000";

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
        for (id, roles, dept) in [
            ("clerk", vec![Role::Clerk], "*"),
            ("reviewer", vec![Role::Reviewer], "*"),
            ("decider", vec![Role::Decider], "*"),
            ("police", vec![Role::Reviewer, Role::Decider], "示范区公安分局"),
            ("archive", vec![Role::Clerk, Role::Reviewer], "示范区档案馆"),
            ("market_clerk", vec![Role::Clerk], "示范区市场监督管理局"),
        ] {
            ws.add_staff(
                &admin,
                &NewStaff {
                    id: id.into(),
                    name: id.into(),
                    roles,
                    departments: vec![dept.into()],
                    password: Some("pw".into()),
                },
            )
            .unwrap();
        }
        Fx { dir, ws }
    }

    fn on(&self, today: &str) -> Workstation {
        Workstation::open(self.dir.path(), Clock::at_date(d(today))).unwrap()
    }

    fn a(&self, id: &str) -> Actor {
        self.ws.actor(id).unwrap()
    }

    fn file(&self, ws: &Workstation, code: &str, seq: u16) -> ThemeReceipt {
        ws.new_theme(&self.a("clerk"), &theme_req(code, seq)).unwrap()
    }

    fn branch(&self, r: &ThemeReceipt, item: &str) -> String {
        r.branches.iter().find(|b| b.item_code == item).unwrap().case_no.clone()
    }

    fn act(&self, ws: &Workstation, who: &str, case_no: &str, action: Action) -> Result<(), CoreError> {
        let req = ActRequest {
            reason: Some("不符合条件".into()),
            legal_basis: Some("《中华人民共和国行政许可法》第三十八条".into()),
            ..ActRequest::default()
        };
        ws.act(&self.a(who), case_no, action, &req).map(|_| ())
    }

    /// Accept, review and approve.
    fn approve(&self, ws: &Workstation, case_no: &str) {
        self.act(ws, "clerk", case_no, Action::Accept).unwrap();
        self.act(ws, "reviewer", case_no, Action::StartReview).unwrap();
        self.act(ws, "decider", case_no, Action::Approve).unwrap();
    }

    fn board(&self, ws: &Workstation, theme_no: &str) -> ThemeBoard {
        ws.theme_board(&self.a("clerk"), theme_no).unwrap()
    }

    fn db(&self) -> Connection {
        Connection::open(self.dir.path().join(yc_core::store::DB_FILE)).unwrap()
    }

    /// A reply as the sync engine stores it in the inbox.
    fn arrive(&self, adapter: &str, key: &str, kind: &str, case_no: &str, payload: serde_json::Value) {
        self.db()
            .execute(
                "INSERT INTO inbox (adapter, stream, key, kind, case_no, payload, payload_sha256, received_at, state)
                 VALUES (?1, 'decisions', ?2, ?3, ?4, ?5, '', '2026-03-02T10:00:00+08:00', 'received')",
                params![adapter, key, kind, case_no, payload.to_string()],
            )
            .unwrap();
    }

    fn inbox(&self, adapter: &str, key: &str) -> (String, String) {
        self.db()
            .query_row(
                "SELECT state, COALESCE(result, '') FROM inbox WHERE adapter = ?1 AND key = ?2",
                [adapter, key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    }

    fn count(&self, sql: &str, case_no: &str) -> i64 {
        self.db().query_row(sql, [case_no], |r| r.get(0)).unwrap()
    }

    fn dept_events(&self, case_no: &str) -> i64 {
        self.count("SELECT count(*) FROM journal WHERE case_no = ?1 AND action LIKE 'dept.%'", case_no)
    }
}

fn person(seq: u16) -> String {
    yc_core::ids::make_resident_id("440305", d("1985-03-12"), seq)
}

fn theme_req(code: &str, seq: u16) -> NewTheme {
    NewTheme {
        theme_code: code.into(),
        applicant_id: person(seq),
        applicant_name: format!("申请人{seq}"),
        ..NewTheme::default()
    }
}

fn state(ws: &Workstation, case_no: &str) -> State {
    ws.case_summary(case_no).unwrap().state
}

// ----- the catalog -----

#[test]
fn the_demo_catalog_has_two_valid_themes_and_refuses_bad_ones_naming_the_field() {
    let c = catalog::demo_catalog().unwrap();
    let kaiban = c.theme(KAIBAN).unwrap();
    assert_eq!((kaiban.overall_limit_days, kaiban.branches.len()), (1, 5));
    let departments: std::collections::HashSet<&str> =
        kaiban.branches.iter().map(|b| c.item(&b.item).unwrap().department.as_str()).collect();
    assert_eq!(departments.len(), 5, "企业开办 spans five departments");
    let gc = c.theme(GONGCHENG).unwrap();
    assert!(gc.branches.iter().any(|b| !b.after.is_empty()) && gc.branches.iter().any(|b| !b.required));
    // The catalog round-trips with its themes.
    assert_eq!(catalog::parse(&catalog::to_json(&c)).unwrap(), c);

    let field = |f: &dyn Fn(&mut Theme)| {
        let mut c = c.clone();
        f(&mut c.themes[1]);
        match c.validate() {
            Err(CatalogError::ThemeInvalid { theme: 1, field, message, .. }) => (field, message),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(field(&|t| t.branches[0].item = "NOPE".into()).0, "branches[0].item");
    assert_eq!(field(&|t| t.lead_department = "示范区档案馆".into()).0, "lead_department");
    assert_eq!(field(&|t| t.branches[1].after.push("NOPE".into())).0, "branches[1].after[1]");
    let (f, m) = field(&|t| t.branches[0].after.push(SHIGONG.into()));
    assert!(f.starts_with("branches[") && f.ends_with(".after") && m.contains("成环"), "{f} {m}");
    let (f, m) = field(&|t| t.overall_limit_days = 20);
    assert_eq!(f, "overall_limit_days");
    assert!(m.contains("累计的承诺时限 27 个工作日"), "{m}");
    assert_eq!(field(&|t| t.branches.truncate(1)).0, "branches");
    assert_eq!(
        field(&|t| t.branches.push(ThemeBranch { item: GUIHUA.into(), required: true, after: vec![] })).0,
        "branches[4].item"
    );
    let (f, _) = field(&|t| t.code = c.items[0].code.clone());
    assert_eq!(f, "code");
    let text = field(&|t| t.name = " ".into());
    assert_eq!(text.0, "name");
    let e = {
        let mut c = c.clone();
        c.themes[1].name.clear();
        c.validate().unwrap_err().to_string()
    };
    assert!(e.starts_with("第 2 个主题（themes[1]，编码 ZT-GCJS-002）的 name 不合法"), "{e}");
}

#[test]
fn an_imported_catalog_keeps_its_themes_and_exports_them() {
    let fx = Fx::new("2026-03-02");
    let themes = fx.ws.catalog_themes(None).unwrap();
    assert_eq!(themes.iter().map(|t| t.code.as_str()).collect::<Vec<_>>(), [KAIBAN, GONGCHENG]);
    let exported = catalog::parse(&fx.ws.export_catalog(None).unwrap()).unwrap();
    assert_eq!(exported.themes, themes);
}

// ----- intake -----

#[test]
fn one_filing_creates_the_theme_and_every_branch_with_shared_materials_asked_once() {
    let fx = Fx::new("2026-03-02");
    let r = fx.file(&fx.ws, KAIBAN, 1);
    assert_eq!(r.branches.len(), 5);
    let nos: std::collections::HashSet<&str> = r.branches.iter().map(|b| b.case_no.as_str()).collect();
    assert_eq!(nos.len(), 5);
    assert!(!nos.contains(r.theme_no.as_str()));
    for b in &r.branches {
        let s = fx.ws.case_summary(&b.case_no).unwrap();
        assert_eq!(
            (s.state, s.department.as_str(), s.item_code.as_str()),
            (State::Submitted, b.department.as_str(), b.item_code.as_str())
        );
        // Each branch is an ordinary case with its own clock (pre-review).
        assert!(s.due_date.is_some());
    }
    // Five items ask for the legal representative's ID: listed once, counted for each.
    let sfz = r.materials.iter().filter(|m| m.name == "法定代表人居民身份证").collect::<Vec<_>>();
    assert_eq!(sfz.len(), 1);
    assert_eq!(sfz[0].items.len(), 5);
    assert!(sfz[0].provided);
    let bank = r.materials.iter().find(|m| m.name == "单位银行账户信息").unwrap();
    assert_eq!(bank.items.len(), 3);
    let provided: i64 = fx.count(
        "SELECT count(*) FROM case_materials m JOIN theme_branches b USING (case_no)
         WHERE b.theme_no = ?1 AND m.name = '法定代表人居民身份证' AND m.provided = 1",
        &r.theme_no,
    );
    assert_eq!(provided, 5);
    // Order constraints name the branch case numbers.
    let first = fx.branch(&r, SHEZHI);
    assert!(r.branches.iter().filter(|b| b.item_code != SHEZHI).all(|b| b.after == [first.clone()]));
    // One receipt listing every branch and the overall deadline.
    let text = r.text();
    for b in &r.branches {
        assert!(text.contains(&b.case_no) && text.contains(&b.item_name), "{text}");
    }
    assert!(text.contains("总办理时限：1 个工作日，2026-03-03 前全部办结"), "{text}");
    assert_eq!(text.matches("法定代表人居民身份证").count(), 1, "{text}");
    // Journaled: the theme event, then each branch's filing; each branch queued for its department.
    let events = fx.count("SELECT count(*) FROM journal WHERE case_no = ?1 AND action = 'theme.file'", &r.theme_no);
    assert_eq!(events, 1);
    for b in &r.branches {
        assert_eq!(fx.count("SELECT count(*) FROM journal WHERE case_no = ?1 AND action = 'file'", &b.case_no), 1);
        assert_eq!(fx.count("SELECT count(*) FROM outbox WHERE case_no = ?1", &b.case_no), 1);
    }
    // The next single case continues the same daily sequence.
    let next = fx
        .ws
        .new_case(
            &fx.a("clerk"),
            &yc_core::NewCase {
                item_code: SHEBAO.into(),
                applicant_id: person(2),
                applicant_name: "乙".into(),
                ..yc_core::NewCase::default()
            },
        )
        .unwrap();
    assert!(next.ends_with("-00007"), "{next}");
}

#[test]
fn a_failure_in_the_middle_of_a_theme_filing_leaves_nothing() {
    let fx = Fx::new("2026-03-02");
    let before: i64 = fx.db().query_row("SELECT count(*) FROM journal", [], |r| r.get(0)).unwrap();
    // The fourth branch's row cannot be written: the whole theme must roll back.
    fx.db()
        .execute_batch(&format!(
            "CREATE TRIGGER fail_fourth BEFORE INSERT ON cases WHEN NEW.item_code = '{SHEBAO}'
             BEGIN SELECT RAISE(ABORT, 'disk full'); END;"
        ))
        .unwrap();
    let e = fx.ws.new_theme(&fx.a("clerk"), &theme_req(KAIBAN, 1)).unwrap_err();
    assert!(e.to_string().contains("disk full"), "{e}");
    let db = fx.db();
    let n = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(n("SELECT count(*) FROM journal"), before);
    assert_eq!(
        n("SELECT count(*) FROM cases") + n("SELECT count(*) FROM themes") + n("SELECT count(*) FROM theme_branches"),
        0
    );
    assert_eq!(n("SELECT count(*) FROM outbox"), 0);
    db.execute_batch("DROP TRIGGER fail_fourth").unwrap();
    let r = fx.file(&fx.ws, KAIBAN, 1);
    assert!(r.theme_no.ends_with("-00001"), "{}", r.theme_no);
}

#[test]
fn intake_checks_role_department_materials_and_optional_branches() {
    let fx = Fx::new("2026-03-02");
    let e = fx.ws.new_theme(&fx.a("reviewer"), &theme_req(KAIBAN, 1)).unwrap_err();
    assert!(matches!(e, CoreError::RoleDenied { .. }), "{e}");
    // A clerk of one department cannot file items of four others.
    let e = fx.ws.new_theme(&fx.a("market_clerk"), &theme_req(KAIBAN, 1)).unwrap_err();
    assert!(matches!(e, CoreError::DepartmentDenied { .. }), "{e}");
    let e = fx
        .ws
        .new_theme(&fx.a("clerk"), &NewTheme { provided: Some(vec!["nope".into()]), ..theme_req(KAIBAN, 1) })
        .unwrap_err();
    assert!(e.to_string().contains("没有材料 nope"), "{e}");
    let e = fx
        .ws
        .new_theme(&fx.a("clerk"), &NewTheme { skip: vec![GUIHUA.into()], ..theme_req(GONGCHENG, 1) })
        .unwrap_err();
    assert!(e.to_string().contains("必办事项"), "{e}");
    let r =
        fx.ws.new_theme(&fx.a("clerk"), &NewTheme { skip: vec![PAISHUI.into()], ..theme_req(GONGCHENG, 1) }).unwrap();
    assert_eq!(r.branches.len(), 3);
    let e = fx.ws.new_theme(&fx.a("clerk"), &theme_req("ZT-NONE", 1)).unwrap_err();
    assert!(matches!(e, CoreError::UnknownItem(_)), "{e}");
    // Only what was handed in counts as provided, for every item that asks for it.
    let r = fx
        .ws
        .new_theme(
            &fx.a("clerk"),
            &NewTheme { provided: Some(vec!["sqs".into(), "zc".into()]), ..theme_req(KAIBAN, 2) },
        )
        .unwrap();
    assert!(!r.materials.iter().find(|m| m.name == "法定代表人居民身份证").unwrap().provided);
    let missing = fx.count(
        "SELECT count(*) FROM case_materials m JOIN theme_branches b USING (case_no) WHERE b.theme_no = ?1 AND m.provided = 0",
        &r.theme_no,
    );
    assert!(missing >= 5, "{missing}");

    // 一号式: the ID handed in on an earlier case is reused for every branch that allows it.
    let earlier = fx
        .ws
        .new_case(
            &fx.a("clerk"),
            &yc_core::NewCase {
                item_code: SHEBAO.into(),
                applicant_id: person(3),
                applicant_name: "申请人3".into(),
                ..yc_core::NewCase::default()
            },
        )
        .unwrap();
    let keys: Vec<String> = ["sqs", "zc", "zs", "yzsq", "bsry", "yhzh", "cbdj", "jcdj"].map(String::from).to_vec();
    let r = fx
        .ws
        .new_theme(
            &fx.a("clerk"),
            &NewTheme { provided: Some(keys), reuse: vec![("sfz".into(), earlier.clone())], ..theme_req(KAIBAN, 3) },
        )
        .unwrap();
    let sfz = r.materials.iter().find(|m| m.key == "sfz").unwrap();
    assert!(sfz.provided && sfz.reused_from.as_deref() == Some(earlier.as_str()));
    let reused = fx.count(
        "SELECT count(*) FROM case_materials m JOIN theme_branches b USING (case_no)
         WHERE b.theme_no = ?1 AND m.material_id = 'sfz' AND m.provided = 1 AND m.reused_from IS NOT NULL",
        &r.theme_no,
    );
    assert_eq!(reused, 5);
    assert!(r.text().contains(&format!("法定代表人居民身份证（复用办件 {earlier}）")), "{}", r.text());
}

// ----- deadlines -----

#[test]
fn the_overall_deadline_runs_on_the_statutory_calendar_over_holidays_and_unknown_years() {
    // 2026-09-30 (Wednesday) + 1 working day: National Day 10-01..07 skipped.
    let fx = Fx::new("2026-09-30");
    let r = fx.file(&fx.ws, KAIBAN, 1);
    assert_eq!(r.due_date.as_deref(), Some("2026-10-08"));
    // Seen on 10-08 the theme is due today (yellow), on 10-09 it is overdue (red).
    let b = fx.board(&fx.on("2026-10-08"), &r.theme_no);
    assert_eq!((b.days_left, b.light), (Some(0), Some(yc_core::deadline::Light::Yellow)));
    let b = fx.board(&fx.on("2026-10-09"), &r.theme_no);
    assert_eq!((b.days_left, b.light), (Some(-1), Some(yc_core::deadline::Light::Red)));
    // 30 working days from 2026-09-21 cross the Mid-Autumn and National Day holidays and the
    // 10-10 make-up working day.
    let ws = fx.on("2026-09-21");
    let g = fx.file(&ws, GONGCHENG, 2);
    let cal = yc_core::calendar::Calendar::official();
    assert_eq!(g.due_date, Some(cal.add_workdays(d("2026-09-21"), 30).unwrap().to_string()));
    assert_eq!(g.due_date.as_deref(), Some("2026-11-09"));

    // Filed on the last working day of a year the calendar covers: unknown until 2027 arrives.
    let ws = fx.on("2026-12-31");
    let late = fx.file(&ws, KAIBAN, 3);
    assert_eq!(late.due_date, None);
    assert!(late.deadline_note.as_deref().unwrap_or("").contains("2027"), "{:?}", late.deadline_note);
    let y2027 = r#"{"format": "yichuang-calendar/1", "year": 2027, "source": "测试用",
        "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"}], "workdays": []}"#;
    ws.import_calendar(&fx.a("admin"), y2027).unwrap();
    assert_eq!(ws.theme_receipt(&late.theme_no).unwrap().due_date.as_deref(), Some("2027-01-04"));
    // And a rebuild replays the import at the same point: the same rows.
    let before = ws.derived_fingerprint().unwrap();
    ws.rebuild().unwrap();
    assert_eq!(ws.derived_fingerprint().unwrap(), before);
}

// ----- coordination -----

#[test]
fn order_constraints_hold_a_branch_until_its_predecessors_are_approved() {
    let fx = Fx::new("2026-03-02");
    let r = fx.file(&fx.ws, GONGCHENG, 1);
    let (gh, xf, sg) = (fx.branch(&r, GUIHUA), fx.branch(&r, XIAOFANG), fx.branch(&r, SHIGONG));
    let e = fx.act(&fx.ws, "clerk", &sg, Action::Accept).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, CoreError::IllegalTransition { .. }), "{msg}");
    assert!(msg.contains("须待前置事项「建设工程规划许可证核发」") && msg.contains(&gh), "{msg}");
    assert_eq!(state(&fx.ws, &sg), State::Submitted);
    let board = fx.board(&fx.ws, &r.theme_no);
    let waiting = &board.branches.iter().find(|b| b.case_no == sg).unwrap().waiting_on;
    assert_eq!(waiting.len(), 2, "{waiting:?}");

    fx.approve(&fx.ws, &gh);
    // 施工许可 still waits on 消防设计审查.
    let msg = fx.act(&fx.ws, "clerk", &sg, Action::Accept).unwrap_err().to_string();
    assert!(msg.contains("建设工程消防设计审查"), "{msg}");
    fx.approve(&fx.ws, &xf);
    fx.act(&fx.ws, "clerk", &sg, Action::Accept).unwrap();
    assert_eq!(state(&fx.ws, &sg), State::Accepted);

    // A refused predecessor: the follower can only be withdrawn.
    let r2 = fx.file(&fx.ws, GONGCHENG, 2);
    let (gh2, xf2) = (fx.branch(&r2, GUIHUA), fx.branch(&r2, XIAOFANG));
    fx.act(&fx.ws, "clerk", &gh2, Action::Accept).unwrap();
    fx.act(&fx.ws, "reviewer", &gh2, Action::StartReview).unwrap();
    fx.act(&fx.ws, "decider", &gh2, Action::Deny).unwrap();
    let msg = fx.act(&fx.ws, "clerk", &xf2, Action::Accept).unwrap_err().to_string();
    assert!(msg.contains("未获准予") && msg.contains("只能撤回"), "{msg}");
    fx.act(&fx.ws, "clerk", &xf2, Action::Withdraw).unwrap();
    assert_eq!(state(&fx.ws, &xf2), State::Withdrawn);
}

#[test]
fn the_theme_is_decided_when_every_required_branch_is_and_shows_refusals_to_all() {
    let fx = Fx::new("2026-03-02");
    let r = fx.file(&fx.ws, GONGCHENG, 1);
    let (gh, xf, sg, ps) =
        (fx.branch(&r, GUIHUA), fx.branch(&r, XIAOFANG), fx.branch(&r, SHIGONG), fx.branch(&r, PAISHUI));
    fx.approve(&fx.ws, &gh);
    fx.approve(&fx.ws, &xf);
    let b = fx.board(&fx.ws, &r.theme_no);
    assert_eq!((b.state, b.outcome, b.required_settled, b.required), (ThemeState::InProgress, None, 2, 3));
    assert!(b.light.is_some() && b.days_left.is_some());
    // The optional 排水许可 is refused: visible on the theme with its reason and basis, but it
    // does not hold the theme.
    fx.act(&fx.ws, "clerk", &ps, Action::RefuseAcceptance).unwrap();
    fx.approve(&fx.ws, &sg);
    let b = fx.board(&fx.ws, &r.theme_no);
    assert_eq!((b.state, b.outcome), (ThemeState::Decided, Some(ThemeOutcome::Approved)));
    assert_eq!(b.light, None);
    assert_eq!(b.refusals.len(), 1);
    let refusal = &b.refusals[0];
    assert_eq!((refusal.case_no.as_str(), refusal.action), (ps.as_str(), Action::RefuseAcceptance));
    assert_eq!(refusal.reason.as_deref(), Some("不符合条件"));
    assert!(refusal.legal_basis.as_deref().unwrap_or("").contains("第三十八条"));
    // Every department of a branch sees the board; an unrelated one does not.
    assert!(fx.ws.theme_board(&fx.a("police"), &r.theme_no).is_err());
    let k = fx.file(&fx.ws, KAIBAN, 2);
    assert_eq!(fx.ws.theme_board(&fx.a("police"), &k.theme_no).unwrap().branches.len(), 5);
    let e = fx.ws.theme_board(&fx.a("archive"), &k.theme_no).unwrap_err();
    assert!(matches!(e, CoreError::DepartmentDenied { .. }), "{e}");
    assert_eq!(fx.ws.themes(&fx.a("police"), false, 50).unwrap().len(), 1);
    assert_eq!(fx.ws.themes(&fx.a("clerk"), true, 50).unwrap().len(), 1, "the decided theme is not open");
}

#[test]
fn supplement_requests_of_several_branches_make_one_notice_and_one_hand_in() {
    let fx = Fx::new("2026-03-02");
    let r = fx.file(&fx.ws, KAIBAN, 1);
    let (sz, sb) = (fx.branch(&r, SHEZHI), fx.branch(&r, SHEBAO));
    let ask = |case_no: &str, materials: &[&str], why: &str| {
        fx.ws
            .act(
                &fx.a("clerk"),
                case_no,
                Action::RequestSupplement,
                &ActRequest {
                    reason: Some(why.into()),
                    materials: materials.iter().map(|m| (*m).to_owned()).collect(),
                    ..ActRequest::default()
                },
            )
            .unwrap();
    };
    // Pre-review: 设立登记 and (still waiting for it) 社保登记 both find gaps.
    ask(&sz, &["zc", "sfz"], "公司章程缺少股东签字；身份证复印件不清晰");
    ask(&sb, &["sfz", "yhzh"], "身份证复印件不清晰；未提供银行账户信息");
    let n = fx.ws.theme_supplement_notice(&fx.a("clerk"), &r.theme_no).unwrap();
    assert_eq!(n.branches.iter().map(|b| b.case_no.as_str()).collect::<Vec<_>>(), [sz.as_str(), sb.as_str()]);
    let names: Vec<&str> = n.materials.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["公司章程", "法定代表人居民身份证", "单位银行账户信息"]);
    assert_eq!(n.materials[1].items.len(), 2, "the shared ID is asked once for both");
    let text = n.text();
    assert!(text.starts_with("一次性补正告知书"), "{text}");
    assert_eq!(text.matches("法定代表人居民身份证").count(), 3, "once in the list, once per branch: {text}");
    assert!(text.contains(&sz) && text.contains(&sb) && text.contains("公司章程缺少股东签字"), "{text}");

    // Handing in only the articles completes neither request: nothing moves.
    let done = fx.ws.supplement_theme(&fx.a("clerk"), &r.theme_no, &["公司章程".into()]).unwrap();
    assert!(done.is_empty());
    assert_eq!(state(&fx.ws, &sz), State::Supplementing);
    let all: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
    let done = fx.ws.supplement_theme(&fx.a("clerk"), &r.theme_no, &all).unwrap();
    assert_eq!(done, [sz.clone(), sb.clone()]);
    assert_eq!((state(&fx.ws, &sz), state(&fx.ws, &sb)), (State::Submitted, State::Submitted));
    assert!(fx.ws.theme_supplement_notice(&fx.a("clerk"), &r.theme_no).unwrap().branches.is_empty());
    assert!(fx.ws.theme_supplement_notice(&fx.a("clerk"), &r.theme_no).unwrap().text().contains("无需补正"));
    let e = fx.ws.supplement_theme(&fx.a("clerk"), &r.theme_no, &["公司章程".into()]).unwrap_err();
    assert!(e.to_string().contains("没有材料「公司章程」"), "{e}");
}

// ----- department replies through the inbox -----

#[test]
fn a_decision_reply_moves_its_branch_exactly_once_however_often_it_arrives() {
    let fx = Fx::new("2026-03-02");
    let r = fx.file(&fx.ws, GONGCHENG, 1);
    let gh = fx.branch(&r, GUIHUA);
    fx.act(&fx.ws, "clerk", &gh, Action::Accept).unwrap();
    let decision = serde_json::json!({"reply_id": "GH-1", "outcome": "approved", "opinion": "符合规划条件"});
    fx.arrive("dept-soap", "k1", "decision", &gh, decision.clone());
    let rep = fx.ws.apply_inbox().unwrap();
    assert_eq!((rep.applied, rep.failed, rep.deferred), (1, 0, 0));
    assert_eq!(state(&fx.ws, &gh), State::Approved);
    assert_eq!(fx.dept_events(&gh), 1);
    // The same reply again, by another route (a file-drop packet re-sent): nothing changes.
    fx.arrive("county-exchange", "packet-7", "decision", &gh, decision.clone());
    fx.arrive("dept-soap", "k1-again", "decision", &gh, decision);
    let rep = fx.ws.apply_inbox().unwrap();
    assert_eq!((rep.applied, rep.failed), (2, 0));
    assert!(fx.inbox("county-exchange", "packet-7").1.contains("重复"));
    assert_eq!(fx.dept_events(&gh), 1);
    assert_eq!(fx.count("SELECT count(*) FROM journal WHERE case_no = ?1 AND action = 'approve'", &gh), 1);
    // The same id with other content is refused, never applied.
    fx.arrive(
        "dept-soap",
        "k2",
        "decision",
        &gh,
        serde_json::json!({"reply_id": "GH-1", "outcome": "denied", "reason": "x", "legal_basis": "y"}),
    );
    assert_eq!(fx.ws.apply_inbox().unwrap().failed, 1);
    assert_eq!(fx.inbox("dept-soap", "k2").0, "failed");
    assert_eq!(state(&fx.ws, &gh), State::Approved);
    // A late, contradicting decision under a new id: refused for a person to check.
    fx.arrive(
        "dept-soap",
        "k3",
        "decision",
        &gh,
        serde_json::json!({"reply_id": "GH-2", "outcome": "denied", "reason": "x", "legal_basis": "y"}),
    );
    fx.ws.apply_inbox().unwrap();
    let (st, why) = fx.inbox("dept-soap", "k3");
    assert_eq!(st, "failed");
    assert!(why.contains("人工核对"), "{why}");
    assert_eq!((state(&fx.ws, &gh), fx.dept_events(&gh)), (State::Approved, 1));
    // A late opinion is a trace in the record and nothing else.
    fx.arrive("dept-soap", "k4", "opinion", &gh, serde_json::json!({"opinion": "请注意退线要求"}));
    fx.ws.apply_inbox().unwrap();
    assert_eq!((state(&fx.ws, &gh), fx.dept_events(&gh)), (State::Approved, 2));
}

#[test]
fn replies_out_of_order_wait_for_their_branch_and_replies_for_closed_branches_change_nothing() {
    let fx = Fx::new("2026-03-02");
    let r = fx.file(&fx.ws, GONGCHENG, 1);
    let (gh, xf, ps) = (fx.branch(&r, GUIHUA), fx.branch(&r, XIAOFANG), fx.branch(&r, PAISHUI));
    // 消防's decision arrives before 规划 is even decided: kept, not failed, not applied.
    fx.arrive("dept-soap", "xf-1", "decision", &xf, serde_json::json!({"outcome": "approved"}));
    let rep = fx.ws.apply_inbox().unwrap();
    assert_eq!((rep.applied, rep.failed, rep.deferred), (0, 0, 1));
    let (st, why) = fx.inbox("dept-soap", "xf-1");
    assert_eq!(st, "received");
    assert!(why.contains("建设工程规划许可证核发"), "{why}");
    assert_eq!((state(&fx.ws, &xf), fx.dept_events(&xf)), (State::Submitted, 0));
    // 规划 accepted, its decision arrives after: applied; 消防's is still early (not accepted).
    fx.act(&fx.ws, "clerk", &gh, Action::Accept).unwrap();
    fx.arrive("dept-soap", "gh-1", "decision", &gh, serde_json::json!({"outcome": "approved"}));
    let rep = fx.ws.apply_inbox().unwrap();
    assert_eq!((rep.applied, rep.deferred), (1, 1));
    assert!(fx.inbox("dept-soap", "xf-1").1.contains("受理"));
    // Once 消防 is accepted the kept decision applies on the next pass, once.
    fx.act(&fx.ws, "clerk", &xf, Action::Accept).unwrap();
    let rep = fx.ws.apply_inbox().unwrap();
    assert_eq!((rep.applied, rep.deferred), (1, 0));
    assert_eq!((state(&fx.ws, &xf), fx.dept_events(&xf)), (State::Approved, 1));
    assert_eq!(fx.ws.apply_inbox().unwrap().applied, 0, "nothing left to apply");

    // A refusal without its legal basis is refused whole: no trace, the branch unchanged.
    fx.act(&fx.ws, "clerk", &ps, Action::Accept).unwrap();
    fx.arrive("dept-soap", "ps-1", "decision", &ps, serde_json::json!({"outcome": "denied", "reason": "水质不达标"}));
    fx.ws.apply_inbox().unwrap();
    assert_eq!(fx.inbox("dept-soap", "ps-1").0, "failed");
    assert_eq!((state(&fx.ws, &ps), fx.dept_events(&ps)), (State::Accepted, 0));
    // With it, the branch is refused and the refusal is on the theme.
    fx.arrive(
        "dept-soap",
        "ps-2",
        "decision",
        &ps,
        serde_json::json!({"outcome": "denied", "reason": "水质不达标", "legal_basis": "《城镇排水与污水处理条例》第二十一条"}),
    );
    fx.ws.apply_inbox().unwrap();
    assert_eq!(state(&fx.ws, &ps), State::Denied);
    let b = fx.board(&fx.ws, &r.theme_no);
    assert_eq!(b.refusals[0].reason.as_deref(), Some("水质不达标"));

    // A branch withdrawn by the applicant: a decision for it is refused, nothing moves.
    let r2 = fx.file(&fx.ws, GONGCHENG, 2);
    let gh2 = fx.branch(&r2, GUIHUA);
    fx.act(&fx.ws, "clerk", &gh2, Action::Withdraw).unwrap();
    fx.arrive("dept-soap", "gh2-1", "decision", &gh2, serde_json::json!({"outcome": "approved"}));
    fx.ws.apply_inbox().unwrap();
    assert_eq!(fx.inbox("dept-soap", "gh2-1").0, "failed");
    assert_eq!((state(&fx.ws, &gh2), fx.dept_events(&gh2)), (State::Withdrawn, 0));

    // Everything above is rebuilt identically from the journal.
    let before = fx.ws.derived_fingerprint().unwrap();
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), before);
}

// ----- the theme state is always consistent with its branches -----

/// What a script does to one branch: 0 nothing, 1 accept, 2 + review, 3 + approve, 4 + deny,
/// 5 refuse acceptance, 6 withdraw, 7 ask for a supplement.
fn run_script(fx: &Fx, ws: &Workstation, case_no: &str, op: u8) {
    let steps: &[(&str, Action)] = match op {
        1 => &[("clerk", Action::Accept)],
        2 => &[("clerk", Action::Accept), ("reviewer", Action::StartReview)],
        3 => &[("clerk", Action::Accept), ("reviewer", Action::StartReview), ("decider", Action::Approve)],
        4 => &[("clerk", Action::Accept), ("reviewer", Action::StartReview), ("decider", Action::Deny)],
        5 => &[("clerk", Action::RefuseAcceptance)],
        6 => &[("clerk", Action::Withdraw)],
        7 => &[("clerk", Action::RequestSupplement)],
        _ => &[],
    };
    for (who, action) in steps {
        // Refusals (a waiting branch, a state that does not allow it) are part of the property:
        // they must leave the branch and the theme consistent.
        if fx.act(ws, who, case_no, *action).is_err() {
            break;
        }
    }
}

fn settled(s: State) -> bool {
    !matches!(
        s,
        State::Appointed
            | State::Submitted
            | State::Supplementing
            | State::Accepted
            | State::UnderReview
            | State::Suspended
            | State::SpecialProcedure
    )
}

#[test]
fn the_theme_state_is_always_consistent_with_its_branches() {
    let fx = Fx::new("2026-03-02");
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases: 24, ..ProptestConfig::default() });
    let seq = std::cell::Cell::new(0u16);
    let strategy = (any::<bool>(), proptest::collection::vec((0usize..5, 0u8..8), 0..12));
    runner
        .run(&strategy, |(kaiban, ops)| {
            seq.set(seq.get() + 1);
            let r = fx.file(&fx.ws, if kaiban { KAIBAN } else { GONGCHENG }, seq.get());
            for (pos, op) in ops {
                let b = &r.branches[pos % r.branches.len()];
                run_script(&fx, &fx.ws, &b.case_no, op);
            }
            let board = fx.board(&fx.ws, &r.theme_no);
            let states: Vec<State> = r.branches.iter().map(|b| state(&fx.ws, &b.case_no)).collect();
            let required: Vec<bool> = r.branches.iter().map(|b| b.required).collect();
            let open_required = states.iter().zip(&required).any(|(s, req)| *req && !settled(*s));
            prop_assert_eq!(board.state == ThemeState::InProgress, open_required);
            prop_assert_eq!(board.outcome.is_none(), open_required);
            prop_assert_eq!(board.light.is_some(), open_required);
            let all_approved = states.iter().zip(&required).all(|(s, req)| !*req || *s == State::Approved);
            if !open_required {
                prop_assert_eq!(board.outcome == Some(ThemeOutcome::Approved), all_approved);
            }
            for (b, s) in r.branches.iter().zip(&states) {
                let view = board.branches.iter().find(|v| v.case_no == b.case_no).unwrap();
                prop_assert_eq!(view.state, *s);
                // A refused or withdrawn branch is on the theme with its reason.
                let listed = board.refusals.iter().any(|x| x.case_no == b.case_no && x.reason.is_some());
                prop_assert_eq!(listed, matches!(s, State::Denied | State::NotAccepted | State::Withdrawn));
                // A branch never got past intake while a predecessor was not approved.
                let preds_ok = b.after.iter().all(|p| state(&fx.ws, p) == State::Approved);
                if !preds_ok {
                    prop_assert!(
                        matches!(s, State::Submitted | State::Supplementing | State::Withdrawn),
                        "{} moved to {:?} before its predecessors",
                        b.case_no,
                        s
                    );
                    prop_assert!(!view.waiting_on.is_empty() || *s == State::Withdrawn);
                }
            }
            Ok(())
        })
        .unwrap();
    let before = fx.ws.derived_fingerprint().unwrap();
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), before);
}

// ----- results delivered together, and the overall clock under supervision -----

/// The 工程建设 stage without the optional 排水许可: three branches, two departments, with a seal
/// authority, a seal per department and a seal keeper.
fn sealed_gongcheng(fx: &Fx) -> ThemeReceipt {
    use yc_seal::{KeyStoreOptions, SealType};
    let admin = fx.a("admin");
    let low = || KeyStoreOptions { iterations: std::num::NonZeroU32::new(1000).unwrap(), max_attempts: 3 };
    fx.ws.create_seal_authority(&admin, "测试印章制作中心", "auth-pin", low()).unwrap();
    let r =
        fx.ws.new_theme(&fx.a("clerk"), &NewTheme { skip: vec![PAISHUI.into()], ..theme_req(GONGCHENG, 7) }).unwrap();
    let mut departments: Vec<&str> = r.branches.iter().map(|b| b.department.as_str()).collect();
    departments.dedup();
    for dept in departments {
        fx.ws.issue_seal(&admin, dept, SealType::AdministrativeLicensing, "seal-pin", "auth-pin", low()).unwrap();
    }
    fx.ws
        .add_staff(
            &admin,
            &NewStaff {
                id: "keeper".into(),
                name: "keeper".into(),
                roles: vec![Role::SealKeeper],
                departments: vec!["*".into()],
                password: None,
            },
        )
        .unwrap();
    r
}

/// Seals the decision of an approved branch (and makes and seals its certificate if it has one).
fn seal_approval(fx: &Fx, case_no: &str) {
    use yc_core::seal::DocKind;
    let keeper = fx.a("keeper");
    if fx.ws.case_detail(case_no, None).unwrap().has_certificate {
        fx.ws.act(&keeper, case_no, Action::IssueCertificate, &ActRequest::default()).unwrap();
        fx.ws.seal_document(&keeper, case_no, DocKind::Certificate, "seal-pin").unwrap();
    }
    fx.ws.seal_document(&keeper, case_no, DocKind::Approval, "seal-pin").unwrap();
}

#[test]
fn results_are_delivered_together_once_every_required_branch_is_decided_and_sealed() {
    let fx = Fx::new("2026-03-02");
    let r = sealed_gongcheng(&fx);
    let (guihua, xiaofang, shigong) = (fx.branch(&r, GUIHUA), fx.branch(&r, XIAOFANG), fx.branch(&r, SHIGONG));
    fx.approve(&fx.ws, &guihua);
    seal_approval(&fx, &guihua);
    // One branch decided and sealed: it may not go out alone, nor may the theme.
    let e = fx.act(&fx.ws, "clerk", &guihua, Action::Deliver).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("须一并送达") && msg.contains("建设工程消防设计审查") && msg.contains("施工许可"), "{msg}");
    let e = fx.ws.deliver_theme(&fx.a("clerk"), &r.theme_no, None).unwrap_err();
    assert!(matches!(e, CoreError::IllegalTransition { .. }) && e.to_string().contains("尚待"), "{e}");
    assert_eq!(state(&fx.ws, &guihua), State::Approved);

    fx.approve(&fx.ws, &xiaofang);
    fx.approve(&fx.ws, &shigong);
    assert_eq!(fx.board(&fx.ws, &r.theme_no).state, ThemeState::Decided);
    // Two decisions not sealed yet: both named, nothing delivered.
    let before: i64 = fx.db().query_row("SELECT count(*) FROM journal", [], |r| r.get(0)).unwrap();
    let e = fx.ws.deliver_theme(&fx.a("clerk"), &r.theme_no, Some("窗口领取")).unwrap_err().to_string();
    assert!(e.contains(&xiaofang) && e.contains(&shigong) && !e.contains(&guihua) && e.contains("请先用印"), "{e}");
    assert_eq!(fx.db().query_row("SELECT count(*) FROM journal", [], |r| r.get::<_, i64>(0)).unwrap(), before);
    // Only a clerk delivers; a reviewer is refused in Chinese.
    let e = fx.ws.deliver_theme(&fx.a("reviewer"), &r.theme_no, None).unwrap_err();
    assert!(matches!(e, CoreError::RoleDenied { .. }), "{e}");

    seal_approval(&fx, &xiaofang);
    seal_approval(&fx, &shigong);
    let done = fx.ws.deliver_theme(&fx.a("clerk"), &r.theme_no, Some("窗口领取")).unwrap();
    assert_eq!(done, [guihua.clone(), xiaofang.clone(), shigong.clone()]);
    let board = fx.board(&fx.ws, &r.theme_no);
    assert_eq!((board.state, board.outcome), (ThemeState::Completed, Some(ThemeOutcome::Approved)));
    // One act: every 送达 at the same instant, each naming the theme and how it went out.
    let at: Vec<(String, String)> = fx
        .db()
        .prepare(
            "SELECT j.at, json_extract(j.payload, '$.detail') FROM journal j JOIN theme_branches b USING (case_no)
             WHERE b.theme_no = ?1 AND j.action = 'deliver' ORDER BY j.seq",
        )
        .unwrap()
        .query_map([&r.theme_no], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(at.len(), 3);
    assert!(
        at.iter().all(|(t, d)| t == &at[0].0 && d == &format!("主题 {} 结果一并送达：窗口领取", r.theme_no)),
        "{at:?}"
    );
    // The combined result notice: every item's result with its sealed documents.
    let result = fx.ws.theme_result(&fx.a("clerk"), &r.theme_no).unwrap();
    assert_eq!(result.delivered.len(), 3);
    for b in &result.branches {
        assert_eq!(b.result_zh, "准予", "{}", b.item_name);
        assert!(b.documents.iter().any(|d| d.doc_type == "approval"), "{}: {:?}", b.item_name, b.documents);
    }
    let text = result.text();
    assert!(text.contains("办理结果告知书") && text.contains(&shigong) && text.contains("SHA-256"), "{text}");
    // Nothing left to deliver; a rebuild gives the same tables.
    let e = fx.ws.deliver_theme(&fx.a("clerk"), &r.theme_no, None).unwrap_err();
    assert!(e.to_string().contains("没有待送达"), "{e}");
    let fp = fx.ws.derived_fingerprint().unwrap();
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), fp);
}

#[test]
fn a_refused_branch_is_delivered_with_the_others_and_its_reason_is_on_the_result_notice() {
    let fx = Fx::new("2026-03-02");
    let r = sealed_gongcheng(&fx);
    let (guihua, xiaofang, shigong) = (fx.branch(&r, GUIHUA), fx.branch(&r, XIAOFANG), fx.branch(&r, SHIGONG));
    fx.approve(&fx.ws, &guihua);
    fx.act(&fx.ws, "clerk", &xiaofang, Action::Accept).unwrap();
    fx.act(&fx.ws, "reviewer", &xiaofang, Action::StartReview).unwrap();
    fx.act(&fx.ws, "decider", &xiaofang, Action::Deny).unwrap();
    // 施工许可 waits on 消防, now refused: the applicant withdraws it.
    fx.act(&fx.ws, "clerk", &shigong, Action::Withdraw).unwrap();
    let board = fx.board(&fx.ws, &r.theme_no);
    assert_eq!((board.state, board.outcome), (ThemeState::Decided, Some(ThemeOutcome::NotApproved)));
    seal_approval(&fx, &guihua);
    fx.ws.seal_document(&fx.a("keeper"), &xiaofang, yc_core::seal::DocKind::Refusal, "seal-pin").unwrap();
    let done = fx.ws.deliver_theme(&fx.a("clerk"), &r.theme_no, None).unwrap();
    assert_eq!(done, [guihua, xiaofang.clone()]);
    let result = fx.ws.theme_result(&fx.a("clerk"), &r.theme_no).unwrap();
    let denied = result.branches.iter().find(|b| b.case_no == xiaofang).unwrap();
    assert_eq!(denied.result_zh, "不予许可");
    assert_eq!(denied.legal_basis.as_deref(), Some("《中华人民共和国行政许可法》第三十八条"));
    assert!(denied.documents.iter().any(|d| d.doc_type == "refusal"));
    assert_eq!(result.state, ThemeState::Completed);
}

#[test]
fn a_theme_late_overall_is_red_on_the_board_and_raises_one_monitor_hit() {
    use yc_core::supervision::hit::Rule;
    let fx = Fx::new("2026-03-02");
    let late = fx.file(&fx.ws, KAIBAN, 1); // due 2026-03-03 (1 working day)
    let ws = fx.on("2026-03-05");
    let board = fx.board(&ws, &late.theme_no);
    assert_eq!((board.light, board.days_left), (Some(yc_core::deadline::Light::Red), Some(-2)));
    let admin = fx.a("admin");
    let theme_hits = |ws: &Workstation| -> Vec<yc_core::supervision::monitors::StoredHit> {
        ws.supervision_hits(&admin, Some(Rule::DecisionOverdue), Some(&late.theme_no), 100).unwrap()
    };
    let rep = ws.run_monitors(&admin).unwrap();
    assert!(rep.raised.iter().any(|h| h.case_no.as_deref() == Some(late.theme_no.as_str())), "{:?}", rep.raised);
    let hits = theme_hits(&ws);
    assert_eq!(hits.len(), 1);
    let h = &hits[0].hit;
    assert_eq!(h.hit_id, format!("decision_overdue:{}", late.theme_no));
    assert_eq!(h.department.as_deref(), Some("示范区市场监督管理局"));
    assert_eq!((h.evidence["undecided"].as_bool(), h.evidence["days_overdue"].as_i64()), (Some(true), Some(2)));
    assert_eq!(h.evidence["waiting"].as_array().map(Vec::len), Some(5));
    // Decided that day: the board keeps how late it was; a second run raises nothing new.
    for b in &late.branches {
        if b.item_code == SHEZHI {
            fx.approve(&ws, &b.case_no);
        }
    }
    for b in &late.branches {
        if b.item_code != SHEZHI {
            fx.approve(&ws, &b.case_no);
        }
    }
    let board = fx.board(&ws, &late.theme_no);
    assert_eq!((board.decided_on.as_deref(), board.late_days), (Some("2026-03-05"), Some(2)));
    assert_eq!(board.light, None);
    ws.run_monitors(&admin).unwrap();
    assert_eq!(theme_hits(&ws).len(), 1);

    // A theme decided within its day: no hit for it, and the board says on time.
    let on_time = fx.file(&ws, KAIBAN, 2);
    for b in on_time
        .branches
        .iter()
        .filter(|b| b.item_code == SHEZHI)
        .chain(on_time.branches.iter().filter(|b| b.item_code != SHEZHI))
    {
        fx.approve(&ws, &b.case_no);
    }
    let later = fx.on("2026-03-10");
    later.run_monitors(&admin).unwrap();
    assert!(later.supervision_hits(&admin, None, Some(&on_time.theme_no), 100).unwrap().is_empty());
    assert_eq!(fx.board(&later, &on_time.theme_no).late_days, Some(0));
    // A late theme decided on a later day (not run meanwhile) is still found, dated its decision.
    let slow = fx.file(&later, KAIBAN, 3); // filed 03-10, due 03-11
    let decided_day = fx.on("2026-03-13");
    for b in slow
        .branches
        .iter()
        .filter(|b| b.item_code == SHEZHI)
        .chain(slow.branches.iter().filter(|b| b.item_code != SHEZHI))
    {
        fx.approve(&decided_day, &b.case_no);
    }
    let rep = fx.on("2026-03-16").run_monitors(&admin).unwrap();
    let h = rep.raised.iter().find(|h| h.case_no.as_deref() == Some(slow.theme_no.as_str())).expect("late theme hit");
    assert_eq!((h.occurred_on, h.evidence["late_days"].as_u64()), (d("2026-03-13"), Some(2)));
    // The hits are journal events: a rebuild keeps them.
    let fp = later.derived_fingerprint().unwrap();
    later.rebuild().unwrap();
    assert_eq!(later.derived_fingerprint().unwrap(), fp);
}
