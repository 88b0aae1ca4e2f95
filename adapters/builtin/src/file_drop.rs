//! File-drop exchange: signed BagIt packets (RFC 8493) in a directory — a USB stick carried to
//! the county, or the front-end exchange share between extranet and a department's network.
//!
//! A packet `yc-<workstation>-<sequence>/`:
//! ```text
//! bagit.txt                 BagIt-Version: 1.0 / Tag-File-Character-Encoding: UTF-8
//! bag-info.txt              Yc-Workstation, Yc-Sequence, Yc-Item-Count, Payload-Oxum …
//! data/items.jsonl          one OutItem per line
//! manifest-sha256.txt       SHA-256 of every payload file
//! tagmanifest-sha256.txt    SHA-256 of bagit.txt, bag-info.txt, manifest-sha256.txt
//! tagmanifest-sha256.txt.sig  base64 Ed25519 signature of tagmanifest-sha256.txt (detached)
//! ```
//! The signature covers the tag manifest, which covers everything else, so one check proves the
//! whole bag came unaltered from the key holder. The per-workstation sequence number makes
//! replays detectable: a packet whose sequence is not above the last one imported from that
//! workstation is refused.
//!
//! Writing is atomic: the bag is built in a hidden temp directory in the same parent, every
//! file fsynced, then renamed into place, so a reader never sees half a packet. The sequence is
//! bumped durably *before* the packet is written: a crash leaves a gap (harmless), never a
//! reused number (which a receiver would refuse as a replay).
//!
//! Journal heads travel the same way (docs/adapter-protocol.md §6.4): `anchor` writes the proof
//! to `<outbox>/heads/head-<ws>-<seq>.json` and answers "pending"; the far side's receipt (or
//! refusal) comes back as `<inbox>/heads/answer-<ws>-<seq>.json` and is handed to the host with
//! a later pass. A proof starts at the host's last stored receipt, so answers at or before it
//! have been taken and move to `<inbox>/heads/imported/`; a newer proof from the same start
//! replaces an unanswered older one (it carries everything the older one did).
//!
//! "Acked" for a push means written durably to the exchange directory; a packet is the unit a
//! person carries. The adapter also keeps an index of keys it has written with their payload
//! hash, so re-pushing a key is acked without a second copy and a changed payload is refused.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{BufRead, Write};
use std::path::{Component, Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ring::signature::{self, Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};
use yc_adapter_sdk::anchor::{HeadFileAnswer, files};
use yc_adapter_sdk::{
    Adapter, AdapterError, AnchorAnswer, Capabilities, ErrorClass, Handshake, HeadProof, Health, HealthStatus, InItem,
    Origin, OutItem, PROTOCOL_VERSION, PullPage, PullRejection, PushReport, Rejection, sha256_hex,
};

const SIG_FILE: &str = "tagmanifest-sha256.txt.sig";
const ITEMS_FILE: &str = "data/items.jsonl";
/// Stream name under which imported items are offered.
pub const STREAM: &str = "packets";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileDropConfig {
    /// This workstation's id, written into every packet.
    pub workstation_id: String,
    /// Where outgoing packets are written.
    pub outbox_dir: PathBuf,
    /// Where incoming packets are found.
    pub inbox_dir: PathBuf,
    /// PKCS#8 Ed25519 private key of this workstation (see [`generate_key`]).
    pub key_file: PathBuf,
    /// Sequence counter, index of written keys, import state.
    pub state_dir: PathBuf,
    /// Workstation id → base64 Ed25519 public key of every sender we accept packets from.
    #[serde(default)]
    pub trusted_keys: BTreeMap<String, String>,
    #[serde(default = "d_per_packet")]
    pub max_items_per_packet: usize,
}

fn d_per_packet() -> usize {
    1000
}

impl FileDropConfig {
    /// Relative paths made relative to `base` (absolute ones are kept).
    pub fn relative_to(mut self, base: &Path) -> Self {
        for p in [&mut self.outbox_dir, &mut self.inbox_dir, &mut self.key_file, &mut self.state_dir] {
            *p = yc_adapter_sdk::config::join(base, p);
        }
        self
    }
}

/// Why an incoming packet was refused.
#[derive(Debug, thiserror::Error)]
pub enum PacketError {
    #[error("交换包 {packet} 缺少文件 {file}")]
    MissingFile { packet: String, file: String },
    #[error("交换包 {packet} 不是 BagIt 1.0 格式：{reason}")]
    NotBagit { packet: String, reason: String },
    #[error("交换包 {packet} 来自未登记的工作站 {workstation}，无法验证签名")]
    UnknownWorkstation { packet: String, workstation: String },
    #[error("交换包 {packet} 的签名无效：包被篡改或不是该工作站签发")]
    BadSignature { packet: String },
    #[error("交换包 {packet} 中 {file} 的摘要不符（清单 {expected}，实际 {found}）：包被篡改或损坏")]
    DigestMismatch { packet: String, file: String, expected: String, found: String },
    #[error("交换包 {packet} 含清单外的文件 {file}")]
    UnlistedFile { packet: String, file: String },
    #[error("交换包 {packet} 的清单含非法路径 {path}")]
    BadPath { packet: String, path: String },
    #[error("重放的交换包 {packet}：工作站 {workstation} 的序号 {sequence} 不大于已接收的 {last}")]
    Replay { packet: String, workstation: String, sequence: u64, last: u64 },
    #[error("交换包 {packet} 第 {line} 条数据无法解析：{reason}")]
    BadItem { packet: String, line: usize, reason: String },
    #[error("读取交换包 {packet} 失败：{source}")]
    Io { packet: String, source: std::io::Error },
}

/// A verified incoming packet.
#[derive(Debug, Clone)]
pub struct Packet {
    pub name: String,
    pub workstation: String,
    pub sequence: u64,
    pub items: Vec<OutItem>,
}

/// Generates a workstation key at `path` (PKCS#8, mode 0600) and returns the base64 public key
/// to register with receivers.
pub fn generate_key(path: &Path) -> Result<String, AdapterError> {
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng)
        .map_err(|_| AdapterError::auth(Origin::Adapter, "无法生成工作站签名密钥", ""))?;
    write_atomic(path, pkcs8.as_ref()).map_err(|e| io_auth("无法写入工作站签名密钥", path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o600));
    }
    public_key_b64(path)
}

