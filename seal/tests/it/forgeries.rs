use crate::common;

use common::*;
use yc_seal::*;

fn sealed(f: &Fixture) -> SealedDocument {
    seal_document(&decision_spec(), &f.seal, &f.signer(), &font(), f.now).expect("seal")
}

fn verdict(v: &Verification) -> (Verdict, Option<Reason>) {
    (v.verdict, v.reason)
}

/// The verdict on a sealed PDF and on its QR payload, which must agree.
fn both(doc: &SealedDocument, bundle: &TrustBundle, now: chrono::DateTime<chrono::Utc>) -> (Verdict, Option<Reason>) {
    let pdf = verdict(&verify_pdf(&doc.pdf, bundle, now));
    assert_eq!(pdf, verdict(&verify_qr(&doc.qr_payload, bundle, now)), "the PDF and its QR code disagree");
    pdf
}

/// A bundle listing the fixture's seal with `status` and no revoked certificates.
fn bundle_with_status(f: &Fixture, status: SealStatus, this_update: &str, next_update: &str) -> TrustBundle {
    f.bundle_with(vec![SealStatusEntry { seal: f.seal.clone(), status }], vec![], this_update, next_update)
}

#[test]
fn one_changed_content_byte_is_invalid_hash_mismatch() {
    let f = fixture();
    let mut pdf = sealed(&f).pdf;
    // Inside the first page's content stream (before the signature gap).
    let pos = pdf.windows(2).position(|w| w == b"BT").expect("text op");
    pdf[pos + 3] ^= 0x01;
    assert_eq!(verdict(&verify_pdf(&pdf, &f.bundle, f.now)), (Verdict::Invalid, Some(Reason::HashMismatch)));
}

#[test]
fn appended_incremental_update_is_invalid() {
    let f = fixture();
    let mut pdf = sealed(&f).pdf;
    let prev = pdf.len();
    let update = format!(
        "\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\nxref\n1 1\n{prev:010} 00000 n \ntrailer\n<< /Size 20 /Root 1 0 R /Prev 0 >>\nstartxref\n{prev}\n%%EOF\n"
    );
    pdf.extend_from_slice(update.as_bytes());
    let v = verify_pdf(&pdf, &f.bundle, f.now);
    assert_eq!(verdict(&v), (Verdict::Invalid, Some(Reason::ContentAfterSignature)), "{v:#?}");
}

#[test]
fn nonzero_padding_in_contents_is_invalid() {
    let f = fixture();
    let mut pdf = sealed(&f).pdf;
    let end = pdf.windows(2).rposition(|w| w == b"0>").expect("padding");
    pdf[end] = b'7';
    assert_eq!(verify_pdf(&pdf, &f.bundle, f.now).verdict, Verdict::Invalid);
}

#[test]
fn signature_by_key_not_listed_in_seal_is_invalid() {
    let f = fixture();
    let rogue = generate_pkcs8().expect("key");
    // Certified by the same authority, so only the seal binding can catch it.
    let cert = new_signer_cert(&f.authority, &rogue);
    let signer =
        SoftwareSigner::from_pkcs8(&rogue, vec![cert, f.authority.root_certificate().to_vec()]).expect("signer");
    assert!(matches!(
        seal_document(&decision_spec(), &f.seal, &signer, &font(), f.now),
        Err(SealError::SealMismatch(_))
    ));
    let forged = seal_document_unchecked(&decision_spec(), &f.seal, &signer, &font(), f.now).expect("forge");
    let v = verify_pdf(&forged.pdf, &f.bundle, f.now);
    assert_eq!(verdict(&v), (Verdict::Invalid, Some(Reason::SignerNotBoundToSeal)), "{v:#?}");
    let q = verify_qr(&forged.qr_payload, &f.bundle, f.now);
    assert_eq!(verdict(&q), (Verdict::Invalid, Some(Reason::BadSignature)));
}

#[test]
fn seal_revoked_before_claimed_signing_time_is_invalid() {
    let f = fixture();
    let doc = sealed(&f);
    let revoked = bundle_with_status(
        &f,
        SealStatus::Revoked { at: t("2026-11-22T00:00:00Z"), reason: "印章遗失".into() },
        "2026-11-22T00:00:00Z",
        "2026-12-22T00:00:00Z",
    );
    assert_eq!(both(&doc, &revoked, f.now), (Verdict::Invalid, Some(Reason::SealRevokedBeforeSigning)));
}

#[test]
fn seal_revoked_after_claimed_time_is_indeterminate_claimed_time_only() {
    let f = fixture();
    let doc = sealed(&f);
    let revoked = bundle_with_status(
        &f,
        SealStatus::Revoked { at: t("2026-11-24T00:00:00Z"), reason: "机构撤并".into() },
        "2026-11-24T00:00:00Z",
        "2026-12-24T00:00:00Z",
    );
    let later = t("2026-11-25T00:00:00Z");
    assert_eq!(
        verdict(&verify_pdf(&doc.pdf, &revoked, later)),
        (Verdict::Indeterminate, Some(Reason::ClaimedTimeOnly))
    );
}

