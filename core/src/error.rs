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
    /// Signatures are required here and the signer's key is not unlocked (nobody logged in as
    /// them in this program): the record would be unsigned, so nothing is written.
    /// Too long without a sync: only an administrator may log in until the workstation syncs.
    #[error("工作站已 {days} 天未与上级平台同步（最近一次 {since}）：请管理员登录并完成同步后再使用")]
    OfflineTooLong { since: String, days: i64 },
    /// The command changes something an administrator must agree to first (a process adapter's
    /// program); the message is the question, the caller asks and repeats with the confirmation.
    #[error("{0}")]
    NeedsConfirm(String),
    #[error("无法签名：{actor} 的签名密钥未解锁（请以该账号登录后再操作），本次操作未写入")]
    NotSigned { actor: String },
    /// The store is encrypted (crate::vault) and was asked to open without a key.
    #[error("工作站数据已加密（{0}）：须以工作人员账号和密码（或管理员的恢复密钥）打开")]
    StoreLocked(String),
    /// An enrollment reply or update bundle refused (crate::provisioning), with the reason.
    #[error(transparent)]
    Provision(#[from] ProvisionError),
}

/// Why a package was refused. Each says what was found and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("文件格式错误，无法读取：{0}")]
    Malformed(String),
    #[error("签名核验失败：文件在签发后被改动过（或已损坏），拒绝导入。请向市级平台重新索取")]
    Tampered,
    #[error("签发者不可信：文件由指纹 {found} 的密钥签发（{issuer}），本工作站只接受指纹 {expected} 的市级平台密钥")]
    Foreign { issuer: String, found: String, expected: String },
    #[error("不是发给本工作站的：文件发给 {to}，本工作站是 {ours}{detail}")]
    NotForUs { to: String, ours: String, detail: String },
    #[error("重复导入：此包（编号 {serial}）已于 {applied_at} 导入，不再重复导入")]
    Replayed { serial: u64, applied_at: String },
    #[error("版本过旧：此包编号 {serial}，本工作站已导入到编号 {current}，拒绝用旧包覆盖新内容")]
    Older { serial: u64, current: u64 },
    #[error("类型不符：需要{expected}，此文件是{found}")]
    WrongKind { expected: &'static str, found: &'static str },
    #[error("工作站尚未注册：请先完成注册（yc enroll），再导入升级包")]
    NotEnrolled,
    #[error("工作站已于 {at} 注册（{issuer}），不能再次注册")]
    AlreadyEnrolled { issuer: String, at: String },
    #[error(
        "注册回执答复的不是本工作站最近一次的注册申请（申请 {expected}，回执答复 {found}）：请重新申请或索取对应的回执"
    )]
    WrongRequest { expected: String, found: String },
    #[error("内容有误（{part}）：{detail}。整个包未导入")]
    BadContent { part: String, detail: String },
}

/// The stable, language-free kind of an error, as IPC carries it (`IpcError.kind`), scripts and
/// exit codes see it, and the UI switches on it. Serialized as the variant name (`"WrongPin"`).
/// Most come from [`CoreError::kind`]; the last group is raised by a front end itself.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ErrorKind {
    Storage,
    Io,
    Calendar,
    Catalog,
    InvalidId,
    NotInitialised,
    AlreadyInitialised,
    UnknownStaff,
    WrongPassword,
    AccountLocked,
    RoleDenied,
    DepartmentDenied,
    UnknownCase,
    UnknownItem,
    IllegalTransition,
    Missing,
    Invalid,
    JournalBroken,
    Seal,
    WrongPin,
    SealLocked,
    Tampered,
    ClockBehind,
    ClockJump,
    NotSigned,
    OfflineTooLong,
    /// The store is encrypted and nobody has opened it yet.
    StoreLocked,
    /// Front end: nobody is logged in.
    NotLoggedIn,
    /// Front end: the screen is locked (idle lock) until the password is given again.
    Locked,
    /// Front end: a service (the background sync worker) is not running.
    Unavailable,
    /// Front end: the same work (a sync pass) is already running.
    Busy,
    /// The action needs the operator's explicit confirmation (a process adapter's program).
    NeedsConfirm,
    /// Front end: anything that arrived without a kind (the UI's fallback).
    Internal,
}

