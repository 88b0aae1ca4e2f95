//! One test binary per crate: every file below is a module, so the crate and its
//! dependencies are linked once instead of once per file (link time and disk in CI).

mod city_extranet;
mod file_drop;
mod file_drop_paths;
mod from_config;
mod fuzz;
mod tsa;
mod vertical_xml;
