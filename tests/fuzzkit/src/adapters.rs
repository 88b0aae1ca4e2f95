//! Built-in adapter targets: SOAP replies (vertical-xml) and city-platform JSON (city-extranet)
//! through the pure functions that read a reply's status and body, and file-drop packets through
//! `verify_packet`. (The proptest twins of the first two also go through a loopback HTTP server;
//! they call [`soap_reply`] and [`city_reply`]'s properties on what the adapter returns.)

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use yc_adapter_sdk::{Adapter, AdapterError, HeadProof, OutItem, PullPage, PushReport, sha256_hex};
use yc_adapters::city_extranet;
use yc_adapters::file_drop::{self, FileDrop, FileDropConfig};
use yc_adapters::vertical_xml::{SoapVersion, VerticalXml, VerticalXmlConfig};

use crate::{BOUND, Mutation, apply, has_chinese};

/// `n` items keyed `WS01-000000`…, as the built-in adapters send them.
pub fn items(n: usize) -> Vec<OutItem> {
    (0..n)
        .map(|i| {
            OutItem::new(
                format!("WS01-{i:06}"),
                "cases",
                Some(format!("C{i}")),
                i as u64 + 1,
                "case.filed",
                "2026-11-23T09:30:00+08:00",
                serde_json::json!({"申请人": "王五", "i": i, "note": "a<b & c"}),
            )
        })
        .collect()
}

/// An adapter error is fine when its message is in Chinese.
pub fn clear(e: &AdapterError) -> Result<(), String> {
    if has_chinese(&e.message) { Ok(()) } else { Err(format!("error without a Chinese message: {e:?}")) }
}

// ---- the properties of a reply, wherever it came from ---------------------------------------------

/// A push's outcome: acks and rejections only for keys sent, rejections in Chinese; an error in
/// Chinese. The number acked.
pub fn push_outcome(sent: &[OutItem], r: Result<PushReport, AdapterError>) -> Result<usize, String> {
    match r {
        Ok(r) => {
            if let Some(k) =
                r.acked.iter().chain(r.rejected.iter().map(|x| &x.key)).find(|k| !sent.iter().any(|i| &i.key == *k))
            {
                return Err(format!("an outcome for key {k} never sent"));
            }
            if let Some(x) = r.rejected.iter().find(|x| !has_chinese(&x.message)) {
                return Err(format!("rejection without a Chinese message: {x:?}"));
            }
            Ok(r.acked.len())
        }
        Err(e) => clear(&e).map(|()| 0),
    }
}

/// A pull's outcome: no more items than asked, rejections in Chinese; an error in Chinese. The
/// number pulled.
pub fn pull_outcome(max: usize, r: Result<PullPage, AdapterError>) -> Result<usize, String> {
    match r {
        Ok(p) if p.items.len() > max => Err("more items than asked".into()),
        Ok(p) => {
            if let Some(x) = p.rejected.iter().find(|x| !has_chinese(&x.message)) {
                return Err(format!("pull rejection without a Chinese message: {x:?}"));
            }
            Ok(p.items.len())
        }
        Err(e) => clear(&e).map(|()| 0),
    }
}

/// The HTTP statuses a reply is tried with: success, client and server errors.
pub const STATUSES: &[u16] = &[200, 200, 200, 200, 201, 400, 401, 409, 413, 500, 502, 503];

fn status(code: u16) -> reqwest::StatusCode {
    reqwest::StatusCode::from_u16(code).expect("a valid status")
}

// ---- SOAP replies --------------------------------------------------------------------------------

/// The three vertical-xml set-ups the targets use: SOAP 1.1, SOAP 1.2, 1.1 matching by position.
pub fn soap_adapter(which: u8, endpoint: &str) -> VerticalXml {
    let mut cfg = VerticalXmlConfig::new(endpoint, "WS01");
    cfg.request_timeout_ms = 10_000;
    match which % 3 {
        0 => cfg.soap_version = SoapVersion::V11,
        1 => cfg.soap_version = SoapVersion::V12,
        _ => {
            cfg.soap_version = SoapVersion::V11;
            cfg.match_by = yc_adapters::vertical_xml::MatchBy::Position;
        }
    }
    VerticalXml::new(cfg).expect("vertical-xml config")
}

thread_local! {
    static SOAP_PURE: [VerticalXml; 3] = [0, 1, 2].map(|w| soap_adapter(w, "http://127.0.0.1:9/ws/exchange"));
}

