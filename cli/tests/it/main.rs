//! One test binary per crate: every file below is a module, so the crate and its
//! dependencies are linked once instead of once per file (link time and disk in CI).

mod adapter_confirm;
mod auth;
mod backup;
mod cli;
mod common;
mod crash;
mod doc_export;
mod encryption;
mod enroll;
mod hall;
mod id_check;
mod keygen;
mod real_time;
mod record;
mod report;
mod theme;
mod verify_trust;
