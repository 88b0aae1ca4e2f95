//! Fuzzing (issue 13 part 4) as proptest over bytes: catalog import, calendar import, identifier
//! analysis and backup manifests get arbitrary input and mutations of a valid sample (byte flips,
//! truncations, insertions, duplicated spans, JSON tokens). Each must return in bounded time with
//! a typed error carrying a Chinese message, never panic; the valid samples still parse. The
//! corpus in `tests/fuzz-corpus/<target>/` runs first as fixed cases (`valid-*` files must be
//! accepted). `YC_FUZZ_CASES` scales the case counts (`make fuzz`); docs/fuzzing.md.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use chrono::NaiveDate;
use proptest::prelude::*;
use yc_core::calendar::YearTable;
use yc_core::catalog::{self, CatalogError};
use yc_core::ids::{self, IdKind};
use yc_core::{Clock, Identity, Workstation};

// ---- shared helpers (the same shape in every crate's fuzz.rs) -------------------------------

/// Case count: `default` in `make test`; `YC_FUZZ_CASES` (`make fuzz`) divided by `slow` for the
/// targets that are slow per case. (`PROPTEST_CASES` overrides every target alike: proptest
/// applies it over any configuration.)
fn cases(default: u32, slow: u32) -> ProptestConfig {
    let n = std::env::var("YC_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .map_or(default, |n| (n / slow.max(1)).max(default.min(n)));
    ProptestConfig { cases: n, ..ProptestConfig::default() }
}

/// How long one call may take before it counts as a hang (debug build, 2 busy cores).
const BOUND: Duration = Duration::from_secs(20);

/// Runs `f` on its own thread and fails (naming the input) if it panics or outlives [`BOUND`].
fn bounded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
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

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn preview(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let s: String = s.chars().take(300).collect();
    format!("{s:?}")
}

/// One edit of a valid sample.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(prop::sample::Index, u8),
    Set(prop::sample::Index, u8),
    Truncate(prop::sample::Index),
    Insert(prop::sample::Index, Vec<u8>),
    Delete(prop::sample::Index, usize),
    /// A span copied right after itself: duplicated fields, lines, elements.
    Duplicate(prop::sample::Index, usize),
}

fn mutation(tokens: &'static [&'static str]) -> impl Strategy<Value = Mutation> {
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

fn apply(sample: &[u8], edits: &[Mutation]) -> Vec<u8> {
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
fn input(sample: &'static [u8], tokens: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(mutation(tokens), 1..5).prop_map(move |m| apply(sample, &m)),
        1 => prop::collection::vec(any::<u8>(), 0..512),
    ]
}

/// The files of `tests/fuzz-corpus/<target>/`, by name.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fuzz-corpus").join(target);
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

/// The demo catalog cut to its first two items: small enough that edits land in every field.
fn catalog_sample() -> &'static [u8] {
    static S: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let mut f = catalog::demo_catalog().expect("demo catalog");
        f.items.truncate(2);
        // Its themes name items the sample leaves out.
        f.themes.clear();
        catalog::to_json(&f).into_bytes()
    })
}

fn catalog_error_ok(e: &CatalogError) -> bool {
    has_chinese(&e.to_string())
}

/// What `import_catalog` does before it writes: parse and validate; then everything the windows
/// render from an accepted file.
fn check_catalog(bytes: Vec<u8>) -> Result<(), String> {
    let what = preview(&bytes);
    bounded(&what.clone(), move || {
        let text = String::from_utf8_lossy(&bytes);
        match catalog::parse(&text) {
            Ok(file) => {
                for item in &file.items {
                    let _ = (item.guide_text(), item.notice_text(), item.search_text());
                }
                let again = catalog::parse(&catalog::to_json(&file)).map_err(|e| format!("round trip: {e}"))?;
                if again != file {
                    return Err("to_json then parse gives another catalog".into());
                }
            }
            Err(e) if !catalog_error_ok(&e) => return Err(format!("error without a Chinese message: {e}")),
            Err(_) => {}
        }
        // The editor's path: every problem listed, each in Chinese.
        if let Ok(file) = catalog::parse_unchecked(&text) {
            for p in file.problems() {
                if !catalog_error_ok(&p) {
                    return Err(format!("problem without a Chinese message: {p}"));
                }
            }
        }
        Ok(())
    })
    .map_err(|e| format!("{e} — input {what}"))
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

const CALENDAR_SAMPLE: &[u8] = include_bytes!("../../data/calendar/2026.json");

fn check_calendar(bytes: Vec<u8>) -> Result<(), String> {
    let what = preview(&bytes);
    bounded(&what.clone(), move || {
        let text = String::from_utf8_lossy(&bytes);
        match YearTable::parse_json(&text) {
            Ok(t) => {
                let mut cal = yc_core::calendar::Calendar::empty();
                let y = t.year;
                cal.insert_year(t.clone());
                let first = NaiveDate::from_ymd_opt(y, 1, 1).ok_or("no 1 January")?;
                let _ = cal.add_workdays(first, 30);
                let _ = cal.workdays_between(first, first + chrono::Days::new(200));
                match YearTable::parse_json(&t.to_json()) {
                    Ok(back) if back == t => Ok(()),
                    other => Err(format!("round trip gives {other:?}")),
                }
            }
            // serde_json's own syntax messages are English; the Chinese frame says where.
            Err(e) if has_chinese(&e.to_string()) => Ok(()),
            Err(e) => Err(format!("error without a Chinese message: {e}")),
        }
    })
    .map_err(|e| format!("{e} — input {what}"))
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

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
}

/// Valid numbers of each kind (made by the crate's own generators, checked in ids.rs tests).
fn id_samples() -> &'static [String] {
    static S: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        vec![
            "11010519491231002X".to_string(),
            ids::make_resident_id("440305", NaiveDate::from_ymd_opt(1990, 3, 7).unwrap(), 451),
            ids::make_credit_code("91440300MA5F00000").expect("credit code"),
            ids::make_licence_id(
                "11100000000013338W",
                &ids::make_credit_code("11440300007495860").expect("issuer"),
                "2026000123",
                1,
            )
            .expect("licence id"),
            "110105491231002".to_string(),
        ]
    })
}

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
    bounded(&what.clone(), move || {
        let n = ids::normalize(&s);
        if ids::normalize(&n) != n {
            return Err(format!("normalize is not idempotent: {n:?}"));
        }
        let kinds = [None, Some(IdKind::ResidentId), Some(IdKind::CreditCode), Some(IdKind::LicenceId)];
        for expected in kinds {
            let a = ids::analyse(&s, today(), expected);
            if let Err(e) = &a.result
                && !has_chinese(&e.to_string())
            {
                return Err(format!("error without Chinese: {e:?}"));
            }
            let r = a.report();
            if !r.valid && !r.error.as_deref().is_some_and(has_chinese) {
                return Err(format!("invalid without a Chinese reason: {r:?}"));
            }
            if a.valid() && a.normalized != n {
                return Err("a valid number's normalized form differs from normalize()".into());
            }
            for reason in [false, true] {
                match ids::accept_for_intake(&s, today(), expected, reason) {
                    Ok(acc) if !matches!(acc.kind, IdKind::ResidentId | IdKind::CreditCode) => {
                        return Err(format!("intake accepted a {:?}", acc.kind));
                    }
                    Ok(acc) if acc.overridden && !reason => return Err("overridden without a reason".into()),
                    Err(e) if !has_chinese(&e.to_string()) => return Err(format!("error without Chinese: {e:?}")),
                    _ => {}
                }
            }
        }
        let _ = ids::check_with(&s, today(), true);
        Ok(())
    })
    .map_err(|e| format!("{e} — input {what}"))
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

