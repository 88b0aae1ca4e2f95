//! `yc doc export` hands out a stored document only if it still is the one the record sealed.

use std::process::Output;

use crate::common;
use common::yc;

#[test]
fn a_replaced_document_file_is_refused_not_exported_as_genuine() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = yc(d, &["--today", "2026-11-20", "demo", "--cases", "20", "--plain"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = yc(d, &["--json", "case", "list", "--state", "completed", "--limit", "1"]);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let no = list[0]["case_no"].as_str().expect("a completed demo case").to_owned();
    let o = yc(d, &["--json", "doc", "list", &no]);
    let docs: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(docs[0]["path"].is_string(), "a sealed document: {docs}");

    // Genuine: exported byte for byte.
    let out = d.join("genuine.pdf");
    let o = yc(d, &["doc", "export", &no, "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // Someone with file access swaps every stored PDF of the case for another valid-looking one.
    let other = std::fs::read(&out).unwrap();
    for doc in docs.as_array().unwrap() {
        let p = doc["path"].as_str().unwrap();
        let mut forged = other.clone();
        forged.extend_from_slice(b"\n% replaced\n");
        std::fs::write(p, forged).unwrap();
    }
    let dest = d.join("forged.pdf");
    let o = yc(d, &["--json", "doc", "export", &no, "--out", dest.to_str().unwrap()]);
    assert!(!o.status.success());
    let err: serde_json::Value = serde_json::from_slice(&o.stderr).unwrap();
    assert_eq!(err["error"]["kind"], "Tampered");
    let msg = err["error"]["message"].as_str().unwrap();
    assert!(msg.contains(&no) && msg.contains("可能已被替换"), "{msg}");
    assert!(!dest.exists(), "nothing written");
}

fn err_kind(o: &Output) -> String {
    let v: serde_json::Value = serde_json::from_slice(&o.stderr).unwrap_or_default();
    v["error"]["kind"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn a_seal_locked_by_wrong_pins_is_unlocked_only_by_an_admin_with_the_authoritys_pin_on_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = yc(d, &["--today", "2026-11-20", "demo", "--cases", "30", "--plain"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // An approved case waiting for its decision document, in a department the seal keeper serves.
    let o = yc(d, &["--json", "case", "list", "--state", "approved", "--limit", "50"]);
    let cases: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let no = cases[0]["case_no"].as_str().expect("an approved demo case").to_owned();
    let seal =
        |pin: &str| yc(d, &["--json", "--as", "zhaomin", "doc", "seal", &no, "--type", "approval", "--pin", pin]);

    // Wrong PINs are told apart from a locked seal.
    let mut kinds = Vec::new();
    for _ in 0..6 {
        kinds.push(err_kind(&seal("000000")));
    }
    assert_eq!(kinds[0], "WrongPin", "{kinds:?}");
    assert_eq!(kinds.last().map(String::as_str), Some("SealLocked"), "{kinds:?}");
    // Locked: even the right PIN is refused.
    assert_eq!(err_kind(&seal(yc_core::demo::DEMO_PIN)), "SealLocked");

    let o = yc(d, &["--json", "seal", "list"]);
    let seals: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let locked: Vec<&serde_json::Value> = seals.as_array().unwrap().iter().filter(|s| s["locked"] == true).collect();
    assert_eq!(locked.len(), 1, "{seals}");
    let seal_id = locked[0]["seal_id"].as_str().unwrap().to_owned();

    // Not a clerk; not without the authority's PIN; not without a reason.
    let unlock = |who: &str, pin: &str, reason: &str| {
        yc(d, &["--json", "--as", who, "seal", "unlock", &seal_id, "--reason", reason, "--authority-pin", pin])
    };
    assert_eq!(err_kind(&unlock("zhangwei", yc_core::demo::DEMO_PASSWORD, "误操作")), "RoleDenied");
    assert!(!unlock("admin", "wrong-authority-pin", "误操作").status.success());
    assert_eq!(err_kind(&unlock("admin", yc_core::demo::DEMO_PASSWORD, " ")), "Missing");
    let o = unlock("admin", yc_core::demo::DEMO_PASSWORD, "印章管理员输错口令，经制作中心电话确认");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // It seals again, and the journal holds the unlock with who, why and what it cleared.
    let o = seal(yc_core::demo::DEMO_PIN);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let c = rusqlite::Connection::open(d.join("yichuang.db")).unwrap();
    let (actor, reason, payload): (String, String, String) = c
        .query_row("SELECT actor, reason, payload FROM journal WHERE action = 'seal.unlock'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(actor, "admin");
    assert!(reason.contains("制作中心"));
    let p: serde_json::Value = serde_json::from_str(&payload).unwrap();
    assert_eq!((p["seal_id"].as_str(), p["was_locked"].as_bool()), (Some(seal_id.as_str()), Some(true)));
    assert!(yc(d, &["journal", "verify"]).status.success());
}
