//! The types that cross IPC and are not the core's own: the error value and the shell's views.
//! Every type here and every core type a command takes or returns derives `ts_rs::TS`, and
//! `bindings::typescript()` writes them to ui/src/bindings.ts, so the UI cannot drift.

use serde::Serialize;
use ts_rs::TS;
use yc_core::CoreError;
use yc_core::case::Kind;
use yc_core::catalog::{Item, ItemKind};
pub use yc_core::error::ErrorKind;
use yc_core::workstation::Identity;

/// An error as the UI receives it: `kind` is stable (the UI switches on it; a TypeScript union),
/// `message` is the core's Chinese text for the clerk. Never a bare string (CONVENTIONS: errors are typed values).
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    pub kind: ErrorKind,
    pub message: String,
}

impl From<CoreError> for IpcError {
    fn from(e: CoreError) -> Self {
        Self { kind: e.kind(), message: e.to_string() }
    }
}

impl IpcError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }
    pub fn not_logged_in() -> Self {
        Self::new(ErrorKind::NotLoggedIn, "请先登录")
    }
    pub fn locked() -> Self {
        Self::new(ErrorKind::Locked, "屏幕已锁定，请输入密码解锁")
    }
}

pub type IpcResult<T> = Result<T, IpcError>;

/// What the window shows before anyone logs in.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub identity: Identity,
    /// The workstation's today (frozen on a demo workstation), `YYYY-MM-DD`, Beijing time.
    pub today: String,
    pub data_dir: String,
    pub demo: bool,
    pub version: String,
    /// Names of the core's states, actions and roles, so the UI never keeps its own copy.
    pub states: Vec<Label>,
    pub actions: Vec<Label>,
    pub roles: Vec<Label>,
}

/// A coded value with its Chinese and English names (from the core's tables).
#[derive(Debug, Clone, Serialize, TS)]
pub struct Label {
    pub code: String,
    pub zh: String,
    pub en: String,
}

macro_rules! labels {
    ($t:ty) => {
        <$t>::ALL.iter().map(|x| Label { code: x.code().into(), zh: x.zh().into(), en: x.en().into() }).collect()
    };
}

pub fn state_labels() -> Vec<Label> {
    labels!(yc_core::case::State)
}
pub fn action_labels() -> Vec<Label> {
    labels!(yc_core::case::Action)
}
pub fn role_labels() -> Vec<Label> {
    labels!(yc_core::case::Role)
}

/// A staff account as the login screen lists it (never a password hash).
#[derive(Debug, Clone, Serialize, TS)]
pub struct StaffEntry {
    pub id: String,
    pub name: String,
    pub roles_zh: Vec<String>,
}

/// One material of a catalog item, as the intake checklist needs it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MaterialEntry {
    pub id: String,
    pub name: String,
    pub required: bool,
    pub reusable: bool,
    pub originals: u8,
    pub copies: u8,
    pub note: Option<String>,
}

/// A catalog item for lists and the intake wizard. Pinyin initials are computed in the UI.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CatalogEntry {
    pub code: String,
    pub name: String,
    pub department: String,
    pub item_type_zh: String,
    /// 即办件 or 承诺件.
    pub kind: Kind,
    pub kind_zh: String,
    pub statutory_days: u32,
    pub promised_days: u32,
    pub online: bool,
    pub secret: bool,
    pub materials: Vec<MaterialEntry>,
    /// Situations (办理情形); each names the material ids it needs. Empty = one situation.
    pub sub_items: Vec<SubItemEntry>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SubItemEntry {
    pub code: String,
    pub name: String,
    pub materials: Vec<String>,
}

/// A catalog item with its printable texts (办事指南, 一次性告知书), rendered by the core.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CatalogDoc {
    pub entry: CatalogEntry,
    pub version: i64,
    pub legal_basis: Vec<String>,
    pub guide_text: String,
    pub notice_text: String,
}

impl CatalogEntry {
    pub fn from_item(item: &Item) -> Self {
        let kind = match item.kind {
            ItemKind::Immediate => Kind::Immediate,
            ItemKind::Promised => Kind::Promised,
        };
        Self {
            code: item.code.clone(),
            name: item.name.clone(),
            department: item.department.clone(),
            item_type_zh: item.item_type.label_zh().to_owned(),
            kind_zh: item.kind.label_zh().to_owned(),
            kind,
            statutory_days: item.statutory_limit_days,
            promised_days: item.promised_limit_days,
            online: item.online,
            secret: item.secret,
            materials: item
                .materials
                .iter()
                .map(|m| MaterialEntry {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    required: m.required,
                    reusable: m.reusable,
                    originals: m.originals,
                    copies: m.copies,
                    note: m.note.clone(),
                })
                .collect(),
            sub_items: item
                .sub_items
                .iter()
                .map(|s| SubItemEntry { code: s.code.clone(), name: s.name.clone(), materials: s.materials.clone() })
                .collect(),
        }
    }
}

