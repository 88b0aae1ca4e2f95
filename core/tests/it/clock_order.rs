//! A real workstation's record keeps time order: an event earlier than the last one (a clock set
//! back to backdate an acceptance) or far after it stops writes until an admin confirms the clock,
//! on the record. Demos travel in time freely.

use yc_core::case::Role;
use yc_core::{Clock, CoreError, Identity, NewCase, NewStaff, Workstation, catalog};

fn at(d: &str) -> Clock {
    Clock::at_date(d.parse().unwrap())
}

fn file(ws: &Workstation, n: u16) -> Result<String, CoreError> {
    let item = ws.catalog_items(None).unwrap().into_iter().find(|i| i.promised_limit_days > 0 && !i.secret).unwrap();
    let clerk = ws.actor("clerk").unwrap();
    ws.new_case(
        &clerk,
        &NewCase {
            item_code: item.code,
            applicant_id: yc_core::ids::make_resident_id("440305", "1985-01-01".parse().unwrap(), n),
            applicant_name: format!("申请人{n}"),
            ..Default::default()
        },
    )
}

fn journal_len(ws: &Workstation) -> i64 {
    ws.status().unwrap().journal_events
}

#[test]
fn a_clock_set_back_or_far_ahead_stops_writes_until_an_admin_confirms() {
    let dir = tempfile::tempdir().unwrap();
    let id = Identity { region: "440305".into(), code: "W01".into(), name: "时钟测试".into() };
    let ws = Workstation::init(dir.path(), id, "pw-123456", at("2026-12-02")).unwrap().with_clock_order_enforced();
    let admin = ws.actor("admin").unwrap();
    ws.import_catalog(&admin, catalog::DEMO_CATALOG_JSON).unwrap();
    let clerk = NewStaff {
        id: "clerk".into(),
        name: "clerk".into(),
        roles: vec![Role::Clerk],
        departments: vec!["*".into()],
        password: None,
    };
    ws.add_staff(&admin, &clerk).unwrap();
    file(&ws, 1).unwrap();
    drop(ws);

    // The system clock now says 2026-03-02: the acceptance would be backdated. Refused, nothing written.
    let back = Workstation::open(dir.path(), at("2026-03-02")).unwrap().with_clock_order_enforced();
    let before = journal_len(&back);
    let e = file(&back, 2).unwrap_err();
    assert!(
        matches!(&e, CoreError::ClockBehind { last, now } if last.starts_with("2026-12-02") && now.starts_with("2026-03-02")),
        "{e:?}"
    );
    assert!(e.to_string().contains("时钟可能被调回"), "{e}");
    assert_eq!(journal_len(&back), before);
    // Only an admin confirms, with a reason; then work goes on from the confirmed time.
    let clerk = back.actor("clerk").unwrap();
    assert!(matches!(back.confirm_clock(&clerk, "x"), Err(CoreError::RoleDenied { .. })));
    let admin = back.actor("admin").unwrap();
    assert!(matches!(back.confirm_clock(&admin, " "), Err(CoreError::Missing { .. })));
    back.confirm_clock(&admin, "主板电池更换后时钟复位，已与北京时间核对").unwrap();
    file(&back, 3).unwrap();
    drop(back);

    // Half a year of silence: a jump forward is confirmed too (the default bound is 90 days).
    let ahead = Workstation::open(dir.path(), at("2026-10-01")).unwrap().with_clock_order_enforced();
    assert!(matches!(file(&ahead, 4), Err(CoreError::ClockJump { days: 90, .. })));
    // A fixed clock without enforcement (a test replaying a scenario) is not checked.
    let replay = Workstation::open(dir.path(), at("2026-01-05")).unwrap();
    file(&replay, 5).unwrap();
    assert!(replay.verify_journal().unwrap().ok);
}
