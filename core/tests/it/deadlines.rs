//! A case's two deadlines through the workstation (issue 11, item 1): the decision deadline from
//! acceptance and, once decided, the delivery deadline (《行政许可法》§44, 10 working days). The
//! decision's lateness is fixed on the day of the decision; a paused case shows a due date and
//! days left that agree; a rebuild, and an upgraded store, fill the new columns identically.

use chrono::NaiveDate;
use rusqlite::Connection;
use yc_core::calendar::Calendar;
use yc_core::case::{Action, Role};
use yc_core::catalog::Item;
use yc_core::deadline::{DELIVERY_DAYS, Light, Phase};
use yc_core::query::{CaseSummary, ListFilter};
use yc_core::staff::Actor;
use yc_core::{ActRequest, Clock, NewCase, Workstation};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The accounts a case passes through, by the names these tests use.
pub(crate) const ACCOUNTS: [(&str, Role); 4] =
    [("clerk", Role::Clerk), ("reviewer", Role::Reviewer), ("decider", Role::Decider), ("seal", Role::SealKeeper)];

struct Fx {
    dir: tempfile::TempDir,
    ws: Workstation,
    item: Item,
}

impl Fx {
    fn new(today: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (ws, _) = crate::support::staffed_with(
            dir.path(),
            "测试窗口",
            "admin-pw",
            Clock::at_date(d(today)),
            &ACCOUNTS,
            Some("pw"),
        );
        let item = ws
            .catalog_items(None)
            .unwrap()
            .into_iter()
            .find(|i| (5..=20).contains(&i.promised_limit_days) && i.result.is_some() && !i.secret)
            .expect("the demo catalog has a promised item");
        Fx { dir, ws, item }
    }

    /// The same store, another day.
    fn on(&self, today: NaiveDate) -> Workstation {
        Workstation::open(self.dir.path(), Clock::at_date(today)).unwrap()
    }

    fn actor(&self, id: &str) -> Actor {
        self.ws.actor(id).unwrap()
    }

    fn file(&self, seq: u16) -> String {
        let req = NewCase {
            item_code: self.item.code.clone(),
            applicant_id: yc_core::ids::make_resident_id("440305", d("1980-05-17"), seq),
            applicant_name: format!("申请人{seq}"),
            ..Default::default()
        };
        self.ws.new_case(&self.actor("clerk"), &req).unwrap()
    }

    fn act(&self, on: NaiveDate, who: &str, no: &str, action: Action) {
        let req = ActRequest {
            reason: Some("理由".into()),
            legal_basis: Some("《行政许可法》第三十八条".into()),
            ..Default::default()
        };
        self.on(on).act(&self.actor(who), no, action, &req).unwrap();
    }

    fn summary(&self, on: NaiveDate, no: &str) -> CaseSummary {
        self.on(on).case_summary(no).unwrap()
    }

    fn limit(&self) -> u32 {
        self.item.promised_limit_days
    }
}

fn cal() -> Calendar {
    Calendar::official()
}

fn plus(day: NaiveDate, n: u32) -> NaiveDate {
    cal().add_workdays(day, n).unwrap()
}

/// Filed and accepted on `accepted`, under review: returns the case and its decision deadline.
fn under_review(fx: &Fx, seq: u16, accepted: NaiveDate) -> (String, NaiveDate) {
    let no = fx.file(seq);
    fx.act(accepted, "clerk", &no, Action::Accept);
    fx.act(accepted, "reviewer", &no, Action::StartReview);
    (no, plus(accepted, fx.limit()))
}

const MON: &str = "2026-03-02";

