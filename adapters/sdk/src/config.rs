//! Adapter configuration file (TOML or JSON):
//!
//! ```toml
//! name = "tax-bureau"
//! kind = "process"            # process | city-extranet | vertical-xml | file-drop
//! [process]
//! command = ["python3", "tax.py"]  # tax.py next to this file
//! # cwd = "run"                    # default: this file's directory
//! env = { LANG = "zh_CN.UTF-8" }
//! liveness_timeout_ms = 30000  # no line from the adapter for this long: it is hung
//! run_timeout_ms = 3600000     # a whole sync may not take longer
//! startup_timeout_ms = 10000   # wait this long for the hello reply
//! [settings]
//! endpoint = "https://10.1.2.3/ws"
//! [secrets_from_env]          # setting name -> host environment variable
//! password = "YC_TAX_PASSWORD"
//! ```
//!
//! Relative paths are relative to the file's directory ([`AdapterConfig::load`]), never to the
//! directory `yc` happens to run in: configs are written next to their adapter and registered
//! from anywhere.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdapterKind {
    /// Any program speaking the JSON-lines protocol.
    Process,
    /// The city e-government extranet platform (HTTPS + JSON).
    CityExtranet,
    /// A vertically managed department's SOAP XML web service.
    VerticalXml,
    /// Signed BagIt packets in an exchange directory (USB stick / front-end share).
    FileDrop,
}

impl AdapterKind {
    /// The code configs and the store use (`city-extranet`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Process => "process",
            Self::CityExtranet => "city-extranet",
            Self::VerticalXml => "vertical-xml",
            Self::FileDrop => "file-drop",
        }
    }
}

impl std::fmt::Display for AdapterKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdapterConfig {
    pub name: String,
    pub kind: AdapterKind,
    #[serde(default = "empty_object")]
    pub settings: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<ProcessSpec>,
    /// Settings filled from host environment variables at start (secrets stay out of files).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub secrets_from_env: BTreeMap<String, String>,
    /// The config file's directory (absolute), recorded by [`AdapterConfig::load`]: built-in
    /// adapters resolve relative path settings against it ([`AdapterConfig::resolve_path`]).
    /// Stored with the registration, so `yc sync` resolves them the same from any directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_dir: Option<PathBuf>,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

/// How to run an out-of-process adapter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessSpec {
    /// argv; the first element is the program. A relative program path with a `/` is relative to
    /// the config file's directory; a bare name is looked up on `PATH`.
    pub command: Vec<String>,
    /// Working directory; default (and base of a relative one): the config file's directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Longest silence (no protocol line, no `progress`) tolerated during one request.
    #[serde(default = "default_liveness_ms")]
    pub liveness_timeout_ms: u64,
    /// Longest a whole session (spawn to shutdown) may take; hung syncs went unseen for days.
    #[serde(default = "default_run_ms")]
    pub run_timeout_ms: u64,
    /// Longest wait for the `hello` reply (interpreter start-up on a busy PC is not a hang);
    /// the liveness timeout applies if it is longer.
    #[serde(default = "default_startup_ms")]
    pub startup_timeout_ms: u64,
}

fn default_liveness_ms() -> u64 {
    30_000
}
fn default_run_ms() -> u64 {
    3_600_000
}
fn default_startup_ms() -> u64 {
    10_000
}

impl ProcessSpec {
    pub fn new(command: Vec<String>) -> Self {
        Self {
            command,
            cwd: None,
            env: BTreeMap::new(),
            liveness_timeout_ms: default_liveness_ms(),
            run_timeout_ms: default_run_ms(),
            startup_timeout_ms: default_startup_ms(),
        }
    }
}

