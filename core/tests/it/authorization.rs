//! The role and department-scope matrix (issue 12 item 6), table-driven, calling the core directly.
//!
//! [`commands`] states, for every command of `Workstation` that acts or changes configuration,
//! which roles may use it and whether the department scope applies; [`CASE_ACTIONS`] does the same
//! for every case action (`Action::ALL`), from a state where the action is legal. The test runs
//! each row for every role (one account per role, holding exactly that role) in three settings:
//!
//! - `*`   the account covering all departments, on a target of department D;
//! - `in`  the account scoped to department D, on a target of D;
//! - `out` the account scoped to D, on a target of another department O.
//!
//! Allowed: the call may still fail for a state reason, never with `RoleDenied` or
//! `DepartmentDenied`, and every event it journals names the actor in a role the actor holds.
//! Denied: exactly `RoleDenied` or `DepartmentDenied`, and nothing journaled. On failure the whole
//! matrix is printed. The table is checked complete: every `Action::ALL` member has a row whose
//! roles are exactly `case::rule`'s, and every `pub fn` of `core/src` that takes an `&Actor` is a
//! row here or a listed read.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::num::NonZeroU32;
use std::path::Path;

use yc_core::case::{self, Action, Role};
use yc_core::seal::DocKind;
use yc_core::staff::Actor;
use yc_core::supervision::{self, Channel, Level, NewComplaint, NewRating, WorkOrderStep};
use yc_core::sync::outbox::AdapterRegistration;
use yc_core::{ActRequest, Clock, CoreError, Identity, NewCase, NewStaff, Workstation, catalog};
use yc_seal::{KeyStoreOptions, SealKeyFile, SealType};

const AUTH_PIN: &str = "authority-pin";
const PIN: &str = "seal-pin-1";
const D: usize = 0;
const O: usize = 1;

use Role::{Admin, Clerk, Decider, Reviewer, SealKeeper};
const ALL_ROLES: &[Role] = &[Clerk, Reviewer, Decider, SealKeeper, Admin];

/// A time-stamping authority's root (one per test run).
fn tsa_root() -> Vec<u8> {
    static ROOT: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        let nb = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().to_utc();
        yc_seal::SealAuthority::generate("某市时间戳根", nb, nb + chrono::Duration::days(3650))
            .unwrap()
            .root_certificate()
            .to_vec()
    })
    .clone()
}

/// Seal keys with few PBKDF2 iterations: the matrix is about who, not about key strength.
fn low() -> KeyStoreOptions {
    KeyStoreOptions { iterations: NonZeroU32::new(1000).unwrap(), max_attempts: 5 }
}

// ---- the table ---------------------------------------------------------------------------------

/// Where a case must be for the action to be legal (see `case::rule`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// No case yet: `new_case` / `new_cases`.
    New,
    Appointed,
    Submitted,
    /// Submitted, an immediate (即办) item.
    SubmittedImmediate,
    Supplementing,
    Accepted,
    UnderReview,
    Suspended,
    Special,
    /// Decided on the spot, an item with a certificate.
    Approved,
    /// Approved, the decision sealed and the certificate made: ready for 送达.
    ApprovedSealed,
    Completed,
}

/// Every case action, who may take it, from where. Department scope always applies.
/// `RequestSupplement` has two rows: the clerk asks before acceptance, the reviewer during review.
const CASE_ACTIONS: &[(Action, Stage, &[Role])] = &[
    (Action::Appoint, Stage::New, &[Clerk]),
    (Action::File, Stage::New, &[Clerk]),
    (Action::File, Stage::Appointed, &[Clerk]),
    (Action::Accept, Stage::Submitted, &[Clerk]),
    (Action::DecideOnSpot, Stage::SubmittedImmediate, &[Clerk]),
    (Action::RequestSupplement, Stage::Submitted, &[Clerk]),
    (Action::RequestSupplement, Stage::UnderReview, &[Reviewer]),
    (Action::Supplement, Stage::Supplementing, &[Clerk]),
    (Action::RefuseAcceptance, Stage::Submitted, &[Clerk]),
    (Action::StartReview, Stage::Accepted, &[Reviewer]),
    (Action::Suspend, Stage::Accepted, &[Decider]),
    (Action::Resume, Stage::Suspended, &[Decider]),
    (Action::SpecialStart, Stage::UnderReview, &[Reviewer]),
    (Action::SpecialEnd, Stage::Special, &[Reviewer]),
    (Action::Extend, Stage::Accepted, &[Decider]),
    (Action::Approve, Stage::UnderReview, &[Decider]),
    (Action::Deny, Stage::UnderReview, &[Decider]),
    (Action::IssueCertificate, Stage::Approved, &[SealKeeper]),
    (Action::Deliver, Stage::ApprovedSealed, &[Clerk]),
    (Action::Publish, Stage::Completed, &[Decider, Admin]),
    (Action::Inspect, Stage::Completed, &[Admin]),
    (Action::Withdraw, Stage::Submitted, &[Clerk]),
    (Action::Terminate, Stage::UnderReview, &[Decider]),
    (Action::Change, Stage::Completed, &[Decider]),
    (Action::Renew, Stage::Completed, &[Decider]),
    (Action::Transfer, Stage::Completed, &[Decider]),
    (Action::Deregister, Stage::Completed, &[Decider]),
    (Action::Revoke, Stage::Completed, &[Decider]),
];

/// `pub fn`s that take an `&Actor` only to filter what it may see (or to list the buttons it may
/// press): reads, not commands.
const READS: &[&str] = &[
    "query::case_detail",
    "supervision/complaint::complaints",
    "supervision/evaluation::work_orders",
    "supervision/monitors::supervision_hits",
    // A dry run of the monitors (administrators; it records nothing).
    "supervision/monitors::supervision_findings",
    // Statistics (in progress in the tree): admins covering every department only.
    "report::report",
    // The 监察 tab: the same people as the statistics (core/tests/it/supervision.rs checks it).
    "supervision_board::supervision_dashboard",
    "supervision_board::supervision_drill",
    // A theme is visible to staff of its lead department or of any branch's department
    // (core/tests/it/theme.rs checks who sees it).
    "theme/board::theme_board",
    "theme/board::themes",
    "theme/notice::theme_supplement_notice",
    // A case's delivery, and the list, for staff of its department (core/tests/it/delivery.rs).
    "delivery/command::delivery",
    "delivery/command::delivery_list",
    // A case's notices and its (masked) consent, for staff of its department.
    "notice::notice_status",
    // A case's fees and its agent, for staff of its (fee: the account's) department
    // (core/tests/it/fee.rs, core/tests/it/agent.rs).
    "fee::fee",
    "agent::case_agent",
    "theme/delivery::theme_result",
    // Bookings of the actor's departments (core/tests/it/appointment.rs).
    "appointment/command::appointments",
];

