//! Signed events (issue 12 part 1): an insider who can write the database file rewrites an event
//! and recomputes the hash chain with the published formula; the chain verifies, the signatures
//! do not. Real SQLite files, the real clock (a real workstation requires signatures).

use rusqlite::{Connection, params};
use yc_core::case::{Action, Role};
use yc_core::journal::{GENESIS, chain_hash};
use yc_core::{ActRequest, Clock, CoreError, Identity, NewCase, NewStaff, Workstation, catalog};

struct Fx {
    dir: tempfile::TempDir,
    ws: Workstation,
}

fn identity() -> Identity {
    Identity { region: "440305".into(), code: "W01".into(), name: "签名测试窗口".into() }
}

/// A workstation on the real clock: `init` requires signatures; the admin who chose the
/// password is unlocked, and adds a clerk and a decider.
fn real() -> Fx {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workstation::init(dir.path(), identity(), "admin-pw-1", Clock::System).unwrap();
    let admin = ws.actor("admin").unwrap();
    ws.import_catalog(&admin, catalog::DEMO_CATALOG_JSON).unwrap();
    for (id, role) in [("clerk", Role::Clerk), ("boss", Role::Decider)] {
        let s = NewStaff {
            id: id.into(),
            name: id.into(),
            roles: vec![Role::Clerk, Role::Reviewer, role],
            departments: vec!["*".into()],
            password: Some(format!("{id}-pw-1")),
        };
        ws.add_staff(&admin, &s).unwrap();
    }
    Fx { dir, ws }
}

fn file_case(ws: &Workstation, by: &str) -> Result<String, CoreError> {
    let item = ws.catalog_items(None).unwrap().into_iter().find(|i| i.promised_limit_days > 0).unwrap();
    let req = NewCase {
        item_code: item.code,
        applicant_id: "11010519491231002X".into(),
        applicant_name: "王小二".into(),
        ..NewCase::default()
    };
    ws.new_case(&ws.actor(by).unwrap(), &req)
}

fn db(fx: &Fx) -> Connection {
    Connection::open(fx.dir.path().join("yichuang.db")).unwrap()
}

#[test]
fn a_real_workstation_signs_every_event_and_verifies_them() {
    let fx = real();
    fx.ws.login("clerk", "clerk-pw-1").unwrap();
    let no = file_case(&fx.ws, "clerk").unwrap();
    fx.ws.act(&fx.ws.actor("clerk").unwrap(), &no, Action::Accept, &ActRequest::default()).unwrap();
    let rep = fx.ws.verify_journal().unwrap();
    assert!(rep.ok, "{rep:?}");
    assert!(rep.signing_required);
    assert_eq!((rep.signed, rep.unsigned), (rep.events, 0), "{rep:?}");
    // Each key is announced in the journal: the workstation's and one per account.
    let c = db(&fx);
    let keys: i64 = c
        .query_row("SELECT count(*) FROM journal WHERE action IN ('staff.key', 'workstation.key')", [], |r| r.get(0))
        .unwrap();
    assert_eq!(keys, 4, "workstation + admin + clerk + boss");
    // No private key in clear anywhere in the file: every wrapped blob is only ciphertext.
    let plain: i64 =
        c.query_row("SELECT count(*) FROM staff_keys WHERE instr(wrapped, public_key) > 0", [], |r| r.get(0)).unwrap();
    assert_eq!(plain, 0);
}

#[test]
fn acting_as_someone_who_has_not_logged_in_writes_nothing() {
    let fx = real();
    // The decider's key is locked: the CLI's `--as boss` without boss's password cannot sign.
    let before = fx.ws.verify_journal().unwrap().events;
    let e = file_case(&fx.ws, "boss").unwrap_err();
    assert!(matches!(e, CoreError::NotSigned { ref actor } if actor == "boss"), "{e}");
    assert!(e.to_string().contains("签名密钥未解锁"), "{e}");
    assert_eq!(fx.ws.verify_journal().unwrap().events, before, "nothing was written");
    fx.ws.login("boss", "boss-pw-1").unwrap();
    file_case(&fx.ws, "boss").unwrap();
    fx.ws.logout("boss");
    assert!(matches!(file_case(&fx.ws, "boss"), Err(CoreError::NotSigned { .. })), "logout locks the key again");
}

/// A journal row as the chain formula reads it.
type Row = (i64, String, Option<String>, String, String, String, String, String, Option<String>);

