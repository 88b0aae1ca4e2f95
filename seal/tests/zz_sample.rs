mod common;
use common::*;
#[test]
#[ignore]
fn write_sample() {
    let f = fixture();
    let sealed = yc_seal::seal_document(&decision_spec(), &f.seal, &f.signer(), &font(), f.now).unwrap();
    std::fs::write("/tmp/yc_seal_sample.pdf", &sealed.pdf).unwrap();
}
