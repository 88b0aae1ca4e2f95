//! Adapter config files build the right built-in adapter.

use yc_adapter_sdk::{Adapter, AdapterConfig};
use yc_sim::SimConfig;

#[tokio::test]
async fn city_extranet_config_file_builds_a_working_adapter() {
    let (addr, sim) = yc_sim::city::spawn(SimConfig { token: Some("tk".into()), ..Default::default() }).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("city.toml");
    std::fs::write(
        &path,
        format!(
            "name = \"city\"\nkind = \"city-extranet\"\n[settings]\nbase_url = \"http://{addr}\"\nsource = \"WS01\"\n[secrets_from_env]\ntoken = \"YC_CITY_TOKEN\"\n"
        ),
    )
    .unwrap();
    let cfg = AdapterConfig::load(&path).unwrap();
    let settings = cfg.resolved_settings(|v| (v == "YC_CITY_TOKEN").then(|| "tk".to_string())).unwrap();
    let mut a = yc_adapters::from_config(&cfg, &settings).unwrap();
    let hs = a.hello().await.unwrap();
    assert_eq!(hs.name, "city-extranet");
    assert_eq!(hs.secret_settings(), vec!["token".to_string()]);
    let item = yc_adapter_sdk::OutItem::new(
        "k1",
        "cases",
        Some("C".into()),
        1,
        "case.filed",
        "2026-11-23T09:00:00+08:00",
        serde_json::json!({"x": 1}),
    );
    assert_eq!(a.push(&[item]).await.unwrap().acked, vec!["k1".to_string()]);
    assert_eq!(sim.stats().stored, 1);
}

#[test]
fn settings_of_the_wrong_shape_are_a_readable_auth_error() {
    let cfg = AdapterConfig::from_json_str(r#"{"name":"d","kind":"vertical-xml","settings":{"endpoint":1}}"#).unwrap();
    let err = yc_adapters::from_config(&cfg, &cfg.settings).err().unwrap();
    assert_eq!(err.class, yc_adapter_sdk::ErrorClass::Auth);
    assert!(err.message.contains("vertical-xml 适配器设置有误"), "{err}");
}

/// The certificate files an HTTP adapter's config names are the ones beside the config file,
/// whatever directory `yc` runs in (a missing file is named with its full path).
#[test]
fn certificate_paths_are_relative_to_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("certs")).unwrap();
    for (kind, url_key, url) in [
        ("city-extranet", "base_url", "https://zwfw.example.gov.cn"),
        ("vertical-xml", "endpoint", "https://10.1.2.3/ws"),
    ] {
        let path = dir.path().join(format!("{kind}.toml"));
        std::fs::write(
            &path,
            format!(
                "name = \"a\"\nkind = \"{kind}\"\n[settings]\n{url_key} = \"{url}\"\nsource = \"WS01\"\nca_pem = \"certs/missing-ca.pem\"\n"
            ),
        )
        .unwrap();
        let cfg = AdapterConfig::load(&path).unwrap();
        let err = yc_adapters::from_config(&cfg, &cfg.settings).err().expect("the CA file does not exist");
        let want = dir.path().join("certs/missing-ca.pem");
        let real = std::fs::canonicalize(dir.path()).unwrap().join("certs/missing-ca.pem");
        assert!(
            err.message.contains(&want.display().to_string()) || err.message.contains(&real.display().to_string()),
            "{kind}: {err}"
        );
    }
}
