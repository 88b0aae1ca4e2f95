-- Electronic seals: pinned trust anchors, signed trust bundles, the department seals this
-- workstation may use, sealed documents (derived from the journal) and the seal usage log
-- (用印登记: append-only, hash-chained on its own).

CREATE TABLE trust_anchors (
    sha256    TEXT PRIMARY KEY,
    der       BLOB NOT NULL,
    name      TEXT NOT NULL,
    added_at  TEXT NOT NULL
) STRICT;

CREATE TABLE trust_bundles (
    version      INTEGER PRIMARY KEY,
    body         BLOB NOT NULL,
    received_at  TEXT NOT NULL,
    source       TEXT NOT NULL
) STRICT;

CREATE TABLE seals (
    seal_id     TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    seal_type   TEXT NOT NULL,
    department  TEXT NOT NULL,
    seal_json   TEXT NOT NULL,     -- the SESeal-shaped object, exactly as the authority signed it
    key_file    TEXT NOT NULL,     -- encrypted key file, relative to the data directory
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX seals_by_department ON seals(department);

-- Derived from `document.sealed` journal events (rebuilt by `yc rebuild`).
CREATE TABLE documents (
    doc_id       TEXT PRIMARY KEY,
    case_no      TEXT NOT NULL,
    doc_type     TEXT NOT NULL,
    seal_id      TEXT NOT NULL,
    file_sha256  TEXT NOT NULL,    -- the PDF is documents/<file_sha256>.pdf in the data directory
    qr_payload   TEXT NOT NULL,
    sealed_at    TEXT NOT NULL,
    sealed_by    TEXT NOT NULL,
    journal_seq  INTEGER NOT NULL
) STRICT;
CREATE INDEX documents_by_case ON documents(case_no, doc_type);

CREATE TABLE seal_usage (
    seq             INTEGER PRIMARY KEY,
    doc_id          TEXT NOT NULL,
    seal_id         TEXT NOT NULL,
    case_no         TEXT NOT NULL,
    doc_type        TEXT NOT NULL,
    file_sha256     TEXT NOT NULL,
    signature_info  TEXT NOT NULL,
    actor           TEXT NOT NULL,
    at              TEXT NOT NULL,
    prev_hash       BLOB NOT NULL,
    hash            BLOB NOT NULL
) STRICT;
CREATE TRIGGER seal_usage_is_append_only_u BEFORE UPDATE ON seal_usage
BEGIN SELECT RAISE(ABORT, 'seal usage log is append-only'); END;
CREATE TRIGGER seal_usage_is_append_only_d BEFORE DELETE ON seal_usage
BEGIN SELECT RAISE(ABORT, 'seal usage log is append-only'); END;
