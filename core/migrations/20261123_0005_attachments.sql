-- Files handed in with a case (scans, photos), derived from the journal like case_materials.
-- The bytes live in <data>/attachments/, addressed by sha256; this table only names them.
CREATE TABLE case_attachments (
    case_no      TEXT NOT NULL REFERENCES cases(case_no),
    pos          INTEGER NOT NULL,      -- order the clerk added them in
    sha256       TEXT NOT NULL,
    name         TEXT NOT NULL,
    mime         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    material_id  TEXT,
    PRIMARY KEY (case_no, pos)
) STRICT;
CREATE INDEX case_attachments_by_sha ON case_attachments(sha256);