/// `pub fn`s that take an `&Actor` to name whose own scratch data it is (a half-filled intake):
/// every account has its own and reaches no one else's (core/src/draft.rs tests that).
const OWN: &[&str] = &["draft::save_draft", "draft::load_draft", "draft::clear_draft"];

/// When a row's target is made again.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fresh {
    /// After every call that succeeded (it moved the target on).
    AfterOk,
    /// Never: a success leaves the target as it was.
    Never,
    /// Before every call (the target depends on the caller).
    PerCall,
}

type Prepare = Box<dyn Fn(&Env, &Actor, usize) -> Vec<String>>;
type Run = Box<dyn Fn(&Env, &Actor, &[String]) -> Result<(), CoreError>>;

struct Row {
    /// `file::function` in core/src (case actions: `workstation::act(code)`).
    name: String,
    roles: &'static [Role],
    /// Which callers' departments count (see [`Scope`]).
    scoped: Scope,
    fresh: Fresh,
    prepare: Prepare,
    run: Run,
}

/// How department scope applies to a row.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Scope {
    /// No department: any caller of the role.
    Global,
    /// A caller outside the target's department is refused.
    Department,
    /// The whole workstation (every department's data at once, as a backup holds): only a caller
    /// covering every department (`*`); a department-scoped one is refused even in its own.
    Workstation,
}

impl Scope {
    fn allows(self, setting: Setting) -> bool {
        match self {
            Scope::Global => true,
            Scope::Department => setting != Setting::Out,
            Scope::Workstation => setting == Setting::All,
        }
    }
    fn label(self) -> &'static str {
        match self {
            Scope::Global => "all  ",
            Scope::Department => "dept ",
            Scope::Workstation => "ws   ",
        }
    }
}

fn row(
    name: &str,
    roles: &'static [Role],
    scoped: Scope,
    fresh: Fresh,
    prepare: impl Fn(&Env, &Actor, usize) -> Vec<String> + 'static,
    run: impl Fn(&Env, &Actor, &[String]) -> Result<(), CoreError> + 'static,
) -> Row {
    Row { name: name.into(), roles, scoped, fresh, prepare: Box::new(prepare), run: Box::new(run) }
}

fn nothing(_: &Env, _: &Actor, x: usize) -> Vec<String> {
    vec![x.to_string()]
}

