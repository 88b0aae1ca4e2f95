//! A believable demo workstation: the demo catalog, a staff roster, and cases filed over the past
//! weeks that were worked day by day through the real commands, so they sit in every state with
//! green, yellow and red lights and a journal that verifies.

use std::path::Path;

use chrono::{Days, NaiveDate};

use crate::auth::NewStaff;
use crate::case::Role;
use crate::case::{Action, Channel, State};
use crate::casework::ActRequest;
use crate::catalog::{self, Item};
use crate::clock::Clock;
use crate::error::{CoreError, Result};
use crate::ids;
use crate::intake::NewCase;
use crate::staff::{ALL_DEPARTMENTS, Actor};
use crate::workstation::{Identity, Workstation};

/// Every demo account has this password (printed by `yc demo`); it also opens the demo seal
/// authority's key.
pub const DEMO_PASSWORD: &str = "yc123456";
/// The PIN of every demo department seal.
pub const DEMO_PIN: &str = "246810";
/// Demo seal keys use fewer PBKDF2 iterations than real ones (600 000, `yc seal issue`) so the
/// demo seals its ~100 decisions in seconds. Never for a real seal.
pub const DEMO_PBKDF2_ITERATIONS: u32 = 20_000;

pub struct DemoOptions {
    pub cases: usize,
    pub today: NaiveDate,
    pub seed: u64,
    /// Create a demo seal authority and department seals, and seal the decisions (needs the CJK
    /// font). Without seals, cases stop before 办结, which needs a sealed decision.
    pub seal: bool,
    /// Encrypt the store and files at rest, as a real workstation is (crate::vault).
    pub encrypt: bool,
}

fn demo_keystore() -> yc_seal::KeyStoreOptions {
    yc_seal::KeyStoreOptions {
        iterations: std::num::NonZeroU32::new(DEMO_PBKDF2_ITERATIONS).unwrap_or(std::num::NonZeroU32::MIN),
        max_attempts: yc_seal::DEFAULT_MAX_ATTEMPTS,
    }
}

/// Takes one scripted step. Before 送达 the seal keeper seals the decision (and certificate);
/// some acceptances, refusals and supplement requests also get their notice sealed.
/// Returns false when the step cannot happen in this demo (delivery without seals).
fn perform(
    ws: &Workstation,
    staff: &[Actor],
    case_no: &str,
    action: Action,
    item: &Item,
    seal: bool,
    rng: &mut Rng,
) -> Result<bool> {
    use crate::document::DocKind;
    let keeper = staff.iter().find(|a| a.has_role(Role::SealKeeper)).unwrap_or(&staff[0]);
    if action == Action::Deliver {
        if !seal {
            return Ok(false);
        }
        let d = ws.case_detail(case_no, None)?;
        let kinds: &[DocKind] = match (d.outcome, d.has_certificate) {
            (Some(crate::case::Outcome::Approved), true) => &[DocKind::Approval, DocKind::Certificate],
            (Some(crate::case::Outcome::Approved), false) => &[DocKind::Approval],
            _ => &[DocKind::Refusal],
        };
        for k in kinds {
            ws.seal_document(keeper, case_no, *k, DEMO_PIN)?;
        }
    }
    let state = ws.case_summary(case_no)?.state;
    ws.act(actor_for(action, state, staff), case_no, action, &request(action, item))?;
    let notice = match action {
        Action::Accept => Some(DocKind::Acceptance),
        Action::RefuseAcceptance => Some(DocKind::NonAcceptance),
        Action::RequestSupplement => Some(DocKind::Supplement),
        _ => None,
    };
    if let Some(k) = notice
        && seal
        && rng.chance(30)
    {
        ws.seal_document(keeper, case_no, k, DEMO_PIN)?;
    }
    Ok(true)
}

/// A small deterministic PRNG (SplitMix64): the demo must be the same on every machine.
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
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗",
    "梁",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀兰", "霞", "平",
    "建华", "桂英", "志强", "海燕", "子涵",
];
const COMPANIES: &[&str] = &[
    "示范区鸿运餐饮店",
    "示范区绿源食品有限公司",
    "示范区安达道路运输有限公司",
    "示范区仁心药房",
    "示范区鑫盛建设工程有限公司",
    "示范区康宁诊所",
    "示范区华光燃气有限公司",
    "示范区悦来酒店管理有限公司",
];