/// Base64 public key of the key at `path`.
pub fn public_key_b64(path: &Path) -> Result<String, AdapterError> {
    Ok(B64.encode(load_key(path)?.public_key().as_ref()))
}

fn load_key(path: &Path) -> Result<Ed25519KeyPair, AdapterError> {
    let bytes = fs::read(path).map_err(|e| io_auth("无法读取工作站签名密钥", path, e))?;
    Ed25519KeyPair::from_pkcs8(&bytes).map_err(|e| {
        AdapterError::auth(
            Origin::Adapter,
            format!("工作站签名密钥 {} 无效（应为 PKCS#8 Ed25519）", path.display()),
            e.to_string(),
        )
    })
}

fn io_auth(what: &str, path: &Path, e: std::io::Error) -> AdapterError {
    AdapterError::auth(Origin::Adapter, format!("{what}：{}", path.display()), e.to_string())
}

fn io_retry(what: &str, path: &Path, e: std::io::Error) -> AdapterError {
    AdapterError::retryable(Origin::Transport, format!("{what}：{}", path.display()), e.to_string())
}

fn fsync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Write to a temp file in the same directory, fsync, rename, fsync the directory.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    write_synced(&tmp, bytes)?;
    fs::rename(&tmp, path)?;
    fsync_dir(dir)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ImportState {
    /// Highest sequence per workstation the host has confirmed storing (replay barrier).
    acked: BTreeMap<String, u64>,
}

/// Delivery progress handed to the host as the pull cursor: workstation → (sequence, items of
/// that packet already delivered).
type Cursor = BTreeMap<String, (u64, usize)>;

pub struct FileDrop {
    config: FileDropConfig,
    key: Ed25519KeyPair,
    trusted: HashMap<String, Vec<u8>>,
    /// Keys written so far with their payload hash.
    written: HashMap<String, String>,
}