/// Every command that acts or changes configuration, in the order they run (the seal authority
/// and seals are made by their own rows, before the rows that need them).
fn commands() -> Vec<Row> {
    let global = Scope::Global;
    let scoped = Scope::Department;
    let mut rows = vec![
        row("auth::add_staff", &[Admin], global, Fresh::Never, nothing, |e, by, _| {
            let id = format!("new{}", e.next());
            let s = NewStaff {
                id: id.clone(),
                name: id,
                roles: vec![Clerk],
                departments: vec!["*".into()],
                password: None,
            };
            e.ws.add_staff(by, &s).map(drop)
        }),
        row("catalog_versions::import_catalog", &[Admin], global, Fresh::Never, nothing, |e, by, _| {
            e.ws.import_catalog(by, catalog::DEMO_CATALOG_JSON).map(drop)
        }),
        row("setup::import_calendar", &[Admin], global, Fresh::Never, nothing, |e, by, _| {
            e.ws.import_calendar(by, include_str!("../../data/calendar/2026.json")).map(drop)
        }),
        row("intake::put_attachment", &[Clerk], global, Fresh::Never, nothing, |e, by, _| {
            e.ws.put_attachment(by, "扫描件.pdf", format!("%PDF-1.7\n% scan {}\n", e.next()).as_bytes()).map(drop)
        }),
        row(
            "query::attachment",
            ALL_ROLES,
            scoped,
            Fresh::Never,
            |e, _, x| {
                let clerk = e.a("clerk_all");
                let mut att = e.ws.put_attachment(&clerk, "身份证.jpg", b"\xFF\xD8\xFF\xE0 photo").unwrap();
                let item = e.ws.catalog_item(&e.promised[x], None).unwrap().1;
                att.material = Some(item.materials[0].id.clone());
                let sha = att.sha256.clone();
                let req = NewCase { attachments: vec![att], ..e.new_case_req(x, false, false) };
                vec![e.ws.new_case(&clerk, &req).unwrap(), sha]
            },
            |e, by, t| e.ws.attachment(by, &t[0], &t[1]).map(drop),
        ),
        row("seal::create_seal_authority", &[Admin], global, Fresh::Never, nothing, |e, by, _| {
            e.ws.create_seal_authority(by, "测试印章制作中心", AUTH_PIN, low())
        }),
        // Pins the authority's own root again (as `yc seal trust import` does on another
        // workstation), confirmed by its fingerprint.
        row("trust::pin_trust_anchor", &[Admin], global, Fresh::Never, nothing, |e, by, _| {
            let der = e.ws.trust_anchors().unwrap().remove(0);
            e.ws.pin_trust_anchor(by, &der, &yc_seal::fingerprint(&der)).map(drop)
        }),
        // The city TSA's root into the bundle: an administrator, confirmed by its fingerprint and
        // the authority's PIN (a second call finds it already there).
        row("seal::trust_tsa_root", &[Admin], global, Fresh::Never, nothing, |e, by, _| {
            let der = tsa_root();
            e.ws.trust_tsa_root(by, &der, &yc_seal::fingerprint(&der), AUTH_PIN).map(drop)
        }),
        // A department's administrator issues, unlocks and revokes its own department's seals
        // (each also confirmed by the seal authority's PIN); only the `*` admin reaches every
        // department's.
        row("seal::issue_seal", &[Admin], scoped, Fresh::Never, nothing, |e, by, t| {
            let dept = &e.depts[t[0].parse::<usize>().unwrap()];
            e.ws.issue_seal(by, dept, SealType::AdministrativeLicensing, PIN, AUTH_PIN, low()).map(drop)
        }),
        row(
            "seal::unlock_seal",
            &[Admin],
            scoped,
            Fresh::AfterOk,
            |e, _, x| {
                let id = e.spare_seal(x);
                let key = SealKeyFile::open(&e.dir().join("seals").join(format!("{id}.key"))).unwrap();
                assert!(key.unlock("wrong-pin").is_err());
                vec![id]
            },
            |e, by, t| e.ws.unlock_seal(by, &t[0], "忘记 PIN，经印章制作机构确认", AUTH_PIN).map(drop),
        ),
        row(
            "seal::revoke_seal",
            &[Admin],
            scoped,
            Fresh::Never,
            |e, _, x| vec![e.spare_seal(x)],
            |e, by, t| e.ws.revoke_seal(by, &t[0], "印章遗失", AUTH_PIN),
        ),
        row(
            "seal::seal_document",
            &[SealKeeper],
            scoped,
            Fresh::Never,
            |e, _, x| vec![e.case_in(x, Stage::Approved)],
            |e, by, t| e.ws.seal_document(by, &t[0], DocKind::Approval, PIN).map(drop),
        ),
    ];
    for &(action, from, roles) in CASE_ACTIONS {
        let name = match from {
            Stage::New if action == Action::Appoint => "intake::new_cases(appoint)".to_owned(),
            Stage::New => format!("intake::new_case({})", action.code()),
            _ => format!("casework::act({}@{from:?})", action.code()),
        };
        let (prepare, run): (Prepare, Run) = if from == Stage::New {
            let appointment = action == Action::Appoint;
            (
                Box::new(|_, _, x| vec![x.to_string()]),
                Box::new(move |e, by, t| {
                    let req = e.new_case_req(t[0].parse().unwrap(), false, appointment);
                    if appointment { e.ws.new_cases(by, &[req]).map(drop) } else { e.ws.new_case(by, &req).map(drop) }
                }),
            )
        } else {
            (
                Box::new(move |e, _, x| vec![e.case_in(x, from)]),
                Box::new(move |e, by, t| e.ws.act(by, &t[0], action, &full_request()).map(drop)),
            )
        };
        rows.push(Row { name, roles, scoped, fresh: Fresh::AfterOk, prepare, run });
    }
    rows.extend([
        row("sync/outbox::register_adapter", &[Admin], global, Fresh::Never, nothing, |e, by, _| {
            e.ws.register_adapter(by, &registration("city", false))
        }),
        row(
            "sync/outbox::set_adapter_enabled",
            &[Admin],
            global,
            Fresh::Never,
            |e, _, _| {
                e.ws.register_adapter(&e.a("admin"), &registration("toggle", false)).unwrap();
                vec!["toggle".into()]
            },
            |e, by, t| e.ws.set_adapter_enabled(by, &t[0], false, Some("对端维护")),
        ),
        row(
            "sync/outbox::resolve_quarantine",
            &[Admin],
            global,
            Fresh::AfterOk,
            |e, _, _| {
                e.ws.register_adapter(&e.a("admin"), &registration("quarantine", true)).unwrap();
                let conn = e.ws.store().writer();
                let id: i64 = conn
                    .query_row(
                        "UPDATE outbox_delivery SET state = 'quarantined'
                         WHERE adapter = 'quarantine' AND outbox_id = (SELECT min(outbox_id) FROM outbox_delivery
                             WHERE adapter = 'quarantine' AND state = 'pending') RETURNING outbox_id",
                        [],
                        |r| r.get(0),
                    )
                    .unwrap();
                vec![id.to_string()]
            },
            |e, by, t| e.ws.resolve_quarantine(by, "quarantine", t[0].parse().unwrap(), true, None),
        ),
        row(
            "sync/outbox::remove_adapter",
            &[Admin],
            global,
            Fresh::AfterOk,
            |e, _, _| {
                let name = format!("gone{}", e.next());
                e.ws.register_adapter(&e.a("admin"), &registration(&name, false)).unwrap();
                vec![name]
            },
            |e, by, t| e.ws.remove_adapter(by, &t[0], "对端系统停用", true),
        ),
        row(
            "auth::unlock_staff",
            &[Admin],
            global,
            Fresh::AfterOk,
            |e, _, _| {
                let id = format!("locked{}", e.next());
                let s = NewStaff {
                    id: id.clone(),
                    name: id.clone(),
                    roles: vec![Clerk],
                    departments: vec!["*".into()],
                    password: Some("right-password".into()),
                };
                e.ws.add_staff(&e.a("admin"), &s).unwrap();
                assert!(matches!(e.ws.login(&id, "wrong"), Err(CoreError::WrongPassword { .. })));
                vec![id]
            },
            |e, by, t| e.ws.unlock_staff(by, &t[0], "本人到场核实"),
        ),
        row(
            "auth::reset_password",
            &[Admin],
            global,
            Fresh::Never,
            |_, _, _| vec!["forgetful".into()],
            |e, by, t| e.ws.reset_password(by, &t[0], "new-password-1", "本人忘记密码"),
        ),
        // A backup holds every department's data: only an administrator of all of them.
        row("backup::backup_now", &[Admin], Scope::Workstation, Fresh::Never, nothing, |e, by, _| {
            e.ws.backup_now(by, e.backups.path()).map(drop)
        }),
        // On this plain store an allowed call is refused for state (no recovery key to renew).
        row("setup::renew_recovery_key", &[Admin], Scope::Workstation, Fresh::Never, nothing, |e, by, _| {
            e.ws.renew_recovery_key(by).map(drop)
        }),
        row("auth::confirm_clock", &[Admin], global, Fresh::Never, nothing, |e, by, _| {
            e.ws.confirm_clock(by, "核对无误：长期停用后重新启用")
        }),
        // 并联审批: a theme spans several departments, so filing it, or handing in the materials
        // that resume all its branches, needs a caller covering every branch's department — with
        // the demo's 企业开办 (five departments) only the `*` accounts.
        row("theme/intake::new_theme", &[Clerk], Scope::Workstation, Fresh::Never, nothing, |e, by, _| {
            e.ws.new_theme(by, &e.theme_req()).map(drop)
        }),
        row(
            "theme/notice::supplement_theme",
            &[Clerk],
            Scope::Workstation,
            Fresh::AfterOk,
            |e, _, _| {
                let clerk = e.a("clerk_all");
                let r = e.ws.new_theme(&clerk, &e.theme_req()).unwrap();
                for b in &r.branches {
                    let req = ActRequest {
                        reason: Some("身份证复印件不清晰".into()),
                        materials: vec!["sfz".into()],
                        ..ActRequest::default()
                    };
                    e.ws.act(&clerk, &b.case_no, Action::RequestSupplement, &req).unwrap();
                }
                vec![r.theme_no]
            },
            |e, by, t| e.ws.supplement_theme(by, &t[0], &["法定代表人居民身份证".into()]).map(drop),
        ),
        // Results delivered together: every branch decided, none sealed yet, so an allowed call
        // is refused for state (请先用印) and a success cannot move the target on.
        row(
            "theme/delivery::deliver_theme",
            &[Clerk],
            Scope::Workstation,
            Fresh::Never,
            |e, _, _| {
                let r = e.ws.new_theme(&e.a("clerk_all"), &e.theme_req()).unwrap();
                for b in &r.branches {
                    e.step("clerk_all", &b.case_no, Action::Accept);
                    e.step("reviewer_all", &b.case_no, Action::StartReview);
                    e.step("decider_all", &b.case_no, Action::Approve);
                }
                vec![r.theme_no]
            },
            |e, by, t| e.ws.deliver_theme(by, &t[0], None).map(drop),
        ),
        row("supervision/settings::set_supervision_config", &[Admin], global, Fresh::Never, nothing, |e, by, _| {
            e.ws.set_supervision_config(by, &supervision::Config::default())
        }),
        row("supervision/monitors::run_monitors", &[Admin], global, Fresh::Never, nothing, |e, by, _| {
            e.ws.run_monitors(by).map(drop)
        }),
        row(
            "supervision/evaluation::record_rating",
            &[Clerk, Admin],
            scoped,
            Fresh::AfterOk,
            |e, _, x| vec![e.case_in(x, Stage::Completed)],
            |e, by, t| e.ws.record_rating(by, &rating(&t[0])).map(drop),
        ),
        row(
            "supervision/evaluation::step_work_order",
            &[Reviewer, Decider, Admin],
            scoped,
            Fresh::AfterOk,
            |e, _, x| {
                let no = e.case_in(x, Stage::Completed);
                let rec = e.ws.record_rating(&e.a("clerk_all"), &rating(&no)).unwrap();
                vec![rec.work_order.expect("a bad rating opens a work order")]
            },
            |e, by, t| e.ws.step_work_order(by, &t[0], WorkOrderStep::Verify, "已核实情况").map(drop),
        ),
        row(
            "notice::record_notice_consent",
            &[Clerk],
            scoped,
            Fresh::Never,
            |e, _, x| vec![e.case_in(x, Stage::Submitted)],
            |e, by, t| e.ws.record_notice_consent(by, &t[0], Some("13812345678")).map(drop),
        ),
        // 送达: the clerk's, in the case's department.
        row(
            "delivery/command::plan_delivery",
            &[Clerk],
            scoped,
            Fresh::Never,
            |e, _, x| vec![e.case_in(x, Stage::Submitted)],
            |e, by, t| e.ws.plan_delivery(by, &t[0], &window_pickup()).map(drop),
        ),
        row(
            "delivery/command::dispatch_delivery",
            &[Clerk],
            scoped,
            Fresh::AfterOk,
            |e, _, x| vec![e.case_delivering(x, false)],
            |e, by, t| {
                let d = yc_core::delivery::Dispatch {
                    carrier: Some("邮政".into()),
                    waybill: Some("1100999888777".into()),
                };
                e.ws.dispatch_delivery(by, &t[0], &d).map(drop)
            },
        ),
        row(
            "delivery/command::record_delivery_receipt",
            &[Clerk],
            scoped,
            Fresh::AfterOk,
            |e, _, x| vec![e.case_delivering(x, true)],
            |e, by, t| e.ws.record_delivery_receipt(by, &t[0], "申请人本人", None).map(drop),
        ),
        row(
            "delivery/command::record_delivery_return",
            &[Clerk],
            scoped,
            Fresh::AfterOk,
            |e, _, x| vec![e.case_delivering(x, true)],
            |e, by, t| e.ws.record_delivery_return(by, &t[0], "查无此人", None).map(drop),
        ),
        // 预约: slots are the department administrator's; bookings the clerk's, in the item's
        // department (core/tests/it/appointment.rs).
        row("appointment/command::set_appointment_schedule", &[Admin], scoped, Fresh::Never, nothing, |e, by, t| {
            e.ws.set_appointment_schedule(by, &e.schedule(t[0].parse().unwrap())).map(drop)
        }),
        row(
            "appointment/command::book_appointment",
            &[Clerk],
            scoped,
            Fresh::Never,
            |e, _, x| {
                e.ws.set_appointment_schedule(&e.a("admin"), &e.schedule(x)).unwrap();
                vec![x.to_string()]
            },
            |e, by, t| e.ws.book_appointment(by, &e.booking(t[0].parse().unwrap())).map(drop),
        ),
        row(
            "appointment/command::cancel_appointment",
            &[Clerk],
            scoped,
            Fresh::AfterOk,
            |e, _, x| vec![e.booked(x)],
            |e, by, t| e.ws.cancel_appointment(by, &t[0], "申请人来电取消").map(drop),
        ),
        // Allowed, then refused for the slot not having begun: no booking of a past slot exists.
        row(
            "appointment/command::record_no_show",
            &[Clerk],
            scoped,
            Fresh::AfterOk,
            |e, _, x| vec![e.booked(x)],
            |e, by, t| e.ws.record_no_show(by, &t[0]).map(drop),
        ),
        row(
            "appointment/command::check_in_appointment",
            &[Clerk],
            scoped,
            Fresh::AfterOk,
            |e, _, x| vec![e.booked(x)],
            |e, by, t| e.ws.check_in_appointment(by, &t[0], yc_core::queue::Service::General).map(drop),
        ),
        // 排队叫号: the hall's tickets are no department's; any clerk (core/tests/it/queue.rs).
        row("queue/command::take_ticket", &[Clerk], global, Fresh::Never, nothing, |e, by, _| {
            e.ws.take_ticket(by, yc_core::queue::Service::General).map(drop)
        }),
        row("queue/command::call_next", &[Clerk], global, Fresh::Never, nothing, |e, by, _| {
            e.ws.call_next(by, "矩阵窗口", &[]).map(drop)
        }),
        row(
            "queue/command::recall_ticket",
            &[Clerk],
            global,
            Fresh::Never,
            |e, _, _| vec![e.called_window()],
            |e, by, t| e.ws.recall_ticket(by, &t[0], None).map(drop),
        ),
        row(
            "queue/command::skip_ticket",
            &[Clerk],
            global,
            Fresh::AfterOk,
            |e, _, _| vec![e.called_window()],
            |e, by, t| e.ws.skip_ticket(by, &t[0]).map(drop),
        ),
        row(
            "queue/command::transfer_ticket",
            &[Clerk],
            global,
            Fresh::AfterOk,
            |e, _, _| vec![e.called_window()],
            |e, by, t| e.ws.transfer_ticket(by, &t[0], yc_core::queue::Service::Pickup, None).map(drop),
        ),
        // 一次性收费: the clerk collects; a waiver or a refund is the decision maker's. The demo
        // items here are free, so an allowed call is refused for state (不收费), never for who.
        row(
            "fee::pay_fee",
            &[Clerk],
            scoped,
            Fresh::AfterOk,
            |e, _, x| vec![e.case_in(x, Stage::Submitted)],
            |e, by, t| {
                let p = yc_core::fee::Payment { receipt_no: format!("FS{:06}", e.next()), amount_fen: Some(8000) };
                e.ws.pay_fee(by, &t[0], &p).map(drop)
            },
        ),
        row(
            "fee::exempt_fee",
            &[Decider],
            scoped,
            Fresh::AfterOk,
            |e, _, x| vec![e.case_in(x, Stage::Submitted)],
            |e, by, t| e.ws.exempt_fee(by, &t[0], "低保对象", Some(8000)).map(drop),
        ),
        row(
            "fee::refund_fee",
            &[Decider],
            scoped,
            Fresh::AfterOk,
            |e, _, x| vec![e.case_in(x, Stage::Submitted)],
            |e, by, t| e.ws.refund_fee(by, &t[0], &format!("TF{:06}", e.next()), "重复缴费").map(drop),
        ),
        // The workstation's post level (县/乡/村): its administrators.
        row("agent::set_service_post", &[Admin], Scope::Workstation, Fresh::Never, nothing, |e, by, _| {
            let p = yc_core::agent::Post {
                level: yc_core::agent::PostLevel::Township,
                township: Some("石门镇".into()),
                village: None,
            };
            e.ws.set_service_post(by, &p).map(drop)
        }),
        row("supervision/complaint::register_complaint", &[Clerk, Admin], scoped, Fresh::Never, nothing, |e, by, t| {
            e.ws.register_complaint(by, &e.complaint(t[0].parse().unwrap())).map(drop)
        }),
        row(
            "supervision/complaint::assign_complaint",
            &[Admin],
            scoped,
            Fresh::Never,
            |e, _, x| vec![e.registered_complaint(x)],
            |e, by, t| e.ws.assign_complaint(by, &t[0], "clerk_all").map(drop),
        ),
        row(
            "supervision/complaint::link_complaint",
            &[Clerk, Admin],
            scoped,
            Fresh::AfterOk,
            |e, _, x| vec![e.registered_complaint(x), e.case_in(x, Stage::Submitted)],
            |e, by, t| e.ws.link_complaint(by, &t[0], &t[1]).map(drop),
        ),
        // Its assignee (of whatever role) or an administrator answers: each caller is made the
        // assignee when the complaint is in its departments.
        row(
            "supervision/complaint::answer_complaint",
            ALL_ROLES,
            scoped,
            Fresh::PerCall,
            |e, by, x| {
                let id = e.registered_complaint(x);
                let to = if by.covers(&e.depts[x]) { by.id.as_str() } else { "clerk_all" };
                e.ws.assign_complaint(&e.a("admin"), &id, to).unwrap();
                vec![id]
            },
            |e, by, t| e.ws.answer_complaint(by, &t[0], "已向投诉人说明并致歉").map(drop),
        ),
        // Enrollment and update bundles change the whole workstation: an administrator of every
        // department. Last, because an allowed request puts the workstation in training mode
        // (its cases no longer enter the outbox). Allowed imports of junk fail for their content.
        row("provisioning::import_enrollment", &[Admin], Scope::Workstation, Fresh::Never, nothing, |e, by, _| {
            e.ws.import_enrollment(by, b"{}", "00").map(drop)
        }),
        row("provisioning::apply_update", &[Admin], Scope::Workstation, Fresh::Never, nothing, |e, by, _| {
            e.ws.apply_update(by, b"{}", None).map(drop)
        }),
        row("enrollment::request_enrollment", &[Admin], Scope::Workstation, Fresh::Never, nothing, |e, by, _| {
            e.ws.request_enrollment(by, &["*".into()], None).map(drop)
        }),
    ]);
    rows
}