fn staff() -> Vec<NewStaff> {
    let all = || vec![ALL_DEPARTMENTS.to_owned()];
    let s = |id: &str, name: &str, roles: Vec<Role>, departments: Vec<String>| NewStaff {
        id: id.into(),
        name: name.into(),
        roles,
        departments,
        password: Some(DEMO_PASSWORD.into()),
    };
    vec![
        s("zhangwei", "张伟", vec![Role::Clerk], all()),
        s("liuyang", "刘洋", vec![Role::Clerk], all()),
        s("lina", "李娜", vec![Role::Reviewer], all()),
        s("wangqiang", "王强", vec![Role::Decider], all()),
        s("zhaomin", "赵敏", vec![Role::SealKeeper], all()),
        s("chenjing", "陈静", vec![Role::Reviewer, Role::Decider], vec!["示范区民政局".into()]),
    ]
}

/// A case's planned life; the demo walks it one step per working day with some probability,
/// so older cases are further along and a few slow ones run red.
fn script(item: &Item, rng: &mut Rng) -> Vec<Action> {
    use Action::*;
    let immediate = crate::workstation::enum_code(&item.kind) == "immediate";
    let cert = item.result.as_ref().is_some_and(|r| crate::workstation::enum_code(&r.kind) == "certificate");
    if immediate {
        return match rng.below(10) {
            0 => vec![Withdraw],
            _ if cert => vec![DecideOnSpot, IssueCertificate, Deliver],
            _ => vec![DecideOnSpot, Deliver],
        };
    }
    let mut tail = vec![Approve];
    if cert {
        tail.push(IssueCertificate);
    }
    tail.push(Deliver);
    let roll = rng.below(100);
    let mut s: Vec<Action> = match roll {
        0..=44 => [vec![Accept, StartReview], tail.clone()].concat(),
        45..=54 => [vec![RequestSupplement, Supplement, Accept, StartReview], tail.clone()].concat(),
        55..=61 => vec![Accept, StartReview, Deny, Deliver],
        62..=67 => vec![RequestSupplement, RefuseAcceptance],
        68..=71 => vec![RefuseAcceptance],
        72..=75 => vec![Accept, Withdraw],
        76..=80 => [vec![Accept, StartReview, SpecialStart, SpecialEnd], tail.clone()].concat(),
        81..=85 => [vec![Accept, Suspend, Resume, StartReview], tail.clone()].concat(),
        86..=88 => vec![Accept, StartReview, Terminate],
        89..=91 => [vec![Accept, Extend, StartReview], tail.clone()].concat(),
        92..=94 => [vec![Accept, StartReview, RequestSupplement, Supplement], tail.clone()].concat(),
        _ => [vec![Accept, StartReview], tail, vec![Publish]].concat(),
    };
    if s.last() == Some(&Deliver) && roll.is_multiple_of(4) && s.contains(&Approve) {
        s.push([Change, Renew, Deregister, Revoke, Publish][rng.below(5)]);
    }
    s
}

fn request(action: Action, item: &Item) -> ActRequest {
    let basis = item.legal_basis.first().cloned().unwrap_or_else(|| "《中华人民共和国行政许可法》".into());
    let (reason, legal_basis, days) = match action {
        Action::RequestSupplement => {
            let missing: Vec<&str> =
                item.materials.iter().filter(|m| m.required).map(|m| m.name.as_str()).take(2).collect();
            (Some(format!("请补正：{}", missing.join("、"))), None, None)
        }
        Action::RefuseAcceptance => (
            Some("申请事项不属于本机关职权范围".into()),
            Some("《中华人民共和国行政许可法》第三十二条第一款第（二）项".into()),
            None,
        ),
        Action::Deny => (Some("经审查，申请人不符合法定条件".into()), Some(basis), None),
        Action::Terminate => (
            Some("申请人死亡，且无继承人申请继续办理".into()),
            Some("《中华人民共和国行政许可法》第七十条".into()),
            None,
        ),
        Action::Withdraw => (Some("申请人书面申请撤回".into()), None, None),
        Action::Suspend => (Some("涉及权属争议，等待司法裁决".into()), None, None),
        Action::SpecialStart => (Some("现场核查（检验、检测）".into()), None, None),
        Action::Extend => (Some("情况复杂，经本机关负责人批准延长".into()), None, Some(5)),
        Action::Change | Action::Renew | Action::Transfer => (Some("申请人申请".into()), None, None),
        Action::Deregister => (Some("申请人申请注销".into()), None, None),
        Action::Revoke => {
            (Some("以欺骗手段取得许可".into()), Some("《中华人民共和国行政许可法》第六十九条第二款".into()), None)
        }
        Action::Inspect => (Some("年度监督检查".into()), None, None),
        Action::Publish => (Some("示范区政务服务网“双公示”栏目".into()), None, Some(7)),
        _ => (None, None, None),
    };
    // Checking in an appointment, the clerk ticks the required materials the applicant brought.
    let materials = if action == Action::File {
        item.materials.iter().filter(|m| m.required).map(|m| m.id.clone()).collect()
    } else {
        Vec::new()
    };
    ActRequest { reason, legal_basis, days, materials, ..Default::default() }
}

