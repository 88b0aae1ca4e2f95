//! An IT admin makes the file-drop exchange's signing key with `yc adapter keygen` and the adapter
//! built on it delivers (a key from elsewhere in the wrong format was only refused at sync time).

use std::os::unix::fs::PermissionsExt;

use crate::common;
use common::{stderr, stdout, yc};

#[test]
fn a_key_made_by_keygen_drives_a_file_drop_exchange() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = yc(d, &["--today", "2026-11-20", "demo", "--cases", "3", "--no-seal", "--no-adapters"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let x = d.join("exchange-cfg");
    std::fs::create_dir_all(&x).unwrap();
    let key = x.join("workstation.key");
    let o = yc(d, &["--json", "adapter", "keygen", key.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["public_key"].as_str().is_some_and(|k| k.len() >= 40), "{v}");
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600, "private to the service account");
    // Never overwritten: the far side verifies packets with the public key it was given.
    let o = yc(d, &["adapter", "keygen", key.to_str().unwrap()]);
    assert!(!o.status.success() && stderr(&o).contains("不覆盖"), "{}", stderr(&o));

    // A config beside the key, with relative paths, as docs/ADMIN.md shows.
    let cfg = x.join("exchange.toml");
    std::fs::write(
        &cfg,
        "name = \"exchange\"\nkind = \"file-drop\"\n[settings]\nworkstation_id = \"W01\"\noutbox_dir = \"out\"\ninbox_dir = \"in\"\nkey_file = \"workstation.key\"\nstate_dir = \"state\"\n",
    )
    .unwrap();
    for sub in ["out", "in", "state"] {
        std::fs::create_dir_all(x.join(sub)).unwrap();
    }
    let o = yc(d, &["adapter", "add", cfg.to_str().unwrap(), "--backfill"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = yc(d, &["sync", "--once", "--adapter", "exchange"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(std::fs::read_dir(x.join("out")).unwrap().count() >= 1, "a signed packet was written");
}
