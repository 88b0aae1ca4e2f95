//! The app's services behind one small type that a test builds without a window: the workstation
//! and the session (who is logged in, whether the screen is locked). Each Tauri command is a thin
//! wrapper over one method here; role and department checks stay in the core.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use yc_core::case::Action;
use yc_core::ids::{self, IdReport};
use yc_core::intake::ReusableMaterial;
use yc_core::journal::Event;
use yc_core::query::{CaseDetail, CaseSummary, LightCounts, ListFilter};
use yc_core::staff::Actor;
use yc_core::theme::board::{ThemeBoard, ThemeRow};
use yc_core::theme::delivery::ThemeResult;
use yc_core::theme::intake::{NewTheme, ThemeReceipt};
use yc_core::theme::notice::SupplementNotice;
use yc_core::workstation::Status;
use yc_core::{ActRequest, NewCase, Workstation};

use chrono::NaiveDate;
use yc_core::report::By;
use yc_core::report_file::FileFormat;
use yc_core::supervision::evaluation::Recorded;
use yc_core::supervision::{Complaint, NewComplaint, NewRating, WorkOrder, WorkOrderStep};
use yc_core::supervision_board::{Dashboard, Drill, DrillResult};

use yc_core::appointment::command::{Booking, CheckIn, Slot};
use yc_core::appointment::{NewBooking, Target};
use yc_core::queue::Service;
use yc_core::queue::command::{HallBoard, PrintedTicket, QueueStatus, Ticket};

use crate::ipc::{AppInfo, CatalogDoc, CatalogEntry, ErrorKind, IpcError, IpcResult, StaffEntry};

/// How the app was started: `--data DIR` (or `YC_DATA`), `--demo` to create the demo workstation
/// when the directory has none, `--demo-cases N` for its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchOptions {
    pub data_dir: PathBuf,
    pub demo: bool,
    pub demo_cases: usize,
}

impl LaunchOptions {
    /// Parses the command line (without the program name) and the environment's `YC_DATA`.
    pub fn parse(args: &[String], env_data: Option<String>) -> Result<Self, IpcError> {
        let mut data = env_data.filter(|s| !s.trim().is_empty()).map(PathBuf::from);
        let mut demo = false;
        let mut demo_cases = 200;
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--data" => {
                    let v = it.next().ok_or_else(|| IpcError::new(ErrorKind::Invalid, "--data 需要一个目录"))?;
                    data = Some(PathBuf::from(v));
                }
                "--demo" => demo = true,
                "--demo-cases" => {
                    let v = it.next().ok_or_else(|| IpcError::new(ErrorKind::Invalid, "--demo-cases 需要一个数字"))?;
                    demo_cases = v
                        .parse()
                        .map_err(|_| IpcError::new(ErrorKind::Invalid, format!("--demo-cases 不是数字：{v}")))?;
                }
                // Anything else (e.g. what a WebDriver adds) is not ours to refuse.
                _ => {}
            }
        }
        Ok(Self { data_dir: data.unwrap_or_else(yc_core::workstation::default_data_dir), demo, demo_cases })
    }
}

#[derive(Debug, Default)]
struct Session {
    actor: Option<Actor>,
    locked: bool,
}

pub struct AppCtx {
    /// Open from the start for a plain store; an encrypted one (yc_core::vault) opens at the first
    /// login, with that person's password, and stays open while the app runs.
    ws: std::sync::OnceLock<Workstation>,
    data_dir: PathBuf,
    demo: bool,
    session: Mutex<Session>,
    sync: crate::sync::SyncState,
    /// Started on a directory with no workstation: the first-run wizard makes it (crate::firstrun).
    first_run: bool,
    first_run_busy: std::sync::atomic::AtomicBool,
}