fn actor_for(action: Action, state: State, staff: &[Actor]) -> &Actor {
    // 补正 is asked by the clerk before acceptance and by the reviewer during review.
    let role = if action == Action::RequestSupplement && state == State::UnderReview {
        Role::Reviewer
    } else {
        crate::case::rule(action).roles[0]
    };
    staff.iter().find(|a| a.has_role(role) && a.covers(ALL_DEPARTMENTS)).unwrap_or(&staff[0])
}

/// Creates the demo workstation in `dir` (which must not hold one yet).
/// The day a new demo workstation lives on: today if the built-in calendar covers it (deadlines
/// need a known year), else the 23rd of November of the calendar's last year.
pub fn default_today() -> NaiveDate {
    let today = Clock::System.today();
    let cal = crate::calendar::Calendar::official();
    if cal.is_workday(today).is_ok() {
        return today;
    }
    cal.years().into_iter().max().and_then(|y| NaiveDate::from_ymd_opt(y, 11, 23)).unwrap_or(today)
}

/// Opens the workstation in `dir` with the clock it may use. A real workstation runs on the
/// system clock, and a requested day (`--today`, `YC_TODAY`) is refused: a backdated acceptance
/// on a real record is exactly what supervision must prevent. A demo workstation lives on its
/// frozen `demo.today`, or on the requested day — demos and training may move in time.
pub fn open(dir: &Path, requested_today: Option<NaiveDate>) -> Result<Workstation> {
    with_demo_clock(Workstation::open(dir, Clock::System)?, requested_today)
}

/// [`open`] for an encrypted workstation too: `how` unwraps its data key.
pub fn open_unlocked(
    dir: &Path,
    requested_today: Option<NaiveDate>,
    how: crate::vault::Unlock<'_>,
) -> Result<Workstation> {
    with_demo_clock(Workstation::open_unlocked(dir, Clock::System, how)?, requested_today)
}

fn with_demo_clock(ws: Workstation, requested_today: Option<NaiveDate>) -> Result<Workstation> {
    let frozen: Option<NaiveDate> = ws.setting("demo.today")?.and_then(|d| d.parse().ok());
    match (frozen, requested_today) {
        (None, None) => Ok(ws),
        (None, Some(d)) => Err(CoreError::Invalid(format!(
            "正式工作站（{}）只使用系统时钟，不能指定日期 {d}（--today / YC_TODAY 仅用于演示和培训工作站）",
            ws.identity().name
        ))),
        (Some(frozen), requested) => Ok(ws.with_clock(Clock::at_date(requested.unwrap_or(frozen)))),
    }
}

/// Whether the encrypted workstation in `dir` is the demo (its access file names the demo's
/// identity): what a front end can tell before the store is open.
pub fn is_encrypted_demo(dir: &Path) -> bool {
    let demo = demo_identity();
    crate::vault::identity(dir).is_ok_and(|n| n.region == demo.region && n.code == demo.code && n.name == demo.name)
}

/// The demo's identity; `reset` recognises a demo store by it (or by its `demo.today`).
fn demo_identity() -> Identity {
    Identity { region: "440399".into(), code: "W01".into(), name: "示范区政务服务中心 综合窗口".into() }
}

/// What a workstation keeps in its data directory besides the database (seal keys, sealed PDFs,
/// attachments, drafts, the demo's exchange directory and simulator state).
const WORKSTATION_DIRS: &[&str] = &["authority", "seals", "documents", "attachments", "drafts", "exchange"];

