-- The applicant's side of a case (issue 17): how the result reaches the applicant (送达).
-- Every row here is derived from the journal (`delivery.*` events) and rebuilt by `yc rebuild`.

CREATE TABLE deliveries (
    case_no        TEXT PRIMARY KEY REFERENCES cases(case_no),
    method         TEXT NOT NULL,          -- delivery::Method code
    address        TEXT,                   -- NULL for window pickup
    recipient      TEXT,                   -- who the result is addressed to (default: the applicant)
    status         TEXT NOT NULL,          -- delivery::Status code
    carrier        TEXT,                   -- post office, courier company, or the township agent's name
    waybill        TEXT,                   -- 运单号 / 挂号信号 (NULL for window and agent)
    dispatched_on  TEXT,
    received_on    TEXT,
    signed_by      TEXT,                   -- who signed for it (签收人)
    returned_on    TEXT,
    return_reason  TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,  -- dispatches so far (a 退件 re-sent counts again)
    planned_on     TEXT NOT NULL,
    updated_seq    INTEGER NOT NULL
) STRICT;
CREATE INDEX deliveries_by_status ON deliveries(status, dispatched_on);

-- The local electronic licence directory (电子证照, GB/T 36904): certificates sealed here
-- (`document.sealed` of a certificate carries its licence id) and licences pulled from the
-- licence library (`licence.import`). `expired` is not stored: it is read from valid_until.
CREATE TABLE licences (
    licence_id   TEXT PRIMARY KEY,
    holder_id    TEXT NOT NULL,
    holder_name  TEXT NOT NULL,
    type_name    TEXT NOT NULL,
    issuer_name  TEXT NOT NULL,
    case_no      TEXT,                  -- the case it was issued from (issued here)
    valid_from   TEXT NOT NULL,
    valid_until  TEXT,                  -- NULL: no end (长期有效)
    status       TEXT NOT NULL,         -- licence::Status code (never 'expired')
    source       TEXT NOT NULL,         -- licence::Source code
    updated_seq  INTEGER NOT NULL
) STRICT;
CREATE INDEX licences_by_holder ON licences(holder_id, status);
CREATE INDEX licences_by_case ON licences(case_no);

-- Notices to the applicant (办件通知): the consented phone per case (a withdrawal deletes the
-- row, so the number is kept only while consent stands) and each notice queued; its sending
-- state is the outbox delivery of the item keyed by notice_id.
CREATE TABLE notice_consents (
    case_no      TEXT PRIMARY KEY REFERENCES cases(case_no),
    phone        TEXT NOT NULL,
    recorded_on  TEXT NOT NULL,
    updated_seq  INTEGER NOT NULL
) STRICT;

CREATE TABLE notices (
    notice_id    TEXT PRIMARY KEY,       -- the notice.queued event id = the outbox item key
    case_no      TEXT NOT NULL,
    template     TEXT NOT NULL,          -- notice::Template code
    text         TEXT NOT NULL,
    queued_at    TEXT NOT NULL,
    journal_seq  INTEGER NOT NULL
) STRICT;
CREATE INDEX notices_by_case ON notices(case_no, journal_seq);