#[test]
fn revoked_signer_certificate_is_invalid() {
    let f = fixture();
    let doc = sealed(&f);
    let serial = {
        use der::Decode as _;
        let cert = x509_cert::Certificate::from_der(&f.chain[0]).expect("cert");
        cert.tbs_certificate.serial_number.as_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let bundle = f.bundle_with(
        vec![SealStatusEntry { seal: f.seal.clone(), status: SealStatus::Active }],
        vec![RevokedCertificate {
            serial_hex: serial,
            revoked_at: t("2026-11-01T00:00:00Z"),
            reason: "密钥泄露".into(),
        }],
        "2026-11-20T00:00:00Z",
        "2026-12-20T00:00:00Z",
    );
    assert_eq!(
        verdict(&verify_pdf(&doc.pdf, &bundle, f.now)),
        (Verdict::Invalid, Some(Reason::CertificateRevokedBeforeSigning))
    );
}

#[test]
fn expired_seal_is_refused_and_a_forged_use_is_invalid() {
    let f = fixture();
    let expired = issue_seal(
        &f.authority,
        "3301000000002",
        vec![f.chain[0].clone()],
        "2025-01-01T00:00:00Z",
        "2026-06-30T00:00:00Z",
    );
    let bundle = f.bundle_with(
        vec![SealStatusEntry { seal: expired.clone(), status: SealStatus::Active }],
        vec![],
        "2026-11-20T00:00:00Z",
        "2026-12-20T00:00:00Z",
    );
    assert!(matches!(
        seal_document(&decision_spec(), &expired, &f.signer(), &font(), f.now),
        Err(SealError::SealMismatch(_))
    ));
    let forged = seal_document_unchecked(&decision_spec(), &expired, &f.signer(), &font(), f.now).expect("forge");
    assert_eq!(both(&forged, &bundle, f.now), (Verdict::Invalid, Some(Reason::SealOutsideValidity)));
}

#[test]
fn seal_expired_since_signing_is_indeterminate_without_timestamp() {
    let f = fixture();
    let doc = sealed(&f);
    let after_expiry = t("2029-02-01T00:00:00Z");
    let fresh = bundle_with_status(&f, SealStatus::Active, "2029-01-15T00:00:00Z", "2029-02-15T00:00:00Z");
    assert_eq!(
        verdict(&verify_pdf(&doc.pdf, &fresh, after_expiry)),
        (Verdict::Indeterminate, Some(Reason::ClaimedTimeOnly))
    );
}

#[test]
fn tampered_qr_payload_is_invalid() {
    let f = fixture();
    let doc = sealed(&f);
    let q = QrPayload::parse(&doc.qr_payload).expect("parse");
    // Another case number in the signed text, the old signature kept.
    let (_, sig) = doc.qr_payload.rsplit_once('|').expect("sig");
    let forged = format!("{}|{sig}", q.signed_text.replace(&q.fields.case_number, "YC-330100-20261123-0999"));
    assert_ne!(forged, doc.qr_payload);
    assert_eq!(verdict(&verify_qr(&forged, &f.bundle, f.now)), (Verdict::Invalid, Some(Reason::BadSignature)));
    let mut flipped = doc.qr_payload.clone().into_bytes();
    flipped[10] = if flipped[10] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).expect("ascii");
    assert_eq!(verify_qr(&flipped, &f.bundle, f.now).verdict, Verdict::Invalid);
}

#[test]
fn trust_bundle_past_next_update_is_indeterminate_not_valid() {
    let f = fixture();
    let doc = sealed(&f);
    let late = t("2026-12-21T00:00:00Z");
    assert_eq!(both(&doc, &f.bundle, late), (Verdict::Indeterminate, Some(Reason::TrustBundleStale)));
}

#[test]
fn seal_from_another_authority_has_no_chain_and_is_indeterminate() {
    let f = fixture();
    let doc = sealed(&f);
    let other = fixture();
    assert_eq!(
        verdict(&verify_pdf(&doc.pdf, &other.bundle, f.now)),
        (Verdict::Indeterminate, Some(Reason::NoChainToTrustedRoot))
    );
}

#[test]
fn unsigned_draft_is_invalid_no_signature() {
    let draft = render_draft(&decision_spec(), &font()).expect("draft");
    let f = fixture();
    assert_eq!(verdict(&verify_pdf(&draft, &f.bundle, f.now)), (Verdict::Invalid, Some(Reason::NoSignature)));
}