#[test]
fn a_case_decided_six_working_days_late_still_says_six_a_week_later_and_its_light_follows_delivery() {
    let fx = Fx::new(MON);
    let (no, due) = under_review(&fx, 1, d(MON));
    let decided = plus(due, 6);
    // Before the decision the decision deadline counts up as it always did.
    let before = fx.summary(decided, &no);
    assert_eq!((before.days_left, before.light, before.phase), (Some(-6), Some(Light::Red), Some(Phase::Decision)));
    fx.act(decided, "decider", &no, Action::Approve);
    let week_later = plus(decided, 5);
    let s = fx.summary(week_later, &no);
    assert_eq!(s.decided_on, Some(decided.to_string()));
    assert_eq!(s.decision_due, Some(due.to_string()));
    assert_eq!(s.decision_late_days, Some(6), "{s:?}");
    assert_eq!(s.due_date, Some(due.to_string()), "the decision deadline as it stood");
    // §44: 10 working days from the decision; 5 have passed.
    assert_eq!(s.delivery_due, Some(plus(decided, DELIVERY_DAYS).to_string()));
    assert_eq!((s.phase, s.days_left, s.light), (Some(Phase::Delivery), Some(5), Some(Light::Green)));
    // Not "超期11日": nothing counts the missed decision deadline up to today any more.
    assert_ne!(s.days_left, Some(-11));
    let ws = fx.on(week_later);
    let counts = ws.light_counts().unwrap();
    assert_eq!((counts.red, counts.green), (0, 1), "{counts:?}");
    let reds = ws.list_cases(&ListFilter { light: Some(Light::Red), ..Default::default() }).unwrap();
    assert!(reds.is_empty(), "{reds:?}");
    // Still 6 on the last day of the delivery limit and after it; only the light moves.
    let last = fx.summary(plus(decided, DELIVERY_DAYS), &no);
    assert_eq!((last.decision_late_days, last.days_left, last.light), (Some(6), Some(0), Some(Light::Yellow)));
}

#[test]
fn a_case_decided_on_time_is_not_red_while_it_waits_for_delivery_until_that_limit_passes() {
    let fx = Fx::new(MON);
    let (no, _) = under_review(&fx, 1, d(MON));
    let decided = plus(d(MON), 2);
    fx.act(decided, "decider", &no, Action::Deny);
    let delivery_due = plus(decided, DELIVERY_DAYS);
    for (day, left, light) in [
        (plus(decided, 7), 3, Light::Green),
        (plus(decided, 8), 2, Light::Yellow),
        (delivery_due, 0, Light::Yellow),
        (plus(delivery_due, 1), -1, Light::Red),
    ] {
        let s = fx.summary(day, &no);
        assert_eq!(s.decision_late_days, Some(0), "{day}: {s:?}");
        assert_eq!(s.light, Some(light), "{day}: {s:?}");
        assert_eq!(s.days_left, Some(left), "{day}: {s:?}");
    }
    // 即办件 decided on the spot: on time, the delivery limit runs from that day.
    let ws = &fx.ws;
    let immediate = ws.catalog_items(None).unwrap().into_iter().find(|i| i.promised_limit_days == 0).unwrap();
    let req = NewCase {
        item_code: immediate.code.clone(),
        applicant_id: yc_core::ids::make_resident_id("440305", d("1980-05-17"), 9),
        applicant_name: "即办".into(),
        ..Default::default()
    };
    let spot = ws.new_case(&fx.actor("clerk"), &req).unwrap();
    ws.act(&fx.actor("clerk"), &spot, Action::DecideOnSpot, &ActRequest::default()).unwrap();
    let s = fx.summary(d("2026-03-03"), &spot);
    assert_eq!((s.due_date.as_deref(), s.decision_late_days), (Some(MON), Some(0)));
    assert_eq!((s.light, s.days_left), (Some(Light::Green), Some(9)));
}

#[test]
fn a_paused_case_shows_a_due_date_and_days_left_that_agree() {
    let fx = Fx::new(MON);
    let (no, due) = under_review(&fx, 1, d(MON));
    let stop = d("2026-03-05");
    let left_at_stop = cal().workdays_between(stop, due).unwrap();
    fx.act(stop, "decider", &no, Action::Suspend);
    let mut shown = Vec::new();
    for day in ["2026-03-05", "2026-03-06", "2026-03-07", "2026-03-09", "2026-03-20", "2026-04-03", "2026-04-07"] {
        let today = d(day);
        let s = fx.summary(today, &no);
        assert!(s.paused, "{day}");
        let due_shown: NaiveDate = s.due_date.as_deref().unwrap().parse().unwrap();
        // What the clerk reads agrees: the days left are the working days to the date shown.
        assert_eq!(s.days_left, Some(left_at_stop), "{day}: {s:?}");
        assert_eq!(cal().workdays_between(today, due_shown).unwrap(), left_at_stop, "{day}: {s:?}");
        // One working day later per working day paused.
        assert_eq!(due_shown, plus(due, u32::try_from(cal().workdays_between(stop, today).unwrap()).unwrap()));
        shown.push(due_shown);
    }
    assert!(shown.windows(2).all(|w| w[0] <= w[1]), "{shown:?}");
    let counts = fx.on(d("2026-03-09")).light_counts().unwrap();
    assert_eq!(counts.paused, 1, "{counts:?}");
    // The clock restarts: the stored date is the one shown on the day it restarted.
    let resumed = d("2026-03-20");
    fx.act(resumed, "decider", &no, Action::Resume);
    let s = fx.summary(resumed, &no);
    assert!(!s.paused);
    assert_eq!(s.due_date, Some(shown[4].to_string()));
    assert_eq!(s.days_left, Some(left_at_stop));
}

