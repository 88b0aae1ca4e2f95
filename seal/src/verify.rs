//! Offline verification, three-valued as EU DSS (ETSI EN 319 102-1): VALID, INVALID,
//! INDETERMINATE. The same inputs give the same answer online or offline: nothing is fetched.
//!
//! Time policy (documented in docs/seal.md): without a timestamp the signing time is only
//! *claimed*. A claim after revocation or outside the validity window condemns the signature
//! (INVALID — the signer's own statement shows it was made when the seal was void). A claim that
//! is the only thing making the signature acceptable — the seal/cert was revoked or expired
//! *since* — gives INDETERMINATE/ClaimedTimeOnly, because backdating is trivial offline. A fresh
//! signature whose seal and cert are still in force now is VALID with a ClaimedTimeOnly note
//! (DSS: best-signature-time = validation time).

use chrono::{DateTime, Duration, Utc};
use ring::digest::{Context, SHA256};
use serde::Serialize;

use crate::cms::{self, SignatureInfo};
use crate::encoding::hex;
use crate::qr::{PrintedFields, QrPayload};
use crate::seal::{MakerCheck, Seal};
use crate::trust::{SealStatus, TrustBundle};
use crate::x509::ParsedCert;

/// Tolerated clock skew for a claimed time that lies in the future.
const CLOCK_SKEW: Duration = Duration::minutes(5);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Verdict {
    Valid,
    Invalid,
    Indeterminate,
}

/// Why the verdict is not (plainly) VALID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Reason {
    /// The document bytes do not match the signed digest (or the QR does not match the spec).
    HashMismatch,
    /// The signature value does not verify under the signer certificate.
    BadSignature,
    /// The signer certificate is not in the seal's authorised list.
    SignerNotBoundToSeal,
    /// The seal maker's signature on the seal is wrong (forged or altered seal).
    SealForged,
    /// The seal was revoked at or before the claimed signing time.
    SealRevokedBeforeSigning,
    /// The signer certificate was revoked at or before the claimed signing time.
    CertificateRevokedBeforeSigning,
    /// The claimed time lies outside the seal's validity window.
    SealOutsideValidity,
    /// The claimed time lies outside the signer certificate's validity.
    CertificateOutsideValidity,
    /// Seal maker or certificate does not chain to a root in the trust bundle.
    NoChainToTrustedRoot,
    /// The seal is not in the bundle's seal status list.
    SealUnknown,
    /// The trust bundle is past `next_update`: revocations may be missing.
    TrustBundleStale,
    /// The verdict depends on a claimed (untimestamped) signing time.
    ClaimedTimeOnly,
    /// Bytes outside the signed /ByteRange (e.g. an appended incremental update).
    ContentAfterSignature,
    /// No seal signature found.
    NoSignature,
    /// The verification QR on the document was made for other content (a genuine code pasted
    /// onto another paper), or the file's QR cannot be read.
    ContentMismatch,
    /// A timestamp in the document is false (wrong imprint, altered, bad TSA signature).
    TimestampInvalid,
    /// Structure cannot be parsed.
    Malformed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub passed: bool,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub verdict: Verdict,
    /// `None` when VALID.
    pub reason: Option<Reason>,
    pub checks: Vec<Check>,
    pub seal_id: Option<String>,
    pub doc_id: Option<String>,
    pub claimed_time: Option<DateTime<Utc>>,
    /// Hex canonical spec hash the signature vouches for (compare with the case record).
    pub spec_hash: Option<String>,
    /// What the verification QR says is printed: the reader compares it with the paper.
    pub printed: Option<PrintedFields>,
}

#[derive(Default)]
struct Assess {
    checks: Vec<Check>,
    invalid: Option<Reason>,
    indeterminate: Option<Reason>,
    seal_id: Option<String>,
    doc_id: Option<String>,
    claimed_time: Option<DateTime<Utc>>,
    spec_hash: Option<String>,
    printed: Option<PrintedFields>,
}

