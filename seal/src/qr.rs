//! The on-page verification QR code: a compact payload signed by the seal key, checkable offline
//! with the trust bundle alone.
//!
//! Format (ASCII, '.'-separated):
//! `YC1.<b64url doc_id>.<b64url seal_id>.<claimed unix seconds>.<b64url spec hash>.<b64url sig>`
//! The signature (seal signer key, ECDSA P-256/SHA-256, DER) covers the text before the last '.'.
//! The spec hash is [`crate::DocumentSpec::canonical_hash`], not a hash of the PDF bytes: the QR
//! is drawn before the PDF signature exists.

use chrono::{DateTime, Utc};

use crate::encoding::{b64url, unb64url};
use crate::error::Result;
use crate::signer::Signer;

const PREFIX: &str = "YC1";

/// Decoded QR payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrPayload {
    pub doc_id: String,
    pub seal_id: String,
    pub claimed_time: DateTime<Utc>,
    pub spec_hash: [u8; 32],
    pub signature: Vec<u8>,
    /// The exact signed text.
    pub signed_text: String,
}

fn signed_text(doc_id: &str, seal_id: &str, claimed: DateTime<Utc>, spec_hash: &[u8; 32]) -> String {
    format!(
        "{PREFIX}.{}.{}.{}.{}",
        b64url(doc_id.as_bytes()),
        b64url(seal_id.as_bytes()),
        claimed.timestamp(),
        b64url(spec_hash)
    )
}

pub(crate) fn make(
    signer: &dyn Signer,
    doc_id: &str,
    seal_id: &str,
    claimed: DateTime<Utc>,
    spec_hash: &[u8; 32],
) -> Result<String> {
    let text = signed_text(doc_id, seal_id, claimed, spec_hash);
    let sig = crate::signer::canonical(&signer.sign(text.as_bytes())?)?;
    Ok(format!("{text}.{}", b64url(&sig)))
}

impl QrPayload {
    /// Parse without verifying; `None` if the text is not a YC1 payload.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        // No trimming: a trailing space or newline is a second text for the same document.
        let (signed, sig) = text.rsplit_once('.')?;
        let mut parts = signed.split('.');
        if parts.next()? != PREFIX {
            return None;
        }
        let doc_id = String::from_utf8(unb64url(parts.next()?)?).ok()?;
        let seal_id = String::from_utf8(unb64url(parts.next()?)?).ok()?;
        let secs: i64 = parts.next()?.parse().ok()?;
        let claimed_time = DateTime::<Utc>::from_timestamp(secs, 0)?;
        let hash = unb64url(parts.next()?)?;
        if parts.next().is_some() {
            return None;
        }
        let spec_hash: [u8; 32] = hash.try_into().ok()?;
        let signature = unb64url(sig)?;
        if crate::encoding::b64url(&signature) != sig || !crate::ecdsa::is_canonical(&signature) {
            return None;
        }
        // Reject non-canonical encodings so one document has exactly one valid payload text.
        if signed_text(&doc_id, &seal_id, claimed_time, &spec_hash) != signed {
            return None;
        }
        Some(Self { doc_id, seal_id, claimed_time, spec_hash, signature, signed_text: signed.to_string() })
    }
}
