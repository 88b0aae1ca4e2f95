//! One test binary per crate: every file below is a module, so the crate and its
//! dependencies are linked once instead of once per file (link time and disk in CI).

mod agent;
mod appointment;
mod authorization;
mod backup;
mod checkpoint;
mod clock_order;
mod deadline_home;
mod deadlines;
mod delivery;
mod encryption;
mod enrollment;
mod fee;
mod fuzz;
mod ids;
mod item_contract;
mod licence;
mod module_graph;
mod notice;
mod offline_login;
mod progress;
mod queue;
mod seal;
mod signing;
mod supervision;
mod support;
mod sync;
mod sync_outcomes;
mod theme;
mod timestamping;
mod workstation;