impl Assess {
    fn pass(&mut self, name: &'static str, detail: impl Into<String>) {
        self.checks.push(Check { name, passed: true, detail: detail.into() });
    }
    fn invalid(&mut self, name: &'static str, reason: Reason, detail: impl Into<String>) {
        self.checks.push(Check { name, passed: false, detail: detail.into() });
        self.invalid.get_or_insert(reason);
    }
    fn indeterminate(&mut self, name: &'static str, reason: Reason, detail: impl Into<String>) {
        self.checks.push(Check { name, passed: false, detail: detail.into() });
        self.indeterminate.get_or_insert(reason);
    }
    fn check(&mut self, ok: bool, name: &'static str, fail: Reason, ok_detail: &str, fail_detail: &str) {
        if ok {
            self.pass(name, ok_detail);
        } else {
            self.invalid(name, fail, fail_detail);
        }
    }
    fn finish(self) -> Verification {
        let (verdict, reason) = match (self.invalid, self.indeterminate) {
            (Some(r), _) => (Verdict::Invalid, Some(r)),
            (None, Some(r)) => (Verdict::Indeterminate, Some(r)),
            (None, None) => (Verdict::Valid, None),
        };
        Verification {
            verdict,
            reason,
            checks: self.checks,
            seal_id: self.seal_id,
            doc_id: self.doc_id,
            claimed_time: self.claimed_time,
            spec_hash: self.spec_hash,
            printed: self.printed,
        }
    }
}

fn malformed(detail: impl Into<String>) -> Verification {
    let mut a = Assess::default();
    a.invalid("structure", Reason::Malformed, detail);
    a.finish()
}

/// A proof of existence of the signature (PAdES B-T): the verified `genTime` of a signature
/// timestamp or of a document timestamp covering it.
#[derive(Clone, Debug)]
struct Proof {
    time: DateTime<Utc>,
    /// What proves it (for the check's detail).
    by: String,
    /// A CRL from a bundle root in the document's DSS (B-LT) was current at `time` and does
    /// not list the signer certificate.
    crl_current: bool,
}

