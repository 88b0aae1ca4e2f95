#![allow(dead_code)]

pub mod forge;

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use yc_seal::*;

pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("test time").with_timezone(&Utc)
}

pub fn font() -> CjkFont {
    static FONT: OnceLock<CjkFont> = OnceLock::new();
    FONT.get_or_init(|| CjkFont::load_default().expect("fonts-noto-cjk must be installed for tests")).clone()
}

pub const DEPT: &str = "某市市场监督管理局";

pub struct Fixture {
    pub authority: SealAuthority,
    pub pkcs8: zeroize::Zeroizing<Vec<u8>>,
    pub chain: Vec<Vec<u8>>,
    pub seal: Seal,
    pub bundle: TrustBundle,
    pub now: DateTime<Utc>,
    /// The city platform's time-stamping authority: its own root (carried in the bundle's
    /// `tsa_roots`), key and certificate chain.
    pub tsa_root: Vec<u8>,
    pub tsa_pkcs8: zeroize::Zeroizing<Vec<u8>>,
    pub tsa_chain: Vec<Vec<u8>>,
    pub tsa_roots: Vec<Vec<u8>>,
}

impl Fixture {
    pub fn signer(&self) -> SoftwareSigner {
        SoftwareSigner::from_pkcs8(&self.pkcs8, self.chain.clone()).expect("signer")
    }

    /// The TSA, stamping `at`.
    pub fn tsa(&self, at: DateTime<Utc>) -> TimeStampAuthority {
        TimeStampAuthority::from_pkcs8(&self.tsa_pkcs8, self.tsa_chain.clone()).expect("tsa").at(at)
    }

    pub fn bundle_with(
        &self,
        seals: Vec<SealStatusEntry>,
        revoked: Vec<RevokedCertificate>,
        this_update: &str,
        next_update: &str,
    ) -> TrustBundle {
        self.authority
            .sign_trust_bundle(TrustBundleContent {
                version: 2,
                issuer: self.authority.name().into(),
                this_update: t(this_update),
                next_update: t(next_update),
                roots: vec![self.authority.root_certificate().to_vec()],
                seals,
                revoked_certificates: revoked,
                tsa_roots: self.tsa_roots.clone(),
            })
            .expect("bundle")
    }
}

pub fn issue_seal(authority: &SealAuthority, seal_id: &str, certs: Vec<Vec<u8>>, start: &str, end: &str) -> Seal {
    authority
        .make_seal(SealInfo {
            header: SealHeader::default(),
            seal_id: seal_id.into(),
            property: SealProperty {
                seal_type: SealType::AdministrativeLicensing,
                name: format!("{DEPT}行政许可专用章"),
                department: DEPT.into(),
                credit_code: "11330100MB1234567X".into(),
                signer_certs: certs,
                create_date: t(start),
                valid_start: t(start),
                valid_end: t(end),
            },
            picture: SealPicture {
                format: PictureFormat::Svg,
                data: seal_svg(DEPT, SealType::AdministrativeLicensing),
                width_mm: 42,
                height_mm: 42,
            },
        })
        .expect("seal")
}

pub fn new_signer_cert(authority: &SealAuthority, pkcs8: &[u8]) -> Vec<u8> {
    let public = public_key_of(pkcs8).expect("public key");
    authority
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
        .expect("cert")
}

pub fn fixture() -> Fixture {
    let authority = SealAuthority::generate("某市印章制作中心", t("2026-01-01T00:00:00Z"), t("2036-01-01T00:00:00Z"))
        .expect("authority");
    let pkcs8 = generate_pkcs8().expect("key");
    let cert = new_signer_cert(&authority, &pkcs8);
    let chain = vec![cert.clone(), authority.root_certificate().to_vec()];
    let seal = issue_seal(&authority, "3301000000001", vec![cert], "2026-01-01T00:00:00Z", "2028-12-31T00:00:00Z");
    let city = SealAuthority::generate("某市政务外网平台", t("2026-01-01T00:00:00Z"), t("2046-01-01T00:00:00Z"))
        .expect("city root");
    let tsa_pkcs8 = generate_pkcs8().expect("tsa key");
    let tsa_cert = city
        .issue_tsa_certificate(
            "某市政务外网时间戳服务",
            &public_key_of(&tsa_pkcs8).expect("tsa public key"),
            t("2026-01-01T00:00:00Z"),
            t("2041-01-01T00:00:00Z"),
        )
        .expect("tsa cert");
    let mut f = Fixture {
        tsa_root: city.root_certificate().to_vec(),
        tsa_chain: vec![tsa_cert, city.root_certificate().to_vec()],
        tsa_roots: vec![city.root_certificate().to_vec()],
        tsa_pkcs8,
        bundle: authority
            .sign_trust_bundle(TrustBundleContent {
                version: 1,
                issuer: "某市印章制作中心".into(),
                this_update: t("2026-11-20T00:00:00Z"),
                next_update: t("2026-12-20T00:00:00Z"),
                roots: vec![authority.root_certificate().to_vec()],
                seals: vec![],
                revoked_certificates: vec![],
                tsa_roots: vec![],
            })
            .expect("bundle"),
        authority,
        pkcs8,
        chain,
        seal: seal.clone(),
        now: t("2026-11-23T02:00:00Z"),
    };
    f.bundle = f.bundle_with(
        vec![SealStatusEntry { seal, status: SealStatus::Active }],
        vec![],
        "2026-11-20T00:00:00Z",
        "2026-12-20T00:00:00Z",
    );
    f
}

pub fn decision_spec() -> DocumentSpec {
    DocumentSpec {
        doc_type: DocType::ApprovalDecision,
        title: None,
        doc_id: "0193a5b2-7c1e-7d3f-9a2b-3c4d5e6f7a8b".into(),
        doc_number: "某市监许字〔2026〕第0001号".into(),
        case_number: "YC-330100-20261123-0001".into(),
        applicant_name: "张三".into(),
        applicant_id: "110101199003071234".into(),
        item_name: "食品经营许可".into(),
        body: vec![
            "你（单位）于2026年11月20日提出的食品经营许可申请，经审查，符合法定条件和标准，本机关决定准予行政许可。"
                .into(),
            "请于收到本决定书之日起十日内领取食品经营许可证。".into(),
        ],
        list_items: vec![],
        legal_basis: Some(
            "《中华人民共和国行政许可法》第三十八条第一款；《食品经营许可和备案管理办法》第二十条".into(),
        ),
        department: DEPT.into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"),
        qr_payload: None,
        certificate_fields: vec![],
        watermark: None,
    }
}