/// A fresh workstation, one backup of it, and the backup's own manifest and signature.
struct BackupFixture {
    _tmp: tempfile::TempDir,
    ws: Workstation,
    dir: PathBuf,
    manifest: Vec<u8>,
    sig: Vec<u8>,
}

fn backup_fixture() -> BackupFixture {
    let tmp = tempfile::tempdir().unwrap();
    let id = Identity { region: "440305".into(), code: "W01".into(), name: "模糊测试窗口".into() };
    let ws = Workstation::init(&tmp.path().join("data"), id, "admin-pw-1", Clock::System).unwrap();
    let info = ws.backup_now(&ws.actor("admin").unwrap(), &tmp.path().join("backups")).unwrap();
    let dir = PathBuf::from(&info.path);
    let manifest = std::fs::read(dir.join(yc_core::backup::MANIFEST)).unwrap();
    let sig = std::fs::read(dir.join(yc_core::backup::MANIFEST_SIG)).unwrap();
    let check = ws.verify_backup(&dir).unwrap();
    assert!(check.ok, "the untouched backup verifies: {check:?}");
    BackupFixture { _tmp: tmp, ws, dir, manifest, sig }
}

thread_local! {
    static BACKUP: BackupFixture = backup_fixture();
}

/// A manifest (and signature) swapped into the backup: `verify_backup` and `list_backups` answer,
/// name each problem in Chinese, and never call a changed manifest good.
fn check_backup(manifest: &[u8], sig: Option<&[u8]>) -> Result<(), String> {
    let what = preview(manifest);
    BACKUP
        .with(|f| {
            std::fs::write(f.dir.join(yc_core::backup::MANIFEST), manifest).unwrap();
            std::fs::write(f.dir.join(yc_core::backup::MANIFEST_SIG), sig.unwrap_or(&f.sig)).unwrap();
            let start = std::time::Instant::now();
            let result = (|| {
                let check = f.ws.verify_backup(&f.dir).map_err(|e| format!("verify_backup failed outright: {e}"))?;
                // The signature covers the manifest's exact bytes. (A changed signature file may still
                // decode to the same bytes: hex is read case-blind.)
                if manifest != f.manifest.as_slice() && check.ok {
                    return Err(format!("a changed manifest verified: {check:?}"));
                }
                if !check.ok && check.problems.is_empty() && check.foreign.is_none() {
                    return Err(format!("refused without a reason: {check:?}"));
                }
                if let Some(p) = check.problems.iter().chain(check.foreign.iter()).find(|p| !has_chinese(p)) {
                    return Err(format!("problem without Chinese: {p}"));
                }
                let listed = yc_core::backup::list_backups(f.dir.parent().unwrap()).map_err(|e| e.to_string())?;
                if let Some(p) = listed.iter().filter_map(|b| b.problem.as_deref()).find(|p| !has_chinese(p)) {
                    return Err(format!("listing problem without Chinese: {p}"));
                }
                Ok(())
            })();
            if start.elapsed() > BOUND {
                return Err(format!("took {:?}", start.elapsed()));
            }
            std::fs::write(f.dir.join(yc_core::backup::MANIFEST), &f.manifest).unwrap();
            std::fs::write(f.dir.join(yc_core::backup::MANIFEST_SIG), &f.sig).unwrap();
            result
        })
        .map_err(|e| format!("{e} — manifest {what}"))
}

#[test]
fn backup_manifest_corpus_and_sample() {
    BACKUP.with(|f| check_backup(&f.manifest.clone(), None)).unwrap();
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
        let (manifest, sig) = BACKUP.with(|f| (apply(&f.manifest, &edits), sig_edits.map(|e| apply(&f.sig, &e))));
        check_backup(&manifest, sig.as_deref()).map_err(TestCaseError::fail)?;
    }
}
