//! The life of a case (办件) as an explicit state machine: the 8 general processes and the others
//! (补正, 中止, 终止, 撤回, 不予受理, 不予许可, 延续, 变更, 注销, 撤销, 转让), each guarded by role.
//!
//! This module is pure: it decides whether an action is allowed and what the case becomes.
//! Storing the event and updating the tables is `workstation`'s job, so the same rules serve live
//! actions, `yc rebuild` and the property tests.

use serde::{Deserialize, Serialize};

macro_rules! coded_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($v:ident = ($code:literal, $zh:literal, $en:literal)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            /// Stable code used in storage, the journal and the CLI.
            pub fn code(self) -> &'static str { match self { $($name::$v => $code),+ } }
            pub fn zh(self) -> &'static str { match self { $($name::$v => $zh),+ } }
            pub fn en(self) -> &'static str { match self { $($name::$v => $en),+ } }
            /// Accepts the code or the Chinese name.
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|x| x.code() == s || x.zh() == s)
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.zh()) }
        }
    };
}
/// Other modules' coded enums (delivery methods, …) take the same shape.
pub(crate) use coded_enum;

coded_enum! {
    /// Staff roles. Duties are separated: the one who accepts does not decide.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
    pub enum Role {
        Clerk = ("clerk", "受理员", "Intake clerk"),
        Reviewer = ("reviewer", "审查员", "Reviewer"),
        Decider = ("decider", "决定人", "Decision maker"),
        SealKeeper = ("seal_keeper", "印章管理员", "Seal keeper"),
        Admin = ("admin", "管理员", "Administrator"),
    }
}

coded_enum! {
    #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
    pub enum State {
        Appointed = ("appointed", "已预约", "Appointed"),
        Submitted = ("submitted", "已申请", "Submitted"),
        Supplementing = ("supplementing", "补正中", "Awaiting supplement"),
        Accepted = ("accepted", "已受理", "Accepted"),
        UnderReview = ("under_review", "审查中", "Under review"),
        Suspended = ("suspended", "已中止", "Suspended"),
        SpecialProcedure = ("special_procedure", "特别程序", "Special procedure"),
        Approved = ("approved", "准予许可", "Approved"),
        Denied = ("denied", "不予许可", "Denied"),
        Completed = ("completed", "已办结", "Completed"),
        NotAccepted = ("not_accepted", "不予受理", "Not accepted"),
        Withdrawn = ("withdrawn", "已撤回", "Withdrawn"),
        Terminated = ("terminated", "已终止", "Terminated"),
        Cancelled = ("cancelled", "已注销", "Cancelled"),
        Revoked = ("revoked", "已撤销", "Revoked"),
    }
}

coded_enum! {
    #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
    pub enum Action {
        Appoint = ("appoint", "预约", "Book appointment"),
        File = ("file", "申请收件", "File application"),
        Accept = ("accept", "受理", "Accept"),
        DecideOnSpot = ("decide_on_spot", "当场办结", "Decide on the spot"),
        RequestSupplement = ("request_supplement", "一次性告知补正", "Request supplement"),
        Supplement = ("supplement", "补正材料", "Supplement received"),
        RefuseAcceptance = ("refuse_acceptance", "不予受理", "Refuse acceptance"),
        StartReview = ("start_review", "审查", "Start review"),
        Suspend = ("suspend", "中止", "Suspend"),
        Resume = ("resume", "恢复办理", "Resume"),
        SpecialStart = ("special_start", "特别程序开始", "Start special procedure"),
        SpecialEnd = ("special_end", "特别程序结束", "End special procedure"),
        Extend = ("extend", "延长期限", "Extend time limit"),
        Approve = ("approve", "准予许可", "Approve"),
        Deny = ("deny", "不予许可", "Deny"),
        IssueCertificate = ("issue_certificate", "制证", "Produce certificate"),
        Deliver = ("deliver", "送达", "Deliver"),
        Publish = ("publish", "决定公开", "Publish decision"),
        Inspect = ("inspect", "监督检查", "Supervisory inspection"),
        Withdraw = ("withdraw", "撤回", "Withdraw"),
        Terminate = ("terminate", "终止", "Terminate"),
        Change = ("change", "变更", "Change"),
        Renew = ("renew", "延续", "Renew"),
        Transfer = ("transfer", "转让", "Transfer"),
        Deregister = ("deregister", "注销", "Deregister"),
        Revoke = ("revoke", "撤销", "Revoke"),
    }
}