/// Checks shared by PDF and QR: seal status and windows, certificate chain, revocation, bundle
/// freshness. `seal` must already be authenticated (maker signature or taken from the bundle).
/// With a `proof`, the signature is known to exist at `proof.time`: what happens to the seal or
/// certificate afterwards (expiry, revocation, a stale bundle) no longer matters.
fn assess_seal_and_signer(
    a: &mut Assess,
    seal: &Seal,
    signer_der: &[u8],
    claimed: DateTime<Utc>,
    bundle: &TrustBundle,
    now: DateTime<Utc>,
    proof: Option<&Proof>,
) {
    a.check(
        seal.authorises(signer_der),
        "signer_bound_to_seal",
        Reason::SignerNotBoundToSeal,
        "签名证书在印章授权列表中",
        "签名证书不在印章授权列表中",
    );
    let Some(signer) = ParsedCert::parse(signer_der) else {
        a.invalid("signer_certificate", Reason::Malformed, "签名证书无法解析");
        return;
    };
    let roots: Vec<ParsedCert> = bundle.roots().iter().filter_map(|r| ParsedCert::parse(r)).collect();
    if roots.iter().any(|r| signer.is_signed_by(r)) {
        a.pass("certificate_chain", format!("证书链至受信任根：{}", signer.subject_string()));
    } else {
        a.indeterminate("certificate_chain", Reason::NoChainToTrustedRoot, "签名证书不能链接到信任包中的根证书");
    }

    if claimed > now + CLOCK_SKEW {
        a.indeterminate("claimed_time", Reason::ClaimedTimeOnly, format!("声称的签章时间 {claimed} 晚于当前时间"));
    }
    let proven_before = |t: DateTime<Utc>| proof.is_some_and(|p| p.time <= t);
    if let Some(p) = proof
        && claimed > p.time + CLOCK_SKEW
    {
        a.invalid(
            "claimed_time",
            Reason::Malformed,
            format!("声称的签章时间 {claimed} 晚于时间戳时间 {}，时间不一致", p.time),
        );
    }

    let p = &seal.info().property;
    if claimed < p.valid_start || claimed > p.valid_end {
        a.invalid(
            "seal_validity",
            Reason::SealOutsideValidity,
            format!("签章时间 {claimed} 不在印章有效期 {} 至 {} 内", p.valid_start, p.valid_end),
        );
    } else if now > p.valid_end && proven_before(p.valid_end) {
        a.pass("seal_validity", format!("印章已于 {} 到期；时间戳证明签章早于到期", p.valid_end));
    } else if now > p.valid_end {
        a.indeterminate(
            "seal_validity",
            Reason::ClaimedTimeOnly,
            format!("印章已于 {} 到期；签章时间仅为声称时间，无时间戳证明早于到期", p.valid_end),
        );
    } else {
        a.pass("seal_validity", "签章时间在印章有效期内");
    }
    if claimed < signer.not_before() || claimed > signer.not_after() {
        a.invalid(
            "certificate_validity",
            Reason::CertificateOutsideValidity,
            format!("签章时间不在证书有效期 {} 至 {} 内", signer.not_before(), signer.not_after()),
        );
    } else if now > signer.not_after() && proven_before(signer.not_after()) {
        a.pass("certificate_validity", format!("证书已于 {} 到期；时间戳证明签章早于到期", signer.not_after()));
    } else if now > signer.not_after() {
        a.indeterminate("certificate_validity", Reason::ClaimedTimeOnly, "证书已到期；签章时间仅为声称时间");
    } else {
        a.pass("certificate_validity", "签章时间在证书有效期内");
    }

    match bundle.seal_entry(seal.id()) {
        None => a.indeterminate("seal_status", Reason::SealUnknown, "信任包的印章状态列表中没有该印章"),
        Some(entry) => match &entry.status {
            SealStatus::Active => a.pass("seal_status", "印章状态正常"),
            SealStatus::Revoked { at, reason } if claimed >= *at => {
                a.invalid(
                    "seal_status",
                    Reason::SealRevokedBeforeSigning,
                    format!("印章已于 {at} 作废（{reason}），签章时间 {claimed} 在其后"),
                );
            }
            SealStatus::Revoked { at, reason } if proof.is_some_and(|p| p.time < *at) => {
                a.pass("seal_status", format!("印章已于 {at} 作废（{reason}）；时间戳证明签章早于作废"));
            }
            SealStatus::Revoked { at, reason } => a.indeterminate(
                "seal_status",
                Reason::ClaimedTimeOnly,
                format!("印章已于 {at} 作废（{reason}）；声称的签章时间早于作废，但无时间戳证明"),
            ),
        },
    }
    match bundle.certificate_revocation(&signer.serial_hex()) {
        None => a.pass("certificate_revocation", "证书未被吊销"),
        Some(r) if claimed >= r.revoked_at => {
            a.invalid(
                "certificate_revocation",
                Reason::CertificateRevokedBeforeSigning,
                format!("证书已于 {} 吊销（{}）", r.revoked_at, r.reason),
            );
        }
        Some(r) if proof.is_some_and(|p| p.time < r.revoked_at) => {
            a.pass("certificate_revocation", format!("证书已于 {} 吊销；时间戳证明签章早于吊销", r.revoked_at));
        }
        Some(r) => a.indeterminate(
            "certificate_revocation",
            Reason::ClaimedTimeOnly,
            format!("证书已于 {} 吊销；签章时间早于吊销仅为声称", r.revoked_at),
        ),
    }

    let c = bundle.content();
    // Issued after the proven time (so it lists any earlier revocation) or current at it.
    let bundle_current_at = |t: DateTime<Utc>| t <= c.next_update;
    if !bundle.is_stale(now) {
        a.pass("trust_bundle_fresh", format!("信任包版本 {}，有效至 {}", bundle.version(), c.next_update));
    } else if let Some(p) = proof.filter(|p| bundle_current_at(p.time)) {
        a.pass(
            "trust_bundle_fresh",
            format!(
                "信任包版本 {}（{} 至 {}）涵盖时间戳时间 {}",
                bundle.version(),
                c.this_update,
                c.next_update,
                p.time
            ),
        );
    } else if let Some(p) = proof.filter(|p| p.crl_current) {
        a.pass("trust_bundle_fresh", format!("文件内的吊销列表（DSS）在时间戳时间 {} 有效，且未列出签名证书", p.time));
    } else {
        a.indeterminate(
            "trust_bundle_fresh",
            Reason::TrustBundleStale,
            format!("信任包已过下次更新时间 {}（版本 {}），作废信息可能缺失", c.next_update, bundle.version()),
        );
    }
    match proof {
        Some(p) => a.pass("timestamp", format!("签章时间由时间戳证明：不晚于 {}（{}）", p.time, p.by)),
        None => a.pass("timestamp", "无时间戳：签章时间为签章方声称的时间（ClaimedTimeOnly）"),
    }
}

