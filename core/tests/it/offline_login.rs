//! Offline-login age (issue 12 part 5): a workstation that has not synced for longer than
//! `auth.offline_login_days` (default 30) lets only an administrator log in, who can then sync;
//! a workstation that syncs nothing, and a demo, are never held.

use rusqlite::Connection;
use yc_core::case::Role;
use yc_core::sync::outbox::AdapterRegistration;
use yc_core::{Clock, CoreError, Identity, NewStaff, Workstation};

fn day(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn after_a_month_without_sync_only_an_admin_logs_in() {
    let dir = tempfile::tempdir().unwrap();
    let id = Identity { region: "440305".into(), code: "W01".into(), name: "山区窗口".into() };
    let ws = Workstation::init(dir.path(), id, "admin-pw-1", Clock::at_date(day("2026-10-01"))).unwrap();
    let admin = ws.actor("admin").unwrap();
    ws.add_staff(
        &admin,
        &NewStaff {
            id: "clerk".into(),
            name: "clerk".into(),
            roles: vec![Role::Clerk],
            departments: vec!["*".into()],
            password: Some("clerk-pw-1".into()),
        },
    )
    .unwrap();
    // No adapter: nothing to be out of step with.
    let later = Workstation::open(dir.path(), Clock::at_date(day("2026-12-20"))).unwrap();
    later.login("clerk", "clerk-pw-1").unwrap();

    let config = yc_adapter_sdk::AdapterConfig::parse(
        std::path::Path::new("city.json"),
        r#"{"name":"city","kind":"city-extranet","settings":{"base_url":"http://127.0.0.1:9","source":"440305-W01"}}"#,
    )
    .unwrap();
    let reg = AdapterRegistration {
        config,
        streams: vec!["*".into()],
        departments: vec!["*".into()],
        backfill: false,
        program_confirmed: false,
    };
    ws.register_adapter(&admin, &reg).unwrap();
    let set_last = |stamp: &str| {
        let c = Connection::open(dir.path().join("yichuang.db")).unwrap();
        c.execute("UPDATE adapters SET last_success_at = ?1", [stamp]).unwrap();
    };
    set_last("2026-10-02T10:00:00.000+08:00");

    // 31 days later: refused, with why and since when; the password was right, so nothing counts.
    let ws = Workstation::open(dir.path(), Clock::at_date(day("2026-11-02"))).unwrap();
    let e = ws.login("clerk", "clerk-pw-1").unwrap_err();
    assert!(matches!(e, CoreError::OfflineTooLong { days: 31, .. }), "{e:?}");
    assert!(e.to_string().contains("2026-10-02") && e.to_string().contains("管理员"), "{e}");
    ws.login("admin", "admin-pw-1").unwrap();
    // 30 days is still fine; after a sync the clerk is back.
    let ws30 = Workstation::open(dir.path(), Clock::at_date(day("2026-11-01"))).unwrap();
    ws30.login("clerk", "clerk-pw-1").unwrap();
    set_last("2026-11-02T09:00:00.000+08:00");
    ws.login("clerk", "clerk-pw-1").unwrap();

    // Configurable, and 0 turns it off.
    set_last("2026-10-02T10:00:00.000+08:00");
    Connection::open(dir.path().join("yichuang.db"))
        .unwrap()
        .execute("INSERT INTO settings (key, value) VALUES ('auth.offline_login_days', '0')", [])
        .unwrap();
    ws.login("clerk", "clerk-pw-1").unwrap();
}
