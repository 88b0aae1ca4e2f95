//! A file-drop packet edited as the input says (`packet_edit_from_bytes`), written to a temp dir and verified: a tampered packet never verifies, errors in Chinese.
//! The same check as its proptest twin (yc-fuzzkit); docs/fuzzing.md.
#![no_main]

use yc_fuzzkit::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = adapters::packet_bytes(data) {
        panic!("{e} — input {}", preview(data));
    }
});
