//! Fuzzing (issue 13 part 4) as proptest over bytes, through the adapters' public surface: SOAP
//! replies to the vertical-xml adapter and JSON replies to the city-extranet adapter, served by a
//! tiny loopback HTTP server that answers whatever the case holds; file-drop packets built from a
//! valid one, then edited (left as they are, or re-signed so the edit reaches the parsers behind
//! the signature). Each call must return in bounded time, with a typed error carrying a Chinese
//! message, never panic; the valid samples still work. The corpus in
//! `tests/fuzz-corpus/<target>/` runs first as fixed cases. The properties and the packet fixture
//! live in yc-fuzzkit, shared with the cargo-fuzz targets in `fuzz/` (which call the same
//! reply-reading functions without the server). `YC_FUZZ_CASES` scales the case counts
//! (`make fuzz-proptest`); docs/fuzzing.md.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use yc_adapter_sdk::Adapter;
use yc_adapters::city_extranet::{CityExtranet, CityExtranetConfig};
use yc_adapters::vertical_xml::VerticalXml;
use yc_fuzzkit::adapters::{
    PacketEdit, STATUSES, city_reply, city_samples, clear, items, packet, proof, pull_outcome, push_outcome,
    soap_adapter, soap_reply, soap_samples,
};
use yc_fuzzkit::{BOUND, apply, cases, corpus, edits, has_chinese, preview};

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

// ---- SOAP replies (vertical-xml) ----------------------------------------------------------------

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
    let endpoint = format!("http://{}/ws/exchange", http.addr);
    let make = |which: u8| RefCell::new(soap_adapter(which, &endpoint));
    let (v11, v12, by_position) = (make(0), make(1), make(2));
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
        let acked = push_outcome(&sent, s.http.answer(status, body, a.push(&sent))?)?;
        let pulled = pull_outcome(5, s.http.answer(status, body, a.pull("inbox", None, 5))?)?;
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
    // The reply-reading functions the cargo-fuzz target calls read replies as the adapter does.
    for (n, sample) in samples.iter().enumerate() {
        for which in 0..3 {
            for status in [200, 500] {
                let over_http = check_soap(status, sample, which);
                assert_eq!(soap_reply(status, sample, which), over_http, "sample {n}, set-up {which}, HTTP {status}");
            }
        }
    }
    for (name, bytes) in corpus("soap-replies") {
        for which in 0..3 {
            check_soap(200, &bytes, which).unwrap_or_else(|e| panic!("{name}: {e}"));
            check_soap(500, &bytes, which).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

// ---- city-platform JSON (city-extranet) ---------------------------------------------------------

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

/// `(pushes acked, pulled items)` of a push, a pull, an anchor and a health probe answered so.
fn check_city(status: u16, body: &[u8]) -> Result<(usize, usize), String> {
    let what = format!("HTTP {status} {}", preview(body));
    CITY.with(|c| {
        let mut a = c.adapter.borrow_mut();
        let sent = items(3);
        let acked = push_outcome(&sent, c.http.answer(status, body, a.push(&sent))?)?;
        let pulled = pull_outcome(5, c.http.answer(status, body, a.pull("inbox", None, 5))?)?;
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
    for (n, sample) in samples.iter().enumerate() {
        for status in [200, 409, 500] {
            assert_eq!(city_reply(status, sample), check_city(status, sample), "sample {n}, HTTP {status}");
        }
    }
    for (name, bytes) in corpus("city-json") {
        for status in [200, 409, 500] {
            check_city(status, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

// ---- file-drop packets --------------------------------------------------------------------------

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

#[test]
fn file_drop_corpus_and_sample() {
    assert_eq!(packet(&PacketEdit::Tamper(0, Vec::new())), Ok(Some(3)), "the untouched packet verifies");
    // Corpus files replace one file of the packet, which is then signed again: the name says
    // which (`items-*`, `manifest-*`, `tagmanifest-*`, `bag-info-*`).
    for (name, bytes) in corpus("file-drop") {
        let index = [("items-", 2), ("manifest-", 3), ("tagmanifest-", 4), ("bag-info-", 1)]
            .iter()
            .find(|(prefix, _)| name.starts_with(prefix))
            .map(|(_, i)| *i)
            .unwrap_or_else(|| panic!("{name}: unknown corpus file kind"));
        packet(&PacketEdit::Replace(index, bytes)).unwrap_or_else(|e| panic!("{name}: {e}"));
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
        packet(&edit).map(drop).map_err(TestCaseError::fail)?;
    }
}
