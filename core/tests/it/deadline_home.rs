//! One home for the statutory clock: `core/src/deadline.rs` is the only module that counts
//! working days towards a due date (the calendar itself aside). Another module that calls the
//! calendar's counting functions, or keeps its own limit constant, is a second deadline rule
//! waiting to drift from the first (issue 11: `projection::Clock::due` once did).

use std::path::{Path, PathBuf};

/// The calendar's counting functions: any of them outside the two files is a due date (or a
/// days-left figure) computed somewhere else.
const COUNTING: &[&str] = &["add_workdays(", "workdays_between(", "workday_ordinal("];

/// The limits the clock runs on, defined in deadline.rs alone.
const LIMITS: &[&str] = &["const PRE_REVIEW_DAYS", "const DELIVERY_DAYS"];

const HOME: &[&str] = &["calendar.rs", "deadline.rs"];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Code lines only: `//` comments may name the functions (and do, to point here).
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter(|(_, l)| !l.trim_start().starts_with("//")).map(|(i, l)| (i + 1, l))
}

#[test]
fn only_deadline_rs_counts_working_days_towards_a_due_date() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(files.len() > 10, "read core/src: {files:?}");
    let mut found = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        if HOME.contains(&rel.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in code_lines(&text) {
            for needle in COUNTING.iter().chain(LIMITS) {
                if line.contains(needle) {
                    found.push(format!("core/src/{rel}:{n}: {}", line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "due dates computed outside core/src/deadline.rs:\n{}", found.join("\n"));
}

#[test]
fn deadline_rs_holds_the_limits_and_the_clock() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/deadline.rs")).unwrap();
    for needle in LIMITS.iter().chain(&["pub struct CaseClock", "pub struct Board", "add_workdays("]) {
        assert!(text.contains(needle), "deadline.rs lacks «{needle}»");
    }
    // The statute the delivery limit comes from is named where it is defined.
    assert!(text.contains("第四十四条"));
}