coded_enum! {
    /// 收件渠道: where an application came in. Stored, journaled and sent as the code.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
    pub enum Channel {
        Window = ("window", "窗口", "Window"),
        Online = ("online", "网上", "Online"),
        Township = ("township", "乡镇代办", "Township"),
    }
}

/// 办件类型 of a case (the catalog item's kind when it was filed).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "CaseKind"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 即办件: decided on the spot.
    Immediate,
    /// 承诺件: promised within N working days.
    Promised,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Immediate => "immediate",
            Self::Promised => "promised",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "immediate" => Some(Self::Immediate),
            "promised" => Some(Self::Promised),
            _ => None,
        }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approved,
    Denied,
}

impl Outcome {
    /// Stable code used in storage.
    pub fn code(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Denied => "denied",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approved" => Some(Self::Approved),
            "denied" => Some(Self::Denied),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceStatus {
    InForce,
    Cancelled,
    Revoked,
}

/// The part of a case the rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub state: State,
    pub resume_state: Option<State>,
    pub kind: Kind,
    /// The item yields a certificate (证照) that must be produced before delivery.
    pub has_certificate: bool,
    pub outcome: Option<Outcome>,
    pub certificate_made: bool,
    pub extension_days: u32,
    pub licence: Option<LicenceStatus>,
    pub supplements: u32,
    /// The decision has been made public (决定公开): once, for a stated period, at a stated place.
    pub published: bool,
}

impl Facts {
    pub fn new(state: State, kind: Kind, has_certificate: bool) -> Self {
        Self {
            state,
            resume_state: None,
            kind,
            has_certificate,
            outcome: None,
            certificate_made: false,
            extension_days: 0,
            licence: None,
            supplements: 0,
            published: false,
        }
    }
}

/// What the actor supplied with the action.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub reason: Option<String>,
    pub legal_basis: Option<String>,
    pub days: Option<u32>,
}

/// The longest publication period (公示期) a window sets, in working days; local rules seen use 5–20.
pub const MAX_PUBLICATION_DAYS: u32 = 30;

/// 《行政许可法》第四十二条: the decision period may be extended by ten days, once, with the head's approval.
pub const MAX_EXTENSION_DAYS: u32 = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Role { needed: Vec<Role> },
    State { detail: String },
    Missing { field: &'static str },
    Invalid(String),
}

/// Which clock change an action makes (the deadline module counts working days from these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockEffect {
    None,
    /// Acceptance: the statutory clock starts.
    Start,
    /// 补正 waiting, 中止, special procedure (§45): the clock stops.
    Stop,
    Resume,
    /// 准予 or 不予许可: the decision deadline is met (or missed) today, and the §44 delivery
    /// deadline starts. On the spot (即办件) it also starts the clock, with nothing left to run.
    Decide,
    /// The case is closed (decided and delivered, or ended).
    Close,
}

pub struct Rule {
    pub roles: &'static [Role],
    pub from: &'static [State],
    pub needs_reason: bool,
    pub needs_basis: bool,
}

use Role::{Admin, Clerk, Decider, Reviewer, SealKeeper};
use State::*;

const PRE_DECISION: &[State] =
    &[Appointed, Submitted, Supplementing, Accepted, UnderReview, Suspended, SpecialProcedure];

