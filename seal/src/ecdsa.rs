//! Canonical ECDSA P-256 signatures: strict DER and low-S (s ≤ n/2).
//!
//! ECDSA is malleable: if (r, s) verifies, so does (r, n − s). ring accepts both, so without this
//! rule one sealed document or QR code has two valid encodings (a different file hash, a second
//! QR text) made without the key. We emit only low-S, minimally encoded signatures and refuse
//! anything else on document signatures (PDF CMS and QR), as Bitcoin's BIP 62/146 does.

/// Order n of the P-256 group, big-endian.
const N: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC, 0xE6, 0xFA,
    0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
];
/// ⌊n/2⌋: the largest canonical s.
const HALF_N: [u8; 32] = [
    0x7F, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xDE, 0x73, 0x7D,
    0x56, 0xD3, 0x8B, 0xCF, 0x42, 0x79, 0xDC, 0xE5, 0x61, 0x7E, 0x31, 0x92, 0xA8,
];

/// Read one DER INTEGER holding a positive value < 2^256, minimally encoded.
fn integer(input: &[u8]) -> Option<([u8; 32], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&len, rest) = rest.split_first()?;
    let len = usize::from(len);
    if tag != 0x02 || len == 0 || len > 33 || rest.len() < len {
        return None;
    }
    let (value, rest) = rest.split_at(len);
    // Negative, or a redundant leading zero: not DER.
    if value[0] & 0x80 != 0 || (len > 1 && value[0] == 0 && value[1] & 0x80 == 0) {
        return None;
    }
    let value = if value[0] == 0 { &value[1..] } else { value };
    if value.len() > 32 {
        return None;
    }
    let mut out = [0u8; 32];
    out[32 - value.len()..].copy_from_slice(value);
    Some((out, rest))
}

/// (r, s) of a strictly DER-encoded `Ecdsa-Sig-Value`, each in 1..n−1; `None` otherwise.
pub(crate) fn parse(sig: &[u8]) -> Option<([u8; 32], [u8; 32])> {
    let (&tag, rest) = sig.split_first()?;
    let (&len, body) = rest.split_first()?;
    // At most 2 × 35 bytes: the short length form is the only DER one.
    if tag != 0x30 || len & 0x80 != 0 || usize::from(len) != body.len() {
        return None;
    }
    let (r, rest) = integer(body)?;
    let (s, rest) = integer(rest)?;
    let in_range = |v: &[u8; 32]| v.iter().any(|&b| b != 0) && *v < N;
    (rest.is_empty() && in_range(&r) && in_range(&s)).then_some((r, s))
}

fn push_integer(out: &mut Vec<u8>, v: &[u8; 32]) {
    let start = v.iter().position(|&b| b != 0).unwrap_or(31);
    let pad = v[start] & 0x80 != 0;
    out.push(0x02);
    out.push(u8::try_from(32 - start + usize::from(pad)).unwrap_or(33));
    if pad {
        out.push(0);
    }
    out.extend_from_slice(&v[start..]);
}

pub(crate) fn encode(r: &[u8; 32], s: &[u8; 32]) -> Vec<u8> {
    let mut body = Vec::with_capacity(70);
    push_integer(&mut body, r);
    push_integer(&mut body, s);
    let mut out = Vec::with_capacity(body.len() + 2);
    out.push(0x30);
    out.push(u8::try_from(body.len()).unwrap_or(0));
    out.extend_from_slice(&body);
    out
}

/// n − s (s in 1..n−1).
fn negate(s: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(N[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = u8::try_from(d).unwrap_or(0);
    }
    out
}

/// True for strict DER with s ≤ n/2: the one encoding we accept on documents.
pub(crate) fn is_canonical(sig: &[u8]) -> bool {
    parse(sig).is_some_and(|(r, s)| s <= HALF_N && encode(&r, &s) == sig)
}

/// The canonical form of a valid signature (s → n − s when s is high, re-encoded minimally);
/// `None` when the input is not an ECDSA DER signature at all.
pub(crate) fn canonicalize(sig: &[u8]) -> Option<Vec<u8>> {
    let (r, s) = parse(sig)?;
    let s = if s > HALF_N { negate(&s) } else { s };
    Some(encode(&r, &s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negation_round_trips_and_flips_the_half() {
        let mut s = [0u8; 32];
        s[31] = 5;
        let high = negate(&s);
        assert!(high > HALF_N);
        assert_eq!(negate(&high), s);
        let sig = encode(&[1u8; 32], &high);
        assert!(!is_canonical(&sig));
        let low = canonicalize(&sig).expect("valid");
        assert!(is_canonical(&low));
        assert_eq!(parse(&low).map(|(_, s)| s), Some(s));
    }

    #[test]
    fn non_minimal_der_is_not_canonical() {
        let sig = encode(&[1u8; 32], &[2u8; 32]);
        assert!(is_canonical(&sig));
        // Redundant leading zero in r.
        let mut padded = vec![0x30, sig[1] + 1, 0x02, 33, 0];
        padded.extend_from_slice(&sig[4..]);
        assert!(parse(&padded).is_none());
        let mut trailing = sig.clone();
        trailing.push(0);
        assert!(!is_canonical(&trailing));
    }
}
