//! The on-page verification QR code: what the paper says, signed by the seal key, checkable
//! offline with the trust bundle alone.
//!
//! Format (UTF-8, '|'-separated, no whitespace around fields):
//! `YC2|doc_id|seal_id|claimed unix s|case number|doc type|doc number|applicant (masked)|
//! applicant id (masked)|decision|date YYYY-MM-DD|b64url content hash|b64url signature`.
//! The signature (seal signer key, ECDSA P-256/SHA-256, canonical DER) covers the text before the
//! last '|'. A reader scanning the code sees the case, document, masked applicant, decision and
//! date and compares them with the paper; `verify_pdf` compares the content hash with the file's
//! own page content ([`crate::document`] defines it), so a genuine code pasted on another
//! document says "content differs".

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::document::{DocType, DocumentSpec};
use crate::encoding::{b64url, hex, unb64url};
use crate::error::{Result, SealError};
use crate::signer::Signer;

const PREFIX: &str = "YC2";
const SEP: char = '|';

/// What the paper shows, as the QR code carries it (applicant masked for privacy).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrintedFields {
    pub case_number: String,
    pub doc_type: DocType,
    pub doc_number: String,
    /// E.g. 张*三.
    pub applicant: String,
    /// E.g. 1101**********002X.
    pub applicant_id: String,
    /// E.g. 准予行政许可.
    pub decision: String,
    /// 成文日期.
    pub date: NaiveDate,
    /// Hex SHA-256 of the document's page content, see [`crate::document`] (`content_hash`).
    pub content_hash: String,
}

impl PrintedFields {
    /// The fields of `spec` with the content hash of its rendering.
    #[must_use]
    pub fn of(spec: &DocumentSpec, content_hash: &[u8; 32]) -> Self {
        Self {
            case_number: spec.case_number.clone(),
            doc_type: spec.doc_type,
            doc_number: spec.doc_number.clone(),
            applicant: mask_name(&spec.applicant_name),
            applicant_id: mask_id(&spec.applicant_id),
            decision: spec.doc_type.decision_text().to_owned(),
            date: spec.date,
            content_hash: hex(content_hash),
        }
    }
}

/// Mask a person's or organisation's name: first and last character kept (张三 → 张*, 张某三 → 张*三).
#[must_use]
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// Mask an ID number or credit code: first four and last four kept (1101**********002X).
#[must_use]
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    let n = chars.len();
    if n <= 8 {
        return "*".repeat(n.saturating_sub(2)) + &chars[n.saturating_sub(2)..].iter().collect::<String>();
    }
    format!(
        "{}{}{}",
        chars[..4].iter().collect::<String>(),
        "*".repeat(n - 8),
        chars[n - 4..].iter().collect::<String>()
    )
}

/// Decoded QR payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrPayload {
    pub doc_id: String,
    pub seal_id: String,
    pub claimed_time: DateTime<Utc>,
    pub fields: PrintedFields,
    pub signature: Vec<u8>,
    /// The exact signed text.
    pub signed_text: String,
}

/// A field must survive the '|' split and read back identically.
fn clean(what: &str, v: &str) -> Result<()> {
    if v.is_empty() || v.contains(SEP) || v.chars().any(char::is_control) || v.trim() != v {
        return Err(SealError::InvalidSpec(format!("{what}「{v}」不能为空，且不能含「|」、控制字符或首尾空白")));
    }
    Ok(())
}

fn signed_text(doc_id: &str, seal_id: &str, claimed: DateTime<Utc>, f: &PrintedFields) -> String {
    [
        PREFIX.to_owned(),
        doc_id.to_owned(),
        seal_id.to_owned(),
        claimed.timestamp().to_string(),
        f.case_number.clone(),
        f.doc_type.code().to_owned(),
        f.doc_number.clone(),
        f.applicant.clone(),
        f.applicant_id.clone(),
        f.decision.clone(),
        f.date.format("%Y-%m-%d").to_string(),
        unhex32(&f.content_hash).map_or_else(String::new, |h| b64url(&h)),
    ]
    .join("|")
}

fn unhex32(h: &str) -> Option<[u8; 32]> {
    if h.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(h.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

pub(crate) fn make(
    signer: &dyn Signer,
    doc_id: &str,
    seal_id: &str,
    claimed: DateTime<Utc>,
    fields: &PrintedFields,
) -> Result<String> {
    for (what, v) in [
        ("文书编号", doc_id),
        ("印章编号", seal_id),
        ("办件编号", fields.case_number.as_str()),
        ("文号", fields.doc_number.as_str()),
        ("申请人", fields.applicant.as_str()),
        ("申请人证件号", fields.applicant_id.as_str()),
    ] {
        clean(what, v)?;
    }
    let text = signed_text(doc_id, seal_id, claimed, fields);
    let sig = crate::signer::canonical(&signer.sign(text.as_bytes())?)?;
    Ok(format!("{text}{SEP}{}", b64url(&sig)))
}

impl QrPayload {
    /// Parse without verifying; `None` if the text is not a YC2 payload in its one canonical
    /// form (no trimming: a trailing space or newline is a second text for the same document).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let (signed, sig) = text.rsplit_once(SEP)?;
        let p: Vec<&str> = signed.split(SEP).collect();
        let [
            prefix,
            doc_id,
            seal_id,
            secs,
            case_number,
            doc_type,
            doc_number,
            applicant,
            applicant_id,
            decision,
            date,
            hash,
        ] = p.as_slice()
        else {
            return None;
        };
        if *prefix != PREFIX {
            return None;
        }
        let claimed_time = DateTime::<Utc>::from_timestamp(secs.parse().ok()?, 0)?;
        let hash: [u8; 32] = unb64url(hash)?.try_into().ok()?;
        let fields = PrintedFields {
            case_number: (*case_number).to_owned(),
            doc_type: DocType::from_code(doc_type)?,
            doc_number: (*doc_number).to_owned(),
            applicant: (*applicant).to_owned(),
            applicant_id: (*applicant_id).to_owned(),
            decision: (*decision).to_owned(),
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?,
            content_hash: hex(&hash),
        };
        let signature = unb64url(sig)?;
        // One document, one valid text: re-encode every field and the signature and compare.
        if signed_text(doc_id, seal_id, claimed_time, &fields) != signed
            || b64url(&signature) != sig
            || !crate::ecdsa::is_canonical(&signature)
        {
            return None;
        }
        Some(Self {
            doc_id: (*doc_id).to_owned(),
            seal_id: (*seal_id).to_owned(),
            claimed_time,
            fields,
            signature,
            signed_text: signed.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_name("张某三"), "张*三");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("杭州某某餐饮有限公司"), "杭********司");
        assert_eq!(mask_id("11010119900307002X"), "1101**********002X");
        assert_eq!(mask_id("91330100MA2XXXXX1K"), "9133**********XX1K");
    }
}
