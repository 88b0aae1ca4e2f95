//! Yichuang (一窗) core: the headless heart of the service-window workstation.
//!
//! No Tauri, no UI. Modules are named after the rule they hold:
//! [`catalog`] (事项目录), [`case`] (the state machine), [`journal`] (the hash-chained truth),
//! [`calendar`] and [`deadline`] (working days, lights), [`ids`] (resident IDs, credit codes),
//! [`staff`] (roles, scope), [`projection`] (journal → tables), [`query`] (work lists, search),
//! [`workstation`] (the service front ends call), [`sync`] (outbox, inbox, the sync engine),
//! [`demo`] (a believable demo workstation).

pub mod attachment;
pub mod auth;
pub mod calendar;
pub mod case;
pub mod catalog;
pub mod clock;
pub mod deadline;
pub mod demo;
pub mod error;
pub mod ids;
pub mod integrity;
pub mod journal;
pub mod projection;
pub mod query;
pub mod report;
pub mod seal;
pub mod staff;
pub mod store;
pub mod supervision;
pub mod sync;
pub mod workstation;

pub use clock::Clock;
pub use error::{CoreError, Result};
pub use workstation::{ActRequest, Identity, NewCase, NewStaff, Workstation};
