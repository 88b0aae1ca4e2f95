//! `yc backup now|list|verify|last` and `yc restore`: signed backups of the store and restoring
//! one (docs/backup.md). `yc backup now --to DIR` is what a systemd timer or a Windows scheduled
//! task runs (with `--password-file` for the administrator's password).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use yc_core::Workstation;
use yc_core::backup::{BackupCheck, BackupInfo, RestoreReport, RestoreRequest};

use crate::output::Out;

#[derive(Subcommand)]
pub enum BackupCmd {
    /// 立即备份（管理员）：数据库在线快照、附件与文书等文件、签名清单，记入日志
    Now {
        /// 备份存放目录（其中新建 yc-backup-<区划>-<代码>-<时间>/）
        #[arg(long)]
        to: PathBuf,
    },
    /// 列出目录中的备份（按时间从新到旧；清单无法读取的注明原因）
    List {
        /// 存放备份的目录（即 yc backup now --to 的目录）
        dir: PathBuf,
    },
    /// 校验一个备份：清单签名、每个文件的大小与哈希、备份日志的哈希链与签名、是否本工作站的备份
    Verify {
        /// 要校验的备份目录（yc-backup-…）
        backup_dir: PathBuf,
    },
    /// 日志记录的最近一次备份
    Last,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// 要恢复的备份目录（yc-backup-…）
    pub backup_dir: PathBuf,
    /// 备份比当前记录旧、历史不同或当前工作站无法打开时仍恢复（须同时写明 --reason，记入日志）
    #[arg(long, requires = "reason")]
    pub force: bool,
    /// 强制恢复的理由
    #[arg(long, requires = "force")]
    pub reason: Option<String>,
}

fn size_zh(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 1.0 { format!("{mb:.1} MB") } else { format!("{bytes} 字节") }
}

fn info_zh(i: &BackupInfo) -> String {
    format!(
        "{}  {}  {}  日志第 {} 条  办件 {}  文书 {}  附件 {}  {} 个文件 {}",
        i.name,
        i.workstation,
        i.created_at,
        i.head.seq,
        i.counts.cases,
        i.counts.documents,
        i.counts.attachments,
        i.files,
        size_zh(i.bytes)
    )
}

fn check_zh(c: &BackupCheck) -> String {
    if c.ok {
        return format!(
            "备份完好：{}（{}，日志 {} 条事件、{} 条有签名，链头 {}；{} 个文件哈希一致，清单签名有效）",
            c.name,
            c.workstation.as_deref().unwrap_or("-"),
            c.events,
            c.signed,
            c.head.as_ref().map_or("-", |h| h.hash.as_str()),
            c.files_checked
        );
    }
    let mut lines = vec![format!("备份未通过校验：{}", c.name)];
    if let Some(f) = &c.foreign {
        lines.push(format!("  外来备份：{f}"));
    }
    lines.extend(c.problems.iter().map(|p| format!("  {p}")));
    lines.join("\n")
}

/// `yc backup …`; `open` opens the workstation only for the commands that read it (`list` reads a
/// directory only).
pub fn backup(
    open: impl Fn() -> Result<Workstation>,
    auth: &crate::auth::Auth,
    cmd: &BackupCmd,
    out: &Out,
) -> Result<ExitCode> {
    match cmd {
        BackupCmd::Now { to } => {
            let ws = open()?;
            let by = auth.actor(&ws)?;
            let started = std::time::Instant::now();
            let info = ws.backup_now(&by, to)?;
            let secs = started.elapsed().as_secs_f64();
            out.value(&info, || format!("已备份（{secs:.1} 秒，已记入日志）：{}\n{}", info.path, info_zh(&info)));
        }
        BackupCmd::List { dir } => {
            let list = yc_core::backup::list_backups(dir)?;
            out.value(&list, || {
                if list.is_empty() {
                    return format!("{} 中没有备份", dir.display());
                }
                list.iter()
                    .map(|b| match (&b.info, &b.problem) {
                        (Some(i), _) => info_zh(i),
                        (None, p) => format!("{}  清单无法读取：{}", b.name, p.as_deref().unwrap_or("-")),
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        BackupCmd::Verify { backup_dir } => {
            let ws = open()?;
            let c = ws.verify_backup(backup_dir)?;
            out.value(&c, || check_zh(&c));
            if !c.ok {
                return Ok(ExitCode::FAILURE);
            }
        }
        BackupCmd::Last => {
            let ws = open()?;
            let last = ws.last_backup()?;
            out.value(&last, || match &last {
                Some(l) if l.action == yc_core::events::RESTORE => {
                    format!("最近一次：{} 由 {} 从备份 {} 恢复（备份日志到第 {} 条）", l.at, l.by, l.name, l.head.seq)
                }
                Some(l) => format!("最近一次备份：{}（{}，{}，日志到第 {} 条）", l.name, l.at, l.by, l.head.seq),
                None => "日志中没有备份记录".to_owned(),
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn report_zh(r: &RestoreReport, secs: f64) -> String {
    let mut lines = vec![format!("已从备份 {} 恢复工作站 {}（{secs:.1} 秒）", r.backup, r.workstation)];
    match &r.before {
        Some(b) => lines.push(format!("  恢复前：日志第 {} 条（{}），指纹 {}", b.head.seq, b.head.hash, b.fingerprint)),
        None => lines.push("  恢复前：原工作站无法打开".to_owned()),
    }
    lines.push(format!(
        "  备份：日志第 {} 条（{}），指纹 {}",
        r.restored.head.seq, r.restored.head.hash, r.restored.fingerprint
    ));
    lines.push(format!("  恢复后：日志第 {} 条（含本次恢复记录），指纹 {}", r.after.head.seq, r.after.fingerprint));
    if r.lost_events > 0 {
        lines.push(format!("  原记录中备份之后的 {} 条事件已随原文件留存（未删除）", r.lost_events));
    }
    if let Some(reason) = &r.forced {
        lines.push(format!("  强制恢复，理由：{reason}（已记入日志）"));
    }
    if r.clock_confirmed {
        lines.push("  备份与现在的时钟相差过大，已按理由确认时钟（已记入日志）".to_owned());
    }
    for p in &r.set_aside {
        lines.push(format!("  原文件已改名留存：{p}"));
    }
    lines.join("\n")
}

pub fn restore(
    data: &Path,
    today: Option<chrono::NaiveDate>,
    auth: &crate::auth::Auth,
    actor: &str,
    a: &RestoreArgs,
    out: &Out,
) -> Result<ExitCode> {
    let password = auth.password()?;
    let req = RestoreRequest {
        admin_id: actor,
        admin_password: &password,
        force_reason: if a.force { a.reason.as_deref() } else { None },
    };
    let started = std::time::Instant::now();
    // Every directory a restore opens (the live one, the checked copy) under the same account.
    let r = yc_core::backup::restore(data, &a.backup_dir, &req, |d| {
        yc_core::demo::open_unlocked(d, today, yc_core::vault::Unlock::Password { staff: actor, password: &password })
    })?;
    let secs = started.elapsed().as_secs_f64();
    out.value(&r, || report_zh(&r, secs));
    Ok(ExitCode::SUCCESS)
}