struct SigDict {
    byte_range: [usize; 4],
    contents_hex: (usize, usize),
    /// A `/DocTimeStamp` (checked as part of the update after the seal signature).
    doc_timestamp: bool,
}

fn parse_usize(s: &[u8]) -> Option<usize> {
    if s.is_empty() || s.len() > 12 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// Find every `/ByteRange [a b c d]` and the `/Contents <…>` that follows it in the same dictionary.
fn find_signatures(pdf: &[u8]) -> Vec<Result<SigDict, String>> {
    const KEY: &[u8] = b"/ByteRange";
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = pdf.get(from..).and_then(|h| h.windows(KEY.len()).position(|w| w == KEY)) {
        let at = from + rel;
        from = at + KEY.len();
        out.push(parse_sig_dict(pdf, from));
    }
    out
}

fn parse_sig_dict(pdf: &[u8], after_key: usize) -> Result<SigDict, String> {
    let rest = pdf.get(after_key..).ok_or("ByteRange 越界")?;
    let open = rest
        .iter()
        .position(|&b| b == b'[')
        .filter(|&p| rest[..p].iter().all(u8::is_ascii_whitespace))
        .ok_or("ByteRange 不是数组")?;
    let close = rest[open..].iter().position(|&b| b == b']').ok_or("ByteRange 数组未闭合")? + open;
    let nums: Vec<usize> = rest[open + 1..close]
        .split(u8::is_ascii_whitespace)
        .filter(|t| !t.is_empty())
        .map(parse_usize)
        .collect::<Option<_>>()
        .ok_or("ByteRange 含非整数")?;
    let byte_range: [usize; 4] = nums.try_into().map_err(|_| "ByteRange 不是 4 个整数".to_string())?;
    let gap_start = byte_range[1];
    let gap_end = byte_range[2];
    if byte_range[0] != 0 || gap_end <= gap_start + 1 || gap_end > pdf.len() {
        return Err("ByteRange 数值不合理".into());
    }
    // The gap must be exactly the hex string value of /Contents (no shadowed bytes elsewhere).
    if pdf[gap_start] != b'<' || pdf[gap_end - 1] != b'>' {
        return Err("ByteRange 未准确排除 /Contents 十六进制串".into());
    }
    let before = pdf[..gap_start].trim_ascii_end();
    if !before.ends_with(b"/Contents") {
        return Err("ByteRange 排除的区域不是 /Contents 值".into());
    }
    // The dictionary's own object: from its `obj` keyword to this /ByteRange.
    let obj_start = pdf[..after_key].windows(4).rposition(|w| w == b"obj\n").unwrap_or(0);
    let doc_timestamp = pdf[obj_start..after_key].windows(13).any(|w| w == b"/DocTimeStamp");
    Ok(SigDict { byte_range, contents_hex: (gap_start + 1, gap_end - 1), doc_timestamp })
}

fn unhex(s: &[u8]) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.chunks(2)
        .map(|c| {
            let h = (c[0] as char).to_digit(16)?;
            let l = (c[1] as char).to_digit(16)?;
            u8::try_from(h * 16 + l).ok()
        })
        .collect()
}

/// Verify a sealed PDF against a trust bundle at time `now`.
#[must_use]
pub fn verify_pdf(pdf: &[u8], bundle: &TrustBundle, now: DateTime<Utc>) -> Verification {
    // Document timestamps are verified with the update that carries them (`verify_one`).
    let sigs: Vec<_> =
        find_signatures(pdf).into_iter().filter(|s| !s.as_ref().is_ok_and(|d| d.doc_timestamp)).collect();
    if sigs.is_empty() {
        let mut a = Assess::default();
        a.invalid("signature_present", Reason::NoSignature, "文件中没有电子印章签名（未盖章的文书无效）");
        let mut v = a.finish();
        if crate::pdfscan::page_content(pdf).is_ok_and(|p| p.qr_payload.is_some()) {
            check_embedded_qr(pdf, bundle, now, &mut v, None);
        }
        return v;
    }
    // Every signature dictionary must verify; the worst result wins (an attacker's appended
    // second signature cannot launder the first).
    let mut results: Vec<(Verification, Option<Signed>)> = sigs
        .into_iter()
        .map(|s| match s {
            Ok(d) => verify_one(pdf, &d, bundle, now),
            Err(e) => (malformed(e), None),
        })
        .collect();
    let rank = |v: &Verification| match v.verdict {
        Verdict::Invalid => 2,
        Verdict::Indeterminate => 1,
        Verdict::Valid => 0,
    };
    results.sort_by_key(|(v, _)| std::cmp::Reverse(rank(v)));
    let (mut v, signed) = results.swap_remove(0);
    check_embedded_qr(pdf, bundle, now, &mut v, signed.as_ref());
    v
}

