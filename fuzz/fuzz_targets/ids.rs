//! Identifier analysis (`ids::analyse`, `accept_for_intake`, `check_with`, `normalize`) on the input read as UTF-8.
//! The same check as its proptest twin (yc-fuzzkit); docs/fuzzing.md.
#![no_main]

use yc_fuzzkit::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = core::id_bytes(data) {
        panic!("{e} — input {}", preview(data));
    }
});
