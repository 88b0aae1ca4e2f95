//! PAdES baseline B-B (ETSI EN 319 142-1 §6.3): /SubFilter ETSI.CAdES.detached, ESS
//! signing-certificate-v2 naming the signer certificate, and no signingTime in the signed
//! attributes. Read back with the independent `cms` crate, not with our own parser.

use crate::common;

use common::forge::*;
use common::*;
use der::{Decode, Encode, Tagged};
use yc_seal::*;

const SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
const SIGNING_CERTIFICATE_V2: &str = "1.2.840.113549.1.9.16.2.47";

fn signer_info(pdf: &[u8]) -> (cms::signed_data::SignedData, cms::signed_data::SignerInfo) {
    let (start, end) = contents_range(pdf);
    let hex = std::str::from_utf8(&pdf[start..end]).unwrap();
    let bytes: Vec<u8> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
    let mut reader = der::SliceReader::new(&bytes).unwrap();
    let ci: cms::content_info::ContentInfo = der::Decode::decode(&mut reader).unwrap();
    let sd: cms::signed_data::SignedData = ci.content.decode_as().unwrap();
    let si = sd.signer_infos.0.get(0).unwrap().clone();
    (sd, si)
}

fn oid(s: &str) -> der::asn1::ObjectIdentifier {
    der::asn1::ObjectIdentifier::new_unwrap(s)
}

/// The certHash of the first ESSCertIDv2 (SHA-256, default algorithm omitted).
fn ess_cert_hash(value: &der::Any) -> Vec<u8> {
    // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }
    assert_eq!(value.tag(), der::Tag::Sequence);
    let certs = der::Any::from_der(value.value()).unwrap();
    let mut r = der::SliceReader::new(certs.value()).unwrap();
    let ess: der::Any = der::Decode::decode(&mut r).unwrap();
    let mut r = der::SliceReader::new(ess.value()).unwrap();
    let hash: der::Any = der::Decode::decode(&mut r).unwrap();
    assert_eq!(hash.tag(), der::Tag::OctetString, "default SHA-256 algorithm is omitted");
    let issuer_serial: der::Any = der::Decode::decode(&mut r).unwrap();
    assert_eq!(issuer_serial.tag(), der::Tag::Sequence, "issuerSerial present");
    hash.value().to_vec()
}

#[test]
fn a_sealed_decision_is_pades_baseline_b() {
    let f = fixture();
    let sealed = seal_document(&decision_spec(), &f.seal, &f.signer(), &font(), f.now).expect("seal");
    let text = String::from_utf8_lossy(&sealed.pdf);
    assert!(text.contains("/SubFilter /ETSI.CAdES.detached"), "SubFilter");
    assert!(!text.contains("adbe.pkcs7.detached"));
    assert!(text.contains("/M (D:"), "the claimed time is in /M");

    let (_, si) = signer_info(&sealed.pdf);
    let attrs = si.signed_attrs.expect("signed attributes");
    assert!(attrs.iter().all(|a| a.oid != oid(SIGNING_TIME)), "PAdES forbids signingTime");
    let ess = attrs.iter().find(|a| a.oid == oid(SIGNING_CERTIFICATE_V2)).expect("signing-certificate-v2");
    let leaf = &f.chain[0];
    let expected = ring::digest::digest(&ring::digest::SHA256, leaf);
    assert_eq!(ess_cert_hash(ess.values.get(0).unwrap()), expected.as_ref());

    let v = verify_pdf(&sealed.pdf, &f.bundle, f.now);
    assert_eq!(v.verdict, Verdict::Valid, "{v:#?}");
    assert!(v.checks.iter().any(|c| c.name == "signing_certificate" && c.passed), "{v:#?}");
}

/// Re-sign the signed attributes with the genuine key after replacing signing-certificate-v2's
/// hash by the root's: the signature value verifies, but it names another certificate.
pub fn wrong_signing_certificate(f: &Fixture, pdf: &[u8]) -> Vec<u8> {
    let root_hash = ring::digest::digest(&ring::digest::SHA256, f.authority.root_certificate());
    let signer = f.signer();
    rewrite_cms(pdf, |si| {
        let mut attrs: Vec<_> = si.signed_attrs.take().unwrap().into_vec();
        for a in &mut attrs {
            if a.oid == oid(SIGNING_CERTIFICATE_V2) {
                let old = a.values.get(0).unwrap().to_der().unwrap();
                let leaf_hash = ring::digest::digest(&ring::digest::SHA256, &f.chain[0]);
                let at = old.windows(32).position(|w| w == leaf_hash.as_ref()).unwrap();
                let mut new = old.clone();
                new[at..at + 32].copy_from_slice(root_hash.as_ref());
                a.values = der::asn1::SetOfVec::try_from(vec![der::Any::from_der(&new).unwrap()]).unwrap();
            }
        }
        let attrs = der::asn1::SetOfVec::try_from(attrs).unwrap();
        let sig = signer.sign(&attrs.to_der().unwrap()).unwrap();
        si.signature = der::asn1::OctetString::new(sig).unwrap();
        si.signed_attrs = Some(attrs);
    })
}