impl FileDrop {
    pub fn new(config: FileDropConfig) -> Result<Self, AdapterError> {
        if config.workstation_id.is_empty()
            || !config.workstation_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(AdapterError::auth(
                Origin::Adapter,
                format!("工作站标识只能由字母、数字和下划线组成：{:?}", config.workstation_id),
                "",
            ));
        }
        let key = load_key(&config.key_file)?;
        let mut trusted = HashMap::new();
        for (ws, b64) in &config.trusted_keys {
            let bytes = B64.decode(b64).map_err(|e| {
                AdapterError::auth(Origin::Adapter, format!("工作站 {ws} 的公钥不是合法的 base64"), e.to_string())
            })?;
            trusted.insert(ws.clone(), bytes);
        }
        for dir in [&config.outbox_dir, &config.inbox_dir, &config.state_dir] {
            fs::create_dir_all(dir).map_err(|e| io_auth("无法创建目录", dir, e))?;
        }
        let written = load_index(&config.state_dir.join("written.jsonl"))
            .map_err(|e| io_auth("无法读取已写出索引", &config.state_dir, e))?;
        Ok(Self { config, key, trusted, written })
    }

    pub fn from_settings(settings: &serde_json::Value) -> Result<Self, AdapterError> {
        Self::from_settings_in(settings, None)
    }

    /// As [`FileDrop::from_settings`], with relative directories and key file taken relative to
    /// `base_dir` (the config file's directory, [`yc_adapter_sdk::AdapterConfig::base_dir`]).
    pub fn from_settings_in(settings: &serde_json::Value, base_dir: Option<&Path>) -> Result<Self, AdapterError> {
        let config: FileDropConfig = crate::parse_settings("file-drop", settings)?;
        Self::new(match base_dir {
            Some(base) => config.relative_to(base),
            None => config,
        })
    }

    pub fn config_schema() -> serde_json::Value {
        serde_json::json!({
            "type": "object",
            "required": ["workstation_id", "outbox_dir", "inbox_dir", "key_file", "state_dir"],
            "properties": {
                "workstation_id": {"type": "string"},
                "outbox_dir": {"type": "string", "description": "写出交换包的目录（U 盘/前置交换共享目录）"},
                "inbox_dir": {"type": "string", "description": "读取交换包的目录"},
                "key_file": {"type": "string", "secret": true, "description": "工作站签名私钥（PKCS#8）"},
                "state_dir": {"type": "string"},
                "trusted_keys": {"type": "object", "additionalProperties": {"type": "string"}},
                "max_items_per_packet": {"type": "integer", "default": 1000}
            }
        })
    }

    fn next_sequence(&self) -> Result<u64, AdapterError> {
        let path = self.config.state_dir.join("sequence");
        let last = match fs::read_to_string(&path) {
            Ok(t) => t.trim().parse::<u64>().map_err(|e| {
                AdapterError::auth(Origin::Adapter, format!("序号文件损坏：{}", path.display()), e.to_string())
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(io_retry("无法读取序号文件", &path, e)),
        };
        let next = last + 1;
        write_atomic(&path, next.to_string().as_bytes()).map_err(|e| io_retry("无法写入序号文件", &path, e))?;
        Ok(next)
    }

    /// Writes one packet atomically; returns its directory.
    fn write_packet(&self, items: &[&OutItem]) -> Result<PathBuf, AdapterError> {
        let seq = self.next_sequence()?;
        let name = format!("yc-{}-{seq:010}", self.config.workstation_id);
        let out = &self.config.outbox_dir;
        let tmp = out.join(format!(".tmp-{name}"));
        let fin = out.join(&name);
        let build = || -> std::io::Result<()> {
            if tmp.exists() {
                fs::remove_dir_all(&tmp)?;
            }
            fs::create_dir_all(tmp.join("data"))?;
            let mut jsonl = Vec::new();
            for item in items {
                serde_json::to_writer(&mut jsonl, item).map_err(std::io::Error::other)?;
                jsonl.push(b'\n');
            }
            write_synced(&tmp.join(ITEMS_FILE), &jsonl)?;
            fsync_dir(&tmp.join("data"))?;
            let bagit = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
            let info = format!(
                "Source-Organization: Yichuang workstation {ws}\nBagging-Date: {date}\nPayload-Oxum: {len}.1\nYc-Workstation: {ws}\nYc-Sequence: {seq}\nYc-Item-Count: {n}\n",
                ws = self.config.workstation_id,
                date = &crate::city_extranet::beijing_now()[..10],
                len = jsonl.len(),
                n = items.len(),
            );
            let manifest = format!("{}  {ITEMS_FILE}\n", sha256_hex(&jsonl));
            let tagmanifest = format!(
                "{}  bagit.txt\n{}  bag-info.txt\n{}  manifest-sha256.txt\n",
                sha256_hex(bagit.as_bytes()),
                sha256_hex(info.as_bytes()),
                sha256_hex(manifest.as_bytes()),
            );
            let sig = B64.encode(self.key.sign(tagmanifest.as_bytes()).as_ref());
            write_synced(&tmp.join("bagit.txt"), bagit.as_bytes())?;
            write_synced(&tmp.join("bag-info.txt"), info.as_bytes())?;
            write_synced(&tmp.join("manifest-sha256.txt"), manifest.as_bytes())?;
            write_synced(&tmp.join("tagmanifest-sha256.txt"), tagmanifest.as_bytes())?;
            write_synced(&tmp.join(SIG_FILE), format!("{sig}\n").as_bytes())?;
            fsync_dir(&tmp)?;
            fs::rename(&tmp, &fin)?;
            fsync_dir(out)
        };
        build().map_err(|e| {
            let _ = fs::remove_dir_all(&tmp);
            io_retry("写出交换包失败", &fin, e)
        })?;
        Ok(fin)
    }

    fn record_written(&mut self, items: &[&OutItem]) -> Result<(), AdapterError> {
        let path = self.config.state_dir.join("written.jsonl");
        let mut lines = Vec::new();
        for i in items {
            let row = serde_json::json!({"key": i.key, "sha": i.payload_sha256});
            lines.extend_from_slice(row.to_string().as_bytes());
            lines.push(b'\n');
        }
        let append = || -> std::io::Result<()> {
            let mut f = fs::OpenOptions::new().create(true).append(true).open(&path)?;
            f.write_all(&lines)?;
            f.sync_all()
        };
        append().map_err(|e| io_retry("无法记录已写出条目", &path, e))?;
        for i in items {
            self.written.insert(i.key.clone(), i.payload_sha256.clone());
        }
        Ok(())
    }

    fn import_state_path(&self) -> PathBuf {
        self.config.state_dir.join("import.json")
    }

    fn load_import_state(&self) -> Result<ImportState, AdapterError> {
        let path = self.import_state_path();
        match fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| {
                AdapterError::auth(Origin::Adapter, format!("导入状态文件损坏：{}", path.display()), e.to_string())
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ImportState::default()),
            Err(e) => Err(io_retry("无法读取导入状态", &path, e)),
        }
    }

    /// Moves a refused packet aside with the reason next to it: never silently dropped, never
    /// blocking the packets behind it.
    fn quarantine(&self, dir: &Path, reason: &str) {
        let qdir = self.config.inbox_dir.join("quarantine");
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let _ = fs::create_dir_all(&qdir);
        let mut target = qdir.join(&name);
        let mut n = 1;
        while target.exists() {
            target = qdir.join(format!("{name}.{n}"));
            n += 1;
        }
        if fs::rename(dir, &target).is_ok() {
            let stem = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or(name);
            let _ = fs::write(qdir.join(format!("{stem}.reason.txt")), reason);
        }
    }
}

