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
use yc_core::sync::SyncOptions;
use yc_core::sync::engine::run_started;
use yc_core::sync::outbox::{self, AdapterRegistration};

use crate::output::Out;

#[derive(Subcommand)]
pub enum SyncCmd {
    /// Per-adapter health, backlog by state, last error and since when
    Status,
    #[command(subcommand)]
    Quarantine(QuarantineCmd),
    /// Incoming items and what applying them did
    Inbox {
        /// received | applied | failed | rejected
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
}

#[derive(Subcommand)]
pub enum QuarantineCmd {
    List {
        #[arg(long)]
        adapter: Option<String>,
    },
    /// Send a quarantined item again
    Retry { adapter: String, outbox_id: i64 },
    /// Give up on a quarantined item (kept for the audit trail); a reason is required
    Discard {
        adapter: String,
        outbox_id: i64,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
pub enum AdapterCmd {
    /// Register an adapter from its config file (TOML or JSON; docs/adapter-protocol.md)
    Add {
        config: PathBuf,
        /// Outbox streams routed to it
        #[arg(long, value_delimiter = ',', default_value = "*")]
        streams: Vec<String>,
        /// Departments routed to it (a vertical department gets only its own cases)
        #[arg(long, value_delimiter = ',', default_value = "*")]
        departments: Vec<String>,
        /// Also queue everything already in the outbox
        #[arg(long)]
        backfill: bool,
    },
    /// Run any adapter through the conformance kit
    Check { config: PathBuf },
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("启动异步运行时")
}

fn settings_of(cfg: &AdapterConfig) -> Result<serde_json::Value> {
    Ok(cfg.resolved_settings(|v| std::env::var(v).ok())?)
}

/// One pass over the named adapter (or all enabled ones).
pub fn run(
    ws: &Workstation,
    adapter: Option<&str>,
    once: bool,
    interval: u64,
    opts: &SyncOptions,
    out: &Out,
) -> Result<ExitCode> {
    let rt = runtime()?;
    let names: Vec<String> = match adapter {
        Some(a) => vec![a.to_owned()],
        None => outbox::status(ws)?.into_iter().filter(|s| s.enabled).map(|s| s.name).collect(),
    };
    if names.is_empty() {
        return Err(anyhow!(yc_core::CoreError::Invalid("还没有配置同步适配器（yc adapter add CONFIG）".into())));
    }
    loop {
        let mut reports = Vec::new();
        for name in &names {
            let cfg = outbox::adapter_config(ws, name)?;
            let report = rt.block_on(run_started(ws, name, yc_adapters::build(&cfg), opts))?;
            reports.push(report);
        }
        out.value(&reports, || {
            reports
                .iter()
                .map(|r| {
                    format!(
                        "{}：推送 {}，确认 {}，失败 {}，隔离 {}；拉取 {}，入库 {}，入站失败 {}{}",
                        r.adapter,
                        r.pushed,
                        r.acked,
                        r.failed,
                        r.quarantined,
                        r.pulled,
                        r.applied,
                        r.inbox_failed,
                        r.stopped.as_ref().map_or_else(String::new, |s| format!("；中止：{s}"))
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        });
        if once {
            return Ok(ExitCode::SUCCESS);
        }
        std::thread::sleep(Duration::from_secs(interval.max(1)));
    }
}

pub fn command(ws: &Workstation, actor: &str, cmd: &SyncCmd, out: &Out) -> Result<ExitCode> {
    match cmd {
        SyncCmd::Status => {
            let st = outbox::status(ws)?;
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
                            a.state,
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
        }
        SyncCmd::Quarantine(QuarantineCmd::List { adapter }) => {
            let rows = outbox::deliveries(ws, adapter.as_deref(), "quarantined", 500)?;
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
            outbox::resolve_quarantine(ws, &ws.actor(actor)?, adapter, *outbox_id, true, None)?;
            out.value(&serde_json::json!({ "retried": outbox_id }), || {
                format!("已放回发送队列：{adapter} #{outbox_id}")
            });
        }
        SyncCmd::Quarantine(QuarantineCmd::Discard { adapter, outbox_id, reason }) => {
            outbox::resolve_quarantine(ws, &ws.actor(actor)?, adapter, *outbox_id, false, Some(reason))?;
            out.value(&serde_json::json!({ "discarded": outbox_id }), || {
                format!("已丢弃（留档）：{adapter} #{outbox_id}")
            });
        }
        SyncCmd::Inbox { state, limit } => {
            let rows = yc_core::sync::inbox::list(ws, state.as_deref(), *limit)?;
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

pub fn adapter(ws: Option<&Workstation>, actor: &str, cmd: &AdapterCmd, out: &Out) -> Result<ExitCode> {
    match cmd {
        AdapterCmd::Add { config, streams, departments, backfill } => {
            let ws = ws.ok_or_else(|| anyhow!("需要工作站（--data）"))?;
            let cfg = AdapterConfig::load(config)?;
            let reg = AdapterRegistration {
                config: cfg,
                streams: streams.clone(),
                departments: departments.clone(),
                backfill: *backfill,
            };
            outbox::register_adapter(ws, &ws.actor(actor)?, &reg)?;
            out.value(&serde_json::json!({ "registered": reg.config.name }), || {
                format!("已配置同步适配器 {}", reg.config.name)
            });
            Ok(ExitCode::SUCCESS)
        }
        AdapterCmd::Check { config } => {
            let cfg = AdapterConfig::load(config)?;
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
            let report = match (&cfg.kind, &cfg.process) {
                (AdapterKind::Process, Some(spec)) => {
                    rt.block_on(conformance::run(&ProcessTarget::new(spec.clone(), settings_of(&cfg)?)))
                }
                _ => rt.block_on(conformance::run(&ConfigTarget(cfg.clone()))),
            };
            out.value(&report, || report.to_text());
            Ok(if report.passed() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
    }
}
