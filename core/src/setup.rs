//! Creating and opening a workstation, and its working calendar. Opening finishes a rebuild a
//! crash interrupted, so derived tables never stay half-built.

use std::path::Path;
use std::sync::RwLock;

use rusqlite::{OptionalExtension, params};

use crate::auth::{NewStaff, insert_staff};
use crate::calendar::{Calendar, YearTable};
use crate::case::Role;
use crate::clock::{Clock, stamp};
use crate::error::{CoreError, Result};
use crate::events;
use crate::journal::{self, NewEvent};
use crate::projection::Projector;
use crate::staff::{self, Actor};
use crate::store::Store;
use crate::workstation::{Identity, Status, Workstation, load_policy, validate_identity};

impl Workstation {
    /// Creates a new workstation in `dir` with its first administrator.
    pub fn init(dir: &Path, identity: Identity, admin_password: &str, clock: Clock) -> Result<Self> {
        validate_identity(&identity)?;
        let store = Store::open(dir)?;
        let now = clock.now();
        // A workstation on the real clock requires signatures from its first event; a demo or a
        // test on a fixed clock signs what its logins unlock (crate::signing).
        let required = matches!(clock, Clock::System);
        let (admin_key, ws_key) = store.write(|tx| {
            let exists: Option<String> =
                tx.query_row("SELECT region || '-' || code FROM workstation", [], |r| r.get(0)).optional()?;
            if let Some(e) = exists {
                return Err(CoreError::AlreadyInitialised(e));
            }
            tx.execute(
                "INSERT INTO workstation (id, region, code, name, created_at) VALUES (1, ?1, ?2, ?3, ?4)",
                params![identity.region, identity.code, identity.name, stamp(&now)],
            )?;
            journal::append(
                tx,
                NewEvent {
                    case_no: None,
                    actor: "system",
                    role: Role::Admin.code(),
                    action: events::INIT,
                    at: now,
                    payload: serde_json::to_value(&identity).unwrap_or_default(),
                    reason: None,
                },
            )?;
            if required {
                tx.execute(
                    "INSERT INTO settings (key, value) VALUES (?1, 'required')",
                    [crate::signing::REQUIRED_SETTING],
                )?;
                journal::append(
                    tx,
                    NewEvent {
                        case_no: None,
                        actor: "system",
                        role: Role::Admin.code(),
                        action: events::JOURNAL_SIGNING,
                        at: now,
                        payload: serde_json::json!({ "required": true }),
                        reason: None,
                    },
                )?;
            }
            let ws_key = crate::signing::create_workstation_key(tx, now)?;
            // Unlocked before the commit, so these first events are signed by the workstation.
            store.keyring_mut().insert("", None, Some(ws_key.clone()));
            let admin_key = insert_staff(
                tx,
                &NewStaff {
                    id: "admin".into(),
                    name: "系统管理员".into(),
                    roles: vec![Role::Admin],
                    departments: vec![staff::ALL_DEPARTMENTS.into()],
                    password: Some(admin_password.into()),
                },
                "system",
                now,
                Some(&ws_key),
            )?;
            Ok((admin_key, ws_key))
        })?;
        drop(store);
        let ws = Self::open(dir, clock)?;
        // Whoever just chose the admin password is the admin in this program.
        ws.store().keyring_mut().insert("admin", admin_key, Some(ws_key));
        Ok(ws)
    }

    pub fn open(dir: &Path, clock: Clock) -> Result<Self> {
        if !dir.join(crate::store::DB_FILE).exists() {
            return Err(CoreError::NotInitialised(dir.display().to_string()));
        }
        let store = Store::open(dir)?;
        let (identity, years) = {
            let conn = store.writer();
            let identity = conn
                .query_row("SELECT region, code, name FROM workstation WHERE id = 1", [], |r| {
                    Ok(Identity { region: r.get(0)?, code: r.get(1)?, name: r.get(2)? })
                })
                .optional()?
                .ok_or_else(|| CoreError::NotInitialised(dir.display().to_string()))?;
            let mut st = conn.prepare("SELECT body FROM calendar_years ORDER BY year")?;
            let years: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            (identity, years)
        };
        let mut calendar = Calendar::official();
        for body in years {
            calendar.insert_year(YearTable::parse_json(&body)?);
        }
        let policy = load_policy(&store)?;
        store.set_clock_order(matches!(clock, Clock::System))?;
        let ws = Self { store, clock, identity, calendar: RwLock::new(calendar), policy };
        crate::projection::finish_pending_rebuild(&ws.store, || ws.rebuild())?;
        Ok(ws)
    }

    /// Imports (or replaces) one year's official table; running deadlines are recomputed.
    pub fn import_calendar(&self, by: &Actor, text: &str) -> Result<i32> {
        by.require_role(Role::Admin, "导入工作日历")?;
        let table = YearTable::parse_json(text)?;
        let year = table.year;
        let body = table.to_json();
        let now = self.now();
        let mut cal = self.calendar.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut projector = Projector::new(cal.clone());
        self.store.write(|tx| {
            tx.execute(
                "INSERT INTO calendar_years (year, body) VALUES (?1, ?2) ON CONFLICT(year) DO UPDATE SET body = excluded.body",
                params![year, body],
            )?;
            let ev = journal::append_admin(tx, by, events::CALENDAR_IMPORT, now, serde_json::json!({ "year": year, "body": body }), None)?;
            projector.apply(tx, &ev)
        })?;
        *cal = projector.cal;
        Ok(year)
    }

    pub fn status(&self) -> Result<Status> {
        let conn = self.store.reader()?;
        let count = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
        Ok(Status {
            path: self.store.path().display().to_string(),
            schema_version: self.store.schema_version()?,
            identity: self.identity.clone(),
            journal_events: count("SELECT COALESCE(MAX(seq), 0) FROM journal")?,
            cases: count("SELECT count(*) FROM cases")?,
            open_cases: count("SELECT count(*) FROM cases WHERE closed_on IS NULL")?,
            catalog_version: conn.query_row("SELECT MAX(version) FROM catalog_versions", [], |r| r.get(0))?,
            calendar_years: self.calendar().years(),
            today: self.today(),
        })
    }
}