#[test]
fn a_signing_certificate_v2_naming_another_certificate_is_invalid() {
    let f = fixture();
    let sealed = seal_document(&decision_spec(), &f.seal, &f.signer(), &font(), f.now).expect("seal");
    let forged = wrong_signing_certificate(&f, &sealed.pdf);
    let v = verify_pdf(&forged, &f.bundle, f.now);
    assert_eq!((v.verdict, v.reason), (Verdict::Invalid, Some(Reason::SignerNotBoundToSeal)), "{v:#?}");
    let failed: Vec<_> = v.checks.iter().filter(|c| !c.passed).map(|c| c.name).collect();
    assert_eq!(failed, ["signing_certificate"], "only the ESS binding fails: {v:#?}");
}

// ---- B-T and B-LT ----------------------------------------------------------------------

/// After the signer certificate (2029-01-01) and the seal (2028-12-31) expired, and long after
/// the bundle's next update: only a proven signing time can still say VALID.
const LATER: &str = "2030-06-01T00:00:00Z";

fn online(f: &Fixture) -> SealedDocument {
    seal_document_timestamped(&decision_spec(), &f.seal, &f.signer(), &font(), f.now, &f.tsa(f.now)).expect("seal")
}

fn offline(f: &Fixture) -> SealedDocument {
    seal_document(&decision_spec(), &f.seal, &f.signer(), &font(), f.now).expect("seal")
}

fn lt_data(f: &Fixture) -> ValidationData {
    f.bundle.validation_data(&f.chain, &f.tsa_chain)
}

fn failed(v: &Verification) -> Vec<&'static str> {
    v.checks.iter().filter(|c| !c.passed).map(|c| c.name).collect()
}

#[test]
fn online_sealing_carries_a_signature_timestamp_b_t() {
    let f = fixture();
    let doc = online(&f);
    assert_eq!(doc.signature_timestamp, Some(f.now));
    assert_eq!(doc.timestamp_error, None);
    let v = verify_pdf(&doc.pdf, &f.bundle, f.now);
    assert_eq!(v.verdict, Verdict::Valid, "{v:#?}");
    assert!(v.checks.iter().any(|c| c.name == "signature_timestamp" && c.passed), "{v:#?}");
    // Timestamped but without the DSS: after expiry the bundle is stale and holds no status
    // for the proven time → only a bundle current at that time helps; this one is.
    let later = verify_pdf(&doc.pdf, &f.bundle, t(LATER));
    assert_eq!(later.verdict, Verdict::Valid, "{later:#?}");
}

#[test]
fn an_unreachable_tsa_leaves_a_b_b_document_and_says_why() {
    struct Down;
    impl TimeStamper for Down {
        fn timestamp(&self, _: &[u8; 32]) -> yc_seal::Result<Vec<u8>> {
            Err(SealError::Timestamp("连接被拒绝".into()))
        }
    }
    let f = fixture();
    let doc = seal_document_timestamped(&decision_spec(), &f.seal, &f.signer(), &font(), f.now, &Down).expect("seal");
    assert_eq!(doc.signature_timestamp, None);
    assert!(doc.timestamp_error.as_deref().is_some_and(|e| e.contains("连接被拒绝")), "{:?}", doc.timestamp_error);
    assert_eq!(verify_pdf(&doc.pdf, &f.bundle, f.now).verdict, Verdict::Valid);
}

#[test]
fn after_expiry_a_bare_b_b_document_is_indeterminate_and_a_timestamped_lt_one_valid() {
    let f = fixture();
    // A bundle that was current when the document was sealed is long stale by LATER, and a
    // bundle issued after the proven time is absent: the LT document must stand on its DSS.
    let bb = offline(&f);
    let v = verify_pdf(&bb.pdf, &f.bundle, t(LATER));
    assert_eq!((v.verdict, v.reason), (Verdict::Indeterminate, Some(Reason::ClaimedTimeOnly)), "{v:#?}");

    let online_lt = add_validation_data(&online(&f).pdf, &lt_data(&f)).expect("dss");
    let v = verify_pdf(&online_lt, &f.bundle, t(LATER));
    assert_eq!(v.verdict, Verdict::Valid, "{v:#?}");
    assert!(v.checks.iter().any(|c| c.name == "long_term_validation" && c.passed), "{v:#?}");
    assert!(v.checks.iter().any(|c| c.name == "certificate_validity" && c.detail.contains("时间戳证明")), "{v:#?}");

    // Offline: sealed B-B at once; the sync pass adds DSS + document timestamp a day later.
    let synced = f.now + chrono::Duration::days(1);
    let offline_lt = add_document_timestamp(&bb.pdf, Some(&lt_data(&f)), &f.tsa(synced)).expect("doc ts");
    assert_eq!(&offline_lt[..bb.pdf.len()], &bb.pdf[..], "the seal signature's bytes are untouched");
    let v = verify_pdf(&offline_lt, &f.bundle, t(LATER));
    assert_eq!(v.verdict, Verdict::Valid, "{v:#?}");
    assert!(v.checks.iter().any(|c| c.name == "document_timestamp" && c.passed), "{v:#?}");
    // Today both verify as before.
    for pdf in [&online_lt, &offline_lt] {
        let v = verify_pdf(pdf, &f.bundle, f.now);
        assert_eq!(v.verdict, Verdict::Valid, "{v:#?}");
    }
}

