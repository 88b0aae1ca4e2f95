//! Background sync. A dedicated thread with its own tokio runtime runs one pass over every enabled
//! adapter each interval, or at once when the clerk presses 立即同步. A slow or dead far side
//! therefore never holds up a command of the window, and passes never overlap (the engine resets
//! a killed run's in-flight items at the start of a pass, which assumes one runner per store).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use yc_core::sync::outbox::{self, AdapterRegistration};
use yc_core::sync::{AdapterState, RunReport, SyncOptions};

use crate::context::AppCtx;
use crate::ipc::{ErrorKind, IpcError, IpcResult, SyncOverview};

/// Default seconds between background passes (`YC_SYNC_INTERVAL` overrides).
pub const DEFAULT_INTERVAL_SECS: u32 = 60;
/// The first pass waits this long, so start-up work never competes with the first screen.
const FIRST_PASS_DELAY: Duration = Duration::from_secs(5);

/// The worker's state as the panel shows it.
#[derive(Default)]
pub struct SyncState {
    busy: AtomicBool,
    last: Mutex<Option<(String, Vec<RunReport>)>>,
    nudge: Mutex<Option<Sender<()>>>,
    interval_secs: u32,
}

impl SyncState {
    pub fn new(interval_secs: u32) -> Self {
        Self { interval_secs: interval_secs.max(1), ..Default::default() }
    }
}

/// Clears `busy` however the pass ends.
struct Busy<'a>(&'a AtomicBool);
impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl AppCtx {
    pub fn sync_overview(&self) -> IpcResult<SyncOverview> {
        self.actor()?;
        let st = self.sync_state();
        let last = st.last.lock().unwrap_or_else(PoisonError::into_inner).clone();
        Ok(SyncOverview {
            adapters: self.workstation()?.sync_status()?,
            running: st.busy.load(Ordering::Acquire),
            last_pass_at: last.as_ref().map(|(at, _)| at.clone()),
            last_reports: last.map(|(_, r)| r).unwrap_or_default(),
            interval_secs: st.interval_secs,
        })
    }

    /// Asks the worker for a pass now (returns at once; the panel polls the overview).
    pub fn sync_now(&self) -> IpcResult<()> {
        self.actor()?;
        let tx = self.sync_state().nudge.lock().unwrap_or_else(PoisonError::into_inner).clone();
        match tx {
            Some(tx) if tx.send(()).is_ok() => Ok(()),
            _ => Err(IpcError::new(ErrorKind::Unavailable, "后台同步没有运行")),
        }
    }

    pub fn quarantine(&self, adapter: Option<&str>) -> IpcResult<Vec<yc_core::sync::DeliveryRow>> {
        self.actor()?;
        Ok(self.workstation()?.deliveries(adapter, outbox::DeliveryState::Quarantined, 500)?)
    }

    /// Retry or discard a quarantined item; admin only (checked in the core), journaled.
    pub fn resolve_quarantine(
        &self,
        adapter: &str,
        outbox_id: i64,
        retry: bool,
        reason: Option<&str>,
    ) -> IpcResult<()> {
        let actor = self.actor()?;
        Ok(self.workstation()?.resolve_quarantine(&actor, adapter, outbox_id, retry, reason)?)
    }

    pub fn set_adapter_enabled(&self, adapter: &str, enabled: bool) -> IpcResult<()> {
        let actor = self.actor()?;
        Ok(self.workstation()?.set_adapter_enabled(&actor, adapter, enabled, None)?)
    }

    /// Registers an adapter from a config file's text (`.toml` or `.json`, as `yc adapter add`).
    /// The config is checked by building the adapter before it is stored. A process adapter runs
    /// a program on this PC at every sync: core refuses it with kind `NeedsConfirm` and the command
    /// line in words until the admin confirms (`confirmed`).
    pub fn add_adapter(&self, file_name: &str, text: &str, confirmed: bool) -> IpcResult<String> {
        let actor = self.actor()?;
        let config = yc_adapter_sdk::AdapterConfig::parse(std::path::Path::new(file_name), text)
            .map_err(|e| IpcError::new(ErrorKind::Invalid, format!("适配器配置有误：{e}")))?;
        if config.kind != yc_adapter_sdk::AdapterKind::Process {
            yc_adapters::build(&config).map_err(|e| IpcError::new(ErrorKind::Invalid, e.to_string()))?;
        }
        let name = config.name.clone();
        let reg = AdapterRegistration {
            config,
            streams: vec!["*".into()],
            departments: vec!["*".into()],
            backfill: false,
            program_confirmed: confirmed,
        };
        self.workstation()?.register_adapter(&actor, &reg)?;
        Ok(name)
    }

    /// One pass over every enabled adapter. Refuses to overlap a running pass.
    pub async fn sync_pass(&self, opts: &SyncOptions) -> IpcResult<Vec<RunReport>> {
        let st = self.sync_state();
        if st.busy.compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire).is_err() {
            return Err(IpcError::new(ErrorKind::Busy, "同步正在进行"));
        }
        let _busy = Busy(&st.busy);
        // Before the first login of an encrypted store there is nothing to sync with.
        let Ok(ws) = self.workstation() else { return Ok(Vec::new()) };
        // No adapter enabled is not an error for the background worker: nothing to do.
        if !ws.sync_status()?.iter().any(|a| a.enabled) {
            return Ok(Vec::new());
        }
        let reports = ws.sync_pass(None, opts, yc_adapters::build).await?;
        let at = yc_core::clock::stamp(&yc_core::Clock::System.now());
        *st.last.lock().unwrap_or_else(PoisonError::into_inner) = Some((at, reports.clone()));
        Ok(reports)
    }

    /// A short line for the status icon: nothing pending, the backlog, or trouble.
    pub fn sync_label(&self) -> Option<String> {
        let adapters = self.workstation().ok()?.sync_status().ok()?;
        if adapters.is_empty() {
            return None;
        }
        let trouble = adapters
            .iter()
            .filter(|a| a.enabled && matches!(a.state, AdapterState::Degraded | AdapterState::NeedsOperator))
            .count();
        // A paused adapter's items wait on purpose (an admin paused it): not "to sync" now.
        let waiting: i64 = adapters
            .iter()
            .filter(|a| a.enabled)
            .map(|a| a.backlog.pending + a.backlog.failed + a.backlog.sending)
            .sum();
        let quarantined: i64 = adapters.iter().map(|a| a.backlog.quarantined).sum();
        Some(if trouble > 0 {
            format!("同步异常 {trouble} 路，待发 {waiting}")
        } else if quarantined > 0 {
            format!("同步隔离 {quarantined} 项")
        } else if waiting > 0 {
            format!("待同步 {waiting}")
        } else {
            "同步正常".into()
        })
    }
}