/// Cases in every deadline phase: pre-review, paused, under review, decided late, decided on time
/// and delivered (sealed), decided on the spot.
fn mixed_store(fx: &Fx) {
    let admin = fx.actor("admin");
    let low = yc_seal::KeyStoreOptions { iterations: std::num::NonZeroU32::new(1000).unwrap(), max_attempts: 5 };
    fx.ws.create_seal_authority(&admin, "测试印章制作中心", "authority-pin", low).unwrap();
    fx.ws
        .issue_seal(
            &admin,
            &fx.item.department,
            yc_seal::SealType::AdministrativeLicensing,
            "seal-pin",
            "authority-pin",
            low,
        )
        .unwrap();
    let _pre_review = fx.file(1);
    let (paused, _) = under_review(fx, 2, d(MON));
    fx.act(d("2026-03-04"), "reviewer", &paused, Action::RequestSupplement);
    let (_running, _) = under_review(fx, 3, d(MON));
    let (late, due) = under_review(fx, 4, d(MON));
    fx.act(plus(due, 3), "decider", &late, Action::Approve);
    let (delivered, _) = under_review(fx, 5, d(MON));
    let decided = d("2026-03-04");
    fx.act(decided, "decider", &delivered, Action::Approve);
    let ws = fx.on(decided);
    ws.seal_document(&fx.actor("seal"), &delivered, yc_core::seal::DocKind::Approval, "seal-pin").unwrap();
    if fx.item.result.as_ref().is_some_and(|r| format!("{:?}", r.kind).to_lowercase().contains("certificate")) {
        fx.act(decided, "seal", &delivered, Action::IssueCertificate);
    }
    fx.act(d("2026-03-06"), "clerk", &delivered, Action::Deliver);
    let s = fx.summary(d("2026-03-30"), &delivered);
    assert_eq!((s.closed_on.as_deref(), s.decision_late_days, s.phase), (Some("2026-03-06"), Some(0), None));
    assert_eq!((s.days_left, s.light), (None, None));
    let late = fx.summary(d("2026-03-30"), &late);
    assert_eq!(late.decision_late_days, Some(3));
}

#[test]
fn a_rebuild_reproduces_the_fingerprint_with_both_deadlines() {
    let fx = Fx::new(MON);
    mixed_store(&fx);
    let before = fx.ws.derived_fingerprint().unwrap();
    // The new columns are part of it: clearing one is seen, and the rebuild restores it.
    let c = Connection::open(fx.dir.path().join("yichuang.db")).unwrap();
    let n = c.execute("UPDATE cases SET decision_late_days = NULL WHERE decision_late_days = 3", []).unwrap();
    assert_eq!(n, 1);
    drop(c);
    assert_ne!(fx.ws.derived_fingerprint().unwrap(), before);
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), before);
}

