//! Adapter → host lines through the host's reply decoders and `sanitize_report`: no key acked that was not sent.
//! The same check as its proptest twin (yc-fuzzkit); docs/fuzzing.md.
#![no_main]

use yc_fuzzkit::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = sdk::decode_lines(data) {
        panic!("{e} — input {}", preview(data));
    }
});
