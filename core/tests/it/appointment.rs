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