fn load_index(path: &Path) -> std::io::Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for line in std::io::BufReader::new(file).lines() {
        let line = line?;
        // A torn last line (crash mid-append) is skipped: its packet was already renamed into
        // place, so at worst the key is written once more.
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
            && let (Some(k), Some(s)) = (v["key"].as_str(), v["sha"].as_str())
        {
            out.insert(k.to_string(), s.to_string());
        }
    }
    Ok(out)
}

fn parse_digest_lines(packet: &str, text: &str) -> Result<Vec<(String, String)>, PacketError> {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Some((digest, path)) = line.split_once(char::is_whitespace) else {
            return Err(PacketError::NotBagit {
                packet: packet.into(), reason: format!("清单行格式错误：{line}")
            });
        };
        let path = path.trim_start().to_string();
        let p = Path::new(&path);
        if p.is_absolute() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(PacketError::BadPath { packet: packet.into(), path });
        }
        out.push((digest.to_ascii_lowercase(), path));
    }
    Ok(out)
}

/// Verifies a packet directory: BagIt shape, signature against `trusted`, tag manifest,
/// payload manifest (no unlisted payload files), items. Does not check the sequence.
pub fn verify_packet(dir: &Path, trusted: &HashMap<String, Vec<u8>>) -> Result<Packet, PacketError> {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let read = |file: &str| -> Result<Vec<u8>, PacketError> {
        fs::read(dir.join(file)).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                PacketError::MissingFile { packet: name.clone(), file: file.into() }
            } else {
                PacketError::Io { packet: name.clone(), source: e }
            }
        })
    };
    let text = |bytes: Vec<u8>, file: &str| -> Result<String, PacketError> {
        String::from_utf8(bytes)
            .map_err(|_| PacketError::NotBagit { packet: name.clone(), reason: format!("{file} 不是 UTF-8 文本") })
    };
    let bagit = text(read("bagit.txt")?, "bagit.txt")?;
    if !bagit.lines().any(|l| l.trim() == "BagIt-Version: 1.0") {
        return Err(PacketError::NotBagit { packet: name, reason: "bagit.txt 未声明 BagIt-Version: 1.0".into() });
    }
    let info = text(read("bag-info.txt")?, "bag-info.txt")?;
    let field = |k: &str| {
        info.lines().find_map(|l| l.strip_prefix(k).and_then(|r| r.strip_prefix(':')).map(|v| v.trim().to_string()))
    };
    let workstation = field("Yc-Workstation").ok_or_else(|| PacketError::NotBagit {
        packet: name.clone(),
        reason: "bag-info.txt 缺少 Yc-Workstation".into(),
    })?;
    let sequence = field("Yc-Sequence").and_then(|s| s.parse::<u64>().ok()).ok_or_else(|| PacketError::NotBagit {
        packet: name.clone(),
        reason: "bag-info.txt 缺少或错写 Yc-Sequence".into(),
    })?;
    let Some(public) = trusted.get(&workstation) else {
        return Err(PacketError::UnknownWorkstation { packet: name, workstation });
    };
    // Signature first: nothing else in the bag is trusted before it checks out.
    let tagmanifest = read("tagmanifest-sha256.txt")?;
    let sig_text = text(read(SIG_FILE)?, SIG_FILE)?;
    let sig = B64.decode(sig_text.trim()).map_err(|_| PacketError::BadSignature { packet: name.clone() })?;
    signature::UnparsedPublicKey::new(&signature::ED25519, public)
        .verify(&tagmanifest, &sig)
        .map_err(|_| PacketError::BadSignature { packet: name.clone() })?;
    let tag_text = text(tagmanifest, "tagmanifest-sha256.txt")?;
    let tags = parse_digest_lines(&name, &tag_text)?;
    for required in ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"] {
        if !tags.iter().any(|(_, p)| p == required) {
            return Err(PacketError::NotBagit { packet: name, reason: format!("标签清单未覆盖 {required}") });
        }
    }
    let check = |digest: &str, path: &str| -> Result<Vec<u8>, PacketError> {
        let bytes = read(path)?;
        let found = sha256_hex(&bytes);
        if found != digest {
            return Err(PacketError::DigestMismatch {
                packet: name.clone(),
                file: path.into(),
                expected: digest.into(),
                found,
            });
        }
        Ok(bytes)
    };
    for (digest, path) in &tags {
        check(digest, path)?;
    }
    let manifest = text(read("manifest-sha256.txt")?, "manifest-sha256.txt")?;
    let entries = parse_digest_lines(&name, &manifest)?;
    let mut items_bytes = None;
    for (digest, path) in &entries {
        let bytes = check(digest, path)?;
        if path == ITEMS_FILE {
            items_bytes = Some(bytes);
        }
    }
    // Every payload file must be listed (RFC 8493 §3: the manifest covers the payload).
    let listed: Vec<&str> = entries.iter().map(|(_, p)| p.as_str()).collect();
    let data_dir = dir.join("data");
    let walk = fs::read_dir(&data_dir).map_err(|e| PacketError::Io { packet: name.clone(), source: e })?;
    for entry in walk.flatten() {
        let rel = format!("data/{}", entry.file_name().to_string_lossy());
        if !listed.contains(&rel.as_str()) {
            return Err(PacketError::UnlistedFile { packet: name, file: rel });
        }
    }
    let Some(items_bytes) = items_bytes else {
        return Err(PacketError::MissingFile { packet: name, file: ITEMS_FILE.into() });
    };
    let mut items = Vec::new();
    for (n, line) in items_bytes.split(|b| *b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let item: OutItem = serde_json::from_slice(line).map_err(|e| PacketError::BadItem {
            packet: name.clone(),
            line: n + 1,
            reason: e.to_string(),
        })?;
        items.push(item);
    }
    Ok(Packet { name, workstation, sequence, items })
}

