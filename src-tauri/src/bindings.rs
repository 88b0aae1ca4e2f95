//! ui/src/bindings.ts, generated from the Rust types and the command list. `cargo test -p
//! yc-desktop` fails when the committed file is stale; `YC_WRITE_BINDINGS=1` rewrites it.

use ts_rs::{Config, TS};
use yc_core::backup::{BackupStatus, Head, LastBackup};
use yc_core::case::{Action, Channel, Kind, Outcome, Role, State};
use yc_core::deadline::Light;
use yc_core::enrollment::{EnrollmentState, EnrollmentStatus};
use yc_core::ids::{IdKind, IdReport};
use yc_core::intake::ReusableMaterial;
use yc_core::journal::Event;
use yc_core::query::{ActionInfo, CaseDetail, CaseSummary, LightCounts, ListFilter, MaterialRow};
use yc_core::report::By;
use yc_core::report_file::FileFormat;
use yc_core::seal::{DocumentRow, PadesLevel};
use yc_core::staff::Actor;
use yc_core::supervision::evaluation::{OrderOutcome, OrderState, Recorded, StepRecord};
use yc_core::supervision::{
    Channel as SupChannel, Complaint, Level, NewComplaint, NewRating, Rule, WorkOrder, WorkOrderStep,
};
use yc_core::supervision_board::{Dashboard, DepartmentLights, Drill, DrillResult, LevelCount, RuleCount, Week};
use yc_core::workstation::{Identity, Status};
use yc_core::{ActRequest, NewCase};

use crate::enrollment::PackageView;
use crate::firstrun::{EnrollNow, FirstRunDone, FirstRunInfo};
use crate::ipc::{
    AppInfo, AttachmentData, CatalogDoc, CatalogEntry, ErrorKind, IpcError, Label, MaterialEntry, StaffEntry,
    SubItemEntry, SyncOverview, ThemeBranchEntry, ThemeEntry, ThemeMaterialEntry,
};
use yc_adapter_sdk::{AdapterKind, ErrorClass};
use yc_core::attachment::Attachment;
use yc_core::enrollment::FirstRun;
use yc_core::sync::outbox::Backlog;
use yc_core::sync::{AdapterState, AdapterStatus, DeliveryRow, DeliveryState, RunReport};
use yc_core::theme::board::{BranchRefusal, BranchView, ThemeBoard, ThemeRow};
use yc_core::theme::delivery::{ResultBranch, ResultDocument, ThemeResult};
use yc_core::theme::intake::{NewTheme, ThemeReceipt};
use yc_core::theme::model::{BranchRef, SharedMaterial};
use yc_core::theme::notice::{NoticeBranch, NoticeMaterial, SupplementNotice};
use yc_core::theme::state::{ThemeOutcome, ThemeState};

pub const BINDINGS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/bindings.ts");

fn config() -> Config {
    // Counts and journal sequence numbers stay far below 2^53: plain numbers, not bigint.
    Config::new().with_large_int("number")
}

macro_rules! decls {
    ($cfg:expr; $($t:ty),* $(,)?) => {
        vec![$(format!("export {}", <$t as TS>::decl($cfg))),*]
    };
}

/// The whole file's text.
pub fn typescript() -> String {
    let cfg = config();
    let types: Vec<String> = decls![&cfg;
        ErrorKind, IpcError, AppInfo, Label, StaffEntry, MaterialEntry, SubItemEntry, Kind, CatalogEntry, CatalogDoc,
        Identity, Role, Actor, Light, State, Channel, Action, Outcome, CaseSummary, MaterialRow, ActionInfo,
        CaseDetail, ListFilter, LightCounts, Event, DocumentRow, PadesLevel, IdKind, IdReport, NewCase, ActRequest,
        ReusableMaterial, Status, Attachment, AttachmentData, Backlog, AdapterKind, ErrorClass, AdapterState,
        AdapterStatus, RunReport,
        DeliveryState, DeliveryRow, SyncOverview, Head, LastBackup, BackupStatus, EnrollmentState,
        EnrollmentStatus, PackageView, FirstRun, FirstRunInfo, EnrollNow, FirstRunDone,
        // 送达方式 chosen at intake (NewCase::delivery).
        yc_core::delivery::Method, yc_core::delivery::Plan,
        // The applicant's side of a case (docs/applicant.md): delivery, notices, fees, licences, agent.
        yc_core::delivery::Status, yc_core::delivery::Dispatch, yc_core::delivery::command::Delivery,
        yc_core::notice::Template, yc_core::notice::NoticeRow, yc_core::notice::NoticeStatus,
        yc_core::fee::Status, yc_core::fee::Line, yc_core::fee::FeeAccount, yc_core::fee::Payment,
        yc_core::licence::Status, yc_core::licence::Source, yc_core::licence::Licence,
        yc_core::agent::Level, yc_core::agent::Filing, yc_core::agent::CaseAgent, yc_core::agent::PostLevel,
        yc_core::agent::Post,
        crate::applicant::ApplicantSide,
        ThemeEntry, ThemeBranchEntry, ThemeMaterialEntry, NewTheme, ThemeReceipt, BranchRef, SharedMaterial,
        ThemeState, ThemeOutcome, ThemeRow, ThemeBoard, BranchView, BranchRefusal, SupplementNotice,
        NoticeBranch, NoticeMaterial, ThemeResult, ResultBranch, ResultDocument,
        Rule, Level, SupChannel, NewRating, Recorded, WorkOrderStep, OrderState, OrderOutcome, StepRecord, WorkOrder,
        NewComplaint, Complaint,
        DepartmentLights, Week, RuleCount, LevelCount, Dashboard, Drill, DrillResult, By, FileFormat,
        // 预约 and 排队叫号 (the clerk's panel, the booking dialog, the hall display).
        yc_core::appointment::Status, yc_core::appointment::Channel, yc_core::appointment::TargetKind,
        yc_core::appointment::Target, yc_core::appointment::SlotTime, yc_core::appointment::NewBooking,
        yc_core::appointment::command::Slot, yc_core::appointment::command::Booking,
        yc_core::appointment::command::CheckIn, yc_core::queue::Service, yc_core::queue::TicketStatus,
        yc_core::queue::command::Ticket, yc_core::queue::command::PrintedTicket,
        yc_core::queue::command::ServiceWaiting, yc_core::queue::command::QueueStatus,
        yc_core::queue::command::HallCall, yc_core::queue::command::HallBoard,
    ];
    // Item kinds are an enum with a payload (`case.<action>`), serialized as their code: the union
    // of every code is written out here.
    let item_kinds: Vec<String> =
        yc_core::sync::contract::ItemKind::all().iter().map(|k| format!("\"{}\"", k.code())).collect();
    let types: Vec<String> =
        types.into_iter().chain([format!("export type ItemKind = {};", item_kinds.join(" | "))]).collect();
    let mut out = String::from(
        "// Generated by yc-desktop (src-tauri/src/bindings.rs) from the Rust types. Do not edit.\n\
         // Regenerate: YC_WRITE_BINDINGS=1 cargo test -p yc-desktop bindings\n\n\
         import { call } from \"./ipc\";\n\n\
         export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null;\n\n",
    );
    for t in types {
        out.push_str(&t);
        out.push_str("\n\n");
    }
    out.push_str(&crate::commands::typescript_wrappers(&cfg));
    out
}
