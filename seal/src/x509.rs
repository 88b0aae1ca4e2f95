//! The few X.509 facts a seal verifier needs, read with `x509-cert` and checked with ring.

use chrono::{DateTime, Utc};
use der::{Decode, Encode};
use x509_cert::Certificate;

use crate::encoding::hex;

/// ecdsa-with-SHA256 (RFC 5758 §3.2).
pub(crate) const OID_ECDSA_SHA256: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// A parsed certificate plus the bits we use repeatedly.
pub(crate) struct ParsedCert {
    pub cert: Certificate,
}

impl ParsedCert {
    pub fn parse(der_bytes: &[u8]) -> Option<Self> {
        Certificate::from_der(der_bytes).ok().map(|cert| Self { cert })
    }

    /// Uncompressed EC point (or other raw key bytes) from SubjectPublicKeyInfo.
    pub fn public_key(&self) -> &[u8] {
        self.cert.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes()
    }

    pub fn serial_hex(&self) -> String {
        hex(self.cert.tbs_certificate.serial_number.as_bytes())
    }

    pub fn subject_der(&self) -> Option<Vec<u8>> {
        self.cert.tbs_certificate.subject.to_der().ok()
    }

    pub fn issuer_der(&self) -> Option<Vec<u8>> {
        self.cert.tbs_certificate.issuer.to_der().ok()
    }

    pub fn subject_string(&self) -> String {
        self.cert.tbs_certificate.subject.to_string()
    }

    pub fn not_before(&self) -> DateTime<Utc> {
        to_chrono(self.cert.tbs_certificate.validity.not_before.to_unix_duration())
    }

    pub fn not_after(&self) -> DateTime<Utc> {
        to_chrono(self.cert.tbs_certificate.validity.not_after.to_unix_duration())
    }

    /// True when `issuer` names this certificate's issuer and its key verifies the signature.
    pub fn is_signed_by(&self, issuer: &ParsedCert) -> bool {
        if self.issuer_der() != issuer.subject_der() {
            return false;
        }
        if self.cert.signature_algorithm.oid != OID_ECDSA_SHA256 {
            return false;
        }
        let Ok(tbs) = self.cert.tbs_certificate.to_der() else {
            return false;
        };
        let Some(sig) = self.cert.signature.as_bytes() else {
            return false;
        };
        verify_ecdsa_p256(issuer.public_key(), &tbs, sig)
    }
}

pub(crate) fn verify_ecdsa_p256(public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_ASN1, public_key)
        .verify(message, signature)
        .is_ok()
}

/// As [`verify_ecdsa_p256`], and only for the canonical (strict DER, low-S) encoding: document
/// signatures must have exactly one valid form.
pub(crate) fn verify_ecdsa_p256_canonical(public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    crate::ecdsa::is_canonical(signature) && verify_ecdsa_p256(public_key, message, signature)
}

fn to_chrono(d: std::time::Duration) -> DateTime<Utc> {
    let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}