/// Lists packet directories in `dir`, ordered by (workstation, sequence).
fn list_packets(dir: &Path) -> std::io::Result<Vec<(String, u64, PathBuf)>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.path().is_dir() {
            continue;
        }
        let Some(rest) = name.strip_prefix("yc-") else { continue };
        let Some((ws, seq)) = rest.rsplit_once('-') else { continue };
        let Ok(seq) = seq.parse::<u64>() else { continue };
        out.push((ws.to_string(), seq, entry.path()));
    }
    out.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    Ok(out)
}

impl Adapter for FileDrop {
    async fn hello(&mut self) -> Result<Handshake, AdapterError> {
        Ok(Handshake {
            protocol_version: PROTOCOL_VERSION,
            name: "file-drop".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            capabilities: Capabilities { push: true, pull: true, health: true, anchor: true, timestamp: false },
            streams: vec![STREAM.into()],
            config_schema: Self::config_schema(),
        })
    }

    async fn push(&mut self, batch: &[OutItem]) -> Result<PushReport, AdapterError> {
        let mut report = PushReport::default();
        let mut fresh: Vec<&OutItem> = Vec::new();
        let mut in_batch: HashMap<&str, &str> = HashMap::new();
        for item in batch {
            let held = self.written.get(&item.key).map(String::as_str).or(in_batch.get(item.key.as_str()).copied());
            match held {
                Some(h) if h == item.payload_sha256 => report.acked.push(item.key.clone()),
                Some(h) => report.rejected.push(Rejection {
                    key: item.key.clone(),
                    class: ErrorClass::Permanent,
                    message: "同一业务键已以不同内容写出，拒绝覆盖".into(),
                    detail: format!("held {h}, got {}", item.payload_sha256),
                }),
                None if !item.hash_matches() => report.rejected.push(Rejection {
                    key: item.key.clone(),
                    class: ErrorClass::Permanent,
                    message: "内容摘要与内容不符".into(),
                    detail: String::new(),
                }),
                None => {
                    in_batch.insert(&item.key, &item.payload_sha256);
                    fresh.push(item);
                }
            }
        }
        let per = self.config.max_items_per_packet.max(1);
        for (n, chunk) in fresh.chunks(per).enumerate() {
            if let Err(e) = self.write_packet(chunk) {
                if n == 0 && report.acked.is_empty() && report.rejected.is_empty() {
                    return Err(e);
                }
                tracing::warn!("file-drop stopped after a failed packet: {e}");
                break;
            }
            self.record_written(chunk)?;
            report.acked.extend(chunk.iter().map(|i| i.key.clone()));
        }
        Ok(report)
    }

