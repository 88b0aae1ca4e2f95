//! Independent validation: pyHanko (installed by `scripts/deps.sh test`), trusting only the
//! exported root, judges our sealed decision and the forgery set, and its verdicts must agree
//! with `verify_pdf` (accepted ⇔ VALID).

use crate::common;

use std::path::Path;
use std::process::Command;

use common::forge::*;
use common::*;
use yc_seal::*;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pyhanko/validate.py");

fn pyhanko_available() -> bool {
    Command::new("python3").args(["-c", "import pyhanko.sign"]).output().is_ok_and(|o| o.status.success())
}

/// pyHanko's judgement of `pdf` with `root_pem` as the only trust anchor.
fn pyhanko(dir: &Path, root_pem: &Path, name: &str, pdf: &[u8]) -> serde_json::Value {
    pyhanko_roots(dir, &[root_pem], name, pdf)
}

fn pyhanko_roots(dir: &Path, roots: &[&Path], name: &str, pdf: &[u8]) -> serde_json::Value {
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    if let Ok(keep) = std::env::var("YC_KEEP_PDFS") {
        let _ = std::fs::create_dir_all(&keep);
        for r in roots {
            let _ = std::fs::copy(r, Path::new(&keep).join(r.file_name().unwrap()));
        }
        let _ = std::fs::write(Path::new(&keep).join(name), pdf);
    }
    let o = Command::new("python3").arg(SCRIPT).args(roots).arg(&path).output().expect("python3");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

#[test]
fn pyhanko_and_yc_agree_on_the_genuine_decision_and_the_forgery_set() {
    if !pyhanko_available() {
        eprintln!("pyHanko not installed (scripts/deps.sh test installs it); skipping");
        return;
    }
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    // The exported trust directory, as a receiving department gets it.
    let exported =
        export_trust(&dir.path().join("trust"), &[f.authority.root_certificate().to_vec()], &f.bundle).expect("export");
    let root = &exported[0].pem;
    let genuine = seal_document(&decision_spec(), &f.seal, &f.signer(), &font(), f.now).expect("seal").pdf;

    // Byte flip in the page content.
    let mut flipped = genuine.clone();
    let at = flipped.windows(2).position(|w| w == b"BT").unwrap();
    flipped[at + 3] ^= 1;
    // Cloned certificate: an "authority" of the same name issues the same subject to its own key.
    let clone_ca = SealAuthority::generate(f.authority.name(), t("2026-01-01T00:00:00Z"), t("2036-01-01T00:00:00Z"))
        .expect("clone ca");
    let key = generate_pkcs8().expect("key");
    let cert = new_signer_cert(&clone_ca, &key);
    let clone_seal =
        issue_seal(&clone_ca, f.seal.id(), vec![cert.clone()], "2026-01-01T00:00:00Z", "2028-12-31T00:00:00Z");
    let signer = SoftwareSigner::from_pkcs8(&key, vec![cert, clone_ca.root_certificate().to_vec()]).unwrap();
    let cloned = seal_document(&decision_spec(), &clone_seal, &signer, &font(), f.now).expect("clone").pdf;
    // s → n − s.
    let malleated = rewrite_cms(&genuine, |si| {
        let m = malleate(si.signature.as_bytes());
        si.signature = der::asn1::OctetString::new(m).unwrap();
    });

    // Genuine key, but signing-certificate-v2 names another certificate.
    let wrong_ess = crate::pades::wrong_signing_certificate(&f, &genuine);

    let mut report = Vec::new();
    for (name, pdf, expect_ok) in [
        ("genuine.pdf", &genuine, true),
        ("wrong-ess.pdf", &wrong_ess, false),
        ("flipped.pdf", &flipped, false),
        ("cloned.pdf", &cloned, false),
        ("malleated.pdf", &malleated, false),
    ] {
        let ph = pyhanko(dir.path(), root, name, pdf);
        let yc = verify_pdf(pdf, &f.bundle, f.now);
        let ph_ok = ph["bottom_line"] == true;
        let yc_ok = yc.verdict == Verdict::Valid;
        report.push(format!("{name}: pyHanko {ph} / yc {:?} {:?}", yc.verdict, yc.reason));
        assert_eq!(yc_ok, expect_ok, "yc on {name}: {yc:#?}");
        if name == "malleated.pdf" {
            // pyHanko (OpenSSL via `cryptography`) accepts a high-S ECDSA signature: the signed
            // bytes are unchanged, so it is mathematically valid. yc refuses the non-canonical
            // form. This is the one known disagreement (docs/seal.md); check it stays as documented.
            assert_eq!(ph["intact"], true, "{ph}");
            continue;
        }
        assert_eq!(ph_ok, yc_ok, "pyHanko and yc disagree on {name}: {ph} vs {yc:#?}");
        if name == "genuine.pdf" {
            assert_eq!((ph["intact"].clone(), ph["trusted"].clone()), (true.into(), true.into()), "{ph}");
            assert_eq!(ph["coverage"], "ENTIRE_FILE", "{ph}");
            assert_eq!(ph["pades_level"], "B-B", "{ph}");
        }
        if name == "flipped.pdf" {
            assert_eq!(ph["intact"], false, "{ph}");
        }
        if name == "cloned.pdf" {
            assert_eq!(ph["trusted"], false, "{ph}");
        }
    }
    eprintln!("{}", report.join("\n"));
}

/// PAdES levels as pyHanko judges them, trusting the seal authority's root and the city TSA's
/// root only, nothing fetched: sealed online (signature timestamp) → B-T, plus DSS → B-LT;
/// sealed offline → B-B, after the sync pass's document timestamp → B-T, with DSS → B-LT.
#[test]
fn pyhanko_reports_b_t_and_b_lt_online_and_after_sync() {
    if !pyhanko_available() {
        eprintln!("pyHanko not installed (scripts/deps.sh test installs it); skipping");
        return;
    }
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.pem");
    std::fs::write(&root, certificate_pem(f.authority.root_certificate())).unwrap();
    let tsa_root = dir.path().join("tsa-root.pem");
    std::fs::write(&tsa_root, certificate_pem(&f.tsa_root)).unwrap();
    // pyHanko validates at the real clock: stamp at the fixture's time (certificates, seal and
    // CRL are current now too).
    let tsa = f.tsa(f.now);
    let lt = f.bundle.validation_data(&f.chain, &f.tsa_chain);
    let online = seal_document_timestamped(&decision_spec(), &f.seal, &f.signer(), &font(), f.now, &tsa).unwrap().pdf;
    let offline = seal_document(&decision_spec(), &f.seal, &f.signer(), &font(), f.now).unwrap().pdf;
    let cases = [
        ("offline-bb.pdf", offline.clone(), "B-B"),
        ("online-bt.pdf", online.clone(), "B-T"),
        ("online-blt.pdf", add_validation_data(&online, &lt).unwrap(), "B-LT"),
        ("synced-bt.pdf", add_document_timestamp(&offline, None, &tsa).unwrap(), "B-T"),
        ("synced-blt.pdf", add_document_timestamp(&offline, Some(&lt), &tsa).unwrap(), "B-LT"),
        // A DSS without the authority's CRL is not long-term: no revocation evidence.
        (
            "online-dss-no-crl.pdf",
            add_validation_data(&online, &ValidationData { crls: vec![], ..lt.clone() }).unwrap(),
            "B-T",
        ),
    ];
    let mut report = Vec::new();
    for (name, pdf, level) in &cases {
        let ph = pyhanko_roots(dir.path(), &[&root, &tsa_root], name, pdf);
        let yc = verify_pdf(pdf, &f.bundle, f.now);
        report.push(format!("{name}: pyHanko {ph} / yc {:?}", yc.verdict));
        assert_eq!(ph["bottom_line"], true, "{name}: {ph}");
        assert_eq!(ph["pades_level"], *level, "{name}: {ph}");
        assert_eq!(yc.verdict, Verdict::Valid, "{name}: {yc:#?}");
    }
    // The forgery set on a B-LT document: pyHanko and yc agree.
    let blt = &cases[4].1;
    assert_eq!(cases[4].0, "synced-blt.pdf");
    let mut flipped = blt.clone();
    let at = flipped.windows(2).position(|w| w == b"BT").unwrap();
    flipped[at + 3] ^= 1;
    let mut dss_edited = blt.clone();
    let at = dss_edited.windows(10).rposition(|w| w == b"/Type /DSS").unwrap() + 300;
    dss_edited[at] ^= 1;
    for (name, pdf) in [("blt-flipped.pdf", &flipped), ("blt-dss-edited.pdf", &dss_edited)] {
        let ph = pyhanko_roots(dir.path(), &[&root, &tsa_root], name, pdf);
        let yc = verify_pdf(pdf, &f.bundle, f.now);
        report.push(format!("{name}: pyHanko {ph} / yc {:?} {:?}", yc.verdict, yc.reason));
        assert_ne!(yc.verdict, Verdict::Valid, "{name}: {yc:#?}");
        assert!(ph["bottom_line"] != true || ph["pades_level"] != "B-LT", "{name}: pyHanko still says B-LT: {ph}");
    }
    eprintln!("{}", report.join("\n"));
}
