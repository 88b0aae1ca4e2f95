//! Seal targets: sealed PDFs and QR payloads to verify. A document sealed at start-up with a
//! fresh seal authority is the one valid input; nothing else may verify.

use chrono::{DateTime, NaiveDate, Utc};
use yc_seal::*;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("test time").with_timezone(&Utc)
}

const DEPT: &str = "某市市场监督管理局";

/// The trust bundle, the verification time, and one sealed decision with its QR payload.
pub struct Sample {
    pub bundle: TrustBundle,
    pub now: DateTime<Utc>,
    pub pdf: Vec<u8>,
    pub qr: String,
}

fn make_sample() -> Sample {
    let authority = SealAuthority::generate("某市印章制作中心", t("2026-01-01T00:00:00Z"), t("2036-01-01T00:00:00Z"))
        .expect("authority");
    let pkcs8 = generate_pkcs8().expect("key");
    let public = public_key_of(&pkcs8).expect("public key");
    let cert = authority
        .issue_signer_certificate(
            &SignerCertRequest {
                common_name: format!("{DEPT}行政许可专用章"),
                department: DEPT.into(),
                credit_code: "11330100MB1234567X".into(),
                not_before: t("2026-01-01T00:00:00Z"),
                not_after: t("2029-01-01T00:00:00Z"),
            },
            &public,
        )
        .expect("cert");
    let chain = vec![cert.clone(), authority.root_certificate().to_vec()];
    let seal = authority
        .make_seal(SealInfo {
            header: SealHeader::default(),
            seal_id: "3301000000001".into(),
            property: SealProperty {
                seal_type: SealType::AdministrativeLicensing,
                name: format!("{DEPT}行政许可专用章"),
                department: DEPT.into(),
                credit_code: "11330100MB1234567X".into(),
                signer_certs: vec![cert],
                create_date: t("2026-01-01T00:00:00Z"),
                valid_start: t("2026-01-01T00:00:00Z"),
                valid_end: t("2028-12-31T00:00:00Z"),
            },
            picture: SealPicture {
                format: PictureFormat::Svg,
                data: seal_svg(DEPT, SealType::AdministrativeLicensing),
                width_mm: 42,
                height_mm: 42,
            },
        })
        .expect("seal");
    let bundle = authority
        .sign_trust_bundle(TrustBundleContent {
            version: 2,
            issuer: authority.name().into(),
            this_update: t("2026-11-20T00:00:00Z"),
            next_update: t("2026-12-20T00:00:00Z"),
            roots: vec![authority.root_certificate().to_vec()],
            seals: vec![SealStatusEntry { seal: seal.clone(), status: SealStatus::Active }],
            revoked_certificates: vec![],
            tsa_roots: vec![],
        })
        .expect("bundle");
    let signer = SoftwareSigner::from_pkcs8(&pkcs8, chain).expect("signer");
    let spec = DocumentSpec {
        doc_type: DocType::ApprovalDecision,
        title: None,
        doc_id: "0193a5b2-7c1e-7d3f-9a2b-3c4d5e6f7a8b".into(),
        doc_number: "某市监许字〔2026〕第0001号".into(),
        case_number: "YC-330100-20261123-0001".into(),
        applicant_name: "张三".into(),
        applicant_id: "110101199003071234".into(),
        item_name: "食品经营许可".into(),
        body: vec!["经审查，符合法定条件和标准，本机关决定准予行政许可。".into()],
        list_items: vec![],
        legal_basis: Some("《中华人民共和国行政许可法》第三十八条第一款".into()),
        department: DEPT.into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"),
        qr_payload: None,
        certificate_fields: vec![],
        watermark: None,
    };
    let font = CjkFont::load_default().expect("fonts-noto-cjk must be installed");
    let now = t("2026-11-23T02:00:00Z");
    let doc = seal_document(&spec, &seal, &signer, &font, now).expect("seal the sample");
    let sample = Sample { bundle, now, pdf: doc.pdf, qr: doc.qr_payload };
    assert_eq!(verify_pdf(&sample.pdf, &sample.bundle, now).verdict, Verdict::Valid, "the sample verifies");
    sample
}

/// The sample, sealed once per process.
pub fn sample() -> &'static Sample {
    static S: std::sync::OnceLock<Sample> = std::sync::OnceLock::new();
    S.get_or_init(make_sample)
}

fn verdict_ok(v: &Verification, is_sample: bool) -> Result<(), String> {
    if v.verdict == Verdict::Valid && !is_sample {
        return Err(format!("a changed document verified: {v:?}"));
    }
    Ok(())
}

/// `verify_pdf`: only the sample itself is valid.
pub fn pdf(bytes: &[u8]) -> Result<(), String> {
    let s = sample();
    verdict_ok(&verify_pdf(bytes, &s.bundle, s.now), bytes == s.pdf.as_slice())
}

/// `verify_qr`: only the sample's payload is valid.
pub fn qr(text: &str) -> Result<(), String> {
    let s = sample();
    verdict_ok(&verify_qr(text, &s.bundle, s.now), text == s.qr)
}

/// [`qr`] on bytes (the cargo-fuzz target's input), read as UTF-8 with replacement characters.
pub fn qr_bytes(bytes: &[u8]) -> Result<(), String> {
    qr(&String::from_utf8_lossy(bytes))
}
