"""Independent validation of a sealed PDF with pyHanko (what a receiving department runs).

usage: validate.py ROOT.pem FILE.pdf
Prints one JSON object: intact, valid, trusted, coverage, bottom_line, summary (or error).
Trust: only ROOT.pem (the seal authority's exported root); nothing fetched (offline).
"""
import json
import sys

from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


def main() -> int:
    root_path, pdf_path = sys.argv[1], sys.argv[2]
    with open(root_path, "rb") as f:
        data = f.read()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    root = x509.Certificate.load(data)
    vc = ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail")
    out = {}
    try:
        with open(pdf_path, "rb") as f:
            reader = PdfFileReader(f, strict=False)
            sigs = reader.embedded_signatures
            if not sigs:
                out = {"error": "no signature", "bottom_line": False}
            else:
                st = validate_pdf_signature(sigs[0], vc)
                out = {
                    "intact": bool(st.intact),
                    "valid": bool(st.valid),
                    "trusted": bool(st.trusted),
                    "coverage": st.coverage.name if st.coverage else None,
                    "bottom_line": bool(st.bottom_line),
                    "summary": st.summary(),
                }
    except Exception as e:  # a malformed file is a verdict, not a crash
        out = {"error": f"{type(e).__name__}: {e}", "bottom_line": False}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
