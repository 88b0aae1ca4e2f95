//! X.509 CRLs (RFC 5280 §5) in a document's DSS: the authority's revocation status, as the
//! signed trust bundle carries it, in the form outside validators read.

use chrono::{DateTime, Utc};
use der::{Decode, Encode};
use x509_cert::crl::CertificateList;

use crate::x509::{OID_ECDSA_SHA256, ParsedCert, verify_ecdsa_p256};

fn to_chrono(t: &x509_cert::time::Time) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp(i64::try_from(t.to_unix_duration().as_secs()).ok()?, 0)
}

/// True when one of `crls` is signed by a root among `roots` that issued `signer_der`, was
/// current at `at` (thisUpdate ≤ at ≤ nextUpdate) and does not list the signer's serial.
pub(crate) fn current_and_not_listing(
    crls: &[Vec<u8>],
    roots: &[Vec<u8>],
    signer_der: &[u8],
    at: DateTime<Utc>,
) -> bool {
    let Some(signer) = ParsedCert::parse(signer_der) else {
        return false;
    };
    let roots: Vec<ParsedCert> = roots.iter().filter_map(|r| ParsedCert::parse(r)).collect();
    crls.iter().filter_map(|c| CertificateList::from_der(c).ok()).any(|crl| {
        let tbs = &crl.tbs_cert_list;
        let Some(issuer) =
            roots.iter().find(|r| r.cert.tbs_certificate.subject == tbs.issuer && signer.is_signed_by(r))
        else {
            return false;
        };
        let signed = crl.signature_algorithm.oid == OID_ECDSA_SHA256
            && tbs
                .to_der()
                .ok()
                .zip(crl.signature.as_bytes())
                .is_some_and(|(m, s)| verify_ecdsa_p256(issuer.public_key(), &m, s));
        let current = to_chrono(&tbs.this_update).is_some_and(|t| t <= at)
            && tbs.next_update.as_ref().and_then(to_chrono).is_some_and(|t| at <= t);
        let listed = tbs
            .revoked_certificates
            .iter()
            .flatten()
            .any(|r| r.serial_number == signer.cert.tbs_certificate.serial_number);
        signed && current && !listed
    })
}
