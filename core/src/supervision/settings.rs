//! Monitor thresholds and time limits: [`Config`], stored under the settings key
//! `supervision.config`, changed by administrators only and journaled. Defaults are documented in
//! docs/supervision.md.

use std::collections::BTreeMap;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::case::Role;
use crate::deadline;
use crate::error::{CoreError, Result};
use crate::events;
use crate::journal;
use crate::staff::Actor;
use crate::workstation::Workstation;

pub const SETTINGS_KEY: &str = "supervision.config";

/// Monitor thresholds and time limits. Every field has a documented default (docs/supervision.md);
/// a stored config that lacks a field takes the default for it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Working days from filing to the first handling (受理/补正告知/不予受理/当场办结).
    pub pre_review_days: u32,
    /// Supplement requests a case may have without a flag: the next one is 多次补正 (default 1).
    pub supplements_allowed: u32,
    /// A refusal's legal basis shorter than this (characters, trimmed) is generic.
    pub basis_min_chars: usize,
    /// Phrases that are no basis at all when they are the whole basis (punctuation ignored).
    pub generic_basis: Vec<String>,
    /// A basis must name a law (《…》) or an article (第…条).
    pub basis_requires_citation: bool,
    /// A 承诺件 decided sooner than this many minutes after filing is implausible.
    pub min_decision_minutes: u32,
    /// Per catalog item code: its own minimum (minutes), overriding the default.
    pub min_decision_minutes_by_item: BTreeMap<String, u32>,
    /// Back-filling: at least `burst_events` case events by one staff member within
    /// `burst_window_minutes`, on cases filed at least `burst_case_age_days` calendar days earlier.
    pub burst_events: u32,
    pub burst_window_minutes: u32,
    pub burst_case_age_days: u32,
    /// Working days a 差评 work order has (德州: 5).
    pub work_order_days: u32,
    /// Working days to answer a complaint.
    pub complaint_answer_days: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            pre_review_days: deadline::PRE_REVIEW_DAYS,
            supplements_allowed: 1,
            basis_min_chars: 8,
            generic_basis: ["相关规定", "有关规定", "相关法律法规", "有关法律法规", "法律法规", "规定", "不符合条件"]
                .map(str::to_owned)
                .to_vec(),
            basis_requires_citation: true,
            min_decision_minutes: 30,
            min_decision_minutes_by_item: BTreeMap::new(),
            burst_events: 10,
            burst_window_minutes: 10,
            burst_case_age_days: 3,
            work_order_days: 5,
            complaint_answer_days: 5,
        }
    }
}

impl Config {
    fn check(&self) -> Result<()> {
        if self.burst_events < 2 || self.burst_window_minutes == 0 {
            return Err(CoreError::Invalid("突击补录阈值：事件数至少为 2，时间窗至少 1 分钟".into()));
        }
        if self.work_order_days == 0 || self.complaint_answer_days == 0 || self.pre_review_days == 0 {
            return Err(CoreError::Invalid("整改、投诉答复与预审时限至少为 1 个工作日".into()));
        }
        Ok(())
    }
}

impl Workstation {
    /// The stored configuration, or the defaults.
    pub fn supervision_config(&self) -> Result<Config> {
        match self.setting(SETTINGS_KEY)? {
            None => Ok(Config::default()),
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| CoreError::Invalid(format!("监察配置（settings.{SETTINGS_KEY}）无法解析：{e}"))),
        }
    }
}

impl Workstation {
    /// Stores a new configuration (administrators only), journaled for audit.
    pub fn set_supervision_config(&self, by: &Actor, cfg: &Config) -> Result<()> {
        by.require_role(Role::Admin, "修改监察配置")?;
        cfg.check()?;
        let body = serde_json::to_value(cfg).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let now = self.clock().now();
        self.store().write(|tx| {
            tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![SETTINGS_KEY, body.to_string()],
        )?;
            journal::append_admin(tx, by, events::SUPERVISION_CONFIG, now, body.clone(), None)?;
            Ok(())
        })
    }
}