#[test]
fn with_only_an_older_bundle_the_lt_document_stands_on_its_dss() {
    let f = fixture();
    // The verifier's bundle ended before the document was sealed: it says nothing about the
    // signer's status at the proven time. The DSS's CRL (current then) does.
    let old = f.bundle_with(
        vec![SealStatusEntry { seal: f.seal.clone(), status: SealStatus::Active }],
        vec![],
        "2026-10-01T00:00:00Z",
        "2026-11-01T00:00:00Z",
    );
    let bt = online(&f);
    let v = verify_pdf(&bt.pdf, &old, t(LATER));
    assert_eq!((v.verdict, v.reason), (Verdict::Indeterminate, Some(Reason::TrustBundleStale)), "{v:#?}");
    let lt = add_validation_data(&bt.pdf, &lt_data(&f)).expect("dss");
    let v = verify_pdf(&lt, &old, t(LATER));
    assert_eq!(v.verdict, Verdict::Valid, "{v:#?}");
    assert!(v.checks.iter().any(|c| c.name == "trust_bundle_fresh" && c.detail.contains("DSS")), "{v:#?}");
}

#[test]
fn the_bundle_s_crl_carries_its_revocations_and_is_signed_by_the_root() {
    let f = fixture();
    let serial = "0abc";
    let b = f.bundle_with(
        vec![SealStatusEntry { seal: f.seal.clone(), status: SealStatus::Active }],
        vec![RevokedCertificate { serial_hex: serial.into(), revoked_at: f.now, reason: "密钥泄露".into() }],
        "2026-11-20T00:00:00Z",
        "2026-12-20T00:00:00Z",
    );
    let crl = b.crl().expect("crl");
    let parsed = x509_cert::crl::CertificateList::from_der(crl).expect("DER CRL");
    let listed: Vec<_> = parsed
        .tbs_cert_list
        .revoked_certificates
        .iter()
        .flatten()
        .map(|r| r.serial_number.as_bytes().to_vec())
        .collect();
    assert_eq!(listed, vec![vec![0x0a, 0xbc]]);
    let root = x509_cert::Certificate::from_der(f.authority.root_certificate()).unwrap();
    assert_eq!(parsed.tbs_cert_list.issuer, root.tbs_certificate.subject);
    // Round trip through the bundle file keeps it.
    let again = TrustBundle::from_bytes(&b.to_bytes().unwrap(), &[f.authority.root_certificate().to_vec()]).unwrap();
    assert_eq!(again.crl(), Some(crl));
}

#[test]
fn anything_else_appended_after_sealing_stays_invalid() {
    let f = fixture();
    let lt = add_document_timestamp(&offline(&f).pdf, Some(&lt_data(&f)), &f.tsa(f.now)).expect("doc ts");
    // A byte changed inside the DSS (a certificate stream) breaks the re-derived update.
    let mut edited = lt.clone();
    let at = edited
        .windows(13)
        .rposition(|w| w == b"/Type /DSS >>")
        .map_or_else(|| edited.windows(10).rposition(|w| w == b"/Type /DSS").unwrap() + 200, |p| p + 200);
    edited[at] ^= 0x01;
    let v = verify_pdf(&edited, &f.bundle, f.now);
    assert_eq!(v.verdict, Verdict::Invalid, "{v:#?}");
    // A second update on top (e.g. an annotation) is refused too.
    let mut more = lt.clone();
    more.extend_from_slice(b"99 0 obj\n<< /Type /Annot >>\nendobj\n");
    let v = verify_pdf(&more, &f.bundle, f.now);
    assert_eq!((v.verdict, v.reason), (Verdict::Invalid, Some(Reason::ContentAfterSignature)), "{v:#?}");
    // The library itself refuses to add a second update.
    assert!(add_validation_data(&lt, &lt_data(&f)).is_err());
}