    async fn pull(&mut self, stream: &str, cursor: Option<&str>, max: usize) -> Result<PullPage, AdapterError> {
        if stream != STREAM {
            return Err(AdapterError::permanent(
                Origin::Adapter,
                format!("file-drop 适配器只有 {STREAM} 流，没有 {stream}"),
                "",
            ));
        }
        let mut pos: Cursor = match cursor {
            None | Some("") => Cursor::new(),
            Some(c) => serde_json::from_str(c)
                .map_err(|e| AdapterError::permanent(Origin::Adapter, "file-drop 游标格式错误", e.to_string()))?,
        };
        let state = self.load_import_state()?;
        let packets = list_packets(&self.config.inbox_dir)
            .map_err(|e| io_retry("无法读取收件目录", &self.config.inbox_dir, e))?;
        let mut page = PullPage::default();
        for (ws, seq, dir) in packets {
            if page.items.len() >= max {
                break;
            }
            let barrier = state.acked.get(&ws).copied().unwrap_or(0);
            let (done_seq, done_items) = pos.get(&ws).copied().unwrap_or((0, 0));
            if seq <= barrier {
                let err = PacketError::Replay {
                    packet: dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                    workstation: ws.clone(),
                    sequence: seq,
                    last: barrier,
                };
                self.quarantine(&dir, &err.to_string());
                page.rejected.push(PullRejection {
                    source: dir.display().to_string(),
                    class: ErrorClass::Permanent,
                    message: err.to_string(),
                    detail: String::new(),
                });
                continue;
            }
            if seq < done_seq {
                continue; // delivered earlier in this (not yet acknowledged) run
            }
            let packet = match verify_packet(&dir, &self.trusted) {
                Ok(p) => p,
                Err(e) => {
                    self.quarantine(&dir, &e.to_string());
                    page.rejected.push(PullRejection {
                        source: dir.display().to_string(),
                        class: ErrorClass::Permanent,
                        message: e.to_string(),
                        detail: format!("{e:?}"),
                    });
                    continue;
                }
            };
            if packet.workstation != ws || packet.sequence != seq {
                let reason = format!(
                    "交换包目录名与包内信息不符：目录 {ws}/{seq}，包内 {}/{}",
                    packet.workstation, packet.sequence
                );
                self.quarantine(&dir, &reason);
                page.rejected.push(PullRejection {
                    source: dir.display().to_string(),
                    class: ErrorClass::Permanent,
                    message: reason,
                    detail: String::new(),
                });
                continue;
            }
            let skip = if seq == done_seq { done_items } else { 0 };
            let room = max - page.items.len();
            let take: Vec<OutItem> = packet.items.iter().skip(skip).take(room).cloned().collect();
            if take.is_empty() {
                continue;
            }
            pos.insert(ws.clone(), (seq, skip + take.len()));
            page.items.extend(take.into_iter().map(|i| InItem {
                key: i.key,
                stream: i.stream,
                kind: i.kind,
                case_no: i.case_no,
                occurred_at: Some(i.occurred_at),
                payload: i.payload,
                payload_sha256: Some(i.payload_sha256),
                source: Some(ws.clone()),
            }));
        }
        page.next_cursor = Some(serde_json::to_string(&pos).unwrap_or_default());
        Ok(page)
    }

