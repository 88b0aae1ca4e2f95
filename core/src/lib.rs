//! Yichuang (一窗) core: the headless heart of the service-window workstation.
//!
//! No Tauri, no UI. Modules are named after the rule they hold and layered without cycles
//! (docs/ARCHITECTURE.md, core/tests/it/module_graph.rs): [`catalog`] (事项目录), [`case`] (the state
//! machine), [`journal`] (the hash-chained truth) and [`events`] (its event names), [`calendar`] and
//! [`deadline`] (working days, lights), [`ids`] (resident IDs, credit codes), [`staff`] (roles,
//! scope), [`workstation`] (the handle every command runs on), [`intake`] and [`casework`] (filing
//! and acting on cases), [`projection`] (journal → tables), [`query`] (work lists, search),
//! [`seal`] and [`document`], [`delivery`] (送达), [`licence`] (电子证照), [`notice`] (办件通知), [`progress`] (办件查询), [`appointment`] (预约), [`queue`] (排队叫号), [`supervision`], [`sync`] (outbox, inbox, the sync engine), [`demo`].

pub mod agent;
pub mod anchor;
pub mod appointment;
pub mod attachment;
pub mod auth;
pub mod backup;
pub mod calendar;
pub mod case;
pub mod casework;
pub mod catalog;
pub mod catalog_versions;
pub mod clock;
pub mod deadline;
pub mod delivery;
pub mod demo;
pub mod document;
pub mod draft;
pub mod enrollment;
pub mod error;
pub mod events;
pub mod fee;
pub mod fsck;
pub mod hash;
pub mod ids;
pub mod intake;
pub mod integrity;
pub mod journal;
pub mod licence;
pub mod notice;
pub mod numbering;
pub mod progress;
pub mod projection;
pub mod provisioning;
pub mod query;
pub mod queue;
pub mod report;
pub mod report_file;
pub mod seal;
pub mod setup;
pub mod signing;
pub mod staff;
pub mod store;
pub mod supervision;
pub mod supervision_board;
pub mod sync;
pub mod theme;
pub mod timestamping;
pub mod trust;
pub mod vault;
pub mod workstation;

pub use auth::NewStaff;
pub use casework::ActRequest;
pub use clock::Clock;
pub use error::{CoreError, Result};
pub use intake::NewCase;
pub use workstation::{Identity, Workstation};
