-- Parallel approval (并联审批, issue 16): themes in the catalog (configuration, stored with their
-- catalog version) and the theme cases filed from them (derived from the `theme.file` journal
-- event and rebuilt by `yc rebuild`; each branch is an ordinary row of `cases`).

CREATE TABLE catalog_themes (
    version          INTEGER NOT NULL,
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    lead_department  TEXT NOT NULL,
    body             TEXT NOT NULL,        -- catalog::Theme JSON
    PRIMARY KEY (version, code)
) STRICT;

CREATE TABLE themes (
    theme_no         TEXT PRIMARY KEY,     -- numbered like a case (the same daily sequence)
    theme_code       TEXT NOT NULL,
    catalog_version  INTEGER NOT NULL,
    name             TEXT NOT NULL,
    lead_department  TEXT NOT NULL,
    limit_days       INTEGER NOT NULL,     -- overall limit, working days from filing
    applicant_id     TEXT NOT NULL,
    applicant_name   TEXT NOT NULL,
    channel          TEXT NOT NULL,
    filed_on         TEXT NOT NULL,
    due_date         TEXT,                 -- NULL when the calendar lacks the year (see deadline_note)
    deadline_note    TEXT,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    last_seq         INTEGER NOT NULL
) STRICT;
CREATE INDEX themes_by_filing ON themes (filed_on, theme_no);  -- the lead's list, newest first

CREATE TABLE theme_branches (
    theme_no    TEXT NOT NULL,
    pos         INTEGER NOT NULL,          -- 0-based, catalog order
    case_no     TEXT NOT NULL UNIQUE,      -- the branch's own case
    item_code   TEXT NOT NULL,
    department  TEXT NOT NULL,
    required    INTEGER NOT NULL,
    after       TEXT NOT NULL,             -- JSON array of the case numbers that must be approved first
    PRIMARY KEY (theme_no, pos)
) STRICT;