/// The rule table: who may do what from where. Targets are in [`apply`].
pub fn rule(action: Action) -> Rule {
    let r = |roles, from, needs_reason, needs_basis| Rule { roles, from, needs_reason, needs_basis };
    match action {
        // Creation actions: `from` is empty: they only start a case (or continue an appointment).
        Action::Appoint => r(&[Clerk], &[], false, false),
        Action::File => r(&[Clerk], &[Appointed], false, false),
        Action::Accept => r(&[Clerk], &[Submitted], false, false),
        Action::DecideOnSpot => r(&[Clerk], &[Submitted, Accepted], false, false),
        // §32: what is missing is listed once; the list is the reason.
        Action::RequestSupplement => r(&[Clerk, Reviewer], &[Submitted, UnderReview], true, false),
        Action::Supplement => r(&[Clerk], &[Supplementing], false, false),
        // 否定必有依据: every refusal states its reason and legal basis.
        Action::RefuseAcceptance => r(&[Clerk], &[Submitted, Supplementing], true, true),
        Action::StartReview => r(&[Reviewer], &[Accepted], false, false),
        Action::Suspend => r(&[Decider], &[Accepted, UnderReview], true, false),
        Action::Resume => r(&[Decider], &[Suspended], false, false),
        Action::SpecialStart => r(&[Reviewer], &[UnderReview], true, false),
        Action::SpecialEnd => r(&[Reviewer], &[SpecialProcedure], false, false),
        Action::Extend => r(&[Decider], &[Accepted, UnderReview], true, false),
        Action::Approve => r(&[Decider], &[UnderReview], false, false),
        Action::Deny => r(&[Decider], &[UnderReview], true, true),
        Action::IssueCertificate => r(&[SealKeeper], &[Approved], false, false),
        Action::Deliver => r(&[Clerk], &[Approved, Denied], false, false),
        // 决定公开: where (the reason field) and for how many working days (`days`); once per case.
        Action::Publish => r(&[Decider, Admin], &[Completed], true, false),
        Action::Inspect => r(&[Admin], &[Completed], true, false),
        Action::Withdraw => r(&[Clerk], PRE_DECISION, true, false),
        Action::Terminate => r(&[Decider], &[Accepted, UnderReview, Suspended, SpecialProcedure], true, true),
        Action::Change | Action::Renew | Action::Transfer => r(&[Decider], &[Completed], true, false),
        Action::Deregister => r(&[Decider], &[Completed], true, false),
        Action::Revoke => r(&[Decider], &[Completed], true, true),
    }
}

pub fn is_terminal(s: State) -> bool {
    matches!(s, NotAccepted | Withdrawn | Terminated | Cancelled | Revoked)
}

/// Open = the case still runs against a time limit (lights apply).
pub fn is_open(s: State) -> bool {
    !is_terminal(s) && !matches!(s, Completed)
}

pub fn is_paused(s: State) -> bool {
    matches!(s, Supplementing | Suspended | SpecialProcedure)
}

fn has_text(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|t| !t.trim().is_empty())
}

