//! The core's one error type at its boundary. Messages are Chinese (zh-CN) because they reach the
//! clerk; `code()` is the stable, language-free kind the UI and scripts switch on.

use crate::calendar::CalendarError;
use crate::catalog::CatalogError;
use crate::ids::IdError;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("数据库错误：{0}")]
    Db(#[from] rusqlite::Error),
    #[error("数据库迁移失败：{0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("文件读写失败：{path}：{source}")]
    Io { path: String, source: std::io::Error },
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Id(#[from] IdError),
    #[error("工作站尚未初始化（{0}），请先运行 yc init 或 yc demo")]
    NotInitialised(String),
    #[error("工作站已初始化：{0}")]
    AlreadyInitialised(String),
    #[error("用户不存在或已停用：{0}")]
    UnknownStaff(String),
    #[error("密码错误{}", remaining.map_or_else(String::new, |n| format!("，再错 {n} 次账号将被锁定")))]
    WrongPassword { remaining: Option<u32> },
    #[error("账号 {id} 已锁定（{since} 起，连续输错密码）：请管理员解锁（yc staff unlock）")]
    AccountLocked { id: String, since: String },
    #[error("权限不足：{actor} 没有「{role}」角色，不能执行「{action}」")]
    RoleDenied { actor: String, role: String, action: String },
    #[error("超出部门权限：{actor} 不能办理「{department}」的事项")]
    DepartmentDenied { actor: String, department: String },
    #[error("办件不存在：{0}")]
    UnknownCase(String),
    #[error("事项不存在：{0}")]
    UnknownItem(String),
    #[error("不允许的操作：办件处于「{state}」状态，不能「{action}」{detail}")]
    IllegalTransition { state: String, action: String, detail: String },
    #[error("「{action}」必须填写{field}")]
    Missing { action: String, field: String },
    #[error("输入无效：{0}")]
    Invalid(String),
    #[error("电子印章：{0}")]
    Seal(String),
    /// A wrong seal PIN: counted in the key file; the caller may try again.
    #[error("电子印章 PIN 错误，还可尝试 {remaining} 次")]
    WrongPin { remaining: u32 },
    /// The seal's key locked itself after too many wrong PINs: nothing seals with it until an
    /// administrator unlocks it with the seal authority's confirmation (journaled).
    #[error("电子印章已锁定（PIN 已连续错误 {attempts} 次）：须由管理员经印章制作机构确认后解锁（yc seal unlock）")]
    SealLocked { attempts: u32 },
    #[error("日志校验失败：第 {seq} 条事件（{id}）{problem}")]
    JournalBroken { seq: i64, id: String, problem: String },
    #[error(
        "系统时钟早于最近一条记录（最近记录 {last}，现在 {now}）：时钟可能被调回，已停止写入。请核对时钟；如确属正常，由管理员确认（yc clock-confirm）"
    )]
    ClockBehind { last: String, now: String },
    #[error(
        "系统时钟比最近一条记录晚了 {days} 天以上（最近记录 {last}，现在 {now}）：请核对时钟；如确属正常（长期未使用），由管理员确认（yc clock-confirm）"
    )]
    ClockJump { last: String, now: String, days: i64 },
    /// A stored file no longer matches the hash the record holds for it (replaced or damaged):
    /// it is never handed out as genuine.
    #[error("完整性校验失败：{what}（{detail}）")]
    Tampered { what: String, detail: String },
}

impl CoreError {
    /// Stable kind for IPC, scripts and exit codes.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Db(_) | Self::Migration(_) => "Storage",
            Self::Io { .. } => "Io",
            Self::Calendar(_) => "Calendar",
            Self::Catalog(_) => "Catalog",
            Self::Id(_) => "InvalidId",
            Self::NotInitialised(_) => "NotInitialised",
            Self::AlreadyInitialised(_) => "AlreadyInitialised",
            Self::UnknownStaff(_) => "UnknownStaff",
            Self::WrongPassword { .. } => "WrongPassword",
            Self::AccountLocked { .. } => "AccountLocked",
            Self::RoleDenied { .. } => "RoleDenied",
            Self::DepartmentDenied { .. } => "DepartmentDenied",
            Self::UnknownCase(_) => "UnknownCase",
            Self::UnknownItem(_) => "UnknownItem",
            Self::IllegalTransition { .. } => "IllegalTransition",
            Self::Missing { .. } => "Missing",
            Self::Invalid(_) => "Invalid",
            Self::JournalBroken { .. } => "JournalBroken",
            Self::Seal(_) => "Seal",
            Self::WrongPin { .. } => "WrongPin",
            Self::SealLocked { .. } => "SealLocked",
            Self::Tampered { .. } => "Tampered",
            Self::ClockBehind { .. } => "ClockBehind",
            Self::ClockJump { .. } => "ClockJump",
        }
    }

    pub(crate) fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Self::Io { path: path.as_ref().display().to_string(), source }
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
