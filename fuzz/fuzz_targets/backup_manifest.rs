//! A backup's `manifest.json` replaced by the input: `verify_backup` and `list_backups` never call a changed manifest good, every problem in Chinese.
//! The same check as its proptest twin (yc-fuzzkit); docs/fuzzing.md.
#![no_main]

use yc_fuzzkit::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = core::backup(data, None) {
        panic!("{e} — input {}", preview(data));
    }
});
