//! The workstation: the service every front end (CLI, desktop shell, tests) calls.
//! Each command resolves the actor, checks role and department here in the core, then appends its
//! journal event and projects it in one transaction.

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use chrono::{DateTime, FixedOffset, NaiveDate};
use ring::digest;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, YearTable};
use crate::case::{self, Action, Input, Role};
use crate::catalog::{self, CatalogFile, Item};
use crate::clock::{Clock, stamp};
use crate::deadline::LightPolicy;
use crate::error::{CoreError, Result};
use crate::ids;
use crate::journal::{self, Event, NewEvent, hex};
use crate::projection::{
    ActPayload, ApplicantSnapshot, FiledPayload, ItemSnapshot, MaterialRecord, Projector, SubItemRef, actions,
};
use crate::staff::{self, Actor};
use crate::store::Store;

/// Where the store lives unless `--data DIR` says otherwise: `$XDG_DATA_HOME/yichuang`.
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("cn.gov", "Yichuang", "yichuang")
        .map_or_else(|| PathBuf::from(".yichuang"), |d| d.data_dir().to_path_buf())
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Identity {
    /// 6-digit 行政区划代码.
    pub region: String,
    /// 2–4 characters A–Z/0–9, unique within the region (assigned by the service centre).
    pub code: String,
    pub name: String,
}

/// Case number: `{region}-{workstation}-{YYYYMMDD}-{sequence:05}`, e.g. `440305-W01-20261123-00042`.
/// Unique without the network: the region and workstation code are unique, and the daily sequence
/// is allocated inside the write transaction that files the case.
pub fn case_no(identity: &Identity, day: NaiveDate, seq: u32) -> String {
    format!("{}-{}-{}-{seq:05}", identity.region, identity.code, day.format("%Y%m%d"))
}

/// (`YYYYMMDD`, sequence) of a case number.
pub fn case_no_parts(case_no: &str) -> Option<(String, u32)> {
    let mut it = case_no.rsplitn(3, '-');
    let seq = it.next()?.parse().ok()?;
    let day = it.next()?;
    (day.len() == 8 && day.bytes().all(|b| b.is_ascii_digit())).then(|| (day.to_owned(), seq))
}

