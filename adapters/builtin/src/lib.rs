//! Built-in Yichuang adapters, each implementing [`yc_adapter_sdk::Adapter`]:
//!
//! * [`city_extranet::CityExtranet`]: HTTPS + JSON to the city e-government extranet platform
//!   (docs/city-extranet.openapi.yaml), batched, optional mutual TLS;
//! * [`vertical_xml::VerticalXml`]: SOAP 1.1 / 1.2 web service of a vertically managed
//!   department, with a configurable field mapping;
//! * [`file_drop::FileDrop`]: signed BagIt packets (RFC 8493) in an exchange directory.
//!
//! [`from_config`] builds any of them (or a process adapter) from an adapter config file.

pub mod city_extranet;
pub mod demo;
pub mod file_drop;
mod http;
pub mod vertical_xml;

use yc_adapter_sdk::{AdapterConfig, AdapterError, AdapterKind, BoxedAdapter, Origin, ProcessAdapter};

/// Builds the adapter an [`AdapterConfig`] describes. `settings` are the resolved settings
/// (secrets filled in, see [`AdapterConfig::resolved_settings`]).
pub fn from_config(config: &AdapterConfig, settings: &serde_json::Value) -> Result<BoxedAdapter, AdapterError> {
    Ok(match config.kind {
        AdapterKind::Process => {
            let Some(spec) = &config.process else {
                return Err(AdapterError::auth(
                    Origin::Adapter,
                    format!("适配器“{}”缺少 [process] 配置", config.name),
                    "",
                ));
            };
            BoxedAdapter::new(ProcessAdapter::spawn(&config.name, spec, settings.clone())?)
        }
        AdapterKind::CityExtranet => BoxedAdapter::new(city_extranet::CityExtranet::from_settings(
            &paths_relative_to(settings, config.base_dir.as_deref(), TLS_PATH_SETTINGS),
        )?),
        AdapterKind::VerticalXml => BoxedAdapter::new(vertical_xml::VerticalXml::from_settings(&paths_relative_to(
            settings,
            config.base_dir.as_deref(),
            TLS_PATH_SETTINGS,
        ))?),
        AdapterKind::FileDrop => {
            BoxedAdapter::new(file_drop::FileDrop::from_settings_in(settings, config.base_dir.as_deref())?)
        }
    })
}

/// The HTTP adapters' settings that name files (PEM certificates and keys).
const TLS_PATH_SETTINGS: &[&str] = &["client_cert_pem", "ca_pem"];

/// `settings` with the relative file paths under `keys` joined to `base_dir` (the config file's
/// directory): a config means the files beside it, not in whatever directory `yc` runs in.
fn paths_relative_to(
    settings: &serde_json::Value,
    base_dir: Option<&std::path::Path>,
    keys: &[&str],
) -> serde_json::Value {
    let mut out = settings.clone();
    if let (Some(base), Some(map)) = (base_dir, out.as_object_mut()) {
        for k in keys {
            if let Some(serde_json::Value::String(p)) = map.get(*k)
                && std::path::Path::new(p).is_relative()
            {
                let joined = base.join(p).display().to_string();
                map.insert((*k).to_owned(), serde_json::Value::String(joined));
            }
        }
    }
    out
}

/// Builds the adapter a stored config describes, its secrets filled in from this process's
/// environment (`secrets_from_env`). A missing secret is an auth error: an operator must act.
pub fn build(config: &AdapterConfig) -> Result<BoxedAdapter, AdapterError> {
    let settings = config
        .resolved_settings(|v| std::env::var(v).ok())
        .map_err(|e| AdapterError::auth(Origin::Adapter, e.to_string(), ""))?;
    from_config(config, &settings)
}

/// Parses typed settings with a readable error naming the adapter kind.
pub(crate) fn parse_settings<T: serde::de::DeserializeOwned>(
    kind: &str,
    settings: &serde_json::Value,
) -> Result<T, AdapterError> {
    serde_json::from_value(settings.clone())
        .map_err(|e| AdapterError::auth(Origin::Adapter, format!("{kind} 适配器设置有误：{e}"), e.to_string()))
}