    /// The host stored everything up to `cursor`: fully delivered packets move to `imported/`
    /// and become the replay barrier.
    async fn ack(&mut self, _stream: &str, cursor: &str) -> Result<(), AdapterError> {
        let pos: Cursor = serde_json::from_str(cursor)
            .map_err(|e| AdapterError::permanent(Origin::Adapter, "file-drop 游标格式错误", e.to_string()))?;
        let mut state = self.load_import_state()?;
        let imported = self.config.inbox_dir.join("imported");
        fs::create_dir_all(&imported).map_err(|e| io_retry("无法创建目录", &imported, e))?;
        let packets = list_packets(&self.config.inbox_dir)
            .map_err(|e| io_retry("无法读取收件目录", &self.config.inbox_dir, e))?;
        for (ws, seq, dir) in packets {
            let Some((done_seq, done_items)) = pos.get(&ws).copied() else { continue };
            let complete = seq < done_seq
                || (seq == done_seq && verify_packet(&dir, &self.trusted).is_ok_and(|p| p.items.len() == done_items));
            if complete {
                let e = state.acked.entry(ws.clone()).or_insert(0);
                *e = (*e).max(seq);
                if let Some(n) = dir.file_name() {
                    let _ = fs::rename(&dir, imported.join(n));
                }
            }
        }
        let path = self.import_state_path();
        let bytes = serde_json::to_vec(&state).unwrap_or_default();
        write_atomic(&path, &bytes).map_err(|e| io_retry("无法保存导入状态", &path, e))
    }