fn full_request() -> ActRequest {
    ActRequest {
        reason: Some("依申请人请求".into()),
        legal_basis: Some("《中华人民共和国行政许可法》第三十八条".into()),
        days: Some(1),
        ..Default::default()
    }
}

fn registration(name: &str, backfill: bool) -> AdapterRegistration {
    let json = format!(r#"{{"name":"{name}","kind":"city-extranet","settings":{{}}}}"#);
    AdapterRegistration {
        config: yc_adapter_sdk::AdapterConfig::from_json_str(&json).unwrap(),
        streams: vec!["*".into()],
        departments: vec!["*".into()],
        backfill,
        program_confirmed: false,
    }
}

fn rating(case_no: &str) -> NewRating {
    NewRating {
        case_no: case_no.into(),
        channel: Channel::WindowDevice,
        level: Level::VeryDissatisfied,
        indicators: BTreeMap::new(),
        comment: None,
        real_name: false,
        rater_name: None,
        rater_phone: None,
    }
}

// ---- the workstation ---------------------------------------------------------------------------

struct Env {
    dir: tempfile::TempDir,
    /// Where backups go (never inside the data directory).
    backups: tempfile::TempDir,
    ws: Workstation,
    /// [D, O].
    depts: [String; 2],
    promised: [String; 2],
    immediate: [String; 2],
    seq: Cell<u16>,
    spare: RefCell<[Option<String>; 2]>,
}

impl Env {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let id = Identity { region: "440305".into(), code: "W01".into(), name: "权限矩阵".into() };
        let ws = Workstation::init(dir.path(), id, "admin-pw", Clock::at_date("2026-03-02".parse().unwrap())).unwrap();
        let admin = ws.actor("admin").unwrap();
        ws.import_catalog(&admin, catalog::DEMO_CATALOG_JSON).unwrap();
        let items = ws.catalog_items(None).unwrap();
        let cert = |i: &catalog::Item| i.result.as_ref().is_some_and(|r| r.kind == catalog::ResultKind::Certificate);
        // Departments with both an immediate item yielding a certificate and a promised item.
        let mut depts = items
            .iter()
            .filter(|i| i.kind == catalog::ItemKind::Immediate && cert(i))
            .map(|i| i.department.clone())
            .filter(|d| items.iter().any(|i| &i.department == d && i.promised_limit_days > 0 && !i.secret))
            .collect::<BTreeSet<_>>()
            .into_iter();
        let depts = [depts.next().expect("department D"), depts.next().expect("department O")];
        let pick = |dept: &str, immediate: bool| {
            items
                .iter()
                .find(|i| {
                    i.department == dept
                        && !i.secret
                        && if immediate {
                            i.kind == catalog::ItemKind::Immediate && cert(i)
                        } else {
                            i.promised_limit_days > 0
                        }
                })
                .unwrap()
                .code
                .clone()
        };
        let promised = [pick(&depts[D], false), pick(&depts[O], false)];
        let immediate = [pick(&depts[D], true), pick(&depts[O], true)];
        for r in ALL_ROLES {
            for (suffix, dept) in [("all", "*"), ("dept", depts[D].as_str())] {
                let id = format!("{}_{suffix}", r.code());
                let s = NewStaff {
                    id: id.clone(),
                    name: id,
                    roles: vec![*r],
                    departments: vec![dept.into()],
                    password: None,
                };
                ws.add_staff(&admin, &s).unwrap();
            }
        }
        let s = NewStaff {
            id: "forgetful".into(),
            name: "忘记密码的人".into(),
            roles: vec![Clerk],
            departments: vec!["*".into()],
            password: None,
        };
        ws.add_staff(&admin, &s).unwrap();
        let backups = tempfile::tempdir().unwrap();
        Env { dir, backups, ws, depts, promised, immediate, seq: Cell::new(0), spare: RefCell::new([None, None]) }
    }

    fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn next(&self) -> u16 {
        self.seq.set(self.seq.get() + 1);
        self.seq.get()
    }

    fn a(&self, id: &str) -> Actor {
        self.ws.actor(id).unwrap()
    }

    fn new_case_req(&self, x: usize, immediate: bool, appointment: bool) -> NewCase {
        let n = self.next();
        NewCase {
            item_code: if immediate { &self.immediate[x] } else { &self.promised[x] }.clone(),
            applicant_id: yc_core::ids::make_resident_id("440305", "1980-05-17".parse().unwrap(), n),
            applicant_name: format!("申请人{n}"),
            appointment,
            ..Default::default()
        }
    }

    /// A sealed, certified case to be sent by post; `dispatched`: already handed to the post.
    fn case_delivering(&self, x: usize, dispatched: bool) -> String {
        let no = self.case_in(x, Stage::ApprovedSealed);
        let clerk = self.a("clerk_all");
        let post = yc_core::delivery::Plan {
            method: yc_core::delivery::Method::Post,
            address: Some("某市某区某路 1 号".into()),
            recipient: None,
        };
        self.ws.plan_delivery(&clerk, &no, &post).unwrap();
        if dispatched {
            let d = yc_core::delivery::Dispatch { carrier: None, waybill: Some(format!("1100{:09}", self.next())) };
            self.ws.dispatch_delivery(&clerk, &no, &d).unwrap();
        }
        no
    }

    /// Slots at 14:00 (the matrix's clock is noon) for department `x`'s promised item.
    fn schedule(&self, x: usize) -> yc_core::appointment::Schedule {
        yc_core::appointment::Schedule {
            target: yc_core::appointment::Target {
                kind: yc_core::appointment::TargetKind::Item,
                name: self.promised[x].clone(),
            },
            department: String::new(),
            times: vec![yc_core::appointment::SlotTime::parse("14:00-15:00").unwrap()],
            capacity: 999,
        }
    }

    fn booking(&self, x: usize) -> yc_core::appointment::NewBooking {
        let n = self.next();
        yc_core::appointment::NewBooking {
            item_code: self.promised[x].clone(),
            window: None,
            date: self.ws.today(),
            start: "14:00".into(),
            applicant_id: yc_core::ids::make_resident_id("440305", "1980-05-17".parse().unwrap(), n),
            applicant_name: format!("预约人{n}"),
            external_ref: None,
        }
    }

    /// A booking of department `x` for today, made by the `*` clerk.
    fn booked(&self, x: usize) -> String {
        self.ws.set_appointment_schedule(&self.a("admin"), &self.schedule(x)).unwrap();
        self.ws.book_appointment(&self.a("clerk_all"), &self.booking(x)).unwrap().booking_id
    }

    /// A window of its own that has just called a ticket.
    fn called_window(&self) -> String {
        let clerk = self.a("clerk_all");
        let window = format!("窗口{}", self.next());
        self.ws.take_ticket(&clerk, yc_core::queue::Service::General).unwrap();
        self.ws.call_next(&clerk, &window, &[]).unwrap().expect("a ticket waits");
        window
    }

    /// A filing of the demo's 企业开办 theme by a new applicant.
    fn theme_req(&self) -> yc_core::theme::intake::NewTheme {
        let n = self.next();
        yc_core::theme::intake::NewTheme {
            theme_code: "ZT-QYKB-001".into(),
            applicant_id: yc_core::ids::make_resident_id("440305", "1980-05-17".parse().unwrap(), n),
            applicant_name: format!("申请人{n}"),
            ..Default::default()
        }
    }

    fn step(&self, who: &str, no: &str, action: Action) {
        self.ws
            .act(&self.a(who), no, action, &full_request())
            .unwrap_or_else(|e| panic!("setting up {no}: {action:?} by {who}: {e}"));
    }

    /// A fresh case of department `x` (D or O) in `from`, walked there by the `*` accounts.
    fn case_in(&self, x: usize, from: Stage) -> String {
        let immediate =
            matches!(from, Stage::SubmittedImmediate | Stage::Approved | Stage::ApprovedSealed | Stage::Completed);
        let req = self.new_case_req(x, immediate, from == Stage::Appointed);
        let no = self.ws.new_case(&self.a("clerk_all"), &req).unwrap();
        let path: &[(&str, Action)] = match from {
            Stage::New | Stage::Appointed | Stage::Submitted | Stage::SubmittedImmediate => &[],
            Stage::Supplementing => &[("clerk_all", Action::RequestSupplement)],
            Stage::Accepted => &[("clerk_all", Action::Accept)],
            Stage::UnderReview => &[("clerk_all", Action::Accept), ("reviewer_all", Action::StartReview)],
            Stage::Suspended => &[("clerk_all", Action::Accept), ("decider_all", Action::Suspend)],
            Stage::Special => &[
                ("clerk_all", Action::Accept),
                ("reviewer_all", Action::StartReview),
                ("reviewer_all", Action::SpecialStart),
            ],
            Stage::Approved | Stage::ApprovedSealed | Stage::Completed => &[("clerk_all", Action::DecideOnSpot)],
        };
        for &(who, action) in path {
            self.step(who, &no, action);
        }
        if matches!(from, Stage::ApprovedSealed | Stage::Completed) {
            self.ws.seal_document(&self.a("seal_keeper_all"), &no, DocKind::Approval, PIN).unwrap();
            self.step("seal_keeper_all", &no, Action::IssueCertificate);
        }
        if from == Stage::Completed {
            self.step("clerk_all", &no, Action::Deliver);
        }
        no
    }

    /// A seal of department `x` that nothing seals with (a 公章; sealing takes the 行政许可专用章).
    fn spare_seal(&self, x: usize) -> String {
        let mut spare = self.spare.borrow_mut();
        spare[x]
            .get_or_insert_with(|| {
                self.ws.issue_seal(&self.a("admin"), &self.depts[x], SealType::Official, PIN, AUTH_PIN, low()).unwrap()
            })
            .clone()
    }

    fn complaint(&self, x: usize) -> NewComplaint {
        NewComplaint {
            complainant: "投诉人".into(),
            department: Some(self.depts[x].clone()),
            subject: "窗口服务态度差".into(),
            ..Default::default()
        }
    }

    fn registered_complaint(&self, x: usize) -> String {
        self.ws.register_complaint(&self.a("clerk_all"), &self.complaint(x)).unwrap().complaint_id
    }

    fn journal_len(&self) -> i64 {
        self.ws.status().unwrap().journal_events
    }

    /// (actor, role) of the events after `seq`.
    fn events_after(&self, seq: i64) -> Vec<(String, String, String)> {
        let conn = self.ws.store().reader().unwrap();
        let mut st = conn.prepare("SELECT actor, role, action FROM journal WHERE seq > ?1 ORDER BY seq").unwrap();
        st.query_map([seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
    }
}

// ---- the run -----------------------------------------------------------------------------------

/// The three settings of a call: who calls (the `*` or the D-scoped account) on which target.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Setting {
    All,
    In,
    Out,
}

impl Setting {
    const ALL: [Setting; 3] = [Setting::All, Setting::In, Setting::Out];
    fn account(self, role: Role) -> String {
        format!("{}_{}", role.code(), if self == Setting::All { "all" } else { "dept" })
    }
    fn target(self) -> usize {
        if self == Setting::Out { O } else { D }
    }
}

/// What a call did, as the matrix shows it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Got {
    /// Succeeded.
    Ok,
    /// Allowed, refused for another reason (state, input).
    Other,
    RoleDenied,
    DepartmentDenied,
}

