//! A QR payload to verify: only the freshly sealed sample's payload is valid.
//! The same check as its proptest twin (yc-fuzzkit); docs/fuzzing.md.
#![no_main]

use yc_fuzzkit::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = seal::qr_bytes(data) {
        panic!("{e} — input {}", preview(data));
    }
});