/// `path` if absolute, else `base/path` without `./` segments (they only clutter messages).
pub fn join(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    base.join(path.components().filter(|c| *c != std::path::Component::CurDir).collect::<PathBuf>())
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("读取适配器配置文件 {path} 失败：{source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("适配器配置（TOML）格式错误：{0}")]
    Toml(String),
    #[error("适配器配置（JSON）格式错误：{0}")]
    Json(String),
    #[error("适配器配置文件扩展名应为 .toml 或 .json：{0}")]
    UnknownFormat(PathBuf),
    #[error("适配器“{0}”类型为 process，但缺少 [process] 段")]
    MissingProcess(String),
    #[error("适配器“{0}”的 process.command 为空")]
    EmptyCommand(String),
    #[error("适配器“{name}”的设置项 {setting} 应取自环境变量 {var}，但该变量未设置")]
    MissingSecretEnv { name: String, setting: String, var: String },
    #[error("适配器“{0}”的 settings 必须是一个表（对象）")]
    SettingsNotObject(String),
    #[error("适配器配置文件所在目录 {0} 不是 UTF-8 路径，无法据此解析启动命令中的相对路径")]
    NonUtf8Dir(PathBuf),
}

impl AdapterConfig {
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        let cfg: Self = toml::from_str(text).map_err(|e| ConfigError::Toml(e.to_string()))?;
        cfg.validate()
    }

    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        let cfg: Self = serde_json::from_str(text).map_err(|e| ConfigError::Json(e.to_string()))?;
        cfg.validate()
    }

    /// Loads `.toml` or `.json` by extension, with relative paths resolved against the file's
    /// directory ([`AdapterConfig::relative_to`]).
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let io = |source| ConfigError::Io { path: path.to_path_buf(), source };
        let text = std::fs::read_to_string(path).map_err(io)?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let dir = dir.canonicalize().map_err(io)?;
        Self::parse(path, &text)?.relative_to(&dir)
    }

    /// Makes the config's relative paths relative to `dir` (absolute): the process adapter's
    /// working directory defaults to `dir` (a relative `cwd` is joined to it), a relative program
    /// path containing a `/` is joined to it, and `base_dir` is recorded for built-in adapters'
    /// path settings. Paths already absolute, bare program names (`python3`, found on `PATH`) and
    /// arguments are left as they are: arguments are resolved by the program, in its working
    /// directory.
    pub fn relative_to(mut self, dir: &Path) -> Result<Self, ConfigError> {
        if let Some(p) = &mut self.process {
            p.cwd = Some(match p.cwd.take() {
                Some(c) => join(dir, &c),
                None => dir.to_path_buf(),
            });
            if let Some(program) = p.command.first_mut()
                && program.contains('/')
                && Path::new(program.as_str()).is_relative()
            {
                let joined = join(dir, Path::new(program.as_str()));
                *program = joined.to_str().ok_or_else(|| ConfigError::NonUtf8Dir(dir.to_path_buf()))?.to_owned();
            }
        }
        self.base_dir = Some(dir.to_path_buf());
        Ok(self)
    }

    /// Parses a config file's text, TOML or JSON by the file name's extension (an upload from
    /// the desktop's settings screen, or a file `load` read).
    pub fn parse(file_name: &Path, text: &str) -> Result<Self, ConfigError> {
        match file_name.extension().and_then(|e| e.to_str()) {
            Some("toml") => Self::from_toml_str(text),
            Some("json") => Self::from_json_str(text),
            _ => Err(ConfigError::UnknownFormat(file_name.to_path_buf())),
        }
    }

    fn validate(self) -> Result<Self, ConfigError> {
        if !self.settings.is_object() {
            return Err(ConfigError::SettingsNotObject(self.name));
        }
        if self.kind == AdapterKind::Process {
            match &self.process {
                None => return Err(ConfigError::MissingProcess(self.name)),
                Some(p) if p.command.is_empty() => return Err(ConfigError::EmptyCommand(self.name)),
                Some(_) => {}
            }
        }
        Ok(self)
    }

    /// Settings with `secrets_from_env` filled in through `lookup` (normally `std::env::var`).
    pub fn resolved_settings(&self, lookup: impl Fn(&str) -> Option<String>) -> Result<serde_json::Value, ConfigError> {
        let mut settings = self.settings.clone();
        let Some(map) = settings.as_object_mut() else {
            return Err(ConfigError::SettingsNotObject(self.name.clone()));
        };
        for (setting, var) in &self.secrets_from_env {
            let value = lookup(var).ok_or_else(|| ConfigError::MissingSecretEnv {
                name: self.name.clone(),
                setting: setting.clone(),
                var: var.clone(),
            })?;
            map.insert(setting.clone(), serde_json::Value::String(value));
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_codes_are_the_serde_names() {
        for k in [AdapterKind::Process, AdapterKind::CityExtranet, AdapterKind::VerticalXml, AdapterKind::FileDrop] {
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::Value::String(k.code().into()));
        }
    }

    #[test]
    fn toml_process_config_parses_with_defaults_and_env_secrets() {
        let cfg = AdapterConfig::from_toml_str(
            r#"
name = "tax"
kind = "process"
[process]
command = ["python3", "a.py"]
[settings]
endpoint = "https://x"
[secrets_from_env]
password = "YC_PW"
"#,
        )
        .unwrap();
        assert_eq!(cfg.kind, AdapterKind::Process);
        let p = cfg.process.as_ref().unwrap();
        assert_eq!(p.liveness_timeout_ms, 30_000);
        let s = cfg.resolved_settings(|v| (v == "YC_PW").then(|| "秘密".to_string())).unwrap();
        assert_eq!(s["password"], "秘密");
        assert_eq!(s["endpoint"], "https://x");
    }

    #[test]
    fn missing_secret_variable_is_a_readable_error() {
        let cfg = AdapterConfig::from_json_str(
            r#"{"name":"city","kind":"city-extranet","settings":{},"secrets_from_env":{"token":"YC_T"}}"#,
        )
        .unwrap();
        let err = cfg.resolved_settings(|_| None).unwrap_err();
        assert!(err.to_string().contains("YC_T"), "{err}");
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn relative_paths_are_relative_to_the_config_file_not_to_the_working_directory() {
        // The test runs in the crate's directory; the config lives elsewhere.
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("适配器");
        std::fs::create_dir(&dir).unwrap();
        let here = std::env::current_dir().unwrap();
        let real = dir.canonicalize().unwrap();
        assert!(!here.starts_with(&real));

        let bare =
            write(&dir, "a.toml", "name = \"a\"\nkind = \"process\"\n[process]\ncommand = [\"python3\", \"a.py\"]\n");
        let cfg = AdapterConfig::load(&bare).unwrap();
        let p = cfg.process.as_ref().unwrap();
        assert_eq!(p.cwd.as_deref(), Some(real.as_path()), "cwd defaults to the config's directory");
        assert_eq!(p.command, vec!["python3", "a.py"], "PATH lookups and arguments are left alone");
        assert_eq!(cfg.base_dir.as_deref(), Some(real.as_path()));

        let rel = write(
            &dir,
            "b.json",
            r#"{"name":"b","kind":"process","process":{"command":["./bin/run","x.py"],"cwd":"work"}}"#,
        );
        let cfg = AdapterConfig::load(&rel).unwrap();
        let p = cfg.process.as_ref().unwrap();
        assert_eq!(p.cwd, Some(real.join("work")));
        assert_eq!(p.command, vec![real.join("bin/run").to_str().unwrap(), "x.py"]);

        let abs = write(
            &dir,
            "c.toml",
            "name = \"c\"\nkind = \"process\"\n[process]\ncommand = [\"/usr/bin/env\"]\ncwd = \"/srv\"\n",
        );
        let p = AdapterConfig::load(&abs).unwrap().process.unwrap();
        assert_eq!((p.command[0].as_str(), p.cwd.unwrap()), ("/usr/bin/env", PathBuf::from("/srv")));

        // What `yc adapter add` stores reads back unchanged: resolving again is a no-op.
        let cfg = AdapterConfig::load(&rel).unwrap();
        let stored = AdapterConfig::from_json_str(&serde_json::to_string(&cfg).unwrap()).unwrap();
        assert_eq!(stored.clone().relative_to(Path::new("/elsewhere")).unwrap().process, stored.process);
        assert_eq!(stored, cfg);
    }

    #[test]
    fn a_config_parsed_without_a_file_keeps_its_paths_as_written() {
        let cfg =
            AdapterConfig::from_toml_str("name = \"x\"\nkind = \"process\"\n[process]\ncommand = [\"./x\"]\n").unwrap();
        assert_eq!((cfg.base_dir, cfg.process.unwrap().cwd), (None, None));
    }

    #[test]
    fn process_kind_without_command_is_rejected() {
        let err = AdapterConfig::from_toml_str("name = \"x\"\nkind = \"process\"\n").unwrap_err();
        assert!(matches!(err, ConfigError::MissingProcess(_)));
        let err = AdapterConfig::from_toml_str("name = \"x\"\nkind = \"ftp\"\n").unwrap_err();
        assert!(matches!(err, ConfigError::Toml(_)));
    }
}
