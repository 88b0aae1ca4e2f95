"""Independent validation of a sealed PDF with pyHanko (what a receiving department runs).

usage: validate.py ROOT.pem [ROOT2.pem ...] FILE.pdf
Prints one JSON object: intact, valid, trusted, coverage, bottom_line, summary, pades_level (or
error). Trust: only the given roots (the seal authority's exported root, and the time-stamping
authority's root when timestamps are present); nothing fetched (offline).

pades_level is the highest PAdES baseline level (ETSI EN 319 142-1) whose requirements pyHanko's
own checks confirm, highest first:
  B-LT  validate_pdf_ltv_signature(PADES_LT) passes with fetching off, i.e. the chain and the
        revocation evidence come from the document's DSS, and the signature is timestamped;
  B-T   the signature is valid and a trusted timestamp covers it: a signature timestamp
        (signature-time-stamp unsigned attribute) or a document timestamp (/DocTimeStamp) later
        in the file, both validated by pyHanko;
  B-B   the signature is valid and trusted, /SubFilter is ETSI.CAdES.detached, the signed
        attributes carry ESS signing-certificate-v2 (checked by pyHanko against the signer) and
        no signingTime;
  null  none of these.
"""
import json
import sys

from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import (
    RevocationInfoValidationType,
    validate_pdf_ltv_signature,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko_certvalidator import ValidationContext


def load_root(path):
    with open(path, "rb") as f:
        data = f.read()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)


def level_b_b(sig, st):
    if not st.bottom_line:
        return False
    subfilter = sig.sig_object.get("/SubFilter")
    attrs = sig.signer_info["signed_attrs"]
    names = {a["type"].native for a in attrs}
    return (
        subfilter == "/ETSI.CAdES.detached"
        and "signing_certificate_v2" in names
        and "signing_time" not in names
    )


def timestamped(reader, sig, st, roots):
    ts = st.timestamp_validity
    if ts is not None and ts.valid and ts.trusted:
        return True
    for other in reader.embedded_signatures:
        if other.sig_object_type != "/DocTimeStamp":
            continue
        if other.signed_revision <= sig.signed_revision:
            continue
        vc = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        dts = validate_pdf_timestamp(other, validation_context=vc)
        if dts.valid and dts.trusted:
            return True
    return False


def level_b_lt(sig, roots, out):
    # The bootstrap context only establishes trust in the timestamp; the signature itself is
    # then validated with pyHanko's strict LTV revocation policy and the DSS as the only source
    # of certificates and revocation data (fetching stays off).
    boot = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    try:
        st = validate_pdf_ltv_signature(
            sig,
            RevocationInfoValidationType.PADES_LT,
            validation_context_kwargs={"trust_roots": roots, "allow_fetching": False},
            bootstrap_validation_context=boot,
        )
        if not st.bottom_line:
            out["lt_error"] = st.summary()
        return bool(st.bottom_line)
    except Exception as e:  # noqa: BLE001 — missing DSS/timestamp is "not LT", not a crash
        out["lt_error"] = f"{type(e).__name__}: {e}"
        return False


def main() -> int:
    roots = [load_root(p) for p in sys.argv[1:-1]]
    pdf_path = sys.argv[-1]
    vc = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    out = {}
    try:
        with open(pdf_path, "rb") as f:
            reader = PdfFileReader(f, strict=False)
            sigs = [s for s in reader.embedded_signatures if s.sig_object_type == "/Sig"]
            if not sigs:
                out = {"error": "no signature", "bottom_line": False}
            else:
                sig = sigs[0]
                st = validate_pdf_signature(sig, vc)
                level = None
                if level_b_b(sig, st):
                    level = "B-B"
                    if timestamped(reader, sig, st, roots):
                        level = "B-T"
                        if level_b_lt(sig, roots, out):
                            level = "B-LT"
                out |= {
                    "intact": bool(st.intact),
                    "valid": bool(st.valid),
                    "trusted": bool(st.trusted),
                    "coverage": st.coverage.name if st.coverage else None,
                    "bottom_line": bool(st.bottom_line),
                    "summary": st.summary(),
                    "pades_level": level,
                }
    except Exception as e:  # a malformed file is a verdict, not a crash
        out = {"error": f"{type(e).__name__}: {e}", "bottom_line": False}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
