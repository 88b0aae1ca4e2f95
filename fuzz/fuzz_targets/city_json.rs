//! The city platform's JSON reply as city-extranet's push, pull and anchor read it: outcomes only for keys sent, no more items than asked, errors in Chinese.
//! The same check as its proptest twin (yc-fuzzkit); docs/fuzzing.md.
#![no_main]

use yc_fuzzkit::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = adapters::city_bytes(data) {
        panic!("{e} — input {}", preview(data));
    }
});
