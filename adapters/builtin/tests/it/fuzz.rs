//! Fuzzing (issue 13 part 4) as proptest over bytes, through the adapters' public surface: SOAP
//! replies to the vertical-xml adapter and JSON replies to the city-extranet adapter, served by a
//! tiny loopback HTTP server that answers whatever the case holds; file-drop packets built from a
//! valid one, then edited (left as they are, or re-signed so the edit reaches the parsers behind
//! the signature). Each call must return in bounded time, with a typed error carrying a Chinese
//! message, never panic; the valid samples still work. The corpus in
//! `tests/fuzz-corpus/<target>/` runs first as fixed cases. `YC_FUZZ_CASES` scales the case
//! counts (`make fuzz`); docs/fuzzing.md.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use proptest::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use yc_adapter_sdk::{Adapter, AdapterError, HeadProof, OutItem, sha256_hex};
use yc_adapters::city_extranet::{CityExtranet, CityExtranetConfig};
use yc_adapters::file_drop::{self, FileDrop, FileDropConfig};
use yc_adapters::vertical_xml::{SoapVersion, VerticalXml, VerticalXmlConfig};

// ---- shared helpers (the same shape in every crate's fuzz.rs) -------------------------------

/// Case count: `default` in `make test`; `YC_FUZZ_CASES` (`make fuzz`) divided by `slow` for the
/// targets that are slow per case. (`PROPTEST_CASES` overrides every target alike: proptest
/// applies it over any configuration.)
fn cases(default: u32, slow: u32) -> ProptestConfig {
    let n = std::env::var("YC_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .map_or(default, |n| (n / slow.max(1)).max(default.min(n)));
    ProptestConfig { cases: n, ..ProptestConfig::default() }
}

/// How long one call may take before it counts as a hang (debug build, 2 busy cores).
const BOUND: Duration = Duration::from_secs(20);

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn preview(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let s: String = s.chars().take(300).collect();
    format!("{s:?}")
}

/// One edit of a valid sample.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(prop::sample::Index, u8),
    Set(prop::sample::Index, u8),
    Truncate(prop::sample::Index),
    Insert(prop::sample::Index, Vec<u8>),
    Delete(prop::sample::Index, usize),
    /// A span copied right after itself: duplicated fields, lines, elements.
    Duplicate(prop::sample::Index, usize),
}

