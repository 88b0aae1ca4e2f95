use crate::common;

use common::*;
use proptest::prelude::*;
use yc_seal::*;

fn sample() -> &'static (Fixture, Vec<u8>, String) {
    static S: std::sync::OnceLock<(Fixture, Vec<u8>, String)> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let f = fixture();
        let doc = seal_document(&decision_spec(), &f.seal, &f.signer(), &font(), f.now).expect("seal");
        (f, doc.pdf, doc.qr_payload)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn verify_pdf_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let (f, _, _) = sample();
        let v = verify_pdf(&bytes, &f.bundle, f.now);
        prop_assert_ne!(v.verdict, Verdict::Valid);
    }

    #[test]
    fn verify_pdf_never_panics_on_random_signature_dictionaries(br in proptest::collection::vec(0usize..200_000, 0..6), hex in "[0-9A-Fa-f<> ]{0,200}") {
        let (f, _, _) = sample();
        let nums: Vec<String> = br.iter().map(ToString::to_string).collect();
        let text = format!("%PDF-1.7\n<< /ByteRange [{}] /Contents <{hex}> >>\n", nums.join(" "));
        let v = verify_pdf(text.as_bytes(), &f.bundle, f.now);
        prop_assert_ne!(v.verdict, Verdict::Valid);
    }

    #[test]
    fn any_single_byte_change_outside_the_signature_value_is_never_valid(pos in any::<prop::sample::Index>(), delta in 1u8..=255) {
        let (f, pdf, _) = sample();
        let mut pdf = pdf.clone();
        let i = pos.index(pdf.len());
        let gap_start = pdf.windows(11).rposition(|w| w == b"/Contents <").expect("gap") + 10;
        let gap_end = gap_start + pdf[gap_start..].iter().position(|&b| b == b'>').expect("end");
        prop_assume!(i < gap_start || i > gap_end);
        pdf[i] = pdf[i].wrapping_add(delta);
        prop_assert_ne!(verify_pdf(&pdf, &f.bundle, f.now).verdict, Verdict::Valid);
    }

    #[test]
    fn verify_qr_never_panics_on_random_text(text in ".{0,400}") {
        let (f, _, _) = sample();
        prop_assert_ne!(verify_qr(&text, &f.bundle, f.now).verdict, Verdict::Valid);
    }

    #[test]
    fn any_single_char_change_in_the_qr_payload_is_never_valid(pos in any::<prop::sample::Index>(), c in "[A-Za-z0-9._-]") {
        let (f, _, qr) = sample();
        let mut chars: Vec<char> = qr.chars().collect();
        let i = pos.index(chars.len());
        let new = c.chars().next().expect("char");
        prop_assume!(chars[i] != new);
        chars[i] = new;
        let tampered: String = chars.into_iter().collect();
        prop_assert_ne!(verify_qr(&tampered, &f.bundle, f.now).verdict, Verdict::Valid);
    }
}