/// Checks `action` by `role` against `facts` and returns the new facts and clock effect.
/// Creation actions (Appoint, File) are checked with `facts.state` = the state they create from:
/// pass `None` via [`start`] instead.
pub fn apply(facts: &Facts, action: Action, role: Role, input: &Input) -> Result<(Facts, ClockEffect), Refusal> {
    let rule = rule(action);
    if !rule.roles.contains(&role) {
        return Err(Refusal::Role { needed: rule.roles.to_vec() });
    }
    if !rule.from.contains(&facts.state) {
        return Err(Refusal::State { detail: String::new() });
    }
    if rule.needs_reason && !has_text(&input.reason) {
        return Err(Refusal::Missing { field: "理由" });
    }
    if rule.needs_basis && !has_text(&input.legal_basis) {
        return Err(Refusal::Missing { field: "法律依据" });
    }
    let mut f = facts.clone();
    let effect = match action {
        Action::Appoint => return Err(Refusal::State { detail: "（预约只能新建办件）".into() }),
        Action::File => {
            f.state = Submitted;
            ClockEffect::None
        }
        Action::Accept => {
            f.state = Accepted;
            ClockEffect::Start
        }
        Action::DecideOnSpot => {
            if f.kind != Kind::Immediate {
                return Err(Refusal::State { detail: "（只有即办件可以当场办结）".into() });
            }
            f.state = Approved;
            f.outcome = Some(Outcome::Approved);
            // Accepted and decided in one sitting.
            ClockEffect::Decide
        }
        Action::RequestSupplement => {
            // The reviewer asks after acceptance, the clerk before it: each at their own step.
            let allowed = matches!((role, facts.state), (Clerk, Submitted) | (Reviewer, UnderReview));
            if !allowed {
                return Err(Refusal::Role { needed: vec![if facts.state == Submitted { Clerk } else { Reviewer }] });
            }
            f.resume_state = Some(facts.state);
            f.state = Supplementing;
            f.supplements += 1;
            ClockEffect::Stop
        }
        Action::Supplement | Action::Resume | Action::SpecialEnd => {
            f.state = f.resume_state.take().unwrap_or(UnderReview);
            ClockEffect::Resume
        }
        Action::Suspend | Action::SpecialStart => {
            f.resume_state = Some(facts.state);
            f.state = if action == Action::Suspend { Suspended } else { SpecialProcedure };
            ClockEffect::Stop
        }
        Action::RefuseAcceptance => {
            f.state = NotAccepted;
            f.resume_state = None;
            ClockEffect::Close
        }
        Action::StartReview => {
            f.state = UnderReview;
            ClockEffect::None
        }
        Action::Extend => {
            let days = input.days.unwrap_or(0);
            if days == 0 {
                return Err(Refusal::Missing { field: "延长天数" });
            }
            if f.extension_days + days > MAX_EXTENSION_DAYS {
                return Err(Refusal::Invalid(format!(
                    "延长期限累计不得超过 {MAX_EXTENSION_DAYS} 个工作日（已延长 {} 日）",
                    f.extension_days
                )));
            }
            f.extension_days += days;
            ClockEffect::None
        }
        Action::Approve => {
            f.state = Approved;
            f.outcome = Some(Outcome::Approved);
            ClockEffect::Decide
        }
        Action::Deny => {
            f.state = Denied;
            f.outcome = Some(Outcome::Denied);
            ClockEffect::Decide
        }
        Action::IssueCertificate => {
            if f.certificate_made {
                return Err(Refusal::State { detail: "（证照已制作）".into() });
            }
            f.certificate_made = true;
            ClockEffect::None
        }
        Action::Deliver => {
            if f.outcome == Some(Outcome::Approved) && f.has_certificate && !f.certificate_made {
                return Err(Refusal::State { detail: "（证照尚未制作，请先制证）".into() });
            }
            f.state = Completed;
            if f.outcome == Some(Outcome::Approved) {
                f.licence = Some(LicenceStatus::InForce);
            }
            ClockEffect::Close
        }
        Action::Publish => {
            if facts.published {
                return Err(Refusal::State {
                    detail: "（决定已公开，公示期自首次公开起算，不能重复公开）".into()
                });
            }
            match input.days {
                Some(d) if (1..=MAX_PUBLICATION_DAYS).contains(&d) => {}
                Some(_) => {
                    return Err(Refusal::Invalid(format!("公示期应为 1 至 {MAX_PUBLICATION_DAYS} 个工作日")));
                }
                None => return Err(Refusal::Missing { field: "公示期（工作日数）" }),
            }
            f.published = true;
            ClockEffect::None
        }
        Action::Inspect => ClockEffect::None,
        Action::Withdraw | Action::Terminate => {
            f.state = if action == Action::Withdraw { Withdrawn } else { Terminated };
            f.resume_state = None;
            ClockEffect::Close
        }
        Action::Change | Action::Renew | Action::Transfer | Action::Deregister | Action::Revoke => {
            if f.licence != Some(LicenceStatus::InForce) {
                return Err(Refusal::State {
                    detail: "（没有有效的许可可供变更、延续、转让、注销或撤销）".into()
                });
            }
            match action {
                Action::Deregister => {
                    f.state = Cancelled;
                    f.licence = Some(LicenceStatus::Cancelled);
                }
                Action::Revoke => {
                    f.state = Revoked;
                    f.licence = Some(LicenceStatus::Revoked);
                }
                _ => {}
            }
            ClockEffect::None
        }
    };
    Ok((f, effect))
}

