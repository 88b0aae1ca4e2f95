-- Offline-first sync: outbox (what must reach far systems), per-adapter delivery state,
-- inbox (what arrived), cursors. Outbox rows are written in the same transaction as the journal
-- event they carry; nothing here is deleted until the far side has acknowledged it.

CREATE TABLE adapters (
    name              TEXT PRIMARY KEY,
    kind              TEXT NOT NULL,
    config            TEXT NOT NULL,        -- AdapterConfig JSON; secrets come from the environment
    streams           TEXT NOT NULL,        -- JSON array of outbox streams routed here; ["*"] = all
    departments       TEXT NOT NULL,        -- JSON array of departments routed here; ["*"] = all
    enabled           INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    state             TEXT NOT NULL DEFAULT 'idle',   -- idle | running | ok | degraded | needs_operator
    last_success_at   TEXT,
    last_error        TEXT,
    last_error_detail TEXT,
    last_error_class  TEXT,
    last_error_at     TEXT,
    last_run_at       TEXT
) STRICT;

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,   -- idempotency key: the journal event id (UUIDv7)
    journal_seq     INTEGER NOT NULL,
    stream          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    case_no         TEXT,
    case_seq        INTEGER NOT NULL,       -- 1, 2, 3 … within the case: far sides apply in order
    department      TEXT,
    occurred_at     TEXT NOT NULL,
    payload         TEXT NOT NULL,
    payload_sha256  TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_by_case ON outbox(case_no, case_seq);

CREATE TABLE outbox_delivery (
    adapter            TEXT NOT NULL REFERENCES adapters(name),
    outbox_id          INTEGER NOT NULL REFERENCES outbox(id),
    state              TEXT NOT NULL,       -- pending | sending | sent | acked | failed | quarantined | discarded
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms    INTEGER NOT NULL DEFAULT 0,   -- unix ms (real time, not the case clock)
    state_since        TEXT NOT NULL,
    last_error         TEXT,
    last_error_detail  TEXT,
    last_error_class   TEXT,
    acked_at           TEXT,
    PRIMARY KEY (adapter, outbox_id)
) STRICT;
CREATE INDEX delivery_queue ON outbox_delivery(adapter, state, outbox_id);

CREATE TABLE sync_cursors (
    adapter     TEXT NOT NULL,
    stream      TEXT NOT NULL,
    cursor      TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (adapter, stream)
) STRICT;

CREATE TABLE inbox (
    id              INTEGER PRIMARY KEY,
    adapter         TEXT NOT NULL,
    stream          TEXT NOT NULL,
    key             TEXT NOT NULL,
    kind            TEXT NOT NULL,
    case_no         TEXT,
    occurred_at     TEXT,
    source          TEXT,
    payload         TEXT NOT NULL,
    payload_sha256  TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    state           TEXT NOT NULL,          -- received | applied | failed | rejected
    result          TEXT,                   -- what applying it did, or why it failed
    UNIQUE (adapter, stream, key)
) STRICT;
CREATE INDEX inbox_by_state ON inbox(state, id);
