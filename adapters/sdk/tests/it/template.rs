//! The annotated template runs as shipped: it shakes hands and says clearly what is missing.

use std::path::Path;

use yc_adapter_sdk::{Adapter, AdapterConfig, ErrorClass, OutItem, ProcessAdapter};

#[tokio::test]
async fn template_handshakes_and_refuses_push_until_implemented() {
    // Loaded as `yc adapter add` does, from the crate's directory (tests run there), not the
    // template's: `python3 adapter.py` must still find the script next to adapter.toml.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../template");
    assert_ne!(std::env::current_dir().unwrap().canonicalize().unwrap(), dir.canonicalize().unwrap());
    let cfg = AdapterConfig::load(&dir.join("adapter.toml")).unwrap();
    let settings = cfg.resolved_settings(|_| Some("pw".into())).unwrap();
    let spec = cfg.process.clone().unwrap();
    let mut a = ProcessAdapter::spawn(&cfg.name, &spec, settings).unwrap();
    let hs = a.hello().await.unwrap();
    assert_eq!(hs.secret_settings(), vec!["password".to_string()]);
    let item = OutItem::new("k", "cases", None, 1, "case.file", "2026-11-23T09:00:00+08:00", serde_json::json!({}));
    let err = a.push(&[item]).await.unwrap_err();
    assert_eq!(err.class, ErrorClass::Auth);
    assert!(err.message.contains("模板尚未实现推送"), "{err}");
    a.shutdown().await.unwrap();
}