impl AppCtx {
    /// Opens the workstation in `opts.data_dir`, creating the demo one first when asked and there
    /// is none. A demo workstation's clock is frozen on its `demo.today`, as in the CLI.
    pub fn open(opts: &LaunchOptions) -> IpcResult<Self> {
        let dir = &opts.data_dir;
        if opts.demo && !dir.join(yc_core::store::DB_FILE).exists() {
            std::fs::create_dir_all(dir)
                .map_err(|e| IpcError::new(ErrorKind::Io, format!("无法创建数据目录 {}：{e}", dir.display())))?;
            let o = yc_core::demo::DemoOptions {
                cases: opts.demo_cases,
                today: yc_core::demo::default_today(),
                seed: 20_261_123,
                seal: true,
                encrypt: true,
            };
            let ws = yc_core::demo::create(dir, &o)?;
            let configs = yc_adapters::demo::demo_configs(dir, &ws.label())
                .map_err(|e| IpcError::new(ErrorKind::Io, format!("演示同步适配器无法配置：{e}")))?;
            yc_core::demo::register_adapters(&ws, configs)?;
        }
        if !dir.join(yc_core::store::DB_FILE).exists() && !yc_core::vault::is_encrypted(dir) {
            return Ok(Self::new(dir, std::sync::OnceLock::new(), false, true));
        }
        Self::from_dir(dir)
    }

    pub fn from_dir(dir: &Path) -> IpcResult<Self> {
        let ws = std::sync::OnceLock::new();
        let demo = if yc_core::vault::is_encrypted(dir) {
            // The store opens at the first login; until then the access file names the workstation.
            yc_core::vault::identity(dir)?;
            yc_core::demo::is_encrypted_demo(dir)
        } else {
            let opened = yc_core::demo::open(dir, None)?;
            // Sealing reaches the registered adapters' TSA (PAdES B-T at once when it answers).
            opened.set_adapter_factory(yc_adapters::build);
            let demo = opened.setting("demo.today")?.is_some();
            let _ = ws.set(opened);
            demo
        };
        Ok(Self::new(dir, ws, demo, false))
    }

