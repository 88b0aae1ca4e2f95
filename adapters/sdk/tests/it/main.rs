//! One test binary per crate: every file below is a module, so the crate and its
//! dependencies are linked once instead of once per file (link time and disk in CI).

mod conformance_honest;
mod conformance_kit;
mod fuzz;
mod process_host;
mod template;
