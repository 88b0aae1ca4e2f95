//! An appointment hands in nothing (issue 17's first bug): booking marks no material as received,
//! so none is offered for reuse "from" it; at check-in the clerk ticks what was handed in.

use yc_core::case::{Action, Role, State};
use yc_core::{ActRequest, Clock, Identity, NewCase, NewStaff, Workstation, catalog};

#[test]
fn an_appointment_marks_no_material_received_until_the_clerk_ticks_it_at_check_in() {
    let dir = tempfile::tempdir().unwrap();
    let id = Identity { region: "440305".into(), code: "A01".into(), name: "预约测试".into() };
    let ws = Workstation::init(dir.path(), id, "admin-pw-1", Clock::at_date("2026-11-20".parse().unwrap())).unwrap();
    let admin = ws.actor("admin").unwrap();
    ws.import_catalog(&admin, catalog::DEMO_CATALOG_JSON).unwrap();
    let clerk = ws
        .add_staff(
            &admin,
            &NewStaff {
                id: "clerk".into(),
                name: "张伟".into(),
                roles: vec![Role::Clerk],
                departments: vec!["*".into()],
                password: None,
            },
        )
        .unwrap();
    let item = ws
        .catalog_items(None)
        .unwrap()
        .into_iter()
        .find(|i| i.materials.iter().filter(|m| m.required && m.reusable).count() >= 2)
        .expect("an item with two reusable required materials");
    let applicant = "11010519491231002X";
    let booked = ws
        .new_case(
            &clerk,
            &NewCase {
                item_code: item.code.clone(),
                applicant_id: applicant.into(),
                applicant_name: "王小二".into(),
                appointment: true,
                ..NewCase::default()
            },
        )
        .unwrap();
    let detail = ws.case_detail(&booked, None).unwrap();
    assert_eq!(detail.summary.state, State::Appointed);
    assert!(!detail.materials.is_empty());
    assert!(detail.materials.iter().all(|m| !m.provided), "nothing handed in yet: {:?}", detail.materials);
    assert!(ws.reusable_materials(applicant).unwrap().is_empty(), "nothing to reuse from a booking");

    // Check-in: the clerk ticks the one material handed in.
    let first = item.materials.iter().find(|m| m.required && m.reusable).unwrap();
    let req = ActRequest { materials: vec![first.id.clone()], ..ActRequest::default() };
    ws.act(&clerk, &booked, Action::File, &req).unwrap();
    let detail = ws.case_detail(&booked, None).unwrap();
    let provided: Vec<&str> = detail.materials.iter().filter(|m| m.provided).map(|m| m.material_id.as_str()).collect();
    assert_eq!(provided, [first.id.as_str()]);
    let reusable = ws.reusable_materials(applicant).unwrap();
    assert_eq!(reusable.len(), 1);
    assert_eq!(reusable[0].case_no, booked);
    // The record rebuilds to the same tables.
    let before = ws.derived_fingerprint().unwrap();
    ws.rebuild().unwrap();
    assert_eq!(ws.derived_fingerprint().unwrap(), before);
}

// ---- appointment slots (预约) -------------------------------------------------------------------

use chrono::DateTime;
use yc_core::appointment::command::Booking;
use yc_core::appointment::{NewBooking, Schedule, SlotTime, Status, Target, TargetKind};
use yc_core::queue::{Service, TicketStatus};
use yc_core::{CoreError, staff::Actor};

/// A workstation on Monday 2026-09-28 at 09:00 (国庆 2026-10-01..07; Saturday 10-10 is a 调休
/// working day), a clerk and an item whose two daily slots (09:00, 14:00) take two bookings each.
pub(crate) struct Fx {
    pub dir: tempfile::TempDir,
    pub ws: Workstation,
    pub clerk: Actor,
    pub admin: Actor,
    pub item: catalog::Item,
}

pub(crate) fn at(stamp: &str) -> Clock {
    Clock::fixed(DateTime::parse_from_rfc3339(stamp).unwrap())
}

impl Fx {
    pub fn new() -> Fx {
        let dir = tempfile::tempdir().unwrap();
        let id = Identity { region: "440305".into(), code: "Q01".into(), name: "某区政务服务中心".into() };
        let ws = Workstation::init(dir.path(), id, "admin-pw-1", at("2026-09-28T09:00:00+08:00")).unwrap();
        let admin = ws.actor("admin").unwrap();
        ws.import_catalog(&admin, catalog::DEMO_CATALOG_JSON).unwrap();
        let clerk = ws
            .add_staff(
                &admin,
                &NewStaff {
                    id: "clerk".into(),
                    name: "张伟".into(),
                    roles: vec![Role::Clerk],
                    departments: vec!["*".into()],
                    password: None,
                },
            )
            .unwrap();
        let item = ws
            .catalog_items(None)
            .unwrap()
            .into_iter()
            .find(|i| !i.secret && i.materials.iter().filter(|m| m.required).count() >= 2)
            .expect("an item with two required materials");
        let s = Schedule {
            target: Target { kind: TargetKind::Item, name: item.code.clone() },
            department: String::new(),
            times: vec![SlotTime::parse("09:00-10:00").unwrap(), SlotTime::parse("14:00-15:00").unwrap()],
            capacity: 2,
        };
        let s = ws.set_appointment_schedule(&admin, &s).unwrap();
        assert_eq!(s.department, item.department, "an item's schedule is its department's");
        Fx { dir, ws, clerk, admin, item }
    }