/// Rewrites event `seq` with `edit` and recomputes every later hash and the head, as the issue's
/// insider did: the chain verifies afterwards.
fn rechain(c: &Connection, seq: i64, edit: &str) {
    c.execute_batch("DROP TRIGGER journal_is_append_only_u; DROP TRIGGER journal_is_append_only_d;").unwrap();
    c.execute(edit, [seq]).unwrap();
    let mut prev: Vec<u8> = if seq == 1 {
        GENESIS.to_vec()
    } else {
        c.query_row("SELECT hash FROM journal WHERE seq = ?1", [seq - 1], |r| r.get(0)).unwrap()
    };
    let rows: Vec<Row> = c
        .prepare("SELECT seq, id, case_no, actor, role, action, at, payload, reason FROM journal WHERE seq >= ?1 ORDER BY seq")
        .unwrap()
        .query_map([seq], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for (s, id, case_no, actor, role, action, at, payload, reason) in rows {
        let h = chain_hash(s, &id, case_no.as_deref(), &actor, &role, &action, &at, &payload, reason.as_deref(), &prev);
        c.execute("UPDATE journal SET prev_hash = ?2, hash = ?3 WHERE seq = ?1", params![s, prev, h]).unwrap();
        prev = h;
    }
    c.execute("UPDATE journal_head SET hash = ?1", [prev]).unwrap();
}

#[test]
fn a_rechained_rewrite_verifies_as_a_chain_and_fails_on_its_signature() {
    let fx = real();
    fx.ws.login("clerk", "clerk-pw-1").unwrap();
    fx.ws.login("boss", "boss-pw-1").unwrap();
    let no = file_case(&fx.ws, "clerk").unwrap();
    let accept = fx.ws.act(&fx.ws.actor("clerk").unwrap(), &no, Action::Accept, &ActRequest::default()).unwrap();
    file_case(&fx.ws, "boss").unwrap();
    assert!(fx.ws.verify_journal().unwrap().ok);

    // Who accepted the case? Rewritten to the decider, chain recomputed.
    let c = db(&fx);
    rechain(&c, accept.seq, "UPDATE journal SET actor = 'boss' WHERE seq = ?1");
    drop(c);
    assert!(yc_core::journal::verify(&db(&fx)).unwrap().ok, "the chain alone is fooled");
    let rep = fx.ws.verify_journal().unwrap();
    assert!(!rep.ok);
    let bad = rep.first_bad.unwrap();
    assert_eq!(bad.seq, accept.seq, "{bad:?}");
    assert!(bad.problem.contains("签名"), "{}", bad.problem);
    // And a rebuild refuses to launder it.
    assert!(matches!(fx.ws.rebuild(), Err(CoreError::JournalBroken { .. })));
}

#[test]
fn a_rewritten_payload_or_a_dropped_signature_is_named() {
    let fx = real();
    fx.ws.login("clerk", "clerk-pw-1").unwrap();
    let no = file_case(&fx.ws, "clerk").unwrap();
    let filed: i64 = db(&fx)
        .query_row("SELECT seq FROM journal WHERE case_no = ?1 ORDER BY seq LIMIT 1", [&no], |r| r.get(0))
        .unwrap();
    let c = db(&fx);
    rechain(&c, filed, "UPDATE journal SET payload = replace(payload, '王小二', '王大二') WHERE seq = ?1");
    drop(c);
    let rep = fx.ws.verify_journal().unwrap();
    assert_eq!(rep.first_bad.as_ref().map(|b| b.seq), Some(filed), "{rep:?}");

    // Another store: the signature row of a run is deleted.
    let fx = real();
    fx.ws.login("clerk", "clerk-pw-1").unwrap();
    file_case(&fx.ws, "clerk").unwrap();
    let c = db(&fx);
    c.execute_batch("DROP TRIGGER journal_signatures_append_only_d;").unwrap();
    let last: i64 = c.query_row("SELECT MAX(first_seq) FROM journal_signatures", [], |r| r.get(0)).unwrap();
    c.execute("DELETE FROM journal_signatures WHERE first_seq = ?1", [last]).unwrap();
    drop(c);
    let rep = fx.ws.verify_journal().unwrap();
    let bad = rep.first_bad.unwrap();
    assert_eq!(bad.seq, last);
    assert!(bad.problem.contains("缺少签名"), "{}", bad.problem);
}

#[test]
fn a_signature_moved_to_another_persons_event_is_refused() {
    let fx = real();
    fx.ws.login("clerk", "clerk-pw-1").unwrap();
    fx.ws.login("boss", "boss-pw-1").unwrap();
    file_case(&fx.ws, "clerk").unwrap();
    file_case(&fx.ws, "boss").unwrap();
    // The clerk's key row is relabelled as the decider's (the key table is not the truth: the
    // journal's staff.key events are).
    let c = db(&fx);
    let (clerk_key, boss_first): (String, i64) = c
        .query_row(
            "SELECT (SELECT key_id FROM staff_keys WHERE staff_id = 'clerk'),
                    (SELECT MAX(first_seq) FROM journal_signatures)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    c.execute_batch("DROP TRIGGER journal_signatures_append_only_u;").unwrap();
    c.execute("UPDATE journal_signatures SET key_id = ?1 WHERE first_seq = ?2", params![clerk_key, boss_first])
        .unwrap();
    drop(c);
    let bad = fx.ws.verify_journal().unwrap().first_bad.unwrap();
    assert_eq!(bad.seq, boss_first);
    assert!(bad.problem.contains("不属于"), "{}", bad.problem);
}

#[test]
fn a_password_change_keeps_the_key_and_a_reset_makes_a_new_one() {
    let fx = real();
    fx.ws.login("clerk", "clerk-pw-1").unwrap();
    file_case(&fx.ws, "clerk").unwrap();
    let key = |fx: &Fx| -> String {
        db(fx)
            .query_row("SELECT key_id FROM staff_keys WHERE staff_id = 'clerk' AND retired_at IS NULL", [], |r| {
                r.get(0)
            })
            .unwrap()
    };
    let k1 = key(&fx);
    fx.ws.change_password("clerk", "clerk-pw-1", "clerk-pw-2").unwrap();
    assert_eq!(key(&fx), k1, "re-wrapped, not re-keyed");
    // Another program (a fresh open) unlocks it with the new password only.
    let ws2 = Workstation::open(fx.dir.path(), Clock::System).unwrap();
    assert!(ws2.login("clerk", "clerk-pw-1").is_err());
    ws2.login("clerk", "clerk-pw-2").unwrap();
    file_case(&ws2, "clerk").unwrap();

    // The clerk forgot the password: the admin resets it, which makes a new key.
    let admin = ws2.actor("admin").unwrap();
    ws2.login("admin", "admin-pw-1").unwrap();
    ws2.reset_password(&admin, "clerk", "clerk-pw-3", "忘记密码，本人到场核实").unwrap();
    let k2 = key(&fx);
    assert_ne!(k2, k1);
    ws2.login("clerk", "clerk-pw-3").unwrap();
    file_case(&ws2, "clerk").unwrap();
    let rep = ws2.verify_journal().unwrap();
    assert!(rep.ok, "old events keep verifying under the old key: {rep:?}");
    assert_eq!(rep.unsigned, 0);
}

#[test]
fn sync_events_are_signed_by_the_workstation_key_a_login_unlocks() {
    let fx = real();
    fx.ws.login("clerk", "clerk-pw-1").unwrap();
    let no = file_case(&fx.ws, "clerk").unwrap();
    // Another program on the same store, after the clerk's login there: the workstation key is
    // unlocked with the clerk's password and signs what an adapter brings in.
    let ws2 = Workstation::open(fx.dir.path(), Clock::System).unwrap();
    assert!(matches!(
        ws2.record_department_opinion("city", &no, "opinion", &serde_json::json!({"意见": "同意"})),
        Err(CoreError::NotSigned { .. })
    ));
    ws2.login("clerk", "clerk-pw-1").unwrap();
    ws2.record_department_opinion("city", &no, "opinion", &serde_json::json!({"意见": "同意"})).unwrap();
    let rep = ws2.verify_journal().unwrap();
    assert!(rep.ok && rep.unsigned == 0, "{rep:?}");
}

#[test]
fn a_demo_or_test_workstation_signs_what_it_can_and_reports_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    let ws = Workstation::init(dir.path(), identity(), "admin-pw-1", Clock::at_date(day)).unwrap();
    let admin = ws.actor("admin").unwrap();
    ws.import_catalog(&admin, catalog::DEMO_CATALOG_JSON).unwrap();
    ws.add_staff(
        &admin,
        &NewStaff {
            id: "clerk".into(),
            name: "clerk".into(),
            roles: vec![Role::Clerk],
            departments: vec!["*".into()],
            password: Some("clerk-pw-1".into()),
        },
    )
    .unwrap();
    ws.logout("admin");
    file_case(&ws, "clerk").unwrap();
    let rep = ws.verify_journal().unwrap();
    assert!(rep.ok && !rep.signing_required, "{rep:?}");
    assert_eq!(rep.unsigned, 1, "only the filing by the clerk, who never logged in: {rep:?}");
    assert_eq!(rep.signed, rep.events - 1);
}
