//! Forgery helpers shared by the tests: (r, n − s) and CMS rewriting, built independently of
//! the library (the `cms` crate and our own big-number subtraction).

use der::{Decode, Encode};

pub const N: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC, 0xE6, 0xFA,
    0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
];

/// ⌊n/2⌋.
pub const HALF_N: [u8; 32] = [
    0x7F, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xDE, 0x73, 0x7D,
    0x56, 0xD3, 0x8B, 0xCF, 0x42, 0x79, 0xDC, 0xE5, 0x61, 0x7E, 0x31, 0x92, 0xA8,
];

pub fn der_int(v: &[u8]) -> Vec<u8> {
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
pub fn malleate(sig: &[u8]) -> Vec<u8> {
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

/// The /Contents hex range [start, end) of the (only) signature.
pub fn contents_range(pdf: &[u8]) -> (usize, usize) {
    let key = b"/Contents <";
    let at = pdf.windows(key.len()).rposition(|w| w == key).expect("contents") + key.len();
    let end = at + pdf[at..].iter().position(|&b| b == b'>').expect("end");
    (at, end)
}

/// Rewrite the CMS in a sealed PDF through `edit`, keeping the /Contents width.
pub fn rewrite_cms(pdf: &[u8], edit: impl FnOnce(&mut cms::signed_data::SignerInfo)) -> Vec<u8> {
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
