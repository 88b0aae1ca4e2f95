//! The workstation handle: the open store and what every command reads — identity, clock,
//! working calendar, light policy, who the staff are. Commands are added by the module that owns
//! their rule, each in its own `impl Workstation` block: intake (filing), casework (acting on a
//! case), query (work lists, details), seal, auth (accounts), catalog_versions, setup (creating,
//! opening, the calendar), projection (rebuild), sync (adapters, the inbox, the sync pass),
//! supervision (monitors, ratings, work orders, complaints), report. One shape everywhere:
//! `ws.command(by, …)`.
//!
//! This module sits low in the core: it names nothing above the store and the journal, so every
//! domain module can take a `&Workstation` without a loop (core/tests/it/module_graph.rs).

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::clock::Clock;
use crate::deadline::LightPolicy;
use crate::error::{CoreError, Result};
use crate::journal::{self, Event};
use crate::staff::Actor;
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

pub(crate) fn validate_identity(id: &Identity) -> Result<()> {
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
    /// The store, attachments, documents and drafts are encrypted at rest (crate::vault).
    pub encrypted: bool,
}

/// Builds a registered adapter from its config (the shell's `yc_adapters::build`): core knows
/// the SDK, not the built-in adapters.
pub type AdapterFactory = fn(
    &yc_adapter_sdk::AdapterConfig,
) -> std::result::Result<yc_adapter_sdk::BoxedAdapter, yc_adapter_sdk::AdapterError>;

pub struct Workstation {
    pub(crate) store: Store,
    pub(crate) clock: Clock,
    pub(crate) identity: Identity,
    pub(crate) calendar: RwLock<Calendar>,
    pub policy: LightPolicy,
    /// How sealing reaches a TSA through the registered adapters (crate::timestamping); `None`:
    /// every document is sealed B-B and stamped by the sync pass.
    pub(crate) adapter_factory: RwLock<Option<AdapterFactory>>,
}

impl Workstation {
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

    /// The directory holding the store, its blobs, the issued documents and the seal authority.
    pub(crate) fn data_dir(&self) -> PathBuf {
        self.store().path().parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The content-addressed file store beside the database.
    pub fn blobs(&self) -> crate::attachment::BlobStore {
        crate::attachment::BlobStore::new(self.store.path().parent().unwrap_or_else(|| Path::new(".")))
            .with_cipher(self.store.files().cloned())
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    pub fn calendar(&self) -> std::sync::RwLockReadGuard<'_, Calendar> {
        self.calendar.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn now(&self) -> DateTime<FixedOffset> {
        self.clock.now()
    }

    /// The actor for `id`, for front ends that have already authenticated the person (the CLI run
    /// by the workstation's OS user, or the desktop after [`Self::login`]).
    pub fn actor(&self, id: &str) -> Result<Actor> {
        let conn = self.store.reader()?;
        load_actor(&conn, id)
    }

    /// `region-code`, e.g. `440305-W01`: who sent an outbox item.
    pub fn label(&self) -> String {
        format!("{}-{}", self.identity.region, self.identity.code)
    }

    /// Whether every event here must be signed (a real workstation): front ends that write
    /// without a person at the keyboard (`yc sync`) log in first to unlock the workstation key.
    pub fn signing_required(&self) -> Result<bool> {
        crate::signing::required(&*self.store.reader()?)
    }

    /// The chain, then every far side's receipt for a head (crate::anchor), then the signatures
    /// against the keys the journal announces (crate::signing): the first event that fails is
    /// named. Signatures a far side checked and vouched for in a receipt are trusted up to it
    /// (the chain, checked here, fixes what they covered); [`Self::verify_journal_full`] re-checks
    /// every one.
    pub fn verify_journal(&self) -> Result<journal::VerifyReport> {
        self.verify_journal_with(false)
    }

    /// Every signature checked, whatever the receipts say.
    pub fn verify_journal_full(&self) -> Result<journal::VerifyReport> {
        self.verify_journal_with(true)
    }

    fn verify_journal_with(&self, full: bool) -> Result<journal::VerifyReport> {
        let conn = self.store.reader()?;
        let mut rep = journal::verify(&conn)?;
        if !rep.ok {
            return Ok(rep);
        }
        let seq_id = |seq: i64| -> Result<String> {
            Ok(conn
                .query_row("SELECT id FROM journal WHERE seq = ?1", [seq], |r| r.get(0))
                .optional()?
                .unwrap_or_else(|| "-".into()))
        };
        let anchors = crate::anchor::verify(&conn, &self.label())?;
        rep.receipts = anchors.receipts;
        rep.anchored_seq = anchors.anchored_seq;
        rep.anchored_by = anchors.anchored_by;
        let trusted = if full { 0 } else { anchors.checkpoint_seq };
        let sig = crate::signing::verify_after(&conn, trusted)?;
        rep.signed = sig.signed;
        rep.unsigned = sig.unsigned;
        rep.vouched = sig.vouched;
        rep.checkpoint_seq = trusted;
        rep.signing_required = sig.required;
        if let Some((seq, problem)) = sig.first_bad {
            rep.ok = false;
            rep.first_bad = Some(journal::BadEvent { seq, id: seq_id(seq)?, problem });
        }
        if let Some((seq, problem)) = anchors.first_bad {
            let bad = journal::BadEvent { seq, id: seq_id(seq)?, problem };
            if rep.first_bad.is_none() {
                rep.first_bad = Some(bad.clone());
            }
            rep.anchor_bad = Some(bad);
            rep.ok = false;
        }
        Ok(rep)
    }

    pub fn case_events(&self, case_no: &str) -> Result<Vec<Event>> {
        journal::case_events(&*self.store.reader()?, case_no)
    }
}

/// The snake_case code serde gives a unit enum variant.
pub(crate) fn enum_code<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

pub(crate) fn load_policy(store: &Store) -> Result<LightPolicy> {
    let conn = store.reader()?;
    let v: Option<String> =
        conn.query_row("SELECT value FROM settings WHERE key = 'light_policy'", [], |r| r.get(0)).optional()?;
    Ok(v.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default())
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