/// The first event of a case: an appointment or a filed application.
pub fn start(action: Action, role: Role, kind: Kind, has_certificate: bool) -> Result<Facts, Refusal> {
    let state = match action {
        Action::Appoint => Appointed,
        Action::File => Submitted,
        _ => return Err(Refusal::State { detail: "（新办件只能预约或申请）".into() }),
    };
    if role != Clerk {
        return Err(Refusal::Role { needed: vec![Clerk] });
    }
    Ok(Facts::new(state, kind, has_certificate))
}

/// Actions `role` could take now (for the UI's buttons and `yc case show`).
pub fn available(facts: &Facts, roles: &[Role]) -> Vec<Action> {
    let probe = Input { reason: Some("x".into()), legal_basis: Some("x".into()), days: Some(1) };
    Action::ALL.iter().copied().filter(|&a| roles.iter().any(|&r| apply(facts, a, r, &probe).is_ok())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input_full() -> Input {
        Input {
            reason: Some("理由".into()), legal_basis: Some("《行政许可法》第三十八条".into()), days: Some(5)
        }
    }

    #[test]
    fn a_decision_is_published_once_with_a_place_and_a_period() {
        let done = Facts {
            state: Completed,
            outcome: Some(Outcome::Approved),
            ..Facts::new(Completed, Kind::Promised, false)
        };
        let no_days = Input { days: None, ..input_full() };
        assert_eq!(
            apply(&done, Action::Publish, Decider, &no_days).unwrap_err(),
            Refusal::Missing { field: "公示期（工作日数）" }
        );
        let no_place = Input { reason: None, ..input_full() };
        assert_eq!(apply(&done, Action::Publish, Decider, &no_place).unwrap_err(), Refusal::Missing { field: "理由" });
        let too_long = Input { days: Some(MAX_PUBLICATION_DAYS + 1), ..input_full() };
        assert!(matches!(apply(&done, Action::Publish, Admin, &too_long), Err(Refusal::Invalid(_))));
        let (published, effect) = apply(&done, Action::Publish, Decider, &input_full()).unwrap();
        assert!(published.published && published.state == Completed && effect == ClockEffect::None);
        // Once: a second publication is refused, whoever asks.
        for role in [Decider, Admin] {
            assert!(matches!(apply(&published, Action::Publish, role, &input_full()), Err(Refusal::State { .. })));
        }
    }

    fn run(facts: &Facts, steps: &[(Action, Role)]) -> Result<Facts, (usize, Refusal)> {
        let mut f = facts.clone();
        for (i, &(a, r)) in steps.iter().enumerate() {
            f = apply(&f, a, r, &input_full()).map_err(|e| (i, e))?.0;
        }
        Ok(f)
    }

    #[test]
    fn a_promised_case_runs_its_full_life() {
        let f = start(Action::File, Clerk, Kind::Promised, true).unwrap();
        let f = run(
            &f,
            &[
                (Action::Accept, Clerk),
                (Action::StartReview, Reviewer),
                (Action::Approve, Decider),
                (Action::IssueCertificate, SealKeeper),
                (Action::Deliver, Clerk),
                (Action::Publish, Decider),
            ],
        )
        .unwrap();
        assert_eq!(f.state, Completed);
        assert_eq!(f.licence, Some(LicenceStatus::InForce));
    }

    #[test]
    fn the_clerk_who_accepts_cannot_decide() {
        let f = run(
            &start(Action::File, Clerk, Kind::Promised, false).unwrap(),
            &[(Action::Accept, Clerk), (Action::StartReview, Reviewer)],
        )
        .unwrap();
        assert_eq!(apply(&f, Action::Approve, Clerk, &input_full()), Err(Refusal::Role { needed: vec![Decider] }));
    }

    #[test]
    fn refusal_without_legal_basis_is_rejected() {
        let f = run(
            &start(Action::File, Clerk, Kind::Promised, false).unwrap(),
            &[(Action::Accept, Clerk), (Action::StartReview, Reviewer)],
        )
        .unwrap();
        let no_basis = Input { reason: Some("不符合条件".into()), legal_basis: None, days: None };
        assert_eq!(apply(&f, Action::Deny, Decider, &no_basis), Err(Refusal::Missing { field: "法律依据" }));
        let g = start(Action::File, Clerk, Kind::Promised, false).unwrap();
        let blank = Input { reason: Some("  ".into()), legal_basis: Some("x".into()), days: None };
        assert_eq!(apply(&g, Action::RefuseAcceptance, Clerk, &blank), Err(Refusal::Missing { field: "理由" }));
    }

    #[test]
    fn only_immediate_items_are_decided_on_the_spot() {
        let p = start(Action::File, Clerk, Kind::Promised, false).unwrap();
        assert!(matches!(apply(&p, Action::DecideOnSpot, Clerk, &input_full()), Err(Refusal::State { .. })));
        let i = start(Action::File, Clerk, Kind::Immediate, false).unwrap();
        let (f, clock) = apply(&i, Action::DecideOnSpot, Clerk, &input_full()).unwrap();
        assert_eq!((f.state, clock), (Approved, ClockEffect::Decide));
    }

    #[test]
    fn delivery_waits_for_the_certificate() {
        let f = run(
            &start(Action::File, Clerk, Kind::Promised, true).unwrap(),
            &[(Action::Accept, Clerk), (Action::StartReview, Reviewer), (Action::Approve, Decider)],
        )
        .unwrap();
        assert!(matches!(apply(&f, Action::Deliver, Clerk, &input_full()), Err(Refusal::State { .. })));
    }

    #[test]
    fn supplement_returns_to_where_it_was_asked_and_stops_the_clock() {
        let f = run(
            &start(Action::File, Clerk, Kind::Promised, false).unwrap(),
            &[(Action::Accept, Clerk), (Action::StartReview, Reviewer)],
        )
        .unwrap();
        let (g, c) = apply(&f, Action::RequestSupplement, Reviewer, &input_full()).unwrap();
        assert_eq!((g.state, c, g.supplements), (Supplementing, ClockEffect::Stop, 1));
        let (h, c) = apply(&g, Action::Supplement, Clerk, &input_full()).unwrap();
        assert_eq!((h.state, c, h.resume_state), (UnderReview, ClockEffect::Resume, None));
    }

    #[test]
    fn extension_is_capped_at_ten_working_days() {
        let f = run(&start(Action::File, Clerk, Kind::Promised, false).unwrap(), &[(Action::Accept, Clerk)]).unwrap();
        let eight = Input { days: Some(8), ..input_full() };
        let (g, _) = apply(&f, Action::Extend, Decider, &eight).unwrap();
        assert!(matches!(
            apply(&g, Action::Extend, Decider, &Input { days: Some(3), ..input_full() }),
            Err(Refusal::Invalid(_))
        ));
    }

    #[test]
    fn codes_and_chinese_names_parse_back() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.code()), Some(*a));
        }
        assert_eq!(State::parse("审查中"), Some(UnderReview));
        assert_eq!(Role::parse("决定人"), Some(Decider));
    }

    /// The JSON form (IPC, bindings.ts) and the stored code are the same text.
    #[test]
    fn serde_names_are_the_codes() {
        fn same<T: Serialize>(x: T, code: &str) {
            assert_eq!(serde_json::to_value(x).unwrap(), serde_json::Value::String(code.into()));
        }
        State::ALL.iter().for_each(|x| same(x, x.code()));
        Action::ALL.iter().for_each(|x| same(x, x.code()));
        Role::ALL.iter().for_each(|x| same(x, x.code()));
        Channel::ALL.iter().for_each(|x| same(x, x.code()));
        [Kind::Immediate, Kind::Promised].into_iter().for_each(|x| same(x, x.code()));
        [Outcome::Approved, Outcome::Denied].into_iter().for_each(|x| same(x, x.code()));
    }

    fn invariants(f: &Facts) -> Result<(), String> {
        if is_paused(f.state) != f.resume_state.is_some() {
            return Err(format!("resume_state {:?} in {:?}", f.resume_state, f.state));
        }
        if let Some(r) = f.resume_state
            && (is_paused(r) || is_terminal(r) || !is_open(r))
        {
            return Err(format!("resumes into {r:?}"));
        }
        let decided = matches!(f.state, Approved | Denied | Completed | Cancelled | Revoked);
        if decided != f.outcome.is_some() && f.state != Completed {
            return Err(format!("outcome {:?} in {:?}", f.outcome, f.state));
        }
        if matches!(f.state, Cancelled | Revoked) && f.outcome != Some(Outcome::Approved) {
            return Err("a licence that was never granted was cancelled".into());
        }
        if f.licence.is_some() && f.outcome != Some(Outcome::Approved) {
            return Err("licence without approval".into());
        }
        if f.state == Completed && f.outcome == Some(Outcome::Approved) && f.has_certificate && !f.certificate_made {
            return Err("completed without certificate".into());
        }
        if f.extension_days > MAX_EXTENSION_DAYS {
            return Err("extension over the statutory cap".into());
        }
        if f.kind == Kind::Promised && f.state == Approved && f.outcome.is_none() {
            return Err("approved without outcome".into());
        }
        Ok(())
    }

    fn arb_step() -> impl Strategy<Value = (Action, Role, bool, bool, u32)> {
        (
            proptest::sample::select(Action::ALL),
            proptest::sample::select(Role::ALL),
            any::<bool>(),
            any::<bool>(),
            0u32..12,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Random action sequences by random roles, with and without reasons, never reach an
        /// illegal state, and a terminal case never moves again.
        #[test]
        fn random_action_sequences_never_reach_an_illegal_state(
            immediate in any::<bool>(), cert in any::<bool>(), appoint in any::<bool>(),
            steps in proptest::collection::vec(arb_step(), 0..60)
        ) {
            let kind = if immediate { Kind::Immediate } else { Kind::Promised };
            let mut f = start(if appoint { Action::Appoint } else { Action::File }, Clerk, kind, cert).unwrap();
            for (a, r, reason, basis, days) in steps {
                let input = Input {
                    reason: reason.then(|| "理由".to_owned()),
                    legal_basis: basis.then(|| "依据".to_owned()),
                    days: Some(days),
                };
                let was_terminal = is_terminal(f.state);
                if let Ok((g, _)) = apply(&f, a, r, &input) {
                        prop_assert!(!was_terminal, "{:?} moved a terminal case {:?}", a, f.state);
                        prop_assert!(rule(a).roles.contains(&r));
                        if rule(a).needs_basis { prop_assert!(input.legal_basis.is_some()); }
                        f = g;
                }
                if let Err(e) = invariants(&f) { prop_assert!(false, "{}", e); }
            }
        }
    }
}
