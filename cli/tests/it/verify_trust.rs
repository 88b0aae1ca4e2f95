//! A verifier anyone can run: the issuing workstation exports its root(s) and signed bundle;
//! `yc verify --trust` then works on a machine with no workstation at all, and another
//! workstation of the city pins the root only after the admin confirms its fingerprint.

use std::path::Path;
use std::process::{Command, Output};

use crate::common;
use common::yc;

/// `yc` on a machine that never had a workstation: no --data, empty HOME and XDG dirs.
fn bare_yc(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yc"))
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("xdg"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .expect("yc runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Demo workstation with a completed case; returns (case number, exported decision path, export message).
fn demo_with_decision(d: &Path) -> (String, std::path::PathBuf, String) {
    let today = yc_core::Clock::System.now().date_naive() - chrono::Duration::days(3);
    let o = yc(d, &["--today", &today.to_string(), "demo", "--cases", "20"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = yc(d, &["--json", "case", "list", "--state", "completed", "--limit", "1"]);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let no = list[0]["case_no"].as_str().expect("a completed demo case").to_owned();
    let pdf = d.join("decision.pdf");
    let o = yc(d, &["doc", "export", &no, "--out", pdf.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    (no, pdf, text(&o))
}

#[test]
fn exported_trust_verifies_on_a_machine_without_workstation_and_pins_only_after_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("issuer");
    let (no, pdf, msg) = demo_with_decision(&d);
    // doc export says which document it wrote, and it is the decision, not the licence.
    assert!(msg.contains("行政许可决定书") && msg.contains(&no), "{msg}");
    // GB/T 9704 on the exported paper: 〔year〕N号 without 第 or zero padding, dates in Chinese.
    let t =
        Command::new("pdftotext").args(["-layout", "-enc", "UTF-8"]).arg(&pdf).arg("-").output().expect("pdftotext");
    let flat: String = String::from_utf8_lossy(&t.stdout).chars().filter(|c| !c.is_whitespace()).collect();
    let num = flat.split('〔').nth(1).and_then(|r| r.split('号').next()).expect("a document number");
    assert!(num.len() > 5 && !num.contains('第') && !num.contains("〕0"), "{num}");
    assert!(flat.contains("年") && flat.contains("月") && !has_iso_date(&flat), "{flat}");
    assert!(flat.matches("如不服本决定").count() <= 1, "{flat}");

    let trust = dir.path().join("trust");
    let o = yc(&d, &["seal", "trust", "export", "--out", trust.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let names: Vec<String> =
        std::fs::read_dir(&trust).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    for want in ["trust-bundle.json", "FINGERPRINTS.txt"] {
        assert!(names.iter().any(|n| n == want), "{names:?}");
    }
    let pem = names.iter().find(|n| n.ends_with(".pem")).expect("root PEM");
    assert!(names.iter().any(|n| n.ends_with(".der")), "{names:?}");
    let pem_text = std::fs::read_to_string(trust.join(pem)).unwrap();
    assert!(pem_text.starts_with("-----BEGIN CERTIFICATE-----"));
    // The fingerprint printed by export is the SHA-256 of the DER root (checked independently).
    let der_name = names.iter().find(|n| n.ends_with(".der")).unwrap();
    let der = std::fs::read(trust.join(der_name)).unwrap();
    let sha = sha256_hex(&der);
    let export_text = text(&o).replace(':', "").to_lowercase();
    assert!(export_text.contains(&sha), "export prints the root SHA-256 {sha}: {export_text}");

    // No workstation: an empty home, no --data.
    let home = dir.path().join("citizen");
    std::fs::create_dir_all(&home).unwrap();
    let o = bare_yc(&home, &["verify", "--trust", trust.to_str().unwrap(), pdf.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("VALID") && out.contains(&no) && out.contains("请与纸面逐项核对"), "{out}");
    assert!(std::fs::read_dir(&home).unwrap().next().is_none(), "verify --trust created nothing");
    // The bundle file alone works too and names the anchor it took.
    let o = bare_yc(
        &home,
        &["verify", "--trust", trust.join("trust-bundle.json").to_str().unwrap(), pdf.to_str().unwrap()],
    );
    assert!(o.status.success() && text(&o).contains("SHA-256"), "{}", text(&o));
    // A byte flipped in the body: INVALID, exit 1.
    let mut bytes = std::fs::read(&pdf).unwrap();
    let at = bytes.windows(2).position(|w| w == b"BT").unwrap();
    bytes[at + 3] ^= 1;
    let forged = dir.path().join("forged.pdf");
    std::fs::write(&forged, &bytes).unwrap();
    let o = bare_yc(&home, &["verify", "--trust", trust.to_str().unwrap(), forged.to_str().unwrap()]);
    assert!(!o.status.success() && text(&o).contains("INVALID"), "{}", text(&o));

    // The QR as a phone reads it: valid, and it shows what the paper must say.
    let payload = qr_payload_in(&std::fs::read(&pdf).unwrap());
    let o = bare_yc(&home, &["verify", "--trust", trust.to_str().unwrap(), "--qr", &payload]);
    let out = text(&o);
    assert!(o.status.success() && out.contains("VALID"), "{out}");
    for want in
        ["办件编号", &no, "文书：准予行政许可决定书", "申请人：", "**********", "决定：准予行政许可", "成文日期："]
    {
        assert!(out.contains(want), "--qr shows {want}: {out}");
    }
    // That genuine code pasted onto a forged paper (seal picture copied, no signature): 内容不符.
    let (_, bundle) = yc_seal::load_trust(&trust).unwrap();
    let seal = bundle.content().seals[0].seal.clone();
    let fake = yc_seal::DocumentSpec {
        doc_type: yc_seal::DocType::ApprovalDecision,
        title: None,
        doc_id: "forged".into(),
        doc_number: "伪造许〔2026〕1号".into(),
        case_number: no.clone(),
        applicant_name: "李四".into(),
        applicant_id: "110101199003071234".into(),
        item_name: "食品经营许可".into(),
        body: vec!["本机关决定准予行政许可。".into()],
        list_items: vec![],
        legal_basis: None,
        department: seal.info().property.department.clone(),
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        qr_payload: None,
        certificate_fields: vec![],
        watermark: None,
    };
    let font = yc_seal::CjkFont::load_default().unwrap();
    let forged_paper = dir.path().join("forged-paper.pdf");
    std::fs::write(&forged_paper, yc_seal::render_forgery_with_qr(&fake, &font, &seal, &payload).unwrap()).unwrap();
    let o = bare_yc(&home, &["verify", "--trust", trust.to_str().unwrap(), forged_paper.to_str().unwrap()]);
    let out = text(&o);
    assert!(!o.status.success() && out.contains("ContentMismatch") && out.contains("内容不符"), "{out}");

    // Another workstation of the city: fresh, no bundle; verify stops at 尚无信任包.
    let w2 = dir.path().join("other");
    let o = yc(
        &w2,
        &["init", "--region", "440305", "--workstation", "T2", "--admin-password", yc_core::demo::DEMO_PASSWORD],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = yc(&w2, &["verify", pdf.to_str().unwrap()]);
    assert!(!o.status.success() && text(&o).contains("尚无信任包"), "{}", text(&o));
    // Import without a fingerprint only shows it; a wrong one is refused; nothing pinned.
    let o = yc(&w2, &["seal", "trust", "import", trust.to_str().unwrap()]);
    assert!(!o.status.success() && text(&o).replace(':', "").to_lowercase().contains(&sha), "{}", text(&o));
    let wrong = "00".repeat(32);
    let o = yc(&w2, &["seal", "trust", "import", trust.to_str().unwrap(), "--fingerprint", &wrong]);
    assert!(!o.status.success(), "{}", text(&o));
    let o = yc(&w2, &["verify", pdf.to_str().unwrap()]);
    assert!(!o.status.success(), "still unpinned: {}", text(&o));
    // The confirmed fingerprint pins the root and imports the bundle.
    let o = yc(&w2, &["seal", "trust", "import", trust.to_str().unwrap(), "--fingerprint", &sha]);
    assert!(o.status.success(), "{}", text(&o));
    let o = yc(&w2, &["verify", pdf.to_str().unwrap()]);
    assert!(o.status.success() && text(&o).contains("VALID"), "{}", text(&o));
    // And the ordinary bundle import works from then on (same version: refused as not newer).
    let o = yc(&w2, &["seal", "bundle", trust.join("trust-bundle.json").to_str().unwrap()]);
    assert!(!o.status.success() && text(&o).contains("不比现有版本"), "{}", text(&o));
}

/// SHA-256 by `sha256sum`: an implementation independent of the one yc uses.
fn sha256_hex(b: &[u8]) -> String {
    let p = std::env::temp_dir().join(format!("yc-fp-{}", std::process::id()));
    std::fs::write(&p, b).unwrap();
    let o = Command::new("sha256sum").arg(&p).output().expect("sha256sum");
    let _ = std::fs::remove_file(&p);
    String::from_utf8_lossy(&o.stdout).split_whitespace().next().unwrap_or_default().to_owned()
}

/// `dddd-dd-dd` anywhere (an ISO date on paper).
fn has_iso_date(s: &str) -> bool {
    let b: Vec<char> = s.chars().collect();
    b.windows(10)
        .any(|w| w.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == '-' } else { c.is_ascii_digit() }))
}

/// The verification QR text a sealed PDF carries (its overlay stream names it).
fn qr_payload_in(pdf: &[u8]) -> String {
    let key = b"%YC-QR ";
    let at = pdf.windows(key.len()).position(|w| w == key).expect("a verification QR") + key.len();
    let line = &pdf[at..at + pdf[at..].iter().position(|&b| b == b'\n').unwrap()];
    String::from_utf8(line.to_vec()).unwrap().splitn(4, ' ').nth(3).unwrap().to_owned()
}

/// `yc verify --at`: judged as of a later date, after the demo signer certificate (3 years)
/// expired, a decision sealed offline (PAdES B-B, no timestamp) is INDETERMINATE / ClaimedTimeOnly
/// — on the workstation and with the exported trust alike. (Timestamped B-T/B-LT documents stay
/// VALID then: seal/tests/it/pades.rs.)
#[test]
fn verify_at_a_date_after_expiry_is_indeterminate_for_a_document_without_timestamp() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("issuer");
    let (_, pdf, _) = demo_with_decision(&d);
    let trust = dir.path().join("trust");
    let o = yc(&d, &["seal", "trust", "export", "--out", trust.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let home = dir.path().join("elsewhere");
    let p = pdf.to_str().unwrap();
    let t = trust.to_str().unwrap();
    let verdict = |o: &Output| -> (String, String) {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)));
        (v["verdict"].as_str().unwrap_or("").to_owned(), v["reason"].as_str().unwrap_or("").to_owned())
    };
    let now = bare_yc(&home, &["--json", "verify", "--trust", t, p]);
    assert!(now.status.success(), "{}", text(&now));
    assert_eq!(verdict(&now).0, "Valid");
    let later = bare_yc(&home, &["--json", "verify", "--trust", t, p, "--at", "2040-01-01"]);
    assert!(!later.status.success(), "{}", text(&later));
    assert_eq!(verdict(&later), ("Indeterminate".into(), "ClaimedTimeOnly".into()), "{}", text(&later));
    let on_ws = yc(&d, &["--json", "verify", p, "--at", "2040-01-01T08:00:00+08:00"]);
    assert!(!on_ws.status.success(), "{}", text(&on_ws));
    assert_eq!(verdict(&on_ws), ("Indeterminate".into(), "ClaimedTimeOnly".into()), "{}", text(&on_ws));
    let plain = bare_yc(&home, &["verify", "--trust", t, p, "--at", "2040-01-01"]);
    assert!(text(&plain).contains("验证时间（--at）：2039-12-31T16:00:00+00:00"), "{}", text(&plain));
    let bad = bare_yc(&home, &["verify", "--trust", t, p, "--at", "明年"]);
    assert!(!bad.status.success() && text(&bad).contains("--at 应为"), "{}", text(&bad));
}