    /// The same store, read at another instant.
    pub fn at(self, stamp: &str) -> Fx {
        let Fx { dir, ws, clerk, admin, item } = self;
        Fx { ws: ws.with_clock(at(stamp)), dir, clerk, admin, item }
    }

    pub fn booking(&self, date: &str, start: &str, n: u16) -> NewBooking {
        NewBooking {
            item_code: self.item.code.clone(),
            window: None,
            date: date.parse().unwrap(),
            start: start.into(),
            applicant_id: yc_core::ids::make_resident_id("440305", "1985-03-09".parse().unwrap(), n),
            applicant_name: format!("预约人{n}"),
            external_ref: None,
        }
    }

    pub fn book(&self, date: &str, start: &str, n: u16) -> Result<Booking, CoreError> {
        self.ws.book_appointment(&self.clerk, &self.booking(date, start, n))
    }

    pub fn events(&self, action: &str) -> i64 {
        let conn = self.ws.store().reader().unwrap();
        conn.query_row("SELECT count(*) FROM journal WHERE action = ?1", [action], |r| r.get(0)).unwrap()
    }

    pub fn rebuild_is_identical(&self) {
        let before = self.ws.derived_fingerprint().unwrap();
        self.ws.rebuild().unwrap();
        assert_eq!(self.ws.derived_fingerprint().unwrap(), before, "rebuild reproduces the derived tables");
    }
}

#[test]
fn slots_exist_on_working_days_only_and_a_holiday_booking_is_refused_in_chinese() {
    let fx = Fx::new();
    let target = Target { kind: TargetKind::Item, name: fx.item.code.clone() };
    let slots = fx.ws.appointment_slots(&target, "2026-09-28".parse().unwrap(), 14).unwrap();
    let days: std::collections::BTreeSet<String> = slots.iter().map(|s| s.date.to_string()).collect();
    // 09-28..30, then 国庆 (10-01..07) has none, 10-08/09, the 调休 Saturday 10-10, 10-11 (Sunday) none.
    let expected = ["2026-09-28", "2026-09-29", "2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10"];
    assert_eq!(days.iter().map(String::as_str).collect::<Vec<_>>(), expected);
    // Six days of two slots, less today's 09:00 (it is 09:00 now: begun).
    assert_eq!(slots.len(), 11);
    assert!(slots.iter().all(|s| s.capacity == 2 && s.available == 2));

    let e = fx.book("2026-10-01", "09:00", 1).unwrap_err();
    assert!(matches!(e, CoreError::Invalid(_)), "{e:?}");
    assert!(e.to_string().contains("法定节假日（国庆节）"), "{e}");
    let e = fx.book("2026-10-11", "09:00", 1).unwrap_err();
    assert!(e.to_string().contains("休息日"), "{e}");
    let e = fx.book("2026-09-29", "11:00", 1).unwrap_err();
    assert!(e.to_string().contains("没有 11:00 开始的时段"), "{e}");
    assert_eq!(fx.events("appointment.book"), 0, "nothing refused is journaled");
    // The 调休 Saturday is a working day.
    let b = fx.book("2026-10-10", "09:00", 1).unwrap();
    assert_eq!((b.status, b.start.as_str(), b.end.as_str()), (Status::Booked, "09:00", "10:00"));
}

#[test]
fn a_full_slot_is_refused_until_a_booking_is_cancelled() {
    let fx = Fx::new();
    fx.book("2026-09-29", "14:00", 1).unwrap();
    let second = fx.book("2026-09-29", "14:00", 2).unwrap();
    let e = fx.book("2026-09-29", "14:00", 3).unwrap_err();
    assert!(e.to_string().contains("已约满（每时段 2 人）"), "{e}");
    let target = Target { kind: TargetKind::Item, name: fx.item.code.clone() };
    let slot = fx.ws.appointment_slots(&target, "2026-09-29".parse().unwrap(), 1).unwrap();
    assert_eq!((slot[1].booked, slot[1].available), (2, 0));

    assert!(fx.ws.cancel_appointment(&fx.clerk, &second.booking_id, " ").is_err(), "a reason is needed");
    let c = fx.ws.cancel_appointment(&fx.clerk, &second.booking_id, "申请人来电取消").unwrap();
    assert_eq!((c.status, c.reason.as_deref()), (Status::Cancelled, Some("申请人来电取消")));
    fx.book("2026-09-29", "14:00", 3).unwrap();
    assert!(fx.ws.cancel_appointment(&fx.clerk, &second.booking_id, "再取消").is_err(), "cancelled once");
    fx.rebuild_is_identical();
}

