//! The notices as GB/T 9704 lays them out, checked on the rendered pages with poppler
//! (`pdftotext -layout` for the text, `pdftoppm` for the pixels around the QR).

use crate::common;

use std::process::Command;

use common::*;
use yc_seal::*;

fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(tool)
        .args(args)
        .arg(&path)
        .args(if tool == "pdftotext" { &["-"][..] } else { &[][..] })
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils) is installed by scripts/deps.sh test: {e}"));
    assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn layout_text(pdf: &[u8]) -> String {
    String::from_utf8(poppler("pdftotext", &["-layout", "-enc", "UTF-8"], pdf)).unwrap()
}

fn sealed(spec: &DocumentSpec) -> SealedDocument {
    let f = fixture();
    seal_document(spec, &f.seal, &f.signer(), &font(), f.now).expect("seal")
}

#[test]
fn refusal_and_non_acceptance_print_the_remedy_once_and_the_date_in_chinese() {
    for doc_type in [DocType::RefusalDecision, DocType::NonAcceptance] {
        let mut spec = decision_spec();
        spec.doc_type = doc_type;
        spec.doc_number = "某市监许〔2026〕12号".into();
        spec.body = vec!["经审查，申请不符合法定条件。".into()];
        let text = layout_text(&sealed(&spec).pdf);
        let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(flat.matches("如不服本决定").count(), 1, "{doc_type:?}: remedy once\n{text}");
        assert_eq!(flat.matches("行政复议").count(), 1, "{doc_type:?}\n{text}");
        assert!(flat.contains("2026年11月23日"), "{text}");
        assert!(flat.contains("某市监许〔2026〕12号"), "{text}");
        assert!(!flat.contains("2026-11-23"), "no ISO date on paper\n{text}");
    }
}

#[test]
fn identifiers_are_never_broken_across_lines() {
    let code = "91330100MA2XXXXX1K";
    let case = "YC-330100-20261123-0001";
    let mut spec = decision_spec();
    spec.applicant_name = "杭州某某餐饮管理有限公司".into();
    spec.applicant_id = code.into();
    // Pad with one more character per paragraph so each identifier lands on a line end once.
    spec.body = (0..14).map(|i| format!("{}统一社会信用代码{code}，办件编号{case}。", "经".repeat(i))).collect();
    let text = layout_text(&sealed(&spec).pdf);
    let lines: Vec<&str> = text.lines().collect();
    let mut seen = 0;
    for id in [code, case] {
        for (i, l) in lines.iter().enumerate() {
            // A prefix of the identifier ending a line means it was broken.
            let end = l.trim_end();
            for k in 4..id.len() {
                if end.ends_with(&id[..k]) {
                    panic!("{id} broken at line {i}: {end:?} / {:?}", lines.get(i + 1));
                }
            }
            seen += l.matches(id).count();
        }
    }
    assert!(seen >= 28, "every identifier printed whole ({seen})\n{text}");
}

/// Pixels (RGB) of page 1 at 50 dpi, PPM parsed by hand.
fn render(pdf: &[u8]) -> (usize, usize, Vec<u8>) {
    let ppm = poppler("pdftoppm", &["-r", "50", "-f", "1", "-l", "1"], pdf);
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while ppm[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !ppm[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&ppm[start..i]).into_owned());
    }
    assert_eq!(fields[0], "P6");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, ppm[i + 1..].to_vec())
}

#[test]
fn the_certificate_frame_does_not_cross_the_qr_or_its_caption() {
    let mut spec = decision_spec();
    spec.doc_type = DocType::Certificate;
    spec.title = Some("食品经营许可证".into());
    let (w, h, px) = render(&sealed(&spec).pdf);
    let gold = |x: usize, y: usize| {
        let p = &px[(y * w + x) * 3..(y * w + x) * 3 + 3];
        p[0] > 140 && p[1] > 90 && p[1] < 180 && p[2] < 110 && p[0] > p[2] + 60
    };
    let dark = |x: usize, y: usize| px[(y * w + x) * 3..(y * w + x) * 3 + 3].iter().all(|&c| c < 80);
    let scale = 50.0 / 72.0;
    let to_px = |x: f32, y_pdf: f32| ((x * scale) as usize, ((841.89 - y_pdf) * scale) as usize);
    // The frame is drawn (control)…
    let (fx, _) = to_px(40.0, 0.0);
    assert!((0..h).filter(|&y| gold(fx, y) || gold(fx + 1, y)).count() > h / 2, "frame present");
    // …and nothing gold in the QR's box (found from the dark pixels at the bottom left, wherever
    // the layout puts it) nor in the caption strip to its right.
    let (left, _) = to_px(79.4 - 2.0, 0.0);
    let (right, _) = to_px(79.4 + 84.0, 0.0);
    let (_, top) = to_px(0.0, 300.0);
    let dark_rows: Vec<usize> = (top..h).filter(|&y| (left..right).any(|x| dark(x, y))).collect();
    let dark_cols: Vec<usize> = (left..right).filter(|&x| (top..h).any(|y| dark(x, y))).collect();
    let (y0, y1) = (dark_rows[0], *dark_rows.last().unwrap());
    let (x0, x1) = (dark_cols[0], *dark_cols.last().unwrap());
    assert!(x1 - x0 > 40 && y1 - y0 > 40, "a QR-sized block ({x0}..{x1}, {y0}..{y1})");
    let (cx1, _) = to_px(460.0, 0.0);
    for y in y0.saturating_sub(2)..=(y1 + 2).min(h - 1) {
        for x in x0.saturating_sub(2)..=cx1 {
            assert!(!gold(x, y), "frame crosses the QR or its caption at pixel ({x}, {y})");
        }
    }
}

/// poppler reported `Syntax Error: … Unknown operator 'QBT'` on every sealed notice: the QR's
/// closing `Q` and the caption's `BT` had no whitespace between them. Rendering and extracting
/// every kind must leave stderr free of syntax errors.
#[test]
fn poppler_reads_every_sealed_kind_without_a_syntax_error() {
    for doc_type in [DocType::ApprovalDecision, DocType::RefusalDecision, DocType::Certificate] {
        let mut spec = decision_spec();
        spec.doc_type = doc_type;
        if doc_type == DocType::RefusalDecision {
            spec.body = vec!["经审查，申请不符合法定条件。".into()];
        }
        let pdf = sealed(&spec).pdf;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.pdf");
        std::fs::write(&path, &pdf).unwrap();
        for (tool, args) in [("pdftoppm", &["-r", "30", "-gray"][..]), ("pdftotext", &["-layout"][..])] {
            let out = Command::new(tool).args(args).arg(&path).arg(dir.path().join("out")).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{tool}: {stderr}");
            let clean = !stderr.contains("Unknown operator") && !stderr.contains("Syntax Error");
            assert!(clean, "{doc_type:?} {tool}: {stderr}");
        }
        // The fix in the bytes: the overlay's QR ends its own line before the caption starts.
        assert!(!pdf.windows(4).any(|w| w == b"\nQBT"), "{doc_type:?}: QBT in a content stream");
    }
}
