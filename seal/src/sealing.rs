//! Sealing: render the notice with the seal picture and QR, reserve a `/Sig` placeholder, fill
//! `/ByteRange`, hash, build CMS and write it into `/Contents` — all in one pass, no incremental
//! update needed.

use chrono::{DateTime, FixedOffset, Utc};
use ring::digest::{SHA256, digest};

use crate::cms::{self, SignatureInfo};
use crate::document::{
    BYTE_RANGE_PLACEHOLDER, DocumentSpec, PLACEHOLDER_BYTE, Rendered, SealMark, SigPlaceholder, render,
};
use crate::encoding::hex;
use crate::error::{Result, SealError};
use crate::font::CjkFont;
use crate::qr::PrintedFields;
use crate::seal::Seal;
use crate::signer::Signer;
use crate::tsa::TimeStamper;

/// A sealed notice plus what the seal usage log (用印登记) records.
#[derive(Clone, Debug)]
pub struct SealedDocument {
    pub pdf: Vec<u8>,
    /// Text encoded in the verification QR code.
    pub qr_payload: String,
    /// SHA-256 of the complete PDF file.
    pub file_sha256: [u8; 32],
    pub signature_info: SignatureInfo,
    /// `genTime` of the signature timestamp (PAdES B-T), when a TSA answered during sealing.
    pub signature_timestamp: Option<DateTime<Utc>>,
    /// Why sealing with a time-stamper produced a B-B document instead (TSA unreachable or
    /// refusing): the document is sealed all the same and gets a document timestamp later.
    pub timestamp_error: Option<String>,
}

/// Room in `/Contents` for a signature timestamp token (TSA certificate + root + TSTInfo +
/// signature ≈ 1.3 KB for P-256; reserved generously for longer TSA chains).
const TOKEN_RESERVE: usize = 6144;

fn pdf_date(t: DateTime<Utc>) -> String {
    let bj = FixedOffset::east_opt(8 * 3600).map(|o| t.with_timezone(&o));
    match bj {
        Some(b) => format!("D:{}+08'00'", b.format("%Y%m%d%H%M%S")),
        None => format!("D:{}Z", t.format("%Y%m%d%H%M%S")),
    }
}

/// Seal a notice: the signer's certificate must be authorised by the seal and the seal must be
/// within its validity window at `claimed_time`.
///
/// # Errors
/// `SealMismatch` (unauthorised signer, seal not valid at that time), `InvalidSpec`,
/// `MissingGlyph`, `Signing`, `Pdf`.
pub fn seal_document(
    spec: &DocumentSpec,
    seal: &Seal,
    signer: &dyn Signer,
    font: &CjkFont,
    claimed_time: DateTime<Utc>,
) -> Result<SealedDocument> {
    check_authorised(seal, signer, claimed_time)?;
    seal_document_unchecked(spec, seal, signer, font, claimed_time)
}

/// [`seal_document`] online: the signature gets an RFC 3161 signature timestamp from `stamper`
/// (PAdES B-T). The TSA never blocks the sealing: if it fails, the document is sealed B-B and
/// `timestamp_error` says why (a document timestamp is added later by sync).
///
/// # Errors
/// As [`seal_document`].
pub fn seal_document_timestamped(
    spec: &DocumentSpec,
    seal: &Seal,
    signer: &dyn Signer,
    font: &CjkFont,
    claimed_time: DateTime<Utc>,
    stamper: &dyn TimeStamper,
) -> Result<SealedDocument> {
    check_authorised(seal, signer, claimed_time)?;
    seal_inner(spec, seal, signer, font, claimed_time, Some(stamper))
}

fn check_authorised(seal: &Seal, signer: &dyn Signer, claimed_time: DateTime<Utc>) -> Result<()> {
    let leaf = signer.certificate_chain().first().ok_or_else(|| SealError::SealMismatch("签名者没有证书".into()))?;
    if !seal.authorises(leaf) {
        return Err(SealError::SealMismatch("签名证书不在该印章的授权证书列表中".into()));
    }
    let p = &seal.info().property;
    if claimed_time < p.valid_start || claimed_time > p.valid_end {
        return Err(SealError::SealMismatch(format!(
            "印章有效期为 {} 至 {}，不能在 {} 使用",
            p.valid_start, p.valid_end, claimed_time
        )));
    }
    Ok(())
}

/// [`seal_document`] without the authorisation/validity pre-checks. Exists so tests can forge
/// documents that the verifier must reject; never call it from application code.
///
/// # Errors
/// As [`seal_document`].
#[doc(hidden)]
pub fn seal_document_unchecked(
    spec: &DocumentSpec,
    seal: &Seal,
    signer: &dyn Signer,
    font: &CjkFont,
    claimed_time: DateTime<Utc>,
) -> Result<SealedDocument> {
    seal_inner(spec, seal, signer, font, claimed_time, None)
}

