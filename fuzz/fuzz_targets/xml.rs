//! The defensive XML reader (`xml::parse`): a tree or a typed error in Chinese.
//! The same check as its proptest twin (yc-fuzzkit); docs/fuzzing.md.
#![no_main]

use yc_fuzzkit::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = sdk::xml(data) {
        panic!("{e} — input {}", preview(data));
    }
});
