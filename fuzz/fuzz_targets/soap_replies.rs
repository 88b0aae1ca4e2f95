//! A department's SOAP reply as vertical-xml's push and pull read it (every status class, SOAP 1.1, 1.2, match by position): outcomes only for keys sent, messages in Chinese.
//! The same check as its proptest twin (yc-fuzzkit); docs/fuzzing.md.
#![no_main]

use yc_fuzzkit::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = adapters::soap_bytes(data) {
        panic!("{e} — input {}", preview(data));
    }
});