fn seal_inner(
    spec: &DocumentSpec,
    seal: &Seal,
    signer: &dyn Signer,
    font: &CjkFont,
    claimed_time: DateTime<Utc>,
    stamper: Option<&dyn TimeStamper>,
) -> Result<SealedDocument> {
    // /M and the QR carry whole seconds; keep every copy of the claimed time equal.
    let claimed_time = DateTime::<Utc>::from_timestamp(claimed_time.timestamp(), 0).unwrap_or(claimed_time);
    let spec_hash = spec.canonical_hash();
    let mut info = SignatureInfo {
        version: 1,
        seal_id: seal.id().to_string(),
        seal_sha256: hex(&seal.envelope_sha256()),
        doc_id: spec.doc_id.clone(),
        doc_type: spec.doc_type,
        case_number: spec.case_number.clone(),
        claimed_time,
        data_hash_algorithm: "SHA-256".into(),
        data_hash: hex(&[0u8; 32]),
        spec_hash: hex(&spec_hash),
        content_hash: hex(&[0u8; 32]),
        property_info: "/ByteRange".into(),
    };
    // Size the placeholder from a dry run (a P-256 DER signature is at most 72 bytes) plus slack
    // for longer signatures from other `Signer`s.
    let chain = signer.certificate_chain();
    let dry = cms::build(seal, chain, &[0u8; 32], &info, &|_| Ok(vec![0u8; 72]), None)?;
    let capacity = dry.len() + 512 + if stamper.is_some() { TOKEN_RESERVE } else { 0 };
    let p = &seal.info().property;
    let sig = SigPlaceholder {
        capacity,
        name: p.name.clone(),
        reason: format!("{}（{}）", p.seal_type.label(), spec.title_text()),
        location: p.department.clone(),
        signing_date: pdf_date(claimed_time),
    };
    let bound = std::cell::Cell::new([0u8; 32]);
    let make_qr = |content: &[u8; 32]| {
        bound.set(*content);
        crate::qr::make(signer, &spec.doc_id, seal.id(), claimed_time, &PrintedFields::of(spec, content))
    };
    let mark = SealMark { seal, qr: &make_qr };
    let Rendered { mut pdf, qr_payload } = render(spec, font, Some(&mark), Some(&sig))?;
    let qr_payload = qr_payload.ok_or_else(|| SealError::Pdf("验证码未生成".into()))?;
    info.content_hash = hex(&bound.get());

    let (gap_start, gap_end) = patch_byte_range(&mut pdf, capacity)?;
    let mut hasher = ring::digest::Context::new(&SHA256);
    hasher.update(&pdf[..gap_start]);
    hasher.update(&pdf[gap_end..]);
    let mut doc_digest = [0u8; 32];
    doc_digest.copy_from_slice(hasher.finish().as_ref());
    info.data_hash = hex(&doc_digest);

    let sign = |m: &[u8]| crate::signer::canonical(&signer.sign(m)?);
    let mut timestamp_error = None;
    let mut signature_timestamp = None;
    let cms_der = match stamper {
        None => cms::build(seal, chain, &doc_digest, &info, &sign, None)?,
        Some(st) => {
            let mut stamp = |sig: &[u8]| {
                let imprint = crate::tsa::sha256(sig);
                match st.timestamp(&imprint) {
                    Ok(token) => {
                        signature_timestamp = crate::tsa::token_gen_time(&token);
                        Some(token)
                    }
                    Err(e) => {
                        timestamp_error = Some(e.to_string());
                        None
                    }
                }
            };
            cms::build(seal, chain, &doc_digest, &info, &sign, Some(&mut stamp))?
        }
    };
    if cms_der.len() > capacity {
        return Err(SealError::Pdf(format!("签名数据 {} 字节超出预留空间 {} 字节", cms_der.len(), capacity)));
    }
    let hex_cms = hex(&cms_der).to_ascii_uppercase();
    pdf[gap_start + 1..gap_start + 1 + hex_cms.len()].copy_from_slice(hex_cms.as_bytes());
    for b in &mut pdf[gap_start + 1 + hex_cms.len()..gap_end - 1] {
        *b = b'0';
    }
    let mut file_sha256 = [0u8; 32];
    file_sha256.copy_from_slice(digest(&SHA256, &pdf).as_ref());
    Ok(SealedDocument { pdf, qr_payload, file_sha256, signature_info: info, signature_timestamp, timestamp_error })
}

/// The signature step alone: CMS SignedData (detached) over a /ByteRange SHA-256 `digest`,
/// signed attributes carrying `info`. Exposed for other containers (e.g. a future OFD writer)
/// and for the benchmark.
///
/// # Errors
/// `Certificate`, `Signing`.
pub fn cms_signature(signer: &dyn Signer, seal: &Seal, digest: &[u8; 32], info: &SignatureInfo) -> Result<Vec<u8>> {
    cms::build(seal, signer.certificate_chain(), digest, info, &|m| crate::signer::canonical(&signer.sign(m)?), None)
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Returns the `/Contents` gap `[start, end)` (including the angle brackets).
fn patch_byte_range(pdf: &mut [u8], capacity: usize) -> Result<(usize, usize)> {
    let err = || SealError::Pdf("签名占位符未找到".into());
    let placeholder = format!("[0 {p} {p} {p}]", p = BYTE_RANGE_PLACEHOLDER);
    let br = find_last(pdf, placeholder.as_bytes()).ok_or_else(err)?;
    let key = b"/Contents <";
    let rel = pdf[br..].windows(key.len()).position(|w| w == key).ok_or_else(err)?;
    let gap_start = br + rel + key.len() - 1;
    let gap_end = gap_start + 2 + capacity * 2;
    let ph = hex(&[PLACEHOLDER_BYTE]).to_ascii_uppercase();
    if pdf.get(gap_end - 1) != Some(&b'>')
        || !pdf[gap_start + 1..gap_end - 1].chunks(2).all(|c| c.eq_ignore_ascii_case(ph.as_bytes()))
    {
        return Err(err());
    }
    let range = format!("[0 {} {} {}]", gap_start, gap_end, pdf.len() - gap_end);
    if range.len() > placeholder.len() {
        return Err(SealError::Pdf("文件过大，ByteRange 无法写入".into()));
    }
    let padded = format!("{range:<width$}", width = placeholder.len());
    pdf[br..br + placeholder.len()].copy_from_slice(padded.as_bytes());
    Ok((gap_start, gap_end))
}