/// A department's reply (status, body) as push and pull read it, in the `which` set-up: the
/// numbers acked and pulled. (`health` is a pull of one item.)
pub fn soap_reply(code: u16, body: &[u8], which: u8) -> Result<(usize, usize), String> {
    SOAP_PURE.with(|a| {
        let a = &a[usize::from(which % 3)];
        let sent = items(3);
        let acked = push_outcome(&sent, a.read_push_reply(&sent, status(code), body))?;
        let pulled = pull_outcome(5, a.read_pull_reply("inbox", 5, status(code), body))?;
        pull_outcome(1, a.read_pull_reply("health", 1, status(code), body))?;
        Ok((acked, pulled))
    })
}

/// The cargo-fuzz target: one body, every status class, every set-up.
pub fn soap_bytes(body: &[u8]) -> Result<(), String> {
    for code in [200, 400, 409, 500, 503] {
        for which in 0..3 {
            soap_reply(code, body, which).map_err(|e| format!("HTTP {code}, set-up {which}: {e}"))?;
        }
    }
    Ok(())
}

// ---- city-platform JSON -----------------------------------------------------------------------------

/// An empty head proof (what the targets anchor).
pub fn proof() -> HeadProof {
    HeadProof {
        workstation: "440399-W01".into(),
        from_seq: 0,
        from_hash: "0".repeat(64),
        events: Vec::new(),
        seq: 0,
        hash: "0".repeat(64),
        public_key: String::new(),
        signature: String::new(),
        signatures: Vec::new(),
    }
}

/// The platform's reply (status, body) as push, pull and anchor read it: the numbers acked and
/// pulled; every error in Chinese.
pub fn city_reply(code: u16, body: &[u8]) -> Result<(usize, usize), String> {
    let sent = items(3);
    let acked = push_outcome(&sent, city_extranet::read_batch_reply(&sent, "WS01-fuzz", status(code), body))?;
    let pulled = pull_outcome(5, city_extranet::read_inbox_reply("inbox", 5, status(code), body))?;
    if let Err(e) = city_extranet::read_anchor_reply(status(code), body) {
        clear(&e)?;
    }
    Ok((acked, pulled))
}

/// The cargo-fuzz target: one body with every status class.
pub fn city_bytes(body: &[u8]) -> Result<(), String> {
    for code in [200, 400, 409, 500, 503] {
        city_reply(code, body).map_err(|e| format!("HTTP {code}: {e}"))?;
    }
    Ok(())
}

// ---- file-drop packets ---------------------------------------------------------------------------

/// The files of a packet, in a fixed order (index 0–5).
pub const PACKET_FILES: [&str; 6] = [
    "bagit.txt",
    "bag-info.txt",
    "data/items.jsonl",
    "manifest-sha256.txt",
    "tagmanifest-sha256.txt",
    "tagmanifest-sha256.txt.sig",
];

pub struct Packets {
    _tmp: tempfile::TempDir,
    /// Where each case's packet is written.
    dir: PathBuf,
    files: Vec<Vec<u8>>,
    key: ring::signature::Ed25519KeyPair,
    trusted: HashMap<String, Vec<u8>>,
}

fn packets() -> Packets {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let key_file = root.join("town.pk8");
    let public = file_drop::generate_key(&key_file).unwrap();
    let cfg = FileDropConfig {
        workstation_id: "TOWN01".into(),
        outbox_dir: root.join("out"),
        inbox_dir: root.join("in"),
        key_file: key_file.clone(),
        state_dir: root.join("state"),
        trusted_keys: BTreeMap::new(),
        max_items_per_packet: 1000,
    };
    let mut sender = FileDrop::new(cfg).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let r = rt.block_on(sender.push(&items(3))).unwrap();
    assert_eq!(r.acked.len(), 3);
    let packet = std::fs::read_dir(root.join("out")).unwrap().map(|e| e.unwrap().path()).find(|p| p.is_dir()).unwrap();
    let files = PACKET_FILES.iter().map(|f| std::fs::read(packet.join(f)).unwrap()).collect();
    let key = ring::signature::Ed25519KeyPair::from_pkcs8(&std::fs::read(&key_file).unwrap()).unwrap();
    let trusted = HashMap::from([("TOWN01".to_string(), B64.decode(public).unwrap())]);
    let dir = root.join("case").join(packet.file_name().unwrap());
    Packets { _tmp: tmp, dir, files, key, trusted }
}

thread_local! {
    static PACKETS: Packets = packets();
}