fn validate_identity(id: &Identity) -> Result<()> {
    if id.region.len() != 6 || !id.region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CoreError::Invalid(format!("行政区划代码应为 6 位数字：{}", id.region)));
    }
    let ok = (2..=4).contains(&id.code.len()) && id.code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !ok {
        return Err(CoreError::Invalid(format!("工作站代码应为 2–4 位大写字母或数字：{}", id.code)));
    }
    if id.name.trim().is_empty() {
        return Err(CoreError::Invalid("工作站名称不能为空".into()));
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewStaff {
    pub id: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub departments: Vec<String>,
    pub password: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewCase {
    pub item_code: String,
    pub applicant_id: String,
    pub applicant_name: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// window | online | township
    #[serde(default)]
    pub channel: Option<String>,
    /// Material ids handed in. `None` = all required materials handed in.
    #[serde(default)]
    pub provided: Option<Vec<String>>,
    /// material id → earlier case number it is reused from.
    #[serde(default)]
    pub reuse: Vec<(String, String)>,
    /// Book an appointment (预约) instead of filing now.
    #[serde(default)]
    pub appointment: bool,
    /// A credit code that fails only its checksum (early pilot codes) may be accepted with a reason.
    #[serde(default)]
    pub id_override: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Scans and photos already stored with `put_attachment`, named by hash.
    #[serde(default)]
    pub attachments: Vec<crate::attachment::Attachment>,
    /// The situation (办理情形, a catalog sub-item code) when the item has several: only its
    /// materials apply. None = every material of the item.
    #[serde(default)]
    pub sub_item: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ActRequest {
    pub reason: Option<String>,
    pub legal_basis: Option<String>,
    pub days: Option<u32>,
    #[serde(default)]
    pub materials: Vec<String>,
    pub detail: Option<String>,
    /// Scans of the corrected materials handed in with a supplement (补正材料), stored first with
    /// `put_attachment`.
    #[serde(default)]
    pub attachments: Vec<crate::attachment::Attachment>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct CatalogVersion {
    pub version: i64,
    pub label: String,
    pub issuer: String,
    pub imported_at: String,
    pub imported_by: String,
    pub sha256: String,
    pub item_count: i64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ReusableMaterial {
    pub material_id: String,
    pub name: String,
    pub case_no: String,
    pub filed_on: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub path: String,
    pub schema_version: usize,
    pub identity: Identity,
    pub journal_events: i64,
    pub cases: i64,
    pub open_cases: i64,
    pub catalog_version: Option<i64>,
    pub calendar_years: Vec<i32>,
    pub today: NaiveDate,
}

pub struct Workstation {
    pub(crate) store: Store,
    pub(crate) clock: Clock,
    pub(crate) identity: Identity,
    pub(crate) calendar: RwLock<Calendar>,
    pub policy: LightPolicy,
}

fn role_for(actor: &Actor, action: Action) -> Result<Role> {
    let rule = case::rule(action);
    rule.roles.iter().copied().find(|r| actor.has_role(*r)).ok_or_else(|| CoreError::RoleDenied {
        actor: actor.name.clone(),
        role: rule.roles.iter().map(|r| r.zh()).collect::<Vec<_>>().join("或"),
        action: action.zh().into(),
    })
}

fn refusal(state: case::State, action: Action, actor: &Actor, r: case::Refusal) -> CoreError {
    match r {
        case::Refusal::Role { needed } => CoreError::RoleDenied {
            actor: actor.name.clone(),
            role: needed.iter().map(|r| r.zh()).collect::<Vec<_>>().join("或"),
            action: action.zh().into(),
        },
        case::Refusal::State { detail } => {
            CoreError::IllegalTransition { state: state.zh().into(), action: action.zh().into(), detail }
        }
        case::Refusal::Missing { field } => CoreError::Missing { action: action.zh().into(), field: field.into() },
        case::Refusal::Invalid(m) => CoreError::Invalid(m),
    }
}

impl Workstation {
    /// Creates a new workstation in `dir` with its first administrator.
    pub fn init(dir: &Path, identity: Identity, admin_password: &str, clock: Clock) -> Result<Self> {
        validate_identity(&identity)?;
        let store = Store::open(dir)?;
        let now = clock.now();
        store.write(|tx| {
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
                    action: actions::INIT,
                    at: now,
                    payload: serde_json::to_value(&identity).unwrap_or_default(),
                    reason: None,
                },
            )?;
            insert_staff(
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
            )
        })?;
        drop(store);
        Self::open(dir, clock)
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

    /// Replaces the clock (the CLI's `--today`, a demo workstation's frozen day).
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        // A failure here only leaves the previous policy in place; the store opened fine.
        let _ = self.store.set_clock_order(matches!(clock, Clock::System));
        self.clock = clock;
        self
    }

    /// Enforces time order of events even on a fixed clock (a test of what a real workstation
    /// does when its system clock goes back, or a training workstation that should behave so).
    #[must_use]
    pub fn with_clock_order_enforced(self) -> Self {
        let _ = self.store.set_clock_order(true);
        self
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        let conn = self.store.reader()?;
        Ok(conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The content-addressed file store beside the database.
    pub fn blobs(&self) -> crate::attachment::BlobStore {
        crate::attachment::BlobStore::new(self.store.path().parent().unwrap_or_else(|| Path::new(".")))
    }

    /// Stores a scan or photo for an intake in progress (before the case exists). Clerks only.
    /// Unreferenced files cost disk, never correctness: only the journal makes a file part of a case.
    pub fn put_attachment(&self, by: &Actor, name: &str, bytes: &[u8]) -> Result<crate::attachment::Attachment> {
        by.require_role(Role::Clerk, "添加附件")?;
        self.blobs().put(name, bytes)
    }

    /// A case's attachment and its bytes, for staff of the case's department.
    pub fn attachment(
        &self,
        by: &Actor,
        case_no: &str,
        sha256: &str,
    ) -> Result<(crate::attachment::Attachment, Vec<u8>)> {
        let summary = self.case_summary(case_no)?;
        by.require_department(&summary.department)?;
        let conn = self.store.reader()?;
        let att = conn
            .prepare_cached(
                "SELECT sha256, name, mime, size, material_id FROM case_attachments WHERE case_no = ?1 AND sha256 = ?2 LIMIT 1",
            )?
            .query_row(params![case_no, sha256], crate::query::attachment_row)
            .optional()?
            .ok_or_else(|| CoreError::Invalid(format!("办件 {case_no} 没有这个附件")))?;
        drop(conn);
        let bytes = self.blobs().get(&att.sha256)?;
        Ok((att, bytes))
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    pub fn calendar(&self) -> std::sync::RwLockReadGuard<'_, Calendar> {
        self.calendar.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn now(&self) -> DateTime<FixedOffset> {
        self.clock.now()
    }

    // ---- staff -------------------------------------------------------------------------------

    /// The actor for `id`, for front ends that have already authenticated the person (the CLI run
    /// by the workstation's OS user, or the desktop after [`Self::login`]).
    pub fn actor(&self, id: &str) -> Result<Actor> {
        let conn = self.store.reader()?;
        load_actor(&conn, id)
    }

    pub fn add_staff(&self, by: &Actor, s: &NewStaff) -> Result<Actor> {
        by.require_role(Role::Admin, "添加工作人员")?;
        if s.id.trim().is_empty() || s.name.trim().is_empty() || s.roles.is_empty() || s.departments.is_empty() {
            return Err(CoreError::Invalid("工作人员须有账号、姓名、至少一个角色和部门".into()));
        }
        let now = self.now();
        self.store.write(|tx| insert_staff(tx, s, &by.id, now))?;
        self.actor(&s.id)
    }

    pub fn list_staff(&self) -> Result<Vec<Actor>> {
        let conn = self.store.reader()?;
        let mut st = conn.prepare("SELECT id FROM staff WHERE active = 1 ORDER BY id")?;
        let ids: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        ids.iter().map(|i| load_actor(&conn, i)).collect()
    }

    // ---- catalog -----------------------------------------------------------------------------

    /// Imports a catalog file as a new version, atomically: a malformed file changes nothing.
    pub fn import_catalog(&self, by: &Actor, text: &str) -> Result<CatalogVersion> {
        by.require_role(Role::Admin, "导入事项目录")?;
        let file = catalog::parse(text)?;
        let sha = hex(digest::digest(&digest::SHA256, text.as_bytes()).as_ref());
        let now = self.now();
        let version = self.store.write(|tx| {
            let version: i64 = tx.query_row("SELECT COALESCE(MAX(version), 0) + 1 FROM catalog_versions", [], |r| r.get(0))?;
            tx.execute(
                "INSERT INTO catalog_versions (version, label, issuer, imported_at, imported_by, sha256, item_count)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![version, file.version, file.issuer, stamp(&now), by.id, sha, file.items.len()],
            )?;
            let mut st = tx.prepare(
                "INSERT INTO catalog_items (version, code, name, department, item_type, kind, statutory_days, promised_days, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for item in &file.items {
                let body = serde_json::to_string(item).map_err(|e| CoreError::Invalid(e.to_string()))?;
                st.execute(params![
                    version,
                    item.code,
                    item.name,
                    item.department,
                    enum_code(&item.item_type),
                    enum_code(&item.kind),
                    item.statutory_limit_days,
                    item.promised_limit_days,
                    body
                ])?;
            }
            journal::append(
                tx,
                NewEvent {
                    case_no: None,
                    actor: &by.id,
                    role: Role::Admin.code(),
                    action: actions::CATALOG_IMPORT,
                    at: now,
                    payload: serde_json::json!({ "version": version, "label": file.version, "sha256": sha, "items": file.items.len() }),
                    reason: None,
                },
            )?;
            Ok(version)
        })?;
        self.catalog_versions()?
            .into_iter()
            .find(|v| v.version == version)
            .ok_or_else(|| CoreError::Invalid("导入后找不到目录版本".into()))
    }

    pub fn catalog_versions(&self) -> Result<Vec<CatalogVersion>> {
        let conn = self.store.reader()?;
        let mut st = conn.prepare(
            "SELECT version, label, issuer, imported_at, imported_by, sha256, item_count FROM catalog_versions ORDER BY version",
        )?;
        let rows = st.query_map([], |r| {
            Ok(CatalogVersion {
                version: r.get(0)?,
                label: r.get(1)?,
                issuer: r.get(2)?,
                imported_at: r.get(3)?,
                imported_by: r.get(4)?,
                sha256: r.get(5)?,
                item_count: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn current_catalog_version(&self) -> Result<Option<i64>> {
        let conn = self.store.reader()?;
        Ok(conn.query_row("SELECT MAX(version) FROM catalog_versions", [], |r| r.get(0))?)
    }

    /// Items of `version` (default: current), in code order.
    pub fn catalog_items(&self, version: Option<i64>) -> Result<Vec<Item>> {
        let Some(v) = version.map_or_else(|| self.current_catalog_version(), |v| Ok(Some(v)))? else {
            return Ok(Vec::new());
        };
        let conn = self.store.reader()?;
        let mut st = conn.prepare("SELECT body FROM catalog_items WHERE version = ?1 ORDER BY department, code")?;
        let bodies: Vec<String> = st.query_map([v], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        bodies.iter().map(|b| serde_json::from_str(b).map_err(|e| CoreError::Invalid(e.to_string()))).collect()
    }

    pub fn catalog_item(&self, code: &str, version: Option<i64>) -> Result<(i64, Item)> {
        let conn = self.store.reader()?;
        let row: Option<(i64, String)> = conn
            .query_row(
                "SELECT version, body FROM catalog_items WHERE code = ?1 AND version = COALESCE(?2, (SELECT MAX(version) FROM catalog_versions))",
                params![code, version],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (v, body) = row.ok_or_else(|| CoreError::UnknownItem(code.into()))?;
        Ok((v, serde_json::from_str(&body).map_err(|e| CoreError::Invalid(e.to_string()))?))
    }

    pub fn export_catalog(&self, version: Option<i64>) -> Result<String> {
        let versions = self.catalog_versions()?;
        let v = match version {
            Some(v) => versions.into_iter().find(|x| x.version == v),
            None => versions.into_iter().last(),
        }
        .ok_or_else(|| CoreError::Invalid("没有可导出的事项目录版本".into()))?;
        let items = self.catalog_items(Some(v.version))?;
        let file = CatalogFile {
            format: catalog::FORMAT.to_owned(),
            version: v.label,
            published: None,
            issuer: v.issuer,
            items,
        };
        Ok(catalog::to_json(&file))
    }

    // ---- calendar ----------------------------------------------------------------------------

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
            let ev = journal::append(
                tx,
                NewEvent {
                    case_no: None,
                    actor: &by.id,
                    role: Role::Admin.code(),
                    action: actions::CALENDAR_IMPORT,
                    at: now,
                    payload: serde_json::json!({ "year": year, "body": body }),
                    reason: None,
                },
            )?;
            projector.apply(tx, &ev)
        })?;
        *cal = projector.cal;
        Ok(year)
    }

    // ---- cases -------------------------------------------------------------------------------

    /// Files a new application (or books an appointment). Returns the case number.
    pub fn new_case(&self, by: &Actor, req: &NewCase) -> Result<String> {
        let mut out = self.new_cases(by, std::slice::from_ref(req))?;
        Ok(out.remove(0))
    }

    /// Files several cases in one transaction (bulk intake from a township packet, the demo,
    /// benchmarks). All or none.
    pub fn new_cases(&self, by: &Actor, reqs: &[NewCase]) -> Result<Vec<String>> {
        let action_new = |r: &NewCase| if r.appointment { Action::Appoint } else { Action::File };
        let today = self.today();
        let mut prepared = Vec::with_capacity(reqs.len());
        let mut items: std::collections::HashMap<String, (i64, Item)> = std::collections::HashMap::new();
        for req in reqs {
            let role = role_for(by, action_new(req))?;
            if !items.contains_key(&req.item_code) {
                items.insert(req.item_code.clone(), self.catalog_item(&req.item_code, None)?);
            }
            let (version, item) = &items[&req.item_code];
            by.require_department(&item.department)?;
            prepared.push((role, self.filed_payload(req, *version, item, today)?));
        }
        let now = self.now();
        let cal = self.calendar();
        let mut projector = Projector::new(cal.clone());
        drop(cal);
        let day_key = now.format("%Y%m%d").to_string();
        self.store.write(|tx| {
            let mut seq: u32 = tx
                .prepare_cached("SELECT last FROM case_seq WHERE day = ?1")?
                .query_row([&day_key], |r| r.get(0))
                .optional()?
                .unwrap_or(0);
            let mut out = Vec::with_capacity(prepared.len());
            for ((role, payload), req) in prepared.iter().zip(reqs) {
                seq += 1;
                let no = case_no(&self.identity, now.date_naive(), seq);
                let ev = journal::append(
                    tx,
                    NewEvent {
                        case_no: Some(&no),
                        actor: &by.id,
                        role: role.code(),
                        action: action_new(req).code(),
                        at: now,
                        payload: serde_json::to_value(payload).map_err(|e| CoreError::Invalid(e.to_string()))?,
                        reason: None,
                    },
                )?;
                projector.apply(tx, &ev)?;
                crate::sync::outbox::enqueue(tx, &ev, &self.label())?;
                out.push(no);
            }
            Ok(out)
        })
    }

    fn filed_payload(&self, req: &NewCase, version: i64, item: &Item, today: NaiveDate) -> Result<FiledPayload> {
        let name = req.applicant_name.trim();
        if name.is_empty() {
            return Err(CoreError::Missing { action: "申请收件".into(), field: "申请人姓名或名称".into() });
        }
        let raw = ids::normalize(&req.applicant_id);
        let overridden = req.id_override.as_deref().is_some_and(|r| !r.trim().is_empty());
        // The rule (checksum override, warnings the clerk confirms, a number that reads as a
        // person's ID) is ids::accept_for_intake; a reason given is recorded with the case.
        let accepted = ids::accept_for_intake(&raw, today, None, overridden)?;
        let looks_credit = accepted.kind == ids::IdKind::CreditCode;
        let (kind, id) = (if looks_credit { "legal_person" } else { "person" }, accepted.normalized);
        let channel = req.channel.clone().unwrap_or_else(|| "window".into());
        if !matches!(channel.as_str(), "window" | "online" | "township") {
            return Err(CoreError::Invalid(format!("未知的收件渠道：{channel}")));
        }
        if item.secret && channel == "online" {
            return Err(CoreError::Invalid(format!("涉密事项「{}」不得网上办理", item.name)));
        }
        let situation = match req.sub_item.as_deref().filter(|c| !c.trim().is_empty()) {
            Some(code) => Some(
                item.sub_items
                    .iter()
                    .find(|s| s.code == code)
                    .ok_or_else(|| CoreError::Invalid(format!("事项「{}」没有编码为 {code} 的办理情形", item.name)))?,
            ),
            None => None,
        };
        let applies = |id: &str| situation.is_none_or(|s| s.materials.iter().any(|m| m == id));
        let known: std::collections::HashSet<&str> =
            item.materials.iter().map(|m| m.id.as_str()).filter(|id| applies(id)).collect();
        for id in req.provided.iter().flatten().chain(req.reuse.iter().map(|(m, _)| m)) {
            if !known.contains(id.as_str()) {
                return Err(CoreError::Invalid(format!("事项「{}」没有材料 {id}", item.name)));
            }
        }
        // Only a reuse request needs the applicant's history (bulk intake skips the lookup).
        let reusable = if req.reuse.is_empty() { Vec::new() } else { self.reusable_materials(&id)? };
        let mut materials = Vec::with_capacity(item.materials.len());
        for m in item.materials.iter().filter(|m| applies(&m.id)) {
            let reused_from = req.reuse.iter().find(|(mid, _)| *mid == m.id).map(|(_, c)| c.clone());
            if let Some(from) = &reused_from {
                if !m.reusable {
                    return Err(CoreError::Invalid(format!("材料「{}」不可复用，须重新提交", m.name)));
                }
                if !reusable.iter().any(|r| &r.case_no == from && r.name == m.name) {
                    return Err(CoreError::Invalid(format!("办件 {from} 中没有该申请人可复用的「{}」", m.name)));
                }
            }
            let provided = reused_from.is_some() || req.provided.as_ref().map_or(m.required, |p| p.contains(&m.id));
            materials.push(MaterialRecord {
                id: m.id.clone(),
                name: m.name.clone(),
                required: m.required,
                provided,
                reused_from,
            });
        }
        Ok(FiledPayload {
            item: ItemSnapshot {
                code: item.code.clone(),
                version,
                name: item.name.clone(),
                department: item.department.clone(),
                kind: if enum_code(&item.kind) == "immediate" { case::Kind::Immediate } else { case::Kind::Promised },
                promised_days: item.promised_limit_days,
                statutory_days: item.statutory_limit_days,
                has_certificate: item.result.as_ref().is_some_and(|r| enum_code(&r.kind) == "certificate"),
            },
            applicant: ApplicantSnapshot { kind: kind.into(), id, name: name.into(), phone: req.phone.clone() },
            channel,
            materials,
            id_override: if looks_credit || accepted.overridden { req.id_override.clone() } else { None },
            note: req.note.clone(),
            attachments: crate::attachment::check_for_filing(&self.blobs(), &req.attachments, &known)?,
            sub_item: situation.map(|s| SubItemRef { code: s.code.clone(), name: s.name.clone() }),
        })
    }

    /// Materials this applicant already handed in on earlier cases, offered for reuse (一号式).
    pub fn reusable_materials(&self, applicant_id: &str) -> Result<Vec<ReusableMaterial>> {
        let conn = self.store.reader()?;
        let mut st = conn.prepare_cached(
            "SELECT m.material_id, m.name, c.case_no, c.filed_on FROM case_materials m JOIN cases c USING (case_no)
             WHERE c.applicant_id = ?1 AND m.provided = 1 ORDER BY c.filed_on DESC, c.case_no DESC",
        )?;
        let rows = st.query_map([applicant_id], |r| {
            Ok(ReusableMaterial { material_id: r.get(0)?, name: r.get(1)?, case_no: r.get(2)?, filed_on: r.get(3)? })
        })?;
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for r in rows {
            let r = r?;
            if seen.insert(r.name.clone()) {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Takes `action` on a case. Role, department scope and the state machine are all checked
    /// here; a refusal says why in Chinese and changes nothing.
    pub fn act(&self, by: &Actor, case_no: &str, action: Action, req: &ActRequest) -> Result<Event> {
        let input = Input { reason: req.reason.clone(), legal_basis: req.legal_basis.clone(), days: req.days };
        // Scans with a supplement are read and re-hashed before the write lock is taken (up to
        // 64 × 32 MB): every other writer would wait on that I/O. A case's material list is fixed
        // at filing, so a reader sees the same one the transaction would.
        let attachments = if req.attachments.is_empty() || action != Action::Supplement {
            Vec::new()
        } else {
            let conn = self.store.reader()?;
            let ids: Vec<String> = conn
                .prepare_cached("SELECT material_id FROM case_materials WHERE case_no = ?1")?
                .query_map([case_no], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            drop(conn);
            let known = ids.iter().map(String::as_str).collect();
            crate::attachment::check_for_filing(&self.blobs(), &req.attachments, &known)?
        };
        let now = self.now();
        let cal = self.calendar().clone();
        let mut projector = Projector::new(cal);
        self.store.write(|tx| {
            let department: String = tx
                .prepare_cached("SELECT department FROM cases WHERE case_no = ?1")?
                .query_row([case_no], |r| r.get(0))
                .optional()?
                .ok_or_else(|| CoreError::UnknownCase(case_no.into()))?;
            by.require_department(&department)?;
            let facts = crate::projection::facts(tx, case_no)?;
            // Try the actor's roles in order; report the most useful refusal.
            let mut last = None;
            let mut chosen = None;
            for &role in &by.roles {
                match case::apply(&facts, action, role, &input) {
                    Ok(_) => {
                        chosen = Some(role);
                        break;
                    }
                    Err(case::Refusal::Role { .. }) if last.is_some() => {}
                    Err(e) => last = Some(e),
                }
            }
            let role = match chosen {
                Some(r) => r,
                None => {
                    let r = last.unwrap_or(case::Refusal::Role { needed: case::rule(action).roles.to_vec() });
                    return Err(refusal(facts.state, action, by, r));
                }
            };
            // An approval without the department's electronic seal is void: 办结 (delivery)
            // needs the sealed decision document for the case's outcome.
            if action == Action::Deliver {
                let outcome = facts.outcome.map(|o| if o == case::Outcome::Approved { "approved" } else { "denied" });
                if !self.has_sealed_decision(tx, case_no, outcome)? {
                    return Err(CoreError::IllegalTransition {
                        state: facts.state.zh().into(),
                        action: action.zh().into(),
                        detail: "（尚无加盖电子印章的决定书，请先用印）".into(),
                    });
                }
            }
            if !req.attachments.is_empty() && action != Action::Supplement {
                return Err(CoreError::Invalid(format!("「{}」不能附带附件（附件随收件或补正材料提交）", action.zh())));
            }
            let payload = ActPayload {
                legal_basis: req.legal_basis.clone().filter(|s| !s.trim().is_empty()),
                days: req.days,
                materials: req.materials.clone(),
                detail: req.detail.clone(),
                attachments: attachments.clone(),
            };
            let ev = journal::append(
                tx,
                NewEvent {
                    case_no: Some(case_no),
                    actor: &by.id,
                    role: role.code(),
                    action: action.code(),
                    at: now,
                    payload: serde_json::to_value(&payload).map_err(|e| CoreError::Invalid(e.to_string()))?,
                    reason: req.reason.as_deref().filter(|s| !s.trim().is_empty()),
                },
            )?;
            projector.apply(tx, &ev)?;
            crate::sync::outbox::enqueue(tx, &ev, &self.label())?;
            Ok(ev)
        })
    }

    /// `region-code`, e.g. `440305-W01`: who sent an outbox item.
    pub fn label(&self) -> String {
        format!("{}-{}", self.identity.region, self.identity.code)
    }

    /// A department's opinion or decision arrived by sync: it joins the case's journal (全程留痕)
    /// without moving the case; the window acts on it.
    pub fn record_department_opinion(
        &self,
        adapter: &str,
        case_no: &str,
        kind: &str,
        payload: &serde_json::Value,
    ) -> Result<Event> {
        let now = self.now();
        self.store.write(|tx| {
            let exists: Option<i64> =
                tx.query_row("SELECT 1 FROM cases WHERE case_no = ?1", [case_no], |r| r.get(0)).optional()?;
            if exists.is_none() {
                return Err(CoreError::UnknownCase(case_no.into()));
            }
            journal::append(
                tx,
                NewEvent {
                    case_no: Some(case_no),
                    actor: &format!("sync:{adapter}"),
                    role: "external",
                    action: if kind == "decision" { "dept.decision" } else { "dept.opinion" },
                    at: now,
                    payload: payload.clone(),
                    reason: None,
                },
            )
        })
    }

    // ---- journal -----------------------------------------------------------------------------

    pub fn verify_journal(&self) -> Result<journal::VerifyReport> {
        journal::verify(&*self.store.reader()?)
    }

    pub fn case_events(&self, case_no: &str) -> Result<Vec<Event>> {
        journal::case_events(&*self.store.reader()?, case_no)
    }

    /// Drops every derived table and replays the journal into them, in one transaction.
    /// Refuses to run on a broken chain: rebuilding from a tampered journal would launder it.
    pub fn rebuild(&self) -> Result<i64> {
        let report = self.verify_journal()?;
        if let Some(bad) = report.first_bad {
            return Err(CoreError::JournalBroken { seq: bad.seq, id: bad.id, problem: bad.problem });
        }
        let mut projector = Projector::new(Calendar::official());
        let mut conn = self.store.writer();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "DELETE FROM case_fts; DELETE FROM case_attachments; DELETE FROM case_materials; DELETE FROM cases; DELETE FROM applicants; DELETE FROM case_seq;
             DELETE FROM documents;",
        )?;
        for (table, _) in crate::supervision::DERIVED_TABLES {
            tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
        let reader = self.store.reader()?;
        let mut n = 0;
        journal::for_each(&reader, |ev| {
            n += 1;
            projector.apply(&tx, &ev)
        })?;
        tx.commit()?;
        Ok(n)
    }

    /// SHA-256 over every row of the derived tables in key order (and the search index's row
    /// ids): equal fingerprints before and after `rebuild` prove the journal reproduces them.
    pub fn derived_fingerprint(&self) -> Result<String> {
        let conn = self.store.reader()?;
        let mut ctx = digest::Context::new(&digest::SHA256);
        for (table, order) in [
            ("cases", "rowid"),
            ("case_materials", "case_no, material_id"),
            ("case_attachments", "case_no, pos"),
            ("applicants", "id_no"),
            ("case_seq", "day"),
            ("documents", "doc_id"),
        ]
        .into_iter()
        .chain(crate::supervision::DERIVED_TABLES.iter().copied())
        {
            let sql =
                format!("SELECT {}* FROM {table} ORDER BY {order}", if table == "cases" { "rowid, " } else { "" });
            let mut st = conn.prepare(&sql)?;
            let cols = st.column_count();
            let mut rows = st.query([])?;
            ctx.update(table.as_bytes());
            while let Some(r) = rows.next()? {
                for i in 0..cols {
                    let v: rusqlite::types::Value = r.get(i)?;
                    ctx.update(format!("{v:?}\u{1f}").as_bytes());
                }
                ctx.update(b"\x1e");
            }
        }
        let mut st = conn.prepare("SELECT rowid FROM case_fts ORDER BY rowid")?;
        let ids: Vec<i64> = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        for id in ids {
            ctx.update(&id.to_be_bytes());
        }
        Ok(hex(ctx.finish().as_ref()))
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

/// The snake_case code serde gives a unit enum variant.
pub(crate) fn enum_code<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn load_policy(store: &Store) -> Result<LightPolicy> {
    let conn = store.reader()?;
    let v: Option<String> =
        conn.query_row("SELECT value FROM settings WHERE key = 'light_policy'", [], |r| r.get(0)).optional()?;
    Ok(v.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default())
}

fn insert_staff(tx: &Transaction<'_>, s: &NewStaff, by: &str, now: DateTime<FixedOffset>) -> Result<()> {
    let roles = serde_json::to_string(&s.roles).map_err(|e| CoreError::Invalid(e.to_string()))?;
    let depts = serde_json::to_string(&s.departments).map_err(|e| CoreError::Invalid(e.to_string()))?;
    let hash = s.password.as_deref().map(staff::hash_password);
    let n = tx.execute(
        "INSERT INTO staff (id, name, roles, departments, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(id) DO NOTHING",
        params![s.id, s.name, roles, depts, hash, stamp(&now)],
    )?;
    if n == 0 {
        return Err(CoreError::Invalid(format!("账号已存在：{}", s.id)));
    }
    journal::append(
        tx,
        NewEvent {
            case_no: None,
            actor: by,
            role: Role::Admin.code(),
            action: actions::STAFF_ADD,
            at: now,
            // Never the password hash: the journal is synced and audited.
            payload: serde_json::json!({ "id": s.id, "name": s.name, "roles": s.roles, "departments": s.departments }),
            reason: None,
        },
    )?;
    Ok(())
}

pub(crate) fn load_actor(conn: &rusqlite::Connection, id: &str) -> Result<Actor> {
    let row: Option<(String, String, String)> = conn
        .query_row("SELECT name, roles, departments FROM staff WHERE id = ?1 AND active = 1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let (name, roles, depts) = row.ok_or_else(|| CoreError::UnknownStaff(id.into()))?;
    Ok(Actor {
        id: id.into(),
        name,
        roles: serde_json::from_str(&roles).unwrap_or_default(),
        departments: serde_json::from_str(&depts).unwrap_or_default(),
    })
}