struct Cellule {
    expected_allowed: bool,
    got: Got,
    problem: Option<String>,
}

fn symbol(c: &Cellule) -> char {
    match (c.problem.is_some(), c.got) {
        (true, _) => '!',
        (false, Got::Ok) => '✓',
        (false, Got::Other) => '~',
        (false, Got::RoleDenied) => '✗',
        (false, Got::DepartmentDenied) => 's',
    }
}

fn check(env: &Env, r: &Row, role: Role, setting: Setting, target: &[String]) -> Cellule {
    let by = env.a(&setting.account(role));
    let expected_allowed = r.roles.contains(&role) && r.scoped.allows(setting);
    let before = env.journal_len();
    let result = (r.run)(env, &by, target);
    let after = env.journal_len();
    let got = match &result {
        Ok(()) => Got::Ok,
        Err(CoreError::RoleDenied { .. }) => Got::RoleDenied,
        Err(CoreError::DepartmentDenied { .. }) => Got::DepartmentDenied,
        Err(_) => Got::Other,
    };
    let mut problem = None;
    let denied = matches!(got, Got::RoleDenied | Got::DepartmentDenied);
    if expected_allowed && denied {
        problem = Some(format!("allowed but refused: {:?}", result.as_ref().unwrap_err()));
    } else if !expected_allowed && !denied {
        problem = Some(format!("should be refused, got {:?}", result.as_ref().err()));
    } else if !expected_allowed {
        // A caller of the right role outside the department is refused for the department.
        if r.roles.contains(&role) && got != Got::DepartmentDenied {
            problem = Some(format!("out of scope should be DepartmentDenied, got {:?}", result.as_ref().err()));
        }
        if after != before {
            problem = Some(format!("refused, yet journaled {} event(s)", after - before));
        }
    } else if after > before {
        // Every event the caller wrote names them in a role they hold.
        let holds: Vec<&str> = by.roles.iter().map(|r| r.code()).collect();
        for (actor, ev_role, action) in env.events_after(before) {
            if actor == by.id && !holds.contains(&ev_role.as_str()) {
                problem = Some(format!("journaled {action} as role {ev_role:?}, holds {holds:?}"));
            }
        }
    }
    Cellule { expected_allowed, got, problem }
}