    fn new(dir: &Path, ws: std::sync::OnceLock<Workstation>, demo: bool, first_run: bool) -> Self {
        let interval = std::env::var("YC_SYNC_INTERVAL")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(crate::sync::DEFAULT_INTERVAL_SECS);
        Self {
            ws,
            data_dir: dir.to_path_buf(),
            demo,
            session: Mutex::new(Session::default()),
            sync: crate::sync::SyncState::new(interval),
            first_run,
            first_run_busy: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Whether the wizard still has to make the workstation.
    pub fn needs_first_run(&self) -> bool {
        self.first_run && self.ws.get().is_none()
    }

    pub(crate) fn first_run_busy(&self) -> &std::sync::atomic::AtomicBool {
        &self.first_run_busy
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Takes the workstation the first run made; from here on the app is as on any start.
    pub(crate) fn adopt(&self, ws: Workstation) -> &Workstation {
        let _ = self.ws.set(ws);
        self.ws.get().expect("just set")
    }

    /// The open workstation; before the first login of an encrypted one, `NotLoggedIn`.
    pub fn workstation(&self) -> IpcResult<&Workstation> {
        self.ws.get().ok_or_else(IpcError::not_logged_in)
    }

    /// Opens an encrypted store with the person's password (a wrong one is counted there).
    fn open_store(&self, id: &str, password: &str) -> IpcResult<&Workstation> {
        if let Some(ws) = self.ws.get() {
            return Ok(ws);
        }
        let opened = yc_core::demo::open_unlocked(
            &self.data_dir,
            None,
            yc_core::vault::Unlock::Password { staff: id, password },
        )?;
        opened.set_adapter_factory(yc_adapters::build);
        // Two logins racing: the first to finish wins, the other's copy is dropped.
        let _ = self.ws.set(opened);
        self.workstation()
    }

    pub(crate) fn sync_state(&self) -> &crate::sync::SyncState {
        &self.sync
    }

    fn session(&self) -> std::sync::MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The logged-in, unlocked actor, re-read from the store so a deactivated account stops at once.
    pub(crate) fn actor(&self) -> IpcResult<Actor> {
        let id = {
            let s = self.session();
            if s.locked {
                return Err(IpcError::locked());
            }
            s.actor.as_ref().map(|a| a.id.clone()).ok_or_else(IpcError::not_logged_in)?
        };
        Ok(self.workstation()?.actor(&id)?)
    }

    // ---- session ---------------------------------------------------------------------------

    pub fn app_info(&self) -> IpcResult<AppInfo> {
        if self.needs_first_run() {
            return Err(IpcError::new(
                ErrorKind::NotInitialised,
                format!("{} 还没有工作站：请先完成首次设置", self.data_dir.display()),
            ));
        }
        let (identity, today) = match self.ws.get() {
            Some(ws) => (ws.identity().clone(), ws.today().to_string()),
            None => {
                let n = yc_core::vault::identity(&self.data_dir)?;
                let identity = yc_core::Identity { region: n.region, code: n.code, name: n.name };
                (identity, yc_core::Clock::System.today().to_string())
            }
        };
        Ok(AppInfo {
            identity,
            today,
            data_dir: self.data_dir.display().to_string(),
            demo: self.demo,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            states: crate::ipc::state_labels(),
            actions: crate::ipc::action_labels(),
            roles: crate::ipc::role_labels(),
        })
    }

    pub fn list_staff(&self) -> IpcResult<Vec<StaffEntry>> {
        let Some(ws) = self.ws.get() else {
            // Before the store is open: the accounts that can open it.
            return Ok(yc_core::vault::accounts(&self.data_dir)?
                .into_iter()
                .map(|a| StaffEntry { id: a.id, name: a.name, roles_zh: Vec::new() })
                .collect());
        };
        Ok(ws
            .list_staff()?
            .into_iter()
            .map(|a| StaffEntry {
                roles_zh: a.roles.iter().map(|r| r.zh().to_owned()).collect(),
                id: a.id,
                name: a.name,
            })
            .collect())
    }

    pub fn login(&self, id: &str, password: &str) -> IpcResult<Actor> {
        let ws = self.open_store(id.trim(), password)?;
        let actor = ws.login(id.trim(), password)?;
        let mut s = self.session();
        // Another person logging in at this window: the previous one's signing key goes.
        if let Some(prev) = s.actor.as_ref().filter(|p| p.id != actor.id) {
            ws.logout(&prev.id);
        }
        *s = Session { actor: Some(actor.clone()), locked: false };
        Ok(actor)
    }

    /// Ends the session and drops the person's signing key from memory.
    pub fn logout(&self) {
        let mut s = self.session();
        if let (Some(a), Some(ws)) = (s.actor.take(), self.ws.get()) {
            ws.logout(&a.id);
        }
        *s = Session::default();
    }

    /// Idle lock: the session stays, but every command refuses until the same person unlocks.
    pub fn lock(&self) {
        let mut s = self.session();
        if s.actor.is_some() {
            s.locked = true;
        }
    }

    pub fn unlock(&self, password: &str) -> IpcResult<Actor> {
        let id = self.session().actor.as_ref().map(|a| a.id.clone()).ok_or_else(IpcError::not_logged_in)?;
        let actor = self.workstation()?.login(&id, password)?;
        *self.session() = Session { actor: Some(actor.clone()), locked: false };
        Ok(actor)
    }

    pub fn current_actor(&self) -> Option<Actor> {
        let s = self.session();
        if s.locked { None } else { s.actor.clone() }
    }

    // ---- cases -----------------------------------------------------------------------------

    pub fn list_cases(&self, filter: &ListFilter) -> IpcResult<Vec<CaseSummary>> {
        self.actor()?;
        Ok(self.workstation()?.list_cases(filter)?)
    }

    pub fn search_cases(&self, query: &str, limit: u32) -> IpcResult<Vec<CaseSummary>> {
        self.actor()?;
        Ok(self.workstation()?.search_cases(query, limit as usize)?)
    }

    pub fn light_counts(&self) -> IpcResult<LightCounts> {
        self.actor()?;
        Ok(self.workstation()?.light_counts()?)
    }

    pub fn case_detail(&self, case_no: &str) -> IpcResult<CaseDetail> {
        let actor = self.actor()?;
        Ok(self.workstation()?.case_detail(case_no, Some(&actor))?)
    }

    /// Takes an action and returns the case as it now is (state, journal, next actions).
    pub fn act(&self, case_no: &str, action: Action, req: &ActRequest) -> IpcResult<CaseDetail> {
        let actor = self.actor()?;
        let _: Event = self.workstation()?.act(&actor, case_no, action, req)?;
        Ok(self.workstation()?.case_detail(case_no, Some(&actor))?)
    }

    pub fn new_case(&self, req: &NewCase) -> IpcResult<String> {
        let actor = self.actor()?;
        Ok(self.workstation()?.new_case(&actor, req)?)
    }

    /// Stores a scan or photo picked in the intake form (base64 from the page).
    pub fn put_attachment(&self, name: &str, data_base64: &str) -> IpcResult<yc_core::attachment::Attachment> {
        use base64::Engine as _;
        let actor = self.actor()?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data_base64.trim())
            .map_err(|e| IpcError::new(ErrorKind::Invalid, format!("附件数据损坏：{e}")))?;
        Ok(self.workstation()?.put_attachment(&actor, name, &bytes)?)
    }

    pub fn attachment_data(&self, case_no: &str, sha256: &str) -> IpcResult<crate::ipc::AttachmentData> {
        use base64::Engine as _;
        let actor = self.actor()?;
        let (attachment, bytes) = self.workstation()?.attachment(&actor, case_no, sha256)?;
        Ok(crate::ipc::AttachmentData {
            attachment,
            data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        })
    }

    pub fn reusable_materials(&self, applicant_id: &str) -> IpcResult<Vec<ReusableMaterial>> {
        self.actor()?;
        Ok(self.workstation()?.reusable_materials(&ids::normalize(applicant_id))?)
    }

    /// Live check-digit validation while the clerk types (GB 11643 / GB 32100).
    pub fn check_id(&self, number: &str) -> IdReport {
        ids::check(number, self.ws.get().map_or_else(|| yc_core::Clock::System.today(), Workstation::today))
    }

    // ---- catalog ---------------------------------------------------------------------------

    pub fn catalog_items(&self) -> IpcResult<Vec<CatalogEntry>> {
        self.actor()?;
        Ok(self.workstation()?.catalog_items(None)?.iter().map(CatalogEntry::from_item).collect())
    }

    pub fn catalog_item(&self, code: &str) -> IpcResult<CatalogDoc> {
        self.actor()?;
        let (version, item) = self.workstation()?.catalog_item(code, None)?;
        Ok(CatalogDoc {
            entry: CatalogEntry::from_item(&item),
            version,
            legal_basis: item.legal_basis.clone(),
            guide_text: item.guide_text(),
            notice_text: item.notice_text(),
        })
    }

    // ---- parallel approval (并联审批) -----------------------------------------------------------

    /// The current catalog's themes, each with its branches and the union of their materials.
    pub fn catalog_themes(&self) -> IpcResult<Vec<crate::ipc::ThemeEntry>> {
        self.actor()?;
        let ws = self.workstation()?;
        let items = ws.catalog_items(None)?;
        Ok(ws.catalog_themes(None)?.iter().map(|t| crate::ipc::ThemeEntry::from_theme(t, &items)).collect())
    }

    /// Files a theme once: the theme case and a branch case per item, one receipt.
    pub fn new_theme(&self, req: &NewTheme) -> IpcResult<ThemeReceipt> {
        let actor = self.actor()?;
        Ok(self.workstation()?.new_theme(&actor, req)?)
    }

    /// Filed themes the person may see, newest first (the lead's list).
    pub fn list_themes(&self, open_only: bool, limit: u32) -> IpcResult<Vec<ThemeRow>> {
        let actor = self.actor()?;
        Ok(self.workstation()?.themes(&actor, open_only, limit as usize)?)
    }

    pub fn theme_board(&self, theme_no: &str) -> IpcResult<ThemeBoard> {
        let actor = self.actor()?;
        Ok(self.workstation()?.theme_board(&actor, theme_no)?)
    }

    /// The combined supplement notice (一次性告知) of every branch waiting for materials.
    pub fn theme_notice(&self, theme_no: &str) -> IpcResult<SupplementNotice> {
        let actor = self.actor()?;
        Ok(self.workstation()?.theme_supplement_notice(&actor, theme_no)?)
    }

    /// The applicant hands the notice's materials in once; returns the branches resumed.
    pub fn supplement_theme(&self, theme_no: &str, materials: &[String]) -> IpcResult<Vec<String>> {
        let actor = self.actor()?;
        Ok(self.workstation()?.supplement_theme(&actor, theme_no, materials)?)
    }

    /// Delivers every decided branch together (结果一并送达); returns the branch cases delivered.
    pub fn deliver_theme(&self, theme_no: &str, detail: Option<&str>) -> IpcResult<Vec<String>> {
        let actor = self.actor()?;
        Ok(self.workstation()?.deliver_theme(&actor, theme_no, detail)?)
    }

    /// The combined result notice (办理结果告知书).
    pub fn theme_result(&self, theme_no: &str) -> IpcResult<ThemeResult> {
        let actor = self.actor()?;
        Ok(self.workstation()?.theme_result(&actor, theme_no)?)
    }

    // ---- appointments (预约) and the queue (排队叫号) ------------------------------------------

    pub fn appointment_slots(&self, target: &Target, from: NaiveDate, days: u32) -> IpcResult<Vec<Slot>> {
        self.actor()?;
        Ok(self.workstation()?.appointment_slots(target, from, days)?)
    }

    pub fn book_appointment(&self, booking: &NewBooking) -> IpcResult<Booking> {
        let actor = self.actor()?;
        Ok(self.workstation()?.book_appointment(&actor, booking)?)
    }

    pub fn cancel_appointment(&self, booking_id: &str, reason: &str) -> IpcResult<Booking> {
        let actor = self.actor()?;
        Ok(self.workstation()?.cancel_appointment(&actor, booking_id, reason)?)
    }

    pub fn record_no_show(&self, booking_id: &str) -> IpcResult<Booking> {
        let actor = self.actor()?;
        Ok(self.workstation()?.record_no_show(&actor, booking_id)?)
    }

    pub fn check_in_appointment(&self, booking_id: &str, service: Service) -> IpcResult<CheckIn> {
        let actor = self.actor()?;
        Ok(self.workstation()?.check_in_appointment(&actor, booking_id, service)?)
    }

    pub fn appointments(&self, date: Option<NaiveDate>) -> IpcResult<Vec<Booking>> {
        let actor = self.actor()?;
        Ok(self.workstation()?.appointments(&actor, date, None)?)
    }

    pub fn take_ticket(&self, service: Service) -> IpcResult<PrintedTicket> {
        let actor = self.actor()?;
        let ws = self.workstation()?;
        let t = ws.take_ticket(&actor, service)?;
        Ok(ws.ticket_print(&t.ticket_id)?)
    }

    pub fn call_next(&self, window: &str, services: &[Service]) -> IpcResult<Option<Ticket>> {
        let actor = self.actor()?;
        Ok(self.workstation()?.call_next(&actor, window, services)?)
    }

    pub fn recall_ticket(&self, window: &str, number: Option<&str>) -> IpcResult<Ticket> {
        let actor = self.actor()?;
        Ok(self.workstation()?.recall_ticket(&actor, window, number)?)
    }

    pub fn skip_ticket(&self, window: &str) -> IpcResult<Ticket> {
        let actor = self.actor()?;
        Ok(self.workstation()?.skip_ticket(&actor, window)?)
    }

    pub fn transfer_ticket(&self, window: &str, service: Service, to_window: Option<&str>) -> IpcResult<Ticket> {
        let actor = self.actor()?;
        Ok(self.workstation()?.transfer_ticket(&actor, window, service, to_window)?)
    }

    pub fn queue_status(&self) -> IpcResult<QueueStatus> {
        self.actor()?;
        Ok(self.workstation()?.queue_status()?)
    }

    /// The hall display's read: numbers, windows and counts only, so it needs no login and keeps
    /// showing while the clerk's screen is locked. The store must be open (an encrypted one opens
    /// at the first login).
    pub fn hall_board(&self) -> IpcResult<HallBoard> {
        Ok(self.workstation()?.hall_board()?)
    }

    // ---- settings --------------------------------------------------------------------------

    pub fn status(&self) -> IpcResult<Status> {
        self.actor()?;
        Ok(self.workstation()?.status()?)
    }

    /// The last backup and whether it is old (the backup itself is `yc backup now`, admin).
    pub fn backup_status(&self) -> IpcResult<yc_core::backup::BackupStatus> {
        self.actor()?;
        Ok(self.workstation()?.backup_status()?)
    }

    /// Imports a year's working-day table (JSON, docs/calendar-format.md); admin only (core checks).
    pub fn import_calendar(&self, json: &str) -> IpcResult<i32> {
        let actor = self.actor()?;
        Ok(self.workstation()?.import_calendar(&actor, json)?)
    }

    // ---- intake drafts ----------------------------------------------------------------------

    /// A half-filled intake, per staff account (the rule and the file are core's `draft`).
    pub fn save_draft(&self, json: &str) -> IpcResult<()> {
        Ok(self.workstation()?.save_draft(&self.actor()?, json)?)
    }

    pub fn load_draft(&self) -> IpcResult<Option<String>> {
        Ok(self.workstation()?.load_draft(&self.actor()?)?)
    }

    pub fn clear_draft(&self) -> IpcResult<()> {
        Ok(self.workstation()?.clear_draft(&self.actor()?)?)
    }

    // ---- supervision (监察) ------------------------------------------------------------------

    /// The 监察 tab's figures for [from, to]; the supervisor only (the core checks).
    pub fn supervision_dashboard(&self, from: NaiveDate, to: NaiveDate) -> IpcResult<Dashboard> {
        let actor = self.actor()?;
        Ok(self.workstation()?.supervision_dashboard(&actor, from, to)?)
    }

    /// The cases behind one number of the dashboard.
    pub fn supervision_drill(&self, from: NaiveDate, to: NaiveDate, drill: &Drill) -> IpcResult<DrillResult> {
        let actor = self.actor()?;
        Ok(self.workstation()?.supervision_drill(&actor, from, to, drill)?)
    }

    pub fn work_orders(&self, all: bool) -> IpcResult<Vec<WorkOrder>> {
        let actor = self.actor()?;
        Ok(self.workstation()?.work_orders(&actor, all)?)
    }

    pub fn step_work_order(&self, order_id: &str, step: WorkOrderStep, note: &str) -> IpcResult<WorkOrder> {
        let actor = self.actor()?;
        Ok(self.workstation()?.step_work_order(&actor, order_id, step, note)?)
    }

    /// A rating the applicant gave at the window (the clerk's screen turned toward them).
    pub fn record_rating(&self, rating: &NewRating) -> IpcResult<Recorded> {
        let actor = self.actor()?;
        Ok(self.workstation()?.record_rating(&actor, rating)?)
    }

    pub fn complaints(&self, all: bool) -> IpcResult<Vec<Complaint>> {
        let actor = self.actor()?;
        Ok(self.workstation()?.complaints(&actor, all)?)
    }

    pub fn register_complaint(&self, c: &NewComplaint) -> IpcResult<Complaint> {
        let actor = self.actor()?;
        Ok(self.workstation()?.register_complaint(&actor, c)?)
    }

    pub fn assign_complaint(&self, id: &str, assignee: &str) -> IpcResult<Complaint> {
        let actor = self.actor()?;
        Ok(self.workstation()?.assign_complaint(&actor, id, assignee)?)
    }

    pub fn link_complaint(&self, id: &str, case_no: &str) -> IpcResult<Complaint> {
        let actor = self.actor()?;
        Ok(self.workstation()?.link_complaint(&actor, id, case_no)?)
    }

    pub fn answer_complaint(&self, id: &str, answer: &str) -> IpcResult<Complaint> {
        let actor = self.actor()?;
        Ok(self.workstation()?.answer_complaint(&actor, id, answer)?)
    }

    /// Writes the statistics table for [from, to] as `format` to `path` (absolute; the folder is
    /// made if missing; temp file + rename). Returns the path written.
    pub fn export_report(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        by: Option<By>,
        format: FileFormat,
        path: &str,
    ) -> IpcResult<String> {
        let actor = self.actor()?;
        let path = PathBuf::from(path.trim());
        if !path.is_absolute() {
            return Err(IpcError::new(
                ErrorKind::Invalid,
                format!("请填写完整的保存路径（绝对路径）：{}", path.display()),
            ));
        }
        let report = self.workstation()?.report(&actor, &yc_core::report::Query { from, to, by })?;
        let bytes = yc_core::report_file::render(&report, format)?;
        let io = |e: std::io::Error, p: &Path| IpcError::new(ErrorKind::Io, format!("无法写入 {}：{e}", p.display()));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io(e, dir))?;
        }
        let tmp = path.with_extension(format!("{}.part", format.extension()));
        std::fs::write(&tmp, &bytes).map_err(|e| io(e, &tmp))?;
        std::fs::rename(&tmp, &path).map_err(|e| io(e, &path))?;
        Ok(path.display().to_string())
    }

    /// (open cases, red lights) for the status icon.
    pub fn tray_counts(&self) -> IpcResult<(u64, u64)> {
        let c = self.workstation()?.light_counts()?;
        Ok((c.green + c.yellow + c.red + c.unknown, c.red))
    }
}
