use crate::common;

use std::num::NonZeroU32;

use common::*;
use yc_seal::*;

fn fast() -> KeyStoreOptions {
    // Low iteration count only to keep debug-build tests quick; production uses the default.
    KeyStoreOptions { iterations: NonZeroU32::new(1_000).expect("nz"), max_attempts: DEFAULT_MAX_ATTEMPTS }
}

fn key_file(f: &Fixture, dir: &std::path::Path, opts: KeyStoreOptions) -> SealKeyFile {
    SealKeyFile::create(&dir.join("seal.key"), f.seal.id(), &f.pkcs8, f.chain.clone(), "246813", opts).expect("create")
}

#[test]
fn default_protection_is_owasp_2023_pbkdf2_and_five_tries() {
    let o = KeyStoreOptions::default();
    assert!(o.iterations.get() >= 600_000);
    assert_eq!(o.max_attempts, 5);
}

#[test]
fn right_pin_unlocks_a_signer_that_seals() {
    let f = fixture();
    let dir = tempfile::tempdir().expect("tmp");
    // One real run at the production iteration count.
    let kf = key_file(&f, dir.path(), KeyStoreOptions::default());
    let signer = kf.unlock("246813").expect("unlock");
    let doc = seal_document(&decision_spec(), &f.seal, &signer, &font(), f.now).expect("seal");
    assert_eq!(verify_pdf(&doc.pdf, &f.bundle, f.now).verdict, Verdict::Valid);
}

#[test]
fn five_wrong_pins_lock_the_seal_even_for_the_right_pin_and_survive_reopen() {
    let f = fixture();
    let dir = tempfile::tempdir().expect("tmp");
    let kf = key_file(&f, dir.path(), fast());
    for remaining in (1..5).rev() {
        assert!(matches!(kf.unlock("000000"), Err(SealError::WrongPin { remaining: r }) if r == remaining));
    }
    assert!(matches!(kf.unlock("000000"), Err(SealError::Locked { attempts: 5 })));
    let reopened = SealKeyFile::open(kf.path()).expect("open");
    assert!(reopened.status().expect("status").locked);
    assert!(matches!(reopened.unlock("246813"), Err(SealError::Locked { .. })));
    reopened.reset_attempts().expect("admin reset");
    assert!(reopened.unlock("246813").is_ok());
}

#[test]
fn right_pin_resets_the_wrong_pin_counter() {
    let f = fixture();
    let dir = tempfile::tempdir().expect("tmp");
    let kf = key_file(&f, dir.path(), fast());
    assert!(kf.unlock("111111").is_err());
    assert!(kf.unlock("222222").is_err());
    assert_eq!(kf.status().expect("s").failed_attempts, 2);
    kf.unlock("246813").expect("unlock");
    assert_eq!(kf.status().expect("s").failed_attempts, 0);
}

#[test]
fn key_file_holds_no_key_material_in_clear() {
    use base64::Engine as _;
    let f = fixture();
    let dir = tempfile::tempdir().expect("tmp");
    let kf = key_file(&f, dir.path(), fast());
    let bytes = std::fs::read(kf.path()).expect("read");
    let pkcs8: &[u8] = &f.pkcs8;
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    assert!(!contains(&bytes, pkcs8));
    // Nor the 32-byte private scalar (PKCS#8 from ring: OCTET STRING after 04 20), nor encodings.
    let scalar_at = pkcs8.windows(2).position(|w| w == [0x04, 0x20]).expect("scalar") + 2;
    let scalar = &pkcs8[scalar_at..scalar_at + 32];
    assert!(!contains(&bytes, scalar));
    assert!(!contains(&bytes, base64::engine::general_purpose::STANDARD.encode(pkcs8).as_bytes()));
    let hex: String = scalar.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!contains(&bytes, hex.as_bytes()));
    // No temp files left behind by the atomic writes.
    assert!(kf.unlock("999999").is_err());
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
}

#[test]
fn signer_debug_output_never_shows_the_key() {
    let f = fixture();
    let s = format!("{:?}", f.signer());
    assert!(s.contains("SoftwareSigner"));
    let hex: String = f.pkcs8.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!s.contains(&hex[hex.len() - 64..]));
    assert!(!s.contains("pkcs8") && !s.contains("key:"));
}

#[test]
fn creating_over_an_existing_key_file_is_refused() {
    let f = fixture();
    let dir = tempfile::tempdir().expect("tmp");
    let _ = key_file(&f, dir.path(), fast());
    assert!(matches!(
        SealKeyFile::create(&dir.path().join("seal.key"), "x", &f.pkcs8, f.chain.clone(), "246813", fast()),
        Err(SealError::KeyFileExists(_))
    ));
}

#[test]
fn key_file_refuses_a_certificate_for_another_key() {
    let f = fixture();
    let dir = tempfile::tempdir().expect("tmp");
    let other = generate_pkcs8().expect("key");
    assert!(matches!(
        SealKeyFile::create(&dir.path().join("k"), "x", &other, f.chain.clone(), "246813", fast()),
        Err(SealError::SealMismatch(_))
    ));
}

#[test]
fn short_pin_is_rejected_at_creation() {
    let f = fixture();
    let dir = tempfile::tempdir().expect("tmp");
    assert!(matches!(
        SealKeyFile::create(&dir.path().join("k"), "x", &f.pkcs8, f.chain.clone(), "123", fast()),
        Err(SealError::InvalidPin)
    ));
}

#[test]
fn change_pin_reencrypts_and_old_pin_stops_working() {
    let f = fixture();
    let dir = tempfile::tempdir().expect("tmp");
    let kf = key_file(&f, dir.path(), fast());
    kf.change_pin("246813", "13572468", NonZeroU32::new(1_000).expect("nz")).expect("change");
    assert!(matches!(kf.unlock("246813"), Err(SealError::WrongPin { .. })));
    assert!(kf.unlock("13572468").is_ok());
}
