//! The verification QR binds what the paper shows: case, document, masked applicant, decision,
//! date and the page content. A genuine code pasted onto another document must say so.

use crate::common;

use common::*;
use yc_seal::*;

fn refusal_spec() -> DocumentSpec {
    let mut s = decision_spec();
    s.doc_type = DocType::RefusalDecision;
    s.doc_number = "某市监许〔2026〕2号".into();
    s.body = vec!["经审查，你（单位）的申请不符合法定条件，本机关决定不予行政许可。".into()];
    s
}

#[test]
fn qr_carries_the_printed_fields_masked() {
    let f = fixture();
    let mut spec = decision_spec();
    spec.applicant_name = "张某三".into();
    spec.applicant_id = "11010119900307002X".into();
    let doc = seal_document(&spec, &f.seal, &f.signer(), &font(), f.now).expect("seal");
    let v = verify_qr(&doc.qr_payload, &f.bundle, f.now);
    assert_eq!(v.verdict, Verdict::Valid, "{v:#?}");
    let p = v.printed.expect("printed fields");
    assert_eq!(p.case_number, spec.case_number);
    assert_eq!(p.doc_number, spec.doc_number);
    assert_eq!(p.doc_type, DocType::ApprovalDecision);
    assert_eq!(p.applicant, "张*三");
    assert_eq!(p.applicant_id, "1101**********002X");
    assert_eq!(p.decision, "准予行政许可");
    assert_eq!(p.date, spec.date);
    // The full name and ID never travel in the code.
    assert!(!doc.qr_payload.contains("张某三") && !doc.qr_payload.contains("11010119900307002X"));
    // The PDF's own QR matches its content.
    let v = verify_pdf(&doc.pdf, &f.bundle, f.now);
    assert_eq!(v.verdict, Verdict::Valid, "{v:#?}");
    assert!(v.checks.iter().any(|c| c.name == "qr_content" && c.passed));
    assert_eq!(v.printed.map(|p| p.content_hash), Some(doc.signature_info.content_hash.clone()));
}

#[test]
fn genuine_qr_on_forged_paper_says_content_differs() {
    let f = fixture();
    // The genuine approval of this case…
    let genuine = seal_document(&decision_spec(), &f.seal, &f.signer(), &font(), f.now).expect("seal");
    assert_eq!(verify_qr(&genuine.qr_payload, &f.bundle, f.now).verdict, Verdict::Valid);
    // …its code pasted onto a paper that says something else (same case, other content).
    let mut other = decision_spec();
    other.body[0] = other.body[0].replace("食品经营许可", "食品生产许可");
    let forged = render_forgery_with_qr(&other, &font(), &f.seal, &genuine.qr_payload).expect("forge");
    let v = verify_pdf(&forged, &f.bundle, f.now);
    assert_eq!((v.verdict, v.reason), (Verdict::Invalid, Some(Reason::ContentMismatch)), "{v:#?}");
    let c = v.checks.iter().find(|c| c.name == "qr_content").expect("qr check");
    assert!(!c.passed && c.detail.contains("内容不符"), "{c:?}");

    // And a validly sealed refusal carrying the approval's code: the signature is fine, the code is not.
    let refusal = seal_document(&refusal_spec(), &f.seal, &f.signer(), &font(), f.now).expect("seal");
    let swapped = swap_qr(&refusal.pdf, &refusal.qr_payload, &genuine.qr_payload);
    let v = verify_pdf(&swapped, &f.bundle, f.now);
    assert_eq!(v.verdict, Verdict::Invalid, "{v:#?}");
}

/// Replace the overlay's payload text in place (same length codes only), leaving the drawing.
fn swap_qr(pdf: &[u8], from: &str, to: &str) -> Vec<u8> {
    let at = pdf.windows(from.len()).position(|w| w == from.as_bytes()).expect("payload in file");
    let mut out = pdf.to_vec();
    if from.len() == to.len() {
        out[at..at + to.len()].copy_from_slice(to.as_bytes());
    } else {
        out[at] ^= 1;
    }
    out
}

#[test]
fn qr_for_spec_compares_every_printed_field() {
    let f = fixture();
    let spec = decision_spec();
    let doc = seal_document(&spec, &f.seal, &f.signer(), &font(), f.now).expect("seal");
    assert_eq!(verify_qr_for_spec(&doc.qr_payload, &spec, &f.bundle, f.now).verdict, Verdict::Valid);
    let mut other = spec.clone();
    other.doc_number = "某市监许〔2026〕9号".into();
    assert_eq!(verify_qr_for_spec(&doc.qr_payload, &other, &f.bundle, f.now).verdict, Verdict::Invalid);
}
