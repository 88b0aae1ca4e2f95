-- Yichuang case store, schema 1. Never edit after it ships: add a new migration instead.

-- Who this workstation is. The case-number prefix comes from here.
CREATE TABLE workstation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    region      TEXT NOT NULL,      -- 6-digit 行政区划代码
    code        TEXT NOT NULL,      -- workstation code, unique within the region
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The truth: append-only, hash-chained per workstation. Everything below "derived" is rebuilt from it.
CREATE TABLE journal (
    seq        INTEGER PRIMARY KEY,          -- 1, 2, 3 … without gaps
    id         TEXT NOT NULL UNIQUE,         -- UUIDv7
    case_no    TEXT,                         -- NULL for workstation-level events
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    action     TEXT NOT NULL,
    at         TEXT NOT NULL,                -- RFC 3339, +08:00
    payload    TEXT NOT NULL,                -- JSON
    reason     TEXT,
    prev_hash  BLOB NOT NULL,
    hash       BLOB NOT NULL
) STRICT;
CREATE INDEX journal_by_case ON journal(case_no, seq) WHERE case_no IS NOT NULL;
CREATE TRIGGER journal_is_append_only_u BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
CREATE TRIGGER journal_is_append_only_d BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;

-- The chain head, written in the same transaction as each event: truncating the tail is detected.
CREATE TABLE journal_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  BLOB NOT NULL
) STRICT;

-- Configuration (journaled for audit, stored directly).
CREATE TABLE staff (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    roles          TEXT NOT NULL,       -- JSON array of role codes
    departments    TEXT NOT NULL,       -- JSON array; ["*"] = every department (综合窗口)
    password_hash  TEXT,                -- pbkdf2-sha256$iterations$salt$hash (hex)
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL
) STRICT;

CREATE TABLE catalog_versions (
    version      INTEGER PRIMARY KEY,
    label        TEXT NOT NULL,
    issuer       TEXT NOT NULL,
    imported_at  TEXT NOT NULL,
    imported_by  TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    item_count   INTEGER NOT NULL
) STRICT;

CREATE TABLE catalog_items (
    version         INTEGER NOT NULL REFERENCES catalog_versions(version),
    code            TEXT NOT NULL,
    name            TEXT NOT NULL,
    department      TEXT NOT NULL,
    item_type       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    statutory_days  INTEGER NOT NULL,
    promised_days   INTEGER NOT NULL,
    body            TEXT NOT NULL,      -- the item as JSON, exactly as imported
    PRIMARY KEY (version, code)
) STRICT;

CREATE TABLE calendar_years (
    year   INTEGER PRIMARY KEY,
    body   TEXT NOT NULL              -- yichuang-calendar/1 JSON
) STRICT;

-- Derived from the journal (see `yc rebuild`).
CREATE TABLE applicants (
    id_no       TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,          -- person | legal_person
    name        TEXT NOT NULL,
    phone       TEXT,
    first_case  TEXT NOT NULL,
    last_case   TEXT NOT NULL
) STRICT;

CREATE TABLE cases (
    case_no           TEXT PRIMARY KEY,
    item_code         TEXT NOT NULL,
    catalog_version   INTEGER NOT NULL,
    item_name         TEXT NOT NULL,
    department        TEXT NOT NULL,
    kind              TEXT NOT NULL,        -- immediate | promised
    applicant_id      TEXT NOT NULL,
    applicant_name    TEXT NOT NULL,
    applicant_kind    TEXT NOT NULL,
    channel           TEXT NOT NULL,        -- window | online | township
    state             TEXT NOT NULL,
    resume_state      TEXT,                 -- where 补正/中止/特别程序 returns to
    outcome           TEXT,                 -- approved | denied
    has_certificate   INTEGER NOT NULL,     -- the item yields a 证照 that must be produced before delivery
    certificate_made  INTEGER NOT NULL DEFAULT 0,
    licence_status    TEXT,                 -- in_force | cancelled | revoked
    published         INTEGER NOT NULL DEFAULT 0,
    filed_on          TEXT NOT NULL,
    accepted_on       TEXT,
    limit_days        INTEGER NOT NULL,     -- 承诺时限 (working days)
    statutory_days    INTEGER NOT NULL,
    extension_days    INTEGER NOT NULL DEFAULT 0,
    stopped_days      INTEGER NOT NULL DEFAULT 0,  -- closed clock stops, working days
    stopped_since     TEXT,                 -- open clock stop start date
    due_date          TEXT,                 -- NULL: not yet running, or calendar missing (see deadline_note)
    deadline_note     TEXT,
    supplement_count  INTEGER NOT NULL DEFAULT 0,
    closed_on         TEXT,
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    last_seq          INTEGER NOT NULL
) STRICT;
CREATE INDEX cases_by_state ON cases(state, due_date);
CREATE INDEX cases_open_by_due ON cases(due_date) WHERE closed_on IS NULL;
CREATE INDEX cases_by_applicant ON cases(applicant_id);
CREATE INDEX cases_by_applicant_name ON cases(applicant_name);
CREATE INDEX cases_by_dept ON cases(department, state);

CREATE TABLE case_materials (
    case_no      TEXT NOT NULL REFERENCES cases(case_no),
    material_id  TEXT NOT NULL,
    name         TEXT NOT NULL,
    required     INTEGER NOT NULL,
    provided     INTEGER NOT NULL,
    reused_from  TEXT,                 -- case number the material was reused from
    PRIMARY KEY (case_no, material_id)
) STRICT;

CREATE TABLE case_seq (
    day   TEXT PRIMARY KEY,             -- YYYYMMDD
    last  INTEGER NOT NULL
) STRICT;

-- Trigram so that Chinese substrings (two names, part of an item name) match.
CREATE VIRTUAL TABLE case_fts USING fts5(
    case_no, applicant_name, applicant_id, item_name,
    tokenize = 'trigram', content = '', contentless_delete = 1
);
