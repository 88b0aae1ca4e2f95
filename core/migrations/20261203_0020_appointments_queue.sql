-- Appointments (预约) and queue calling (排队叫号), issue 17 parts 1 and 2. Every row here is
-- derived from the journal (`appointment.*`, `queue.*` events) and rebuilt by `yc rebuild`.

-- The slots of a window or an item on every working day: start/end times and a capacity each.
CREATE TABLE appointment_schedules (
    target_kind  TEXT NOT NULL,          -- appointment::Target: 'item' | 'window'
    target       TEXT NOT NULL,          -- the item code or the window's name
    department   TEXT NOT NULL,
    times        TEXT NOT NULL,          -- JSON [{"start":"09:00","end":"10:00"}, …]
    capacity     INTEGER NOT NULL,
    updated_seq  INTEGER NOT NULL,
    PRIMARY KEY (target_kind, target)
) STRICT;

CREATE TABLE appointments (
    booking_id      TEXT PRIMARY KEY,    -- YYYYMMDD-NNNN of the day it was booked
    target_kind     TEXT NOT NULL,
    target          TEXT NOT NULL,
    slot_date       TEXT NOT NULL,
    slot_start      TEXT NOT NULL,
    slot_end        TEXT NOT NULL,
    department      TEXT NOT NULL,
    item_code       TEXT NOT NULL,
    applicant_id    TEXT NOT NULL,
    applicant_name  TEXT NOT NULL,
    channel         TEXT NOT NULL,       -- appointment::Channel code
    external_ref    TEXT,                -- the online hall's booking id (applied once)
    status          TEXT NOT NULL,       -- appointment::Status code
    reason          TEXT,                -- why cancelled
    case_no         TEXT,                -- the intake made at check-in
    ticket_id       TEXT,                -- the queue ticket taken at check-in
    booked_at       TEXT NOT NULL,
    updated_seq     INTEGER NOT NULL
) STRICT;
CREATE INDEX appointments_by_slot ON appointments(target_kind, target, slot_date, slot_start, status);
CREATE INDEX appointments_by_day ON appointments(slot_date, status);
CREATE UNIQUE INDEX appointments_by_ref ON appointments(external_ref) WHERE external_ref IS NOT NULL;

-- Queue tickets (no names: a ticket is a number, a service and times).
CREATE TABLE queue_tickets (
    ticket_id        TEXT PRIMARY KEY,   -- YYYYMMDD-A001
    day              TEXT NOT NULL,
    service          TEXT NOT NULL,      -- queue::Service code (after a transfer, the new one)
    taken_service    TEXT NOT NULL,      -- the service the number was taken for
    seq              INTEGER NOT NULL,   -- per day and taken_service
    number           TEXT NOT NULL,      -- A001
    priority         INTEGER NOT NULL,   -- 1: a checked-in appointment or a transferred ticket
    booking_id       TEXT,
    status           TEXT NOT NULL,      -- queue::TicketStatus code
    at_window        TEXT,               -- the window that called it last
    target_window    TEXT,               -- a transfer to one window: only it calls the ticket
    taken_at         TEXT NOT NULL,
    first_called_at  TEXT,
    called_at        TEXT,
    recalls          INTEGER NOT NULL DEFAULT 0,
    transfers        INTEGER NOT NULL DEFAULT 0,
    done_at          TEXT,
    updated_seq      INTEGER NOT NULL
) STRICT;
CREATE INDEX queue_by_day ON queue_tickets(day, status, service);
CREATE UNIQUE INDEX queue_numbers ON queue_tickets(day, taken_service, seq);
