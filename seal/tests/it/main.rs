//! One test binary per crate: every file below is a module, so the crate and its
//! dependencies are linked once instead of once per file (link time and disk in CI).

mod canonical;
mod common;
mod forgeries;
mod fuzz;
mod keystore;
mod layout;
mod pades;
mod pyhanko;
mod qr_binding;
mod roundtrip;
mod templates;