/// What a case does to the packet.
#[derive(Debug, Clone)]
pub enum PacketEdit {
    /// Edit one file and leave the signature as it is: must be refused.
    Tamper(usize, Vec<Mutation>),
    /// Edit bag-info, the items or a manifest, then recompute the digests the edit does not
    /// target and sign again: a trusted sender's broken or hostile packet.
    Resign(usize, Vec<Mutation>),
    /// As `Resign`, the file replaced as a whole (corpus entries).
    Replace(usize, Vec<u8>),
    /// As `Tamper`, the file replaced as a whole (the cargo-fuzz target).
    Swap(usize, Vec<u8>),
    /// Leave a file out.
    Remove(usize),
    /// An extra file in data/.
    Extra(String),
}

/// Writes the case's packet and verifies it. `Ok(Some(items))` when accepted.
pub fn packet(edit: &PacketEdit) -> Result<Option<usize>, String> {
    PACKETS
        .with(|p| {
            let mut files = p.files.clone();
            let mut must_fail = false;
            let mut remove = None;
            let mut extra = None;
            match edit {
                PacketEdit::Tamper(f, _) | PacketEdit::Swap(f, _) => {
                    files[*f] = match edit {
                        PacketEdit::Tamper(_, m) => apply(&files[*f], m),
                        PacketEdit::Swap(_, bytes) => bytes.clone(),
                        _ => unreachable!(),
                    };
                    must_fail = if *f == 5 {
                        String::from_utf8_lossy(&files[5]).trim() != String::from_utf8_lossy(&p.files[5]).trim()
                    } else {
                        files[*f] != p.files[*f]
                    };
                }
                PacketEdit::Resign(f, _) | PacketEdit::Replace(f, _) => {
                    files[*f] = match edit {
                        PacketEdit::Replace(_, bytes) => bytes.clone(),
                        PacketEdit::Resign(_, m) => apply(&files[*f], m),
                        _ => unreachable!(),
                    };
                    if *f == 2 {
                        files[3] = format!("{}  data/items.jsonl\n", sha256_hex(&files[2])).into_bytes();
                    }
                    if *f != 4 {
                        files[4] = format!(
                            "{}  bagit.txt\n{}  bag-info.txt\n{}  manifest-sha256.txt\n",
                            sha256_hex(&files[0]),
                            sha256_hex(&files[1]),
                            sha256_hex(&files[3])
                        )
                        .into_bytes();
                    }
                    files[5] = format!("{}\n", B64.encode(p.key.sign(&files[4]).as_ref())).into_bytes();
                }
                PacketEdit::Remove(f) => {
                    remove = Some(*f);
                    must_fail = true;
                }
                PacketEdit::Extra(name) => {
                    extra = Some(name.clone());
                    must_fail = name != "." && name != "..";
                }
            }
            let _ = std::fs::remove_dir_all(&p.dir);
            std::fs::create_dir_all(p.dir.join("data")).unwrap();
            for (i, (name, bytes)) in PACKET_FILES.iter().zip(&files).enumerate() {
                if remove != Some(i) {
                    std::fs::write(p.dir.join(name), bytes).unwrap();
                }
            }
            if let Some(name) = &extra
                && name != "."
                && name != ".."
            {
                std::fs::write(p.dir.join("data").join(name), b"extra").unwrap();
            }
            let start = std::time::Instant::now();
            let result = file_drop::verify_packet(&p.dir, &p.trusted);
            if start.elapsed() > BOUND {
                return Err(format!("took {:?}", start.elapsed()));
            }
            match result {
                Ok(_) if must_fail => Err("a tampered packet verified".into()),
                Ok(packet) => Ok(Some(packet.items.len())),
                Err(e) if has_chinese(&e.to_string()) => Ok(None),
                Err(e) => Err(format!("error without a Chinese message: {e:?}")),
            }
        })
        .map_err(|e| format!("{e} — edit {edit:?}"))
}

/// The cargo-fuzz target's input read as a packet edit: the first byte says what (0 bagit, 1
/// bag-info, 2 items, 3 manifest, 4 tagmanifest replaced by the rest and signed again; 5 a file,
/// named by the second byte, replaced without signing; 6 a file left out; 7 an extra file in
/// data/); empty input is the untouched packet, which must verify.
pub fn packet_edit_from_bytes(data: &[u8]) -> PacketEdit {
    let Some((&op, rest)) = data.split_first() else { return PacketEdit::Tamper(0, Vec::new()) };
    let second = rest.first().map_or(0, |b| usize::from(*b) % PACKET_FILES.len());
    match op % 8 {
        f @ 0..=4 => PacketEdit::Replace(usize::from(f), rest.to_vec()),
        5 => PacketEdit::Swap(second, rest.get(1..).unwrap_or_default().to_vec()),
        6 => PacketEdit::Remove(second),
        _ => {
            let name: String =
                rest.iter().take(12).map(|b| if b % 27 == 26 { '.' } else { char::from(b'a' + b % 27) }).collect();
            PacketEdit::Extra(if name.is_empty() { "x".into() } else { name })
        }
    }
}