/// Runs one row: every role in every setting, refusals first (on targets in the legal state),
/// then the allowed calls.
fn run_row(env: &Env, r: &Row) -> Vec<Vec<Cellule>> {
    let mut out: Vec<Vec<Option<Cellule>>> =
        ALL_ROLES.iter().map(|_| Setting::ALL.iter().map(|_| None).collect()).collect();
    let mut targets: [Option<Vec<String>>; 2] = [None, None];
    let mut order: Vec<(usize, usize)> = (0..ALL_ROLES.len()).flat_map(|i| (0..3).map(move |j| (i, j))).collect();
    let allowed = |(i, j): (usize, usize)| r.roles.contains(&ALL_ROLES[i]) && r.scoped.allows(Setting::ALL[j]);
    order.sort_by_key(|&k| allowed(k));
    for (i, j) in order {
        let (role, setting) = (ALL_ROLES[i], Setting::ALL[j]);
        let x = setting.target();
        let by = env.a(&setting.account(role));
        let target = match (&targets[x], r.fresh) {
            (Some(t), Fresh::AfterOk | Fresh::Never) => t.clone(),
            _ => (r.prepare)(env, &by, x),
        };
        let c = check(env, r, role, setting, &target);
        targets[x] = if c.got == Got::Ok && r.fresh == Fresh::AfterOk { None } else { Some(target) };
        out[i][j] = Some(c);
    }
    out.into_iter().map(|cs| cs.into_iter().map(Option::unwrap).collect()).collect()
}