#[test]
fn a_timestamp_from_a_tsa_the_bundle_does_not_trust_proves_nothing() {
    let f = fixture();
    let rogue_ca =
        SealAuthority::generate("某市政务外网平台", t("2026-01-01T00:00:00Z"), t("2046-01-01T00:00:00Z")).unwrap();
    let key = generate_pkcs8().unwrap();
    let cert = rogue_ca
        .issue_tsa_certificate(
            "某市政务外网时间戳服务",
            &public_key_of(&key).unwrap(),
            t("2026-01-01T00:00:00Z"),
            t("2041-01-01T00:00:00Z"),
        )
        .unwrap();
    let rogue =
        TimeStampAuthority::from_pkcs8(&key, vec![cert, rogue_ca.root_certificate().to_vec()]).unwrap().at(f.now);
    let doc = add_document_timestamp(&offline(&f).pdf, Some(&lt_data(&f)), &rogue).expect("doc ts");
    let v = verify_pdf(&doc, &f.bundle, t(LATER));
    assert_eq!(v.verdict, Verdict::Indeterminate, "{v:#?}");
    assert!(failed(&v).contains(&"document_timestamp"), "{v:#?}");
}

#[test]
fn the_tsa_answers_rfc_3161_and_the_client_checks_imprint_and_nonce() {
    let f = fixture();
    let tsa = f.tsa(f.now);
    let imprint = [7u8; 32];
    let req = timestamp_request(&imprint, 42).unwrap();
    let resp = tsa.respond(&req, f.now);
    token_from_response(&resp, &imprint, 42).expect("granted");
    // A replayed response (other nonce) or one for other data is refused.
    assert!(matches!(token_from_response(&resp, &imprint, 43), Err(SealError::Timestamp(_))));
    assert!(matches!(token_from_response(&resp, &[8u8; 32], 42), Err(SealError::Timestamp(_))));
    // Garbage in → a rejection TimeStampResp, which the client reports with its reason.
    let refused = tsa.respond(b"\x30\x03\x02\x01\x01", f.now);
    let e = token_from_response(&refused, &imprint, 42).unwrap_err().to_string();
    assert!(e.contains("拒绝"), "{e}");
}

#[test]
fn the_sync_pass_can_stamp_in_two_steps_through_a_remote_tsa() {
    let f = fixture();
    let bb = offline(&f);
    let lt = lt_data(&f);
    // What the sync pass does: prepare, send the request through the adapter, check the reply.
    let pending = PendingDocumentTimestamp::prepare(&bb.pdf, Some(&lt)).expect("prepare");
    let nonce = timestamp_nonce().unwrap();
    let request = timestamp_request(&pending.imprint(), nonce).unwrap();
    let reply = f.tsa(f.now).respond(&request, f.now);
    let token = token_from_response(&reply, &pending.imprint(), nonce).expect("granted");
    // A token for other data is refused before anything is written.
    let other =
        token_from_response(&f.tsa(f.now).respond(&timestamp_request(&[1u8; 32], 5).unwrap(), f.now), &[1u8; 32], 5)
            .unwrap();
    assert!(matches!(pending.clone().finish(&other), Err(SealError::Timestamp(_))));
    let stamped = pending.finish(&token).expect("finish");
    // Byte for byte what the one-step call writes with the same token.
    struct Fixed(Vec<u8>);
    impl TimeStamper for Fixed {
        fn timestamp(&self, _: &[u8; 32]) -> yc_seal::Result<Vec<u8>> {
            Ok(self.0.clone())
        }
    }
    assert_eq!(stamped, add_document_timestamp(&bb.pdf, Some(&lt), &Fixed(token)).unwrap());
    let v = verify_pdf(&stamped, &f.bundle, t(LATER));
    assert_eq!(v.verdict, Verdict::Valid, "{v:#?}");
}

#[test]
fn exported_trust_carries_the_tsa_root_apart_from_the_anchors() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("trust");
    export_trust(&out, &[f.authority.root_certificate().to_vec()], &f.bundle).expect("export");
    let tsa_files: Vec<_> = std::fs::read_dir(out.join("tsa")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(tsa_files.len(), 1, "{tsa_files:?}");
    let pem = std::fs::read_to_string(&tsa_files[0]).unwrap();
    assert_eq!(pem, certificate_pem(&f.tsa_root));
    // The bundle's anchors are the seal authority's roots only.
    let (roots, bundle) = load_trust(&out).expect("load");
    assert_eq!(roots, vec![f.authority.root_certificate().to_vec()]);
    assert_eq!(bundle.tsa_roots(), std::slice::from_ref(&f.tsa_root));
    let prints = std::fs::read_to_string(out.join("FINGERPRINTS.txt")).unwrap();
    assert!(prints.contains(&fingerprint(&f.tsa_root)) && prints.contains("时间戳服务根证书"), "{prints}");
}