/// Migration 0006 on a store that has cases asks for the replay; on an empty one it does not.
#[test]
fn migration_0006_adds_the_columns_and_asks_for_a_replay_only_when_there_are_cases() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let (before, rest): (Vec<_>, Vec<_>) =
        files.into_iter().partition(|f| f.file_name().unwrap().to_string_lossy().as_ref() < "20261202_0006");
    let ours = rest.iter().find(|f| f.to_string_lossy().contains("_0006_two_deadlines")).expect("migration 0006");
    for with_cases in [false, true] {
        let c = Connection::open_in_memory().unwrap();
        for f in &before {
            c.execute_batch(&std::fs::read_to_string(f).unwrap()).unwrap();
        }
        if with_cases {
            c.execute_batch(
                "INSERT INTO cases (case_no, item_code, catalog_version, item_name, department, kind, applicant_id,
                    applicant_name, applicant_kind, channel, state, has_certificate, filed_on, limit_days,
                    statutory_days, created_at, created_by, updated_at, last_seq)
                 VALUES ('c1', 'i', 1, 'n', 'd', 'promised', 'a', 'n', 'person', 'window', 'approved', 0,
                    '2026-03-02', 5, 20, 't', 'u', 't', 1)",
            )
            .unwrap();
        }
        c.execute_batch(&std::fs::read_to_string(ours).unwrap()).unwrap();
        let mut st = c.prepare("SELECT decided_on, decision_due, decision_late_days, delivery_due FROM cases").unwrap();
        type DecisionColumns = (Option<String>, Option<String>, Option<i64>, Option<String>);
        let rows: Vec<DecisionColumns> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        // Empty until the replay fills them.
        assert_eq!(rows, if with_cases { vec![(None, None, None, None)] } else { vec![] });
        drop(st);
        let mark: Option<String> = c
            .query_row("SELECT value FROM settings WHERE key = ?1", [yc_core::projection::REBUILD_PENDING], |r| {
                r.get(0)
            })
            .ok();
        assert_eq!(mark.is_some(), with_cases, "{mark:?}");
    }
}

/// A store the migration marked: the next opening replays the journal once and the new columns
/// come out as live updates write them.
#[test]
fn an_upgraded_store_is_filled_once_on_opening() {
    let fx = Fx::new(MON);
    mixed_store(&fx);
    let before = fx.ws.derived_fingerprint().unwrap();
    let Fx { dir, ws, .. } = fx;
    drop(ws);
    // What migration 0006 leaves on a store with cases: empty columns and the request.
    let c = Connection::open(dir.path().join("yichuang.db")).unwrap();
    c.execute_batch(
        "UPDATE cases SET decided_on = NULL, decision_due = NULL, decision_late_days = NULL, delivery_due = NULL;
         INSERT INTO settings (key, value) VALUES ('derived_rebuild_pending', '20261202_0006_two_deadlines');",
    )
    .unwrap();
    drop(c);
    let ws = Workstation::open(dir.path(), Clock::at_date(d("2026-03-30"))).unwrap();
    assert_eq!(ws.derived_fingerprint().unwrap(), before, "the replay fills the new columns as live updates do");
    assert_eq!(ws.setting(yc_core::projection::REBUILD_PENDING).unwrap(), None, "done once");
    let late = ws.list_cases(&ListFilter::default()).unwrap().into_iter().filter(|s| s.decision_late_days == Some(3));
    assert_eq!(late.count(), 1);
}

#[test]
fn a_new_store_needs_no_rebuild() {
    let fx = Fx::new(MON);
    assert_eq!(fx.ws.setting(yc_core::projection::REBUILD_PENDING).unwrap(), None);
}

#[test]
fn an_upgraded_store_with_a_broken_chain_still_opens_and_keeps_the_rebuild_for_later() {
    let fx = Fx::new(MON);
    mixed_store(&fx);
    let Fx { dir, ws, .. } = fx;
    drop(ws);
    let c = Connection::open(dir.path().join("yichuang.db")).unwrap();
    c.execute_batch(
        "DROP TRIGGER journal_is_append_only_u;
         UPDATE journal SET reason = '改过的理由' WHERE seq = 20;
         INSERT INTO settings (key, value) VALUES ('derived_rebuild_pending', 'test');",
    )
    .unwrap();
    drop(c);
    // The rebuild refuses to launder the tampered journal; the clerk can still open and verify.
    let ws = Workstation::open(dir.path(), Clock::at_date(d(MON))).unwrap();
    assert!(!ws.verify_journal().unwrap().ok);
    assert_eq!(ws.setting(yc_core::projection::REBUILD_PENDING).unwrap().as_deref(), Some("test"));
}
