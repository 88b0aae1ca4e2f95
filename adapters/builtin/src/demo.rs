//! The adapters a demo workstation is configured with, so the sync panel has real traffic:
//! a file-drop exchange under the data directory (works with no network at all) and the city
//! platform at the loopback address where `make run` starts its simulator (`yc-sim city`).
//! Without the simulator the city adapter shows what a clerk sees when the extranet is down.

use std::path::Path;

use yc_adapter_sdk::{AdapterConfig, AdapterError, AdapterKind};

/// Where `make run` starts the city platform simulator.
pub const DEMO_CITY_URL: &str = "http://127.0.0.1:18610";

/// Creates the exchange directories and the workstation's signing key under `data_dir`, and
/// returns the two adapter configs. `source` is the workstation id the packets and rows carry.
pub fn demo_configs(data_dir: &Path, source: &str) -> Result<Vec<AdapterConfig>, AdapterError> {
    let x = data_dir.join("exchange");
    for d in ["out", "in", "state"] {
        std::fs::create_dir_all(x.join(d)).map_err(|e| {
            AdapterError::auth(yc_adapter_sdk::Origin::Adapter, format!("无法创建交换目录 {}：{e}", x.display()), "")
        })?;
    }
    let key = x.join("workstation.key");
    if !key.exists() {
        crate::file_drop::generate_key(&key)?;
    }
    Ok(vec![
        AdapterConfig {
            name: "county-exchange".into(),
            kind: AdapterKind::FileDrop,
            settings: serde_json::json!({
                // Packet names allow letters, digits and '_' only.
                "workstation_id": source.replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
                "outbox_dir": x.join("out"),
                "inbox_dir": x.join("in"),
                "key_file": key,
                "state_dir": x.join("state"),
            }),
            process: None,
            secrets_from_env: Default::default(),
            base_dir: None,
        },
        AdapterConfig {
            name: "city-platform".into(),
            kind: AdapterKind::CityExtranet,
            settings: serde_json::json!({
                "base_url": DEMO_CITY_URL,
                "source": source,
                "connect_timeout_ms": 1500,
                "request_timeout_ms": 5000,
            }),
            process: None,
            secrets_from_env: Default::default(),
            base_dir: None,
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_configs_build_real_adapters() {
        let dir = tempfile::tempdir().unwrap();
        let cfgs = demo_configs(dir.path(), "440305-W01").unwrap();
        assert_eq!(cfgs.len(), 2);
        for c in &cfgs {
            crate::from_config(c, &c.settings).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        }
        assert!(dir.path().join("exchange/workstation.key").exists());
        // Idempotent: the key is kept.
        let k = std::fs::read(dir.path().join("exchange/workstation.key")).unwrap();
        demo_configs(dir.path(), "440305-W01").unwrap();
        assert_eq!(std::fs::read(dir.path().join("exchange/workstation.key")).unwrap(), k);
    }
}
