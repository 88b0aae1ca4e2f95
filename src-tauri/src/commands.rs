//! The IPC commands. Each is declared once in `commands!`, which yields the Tauri command, its
//! entry in the invoke handler, and its typed TypeScript wrapper (see `bindings`). Commands are
//! `async` so that queries run on the runtime's threads, never on the window's main thread.

use tauri::{AppHandle, Manager, State};
use ts_rs::TS;
use yc_core::case::Action;
use yc_core::ids::IdReport;
use yc_core::intake::ReusableMaterial;
use yc_core::query::{CaseDetail, CaseSummary, LightCounts, ListFilter};
use yc_core::staff::Actor;
use yc_core::workstation::Status;
use yc_core::{ActRequest, NewCase};

use chrono::NaiveDate;
use yc_core::report::By;
use yc_core::report_file::FileFormat;
use yc_core::supervision::evaluation::Recorded;
use yc_core::supervision::{Complaint, NewComplaint, NewRating, WorkOrder, WorkOrderStep};
use yc_core::supervision_board::{Dashboard, Drill, DrillResult};
use yc_core::theme::board::{ThemeBoard, ThemeRow};
use yc_core::theme::delivery::ThemeResult;
use yc_core::theme::intake::{NewTheme, ThemeReceipt};
use yc_core::theme::notice::SupplementNotice;

use yc_core::appointment::command::{Booking, CheckIn, Slot};
use yc_core::appointment::{NewBooking, Target};
use yc_core::queue::Service;
use yc_core::queue::command::{HallBoard, PrintedTicket, QueueStatus, Ticket};

use crate::applicant::ApplicantSide;
use crate::context::AppCtx;
use crate::enrollment::PackageView;
use crate::firstrun::{EnrollNow, FirstRunDone, FirstRunInfo};
use crate::ipc::{AppInfo, AttachmentData, CatalogDoc, CatalogEntry, IpcError, StaffEntry, SyncOverview, ThemeEntry};
use yc_core::agent::Post as ServicePost;
use yc_core::attachment::Attachment;
use yc_core::delivery::command::Delivery;
use yc_core::delivery::{Dispatch, Plan};
use yc_core::enrollment::EnrollmentStatus;
use yc_core::enrollment::FirstRun;
use yc_core::fee::{FeeAccount, Payment};
use yc_core::notice::NoticeStatus;
use yc_core::sync::DeliveryRow;

macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($ctx:ident, $app:ident $(, $arg:ident : $ty:ty)*) -> $ret:ty $body:block
    )*) => {
        $(
            $(#[doc = $doc])*
            #[tauri::command(rename_all = "snake_case")]
            #[allow(unused_variables)]
            pub async fn $name($ctx: State<'_, AppCtx>, $app: AppHandle $(, $arg: $ty)*) -> Result<$ret, IpcError> $body
        )*

        /// Command names in declaration order.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        pub fn invoke_handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        /// One typed wrapper per command: `name(args): Promise<Ret>` (rejects with `IpcError`).
        pub fn typescript_wrappers(cfg: &ts_rs::Config) -> String {
            let mut out = String::new();
            $(
                let params: Vec<String> = vec![$(format!("{}: {}", stringify!($arg), <$ty as TS>::name(cfg))),*];
                let names: Vec<&str> = vec![$(stringify!($arg)),*];
                let docs: Vec<&str> = vec![$($doc.trim()),*];
                if !docs.is_empty() {
                    out.push_str(&format!("/** {} */\n", docs.join(" ")));
                }
                out.push_str(&format!(
                    "export function {}({}): Promise<{}> {{\n  return call(\"{}\", {{ {} }});\n}}\n\n",
                    stringify!($name),
                    params.join(", "),
                    <$ret as TS>::name(cfg),
                    stringify!($name),
                    names.join(", "),
                ));
            )*
            out
        }
    };
}

/// Refreshes the status icon after a change (no-op without the tray feature).
fn refresh_tray(app: &AppHandle) {
    if let Some(ctx) = app.try_state::<AppCtx>() {
        crate::tray::refresh(app, &ctx);
    }
}

commands! {
    /// Workstation identity and today's date, shown before login.
    fn app_info(ctx, app) -> AppInfo { ctx.app_info() }
    /// Staff accounts for the login screen.
    fn list_staff(ctx, app) -> Vec<StaffEntry> { ctx.list_staff() }
    fn login(ctx, app, id: String, password: String) -> Actor { ctx.login(&id, &password) }
    fn logout(ctx, app) -> () { ctx.logout(); Ok(()) }
    /// Idle lock: every other command refuses until `unlock`.
    fn lock(ctx, app) -> () { ctx.lock(); Ok(()) }
    fn unlock(ctx, app, password: String) -> Actor { ctx.unlock(&password) }
    fn current_actor(ctx, app) -> Option<Actor> { Ok(ctx.current_actor()) }
    /// The work list, ordered by due date, one page at a time.
    fn list_cases(ctx, app, filter: ListFilter) -> Vec<CaseSummary> { ctx.list_cases(&filter) }
    fn search_cases(ctx, app, query: String, limit: u32) -> Vec<CaseSummary> { ctx.search_cases(&query, limit) }
    fn light_counts(ctx, app) -> LightCounts { ctx.light_counts() }
    fn case_detail(ctx, app, case_no: String) -> CaseDetail { ctx.case_detail(&case_no) }
    /// Takes an action; returns the case as it now is.
    fn act(ctx, app, case_no: String, action: Action, request: ActRequest) -> CaseDetail {
        let r = ctx.act(&case_no, action, &request);
        refresh_tray(&app);
        r
    }
    /// Live identifier check (resident ID, credit code) while typing.
    fn check_id(ctx, app, number: String) -> IdReport { Ok(ctx.check_id(&number)) }
    fn catalog_items(ctx, app) -> Vec<CatalogEntry> { ctx.catalog_items() }
    fn catalog_item(ctx, app, code: String) -> CatalogDoc { ctx.catalog_item(&code) }
    fn reusable_materials(ctx, app, applicant_id: String) -> Vec<ReusableMaterial> { ctx.reusable_materials(&applicant_id) }
    /// Files a new case (收件); returns its case number.
    fn new_case(ctx, app, request: NewCase) -> String {
        let r = ctx.new_case(&request);
        refresh_tray(&app);
        r
    }
    /// The logged-in clerk's half-filled intake (JSON written by the UI), kept across restarts.
    fn save_draft(ctx, app, json: String) -> () { ctx.save_draft(&json) }
    fn load_draft(ctx, app) -> Option<String> { ctx.load_draft() }
    fn clear_draft(ctx, app) -> () { ctx.clear_draft() }
    fn status(ctx, app) -> Status { ctx.status() }
    /// Themes (主题/套餐, 并联审批) of the current catalog, with the union of their materials.
    fn catalog_themes(ctx, app) -> Vec<ThemeEntry> { ctx.catalog_themes() }
    /// Files a theme once (一口收件): a branch case per item; returns the receipt listing every branch.
    fn new_theme(ctx, app, request: NewTheme) -> ThemeReceipt {
        let r = ctx.new_theme(&request);
        refresh_tray(&app);
        r
    }
    fn list_themes(ctx, app, open_only: bool, limit: u32) -> Vec<ThemeRow> { ctx.list_themes(open_only, limit) }
    /// The parallel board: every branch's department, state, light and time left; the overall deadline.
    fn theme_board(ctx, app, theme_no: String) -> ThemeBoard { ctx.theme_board(&theme_no) }
    /// The combined supplement notice (一次性告知) of the branches waiting for materials.
    fn theme_notice(ctx, app, theme_no: String) -> SupplementNotice { ctx.theme_notice(&theme_no) }
    /// Materials handed in once for the notice; returns the branch cases resumed.
    fn supplement_theme(ctx, app, theme_no: String, materials: Vec<String>) -> Vec<String> {
        let r = ctx.supplement_theme(&theme_no, &materials);
        refresh_tray(&app);
        r
    }
    /// Delivers every decided branch together (结果一并送达); returns the branch cases delivered.
    fn deliver_theme(ctx, app, theme_no: String, detail: Option<String>) -> Vec<String> {
        let r = ctx.deliver_theme(&theme_no, detail.as_deref());
        refresh_tray(&app);
        r
    }
    /// The combined result notice (办理结果告知书): every item's result and sealed documents.
    fn theme_result(ctx, app, theme_no: String) -> ThemeResult { ctx.theme_result(&theme_no) }
    /// The applicant's side of a case: delivery, notices (phone masked), fees, licence ids, agent.
    fn applicant_side(ctx, app, case_no: String) -> ApplicantSide { ctx.applicant_side(&case_no) }
    /// Sets or changes how the result reaches the applicant (送达方式, address).
    fn plan_delivery(ctx, app, case_no: String, plan: Plan) -> Delivery { ctx.plan_delivery(&case_no, &plan) }
    /// The result handed to the post, a courier or the agent (waybill where the method needs it).
    fn dispatch_delivery(ctx, app, case_no: String, dispatch: Dispatch) -> Delivery {
        ctx.dispatch_delivery(&case_no, &dispatch)
    }
    /// Signed for (签收): completes the case.
    fn delivery_receipt(ctx, app, case_no: String, signed_by: String, on: Option<NaiveDate>) -> Delivery {
        let r = ctx.delivery_receipt(&case_no, &signed_by, on);
        refresh_tray(&app);
        r
    }
    /// Came back undelivered (退件), with the reason.
    fn delivery_return(ctx, app, case_no: String, reason: String, on: Option<NaiveDate>) -> Delivery {
        ctx.delivery_return(&case_no, &reason, on)
    }
    /// The applicant's consent to SMS notices at a number, or its withdrawal (None).
    fn notice_consent(ctx, app, case_no: String, phone: Option<String>) -> NoticeStatus {
        ctx.notice_consent(&case_no, phone.as_deref())
    }
    /// The post this workstation serves (县级中心, 乡镇便民服务中心 or 村级代办点): an agent's filings
    /// count as township or village by it.
    fn service_post(ctx, app) -> ServicePost { ctx.service_post() }
    /// Sets the post (administrators of the whole workstation; journaled).
    fn set_service_post(ctx, app, post: ServicePost) -> ServicePost { ctx.set_service_post(&post) }
    /// The fees paid once, with the receipt number (一次性收费).
    fn pay_fee(ctx, app, case_no: String, payment: Payment) -> FeeAccount { ctx.pay_fee(&case_no, &payment) }
    /// The fees waived with a reason (decision makers).
    fn exempt_fee(ctx, app, case_no: String, reason: String, amount_fen: Option<i64>) -> FeeAccount {
        ctx.exempt_fee(&case_no, &reason, amount_fen)
    }
    /// A paid fee refunded in full with the voucher number and a reason (decision makers).
    fn refund_fee(ctx, app, case_no: String, receipt_no: String, reason: String) -> FeeAccount {
        ctx.refund_fee(&case_no, &receipt_no, &reason)
    }
    /// The last backup and whether the 设置 tab should warn.
    fn backup_status(ctx, app) -> yc_core::backup::BackupStatus { ctx.backup_status() }
    fn import_calendar(ctx, app, json: String) -> i32 { ctx.import_calendar(&json) }
    /// A scan or photo for the intake in progress, stored content-addressed; returns its record.
    fn put_attachment(ctx, app, name: String, data_base64: String) -> Attachment { ctx.put_attachment(&name, &data_base64) }
    fn attachment_data(ctx, app, case_no: String, sha256: String) -> AttachmentData { ctx.attachment_data(&case_no, &sha256) }
    /// Adapters' health and backlog, and the background worker's last pass.
    fn sync_overview(ctx, app) -> SyncOverview { ctx.sync_overview() }
    /// Wakes the background worker for a pass now.
    fn sync_now(ctx, app) -> () { ctx.sync_now() }
    fn quarantine(ctx, app, adapter: Option<String>) -> Vec<DeliveryRow> { ctx.quarantine(adapter.as_deref()) }
    /// Send a quarantined item again, or discard it with a reason (admin; journaled).
    fn resolve_quarantine(ctx, app, adapter: String, outbox_id: i64, retry: bool, reason: Option<String>) -> () {
        let r = ctx.resolve_quarantine(&adapter, outbox_id, retry, reason.as_deref());
        refresh_tray(&app);
        r
    }
    fn set_adapter_enabled(ctx, app, adapter: String, enabled: bool) -> () { ctx.set_adapter_enabled(&adapter, enabled) }
    /// The 监察 tab for [from, to]: lights by department, weekly trend, rules, ratings, work orders.
    fn supervision_dashboard(ctx, app, from: NaiveDate, to: NaiveDate) -> Dashboard { ctx.supervision_dashboard(from, to) }
    /// The cases behind one number of the 监察 tab.
    fn supervision_drill(ctx, app, from: NaiveDate, to: NaiveDate, drill: Drill) -> DrillResult {
        ctx.supervision_drill(from, to, &drill)
    }
    fn work_orders(ctx, app, all: bool) -> Vec<WorkOrder> { ctx.work_orders(all) }
    /// The next step of a 差评 work order (核实 → 整改 → 反馈 → 回访 → 复核/申诉), with a note.
    fn step_work_order(ctx, app, order_id: String, step: WorkOrderStep, note: String) -> WorkOrder {
        ctx.step_work_order(&order_id, step, &note)
    }
    /// The applicant's rating captured at the window after 办结; a 差评 opens its work order.
    fn record_rating(ctx, app, rating: NewRating) -> Recorded { ctx.record_rating(&rating) }
    /// Complaints (投诉) about the actor's departments; open ones only unless `all`.
    fn complaints(ctx, app, all: bool) -> Vec<Complaint> { ctx.complaints(all) }
    /// Registers a complaint (clerk or administrator); the due day follows the answer limit.
    fn register_complaint(ctx, app, complaint: NewComplaint) -> Complaint { ctx.register_complaint(&complaint) }
    /// Hands the complaint to a staff member (administrators).
    fn assign_complaint(ctx, app, complaint_id: String, assignee: String) -> Complaint {
        ctx.assign_complaint(&complaint_id, &assignee)
    }
    /// Links another case to the complaint.
    fn link_complaint(ctx, app, complaint_id: String, case_no: String) -> Complaint {
        ctx.link_complaint(&complaint_id, &case_no)
    }
    /// Answers the complaint (its assignee or an administrator): that closes it.
    fn answer_complaint(ctx, app, complaint_id: String, answer: String) -> Complaint {
        ctx.answer_complaint(&complaint_id, &answer)
    }
    /// Writes the statistics table (CSV, XLSX or PDF) to `path`; returns the path written.
    fn export_report(ctx, app, from: NaiveDate, to: NaiveDate, by: Option<By>, format: FileFormat, path: String) -> String {
        ctx.export_report(from, to, by, format, &path)
    }
    /// Registers an adapter from a config file (.toml or .json), as `yc adapter add` does; a
    /// process adapter needs `confirmed` (first call answers `NeedsConfirm` with the command).
    fn add_adapter(ctx, app, file_name: String, text: String, confirmed: bool) -> String {
        ctx.add_adapter(&file_name, &text, confirmed)
    }
    /// Manual, training (enrollment asked, reply not yet imported) or enrolled; the key fingerprint.
    fn enrollment_status(ctx, app) -> EnrollmentStatus { ctx.enrollment_status() }
    /// Imports the city's signed enrollment reply with the issuer fingerprint the admin confirmed.
    fn import_enrollment(ctx, app, text: String, issuer_fingerprint: String) -> PackageView {
        ctx.import_enrollment(&text, &issuer_fingerprint)
    }
    /// What an offline update bundle would change, or why it would be refused (writes nothing).
    fn show_update(ctx, app, text: String) -> PackageView { ctx.show_update(&text) }
    fn apply_update(ctx, app, text: String) -> PackageView { ctx.apply_update(&text) }
    /// Free slots of an item or a window on the working days from `from` (预约).
    fn appointment_slots(ctx, app, target: Target, from: NaiveDate, days: u32) -> Vec<Slot> {
        ctx.appointment_slots(&target, from, days)
    }
    fn book_appointment(ctx, app, booking: NewBooking) -> Booking { ctx.book_appointment(&booking) }
    fn cancel_appointment(ctx, app, booking_id: String, reason: String) -> Booking {
        ctx.cancel_appointment(&booking_id, &reason)
    }
    fn record_no_show(ctx, app, booking_id: String) -> Booking { ctx.record_no_show(&booking_id) }
    /// The applicant came: an appointed case with nothing received yet, and a priority ticket.
    fn check_in_appointment(ctx, app, booking_id: String, service: Service) -> CheckIn {
        let r = ctx.check_in_appointment(&booking_id, service);
        refresh_tray(&app);
        r
    }
    /// Bookings of the clerk's departments on `date` (all days when None).
    fn appointments(ctx, app, date: Option<NaiveDate>) -> Vec<Booking> { ctx.appointments(date) }
    /// Takes a ticket (取号); returns it with its printable text.
    fn take_ticket(ctx, app, service: Service) -> PrintedTicket { ctx.take_ticket(service) }
    /// Calls the next ticket to `window` (the one it called before is served); None: nobody waits.
    fn call_next(ctx, app, window: String, services: Vec<Service>) -> Option<Ticket> { ctx.call_next(&window, &services) }
    fn recall_ticket(ctx, app, window: String, number: Option<String>) -> Ticket {
        ctx.recall_ticket(&window, number.as_deref())
    }
    fn skip_ticket(ctx, app, window: String) -> Ticket { ctx.skip_ticket(&window) }
    fn transfer_ticket(ctx, app, window: String, service: Service, to_window: Option<String>) -> Ticket {
        ctx.transfer_ticket(&window, service, to_window.as_deref())
    }
    fn queue_status(ctx, app) -> QueueStatus { ctx.queue_status() }
    /// The hall display's board (numbers and windows only; the `hall` window's one command).
    fn hall_board(ctx, app) -> HallBoard { ctx.hall_board() }
    /// Opens (or brings forward) the hall display window, full screen.
    fn open_hall_display(ctx, app) -> () {
        ctx.actor()?;
        crate::hall::open(&app)
    }
    /// Set while the data directory holds no workstation: the window opens the first-run wizard.
    fn first_run_info(ctx, app) -> Option<FirstRunInfo> { Ok(ctx.first_run_info()) }
    /// The first of the core's objections to what the wizard has so far, or nothing.
    fn first_run_check(ctx, app, setup: FirstRun) -> () { ctx.first_run_check(&setup) }
    /// Makes the workstation (key pair on this machine, encrypted store, first administrator, signed
    /// request), then sends, exports or keeps the request (training mode until the reply).
    fn first_run(ctx, app, setup: FirstRun, then: EnrollNow) -> FirstRunDone { ctx.first_run(&setup, &then).await }
    /// Sends the kept enrollment request through the city adapter and imports the reply.
    fn send_enrollment(ctx, app, city_url: String, issuer_fingerprint: String, token: Option<String>) -> PackageView {
        ctx.send_enrollment(&city_url, &issuer_fingerprint, token.as_deref()).await
    }
    /// Writes the kept enrollment request to a folder; returns the file's path.
    fn export_enrollment_request(ctx, app, folder: String) -> String { ctx.export_enrollment_request(&folder) }
}