fn worsen(v: &mut Verification, verdict: Verdict, reason: Reason) {
    let rank = |v: Verdict| match v {
        Verdict::Invalid => 2,
        Verdict::Indeterminate => 1,
        Verdict::Valid => 0,
    };
    if rank(verdict) > rank(v.verdict) {
        v.verdict = verdict;
        v.reason = Some(reason);
    }
}

/// The QR printed on the file must be genuine and made for this file's content: a genuine code
/// pasted onto another paper gives INVALID / ContentMismatch.
/// `signer`: the PDF signature's certificate, already assessed above; the code must be signed by
/// it. Without a PDF signature the code is verified on its own against the bundle.
fn check_embedded_qr(
    pdf: &[u8],
    bundle: &TrustBundle,
    now: DateTime<Utc>,
    v: &mut Verification,
    signed: Option<&Signed>,
) {
    let signer = signed.map(|s| s.signer_cert.as_slice());
    // The page content is read from the sealed revision (a later DSS/timestamp update does not
    // touch the pages).
    let pdf = signed.map_or(pdf, |s| &pdf[..s.revision_end.min(pdf.len())]);
    let fail = |v: &mut Verification, name: &'static str, detail: String| {
        v.checks.push(Check { name, passed: false, detail });
        // On an unsigned paper, "the content differs" says more than "no signature".
        if v.verdict != Verdict::Invalid || v.reason == Some(Reason::NoSignature) {
            v.verdict = Verdict::Invalid;
            v.reason = Some(Reason::ContentMismatch);
        }
    };
    let page = match crate::pdfscan::page_content(pdf) {
        Ok(p) => p,
        Err(e) => return fail(v, "qr_content", format!("无法从文件读出验证码与页面内容：{e}")),
    };
    let actual = hex(&crate::document::content_hash(&page.bodies.iter().map(Vec::as_slice).collect::<Vec<_>>()));
    // The signature itself names the content hash (new documents): check it directly.
    if let Some(s) = signed.filter(|s| !s.content_hash.is_empty()) {
        if s.content_hash == actual {
            v.checks.push(Check {
                name: "content_hash",
                passed: true,
                detail: "页面内容与签名中的内容摘要一致".into(),
            });
        } else {
            fail(v, "content_hash", "页面内容与签名中的内容摘要不一致".into());
        }
    }
    let legacy = signed.is_some_and(|s| s.content_hash.is_empty());
    let Some(payload) = page.qr_payload.as_deref() else {
        if legacy {
            // Sealed before the QR bound the content (YC1): the signature alone decides.
            v.checks.push(Check {
                name: "qr_content",
                passed: true,
                detail: "旧版文书：验证码未绑定页面内容，以签名为准".into(),
            });
            return;
        }
        return fail(v, "qr_content", "文件中没有一窗验证码（或验证码图形与其内容不符）".into());
    };
    let q = match (signer, QrPayload::parse(payload)) {
        (Some(cert), Some(parsed)) => {
            let ok = ParsedCert::parse(cert).is_some_and(|c| {
                crate::x509::verify_ecdsa_p256_canonical(
                    c.public_key(),
                    parsed.signed_text.as_bytes(),
                    &parsed.signature,
                )
            });
            Verification {
                verdict: if ok { Verdict::Valid } else { Verdict::Invalid },
                reason: (!ok).then_some(Reason::BadSignature),
                checks: vec![],
                seal_id: Some(parsed.seal_id.clone()),
                doc_id: Some(parsed.doc_id.clone()),
                claimed_time: Some(parsed.claimed_time),
                spec_hash: None,
                printed: Some(parsed.fields),
            }
        }
        _ => verify_qr(payload, bundle, now),
    };
    if q.verdict == Verdict::Valid {
        v.checks.push(Check { name: "qr_signature", passed: true, detail: "验证码签名有效".into() });
    } else {
        let reason = q.reason.unwrap_or(Reason::Malformed);
        v.checks.push(Check {
            name: "qr_signature",
            passed: false,
            detail: format!("验证码本身未通过验证：{reason:?}"),
        });
        worsen(v, q.verdict, reason);
    }
    let printed = q.printed.clone();
    v.printed.clone_from(&printed);
    match printed {
        Some(p) if p.content_hash == actual => {
            v.checks.push(Check {
                name: "qr_content", passed: true, detail: "验证码与本文书页面内容一致".into()
            });
        }
        Some(p) => fail(
            v,
            "qr_content",
            format!(
                "内容不符：验证码是为另一份文书（{} {} {}）签发的，与本文件页面内容不一致",
                p.case_number, p.doc_number, p.decision
            ),
        ),
        None => fail(v, "qr_content", "验证码无法解析".into()),
    }
    if v.doc_id.is_some() && (v.doc_id != q.doc_id || v.seal_id != q.seal_id) {
        fail(v, "qr_matches_signature", "验证码与文件签名中的文书编号或印章不一致".into());
    }
}

