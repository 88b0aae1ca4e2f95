use crate::common;

use std::process::Command;

use common::*;
use yc_seal::*;

fn tool_exists(name: &str) -> bool {
    Command::new(name).arg("-v").output().is_ok()
}

#[test]
fn sealed_decision_verifies_valid_with_claimed_time_note() {
    let f = fixture();
    let sealed = seal_document(&decision_spec(), &f.seal, &f.signer(), &font(), f.now).expect("seal");
    let v = verify_pdf(&sealed.pdf, &f.bundle, f.now);
    assert_eq!(v.verdict, Verdict::Valid, "{v:#?}");
    assert_eq!(v.reason, None);
    assert!(v.checks.iter().all(|c| c.passed), "{v:#?}");
    assert!(v.checks.iter().any(|c| c.name == "timestamp" && c.detail.contains("ClaimedTimeOnly")));
    assert_eq!(v.seal_id.as_deref(), Some("3301000000001"));
    // Same answer later while everything is still in force (no network involved).
    assert_eq!(verify_pdf(&sealed.pdf, &f.bundle, t("2026-12-01T00:00:00Z")).verdict, Verdict::Valid);
}

#[test]
fn qr_payload_of_sealed_document_verifies_offline_and_matches_spec() {
    let f = fixture();
    let spec = decision_spec();
    let sealed = seal_document(&spec, &f.seal, &f.signer(), &font(), f.now).expect("seal");
    let v = verify_qr(&sealed.qr_payload, &f.bundle, f.now);
    assert_eq!(v.verdict, Verdict::Valid, "{v:#?}");
    assert_eq!(v.doc_id.as_deref(), Some(spec.doc_id.as_str()));
    assert_eq!(verify_qr_for_spec(&sealed.qr_payload, &spec, &f.bundle, f.now).verdict, Verdict::Valid);
    let mut other = spec.clone();
    other.applicant_name = "李四".into();
    let v = verify_qr_for_spec(&sealed.qr_payload, &other, &f.bundle, f.now);
    assert_eq!((v.verdict, v.reason), (Verdict::Invalid, Some(Reason::HashMismatch)));
}

#[test]
fn poppler_pdfsig_reports_signature_valid() {
    if !tool_exists("pdfsig") {
        eprintln!("pdfsig not installed (apt-get install poppler-utils); skipping");
        return;
    }
    let f = fixture();
    let sealed = seal_document(&decision_spec(), &f.seal, &f.signer(), &font(), f.now).expect("seal");
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("decision.pdf");
    std::fs::write(&path, &sealed.pdf).expect("write");
    let out = Command::new("pdfsig").arg(&path).output().expect("pdfsig");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Signature Validation: Signature is Valid."),
        "pdfsig said:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("ETSI.CAdES.detached"), "{text}");
    assert!(text.contains("Total document signed"), "{text}");
}

#[test]
fn pdftotext_extracts_the_chinese_text_intact() {
    if !tool_exists("pdftotext") {
        eprintln!("pdftotext not installed; skipping");
        return;
    }
    let f = fixture();
    let spec = decision_spec();
    let sealed = seal_document(&spec, &f.seal, &f.signer(), &font(), f.now).expect("seal");
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("decision.pdf");
    std::fs::write(&path, &sealed.pdf).expect("write");
    let out = Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&path).arg("-").output().expect("pdftotext");
    let text: String = String::from_utf8_lossy(&out.stdout).chars().filter(|c| !c.is_whitespace()).collect();
    for needle in [
        "准予行政许可决定书",
        "某市监许字〔2026〕第0001号",
        "食品经营许可",
        "张三",
        "某市市场监督管理局",
        "2026年11月23日",
        "《中华人民共和国行政许可法》第三十八条第一款",
    ] {
        assert!(text.contains(needle), "missing {needle} in:\n{text}");
    }
}

#[test]
fn claimed_time_with_subsecond_precision_is_sealed_as_whole_seconds() {
    let f = fixture();
    let claimed = f.now + chrono::Duration::nanoseconds(123_456_789);
    let sealed = seal_document(&decision_spec(), &f.seal, &f.signer(), &font(), claimed).expect("seal");
    assert_eq!(sealed.signature_info.claimed_time, f.now);
    assert_eq!(verify_pdf(&sealed.pdf, &f.bundle, f.now + chrono::Duration::seconds(1)).verdict, Verdict::Valid);
}
