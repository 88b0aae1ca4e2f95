//! The city platform's RFC 3161 time-stamping authority, reached through the city adapter over
//! real HTTP on loopback (DER TimeStampReq/TimeStampResp, application/timestamp-query/-reply).

use der::Decode;
use yc_adapter_sdk::{Adapter, ErrorClass};
use yc_adapters::city_extranet::{CityExtranet, CityExtranetConfig};
use yc_sim::{FaultConfig, SimConfig};

fn adapter(addr: std::net::SocketAddr, token: Option<&str>) -> CityExtranet {
    let mut cfg = CityExtranetConfig::new(format!("http://{addr}"), "WS01");
    cfg.request_timeout_ms = 5_000;
    cfg.token = token.map(str::to_string);
    CityExtranet::new(cfg).unwrap()
}

#[tokio::test]
async fn the_city_tsa_grants_a_token_for_our_imprint_and_nonce() {
    let (addr, sim) = yc_sim::city::spawn(SimConfig { token: Some("t0k".into()), ..Default::default() }).await.unwrap();
    let a = adapter(addr, Some("t0k"));
    let imprint = [0x5au8; 32];
    let nonce = yc_seal::timestamp_nonce().unwrap();
    let reply = a.timestamp(&yc_seal::timestamp_request(&imprint, nonce).unwrap()).await.expect("reply");
    let token = yc_seal::token_from_response(&reply, &imprint, nonce).expect("granted token");
    // The token carries the TSA certificate, issued under the simulator's root.
    let root = sim.tsa_root.clone().expect("city TSA root");
    let root_cert = x509_cert::Certificate::from_der(&root).unwrap();
    let issuer = der::Encode::to_der(&root_cert.tbs_certificate.subject).unwrap();
    assert!(token.windows(issuer.len()).any(|w| w == issuer.as_slice()), "TSA certificate names the sim root");
    // The same reply is refused for another nonce (a replay).
    assert!(yc_seal::token_from_response(&reply, &imprint, nonce ^ 1).is_err());
    assert_eq!(sim.stats().timestamps, 1);
}

#[tokio::test]
async fn a_request_the_tsa_cannot_serve_gets_a_der_rejection_with_the_reason() {
    let (addr, _sim) = yc_sim::city::spawn(SimConfig::default()).await.unwrap();
    let a = adapter(addr, None);
    let reply = a.timestamp(b"\x30\x03\x02\x01\x07").await.expect("a DER reply, not an HTTP error");
    let e = yc_seal::token_from_response(&reply, &[0u8; 32], 1).unwrap_err().to_string();
    assert!(e.contains("拒绝") && e.contains("badDataFormat"), "{e}");
}

#[tokio::test]
async fn tsa_failures_are_classified_so_sealing_falls_back_to_b_b() {
    // Wrong token: an operator must act.
    let (addr, _sim) =
        yc_sim::city::spawn(SimConfig { token: Some("right".into()), ..Default::default() }).await.unwrap();
    let e = adapter(addr, Some("wrong")).timestamp(&[0x30, 0x00]).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Auth, "{e}");
    // The platform failing: retry later (the document is sealed B-B meanwhile).
    let faults = FaultConfig { fail_rate: 1.0, ..Default::default() };
    let (addr, _sim) = yc_sim::city::spawn(SimConfig { faults, ..Default::default() }).await.unwrap();
    let e = adapter(addr, None).timestamp(&[0x30, 0x00]).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Retryable, "{e}");
    // Nobody listening (offline): retryable transport error, quickly.
    let addr = { std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap() };
    let mut a = adapter(addr, None);
    let e = a.timestamp(&[0x30, 0x00]).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Retryable, "{e}");
    let _ = a.shutdown().await;
}