    async fn anchor(&mut self, proof: &HeadProof) -> Result<AnchorAnswer, AdapterError> {
        let answers_dir = self.config.inbox_dir.join("heads");
        let heads_dir = self.config.outbox_dir.join("heads");
        let ws = proof.workstation.as_str();
        // The far side's answers for this workstation, by seq.
        let mut answers: BTreeMap<i64, (PathBuf, HeadFileAnswer)> = BTreeMap::new();
        match fs::read_dir(&answers_dir) {
            Ok(entries) => {
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let Some((who, seq)) = files::parse(files::ANSWER, &name) else { continue };
                    if who != ws {
                        continue;
                    }
                    let parsed = fs::read(entry.path())
                        .map_err(|e| e.to_string())
                        .and_then(|b| serde_json::from_slice::<HeadFileAnswer>(&b).map_err(|e| e.to_string()));
                    match parsed {
                        Ok(a) if answer_names(&a, ws, seq) => {
                            answers.insert(seq, (entry.path(), a));
                        }
                        Ok(_) => self.quarantine(&entry.path(), "回执内容与文件名不符"),
                        Err(e) => self.quarantine(&entry.path(), &format!("回执无法解析：{e}")),
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_retry("无法读取回执目录", &answers_dir, e)),
        }
        // The host has every answer up to where this proof starts: those are done with.
        let imported = answers_dir.join("imported");
        let mut rest = answers.split_off(&(proof.from_seq + 1));
        for (path, _) in answers.values() {
            let _ = fs::create_dir_all(&imported);
            if let Some(n) = path.file_name() {
                let _ = fs::rename(path, imported.join(n));
            }
        }
        // The newest answer decides: a refusal newer than every receipt stops until someone looks
        // (the far side saw a different history); an older refusal was overtaken.
        if let Some((seq, (_, HeadFileAnswer::Refused { error_type, message, .. }))) = rest.last_key_value() {
            let what = match error_type.as_str() {
                "JOURNAL_FORK" => "日志分叉",
                "JOURNAL_SIGNATURE" => "日志签名无效",
                "WORKSTATION_KEY" => "工作站密钥与备案不符",
                _ => "拒收日志头",
            };
            return Err(AdapterError::auth(
                Origin::FarSystem,
                format!("对端（交换文件）报告{what}（第 {seq} 号日志头）：{message}"),
                format!("{error_type}: {message}"),
            ));
        }
        rest.retain(|_, (_, a)| matches!(a, HeadFileAnswer::Signed { .. }));
        let receipts: Vec<_> = rest
            .into_values()
            .filter_map(|(_, a)| match a {
                HeadFileAnswer::Signed { receipt } if receipt.seq <= proof.seq => Some(receipt),
                _ => None,
            })
            .collect();
        if receipts.iter().any(|r| r.seq == proof.seq) {
            return Ok(AnchorAnswer { receipts, pending: None });
        }
        // Leave the proof for the far side, replacing unanswered older ones from the same start.
        fs::create_dir_all(&heads_dir).map_err(|e| io_retry("无法创建目录", &heads_dir, e))?;
        let path = heads_dir.join(files::name(files::HEAD, ws, proof.seq));
        let bytes = serde_json::to_vec(proof)
            .map_err(|e| AdapterError::permanent(Origin::Adapter, "日志头无法序列化", e.to_string()))?;
        // Rewritten when it differs: the same head seq over a different history (a restore, or
        // a rewrite) must reach the far side as it is now.
        if fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
            write_atomic(&path, &bytes).map_err(|e| io_retry("写出日志头失败", &path, e))?;
        }
        for entry in fs::read_dir(&heads_dir).map_err(|e| io_retry("无法读取目录", &heads_dir, e))?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some((who, seq)) = files::parse(files::HEAD, &name)
                && who == ws
                && seq < proof.seq
            {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(AnchorAnswer {
            receipts, pending: Some(format!("已写入交换目录（{}），待对端回执", heads_dir.display()))
        })
    }

    async fn health(&mut self) -> Result<Health, AdapterError> {
        let probe = self.config.outbox_dir.join(".yc-health");
        match write_synced(&probe, b"ok").and_then(|()| fs::remove_file(&probe)) {
            Ok(()) => Ok(Health { status: HealthStatus::Ok, message: "交换目录可写".into() }),
            Err(e) => Ok(Health {
                status: HealthStatus::Down,
                message: format!("交换目录不可写（U 盘未插入或共享目录不可用）：{e}"),
            }),
        }
    }

    async fn shutdown(&mut self) -> Result<(), AdapterError> {
        Ok(())
    }
}

/// An answer file says what its name says.
fn answer_names(a: &HeadFileAnswer, ws: &str, seq: i64) -> bool {
    match a {
        HeadFileAnswer::Signed { receipt } => receipt.workstation == ws && receipt.seq == seq,
        HeadFileAnswer::Refused { workstation, seq: s, .. } => workstation == ws && *s == seq,
    }
}

impl FileDrop {
    /// Trusted keys as loaded (for [`verify_packet`] callers).
    pub fn trusted_keys(&self) -> &HashMap<String, Vec<u8>> {
        &self.trusted
    }
}
