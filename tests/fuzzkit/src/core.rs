//! Core targets: catalog import, calendar import, identifier analysis, backup manifests.

use std::path::PathBuf;

use chrono::NaiveDate;
use yc_core::calendar::YearTable;
use yc_core::catalog;
use yc_core::ids::{self, IdKind};
use yc_core::{Clock, Identity, Workstation};

use crate::has_chinese;

// ---- catalog import ---------------------------------------------------------------------------

/// The demo catalog cut to its first two items: small enough that edits land in every field.
pub fn catalog_sample() -> &'static [u8] {
    static S: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let mut f = catalog::demo_catalog().expect("demo catalog");
        f.items.truncate(2);
        // Its themes name items the sample leaves out.
        f.themes.clear();
        catalog::to_json(&f).into_bytes()
    })
}

/// What `import_catalog` does before it writes: parse and validate; then everything the windows
/// render from an accepted file, and the round trip. Errors and the editor's problems in Chinese.
pub fn catalog(bytes: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(bytes);
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
        Err(e) if !has_chinese(&e.to_string()) => return Err(format!("error without a Chinese message: {e}")),
        Err(_) => {}
    }
    // The editor's path: every problem listed, each in Chinese.
    if let Ok(file) = catalog::parse_unchecked(&text) {
        for p in file.problems() {
            if !has_chinese(&p.to_string()) {
                return Err(format!("problem without a Chinese message: {p}"));
            }
        }
    }
    Ok(())
}

// ---- calendar import --------------------------------------------------------------------------

pub const CALENDAR_SAMPLE: &[u8] = include_bytes!("../../../core/data/calendar/2026.json");

/// What `import_calendar` runs; an accepted table answers workday questions and round-trips.
pub fn calendar(bytes: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(bytes);
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
}

// ---- identifiers ------------------------------------------------------------------------------

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
}

/// Valid numbers of each kind (made by the crate's own generators, checked in ids.rs tests).
pub fn id_samples() -> &'static [String] {
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

/// Every reading of an identifier: errors and invalid reports in Chinese, `normalize`
/// idempotent, the intake never takes a licence ID nor overrides without a reason.
pub fn id(s: &str) -> Result<(), String> {
    let n = ids::normalize(s);
    if ids::normalize(&n) != n {
        return Err(format!("normalize is not idempotent: {n:?}"));
    }
    let kinds = [None, Some(IdKind::ResidentId), Some(IdKind::CreditCode), Some(IdKind::LicenceId)];
    for expected in kinds {
        let a = ids::analyse(s, today(), expected);
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
            match ids::accept_for_intake(s, today(), expected, reason) {
                Ok(acc) if !matches!(acc.kind, IdKind::ResidentId | IdKind::CreditCode) => {
                    return Err(format!("intake accepted a {:?}", acc.kind));
                }
                Ok(acc) if acc.overridden && !reason => return Err("overridden without a reason".into()),
                Err(e) if !has_chinese(&e.to_string()) => return Err(format!("error without Chinese: {e:?}")),
                _ => {}
            }
        }
    }
    let _ = ids::check_with(s, today(), true);
    Ok(())
}

/// [`id`] on bytes (the cargo-fuzz target's input), read as UTF-8 with replacement characters.
pub fn id_bytes(bytes: &[u8]) -> Result<(), String> {
    id(&String::from_utf8_lossy(bytes))
}

// ---- backup manifests -------------------------------------------------------------------------

/// A fresh workstation, one backup of it, and the backup's own manifest and signature.
pub struct BackupFixture {
    _tmp: tempfile::TempDir,
    pub ws: Workstation,
    pub dir: PathBuf,
    pub manifest: Vec<u8>,
    pub sig: Vec<u8>,
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

/// The backup fixture of this thread (made on first use).
pub fn with_backup<R>(f: impl FnOnce(&BackupFixture) -> R) -> R {
    BACKUP.with(f)
}

/// A manifest (and signature) swapped into the backup: `verify_backup` and `list_backups` answer,
/// name each problem in Chinese, and never call a changed manifest good. Bounded by [`BOUND`]
/// itself (the fixture is not `Send`).
///
/// [`BOUND`]: crate::BOUND
pub fn backup(manifest: &[u8], sig: Option<&[u8]>) -> Result<(), String> {
    BACKUP.with(|f| {
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
        if start.elapsed() > crate::BOUND {
            return Err(format!("took {:?}", start.elapsed()));
        }
        std::fs::write(f.dir.join(yc_core::backup::MANIFEST), &f.manifest).unwrap();
        std::fs::write(f.dir.join(yc_core::backup::MANIFEST_SIG), &f.sig).unwrap();
        result
    })
}
