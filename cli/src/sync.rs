//! `yc sync …` and `yc adapter …`: run the sync engine with the configured adapters, show state,
//! work the quarantine, and check any adapter against the conformance kit.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use clap::Subcommand;
use yc_adapter_sdk::conformance::{self, ProcessTarget, Started, Target};
use yc_adapter_sdk::{AdapterConfig, AdapterError, AdapterKind, BoxedAdapter};
use yc_core::Workstation;
use yc_core::sync::engine::RunReport;
use yc_core::sync::outbox::{self, AdapterRegistration};
use yc_core::sync::{AdapterState, SyncOptions};

use crate::output::Out;

#[derive(Subcommand)]
pub enum SyncCmd {
    /// 各适配器的运行状况、按状态统计的积压、最近一次错误及其开始时间
    Status {
        /// 只看这个适配器（连接异常时退出码 2，需管理员处理时退出码 3）
        #[arg(long)]
        adapter: Option<String>,
    },
    /// 隔离区：列出、重新发送、丢弃隔离项
    #[command(subcommand)]
    Quarantine(QuarantineCmd),
    /// 收件箱：收到的项及其处理结果
    Inbox {
        /// 状态：received | applied | failed | rejected
        #[arg(long)]
        state: Option<String>,
        /// 最多列出多少条（默认 50）
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
}

#[derive(Subcommand)]
pub enum QuarantineCmd {
    /// 列出隔离项
    List {
        /// 只列这个适配器的隔离项
        #[arg(long)]
        adapter: Option<String>,
    },
    /// 把一个隔离项放回发送队列，重新发送
    Retry {
        /// 适配器名称
        adapter: String,
        /// 隔离项编号（yc sync quarantine list 中 # 后的数字）
        outbox_id: i64,
    },
    /// 丢弃一个隔离项（留档备查）；须写理由
    Discard {
        /// 适配器名称
        adapter: String,
        /// 隔离项编号（yc sync quarantine list 中 # 后的数字）
        outbox_id: i64,
        /// 丢弃的理由（留档备查）
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
pub enum AdapterCmd {
    /// 为文件交换适配器生成工作站签名密钥（Ed25519，PKCS#8，权限 0600），并打印公钥交给交换对端；不覆盖已有的密钥
    Keygen {
        /// 签名私钥写到这个文件（已存在时不覆盖）
        key_file: PathBuf,
    },
    /// 按配置文件登记适配器（TOML 或 JSON；见 docs/adapter-protocol.md）
    Add {
        /// 适配器配置文件（TOML 或 JSON）
        config: PathBuf,
        /// 路由到它的数据流
        #[arg(long, value_delimiter = ',', default_value = "*")]
        streams: Vec<String>,
        /// 路由到它的部门（垂管部门只收到本部门的办件）
        #[arg(long, value_delimiter = ',', default_value = "*")]
        departments: Vec<String>,
        /// 把发件箱里已有的全部数据也排入它的发送队列
        #[arg(long)]
        backfill: bool,
        /// 确认进程适配器每次同步都会运行的程序（不加时在终端上询问）
        #[arg(long)]
        yes: bool,
    },
    /// 已登记的适配器：类型、启用或暂停、状态、路由
    List,
    /// 暂停通过这个适配器同步（待发项继续排队）；记入日志
    Pause {
        /// 适配器名称
        name: String,
        /// 暂停的理由（记入日志）
        #[arg(long)]
        reason: Option<String>,
    },
    /// 恢复通过已暂停的适配器同步；记入日志
    Resume {
        /// 适配器名称
        name: String,
    },
    /// 删除适配器；还有对端未确认的项时拒绝，除非加 --force；记入日志
    Remove {
        /// 适配器名称
        name: String,
        /// 删除的理由（记入日志）
        #[arg(long)]
        reason: String,
        /// 放弃对端尚未确认的项
        #[arg(long)]
        force: bool,
    },
    /// 用一致性检查套件检查任一适配器（推送约 730 条合成数据）。默认在沙箱中运行：设置中有非本机回环地址的拒绝检查，文件交换写到本地记录目录。有检查不通过或必做的检查被跳过时退出码 1
    Check {
        /// 适配器配置文件（TOML 或 JSON）
        config: PathBuf,
        /// 对配置中的对端实际运行，不论对端是什么系统
        #[arg(long, conflicts_with = "sandbox")]
        live: bool,
        /// 只允许本机回环地址和本地文件（默认）
        #[arg(long)]
        sandbox: bool,
        /// 对端（测试替身）恰好持有 STREAM 的 COUNT 条数据，供 cursor_resume 检查使用
        #[arg(long, value_name = "STREAM=COUNT")]
        inbox: Option<String>,
    },
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("启动异步运行时")
}

fn settings_of(cfg: &AdapterConfig) -> Result<serde_json::Value> {
    Ok(cfg.resolved_settings(|v| std::env::var(v).ok())?)
}

/// Exit status of `yc sync --once` and `yc sync status`: 0 every adapter fine, 2 one ended
/// degraded (the next run retries by itself), 3 one needs an administrator. Scripts and
/// monitoring read this; the reason is on stderr.
fn exit_for(states: impl IntoIterator<Item = AdapterState>) -> ExitCode {
    let worst = states.into_iter().fold(0u8, |w, s| {
        w.max(match s {
            AdapterState::NeedsOperator => 3,
            AdapterState::Degraded => 2,
            AdapterState::Idle | AdapterState::Running | AdapterState::Ok => 0,
        })
    });
    ExitCode::from(worst)
}

fn report_line(r: &RunReport) -> String {
    format!(
        "{}：推送 {}，确认 {}，失败 {}，隔离 {}；拉取 {}，入库 {}，入站失败 {}{}；状态 {}{}",
        r.adapter,
        r.pushed,
        r.acked,
        r.failed,
        r.quarantined,
        r.pulled,
        r.applied,
        r.inbox_failed,
        match (r.anchored, &r.anchor_skipped) {
            (Some(seq), _) => format!("；日志头已由对端签收至第 {seq} 号"),
            (None, Some(why)) => format!("；日志头未锚定（{why}）"),
            (None, None) => String::new(),
        } + &r.anchor_pending.as_ref().map_or_else(String::new, |(seq, why)| format!("；第 {seq} 号日志头{why}"))
            + &if r.stamped > 0 { format!("；加盖时间戳 {} 份", r.stamped) } else { String::new() }
            + &r.stamp_errors.iter().map(|e| format!("；未加盖时间戳：{e}")).collect::<String>(),
        r.state.zh(),
        r.stopped.as_ref().map_or_else(String::new, |s| format!("；原因：{s}"))
    )
}

/// One pass over the named adapter (or all enabled ones), or passes every `interval` seconds.
pub fn run(
    ws: &Workstation,
    adapter: Option<&str>,
    once: bool,
    interval: u64,
    opts: &SyncOptions,
    out: &Out,
) -> Result<ExitCode> {
    let rt = runtime()?;
    loop {
        let reports = rt.block_on(ws.sync_pass(adapter, opts, yc_adapters::build))?;
        out.value(&reports, || reports.iter().map(report_line).collect::<Vec<_>>().join("\n"));
        if once {
            for r in reports.iter().filter(|r| matches!(r.state, AdapterState::Degraded | AdapterState::NeedsOperator))
            {
                eprintln!("同步未完成：{}（{}）：{}", r.adapter, r.state.zh(), r.stopped.as_deref().unwrap_or("—"));
            }
            return Ok(exit_for(reports.iter().map(|r| r.state)));
        }
        std::thread::sleep(Duration::from_secs(interval.max(1)));
    }
}

pub fn command(ws: &Workstation, auth: &crate::auth::Auth, cmd: &SyncCmd, out: &Out) -> Result<ExitCode> {
    match cmd {
        SyncCmd::Status { adapter } => {
            let mut st = ws.sync_status()?;
            if let Some(name) = adapter {
                st.retain(|a| &a.name == name);
                if st.is_empty() {
                    return Err(anyhow!(yc_core::CoreError::Invalid(format!("没有名为 {name} 的同步适配器"))));
                }
            }
            let code = exit_for(st.iter().filter(|a| a.enabled).map(|a| a.state));
            out.value(&st, || {
                if st.is_empty() {
                    return "还没有配置同步适配器".into();
                }
                st.iter()
                    .map(|a| {
                        let b = &a.backlog;
                        format!(
                            "{}（{}）状态 {}；待发 {}，发送中 {}，已确认 {}，失败待重试 {}，隔离 {}，丢弃 {}；最早未确认 {}；上次成功 {}；上次错误 {}",
                            a.name,
                            a.kind,
                            if a.enabled { a.state.zh() } else { "已暂停" },
                            b.pending,
                            b.sending,
                            b.acked,
                            b.failed,
                            b.quarantined,
                            b.discarded,
                            a.oldest_unacked_since.as_deref().unwrap_or("—"),
                            a.last_success_at.as_deref().unwrap_or("—"),
                            a.last_error.as_ref().map_or_else(|| "—".to_owned(), |e| format!("{e}（{}）", a.last_error_at.as_deref().unwrap_or(""))),
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            return Ok(code);
        }
        SyncCmd::Quarantine(QuarantineCmd::List { adapter }) => {
            let rows = ws.deliveries(adapter.as_deref(), outbox::DeliveryState::Quarantined, 500)?;
            out.value(&rows, || {
                if rows.is_empty() {
                    return "隔离区为空".into();
                }
                rows.iter()
                    .map(|d| {
                        format!(
                            "{} #{} {} {} 第{}项 自 {}：{}（{}）",
                            d.adapter,
                            d.outbox_id,
                            d.kind,
                            d.case_no.as_deref().unwrap_or("—"),
                            d.case_seq,
                            d.state_since,
                            d.last_error.as_deref().unwrap_or(""),
                            d.last_error_detail.as_deref().unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        SyncCmd::Quarantine(QuarantineCmd::Retry { adapter, outbox_id }) => {
            ws.resolve_quarantine(&auth.actor(ws)?, adapter, *outbox_id, true, None)?;
            out.value(&serde_json::json!({ "retried": outbox_id }), || {
                format!("已放回发送队列：{adapter} #{outbox_id}")
            });
        }
        SyncCmd::Quarantine(QuarantineCmd::Discard { adapter, outbox_id, reason }) => {
            ws.resolve_quarantine(&auth.actor(ws)?, adapter, *outbox_id, false, Some(reason))?;
            out.value(&serde_json::json!({ "discarded": outbox_id }), || {
                format!("已丢弃（留档）：{adapter} #{outbox_id}")
            });
        }
        SyncCmd::Inbox { state, limit } => {
            use yc_core::sync::inbox::InboxState;
            let state = match state.as_deref() {
                None => None,
                Some(s) => Some(InboxState::parse(s.trim()).ok_or_else(|| {
                    let all: Vec<&str> = InboxState::ALL.iter().map(|x| x.code()).collect();
                    yc_core::CoreError::Invalid(format!("未知的入站状态：{s}（{}）", all.join(" | ")))
                })?),
            };
            let rows = ws.inbox_items(state, *limit)?;
            out.value(&rows, || {
                rows.iter()
                    .map(|r| {
                        format!(
                            "#{} {} {} {} {} {}：{}",
                            r.id,
                            r.received_at,
                            r.adapter,
                            r.kind,
                            r.key,
                            r.state,
                            r.result.as_deref().unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Conformance target for a built-in adapter built from its config.
struct ConfigTarget(AdapterConfig);

impl Target for ConfigTarget {
    type Adapter = BoxedAdapter;

    async fn start(&self, _liveness: Duration) -> Result<Started<BoxedAdapter>, AdapterError> {
        Ok(Started { adapter: yc_adapters::build(&self.0)?, kill: None })
    }
}

pub fn adapter(ws: Option<&Workstation>, auth: &crate::auth::Auth, cmd: &AdapterCmd, out: &Out) -> Result<ExitCode> {
    match cmd {
        AdapterCmd::Add { config, streams, departments, backfill, yes } => {
            let ws = ws.ok_or_else(|| anyhow!("需要工作站（--data）"))?;
            let cfg = AdapterConfig::load(config)?;
            let by = auth.actor(ws)?;
            // The rule is core's (outbox::program_to_confirm); here is only how the question is put.
            let program_confirmed = *yes || outbox::program_to_confirm(&cfg).is_none_or(|q| ask(&q));
            let reg = AdapterRegistration {
                config: cfg,
                streams: streams.clone(),
                departments: departments.clone(),
                backfill: *backfill,
                program_confirmed,
            };
            ws.register_adapter(&by, &reg).map_err(|e| match e {
                yc_core::CoreError::NeedsConfirm(q) => anyhow!("{q}\n未确认，未配置（在终端上回答 y，或加 --yes）"),
                e => e.into(),
            })?;
            out.value(&serde_json::json!({ "registered": reg.config.name }), || {
                format!("已配置同步适配器 {}", reg.config.name)
            });
            Ok(ExitCode::SUCCESS)
        }
        AdapterCmd::Keygen { key_file } => {
            if key_file.exists() {
                return Err(anyhow!(yc_core::CoreError::Invalid(format!(
                    "{} 已存在：不覆盖已有的签名密钥（对端按它的公钥核验数据包）",
                    key_file.display()
                ))));
            }
            let public = yc_adapters::file_drop::generate_key(key_file)?;
            out.value(&serde_json::json!({ "key_file": key_file, "public_key": public }), || {
                format!("已生成签名密钥 {}\n公钥（交给交换对端）：{public}", key_file.display())
            });
            Ok(ExitCode::SUCCESS)
        }
        AdapterCmd::List => {
            let ws = ws.ok_or_else(|| anyhow!("需要工作站（--data）"))?;
            let st = ws.sync_status()?;
            out.value(&st, || {
                if st.is_empty() {
                    return "还没有配置同步适配器（yc adapter add CONFIG）".into();
                }
                st.iter()
                    .map(|a| {
                        format!(
                            "{}（{}）{}，状态 {}；流 {}；部门 {}",
                            a.name,
                            a.kind,
                            if a.enabled { "启用" } else { "已暂停" },
                            a.state.zh(),
                            a.streams.join(","),
                            a.departments.join(",")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(ExitCode::SUCCESS)
        }
        AdapterCmd::Pause { name, reason } => {
            let ws = ws.ok_or_else(|| anyhow!("需要工作站（--data）"))?;
            ws.set_adapter_enabled(&auth.actor(ws)?, name, false, reason.as_deref())?;
            out.value(&serde_json::json!({ "paused": name }), || {
                format!("已暂停同步适配器 {name}（待发项继续排队，恢复后补发）")
            });
            Ok(ExitCode::SUCCESS)
        }
        AdapterCmd::Resume { name } => {
            let ws = ws.ok_or_else(|| anyhow!("需要工作站（--data）"))?;
            ws.set_adapter_enabled(&auth.actor(ws)?, name, true, None)?;
            out.value(&serde_json::json!({ "resumed": name }), || format!("已恢复同步适配器 {name}"));
            Ok(ExitCode::SUCCESS)
        }
        AdapterCmd::Remove { name, reason, force } => {
            let ws = ws.ok_or_else(|| anyhow!("需要工作站（--data）"))?;
            ws.remove_adapter(&auth.actor(ws)?, name, reason, *force)?;
            out.value(&serde_json::json!({ "removed": name }), || format!("已删除同步适配器 {name}（已记入日志）"));
            Ok(ExitCode::SUCCESS)
        }
        AdapterCmd::Check { config, live, sandbox: _, inbox } => {
            let cfg = AdapterConfig::load(config)?;
            let inbox = match inbox.as_deref().map(|s| s.rsplit_once('=')) {
                None => None,
                Some(Some((stream, n))) if !stream.is_empty() => Some((
                    stream.to_owned(),
                    n.parse::<usize>().with_context(|| format!("--inbox 的条数应为非负整数：{n}"))?,
                )),
                Some(_) => return Err(anyhow!("--inbox 的格式应为 流名=条数，例如 applications.online=25")),
            };
            let mode = if *live { conformance::Mode::Live } else { conformance::Mode::Sandbox };
            // Sandbox: refused before anything starts when a setting names a non-loopback address.
            let prepared = conformance::prepare(&cfg, mode, |v| std::env::var(v).ok())?;
            if *live {
                eprintln!("{}", prepared.describe());
            }
            let options = conformance::Options { inbox };
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
            let mut report = match (&prepared.config.kind, &prepared.config.process) {
                (AdapterKind::Process, Some(spec)) => {
                    let target = ProcessTarget::new(spec.clone(), settings_of(&prepared.config)?);
                    rt.block_on(conformance::run_with(&target, &options))
                }
                _ => rt.block_on(conformance::run_with(&ConfigTarget(prepared.config.clone()), &options)),
            };
            report.mode = Some(prepared.describe());
            out.value(&report, || report.to_text());
            if out.json && !report.passed() {
                eprintln!("{}", report.verdict());
            }
            Ok(if report.passed() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
    }
}

/// Asks `question` on the terminal; `false` without one (a script must say --yes).
fn ask(question: &str) -> bool {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return false;
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).is_ok() && matches!(line.trim(), "y" | "Y" | "yes" | "是")
}