/// Removes the demo workstation in `dir` so `create` can build a new one: the database (with its
/// WAL and migration backups) and the directories a workstation writes. Refuses a directory
/// holding any other workstation — `--force` must never wipe real case data.
pub fn reset(dir: &Path) -> Result<()> {
    let db = dir.join(crate::store::DB_FILE);
    if crate::vault::is_encrypted(dir) {
        // Encrypted: the access file names the workstation without opening the store.
        if !is_encrypted_demo(dir) {
            let named = crate::vault::identity(dir)?;
            return Err(CoreError::Invalid(format!(
                "{} 是正式工作站（{}），不是演示工作站，拒绝覆盖",
                dir.display(),
                named.name
            )));
        }
    } else if db.exists() {
        // A store that cannot even be opened is a half-built demo (a killed `yc demo`).
        if let Ok(ws) = Workstation::open(dir, Clock::System) {
            let is_demo = ws.setting("demo.today")?.is_some() || *ws.identity() == demo_identity();
            if !is_demo {
                return Err(CoreError::Invalid(format!(
                    "{} 是正式工作站（{}），不是演示工作站，拒绝覆盖",
                    dir.display(),
                    ws.identity().name
                )));
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let p = e.path();
            if name.starts_with(crate::store::DB_FILE) || name == "city-sim.json" || name == crate::vault::ACCESS_FILE {
                std::fs::remove_file(&p).map_err(|err| CoreError::io(&p, err))?;
            } else if WORKSTATION_DIRS.contains(&name.as_str()) && p.is_dir() {
                std::fs::remove_dir_all(&p).map_err(|err| CoreError::io(&p, err))?;
            }
        }
    }
    Ok(())
}

pub fn create(dir: &Path, opts: &DemoOptions) -> Result<Workstation> {
    Ok(create_reporting(dir, opts)?.0)
}

/// [`create`], with the recovery key of an encrypted demo (shown once, as `yc init` shows it).
pub fn create_reporting(dir: &Path, opts: &DemoOptions) -> Result<(Workstation, Option<crate::vault::RecoveryKey>)> {
    let start = opts.today.checked_sub_days(Days::new(42)).ok_or_else(|| CoreError::Invalid("日期超出范围".into()))?;
    let (ws, recovery) = if opts.encrypt {
        let (ws, r) = Workstation::init_encrypted(dir, demo_identity(), DEMO_PASSWORD, Clock::at_date(start))?;
        (ws, Some(r))
    } else {
        (Workstation::init(dir, demo_identity(), DEMO_PASSWORD, Clock::at_date(start))?, None)
    };
    // Reopened day by day below with the same key (no password to type in a generator).
    let key = ws.store().data_key().cloned();
    let admin = ws.actor("admin")?;
    ws.import_catalog(&admin, catalog::DEMO_CATALOG_JSON)?;
    for s in staff() {
        ws.add_staff(&admin, &s)?;
    }
    if opts.seal {
        ws.create_seal_authority(&admin, "示范市电子印章制作中心（演示）", DEMO_PASSWORD, demo_keystore())?;
        let mut departments: Vec<String> = ws.catalog_items(None)?.into_iter().map(|i| i.department).collect();
        departments.sort();
        departments.dedup();
        for d in departments {
            ws.issue_seal(
                &admin,
                &d,
                yc_seal::SealType::AdministrativeLicensing,
                DEMO_PIN,
                DEMO_PASSWORD,
                demo_keystore(),
            )?;
        }
    }
    ws.store.write(|tx| {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ('demo.today', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [opts.today.to_string()],
        )?;
        Ok(())
    })?;
    drop(ws);

    let mut rng = Rng(opts.seed);
    let mut open: Vec<(String, Vec<Action>, usize, u64, Item)> = Vec::new();
    // Separate pools: a business licence item is applied for by a company, the rest by people.
    let mut people: Vec<(String, String)> = Vec::new();
    let mut companies: Vec<(String, String)> = Vec::new();
    let days = (opts.today - start).num_days();
    let per_day = opts.cases.div_ceil(usize::try_from(days).unwrap_or(1).max(1) * 5 / 7 + 1);
    let mut filed = 0;
    let mut day = start;
    while day <= opts.today {
        let ws = Workstation::open_keyed(dir, Clock::at_date(day), key.clone())?;
        let cal = ws.calendar().clone();
        let staff: Vec<Actor> = ws.list_staff()?;
        let workday = cal.is_workday(day).unwrap_or(false);
        if workday {
            // Work on what is open first (the queue), then take in today's applicants.
            for (case_no, steps, next, pace, item) in &mut open {
                if *next >= steps.len() || !rng.chance(*pace) {
                    continue;
                }
                let action = steps[*next];
                *next = if perform(&ws, &staff, case_no, action, item, opts.seal, &mut rng)? {
                    *next + 1
                } else {
                    steps.len()
                };
            }
            open.retain(|(_, steps, next, _, _)| *next < steps.len());
            let items = ws.catalog_items(None)?;
            let clerk = staff.iter().find(|a| a.id == "zhangwei").unwrap_or(&staff[0]);
            let township = staff.iter().find(|a| a.id == "liuyang").unwrap_or(&staff[0]);
            let n = if day == opts.today { per_day / 2 } else { per_day };
            for _ in 0..n.min(opts.cases - filed) {
                let item = items[rng.below(items.len())].clone();
                let business = item.materials.iter().any(|m| m.name.contains("营业执照"));
                let pool = if business { &mut companies } else { &mut people };
                let returning = !pool.is_empty() && rng.chance(if business { 40 } else { 15 });
                let (id, name) = if returning {
                    pool[rng.below(pool.len())].clone()
                } else if business {
                    let body = format!("9144039{:010}", rng.next() % 10_000_000_000);
                    let id = ids::make_credit_code(&body[..17]).unwrap_or_default();
                    (id, COMPANIES[rng.below(COMPANIES.len())].to_owned())
                } else {
                    let birth = NaiveDate::from_ymd_opt(
                        1940 + i32::try_from(rng.below(60)).unwrap_or(0),
                        1 + u32::try_from(rng.below(12)).unwrap_or(0),
                        1 + u32::try_from(rng.below(28)).unwrap_or(0),
                    )
                    .unwrap_or_default();
                    let id = ids::make_resident_id("440305", birth, u16::try_from(rng.below(999)).unwrap_or(1));
                    (id, format!("{}{}", SURNAMES[rng.below(SURNAMES.len())], GIVEN[rng.below(GIVEN.len())]))
                };
                let reuse: Vec<(String, String)> = if returning {
                    let prior = ws.reusable_materials(&id)?;
                    item.materials
                        .iter()
                        .filter(|m| m.reusable)
                        .filter_map(|m| {
                            prior.iter().find(|p| p.name == m.name).map(|p| (m.id.clone(), p.case_no.clone()))
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                let by = if rng.chance(20) { township } else { clerk };
                let req = NewCase {
                    item_code: item.code.clone(),
                    applicant_id: id.clone(),
                    applicant_name: name.clone(),
                    phone: Some(format!("13{:09}", rng.next() % 1_000_000_000)),
                    channel: Some(if by.id == "liuyang" {
                        Channel::Township
                    } else if item.online && rng.chance(30) {
                        Channel::Online
                    } else {
                        Channel::Window
                    }),
                    provided: None,
                    reuse,
                    appointment: rng.chance(4),
                    id_override: None,
                    note: None,
                    attachments: Vec::new(),
                    sub_item: None,
                    delivery: None,
                    licences: Vec::new(),
                    agent: None,
                };
                let case_no = ws.new_case(by, &req)?;
                if !returning {
                    let pool = if business { &mut companies } else { &mut people };
                    pool.push((id, name));
                }
                let mut steps = script(&item, &mut rng);
                if req.appointment {
                    steps.insert(0, Action::File);
                }
                // Most cases move most days; one in eight crawls and runs red.
                let pace = if rng.chance(8) { 12 } else { 40 + rng.next() % 40 };
                open.push((case_no, steps, 0, pace, item));
                filed += 1;
            }
        }
        day = day.checked_add_days(Days::new(1)).ok_or_else(|| CoreError::Invalid("日期超出范围".into()))?;
    }
    let ws = Workstation::open_keyed(dir, Clock::at_date(opts.today), key)?;
    cover_every_state(&ws, &mut rng, opts.seal)?;
    let admin = ws.actor("admin")?;
    // One supervisory inspection so the journal shows it.
    if let Some(c) = ws
        .list_cases(&crate::query::ListFilter { state: Some(State::Completed), limit: Some(1), ..Default::default() })?
        .first()
    {
        ws.act(
            &admin,
            &c.case_no,
            Action::Inspect,
            &request(Action::Inspect, &ws.catalog_item(&c.item_code, None)?.1),
        )?;
    }
    Ok((ws, recovery))
}

/// Whatever the dice did, the demo shows a case in every state: any state left empty gets one
/// case filed today and walked there through the ordinary commands.
fn cover_every_state(ws: &Workstation, rng: &mut Rng, seal: bool) -> Result<()> {
    use Action::*;
    let staff = ws.list_staff()?;
    let items: Vec<Item> =
        ws.catalog_items(None)?.into_iter().filter(|i| !i.secret && i.promised_limit_days > 0).collect();
    let Some(item) = items
        .iter()
        .find(|i| i.result.as_ref().is_some_and(|r| crate::workstation::enum_code(&r.kind) == "certificate"))
    else {
        return Ok(());
    };
    let done = [Accept, StartReview, Approve, IssueCertificate, Deliver];
    let plans: Vec<(State, Vec<Action>)> = vec![
        (State::Submitted, vec![]),
        (State::Supplementing, vec![RequestSupplement]),
        (State::Accepted, vec![Accept]),
        (State::UnderReview, vec![Accept, StartReview]),
        (State::Suspended, vec![Accept, Suspend]),
        (State::SpecialProcedure, vec![Accept, StartReview, SpecialStart]),
        (State::Approved, vec![Accept, StartReview, Approve]),
        (State::Denied, vec![Accept, StartReview, Deny]),
        (State::Completed, done.to_vec()),
        (State::NotAccepted, vec![RefuseAcceptance]),
        (State::Withdrawn, vec![Withdraw]),
        (State::Terminated, vec![Accept, Terminate]),
        (State::Cancelled, [done.as_slice(), &[Deregister]].concat()),
        (State::Revoked, [done.as_slice(), &[Revoke]].concat()),
    ];
    let clerk = staff.iter().find(|a| a.id == "zhangwei").unwrap_or(&staff[0]);
    let present = |s: State| -> Result<bool> {
        Ok(!ws
            .list_cases(&crate::query::ListFilter { state: Some(s), limit: Some(1), ..Default::default() })?
            .is_empty())
    };
    for (state, steps) in plans {
        if present(state)? || (!seal && steps.contains(&Deliver)) {
            continue;
        }
        let birth = NaiveDate::from_ymd_opt(1975, 3, 1 + u32::try_from(rng.below(28)).unwrap_or(0)).unwrap_or_default();
        let id = ids::make_resident_id("440305", birth, u16::try_from(rng.below(999)).unwrap_or(1));
        let name = format!("{}{}", SURNAMES[rng.below(SURNAMES.len())], GIVEN[rng.below(GIVEN.len())]);
        let no = ws.new_case(
            clerk,
            &NewCase { item_code: item.code.clone(), applicant_id: id, applicant_name: name, ..Default::default() },
        )?;
        for a in steps {
            perform(ws, &staff, &no, a, item, seal, rng)?;
        }
    }
    if !present(State::Appointed)? {
        let id = ids::make_resident_id("440305", NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default(), 7);
        ws.new_case(
            clerk,
            &NewCase {
                item_code: item.code.clone(),
                applicant_id: id,
                applicant_name: "预约人".into(),
                appointment: true,
                ..Default::default()
            },
        )?;
    }
    Ok(())
}

/// Configures the demo's sync adapters (built by `yc_adapters::demo::demo_configs`), routing every
/// stream to each and queueing what the demo already journaled, as a new platform link would.
pub fn register_adapters(ws: &Workstation, configs: Vec<yc_adapter_sdk::AdapterConfig>) -> Result<()> {
    let admin = ws.actor("admin")?;
    for config in configs {
        let reg = crate::sync::outbox::AdapterRegistration {
            config,
            streams: vec!["*".into()],
            departments: vec!["*".into()],
            backfill: true,
            program_confirmed: false,
        };
        ws.register_adapter(&admin, &reg)?;
    }
    Ok(())
}
