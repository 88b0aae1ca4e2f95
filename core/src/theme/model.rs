//! The shapes a theme is journaled and read in: the `theme.file` payload (a snapshot, so a
//! rebuild needs nothing but the journal) and the branch rows the projection keeps.

use serde::{Deserialize, Serialize};

use crate::case::Channel;

/// The payload of the `theme.file` event.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ThemeFiledPayload {
    pub theme: ThemeSnapshot,
    pub applicant: ThemeApplicant,
    pub channel: Channel,
    /// In catalog order; each names the branch case filed in the same transaction.
    pub branches: Vec<BranchRef>,
    /// The union of the branches' materials, one entry per distinct material (asked once).
    pub materials: Vec<SharedMaterial>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ThemeSnapshot {
    pub code: String,
    pub version: i64,
    pub name: String,
    pub lead_department: String,
    pub overall_limit_days: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ThemeApplicant {
    /// person | legal_person
    pub kind: String,
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BranchRef {
    pub case_no: String,
    pub item_code: String,
    pub item_name: String,
    pub department: String,
    pub required: bool,
    /// Case numbers of the branches that must be approved before this one is acted on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
}

/// One material of the theme's union: handed in once, counted for every item that asks for it
/// (materials are the same when their names are, as reuse matches them).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SharedMaterial {
    /// The key the clerk names it by (`provided`): the material id of its first item, made unique.
    pub key: String,
    pub name: String,
    /// Required by at least one branch.
    pub required: bool,
    pub provided: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused_from: Option<String>,
    /// Item codes of the branches that ask for it.
    pub items: Vec<String>,
}