fn mutation(tokens: &'static [&'static str]) -> impl Strategy<Value = Mutation> {
    let token = prop::sample::select(tokens).prop_map(|t| t.as_bytes().to_vec());
    prop_oneof![
        (any::<prop::sample::Index>(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        (any::<prop::sample::Index>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<prop::sample::Index>(), token).prop_map(|(i, t)| Mutation::Insert(i, t)),
        (any::<prop::sample::Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<prop::sample::Index>(), 1usize..200).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn apply(sample: &[u8], edits: &[Mutation]) -> Vec<u8> {
    let mut b = sample.to_vec();
    for m in edits {
        let at = |i: &prop::sample::Index, len: usize| if len == 0 { 0 } else { i.index(len) };
        match m {
            Mutation::Flip(i, bit) if !b.is_empty() => {
                let p = at(i, b.len());
                b[p] ^= 1 << bit;
            }
            Mutation::Set(i, v) if !b.is_empty() => {
                let p = at(i, b.len());
                b[p] = *v;
            }
            Mutation::Truncate(i) => b.truncate(at(i, b.len())),
            Mutation::Insert(i, bytes) => {
                let p = at(i, b.len() + 1);
                b.splice(p..p, bytes.iter().copied());
            }
            Mutation::Delete(i, n) if !b.is_empty() => {
                let p = at(i, b.len());
                b.drain(p..(p + n).min(b.len()));
            }
            Mutation::Duplicate(i, n) if !b.is_empty() => {
                let p = at(i, b.len());
                let span = b[p..(p + n).min(b.len())].to_vec();
                let end = p + span.len();
                b.splice(end..end, span);
            }
            _ => {}
        }
    }
    b
}

fn edits(tokens: &'static [&'static str]) -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(tokens), 1..5)
}

/// The files of `tests/fuzz-corpus/<target>/`, by name.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fuzz-corpus").join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()))
        .map(|e| {
            let p = e.unwrap().path();
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "empty corpus {}", dir.display());
    out
}

fn items(n: usize) -> Vec<OutItem> {
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

fn clear(e: &AdapterError) -> Result<(), String> {
    if has_chinese(&e.message) { Ok(()) } else { Err(format!("error without a Chinese message: {e:?}")) }
}

// ---- a loopback HTTP server answering what the case says --------------------------------------

type Reply = Arc<Mutex<(u16, Vec<u8>)>>;

/// Answers every request with the current reply, then closes the connection.
async fn serve(listener: tokio::net::TcpListener, reply: Reply) {
    loop {
        let Ok((mut sock, _)) = listener.accept().await else { return };
        let reply = reply.clone();
        tokio::spawn(async move {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 8192];
            // Headers, then as much body as Content-Length says.
            let body_at = loop {
                let Ok(n) = sock.read(&mut chunk).await else { return };
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break p + 4;
                }
            };
            let head = String::from_utf8_lossy(&buf[..body_at]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                .unwrap_or(0);
            while buf.len() < body_at + len {
                let Ok(n) = sock.read(&mut chunk).await else { return };
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let (status, body) = reply.lock().unwrap().clone();
            let head = format!(
                "HTTP/1.1 {status} Fuzz\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = sock.write_all(head.as_bytes()).await;
            let _ = sock.write_all(&body).await;
            let _ = sock.shutdown().await;
        });
    }
}

struct Http {
    rt: tokio::runtime::Runtime,
    addr: std::net::SocketAddr,
    reply: Reply,
}

fn http() -> Http {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let reply: Reply = Arc::new(Mutex::new((200, Vec::new())));
    rt.spawn(serve(listener, reply.clone()));
    Http { rt, addr, reply }
}

impl Http {
    fn answer<T>(&self, status: u16, body: &[u8], f: impl std::future::Future<Output = T>) -> Result<T, String> {
        *self.reply.lock().unwrap() = (status, body.to_vec());
        self.rt
            .block_on(async { tokio::time::timeout(BOUND, f).await })
            .map_err(|_| format!("hang: no answer within {BOUND:?}"))
    }
}

const STATUSES: &[u16] = &[200, 200, 200, 200, 201, 400, 401, 409, 413, 500, 502, 503];

// ---- SOAP replies (vertical-xml) ----------------------------------------------------------------

const S11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const S12: &str = "http://www.w3.org/2003/05/soap-envelope";

fn soap(ns: &str, body: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{ns}" xmlns:t="urn:yichuang:dept-exchange:1"><s:Body>{body}</s:Body></s:Envelope>"#
    )
    .into_bytes()
}

/// Replies a department sends: push results, a pull page, faults of both versions.
fn soap_samples() -> &'static [Vec<u8>] {
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

const XML_TOKENS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&bogus;",
    "<![CDATA[",
    "]]>",
    "<!--",
    "<!DOCTYPE x>",
    "<?xml version=\"1.0\" encoding=\"GBK\"?>",
    "<t:Result><t:YWLSH>WS01-000000</t:YWLSH><t:Status>ACCEPTED</t:Status></t:Result>",
    "<t:Result><t:Status>REJECTED</t:Status></t:Result>",
    "<t:Result><t:YWLSH>nobody</t:YWLSH><t:Status>ACCEPTED</t:Status></t:Result>",
    "<t:Status>UNKNOWN</t:Status>",
    "<t:Item><t:YWLSH>D-9</t:YWLSH></t:Item>",
    "<t:Payload>[1,2]</t:Payload>",
    "<s:Fault/>",
    "xmlns:t=\"urn:other\"",
    "\u{feff}",
    "中",
];

struct Soap {
    http: Http,
    v11: RefCell<VerticalXml>,
    v12: RefCell<VerticalXml>,
    by_position: RefCell<VerticalXml>,
}

fn soap_fixture() -> Soap {
    let http = http();
    let make = |v: SoapVersion, position: bool| {
        let mut cfg = VerticalXmlConfig::new(format!("http://{}/ws/exchange", http.addr), "WS01");
        cfg.soap_version = v;
        cfg.request_timeout_ms = 10_000;
        if position {
            cfg.match_by = yc_adapters::vertical_xml::MatchBy::Position;
        }
        RefCell::new(VerticalXml::new(cfg).unwrap())
    };
    let (v11, v12, by_position) =
        (make(SoapVersion::V11, false), make(SoapVersion::V12, false), make(SoapVersion::V11, true));
    Soap { http, v11, v12, by_position }
}

thread_local! {
    static SOAP: Soap = soap_fixture();
}

/// `(pushes acked, pulled items)` of a push of three items and a pull, each answered with `body`.
fn check_soap(status: u16, body: &[u8], which: u8) -> Result<(usize, usize), String> {
    let what = format!("HTTP {status} {}", preview(body));
    SOAP.with(|s| {
        let cell = match which % 3 {
            0 => &s.v11,
            1 => &s.v12,
            _ => &s.by_position,
        };
        let mut a = cell.borrow_mut();
        let sent = items(3);
        let mut acked = 0;
        match s.http.answer(status, body, a.push(&sent))? {
            Ok(r) => {
                if let Some(k) =
                    r.acked.iter().chain(r.rejected.iter().map(|x| &x.key)).find(|k| !sent.iter().any(|i| &i.key == *k))
                {
                    return Err(format!("an outcome for key {k} never sent"));
                }
                if let Some(x) = r.rejected.iter().find(|x| !has_chinese(&x.message)) {
                    return Err(format!("rejection without a Chinese message: {x:?}"));
                }
                acked = r.acked.len();
            }
            Err(e) => clear(&e)?,
        }
        let mut pulled = 0;
        match s.http.answer(status, body, a.pull("inbox", None, 5))? {
            Ok(p) if p.items.len() > 5 => return Err("more items than asked".into()),
            Ok(p) => {
                if let Some(x) = p.rejected.iter().find(|x| !has_chinese(&x.message)) {
                    return Err(format!("pull rejection without a Chinese message: {x:?}"));
                }
                pulled = p.items.len();
            }
            Err(e) => clear(&e)?,
        }
        match s.http.answer(status, body, a.health())? {
            Ok(h) if !has_chinese(&h.message) => return Err(format!("health without a Chinese message: {h:?}")),
            Ok(_) => {}
            Err(e) => clear(&e)?,
        }
        Ok((acked, pulled))
    })
    .map_err(|e| format!("{e} — reply {what}"))
}

#[test]
fn soap_reply_corpus_and_samples() {
    let samples = soap_samples();
    assert_eq!(check_soap(200, &samples[0], 0).unwrap().0, 2, "the push sample acks two items");
    assert_eq!(check_soap(200, &samples[1], 0).unwrap().1, 1, "the pull sample brings one item");
    for (name, bytes) in corpus("soap-replies") {
        for which in 0..3 {
            check_soap(200, &bytes, which).unwrap_or_else(|e| panic!("{name}: {e}"));
            check_soap(500, &bytes, which).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

// ---- city-platform JSON (city-extranet) ---------------------------------------------------------

fn city_samples() -> &'static [Vec<u8>] {
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

const JSON_TOKENS: &[&str] = &[
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "null",
    "-1",
    "1e999",
    "18446744073709551616",
    "\"\\ud800\"",
    "\u{feff}",
    "😀",
    "{\"row_id\":\"WS01-000000\",\"status\":\"rejected\"},",
    "{\"row_id\":\"nobody\",\"status\":\"accepted\"},",
    "{\"row_id\":\"WS01-000001\",\"status\":\"mystery\"},",
    "{\"row_id\":\"P-9\",\"kind\":\"k\",\"payload\":[1]},",
    "\"results\":null,",
    "\"items\":{},",
];

struct City {
    http: Http,
    adapter: RefCell<CityExtranet>,
}

thread_local! {
    static CITY: City = {
        let http = http();
        let mut cfg = CityExtranetConfig::new(format!("http://{}", http.addr), "WS01");
        cfg.request_timeout_ms = 10_000;
        let adapter = RefCell::new(CityExtranet::new(cfg).unwrap());
        City { http, adapter }
    };
}

fn proof() -> HeadProof {
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

/// `(pushes acked, pulled items)` of a push, a pull, an anchor and a health probe answered so.
fn check_city(status: u16, body: &[u8]) -> Result<(usize, usize), String> {
    let what = format!("HTTP {status} {}", preview(body));
    CITY.with(|c| {
        let mut a = c.adapter.borrow_mut();
        let sent = items(3);
        let mut acked = 0;
        match c.http.answer(status, body, a.push(&sent))? {
            Ok(r) => {
                if let Some(k) =
                    r.acked.iter().chain(r.rejected.iter().map(|x| &x.key)).find(|k| !sent.iter().any(|i| &i.key == *k))
                {
                    return Err(format!("an outcome for key {k} never sent"));
                }
                acked = r.acked.len();
            }
            Err(e) => clear(&e)?,
        }
        let mut pulled = 0;
        match c.http.answer(status, body, a.pull("inbox", None, 5))? {
            Ok(p) if p.items.len() > 5 => return Err("more items than asked".into()),
            Ok(p) => pulled = p.items.len(),
            Err(e) => clear(&e)?,
        }
        if let Err(e) = c.http.answer(status, body, a.anchor(&proof()))? {
            clear(&e)?;
        }
        match c.http.answer(status, body, a.health())? {
            Ok(h) if !has_chinese(&h.message) => return Err(format!("health without a Chinese message: {h:?}")),
            Ok(_) => {}
            Err(e) => clear(&e)?,
        }
        Ok((acked, pulled))
    })
    .map_err(|e| format!("{e} — reply {what}"))
}

#[test]
fn city_json_corpus_and_samples() {
    let samples = city_samples();
    assert_eq!(check_city(200, &samples[0]).unwrap().0, 2, "the batch sample acks two rows");
    assert_eq!(check_city(200, &samples[1]).unwrap().1, 2, "the inbox sample brings two items");
    for (name, bytes) in corpus("city-json") {
        for status in [200, 409, 500] {
            check_city(status, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

// ---- file-drop packets --------------------------------------------------------------------------

/// The files of a packet, in a fixed order (index 0–5).
const PACKET_FILES: [&str; 6] = [
    "bagit.txt",
    "bag-info.txt",
    "data/items.jsonl",
    "manifest-sha256.txt",
    "tagmanifest-sha256.txt",
    "tagmanifest-sha256.txt.sig",
];

struct Packets {
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
enum PacketEdit {
    /// Edit one file and leave the signature as it is: must be refused.
    Tamper(usize, Vec<Mutation>),
    /// Edit bag-info, the items or a manifest, then recompute the digests the edit does not
    /// target and sign again: a trusted sender's broken or hostile packet.
    Resign(usize, Vec<Mutation>),
    /// As `Resign`, the file replaced as a whole (corpus entries).
    Replace(usize, Vec<u8>),
    /// Leave a file out.
    Remove(usize),
    /// An extra file in data/.
    Extra(String),
}

const TEXT_TOKENS: &[&str] = &[
    "\n",
    "\r\n",
    " ",
    "  ",
    "\t",
    ":",
    "Yc-Sequence: 18446744073709551616\n",
    "Yc-Workstation: OTHER\n",
    "Yc-Workstation:\n",
    "BagIt-Version: 0.97\n",
    "0000  data/items.jsonl\n",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  ../escape\n",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  /etc/hostname\n",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  data\n",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  data/./items.jsonl\n",
    "nospace\n",
    "{\"key\":1}\n",
    "{}\n",
    "null\n",
    "\u{feff}",
    "中",
];

fn packet_edit() -> impl Strategy<Value = PacketEdit> {
    prop_oneof![
        4 => (0usize..6, edits(TEXT_TOKENS)).prop_map(|(f, m)| PacketEdit::Tamper(f, m)),
        6 => (prop::sample::select(&[1usize, 2, 3, 4][..]), edits(TEXT_TOKENS)).prop_map(|(f, m)| PacketEdit::Resign(f, m)),
        1 => (0usize..6).prop_map(PacketEdit::Remove),
        1 => "[a-z.]{1,12}".prop_map(PacketEdit::Extra),
    ]
}

/// Writes the case's packet and verifies it. `Ok(Some(items))` when accepted.
fn check_packet(edit: &PacketEdit) -> Result<Option<usize>, String> {
    PACKETS
        .with(|p| {
            let mut files = p.files.clone();
            let mut must_fail = false;
            let mut remove = None;
            let mut extra = None;
            match edit {
                PacketEdit::Tamper(f, m) => {
                    files[*f] = apply(&files[*f], m);
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

#[test]
fn file_drop_corpus_and_sample() {
    assert_eq!(check_packet(&PacketEdit::Tamper(0, Vec::new())), Ok(Some(3)), "the untouched packet verifies");
    // Corpus files replace one file of the packet, which is then signed again: the name says
    // which (`items-*`, `manifest-*`, `tagmanifest-*`, `bag-info-*`).
    for (name, bytes) in corpus("file-drop") {
        let index = [("items-", 2), ("manifest-", 3), ("tagmanifest-", 4), ("bag-info-", 1)]
            .iter()
            .find(|(prefix, _)| name.starts_with(prefix))
            .map(|(_, i)| *i)
            .unwrap_or_else(|| panic!("{name}: unknown corpus file kind"));
        check_packet(&PacketEdit::Replace(index, bytes)).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

// ---- the targets --------------------------------------------------------------------------------

fn soap_case() -> impl Strategy<Value = (u16, Vec<u8>, u8)> {
    let body = prop_oneof![
        5 => (prop::sample::select(soap_samples()), edits(XML_TOKENS)).prop_map(|(s, m)| apply(&s, &m)),
        1 => prop::collection::vec(any::<u8>(), 0..256),
    ];
    (prop::sample::select(STATUSES), body, any::<u8>())
}

fn city_case() -> impl Strategy<Value = (u16, Vec<u8>)> {
    let body = prop_oneof![
        5 => (prop::sample::select(city_samples()), edits(JSON_TOKENS)).prop_map(|(s, m)| apply(&s, &m)),
        1 => prop::collection::vec(any::<u8>(), 0..256),
    ];
    (prop::sample::select(STATUSES), body)
}

proptest! {
    // Each case is three or four HTTP exchanges on loopback.
    #![proptest_config(cases(64, 20))]

    #[test]
    fn soap_replies_never_panic((status, body, which) in soap_case()) {
        check_soap(status, &body, which).map(drop).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn city_json_replies_never_panic((status, body) in city_case()) {
        check_city(status, &body).map(drop).map_err(TestCaseError::fail)?;
    }
}

proptest! {
    #![proptest_config(cases(256, 10))]

    #[test]
    fn file_drop_packets_never_panic(edit in packet_edit()) {
        check_packet(&edit).map(drop).map_err(TestCaseError::fail)?;
    }
}