#[test]
fn trust_bundle_round_trips_only_under_pinned_anchor() {
    let f = fixture();
    let bytes = f.bundle.to_bytes().expect("bytes");
    let anchor = vec![f.authority.root_certificate().to_vec()];
    let loaded = TrustBundle::from_bytes(&bytes, &anchor).expect("load");
    assert_eq!(loaded.content(), f.bundle.content());
    let other = fixture();
    assert!(matches!(
        TrustBundle::from_bytes(&bytes, &[other.authority.root_certificate().to_vec()]),
        Err(SealError::TrustBundleSignature)
    ));
    let text = String::from_utf8(bytes).expect("utf8");
    assert!(text.contains(r#"\"version\":2"#));
    let tampered = text.replace(r#"\"version\":2"#, r#"\"version\":9"#);
    assert!(matches!(TrustBundle::from_bytes(tampered.as_bytes(), &anchor), Err(SealError::TrustBundleSignature)));
    assert!(loaded.supersedes(&fixture_v1(&f)));
    assert!(!fixture_v1(&f).supersedes(&loaded));
}

fn fixture_v1(f: &Fixture) -> TrustBundle {
    f.authority
        .sign_trust_bundle(TrustBundleContent {
            version: 1,
            issuer: "x".into(),
            this_update: t("2026-11-01T00:00:00Z"),
            next_update: t("2026-12-01T00:00:00Z"),
            roots: vec![],
            seals: vec![],
            revoked_certificates: vec![],
            tsa_roots: vec![],
        })
        .expect("bundle")
}

#[test]
fn seal_swapped_in_the_unsigned_attribute_is_invalid() {
    use cms::content_info::ContentInfo;
    use cms::signed_data::SignedData;
    use der::{Decode as _, Encode as _};

    let f = fixture();
    let doc = sealed(&f);
    // Another genuine seal from the same maker listing the same certificate, with a different
    // type: swapping it into the unsigned attribute must not go unnoticed.
    let other = issue_seal(
        &f.authority,
        "3301000000009",
        vec![f.chain[0].clone()],
        "2026-01-01T00:00:00Z",
        "2028-12-31T00:00:00Z",
    );
    let bundle = f.bundle_with(
        vec![
            SealStatusEntry { seal: f.seal.clone(), status: SealStatus::Active },
            SealStatusEntry { seal: other.clone(), status: SealStatus::Active },
        ],
        vec![],
        "2026-11-20T00:00:00Z",
        "2026-12-20T00:00:00Z",
    );
    assert_eq!(verify_pdf(&doc.pdf, &bundle, f.now).verdict, Verdict::Valid);

    let mut pdf = doc.pdf.clone();
    let start = pdf.windows(11).rposition(|w| w == b"/Contents <").expect("gap") + 11;
    let end = start + pdf[start..].iter().position(|&b| b == b'>').expect("end");
    let hex = std::str::from_utf8(&pdf[start..end]).expect("ascii").to_string();
    let bytes: Vec<u8> =
        (0..hex.len() / 2).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex")).collect();
    let mut reader = der::SliceReader::new(&bytes).expect("reader");
    let ci: ContentInfo = der::Decode::decode(&mut reader).expect("ci");
    let mut sd: SignedData = ci.content.decode_as().expect("sd");
    let mut infos: Vec<_> = sd.signer_infos.0.iter().cloned().collect();
    let seal_oid = der::asn1::ObjectIdentifier::new_unwrap(SEAL_ATTRIBUTE_OID);
    let value = der::Any::new(der::Tag::OctetString, other.envelope_json().as_bytes()).expect("any");
    let attr =
        x509_cert::attr::Attribute { oid: seal_oid, values: der::asn1::SetOfVec::try_from(vec![value]).expect("set") };
    infos[0].unsigned_attrs = Some(der::asn1::SetOfVec::try_from(vec![attr]).expect("set"));
    sd.signer_infos = cms::signed_data::SignerInfos(der::asn1::SetOfVec::try_from(infos).expect("set"));
    let ci = ContentInfo {
        content_type: ci.content_type,
        content: der::Any::from_der(&sd.to_der().expect("der")).expect("any"),
    };
    let new_hex: String = ci.to_der().expect("der").iter().map(|b| format!("{b:02X}")).collect();
    assert!(new_hex.len() <= end - start, "replacement must fit the reserved space");
    let padded = format!("{new_hex:0<width$}", width = end - start);
    pdf[start..end].copy_from_slice(padded.as_bytes());

    let v = verify_pdf(&pdf, &bundle, f.now);
    assert_eq!(verdict(&v), (Verdict::Invalid, Some(Reason::HashMismatch)), "{v:#?}");
    assert!(v.checks.iter().any(|c| c.name == "seal_bound_to_signature" && !c.passed));
}

#[test]
fn pre_sealing_check_refuses_revoked_unknown_seals_and_stale_bundles() {
    let f = fixture();
    assert!(f.bundle.check_seal_usable(&f.seal, f.now).is_ok());
    assert!(matches!(f.bundle.check_seal_usable(&f.seal, t("2026-12-21T00:00:00Z")), Err(SealError::SealNotUsable(_))));
    let revoked = bundle_with_status(
        &f,
        SealStatus::Revoked { at: t("2026-11-22T00:00:00Z"), reason: "印章遗失".into() },
        "2026-11-22T00:00:00Z",
        "2026-12-22T00:00:00Z",
    );
    assert!(matches!(revoked.check_seal_usable(&f.seal, f.now), Err(SealError::SealNotUsable(_))));
    let empty = f.bundle_with(vec![], vec![], "2026-11-22T00:00:00Z", "2026-12-22T00:00:00Z");
    assert!(matches!(empty.check_seal_usable(&f.seal, f.now), Err(SealError::SealNotUsable(_))));
}