/// What the QR check needs from a parsed PDF signature.
struct Signed {
    signer_cert: Vec<u8>,
    /// End of the revision the seal signature covers.
    revision_end: usize,
    /// `SignatureInfo.content_hash`; empty for documents sealed before it existed.
    content_hash: String,
}

fn verify_one(pdf: &[u8], d: &SigDict, bundle: &TrustBundle, now: DateTime<Utc>) -> (Verification, Option<Signed>) {
    let mut a = Assess::default();
    let [_, gap_start, gap_end, tail_len] = d.byte_range;
    let signed_end = gap_end.saturating_add(tail_len).min(pdf.len());
    let mut update = None;
    if gap_end.checked_add(tail_len) == Some(pdf.len()) {
        a.pass("byte_range_covers_file", "签名覆盖整个文件");
    } else if let Some(u) = (signed_end == gap_end.saturating_add(tail_len))
        .then(|| crate::ltv::read_update(pdf, signed_end).ok())
        .flatten()
    {
        a.pass(
            "byte_range_covers_file",
            "签名覆盖签章时的整个文件；其后只追加了时间戳或长期验证数据（DSS），未改动已签内容",
        );
        update = Some(u);
    } else {
        a.invalid(
            "byte_range_covers_file",
            Reason::ContentAfterSignature,
            format!(
                "签名只覆盖到第 {} 字节，文件共 {} 字节：签章后有追加修改",
                gap_end.saturating_add(tail_len),
                pdf.len()
            ),
        );
    }
    let Some(der) = unhex(&pdf[d.contents_hex.0..d.contents_hex.1]) else {
        a.invalid("cms", Reason::Malformed, "/Contents 不是十六进制串");
        return (a.finish(), None);
    };
    let parsed = match cms::parse(&der) {
        Ok(p) => p,
        Err(e) => {
            a.invalid("cms", Reason::Malformed, e);
            return (a.finish(), None);
        }
    };
    // Padding after the DER is outside the signature: insist it is zeros so the file has one
    // valid form (no hidden payload in a "valid" document).
    if der[parsed.der_len..].iter().all(|&b| b == 0) {
        a.pass("cms", "CMS SignedData 结构完整");
    } else {
        a.invalid("cms", Reason::Malformed, "/Contents 填充区含非零数据");
    }
    let info: &SignatureInfo = &parsed.info;
    a.seal_id = Some(info.seal_id.clone());
    a.doc_id = Some(info.doc_id.clone());
    a.claimed_time = Some(info.claimed_time);
    a.spec_hash = Some(info.spec_hash.clone());

    let mut ctx = Context::new(&SHA256);
    ctx.update(&pdf[..gap_start]);
    ctx.update(&pdf[gap_end..signed_end]);
    let digest = ctx.finish();
    let digest_ok = parsed.message_digest == digest.as_ref() && info.data_hash == hex(digest.as_ref());
    a.check(
        digest_ok,
        "document_hash",
        Reason::HashMismatch,
        "文件摘要与签名一致",
        "文件内容已被改动：摘要与签名不一致",
    );

    let signer = ParsedCert::parse(&parsed.signer_cert);
    let sig_ok = signer
        .as_ref()
        .is_some_and(|c| crate::x509::verify_ecdsa_p256(c.public_key(), &parsed.signed_attrs_der, &parsed.signature));
    if !crate::ecdsa::is_canonical(&parsed.signature) {
        // s → n − s (or a re-encoded DER) still verifies mathematically but is not what we sign.
        a.invalid("signature_value", Reason::BadSignature, "签名值不是规范编码（须为严格 DER 且 s ≤ n/2），可能被篡改");
    } else {
        a.check(sig_ok, "signature_value", Reason::BadSignature, "签名值验证通过", "签名值验证失败");
    }

    match parsed.signing_time {
        // PAdES B-B: no signingTime; the signer certificate is bound by signing-certificate-v2.
        None => {
            let leaf_hash = ring::digest::digest(&SHA256, &parsed.signer_cert);
            match &parsed.signing_cert_hash {
                Some(h) if h.as_slice() == leaf_hash.as_ref() => {
                    a.pass("signing_certificate", "signing-certificate-v2 与签名证书一致（PAdES B-B）");
                }
                Some(_) => a.invalid(
                    "signing_certificate",
                    Reason::SignerNotBoundToSeal,
                    "signing-certificate-v2 所指证书与签名证书不符（证书被替换）",
                ),
                None => a.invalid("signing_certificate", Reason::Malformed, "缺少 signing-certificate-v2 签名属性"),
            }
        }
        // Sealed before PAdES (adbe.pkcs7.detached): signingTime must repeat the claimed time.
        Some(t) => a.check(
            t == info.claimed_time,
            "signing_time_consistent",
            Reason::Malformed,
            "signingTime 与签章信息一致",
            "signingTime 与签章信息中的时间不一致",
        ),
    }

    let seal = &parsed.seal;
    let seal_bound = seal.id() == info.seal_id && hex(&seal.envelope_sha256()) == info.seal_sha256;
    a.check(
        seal_bound,
        "seal_bound_to_signature",
        Reason::HashMismatch,
        "印章数据与签名中的印章摘要一致",
        "印章数据与签名中的印章摘要不符（印章被替换）",
    );
    match seal.check_maker(bundle.roots()) {
        MakerCheck::Valid => a.pass("seal_maker", "印章由受信任的制作机构签发"),
        MakerCheck::BadSignature => a.invalid("seal_maker", Reason::SealForged, "印章数据被篡改：制作机构签名不符"),
        MakerCheck::UnknownMaker => {
            a.indeterminate("seal_maker", Reason::NoChainToTrustedRoot, "印章制作机构不在信任包中")
        }
    }
    let proof = timestamp_proof(&mut a, &parsed, update.as_ref(), bundle);
    assess_seal_and_signer(&mut a, seal, &parsed.signer_cert, info.claimed_time, bundle, now, proof.as_ref());
    let content_hash = parsed.info.content_hash.clone();
    (a.finish(), Some(Signed { signer_cert: parsed.signer_cert, revision_end: signed_end, content_hash }))
}