#[test]
fn check_in_opens_an_intake_with_nothing_received_and_a_priority_ticket() {
    let fx = Fx::new();
    let b = fx.book("2026-09-28", "14:00", 7).unwrap();
    let tomorrow = fx.book("2026-09-29", "09:00", 8).unwrap();
    let e = fx.ws.check_in_appointment(&fx.clerk, &tomorrow.booking_id, Service::General).unwrap_err();
    assert!(e.to_string().contains("不是今天"), "{e}");
    // Not come before the slot began: no 爽约 yet.
    assert!(fx.ws.record_no_show(&fx.clerk, &b.booking_id).unwrap_err().to_string().contains("尚未开始"));

    let fx = fx.at("2026-09-28T13:50:00+08:00");
    let c = fx.ws.check_in_appointment(&fx.clerk, &b.booking_id, Service::General).unwrap();
    assert_eq!(c.booking.status, Status::CheckedIn);
    assert_eq!(c.booking.case_no.as_deref(), Some(c.case_no.as_str()));
    assert!(c.ticket.priority && c.ticket.status == TicketStatus::Waiting, "{:?}", c.ticket);
    assert_eq!(c.ticket.number, "A001");
    assert!(c.ticket_text.contains("A001") && c.ticket_text.contains("预约优先"), "{}", c.ticket_text);
    assert!(!c.ticket_text.contains("预约人7"), "a ticket carries no name");
    let detail = fx.ws.case_detail(&c.case_no, None).unwrap();
    assert_eq!(detail.summary.state, State::Appointed);
    assert!(detail.materials.iter().all(|m| !m.provided), "nothing received yet: {:?}", detail.materials);
    assert!(fx.ws.reusable_materials(&b.applicant_id).unwrap().is_empty());
    assert!(fx.ws.check_in_appointment(&fx.clerk, &b.booking_id, Service::General).is_err(), "once");

    // The clerk ticks what was handed in (登记到场).
    let first = fx.item.materials.iter().find(|m| m.required).unwrap();
    let req = ActRequest { materials: vec![first.id.clone()], ..ActRequest::default() };
    fx.ws.act(&fx.clerk, &c.case_no, Action::File, &req).unwrap();
    let detail = fx.ws.case_detail(&c.case_no, None).unwrap();
    let provided: Vec<&str> = detail.materials.iter().filter(|m| m.provided).map(|m| m.material_id.as_str()).collect();
    assert_eq!(provided, [first.id.as_str()]);

    // Tomorrow's applicant did not come.
    let fx = fx.at("2026-09-29T10:30:00+08:00");
    let n = fx.ws.record_no_show(&fx.clerk, &tomorrow.booking_id).unwrap();
    assert_eq!(n.status, Status::NoShow);
    let listed = fx.ws.appointments(&fx.clerk, None, None).unwrap();
    assert_eq!(listed.len(), 2);
    fx.rebuild_is_identical();
}

#[test]
fn an_online_booking_delivered_twice_is_applied_once() {
    let fx = Fx::new();
    let mut req = fx.booking("2026-09-30", "09:00", 11);
    req.external_ref = Some("WT-2026-000123".into());
    let payload = serde_json::to_value(&req).unwrap();
    assert_eq!(payload["ref"], "WT-2026-000123");
    let conn = fx.ws.store().writer();
    // The same booking under two keys: the hall resent it after losing our acknowledgement.
    for key in ["bk-1", "bk-1-resent"] {
        let body = payload.to_string();
        conn.execute(
            "INSERT INTO inbox (adapter, stream, key, kind, case_no, payload, payload_sha256, received_at, state)
             VALUES ('city', 'appointments', ?1, 'appointment.booking', NULL, ?2, ?3, '2026-09-28T09:00:00.000+08:00', 'received')",
            rusqlite::params![key, body, yc_adapter_sdk::payload_sha256(&payload)],
        )
        .unwrap();
    }
    drop(conn);
    let rep = fx.ws.apply_inbox().unwrap();
    assert_eq!((rep.applied, rep.failed), (2, 0), "{rep:?}");
    assert_eq!(fx.events("appointment.book"), 1);
    let list = fx.ws.appointments(&fx.clerk, None, None).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].channel, yc_core::appointment::Channel::Online);
    assert_eq!(list[0].external_ref.as_deref(), Some("WT-2026-000123"));
    let results: Vec<String> =
        fx.ws.inbox_items(None, 10).unwrap().into_iter().map(|r| r.result.unwrap_or_default()).collect();
    assert!(results.iter().any(|r| r.contains("已登记过")), "{results:?}");
    // A booking on a holiday from the hall fails with the reason, kept in the inbox.
    let mut bad = fx.booking("2026-10-02", "09:00", 12);
    bad.external_ref = Some("WT-2026-000124".into());
    let e = fx.ws.book_appointment_from_sync("city", &serde_json::to_value(&bad).unwrap()).unwrap_err();
    assert!(e.to_string().contains("国庆节"), "{e}");
    fx.rebuild_is_identical();
}
