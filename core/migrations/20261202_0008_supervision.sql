-- Supervision (电子监察), evaluations (好差评) and complaints (投诉). Every table here is derived from
-- the journal (`supervision.*`, `rating.*`, `work_order.*`, `complaint.*` events) and rebuilt by
-- `yc rebuild`; the thresholds live in settings under 'supervision.config' (journaled when set).

-- One row per monitor hit; hit_id is the idempotency key (rule, case, subject) so a second run of
-- the monitors raises nothing new.
CREATE TABLE supervision_hits (
    hit_id       TEXT PRIMARY KEY,
    rule         TEXT NOT NULL,
    severity     TEXT NOT NULL,          -- warning | serious
    case_no      TEXT,
    department   TEXT,
    staff        TEXT,
    evidence     TEXT NOT NULL,          -- JSON: what was seen, in figures
    occurred_on  TEXT NOT NULL,          -- the day the offending thing happened (statistics period)
    detected_at  TEXT NOT NULL,
    journal_seq  INTEGER NOT NULL
) STRICT;
CREATE INDEX supervision_hits_by_case ON supervision_hits(case_no);
CREATE INDEX supervision_hits_by_day ON supervision_hits(occurred_on, rule);

-- 好差评: one rating per case per channel.
CREATE TABLE ratings (
    rating_id    TEXT PRIMARY KEY,       -- the journal event id
    case_no      TEXT NOT NULL,
    channel      TEXT NOT NULL,          -- window_device | receipt_qr | sms | online
    level        TEXT NOT NULL,          -- very_satisfied … very_dissatisfied
    indicators   TEXT NOT NULL,          -- JSON object indicator → level
    comment      TEXT,
    real_name    INTEGER NOT NULL,
    rater_name   TEXT,
    rater_phone  TEXT,
    department   TEXT NOT NULL,
    staff        TEXT NOT NULL,          -- who took the case in (收件人): the window the applicant rates
    item_code    TEXT NOT NULL,
    rated_on     TEXT NOT NULL,
    journal_seq  INTEGER NOT NULL,
    UNIQUE (case_no, channel)
) STRICT;
CREATE INDEX ratings_by_day ON ratings(rated_on);

-- A 差评 opens a work order 核实 → 整改 → 反馈 → 回访 → 复核/申诉.
CREATE TABLE work_orders (
    order_id     TEXT PRIMARY KEY,       -- 'WO-' || rating id
    rating_id    TEXT NOT NULL REFERENCES ratings(rating_id),
    case_no      TEXT NOT NULL,
    department   TEXT NOT NULL,
    real_name    INTEGER NOT NULL,
    state        TEXT NOT NULL,          -- verifying | rectifying | feedback | callback | review | closed
    opened_on    TEXT NOT NULL,
    due_on       TEXT,                   -- NULL: the calendar lacks the year (note says why)
    note         TEXT,
    called_back  INTEGER NOT NULL DEFAULT 0,
    closed_on    TEXT,
    outcome      TEXT,                   -- rectified | appeal_upheld
    steps        TEXT NOT NULL DEFAULT '[]',  -- JSON: each step with who, when, what
    journal_seq  INTEGER NOT NULL
) STRICT;
CREATE INDEX work_orders_open ON work_orders(due_on) WHERE closed_on IS NULL;

CREATE TABLE complaints (
    complaint_id  TEXT PRIMARY KEY,
    complainant   TEXT NOT NULL,
    phone         TEXT,
    department    TEXT NOT NULL,
    staff         TEXT,
    subject       TEXT NOT NULL,
    cases         TEXT NOT NULL DEFAULT '[]',  -- JSON array of linked case numbers
    registered_on TEXT NOT NULL,
    due_on        TEXT,
    note          TEXT,
    assignee      TEXT,
    answered_on   TEXT,
    answer        TEXT,
    journal_seq   INTEGER NOT NULL
) STRICT;
CREATE INDEX complaints_by_day ON complaints(registered_on);
