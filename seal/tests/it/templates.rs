use crate::common;

use std::process::Command;

use common::*;
use yc_seal::*;

fn text_of(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().ok()?;
    let path = dir.path().join("d.pdf");
    std::fs::write(&path, pdf).ok()?;
    let out = Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&path).arg("-").output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).chars().filter(|c| !c.is_whitespace()).collect())
}

fn spec(doc_type: DocType) -> DocumentSpec {
    let mut s = decision_spec();
    s.doc_type = doc_type;
    s
}

#[test]
fn every_notice_type_seals_verifies_and_shows_its_title() {
    let f = fixture();
    let signer = f.signer();
    let mut receipt = spec(DocType::MaterialReceipt);
    receipt.list_items = vec!["食品经营许可申请书（原件1份）".into(), "营业执照复印件（1份）".into()];
    receipt.qr_payload = Some("https://zwfw.example.gov.cn/case/YC-330100-20261123-0001".into());
    let mut refusal = spec(DocType::NonAcceptance);
    refusal.body = vec!["经审查，申请事项依法不需要取得行政许可。".into()];
    let mut supplement = spec(DocType::SupplementNotice);
    supplement.list_items = vec!["经营场所平面图".into(), "食品安全管理制度文本".into()];
    let mut cert = spec(DocType::Certificate);
    cert.title = Some("食品经营许可证".into());
    cert.certificate_fields =
        vec![CertificateField { label: "有效期限".into(), value: "2026年11月23日至2031年11月22日".into() }];
    let cases = [
        (receipt, vec!["材料接受告知单", "已接收材料清单", "营业执照复印件"]),
        (spec(DocType::Acceptance), vec!["受理通知书"]),
        (refusal, vec!["不予受理通知书", "依法不需要取得行政许可", "申请行政复议"]),
        (supplement, vec!["补正材料通知书", "请一次性补正以下材料", "经营场所平面图"]),
        (spec(DocType::ApprovalDecision), vec!["准予行政许可决定书"]),
        (spec(DocType::RefusalDecision), vec!["不予行政许可决定书", "提起行政诉讼"]),
        (cert, vec!["食品经营许可证", "有效期限", "2031年11月22日"]),
    ];
    for (s, needles) in cases {
        let doc = seal_document(&s, &f.seal, &signer, &font(), f.now).expect("seal");
        assert_eq!(verify_pdf(&doc.pdf, &f.bundle, f.now).verdict, Verdict::Valid, "{:?}", s.doc_type);
        assert_eq!(doc.signature_info.doc_type, s.doc_type);
        if let Some(text) = text_of(&doc.pdf) {
            for n in needles {
                assert!(text.contains(n), "{:?}: missing {n} in {text}", s.doc_type);
            }
        }
    }
}

#[test]
fn refusal_without_legal_basis_is_rejected() {
    let mut s = spec(DocType::RefusalDecision);
    s.legal_basis = None;
    assert!(matches!(render_draft(&s, &font()), Err(SealError::InvalidSpec(_))));
    s.legal_basis = Some("《行政许可法》第三十八条第二款".into());
    s.body.clear();
    assert!(matches!(render_draft(&s, &font()), Err(SealError::InvalidSpec(_))));
}

#[test]
fn supplement_notice_without_the_one_time_list_is_rejected() {
    assert!(matches!(render_draft(&spec(DocType::SupplementNotice), &font()), Err(SealError::InvalidSpec(_))));
}

#[test]
fn long_notice_flows_onto_more_pages_and_still_verifies() {
    let f = fixture();
    let mut s = decision_spec();
    s.body = (0..40)
        .map(|i| format!("第{i}段：经审查，申请材料齐全、符合法定形式，本机关依法作出本决定，特此告知。"))
        .collect();
    let doc = seal_document(&s, &f.seal, &f.signer(), &font(), f.now).expect("seal");
    let pages = doc.pdf.windows(12).filter(|w| &w[..11] == b"/Type /Page" && w[11] != b's').count();
    assert!(pages >= 3, "pages = {pages}");
    assert_eq!(verify_pdf(&doc.pdf, &f.bundle, f.now).verdict, Verdict::Valid);
}

#[test]
fn spec_hash_changes_with_any_field() {
    let a = decision_spec();
    let mut b = a.clone();
    b.case_number.push('9');
    assert_ne!(a.canonical_hash(), b.canonical_hash());
    assert_eq!(a.canonical_hash(), a.clone().canonical_hash());
}

#[test]
fn missing_font_file_gives_a_chinese_error_naming_the_path() {
    let err = CjkFont::load(std::path::Path::new("/nonexistent/NotoSerifCJK.ttc")).expect_err("missing");
    let msg = err.to_string();
    assert!(
        msg.contains("未找到中文字体文件")
            && msg.contains("/nonexistent/NotoSerifCJK.ttc")
            && msg.contains("fonts-noto-cjk"),
        "{msg}"
    );
}

#[test]
fn simplified_chinese_face_is_picked_from_the_collection() {
    assert!(font().family().ends_with("SC"), "{}", font().family());
}

#[test]
fn seal_picture_is_an_svg_with_the_department_name() {
    let svg = String::from_utf8(seal_svg(DEPT, SealType::AdministrativeLicensing)).expect("utf8");
    assert!(svg.starts_with("<svg") && svg.contains("<circle") && svg.contains("<polygon"));
    for c in DEPT.chars().chain("行政许可专用章".chars()) {
        assert!(svg.contains(&format!(">{c}</text>")), "{c}");
    }
}
