//! A file-drop config's relative directories and key file are relative to the config file, not
//! to the directory the host runs in (docs/adapter-protocol.md §1).

use yc_adapter_sdk::{Adapter, AdapterConfig, OutItem};

#[tokio::test]
async fn file_drop_paths_resolve_against_the_config_files_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("exchange-config");
    std::fs::create_dir(&dir).unwrap();
    yc_adapters::file_drop::generate_key(&dir.join("keys/ws.key")).unwrap();
    let path = dir.join("drop.toml");
    std::fs::write(
        &path,
        "name = \"drop\"\nkind = \"file-drop\"\n[settings]\nworkstation_id = \"WS01\"\n\
         outbox_dir = \"out\"\ninbox_dir = \"./in\"\nkey_file = \"keys/ws.key\"\nstate_dir = \"state\"\n",
    )
    .unwrap();
    // The test runs in the crate's directory, far from the config.
    let here = std::env::current_dir().unwrap();
    assert!(!here.starts_with(tmp.path()));

    let cfg = AdapterConfig::load(&path).unwrap();
    let mut a = yc_adapters::build(&cfg).unwrap();
    a.hello().await.unwrap();
    let item = OutItem::new(
        "k1",
        "cases",
        Some("C".into()),
        1,
        "case.file",
        "2026-11-23T09:00:00+08:00",
        serde_json::json!({}),
    );
    assert_eq!(a.push(&[item]).await.unwrap().acked, vec!["k1".to_string()]);

    let packets: Vec<_> = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("yc-"))
        .collect();
    assert_eq!(packets, vec!["yc-WS01-0000000001".to_string()]);
    for d in ["in", "state"] {
        assert!(dir.join(d).is_dir(), "{d} was not created next to the config");
        assert!(!here.join(d).exists(), "{d} was created in the working directory");
    }
    assert!(!here.join("out").exists());
}
