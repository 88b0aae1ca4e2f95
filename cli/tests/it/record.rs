//! The seal usage log (用印登记) and the sealed files are checked against the journal: an insider
//! with write access to the SQLite file who rewrites a usage entry and re-computes the log's
//! chain with its public formula, deletes the log's tail, or swaps a stored PDF, is caught by
//! `yc seal log` and `yc journal verify`, which name what and where.

use std::path::Path;
use std::process::Output;

use crate::common;
use common::yc;

use ring::digest;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let o = yc(dir.path(), &["--today", "2026-11-20", "demo", "--cases", "20", "--no-adapters", "--plain"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = yc(dir.path(), &["seal", "log"]);
    assert!(o.status.success() && text(&o).contains("与日志中的"), "{}", text(&o));
    let o = yc(dir.path(), &["journal", "verify"]);
    assert!(o.status.success() && text(&o).contains("用印登记与日志一致"), "{}", text(&o));
    dir
}

fn db(data: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(data.join("yichuang.db")).unwrap()
}

/// The usage log's chain formula as docs and code state it: SHA-256("yc-seal-usage-v1" ‖ seq ‖
/// len-prefixed fields ‖ prev) — what an attacker would use.
fn usage_hash(seq: i64, fields: &[String], prev: &[u8]) -> Vec<u8> {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(b"yc-seal-usage-v1");
    ctx.update(&seq.to_be_bytes());
    for f in fields {
        ctx.update(&(f.len() as u64).to_be_bytes());
        ctx.update(f.as_bytes());
    }
    ctx.update(prev);
    ctx.finish().as_ref().to_vec()
}

fn both_fail_naming(data: &Path, words: &[&str]) {
    for args in [&["seal", "log"][..], &["journal", "verify"]] {
        let o = yc(data, args);
        assert_eq!(o.status.code(), Some(1), "{args:?} must fail: {}", text(&o));
        for w in words {
            assert!(text(&o).contains(w), "{args:?} names {w}: {}", text(&o));
        }
    }
}

#[test]
fn a_rewritten_and_rechained_usage_entry_is_caught_against_the_journal() {
    let dir = demo();
    let c = db(dir.path());
    // Rewrite who sealed entry 2, then recompute the whole log's chain from there on.
    c.execute_batch("DROP TRIGGER seal_usage_is_append_only_u").unwrap();
    c.execute("UPDATE seal_usage SET actor = 'mallory' WHERE seq = 2", []).unwrap();
    let rows: Vec<(i64, Vec<String>)> = {
        let mut st = c
            .prepare("SELECT seq, doc_id, seal_id, case_no, doc_type, file_sha256, signature_info, actor, at FROM seal_usage ORDER BY seq")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, (1..9).map(|i| r.get(i)).collect::<rusqlite::Result<Vec<String>>>()?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let mut prev = vec![0u8; 32];
    for (seq, fields) in &rows {
        let h = usage_hash(*seq, fields, &prev);
        c.execute("UPDATE seal_usage SET prev_hash = ?2, hash = ?3 WHERE seq = ?1", rusqlite::params![seq, prev, h])
            .unwrap();
        prev = h;
    }
    drop(c);
    // The log's own chain verifies again — only the journal tells the truth.
    both_fail_naming(dir.path(), &["用印登记第 2 条", "用印人被改动"]);
}

#[test]
fn a_deleted_usage_tail_and_a_swapped_pdf_are_each_named() {
    let dir = demo();
    let c = db(dir.path());
    let n: i64 = c.query_row("SELECT count(*) FROM seal_usage", [], |r| r.get(0)).unwrap();
    assert!(n >= 3, "the demo sealed documents: {n}");
    c.execute_batch("DROP TRIGGER seal_usage_is_append_only_d").unwrap();
    c.execute("DELETE FROM seal_usage WHERE seq = ?1", [n]).unwrap();
    drop(c);
    both_fail_naming(dir.path(), &["用印登记缺少 1 条"]);

    let dir = demo();
    let (sha, case_no): (String, String) = db(dir.path())
        .query_row("SELECT file_sha256, case_no FROM documents ORDER BY journal_seq LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let path = dir.path().join("documents").join(format!("{sha}.pdf"));
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"\n% swapped\n");
    std::fs::write(&path, bytes).unwrap();
    both_fail_naming(dir.path(), &["可能被替换", &case_no]);
}
