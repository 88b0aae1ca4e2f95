//! `cargo bench -p yc-seal`: prints seals/s for the signature step against raw ring ECDSA in the
//! same run (the ratio is what to watch on a noisy shared machine), the time for a full sealed
//! decision PDF, and verifications/s.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
use yc_seal::*;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).unwrap_or_default()
}

/// Alternate short batches of `a` and `b` so machine noise (a shared 2-core box) hits both
/// alike; returns (rate a, rate b).
fn rate_pair(budget: Duration, mut a: impl FnMut(), mut b: impl FnMut()) -> (f64, f64) {
    const BATCH: u32 = 50;
    let (mut ta, mut tb, mut n) = (Duration::ZERO, Duration::ZERO, 0u32);
    let start = Instant::now();
    while start.elapsed() < budget {
        let s = Instant::now();
        for _ in 0..BATCH {
            a();
        }
        ta += s.elapsed();
        let s = Instant::now();
        for _ in 0..BATCH {
            b();
        }
        tb += s.elapsed();
        n += BATCH;
    }
    (f64::from(n) / ta.as_secs_f64(), f64::from(n) / tb.as_secs_f64())
}

/// Run `f` repeatedly for about `budget`; return operations per second.
fn rate(budget: Duration, mut f: impl FnMut()) -> (f64, u64) {
    for _ in 0..3 {
        f();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        f();
        n += 1;
    }
    (n as f64 / start.elapsed().as_secs_f64(), n)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dept = "某市市场监督管理局";
    let authority = SealAuthority::generate("某市印章制作中心", t("2026-01-01T00:00:00Z"), t("2036-01-01T00:00:00Z"))?;
    let pkcs8 = generate_pkcs8()?;
    let cert = authority.issue_signer_certificate(
        &SignerCertRequest {
            common_name: format!("{dept}行政许可专用章"),
            department: dept.into(),
            credit_code: "11330100MB1234567X".into(),
            not_before: t("2026-01-01T00:00:00Z"),
            not_after: t("2029-01-01T00:00:00Z"),
        },
        &public_key_of(&pkcs8)?,
    )?;
    let seal = authority.make_seal(SealInfo {
        header: SealHeader::default(),
        seal_id: "3301000000001".into(),
        property: SealProperty {
            seal_type: SealType::AdministrativeLicensing,
            name: format!("{dept}行政许可专用章"),
            department: dept.into(),
            credit_code: "11330100MB1234567X".into(),
            signer_certs: vec![cert.clone()],
            create_date: t("2026-01-01T00:00:00Z"),
            valid_start: t("2026-01-01T00:00:00Z"),
            valid_end: t("2028-12-31T00:00:00Z"),
        },
        picture: SealPicture {
            format: PictureFormat::Svg,
            data: seal_svg(dept, SealType::AdministrativeLicensing),
            width_mm: 42,
            height_mm: 42,
        },
    })?;
    // The city platform's TSA (its own root), stamping in-process: the network is not measured.
    let city = SealAuthority::generate("某市政务外网平台", t("2026-01-01T00:00:00Z"), t("2046-01-01T00:00:00Z"))?;
    let tsa_key = generate_pkcs8()?;
    let tsa_cert = city.issue_tsa_certificate(
        "某市政务外网时间戳服务",
        &public_key_of(&tsa_key)?,
        t("2026-01-01T00:00:00Z"),
        t("2041-01-01T00:00:00Z"),
    )?;
    let bundle = authority.sign_trust_bundle(TrustBundleContent {
        version: 1,
        issuer: "某市印章制作中心".into(),
        this_update: t("2026-11-20T00:00:00Z"),
        next_update: t("2026-12-20T00:00:00Z"),
        roots: vec![authority.root_certificate().to_vec()],
        seals: vec![SealStatusEntry { seal: seal.clone(), status: SealStatus::Active }],
        revoked_certificates: vec![],
        tsa_roots: vec![city.root_certificate().to_vec()],
    })?;
    let signer = SoftwareSigner::from_pkcs8(&pkcs8, vec![cert, authority.root_certificate().to_vec()])?;
    let font = CjkFont::load_default()?;
    let now = t("2026-11-23T02:00:00Z");
    let spec = DocumentSpec {
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
        legal_basis: Some("《中华人民共和国行政许可法》第三十八条第一款".into()),
        department: dept.into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 23).ok_or("date")?,
        qr_payload: None,
        certificate_fields: vec![],
        watermark: None,
    };
    let budget = Duration::from_millis(1500);

    // Baseline: raw ring ECDSA P-256 signing of a 32-byte digest-sized message.
    let rng = SystemRandom::new();
    let ring_key =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &pkcs8, &rng).map_err(|e| e.to_string())?;
    let msg = [7u8; 32];
    let sealed = seal_document(&spec, &seal, &signer, &font, now)?;
    let info = sealed.signature_info.clone();
    let digest = [9u8; 32];
    let (ring_rate, cms_rate) = rate_pair(
        budget * 2,
        || {
            black_box(ring_key.sign(&rng, black_box(&msg)).ok());
        },
        || {
            black_box(cms_signature(&signer, &seal, black_box(&digest), &info).ok());
        },
    );

    if std::env::var_os("YC_BENCH_DETAIL").is_some() {
        let (json_rate, _) = rate(budget, || {
            black_box(serde_json::to_vec(&info).ok());
        });
        let chain = signer.certificate_chain().to_vec();
        let (cert_rate, _) = rate(budget, || {
            use der::{Decode as _, Encode as _};
            for c in &chain {
                let x = x509_cert::Certificate::from_der(c).ok();
                black_box(x.map(|x| x.to_der().ok()));
            }
        });
        struct Null(Vec<Vec<u8>>);
        impl Signer for Null {
            fn algorithm(&self) -> SignatureAlgorithm {
                SignatureAlgorithm::EcdsaP256Sha256
            }
            fn certificate_chain(&self) -> &[Vec<u8>] {
                &self.0
            }
            fn sign(&self, _: &[u8]) -> yc_seal::Result<Vec<u8>> {
                Ok(vec![0x30; 72])
            }
        }
        let null = Null(chain.clone());
        let (null_rate, _) = rate(budget, || {
            black_box(cms_signature(&null, &seal, black_box(&digest), &info).ok());
        });
        println!("  detail: CMS without signing {null_rate:.0}/s");
        println!("  detail: info JSON {json_rate:.0}/s, chain parse+encode {cert_rate:.0}/s");
    }
    let (pdf_rate, pdf_n) = rate(budget * 2, || {
        black_box(seal_document(&spec, &seal, &signer, &font, now).ok());
    });
    let (verify_rate, _) = rate(budget, || {
        black_box(verify_pdf(&sealed.pdf, &bundle, now));
    });
    // PAdES levels. Offline the clerk gets the B-B document above (no TSA call at all); a TSA
    // that is down costs nothing either (the stamper fails at once, the document is B-B).
    let tsa = TimeStampAuthority::from_pkcs8(&tsa_key, vec![tsa_cert, city.root_certificate().to_vec()])?.at(now);
    struct Down;
    impl TimeStamper for Down {
        fn timestamp(&self, _: &[u8; 32]) -> yc_seal::Result<Vec<u8>> {
            Err(yc_seal::SealError::Timestamp("离线".into()))
        }
    }
    let (down_rate, _) = rate(budget, || {
        black_box(seal_document_timestamped(&spec, &seal, &signer, &font, now, &Down).ok());
    });
    let (bt_rate, _) = rate(budget, || {
        black_box(seal_document_timestamped(&spec, &seal, &signer, &font, now, &tsa).ok());
    });
    let lt_data = bundle.validation_data(signer.certificate_chain(), &[]);
    let (sync_rate, _) = rate(budget, || {
        black_box(add_document_timestamp(&sealed.pdf, Some(&lt_data), &tsa).ok());
    });
    let lt_doc = add_document_timestamp(&sealed.pdf, Some(&lt_data), &tsa)?;
    let later = t("2030-06-01T00:00:00Z");
    let (verify_lt_rate, _) = rate(budget, || {
        black_box(verify_pdf(&lt_doc, &bundle, later));
    });
    let (qr_rate, _) = rate(budget, || {
        black_box(verify_qr(&sealed.qr_payload, &bundle, now));
    });

    let dir = std::env::temp_dir().join(format!("yc-seal-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let key_path = dir.join("seal.key");
    let _ = std::fs::remove_file(&key_path);
    let kf = SealKeyFile::create(
        &key_path,
        seal.id(),
        &pkcs8,
        signer.certificate_chain().to_vec(),
        "246813",
        KeyStoreOptions::default(),
    )?;
    let start = Instant::now();
    for _ in 0..3 {
        black_box(kf.unlock("246813")?);
    }
    let unlock_ms = start.elapsed().as_secs_f64() * 1000.0 / 3.0;
    let _ = std::fs::remove_dir_all(&dir);

    println!("yc-seal bench (same run, same machine)");
    println!("  raw ring ECDSA P-256 sign          {ring_rate:>10.0} /s");
    println!(
        "  signature step (CMS + attrs + sign) {cms_rate:>10.0} /s   ratio {:.2} (target >= 0.5)",
        cms_rate / ring_rate
    );
    println!(
        "  full sealed decision PDF            {:>10.2} ms   ({pdf_n} runs, target < 50 ms, {} bytes)",
        1000.0 / pdf_rate,
        sealed.pdf.len()
    );
    println!(
        "  sealing offline, TSA unreachable    {:>10.2} ms   (B-B at once; the TSA adds no wait)",
        1000.0 / down_rate
    );
    println!("  sealing online, in-process TSA (B-T) {:>9.2} ms", 1000.0 / bt_rate);
    println!(
        "  sync: DSS + document timestamp      {:>10.2} ms per document (B-LT, {} bytes)",
        1000.0 / sync_rate,
        lt_doc.len()
    );
    println!("  verify_pdf                          {verify_rate:>10.0} /s");
    println!("  verify_pdf B-LT after expiry        {verify_lt_rate:>10.0} /s");
    println!("  verify_qr                           {qr_rate:>10.0} /s");
    println!("  key unlock (PBKDF2 {DEFAULT_PBKDF2_ITERATIONS} + AES-GCM) {unlock_ms:>8.1} ms per sealing");
    Ok(())
}