/// The earliest verified proof that the signature existed: its signature timestamp (B-T at
/// sealing) or else the document timestamp added later by sync. A false token is INVALID; a
/// token from a TSA the bundle does not trust proves nothing (INDETERMINATE).
fn timestamp_proof(
    a: &mut Assess,
    parsed: &cms::ParsedCms,
    update: Option<&crate::ltv::Update>,
    bundle: &TrustBundle,
) -> Option<Proof> {
    use crate::tsa::{TokenError, verify_token};
    let mut found = None;
    if let Some(token) = &parsed.signature_timestamp {
        let imprint = crate::tsa::sha256(&parsed.signature);
        match verify_token(token, &imprint, bundle.tsa_roots()) {
            Ok(t) => {
                a.pass("signature_timestamp", format!("签名时间戳有效：{}，{}", t.gen_time, t.tsa_subject));
                found = Some((t.gen_time, format!("签名时间戳，{}", t.tsa_subject)));
            }
            Err(TokenError::Invalid(e)) => a.invalid("signature_timestamp", Reason::TimestampInvalid, e),
            Err(TokenError::Untrusted(e)) => a.indeterminate("signature_timestamp", Reason::NoChainToTrustedRoot, e),
        }
    }
    if let Some((token, imprint)) = update.and_then(|u| u.doc_timestamp.as_ref()) {
        match verify_token(token, imprint, bundle.tsa_roots()) {
            Ok(t) => {
                a.pass("document_timestamp", format!("文档时间戳有效：{}，{}", t.gen_time, t.tsa_subject));
                if found.is_none() {
                    found = Some((t.gen_time, format!("文档时间戳，{}", t.tsa_subject)));
                }
            }
            Err(TokenError::Invalid(e)) => a.invalid("document_timestamp", Reason::TimestampInvalid, e),
            Err(TokenError::Untrusted(e)) => a.indeterminate("document_timestamp", Reason::NoChainToTrustedRoot, e),
        }
    }
    let (time, by) = found?;
    let crl_current = update
        .and_then(|u| u.validation.as_ref())
        .is_some_and(|v| crate::crl::current_and_not_listing(&v.crls, bundle.roots(), &parsed.signer_cert, time));
    if update.is_some_and(|u| u.validation.is_some()) {
        a.pass(
            "long_term_validation",
            if crl_current {
                "文件内含证书链与吊销列表（DSS），可离线长期验证"
            } else {
                "文件内含 DSS，但其中没有在时间戳时间有效的吊销列表"
            },
        );
    }
    Some(Proof { time, by, crl_current })
}

