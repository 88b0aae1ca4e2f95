//! Calendar import (`YearTable::parse_json`): no panic, errors in Chinese, an accepted table answers workday questions and round-trips.
//! The same check as its proptest twin (yc-fuzzkit); docs/fuzzing.md.
#![no_main]

use yc_fuzzkit::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = core::calendar(data) {
        panic!("{e} — input {}", preview(data));
    }
});