fn render(results: &[(String, Scope, Vec<Vec<Cellule>>)]) -> String {
    let width = results.iter().map(|(n, _, _)| n.chars().count()).max().unwrap_or(0);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "legend: per role the settings * / in / out;  ✓ ok  ~ allowed, refused for state or input  ✗ RoleDenied  s DepartmentDenied  ! wrong"
    );
    let _ = write!(s, "{:width$}  scope ", "command");
    for r in ALL_ROLES {
        let _ = write!(s, " {:<11}", r.code());
    }
    s.push('\n');
    for (name, scoped, cells) in results {
        let _ = write!(s, "{name:width$}  {} ", scoped.label());
        for per_role in cells {
            let sym: String = per_role.iter().map(symbol).collect();
            let _ = write!(s, " {sym:<11}");
        }
        s.push('\n');
    }
    s
}

#[test]
fn every_role_in_and_out_of_scope_against_every_command_and_case_action() {
    let started = std::time::Instant::now();
    let env = Env::new();
    let rows = commands();
    let mut results = Vec::new();
    let mut problems = Vec::new();
    let (mut calls, mut allowed_ok, mut allowed_other, mut denied) = (0, 0, 0, 0);
    for r in &rows {
        let cells = run_row(&env, r);
        for (i, per_role) in cells.iter().enumerate() {
            for (j, c) in per_role.iter().enumerate() {
                calls += 1;
                match (c.expected_allowed, c.got) {
                    (true, Got::Ok) => allowed_ok += 1,
                    (true, _) => allowed_other += 1,
                    (false, _) => denied += 1,
                }
                if let Some(p) = &c.problem {
                    problems.push(format!("{} × {} × {:?}: {p}", r.name, ALL_ROLES[i].code(), Setting::ALL[j]));
                }
            }
        }
        // Case actions: "allowed" really ran, at least once.
        let case_action = r.name.starts_with("casework::act") || r.name.starts_with("intake::new_case");
        if case_action && !cells.iter().flatten().any(|c| c.got == Got::Ok) {
            problems.push(format!("{}: no allowed call succeeded (the target was not in a legal state)", r.name));
        }
        results.push((r.name.clone(), r.scoped, cells));
    }
    let matrix = render(&results);
    assert!(problems.is_empty(), "{} problem(s):\n{}\n\n{matrix}", problems.len(), problems.join("\n"));
    println!("{matrix}");
    println!(
        "{} rows, {calls} calls: {allowed_ok} allowed and done, {allowed_other} allowed but refused for state or input, {denied} refused; {:.1} s",
        rows.len(),
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn every_case_action_has_a_row_with_exactly_the_roles_of_the_rule_table() {
    let mut missing = Vec::new();
    for &action in Action::ALL {
        let rows: Vec<_> = CASE_ACTIONS.iter().filter(|(a, _, _)| *a == action).collect();
        if rows.is_empty() {
            missing.push(format!("{action:?} has no row in CASE_ACTIONS"));
            continue;
        }
        let table: BTreeSet<&str> = rows.iter().flat_map(|(_, _, roles)| roles.iter().map(|r| r.code())).collect();
        let rule: BTreeSet<&str> = case::rule(action).roles.iter().map(|r| r.code()).collect();
        if table != rule {
            missing.push(format!("{action:?}: the matrix says {table:?}, case::rule says {rule:?}"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// `file::name` of every `pub fn` in core/src whose signature takes an `&Actor`.
fn actor_taking_functions() -> BTreeSet<String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let module = path.strip_prefix(root).unwrap().with_extension("").to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&path).unwrap();
            for (at, _) in text.match_indices("pub fn ") {
                let rest = &text[at + "pub fn ".len()..];
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                let signature = &rest[..rest.find(['{', ';']).unwrap_or(rest.len())];
                if signature.contains("&Actor") {
                    out.insert(format!("{module}::{name}"));
                }
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeSet::new();
    walk(&root, &root, &mut out);
    out
}

#[test]
fn every_command_taking_an_actor_has_a_row() {
    let rows: BTreeSet<String> = commands().iter().map(|r| r.name.split('(').next().unwrap().to_owned()).collect();
    let found = actor_taking_functions();
    let missing: Vec<_> = found
        .iter()
        .filter(|f| !rows.contains(*f) && !READS.contains(&f.as_str()) && !OWN.contains(&f.as_str()))
        .collect();
    assert!(missing.is_empty(), "commands taking an Actor without a row in the matrix: {missing:?}");
    let stale: Vec<_> = rows.iter().filter(|r| !found.contains(*r)).collect();
    assert!(stale.is_empty(), "rows naming no such function: {stale:?}");
}

fn window_pickup() -> yc_core::delivery::Plan {
    yc_core::delivery::Plan { method: yc_core::delivery::Method::Window, address: None, recipient: None }
}