impl ErrorKind {
    /// The kind's name, as serialized.
    pub fn code(self) -> &'static str {
        match self {
            Self::Storage => "Storage",
            Self::Io => "Io",
            Self::Calendar => "Calendar",
            Self::Catalog => "Catalog",
            Self::InvalidId => "InvalidId",
            Self::NotInitialised => "NotInitialised",
            Self::AlreadyInitialised => "AlreadyInitialised",
            Self::UnknownStaff => "UnknownStaff",
            Self::WrongPassword => "WrongPassword",
            Self::AccountLocked => "AccountLocked",
            Self::RoleDenied => "RoleDenied",
            Self::DepartmentDenied => "DepartmentDenied",
            Self::UnknownCase => "UnknownCase",
            Self::UnknownItem => "UnknownItem",
            Self::IllegalTransition => "IllegalTransition",
            Self::Missing => "Missing",
            Self::Invalid => "Invalid",
            Self::JournalBroken => "JournalBroken",
            Self::Seal => "Seal",
            Self::WrongPin => "WrongPin",
            Self::SealLocked => "SealLocked",
            Self::Tampered => "Tampered",
            Self::ClockBehind => "ClockBehind",
            Self::ClockJump => "ClockJump",
            Self::NotSigned => "NotSigned",
            Self::StoreLocked => "StoreLocked",
            Self::OfflineTooLong => "OfflineTooLong",
            Self::NotLoggedIn => "NotLoggedIn",
            Self::Locked => "Locked",
            Self::Unavailable => "Unavailable",
            Self::Busy => "Busy",
            Self::NeedsConfirm => "NeedsConfirm",
            Self::Internal => "Internal",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl CoreError {
    /// Stable kind for IPC, scripts and exit codes.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Db(_) | Self::Migration(_) => ErrorKind::Storage,
            Self::Io { .. } => ErrorKind::Io,
            Self::Calendar(_) => ErrorKind::Calendar,
            Self::Catalog(_) => ErrorKind::Catalog,
            Self::Id(_) => ErrorKind::InvalidId,
            Self::NotInitialised(_) => ErrorKind::NotInitialised,
            Self::AlreadyInitialised(_) => ErrorKind::AlreadyInitialised,
            Self::UnknownStaff(_) => ErrorKind::UnknownStaff,
            Self::WrongPassword { .. } => ErrorKind::WrongPassword,
            Self::AccountLocked { .. } => ErrorKind::AccountLocked,
            Self::RoleDenied { .. } => ErrorKind::RoleDenied,
            Self::DepartmentDenied { .. } => ErrorKind::DepartmentDenied,
            Self::UnknownCase(_) => ErrorKind::UnknownCase,
            Self::UnknownItem(_) => ErrorKind::UnknownItem,
            Self::IllegalTransition { .. } => ErrorKind::IllegalTransition,
            Self::Missing { .. } => ErrorKind::Missing,
            // The IPC kind stays Invalid (no new binding); the Rust type says which rule.
            Self::Invalid(_) | Self::Provision(_) => ErrorKind::Invalid,
            Self::JournalBroken { .. } => ErrorKind::JournalBroken,
            Self::Seal(_) => ErrorKind::Seal,
            Self::WrongPin { .. } => ErrorKind::WrongPin,
            Self::SealLocked { .. } => ErrorKind::SealLocked,
            Self::Tampered { .. } => ErrorKind::Tampered,
            Self::ClockBehind { .. } => ErrorKind::ClockBehind,
            Self::ClockJump { .. } => ErrorKind::ClockJump,
            Self::NotSigned { .. } => ErrorKind::NotSigned,
            Self::StoreLocked(_) => ErrorKind::StoreLocked,
            Self::NeedsConfirm(_) => ErrorKind::NeedsConfirm,
            Self::OfflineTooLong { .. } => ErrorKind::OfflineTooLong,
        }
    }

    /// [`Self::kind`] as text.
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }

    pub(crate) fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Self::Io { path: path.as_ref().display().to_string(), source }
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// A seal library error as the core's: a wrong PIN and a locked seal stay distinct (the UI counts
/// the attempts left), the rest carry their message.
pub(crate) fn seal_err(e: yc_seal::SealError) -> CoreError {
    match e {
        yc_seal::SealError::WrongPin { remaining } => CoreError::WrongPin { remaining },
        yc_seal::SealError::Locked { attempts } => CoreError::SealLocked { attempts },
        e => CoreError::Seal(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorKind;

    #[test]
    fn error_kinds_serialize_as_their_code() {
        let all = [
            ErrorKind::Storage,
            ErrorKind::Io,
            ErrorKind::Calendar,
            ErrorKind::Catalog,
            ErrorKind::InvalidId,
            ErrorKind::NotInitialised,
            ErrorKind::AlreadyInitialised,
            ErrorKind::UnknownStaff,
            ErrorKind::WrongPassword,
            ErrorKind::AccountLocked,
            ErrorKind::RoleDenied,
            ErrorKind::DepartmentDenied,
            ErrorKind::UnknownCase,
            ErrorKind::UnknownItem,
            ErrorKind::IllegalTransition,
            ErrorKind::Missing,
            ErrorKind::Invalid,
            ErrorKind::JournalBroken,
            ErrorKind::Seal,
            ErrorKind::WrongPin,
            ErrorKind::SealLocked,
            ErrorKind::Tampered,
            ErrorKind::ClockBehind,
            ErrorKind::ClockJump,
            ErrorKind::NotLoggedIn,
            ErrorKind::Locked,
            ErrorKind::Unavailable,
            ErrorKind::Busy,
            ErrorKind::NeedsConfirm,
            ErrorKind::Internal,
        ];
        for k in all {
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::Value::String(k.code().into()));
        }
    }
}
