//! Fuzzing (issue 13 part 4) as proptest over bytes: catalog import, calendar import, identifier
//! analysis and backup manifests get arbitrary input and mutations of a valid sample (byte flips,
//! truncations, insertions, duplicated spans, JSON tokens). Each must return in bounded time with
//! a typed error carrying a Chinese message, never panic; the valid samples still parse. The
//! corpus in `tests/fuzz-corpus/<target>/` runs first as fixed cases (`valid-*` files must be
//! accepted). The checks themselves live in yc-fuzzkit, shared with the cargo-fuzz targets in
//! `fuzz/`. `YC_FUZZ_CASES` scales the case counts (`make fuzz-proptest`); docs/fuzzing.md.

use proptest::prelude::*;
use yc_core::calendar::YearTable;
use yc_core::catalog;
use yc_core::ids;
use yc_fuzzkit::core::{CALENDAR_SAMPLE, catalog_sample, id_samples, today, with_backup};
use yc_fuzzkit::{Mutation, apply, bounded, bounded_check, cases, corpus, input, mutation, preview};

const JSON_TOKENS: &[&str] = &[
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "null",
    "true",
    "-1",
    "0",
    "1e999",
    "18446744073709551616",
    "-9223372036854775809",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\\",
    "\u{feff}",
    "\u{2028}",
    "　",
    "２０２６",
    "😀",
    "\"format\":\"yichuang-catalog/2\",",
    "\"x\":1,",
    "\"2026-02-30\"",
    "\"2026-2-5\"",
    "\"9999-12-31\"",
    "\"+262143-01-01\"",
];

// ---- catalog import -------------------------------------------------------------------------

fn check_catalog(bytes: Vec<u8>) -> Result<(), String> {
    bounded_check(bytes, yc_fuzzkit::core::catalog)
}

#[test]
fn catalog_corpus_and_samples() {
    catalog::parse(catalog::DEMO_CATALOG_JSON).expect("the demo catalog parses");
    catalog::parse(std::str::from_utf8(catalog_sample()).unwrap()).expect("the small sample parses");
    for (name, bytes) in corpus("catalog") {
        if name.starts_with("valid-") {
            catalog::parse(std::str::from_utf8(&bytes).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        check_catalog(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

// ---- calendar import ------------------------------------------------------------------------

fn check_calendar(bytes: Vec<u8>) -> Result<(), String> {
    bounded_check(bytes, yc_fuzzkit::core::calendar)
}

#[test]
fn calendar_corpus_and_sample() {
    YearTable::parse_json(std::str::from_utf8(CALENDAR_SAMPLE).unwrap()).expect("2026.json parses");
    for (name, bytes) in corpus("calendar") {
        if name.starts_with("valid-") {
            YearTable::parse_json(std::str::from_utf8(&bytes).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        check_calendar(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

// ---- identifiers ------------------------------------------------------------------------------

const ID_CHARS: &[char] = &[
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X', 'x', 'A', 'N', 'Y', '.', '-', '０', '１', '９', 'Ｘ', 'ｘ',
    '\u{3000}', '。', ' ', '\t', '\n', '\u{200b}', '\u{feff}', '\u{0301}', 'ß', 'ﬀ', 'İ', '😀', '中', '\u{ff5e}',
];

fn id_input() -> impl Strategy<Value = String> {
    let edit = (any::<prop::sample::Index>(), prop::sample::select(ID_CHARS), 0u8..3);
    prop_oneof![
        // A valid number with a few characters replaced, inserted or removed.
        (prop::sample::select(id_samples()), prop::collection::vec(edit, 1..4)).prop_map(|(s, edits)| {
            let mut c: Vec<char> = s.chars().collect();
            for (i, ch, op) in edits {
                let p = if c.is_empty() { 0 } else { i.index(c.len()) };
                match op {
                    0 if !c.is_empty() => c[p] = ch,
                    1 => c.insert(p, ch),
                    _ if !c.is_empty() => {
                        c.remove(p);
                    }
                    _ => {}
                }
            }
            c.into_iter().collect()
        }),
        prop::collection::vec(prop::sample::select(ID_CHARS), 0..30).prop_map(|v| v.into_iter().collect()),
        ".{0,40}",
        // Very long input.
        (prop::sample::select(id_samples()), 1usize..300).prop_map(|(s, n)| s.repeat(n)),
    ]
}

fn check_id(s: String) -> Result<(), String> {
    let what = format!("{:?}", s.chars().take(100).collect::<String>());
    bounded(&what.clone(), move || yc_fuzzkit::core::id(&s)).map_err(|e| format!("{e} — input {what}"))
}

#[test]
fn id_corpus_and_samples() {
    for s in id_samples() {
        assert!(ids::analyse(s, today(), None).valid() || s.len() == 15, "sample {s} is valid");
        check_id(s.clone()).unwrap();
    }
    for (name, bytes) in corpus("ids") {
        let text = String::from_utf8(bytes).unwrap();
        for line in text.lines() {
            if name.starts_with("valid-") {
                assert!(ids::analyse(line, today(), None).valid(), "{name}: {line}");
            }
            check_id(line.to_string()).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

// ---- backup manifests -------------------------------------------------------------------------

fn check_backup(manifest: &[u8], sig: Option<&[u8]>) -> Result<(), String> {
    yc_fuzzkit::core::backup(manifest, sig).map_err(|e| format!("{e} — manifest {}", preview(manifest)))
}

#[test]
fn backup_manifest_corpus_and_sample() {
    with_backup(|f| check_backup(&f.manifest.clone(), None)).unwrap();
    for (name, bytes) in corpus("backup-manifest") {
        check_backup(&bytes, None).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// The backup's manifest with edits; the sample is only known at run time.
fn manifest_edits() -> impl Strategy<Value = (Vec<Mutation>, Option<Vec<Mutation>>)> {
    (
        prop::collection::vec(mutation(JSON_TOKENS), 0..4),
        prop::option::weighted(0.2, prop::collection::vec(mutation(&["0", "f", " ", "\n", "zz"]), 1..3)),
    )
}

proptest! {
    #![proptest_config(cases(384, 1))]

    #[test]
    fn catalog_import_never_panics(bytes in input(catalog_sample(), JSON_TOKENS)) {
        check_catalog(bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn calendar_import_never_panics(bytes in input(CALENDAR_SAMPLE, JSON_TOKENS)) {
        check_calendar(bytes).map_err(TestCaseError::fail)?;
    }
}

proptest! {
    #![proptest_config(cases(1024, 1))]

    #[test]
    fn id_analysis_never_panics(s in id_input()) {
        check_id(s).map_err(TestCaseError::fail)?;
    }
}

proptest! {
    #![proptest_config(cases(96, 100))]

    #[test]
    fn backup_manifest_checks_never_panic((edits, sig_edits) in manifest_edits()) {
        let (manifest, sig) = with_backup(|f| (apply(&f.manifest, &edits), sig_edits.map(|e| apply(&f.sig, &e))));
        check_backup(&manifest, sig.as_deref()).map_err(TestCaseError::fail)?;
    }
}
