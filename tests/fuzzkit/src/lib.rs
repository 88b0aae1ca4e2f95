//! What every fuzz target shares (issue 13 part 4, docs/fuzzing.md): the mutations the proptest
//! targets apply to valid samples, the repo corpus, the bounded-time runner and the message checks
//! — and, per feature, each target's property check, called by its proptest test and by its
//! cargo-fuzz target in `fuzz/` alike. A check returns `Err(what went wrong)`; it never panics on
//! its own (a panic inside is the bug being looked for).

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use proptest::prelude::*;

#[cfg(feature = "adapters")]
pub mod adapters;
#[cfg(feature = "core")]
pub mod core;
#[cfg(feature = "sdk")]
pub mod sdk;
#[cfg(feature = "seal")]
pub mod seal;

/// Case count: `default` in `make test`; `YC_FUZZ_CASES` (`make fuzz-proptest`) divided by `slow`
/// for the targets that are slow per case. (`PROPTEST_CASES` overrides every target alike:
/// proptest applies it over any configuration.)
pub fn cases(default: u32, slow: u32) -> ProptestConfig {
    let n = std::env::var("YC_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .map_or(default, |n| (n / slow.max(1)).max(default.min(n)));
    ProptestConfig { cases: n, ..ProptestConfig::default() }
}

/// How long one call may take before it counts as a hang (debug build, 2 busy cores).
pub const BOUND: Duration = Duration::from_secs(20);

/// Runs `f` on its own thread and fails (naming the input) if it panics or outlives [`BOUND`].
/// (libFuzzer has its own `-timeout`; the cargo-fuzz targets call the checks directly.)
pub fn bounded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(BOUND) {
        Ok(v) => {
            let _ = handle.join();
            v
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("hang: no answer within {BOUND:?} for {what}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let _ = handle.join();
            panic!("panic for {what}")
        }
    }
}

/// `check(bytes)` in bounded time, its error naming the input.
pub fn bounded_check(bytes: Vec<u8>, check: fn(&[u8]) -> Result<(), String>) -> Result<(), String> {
    let what = preview(&bytes);
    bounded(&what.clone(), move || check(&bytes)).map_err(|e| format!("{e} — input {what}"))
}

/// At least one CJK ideograph: the message says something to a clerk.
pub fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The first 300 characters of an input, quoted, for failure messages.
pub fn preview(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let s: String = s.chars().take(300).collect();
    format!("{s:?}")
}

/// One edit of a valid sample.
#[derive(Debug, Clone)]
pub enum Mutation {
    Flip(prop::sample::Index, u8),
    Set(prop::sample::Index, u8),
    Truncate(prop::sample::Index),
    Insert(prop::sample::Index, Vec<u8>),
    Delete(prop::sample::Index, usize),
    /// A span copied right after itself: duplicated fields, lines, elements.
    Duplicate(prop::sample::Index, usize),
}

pub fn mutation(tokens: &'static [&'static str]) -> impl Strategy<Value = Mutation> {
    let token = prop::sample::select(tokens).prop_map(|t| t.as_bytes().to_vec());
    prop_oneof![
        (any::<prop::sample::Index>(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        (any::<prop::sample::Index>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<prop::sample::Index>(), token).prop_map(|(i, t)| Mutation::Insert(i, t)),
        (any::<prop::sample::Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<prop::sample::Index>(), 1usize..200).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

/// 1–4 edits.
pub fn edits(tokens: &'static [&'static str]) -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(tokens), 1..5)
}

pub fn apply(sample: &[u8], edits: &[Mutation]) -> Vec<u8> {
    let mut b = sample.to_vec();
    for m in edits {
        let at = |i: &prop::sample::Index, len: usize| if len == 0 { 0 } else { i.index(len) };
        match m {
            Mutation::Flip(i, bit) if !b.is_empty() => {
                let p = at(i, b.len());
                b[p] ^= 1 << bit;
            }
            Mutation::Set(i, v) if !b.is_empty() => {
                let p = at(i, b.len());
                b[p] = *v;
            }
            Mutation::Truncate(i) => b.truncate(at(i, b.len())),
            Mutation::Insert(i, bytes) => {
                let p = at(i, b.len() + 1);
                b.splice(p..p, bytes.iter().copied());
            }
            Mutation::Delete(i, n) if !b.is_empty() => {
                let p = at(i, b.len());
                b.drain(p..(p + n).min(b.len()));
            }
            Mutation::Duplicate(i, n) if !b.is_empty() => {
                let p = at(i, b.len());
                let span = b[p..(p + n).min(b.len())].to_vec();
                let end = p + span.len();
                b.splice(end..end, span);
            }
            _ => {}
        }
    }
    b
}

/// A valid sample with 1–4 edits, or arbitrary bytes (about one case in five).
pub fn input(sample: &'static [u8], tokens: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => edits(tokens).prop_map(move |m| apply(sample, &m)),
        1 => prop::collection::vec(any::<u8>(), 0..512),
    ]
}

/// `tests/fuzz-corpus/` of the repository: the one corpus, read by the proptest targets and
/// given to the cargo-fuzz targets as their seeds.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz-corpus")
}

/// The files of `tests/fuzz-corpus/<target>/`, by name.
pub fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir().join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()))
        .map(|e| {
            let p = e.unwrap().path();
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "empty corpus {}", dir.display());
    out
}