/// Starts the worker thread. `on_pass` runs after each pass (the shell refreshes the tray).
pub fn spawn(ctx: &AppCtx, on_pass: impl Fn() + Send + 'static, run: impl Fn(&SyncOptions) -> bool + Send + 'static) {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    *ctx.sync_state().nudge.lock().unwrap_or_else(PoisonError::into_inner) = Some(tx);
    let interval = Duration::from_secs(u64::from(ctx.sync_state().interval_secs));
    let spawned = std::thread::Builder::new().name("yc-sync".into()).spawn(move || {
        worker(&rx, interval, &on_pass, &run);
    });
    if let Err(e) = spawned {
        tracing::warn!("后台同步线程无法启动：{e}");
    }
}

fn worker(rx: &Receiver<()>, interval: Duration, on_pass: &dyn Fn(), run: &dyn Fn(&SyncOptions) -> bool) {
    let opts = SyncOptions { max_batches: 200, ..SyncOptions::default() };
    let mut wait = FIRST_PASS_DELAY;
    loop {
        match rx.recv_timeout(wait) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        // Collapse presses made while waiting into one pass.
        while rx.try_recv().is_ok() {}
        if !run(&opts) {
            return;
        }
        on_pass();
        wait = interval;
    }
}

/// Runs one pass of the app's workstation on a current-thread runtime (the worker's).
pub fn run_blocking(rt: &tokio::runtime::Runtime, ctx: &AppCtx, opts: &SyncOptions) {
    if let Err(e) = rt.block_on(ctx.sync_pass(opts)) {
        tracing::warn!("同步未完成：{}", e.message);
    }
}
