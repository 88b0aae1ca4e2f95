//! ECDSA malleability: (r, n − s) verifies mathematically whenever (r, s) does, so a verifier that
//! only asks ring would accept a second, key-less variant of every sealed PDF and QR code. These
//! tests build that variant independently (with the `cms` crate and our own n − s), show that ring
//! itself accepts it, and require `verify_pdf`/`verify_qr` to refuse it.

use crate::common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::forge::*;
use common::*;
use der::Encode;
use yc_seal::*;

fn ring_accepts(public_key: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_ASN1, public_key)
        .verify(msg, sig)
        .is_ok()
}

fn sealed(f: &Fixture) -> SealedDocument {
    seal_document(&decision_spec(), &f.seal, &f.signer(), &font(), f.now).expect("seal")
}

#[test]
fn pdf_signature_with_s_replaced_by_n_minus_s_is_invalid() {
    let f = fixture();
    let doc = sealed(&f);
    // Control: the re-encoding path alone leaves a valid document.
    let same = rewrite_cms(&doc.pdf, |_| {});
    assert_eq!(verify_pdf(&same, &f.bundle, f.now).verdict, Verdict::Valid);

    let mut attrs_der = Vec::new();
    let mut malleated = Vec::new();
    let forged = rewrite_cms(&doc.pdf, |si| {
        attrs_der = si.signed_attrs.as_ref().unwrap().to_der().unwrap();
        malleated = malleate(si.signature.as_bytes());
        si.signature = der::asn1::OctetString::new(malleated.clone()).unwrap();
    });
    // The variant is mathematically valid: only the canonical-form rule can refuse it.
    assert!(ring_accepts(f.signer().public_key(), &attrs_der, &malleated), "ring accepts (r, n − s)");
    let v = verify_pdf(&forged, &f.bundle, f.now);
    assert_eq!((v.verdict, v.reason), (Verdict::Invalid, Some(Reason::BadSignature)), "{v:#?}");
    assert!(v.checks.iter().any(|c| c.name == "signature_value" && !c.passed && c.detail.contains("规范")));
}

#[test]
fn every_signature_we_make_is_low_s() {
    let f = fixture();
    // 40 sealings: a signer that did not normalise would emit a high s about half the time.
    for _ in 0..40 {
        let sig = f.signer().sign(b"yc").expect("sign");
        let s = high_half(&sig);
        assert!(s <= HALF_N, "high s in a signature we made");
    }
}

fn high_half(sig: &[u8]) -> [u8; 32] {
    let rl = usize::from(sig[3]);
    let sl = usize::from(sig[5 + rl]);
    let s_trim: Vec<u8> = sig[6 + rl..6 + rl + sl].iter().copied().skip_while(|&b| b == 0).collect();
    let mut s = [0u8; 32];
    s[32 - s_trim.len()..].copy_from_slice(&s_trim);
    s
}

#[test]
fn qr_with_s_replaced_by_n_minus_s_is_invalid() {
    let f = fixture();
    let doc = sealed(&f);
    let (signed, sig) = doc.qr_payload.rsplit_once('|').expect("payload");
    let sig = URL_SAFE_NO_PAD.decode(sig).expect("b64");
    let malleated = malleate(&sig);
    assert!(ring_accepts(f.signer().public_key(), signed.as_bytes(), &malleated));
    let forged = format!("{signed}|{}", URL_SAFE_NO_PAD.encode(&malleated));
    assert_eq!(verify_qr(&doc.qr_payload, &f.bundle, f.now).verdict, Verdict::Valid);
    assert_eq!(verify_qr(&forged, &f.bundle, f.now).verdict, Verdict::Invalid);
}

#[test]
fn qr_payload_in_any_other_encoding_is_refused() {
    let f = fixture();
    let doc = sealed(&f);
    let q = &doc.qr_payload;
    let (signed, sig) = q.rsplit_once('|').expect("payload");
    let variants = [
        format!("{q} "),
        format!(" {q}"),
        format!("{q}\n"),
        format!("{signed}|{sig}="),
        format!("{signed}|{}", URL_SAFE_NO_PAD.encode([&[0u8][..], &URL_SAFE_NO_PAD.decode(sig).unwrap()].concat())),
        q.to_lowercase(),
    ];
    for v in &variants {
        let r = verify_qr(v, &f.bundle, f.now);
        assert_eq!(r.verdict, Verdict::Invalid, "accepted variant {v:?}");
    }
}
