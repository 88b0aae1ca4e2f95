//! Host → adapter lines through `serve`: it never fails on them and writes only whole messages, errors in Chinese.
//! The same check as its proptest twin (yc-fuzzkit); docs/fuzzing.md.
#![no_main]

use yc_fuzzkit::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = sdk::serve_input(data) {
        panic!("{e} — input {}", preview(data));
    }
});
