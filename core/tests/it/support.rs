//! Set-ups several test modules share.

use std::path::Path;

use yc_core::case::Role;
use yc_core::staff::Actor;
use yc_core::sync::outbox::AdapterRegistration;
use yc_core::{Clock, Identity, NewStaff, Workstation, catalog};

/// A new workstation (region 440305, code W01) in `dir` with the demo catalog and one account
/// per `(id, role)` for every department, each with `password` (`None`: no login of its own);
/// returned with its administrator (password "pw" unless `admin_password` says otherwise).
pub(crate) fn staffed_with(
    dir: &Path,
    name: &str,
    admin_password: &str,
    clock: Clock,
    accounts: &[(&str, Role)],
    password: Option<&str>,
) -> (Workstation, Actor) {
    let id = Identity { region: "440305".into(), code: "W01".into(), name: name.into() };
    let ws = Workstation::init(dir, id, admin_password, clock).unwrap();
    let admin = ws.actor("admin").unwrap();
    ws.import_catalog(&admin, catalog::DEMO_CATALOG_JSON).unwrap();
    for (id, role) in accounts {
        let staff = NewStaff {
            id: (*id).into(),
            name: (*id).into(),
            roles: vec![*role],
            departments: vec!["*".into()],
            password: password.map(Into::into),
        };
        ws.add_staff(&admin, &staff).unwrap();
    }
    (ws, admin)
}

/// Registers a city-extranet adapter named `name` for every stream and department (its settings
/// unused: the tests hand the sync pass their own adapter).
pub(crate) fn register_city(ws: &Workstation, admin: &Actor, name: &str) {
    let reg = AdapterRegistration {
        config: yc_adapter_sdk::AdapterConfig::from_json_str(&format!(
            r#"{{"name":"{name}","kind":"city-extranet","settings":{{}}}}"#
        ))
        .unwrap(),
        streams: vec!["*".into()],
        departments: vec!["*".into()],
        backfill: false,
        program_confirmed: false,
    };
    ws.register_adapter(admin, &reg).unwrap();
}