/// Verify the text of a verification QR code with the trust bundle alone. The seal is taken from
/// the bundle's status list; compare `Verification::spec_hash`/`doc_id` with the case record.
#[must_use]
pub fn verify_qr(payload: &str, bundle: &TrustBundle, now: DateTime<Utc>) -> Verification {
    let Some(q) = QrPayload::parse(payload) else {
        return malformed("二维码内容不是有效的一窗验证码");
    };
    let mut a = Assess {
        seal_id: Some(q.seal_id.clone()),
        doc_id: Some(q.doc_id.clone()),
        claimed_time: Some(q.claimed_time),
        printed: Some(q.fields.clone()),
        ..Assess::default()
    };
    a.pass("structure", "验证码格式正确");
    let Some(entry) = bundle.seal_entry(&q.seal_id) else {
        a.indeterminate("seal_status", Reason::SealUnknown, "信任包中没有该印章，无法离线验证");
        return a.finish();
    };
    let seal = &entry.seal;
    match seal.check_maker(bundle.roots()) {
        MakerCheck::Valid => a.pass("seal_maker", "印章由受信任的制作机构签发"),
        MakerCheck::BadSignature => a.invalid("seal_maker", Reason::SealForged, "信任包中的印章制作机构签名不符"),
        MakerCheck::UnknownMaker => {
            a.indeterminate("seal_maker", Reason::NoChainToTrustedRoot, "印章制作机构不在信任包中")
        }
    }
    let signer = seal.info().property.signer_certs.iter().find(|c| {
        ParsedCert::parse(c).is_some_and(|p| {
            crate::x509::verify_ecdsa_p256_canonical(p.public_key(), q.signed_text.as_bytes(), &q.signature)
        })
    });
    match signer {
        Some(cert) => {
            a.pass("signature_value", "验证码签名由该印章的授权证书作出");
            let cert = cert.clone();
            assess_seal_and_signer(&mut a, seal, &cert, q.claimed_time, bundle, now, None);
        }
        None => a.invalid("signature_value", Reason::BadSignature, "验证码签名无效（内容被篡改或非该印章所签）"),
    }
    a.finish()
}

/// Verify a QR payload and also that it vouches for `spec` (the case record's copy).
#[must_use]
pub fn verify_qr_for_spec(
    payload: &str,
    spec: &crate::DocumentSpec,
    bundle: &TrustBundle,
    now: DateTime<Utc>,
) -> Verification {
    let mut v = verify_qr(payload, bundle, now);
    // Everything printed except the content hash, which needs the file (`verify_pdf` checks it).
    let same = v.printed.as_ref().is_some_and(|p| {
        let mut expected = PrintedFields::of(spec, &[0u8; 32]);
        expected.content_hash.clone_from(&p.content_hash);
        *p == expected
    });
    if same && v.doc_id.as_deref() == Some(spec.doc_id.as_str()) {
        v.checks.push(Check {
            name: "spec_hash", passed: true, detail: "验证码与办件记录中的文书一致".into()
        });
    } else {
        v.checks.push(Check {
            name: "spec_hash", passed: false, detail: "验证码与办件记录中的文书不一致".into()
        });
        v.verdict = Verdict::Invalid;
        v.reason = Some(Reason::HashMismatch);
    }
    v
}
