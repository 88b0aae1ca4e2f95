//! Receipts as checkpoints (issue 12, docs/journal-signing.md §Checkpoints): the city platform's
//! witness (the simulator's own code) checks the journal signatures of what it anchors, and the
//! routine verify then trusts them up to its receipt — while a rewrite before the receipt, a bad
//! signature after it, and `--full` are still caught.

use rusqlite::Connection;
use yc_core::case::Role;
use yc_core::{Clock, Identity, NewCase, NewStaff, Workstation, catalog};

fn identity() -> Identity {
    Identity { region: "440305".into(), code: "W09".into(), name: "锚定检查点".into() }
}

fn file(ws: &Workstation, n: usize) {
    let clerk = ws.actor("clerk").unwrap();
    let item = ws.catalog_items(None).unwrap().into_iter().find(|i| i.promised_limit_days > 0).unwrap();
    for i in 0..n {
        let req = NewCase {
            item_code: item.code.clone(),
            applicant_id: "11010519491231002X".into(),
            applicant_name: format!("王小{i}"),
            ..NewCase::default()
        };
        ws.new_case(&clerk, &req).unwrap();
    }
}

/// The SQLite file as an insider with write access opens it, the append-only triggers dropped.
fn insider(dir: &std::path::Path) -> Connection {
    let db = Connection::open(dir.join("yichuang.db")).unwrap();
    db.execute_batch("DROP TRIGGER journal_signatures_append_only_u; DROP TRIGGER journal_signatures_append_only_d;")
        .unwrap();
    db
}

fn anchor(ws: &Workstation, witness: &mut yc_sim::heads::Witness) -> Result<Option<i64>, yc_core::CoreError> {
    ws.anchor_in_process("city", |p| witness.witness(p, "2026-12-03T10:00:00+08:00").map_err(|r| r.message))
}

#[test]
fn a_receipt_that_checked_the_signatures_spares_the_routine_verify_and_catches_what_it_must() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workstation::init(dir.path(), identity(), "admin-pw-1", Clock::System).unwrap();
    let admin = ws.actor("admin").unwrap();
    ws.import_catalog(&admin, catalog::DEMO_CATALOG_JSON).unwrap();
    let clerk = NewStaff {
        id: "clerk".into(),
        name: "张伟".into(),
        roles: vec![Role::Clerk],
        departments: vec!["*".into()],
        password: Some("clerk-pw-1".into()),
    };
    ws.add_staff(&admin, &clerk).unwrap();
    ws.login("clerk", "clerk-pw-1").unwrap();
    file(&ws, 20);

    // Anchored: every signature of the journal was checked by the witness; the routine verify
    // checks none of them again, the full one all.
    let mut witness = yc_sim::heads::Witness::new();
    let head = anchor(&ws, &mut witness).unwrap().unwrap();
    let routine = ws.verify_journal().unwrap();
    assert!(routine.ok, "{routine:?}");
    assert!(routine.checkpoint_seq >= head - 1, "{routine:?}");
    assert!(routine.vouched > 0 && routine.vouched <= routine.signed, "{routine:?}");
    let full = ws.verify_journal_full().unwrap();
    assert!(full.ok && full.vouched == 0 && full.signed == routine.signed, "{full:?}");

    // More work after the receipt: its signatures are checked by the routine verify.
    file(&ws, 3);
    let after = ws.verify_journal().unwrap();
    assert!(after.ok && after.signed > after.vouched, "{after:?}");
    let db = insider(dir.path());
    let flip = |seq: i64| {
        db.execute(
            "UPDATE journal_signatures SET signature = zeroblob(64) WHERE first_seq = (SELECT MAX(first_seq) FROM journal_signatures WHERE first_seq <= ?1)",
            [seq],
        )
        .unwrap();
    };
    let last: i64 = db.query_row("SELECT MAX(seq) FROM journal", [], |r| r.get(0)).unwrap();
    flip(last);
    let bad = ws.verify_journal().unwrap();
    assert!(!bad.ok, "a bad signature after the checkpoint is caught by the routine verify");
    assert!(bad.first_bad.unwrap().problem.contains("签名无效"));

    // A signature spoiled before the checkpoint: the receipt vouches for what it covered (the chain
    // still matches the receipt), so only the full verify names it.
    let dir2 = tempfile::tempdir().unwrap();
    drop((ws, db));
    let ws = Workstation::init(dir2.path(), identity(), "admin-pw-1", Clock::System).unwrap();
    let admin = ws.actor("admin").unwrap();
    ws.import_catalog(&admin, catalog::DEMO_CATALOG_JSON).unwrap();
    ws.add_staff(&admin, &clerk).unwrap();
    ws.login("clerk", "clerk-pw-1").unwrap();
    file(&ws, 10);
    let mut witness = yc_sim::heads::Witness::new();
    anchor(&ws, &mut witness).unwrap();
    let db = insider(dir2.path());
    let seq_of_case: i64 =
        db.query_row("SELECT MIN(seq) FROM journal WHERE case_no IS NOT NULL", [], |r| r.get(0)).unwrap();
    db.execute(
        "UPDATE journal_signatures SET signature = zeroblob(64) WHERE first_seq <= ?1 AND last_seq >= ?1",
        [seq_of_case],
    )
    .unwrap();
    assert!(ws.verify_journal().unwrap().ok, "vouched for by the receipt");
    let full = ws.verify_journal_full().unwrap();
    assert!(!full.ok, "{full:?}");

    // A witness shown a bad signature refuses to vouch: the anchoring fails, naming it.
    file(&ws, 1);
    let last: i64 = db.query_row("SELECT MAX(seq) FROM journal", [], |r| r.get(0)).unwrap();
    db.execute(
        "UPDATE journal_signatures SET signature = zeroblob(64) WHERE first_seq <= ?1 AND last_seq >= ?1",
        [last],
    )
    .unwrap();
    let e = anchor(&ws, &mut witness).unwrap_err();
    assert!(e.to_string().contains("签名"), "{e}");
}

#[test]
fn the_signed_bytes_are_the_ones_the_adapter_protocol_publishes() {
    let h = [7u8; 32];
    assert_eq!(yc_core::signing::message(3, 9, &h), yc_adapter_sdk::anchor::signature_message(3, 9, &h));
}
