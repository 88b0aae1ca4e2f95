//! ECDSA malleability: (r, n − s) verifies mathematically whenever (r, s) does, so a verifier that
//! only asks ring would accept a second, key-less variant of every sealed PDF and QR code. These
//! tests build that variant independently (with the `cms` crate and our own n − s), show that ring
//! itself accepts it, and require `verify_pdf`/`verify_qr` to refuse it.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use der::{Decode, Encode};
use yc_seal::*;

const N: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC, 0xE6, 0xFA,
    0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
];

/// ⌊n/2⌋.
const HALF_N: [u8; 32] = [
    0x7F, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xDE, 0x73, 0x7D,
    0x56, 0xD3, 0x8B, 0xCF, 0x42, 0x79, 0xDC, 0xE5, 0x61, 0x7E, 0x31, 0x92, 0xA8,
];

fn der_int(v: &[u8]) -> Vec<u8> {
    let v: Vec<u8> = v.iter().copied().skip_while(|&b| b == 0).collect();
    let mut out = vec![0x02];
    if v[0] & 0x80 != 0 {
        out.push(u8::try_from(v.len() + 1).unwrap());
        out.push(0);
    } else {
        out.push(u8::try_from(v.len()).unwrap());
    }
    out.extend_from_slice(&v);
    out
}

/// `Ecdsa-Sig-Value` with s replaced by n − s.
fn malleate(sig: &[u8]) -> Vec<u8> {
    assert_eq!(sig[0], 0x30);
    let rl = usize::from(sig[3]);
    let r = &sig[4..4 + rl];
    let sl = usize::from(sig[5 + rl]);
    let s_raw = &sig[6 + rl..6 + rl + sl];
    let mut s = [0u8; 32];
    let s_trim: Vec<u8> = s_raw.iter().copied().skip_while(|&b| b == 0).collect();
    s[32 - s_trim.len()..].copy_from_slice(&s_trim);
    let mut neg = [0u8; 32];
    let mut borrow = 0i32;
    for i in (0..32).rev() {
        let d = i32::from(N[i]) - i32::from(s[i]) - borrow;
        borrow = i32::from(d < 0);
        neg[i] = u8::try_from(d.rem_euclid(256)).unwrap();
    }
    let mut body = der_int(r);
    body.extend(der_int(&neg));
    let mut out = vec![0x30, u8::try_from(body.len()).unwrap()];
    out.extend(body);
    out
}

fn ring_accepts(public_key: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_ASN1, public_key)
        .verify(msg, sig)
        .is_ok()
}

/// The /Contents hex range [start, end) of the (only) signature.
fn contents_range(pdf: &[u8]) -> (usize, usize) {
    let key = b"/Contents <";
    let at = pdf.windows(key.len()).rposition(|w| w == key).expect("contents") + key.len();
    let end = at + pdf[at..].iter().position(|&b| b == b'>').expect("end");
    (at, end)
}

/// Rewrite the CMS in a sealed PDF through `edit`, keeping the /Contents width.
fn rewrite_cms(pdf: &[u8], edit: impl FnOnce(&mut cms::signed_data::SignerInfo)) -> Vec<u8> {
    let (start, end) = contents_range(pdf);
    let hex = std::str::from_utf8(&pdf[start..end]).unwrap();
    let bytes: Vec<u8> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
    let mut reader = der::SliceReader::new(&bytes).unwrap();
    let ci: cms::content_info::ContentInfo = der::Decode::decode(&mut reader).unwrap();
    let mut sd: cms::signed_data::SignedData = ci.content.decode_as().unwrap();
    let mut infos: Vec<_> = sd.signer_infos.0.into_vec();
    edit(&mut infos[0]);
    sd.signer_infos = cms::signed_data::SignerInfos(der::asn1::SetOfVec::try_from(infos).unwrap());
    let ci = cms::content_info::ContentInfo {
        content_type: ci.content_type,
        content: der::Any::from_der(&sd.to_der().unwrap()).unwrap(),
    };
    let der = ci.to_der().unwrap();
    let mut new_hex: String = der.iter().map(|b| format!("{b:02X}")).collect();
    assert!(new_hex.len() <= end - start);
    while new_hex.len() < end - start {
        new_hex.push('0');
    }
    let mut out = pdf.to_vec();
    out[start..end].copy_from_slice(new_hex.as_bytes());
    out
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
