//! Catalog import (`catalog::parse`, `parse_unchecked`, `problems`): no panic, errors in Chinese, an accepted catalog round-trips.
//! The same check as its proptest twin (yc-fuzzkit); docs/fuzzing.md.
#![no_main]

use yc_fuzzkit::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = core::catalog(data) {
        panic!("{e} — input {}", preview(data));
    }
});