/// The 同步 panel's view: every adapter's health and backlog, and the background worker.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SyncOverview {
    pub adapters: Vec<yc_core::sync::AdapterStatus>,
    /// A pass is running now.
    pub running: bool,
    /// When the last pass finished (Beijing time) and what each adapter did in it.
    pub last_pass_at: Option<String>,
    pub last_reports: Vec<yc_core::sync::RunReport>,
    /// Seconds between background passes.
    pub interval_secs: u32,
}

/// A case's attachment with its bytes, base64 (previews are built in the page as blob: URLs).
#[derive(Debug, Clone, Serialize, TS)]
pub struct AttachmentData {
    pub attachment: yc_core::attachment::Attachment,
    pub data_base64: String,
}

/// A catalog theme (主题/套餐, 并联审批) as the theme intake needs it: its branches and the union of
/// their materials, each asked once.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ThemeEntry {
    pub code: String,
    pub name: String,
    pub lead_department: String,
    pub overall_limit_days: u32,
    pub description: Option<String>,
    pub branches: Vec<ThemeBranchEntry>,
    pub materials: Vec<ThemeMaterialEntry>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ThemeBranchEntry {
    pub item_code: String,
    pub item_name: String,
    pub department: String,
    pub kind: Kind,
    pub promised_days: u32,
    /// An optional branch may be left out at filing (`NewTheme::skip`).
    pub required: bool,
    /// Item names that must be approved before this branch is acted on.
    pub after: Vec<String>,
}

/// One material of a theme's union (`NewTheme::provided` names it by `key`).
#[derive(Debug, Clone, Serialize, TS)]
pub struct ThemeMaterialEntry {
    pub key: String,
    pub name: String,
    pub required: bool,
    /// Some item asking for it lets it be reused from an earlier case (一号式).
    pub reusable: bool,
    pub originals: u8,
    pub copies: u8,
    /// Item codes of the branches that ask for it.
    pub items: Vec<String>,
}

impl ThemeEntry {
    /// The theme with its items looked up in the same catalog version; an item missing there is
    /// shown by its code (the catalog refuses such a file, so only a damaged store shows it).
    pub fn from_theme(theme: &yc_core::catalog::Theme, items: &[Item]) -> Self {
        let find = |code: &str| items.iter().find(|i| i.code == code);
        let name = |code: &str| find(code).map_or_else(|| code.to_owned(), |i| i.name.clone());
        let members: Vec<&Item> = theme.branches.iter().filter_map(|b| find(&b.item)).collect();
        let materials = yc_core::theme::intake::shared_materials(&members)
            .into_iter()
            .map(|s| {
                let same: Vec<&yc_core::catalog::Material> =
                    members.iter().flat_map(|i| i.materials.iter()).filter(|m| m.name == s.name).collect();
                ThemeMaterialEntry {
                    reusable: same.iter().any(|m| m.reusable),
                    originals: same.iter().map(|m| m.originals).max().unwrap_or(0),
                    copies: same.iter().map(|m| m.copies).max().unwrap_or(0),
                    key: s.key,
                    name: s.name,
                    required: s.required,
                    items: s.items,
                }
            })
            .collect();
        Self {
            code: theme.code.clone(),
            name: theme.name.clone(),
            lead_department: theme.lead_department.clone(),
            overall_limit_days: theme.overall_limit_days,
            description: theme.description.clone(),
            branches: theme
                .branches
                .iter()
                .map(|b| {
                    let item = find(&b.item);
                    ThemeBranchEntry {
                        item_code: b.item.clone(),
                        item_name: name(&b.item),
                        department: item.map(|i| i.department.clone()).unwrap_or_default(),
                        kind: match item.map(|i| i.kind) {
                            Some(ItemKind::Immediate) => Kind::Immediate,
                            _ => Kind::Promised,
                        },
                        promised_days: item.map_or(0, |i| i.promised_limit_days),
                        required: b.required,
                        after: b.after.iter().map(|a| name(a)).collect(),
                    }
                })
                .collect(),
            materials,
        }
    }
}
