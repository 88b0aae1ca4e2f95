//! Fuzzing sealed-PDF verification and QR payloads (issue 13 part 4) as proptest: random bytes,
//! random signature dictionaries, single-byte and single-character changes of a freshly sealed
//! sample — none verifies. The sample and the check live in yc-fuzzkit, shared with the
//! cargo-fuzz targets `sealed_pdf` and `qr` in `fuzz/`; docs/fuzzing.md.

use proptest::prelude::*;
use yc_fuzzkit::seal::{pdf as check_pdf, qr as check_qr, sample};

#[test]
fn seal_corpus_and_sample() {
    let s = sample();
    check_pdf(&s.pdf).unwrap();
    check_qr(&s.qr).unwrap();
    for (name, bytes) in yc_fuzzkit::corpus("sealed-pdf") {
        check_pdf(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    for (name, bytes) in yc_fuzzkit::corpus("qr") {
        check_qr(&String::from_utf8_lossy(&bytes)).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn verify_pdf_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        check_pdf(&bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn verify_pdf_never_panics_on_random_signature_dictionaries(br in proptest::collection::vec(0usize..200_000, 0..6), hex in "[0-9A-Fa-f<> ]{0,200}") {
        let nums: Vec<String> = br.iter().map(ToString::to_string).collect();
        let text = format!("%PDF-1.7\n<< /ByteRange [{}] /Contents <{hex}> >>\n", nums.join(" "));
        check_pdf(text.as_bytes()).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn any_single_byte_change_outside_the_signature_value_is_never_valid(pos in any::<prop::sample::Index>(), delta in 1u8..=255) {
        let mut pdf = sample().pdf.clone();
        let i = pos.index(pdf.len());
        let gap_start = pdf.windows(11).rposition(|w| w == b"/Contents <").expect("gap") + 10;
        let gap_end = gap_start + pdf[gap_start..].iter().position(|&b| b == b'>').expect("end");
        prop_assume!(i < gap_start || i > gap_end);
        pdf[i] = pdf[i].wrapping_add(delta);
        check_pdf(&pdf).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn verify_qr_never_panics_on_random_text(text in ".{0,400}") {
        check_qr(&text).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn any_single_char_change_in_the_qr_payload_is_never_valid(pos in any::<prop::sample::Index>(), c in "[A-Za-z0-9._-]") {
        let mut chars: Vec<char> = sample().qr.chars().collect();
        let i = pos.index(chars.len());
        let new = c.chars().next().expect("char");
        prop_assume!(chars[i] != new);
        chars[i] = new;
        let tampered: String = chars.into_iter().collect();
        check_qr(&tampered).map_err(TestCaseError::fail)?;
    }
}
