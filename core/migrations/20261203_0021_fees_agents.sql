-- Issue 17 parts 6 and 8: fees (一次性收费) and agents (代办). Both tables are derived from the
-- journal (`fee.*` and `agent.record` events) and rebuilt by `yc rebuild`.

-- One row per fee account once it is settled: a case, or a theme (主题) whose branches' fees are
-- collected once by the lead department. An unsettled account has no row (its lines are read
-- from the catalog); a settled one keeps the lines it was settled on.
CREATE TABLE fees (
    account            TEXT PRIMARY KEY,     -- case_no, or theme_no
    theme_no           TEXT,
    department         TEXT NOT NULL,        -- the case's department, or the theme's lead
    item_code          TEXT NOT NULL,        -- the item's code, or the theme's (statistics by item)
    status             TEXT NOT NULL,        -- fee::Status code: paid | exempted | refunded
    amount_fen         INTEGER NOT NULL,     -- paid, or waived when exempted
    lines              TEXT NOT NULL,        -- JSON [fee::Line]
    receipt_no         TEXT UNIQUE,          -- 缴款书号/票据号 (paid)
    exempt_reason      TEXT,
    paid_on            TEXT NOT NULL,        -- the day it was paid or exempted
    paid_by            TEXT NOT NULL,        -- staff id
    refunded_fen       INTEGER,
    refund_receipt_no  TEXT UNIQUE,
    refund_reason      TEXT,
    refunded_on        TEXT,
    updated_seq        INTEGER NOT NULL
) STRICT;
CREATE INDEX fees_by_day ON fees(paid_on);

-- The agent (代办员) who filed a case for the applicant, with the authorisation's attachment.
CREATE TABLE case_agents (
    case_no         TEXT PRIMARY KEY REFERENCES cases(case_no),
    agent_name      TEXT NOT NULL,
    agent_id        TEXT,                    -- resident ID, when given
    level           TEXT NOT NULL,           -- agent::Level code: township | village
    post            TEXT,                    -- 代办点 (village or township)
    applicant_name  TEXT NOT NULL,
    authorisation   TEXT NOT NULL,           -- sha256 of the attached 委托书
    filed_on        TEXT NOT NULL,
    updated_seq     INTEGER NOT NULL
) STRICT;