/// [`packet`] on [`packet_edit_from_bytes`].
pub fn packet_bytes(data: &[u8]) -> Result<(), String> {
    let edit = packet_edit_from_bytes(data);
    match packet(&edit) {
        Ok(None) if data.is_empty() => Err("the untouched packet was refused".into()),
        Ok(_) => Ok(()),
        Err(e) => Err(e),
    }
}

// ---- samples -------------------------------------------------------------------------------------

pub const S11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const S12: &str = "http://www.w3.org/2003/05/soap-envelope";

pub fn soap(ns: &str, body: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{ns}" xmlns:t="urn:yichuang:dept-exchange:1"><s:Body>{body}</s:Body></s:Envelope>"#
    )
    .into_bytes()
}

/// Replies a department sends: push results, a pull page, faults of both versions.
pub fn soap_samples() -> &'static [Vec<u8>] {
    static S: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let results = "<t:SubmitItemsResponse>\
            <t:Result><t:YWLSH>WS01-000000</t:YWLSH><t:Status>ACCEPTED</t:Status></t:Result>\
            <t:Result><t:YWLSH>WS01-000001</t:YWLSH><t:Status>REJECTED</t:Status><t:ErrorType>HASH_MISMATCH</t:ErrorType><t:Message>摘要不符</t:Message></t:Result>\
            <t:Result><t:YWLSH>WS01-000002</t:YWLSH><t:Status>DUPLICATE</t:Status></t:Result>\
            </t:SubmitItemsResponse>";
        let fetch = "<t:FetchItemsResponse><t:NextCursor>7</t:NextCursor>\
            <t:Item><t:YWLSH>D-1</t:YWLSH><t:YWLX>dept.reply</t:YWLX><t:BJBH>C1</t:BJBH><t:SPJG>准予许可</t:SPJG>\
            <t:Payload>{\"意见\":\"同意\",\"n\":1}</t:Payload></t:Item>\
            <t:Item><t:YWLX>dept.reply</t:YWLX></t:Item></t:FetchItemsResponse>";
        let fault11 = "<s:Fault><faultcode>s:Client</faultcode><faultstring>请求有误</faultstring>\
            <detail><t:ErrorType>AuthFailed</t:ErrorType></detail></s:Fault>";
        let fault12 = "<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>t:AuthFailed</s:Value></s:Subcode></s:Code>\
            <s:Reason><s:Text xml:lang=\"zh\">认证失败</s:Text></s:Reason></s:Fault>";
        vec![soap(S11, results), soap(S11, fetch), soap(S11, fault11), soap(S12, fault12), soap(S12, results)]
    })
}

/// Replies the city platform sends: a batch result, an inbox page, an error body, a receipt.
pub fn city_samples() -> &'static [Vec<u8>] {
    static S: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let batch = serde_json::json!({"batch_no": "WS01-0123456789abcdef", "results": [
            {"row_id": "WS01-000000", "status": "accepted"},
            {"row_id": "WS01-000001", "status": "rejected", "error_type": "HASH_MISMATCH", "error_desc": "摘要不符"},
            {"row_id": "WS01-000002", "status": "duplicate"},
        ]});
        let inbox = serde_json::json!({"items": [
            {"row_id": "P-1", "stream": "inbox", "kind": "city.reply", "case_no": "C1", "operate_time": "2026-11-23T10:00:00+08:00",
             "payload": {"意见": "同意"}, "payload_sha256": "00", "source": "city"},
            {"row_id": "P-2", "kind": "city.reply"},
        ], "next_cursor": "c2"});
        let error = serde_json::json!({"error_type": "JOURNAL_FORK", "message": "日志分叉"});
        let receipt = serde_json::json!({"far_side": "city", "workstation": "440399-W01", "seq": 0, "hash": "0".repeat(64),
            "received_at": "2026-11-23T10:00:00+08:00", "public_key": "ab".repeat(32), "signature": "cd".repeat(64)});
        [batch, inbox, error, receipt].iter().map(|v| v.to_string().into_bytes()).collect()
    })
}
