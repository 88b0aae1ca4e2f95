-- Supervision at scale (issue 15): the monitors resume from a journal cursor, and the statistics
-- table reads per-day aggregates instead of scanning every case.

-- The monitors' resume point: the last journal seq they read and a fingerprint of what their
-- findings depend on besides the journal (thresholds, light policy, calendar). A different
-- fingerprint, or no row, makes the next run start from scratch. Not journaled: it is a cache of
-- work done, and a run from scratch rebuilds it.
CREATE TABLE monitor_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    cursor       INTEGER NOT NULL,
    fingerprint  TEXT NOT NULL
) STRICT;

-- Cases a time-driven monitor (决定超期, 送达超期 and 预审超时 while still waiting) may flag later
-- without any new event: the earliest day it can (the due day + 1). A function of the case row
-- and the hits recorded, so a run from scratch produces the same rows.
CREATE TABLE monitor_watch (
    case_no  TEXT PRIMARY KEY,
    wake_on  TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX monitor_watch_by_day ON monitor_watch(wake_on);

-- The back-filling monitor looks at one staff member's events around the new ones.
CREATE INDEX journal_by_actor_at ON journal(actor, at) WHERE case_no IS NOT NULL;

-- Working days acceptance → decision (acceptance day excluded), counted by the projection at the
-- decision; NULL when undecided or the calendar lacked a year (the report counts those itself).
ALTER TABLE cases ADD COLUMN decide_days INTEGER;
CREATE INDEX cases_decide_days_missing ON cases(decided_on)
    WHERE decide_days IS NULL AND accepted_on IS NOT NULL AND decided_on IS NOT NULL;

-- The case counts of the statistics table per day and (department, staff who took it in, item),
-- kept by the triggers below on every write to `cases` (live, in a rebuild, in bulk loads): a case
-- counts on its filing, acceptance, decision and closing days with the figures of its current row.
CREATE TABLE case_day_stats (
    day               TEXT NOT NULL,
    department        TEXT NOT NULL,
    staff             TEXT NOT NULL,
    item_code         TEXT NOT NULL,
    filed             INTEGER NOT NULL DEFAULT 0,  -- every case on its filed_on (appointed too)
    closings          INTEGER NOT NULL DEFAULT 0,  -- every case on its closed_on, whatever the end
    received          INTEGER NOT NULL DEFAULT 0,
    supplements       INTEGER NOT NULL DEFAULT 0,
    accepted          INTEGER NOT NULL DEFAULT 0,
    approved          INTEGER NOT NULL DEFAULT 0,
    denied            INTEGER NOT NULL DEFAULT 0,
    on_time           INTEGER NOT NULL DEFAULT 0,
    late              INTEGER NOT NULL DEFAULT 0,
    lateness_unknown  INTEGER NOT NULL DEFAULT 0,
    paused_days       INTEGER NOT NULL DEFAULT 0,
    not_accepted      INTEGER NOT NULL DEFAULT 0,
    closed            INTEGER NOT NULL DEFAULT 0,
    ended             INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, department, staff, item_code)
) STRICT, WITHOUT ROWID;

-- Decided cases by their net working days to decide (decide_days − stopped_days): the histogram
-- the average and p90 come from.
CREATE TABLE case_decide_days (
    day         TEXT NOT NULL,
    department  TEXT NOT NULL,
    staff       TEXT NOT NULL,
    item_code   TEXT NOT NULL,
    days        INTEGER NOT NULL,
    cases       INTEGER NOT NULL,
    PRIMARY KEY (day, department, staff, item_code, days)
) STRICT, WITHOUT ROWID;

-- Monitor hits per day, (department, staff, the case's item) and rule.
CREATE TABLE hit_day_stats (
    day         TEXT NOT NULL,
    department  TEXT NOT NULL,
    staff       TEXT NOT NULL,
    item_code   TEXT NOT NULL,
    rule        TEXT NOT NULL,
    hits        INTEGER NOT NULL,
    PRIMARY KEY (day, department, staff, item_code, rule)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER hit_day_stats_insert AFTER INSERT ON supervision_hits BEGIN
    INSERT INTO hit_day_stats (day, department, staff, item_code, rule, hits)
    VALUES (NEW.occurred_on, COALESCE(NEW.department, ''), COALESCE(NEW.staff, ''),
            COALESCE((SELECT item_code FROM cases WHERE case_no = NEW.case_no), ''), NEW.rule, 1)
    ON CONFLICT (day, department, staff, item_code, rule) DO UPDATE SET hits = hits + 1;
END;

INSERT INTO hit_day_stats (day, department, staff, item_code, rule, hits)
SELECT h.occurred_on, COALESCE(h.department, ''), COALESCE(h.staff, ''), COALESCE(c.item_code, ''), h.rule, COUNT(*)
FROM supervision_hits h LEFT JOIN cases c ON c.case_no = h.case_no GROUP BY 1, 2, 3, 4, 5;

-- The triggers: each change that moves a figure takes the row's contribution out (OLD) and puts
-- it back in (NEW).
CREATE TRIGGER case_day_stats_insert AFTER INSERT ON cases BEGIN
    INSERT INTO case_day_stats (day, department, staff, item_code, filed, closings, received, supplements, accepted, approved, denied, on_time, late, lateness_unknown, paused_days, not_accepted, closed, ended)
    SELECT day, NEW.department, NEW.created_by, NEW.item_code, filed, closings, received, supplements, accepted, approved, denied, on_time, late, lateness_unknown, paused_days, not_accepted, closed, ended FROM (
        SELECT NEW.filed_on AS day, (1) AS filed, 0 AS closings, (NEW.state <> 'appointed') AS received, (IIF(NEW.state <> 'appointed', NEW.supplement_count, 0)) AS supplements, 0 AS accepted, 0 AS approved, 0 AS denied, 0 AS on_time, 0 AS late, 0 AS lateness_unknown, 0 AS paused_days, 0 AS not_accepted, 0 AS closed, 0 AS ended WHERE true
        UNION ALL SELECT NEW.accepted_on AS day, 0 AS filed, 0 AS closings, 0 AS received, 0 AS supplements, (1) AS accepted, 0 AS approved, 0 AS denied, 0 AS on_time, 0 AS late, 0 AS lateness_unknown, 0 AS paused_days, 0 AS not_accepted, 0 AS closed, 0 AS ended WHERE NEW.accepted_on IS NOT NULL
        UNION ALL SELECT NEW.decided_on AS day, 0 AS filed, 0 AS closings, 0 AS received, 0 AS supplements, 0 AS accepted, (NEW.outcome IS 'approved') AS approved, (NEW.outcome IS 'denied') AS denied, (NEW.decision_late_days IS 0) AS on_time, (COALESCE(NEW.decision_late_days > 0, 0)) AS late, (NEW.decision_late_days IS NULL) AS lateness_unknown, (MAX(NEW.stopped_days, 0)) AS paused_days, 0 AS not_accepted, 0 AS closed, 0 AS ended WHERE NEW.decided_on IS NOT NULL
        UNION ALL SELECT NEW.closed_on AS day, 0 AS filed, (1) AS closings, 0 AS received, 0 AS supplements, 0 AS accepted, 0 AS approved, 0 AS denied, 0 AS on_time, 0 AS late, 0 AS lateness_unknown, 0 AS paused_days, (NEW.state = 'not_accepted') AS not_accepted, (NEW.state IN ('completed', 'cancelled', 'revoked')) AS closed, (NEW.state IN ('withdrawn', 'terminated')) AS ended WHERE NEW.closed_on IS NOT NULL
    ) WHERE true
    ON CONFLICT (day, department, staff, item_code) DO UPDATE SET
        filed = filed + excluded.filed, closings = closings + excluded.closings, received = received + excluded.received, supplements = supplements + excluded.supplements, accepted = accepted + excluded.accepted, approved = approved + excluded.approved, denied = denied + excluded.denied, on_time = on_time + excluded.on_time, late = late + excluded.late, lateness_unknown = lateness_unknown + excluded.lateness_unknown, paused_days = paused_days + excluded.paused_days, not_accepted = not_accepted + excluded.not_accepted, closed = closed + excluded.closed, ended = ended + excluded.ended;
    INSERT INTO case_decide_days (day, department, staff, item_code, days, cases)
    SELECT NEW.decided_on, NEW.department, NEW.created_by, NEW.item_code, MAX(NEW.decide_days - NEW.stopped_days, 0), 1
    WHERE NEW.decided_on IS NOT NULL AND NEW.accepted_on IS NOT NULL AND NEW.decide_days IS NOT NULL
    ON CONFLICT (day, department, staff, item_code, days) DO UPDATE SET cases = cases + excluded.cases;
END;

CREATE TRIGGER case_day_stats_delete AFTER DELETE ON cases BEGIN
    INSERT INTO case_day_stats (day, department, staff, item_code, filed, closings, received, supplements, accepted, approved, denied, on_time, late, lateness_unknown, paused_days, not_accepted, closed, ended)
    SELECT day, OLD.department, OLD.created_by, OLD.item_code, filed, closings, received, supplements, accepted, approved, denied, on_time, late, lateness_unknown, paused_days, not_accepted, closed, ended FROM (
        SELECT OLD.filed_on AS day, -(1) AS filed, 0 AS closings, -(OLD.state <> 'appointed') AS received, -(IIF(OLD.state <> 'appointed', OLD.supplement_count, 0)) AS supplements, 0 AS accepted, 0 AS approved, 0 AS denied, 0 AS on_time, 0 AS late, 0 AS lateness_unknown, 0 AS paused_days, 0 AS not_accepted, 0 AS closed, 0 AS ended WHERE true
        UNION ALL SELECT OLD.accepted_on AS day, 0 AS filed, 0 AS closings, 0 AS received, 0 AS supplements, -(1) AS accepted, 0 AS approved, 0 AS denied, 0 AS on_time, 0 AS late, 0 AS lateness_unknown, 0 AS paused_days, 0 AS not_accepted, 0 AS closed, 0 AS ended WHERE OLD.accepted_on IS NOT NULL
        UNION ALL SELECT OLD.decided_on AS day, 0 AS filed, 0 AS closings, 0 AS received, 0 AS supplements, 0 AS accepted, -(OLD.outcome IS 'approved') AS approved, -(OLD.outcome IS 'denied') AS denied, -(OLD.decision_late_days IS 0) AS on_time, -(COALESCE(OLD.decision_late_days > 0, 0)) AS late, -(OLD.decision_late_days IS NULL) AS lateness_unknown, -(MAX(OLD.stopped_days, 0)) AS paused_days, 0 AS not_accepted, 0 AS closed, 0 AS ended WHERE OLD.decided_on IS NOT NULL
        UNION ALL SELECT OLD.closed_on AS day, 0 AS filed, -(1) AS closings, 0 AS received, 0 AS supplements, 0 AS accepted, 0 AS approved, 0 AS denied, 0 AS on_time, 0 AS late, 0 AS lateness_unknown, 0 AS paused_days, -(OLD.state = 'not_accepted') AS not_accepted, -(OLD.state IN ('completed', 'cancelled', 'revoked')) AS closed, -(OLD.state IN ('withdrawn', 'terminated')) AS ended WHERE OLD.closed_on IS NOT NULL
    ) WHERE true
    ON CONFLICT (day, department, staff, item_code) DO UPDATE SET
        filed = filed + excluded.filed, closings = closings + excluded.closings, received = received + excluded.received, supplements = supplements + excluded.supplements, accepted = accepted + excluded.accepted, approved = approved + excluded.approved, denied = denied + excluded.denied, on_time = on_time + excluded.on_time, late = late + excluded.late, lateness_unknown = lateness_unknown + excluded.lateness_unknown, paused_days = paused_days + excluded.paused_days, not_accepted = not_accepted + excluded.not_accepted, closed = closed + excluded.closed, ended = ended + excluded.ended;
    INSERT INTO case_decide_days (day, department, staff, item_code, days, cases)
    SELECT OLD.decided_on, OLD.department, OLD.created_by, OLD.item_code, MAX(OLD.decide_days - OLD.stopped_days, 0), -1
    WHERE OLD.decided_on IS NOT NULL AND OLD.accepted_on IS NOT NULL AND OLD.decide_days IS NOT NULL
    ON CONFLICT (day, department, staff, item_code, days) DO UPDATE SET cases = cases + excluded.cases;
END;

CREATE TRIGGER case_day_stats_update AFTER UPDATE ON cases
WHEN OLD.state IS NOT NEW.state OR OLD.outcome IS NOT NEW.outcome OR OLD.filed_on IS NOT NEW.filed_on OR OLD.accepted_on IS NOT NEW.accepted_on OR OLD.decided_on IS NOT NEW.decided_on OR OLD.decision_late_days IS NOT NEW.decision_late_days OR OLD.closed_on IS NOT NEW.closed_on OR OLD.supplement_count IS NOT NEW.supplement_count OR OLD.stopped_days IS NOT NEW.stopped_days OR OLD.decide_days IS NOT NEW.decide_days OR OLD.department IS NOT NEW.department OR OLD.created_by IS NOT NEW.created_by OR OLD.item_code IS NOT NEW.item_code
BEGIN
    INSERT INTO case_day_stats (day, department, staff, item_code, filed, closings, received, supplements, accepted, approved, denied, on_time, late, lateness_unknown, paused_days, not_accepted, closed, ended)
    SELECT day, OLD.department, OLD.created_by, OLD.item_code, filed, closings, received, supplements, accepted, approved, denied, on_time, late, lateness_unknown, paused_days, not_accepted, closed, ended FROM (
        SELECT OLD.filed_on AS day, -(1) AS filed, 0 AS closings, -(OLD.state <> 'appointed') AS received, -(IIF(OLD.state <> 'appointed', OLD.supplement_count, 0)) AS supplements, 0 AS accepted, 0 AS approved, 0 AS denied, 0 AS on_time, 0 AS late, 0 AS lateness_unknown, 0 AS paused_days, 0 AS not_accepted, 0 AS closed, 0 AS ended WHERE true
        UNION ALL SELECT OLD.accepted_on AS day, 0 AS filed, 0 AS closings, 0 AS received, 0 AS supplements, -(1) AS accepted, 0 AS approved, 0 AS denied, 0 AS on_time, 0 AS late, 0 AS lateness_unknown, 0 AS paused_days, 0 AS not_accepted, 0 AS closed, 0 AS ended WHERE OLD.accepted_on IS NOT NULL
        UNION ALL SELECT OLD.decided_on AS day, 0 AS filed, 0 AS closings, 0 AS received, 0 AS supplements, 0 AS accepted, -(OLD.outcome IS 'approved') AS approved, -(OLD.outcome IS 'denied') AS denied, -(OLD.decision_late_days IS 0) AS on_time, -(COALESCE(OLD.decision_late_days > 0, 0)) AS late, -(OLD.decision_late_days IS NULL) AS lateness_unknown, -(MAX(OLD.stopped_days, 0)) AS paused_days, 0 AS not_accepted, 0 AS closed, 0 AS ended WHERE OLD.decided_on IS NOT NULL
        UNION ALL SELECT OLD.closed_on AS day, 0 AS filed, -(1) AS closings, 0 AS received, 0 AS supplements, 0 AS accepted, 0 AS approved, 0 AS denied, 0 AS on_time, 0 AS late, 0 AS lateness_unknown, 0 AS paused_days, -(OLD.state = 'not_accepted') AS not_accepted, -(OLD.state IN ('completed', 'cancelled', 'revoked')) AS closed, -(OLD.state IN ('withdrawn', 'terminated')) AS ended WHERE OLD.closed_on IS NOT NULL
    ) WHERE true
    ON CONFLICT (day, department, staff, item_code) DO UPDATE SET
        filed = filed + excluded.filed, closings = closings + excluded.closings, received = received + excluded.received, supplements = supplements + excluded.supplements, accepted = accepted + excluded.accepted, approved = approved + excluded.approved, denied = denied + excluded.denied, on_time = on_time + excluded.on_time, late = late + excluded.late, lateness_unknown = lateness_unknown + excluded.lateness_unknown, paused_days = paused_days + excluded.paused_days, not_accepted = not_accepted + excluded.not_accepted, closed = closed + excluded.closed, ended = ended + excluded.ended;
    INSERT INTO case_decide_days (day, department, staff, item_code, days, cases)
    SELECT OLD.decided_on, OLD.department, OLD.created_by, OLD.item_code, MAX(OLD.decide_days - OLD.stopped_days, 0), -1
    WHERE OLD.decided_on IS NOT NULL AND OLD.accepted_on IS NOT NULL AND OLD.decide_days IS NOT NULL
    ON CONFLICT (day, department, staff, item_code, days) DO UPDATE SET cases = cases + excluded.cases;
    INSERT INTO case_day_stats (day, department, staff, item_code, filed, closings, received, supplements, accepted, approved, denied, on_time, late, lateness_unknown, paused_days, not_accepted, closed, ended)
    SELECT day, NEW.department, NEW.created_by, NEW.item_code, filed, closings, received, supplements, accepted, approved, denied, on_time, late, lateness_unknown, paused_days, not_accepted, closed, ended FROM (
        SELECT NEW.filed_on AS day, (1) AS filed, 0 AS closings, (NEW.state <> 'appointed') AS received, (IIF(NEW.state <> 'appointed', NEW.supplement_count, 0)) AS supplements, 0 AS accepted, 0 AS approved, 0 AS denied, 0 AS on_time, 0 AS late, 0 AS lateness_unknown, 0 AS paused_days, 0 AS not_accepted, 0 AS closed, 0 AS ended WHERE true
        UNION ALL SELECT NEW.accepted_on AS day, 0 AS filed, 0 AS closings, 0 AS received, 0 AS supplements, (1) AS accepted, 0 AS approved, 0 AS denied, 0 AS on_time, 0 AS late, 0 AS lateness_unknown, 0 AS paused_days, 0 AS not_accepted, 0 AS closed, 0 AS ended WHERE NEW.accepted_on IS NOT NULL
        UNION ALL SELECT NEW.decided_on AS day, 0 AS filed, 0 AS closings, 0 AS received, 0 AS supplements, 0 AS accepted, (NEW.outcome IS 'approved') AS approved, (NEW.outcome IS 'denied') AS denied, (NEW.decision_late_days IS 0) AS on_time, (COALESCE(NEW.decision_late_days > 0, 0)) AS late, (NEW.decision_late_days IS NULL) AS lateness_unknown, (MAX(NEW.stopped_days, 0)) AS paused_days, 0 AS not_accepted, 0 AS closed, 0 AS ended WHERE NEW.decided_on IS NOT NULL
        UNION ALL SELECT NEW.closed_on AS day, 0 AS filed, (1) AS closings, 0 AS received, 0 AS supplements, 0 AS accepted, 0 AS approved, 0 AS denied, 0 AS on_time, 0 AS late, 0 AS lateness_unknown, 0 AS paused_days, (NEW.state = 'not_accepted') AS not_accepted, (NEW.state IN ('completed', 'cancelled', 'revoked')) AS closed, (NEW.state IN ('withdrawn', 'terminated')) AS ended WHERE NEW.closed_on IS NOT NULL
    ) WHERE true
    ON CONFLICT (day, department, staff, item_code) DO UPDATE SET
        filed = filed + excluded.filed, closings = closings + excluded.closings, received = received + excluded.received, supplements = supplements + excluded.supplements, accepted = accepted + excluded.accepted, approved = approved + excluded.approved, denied = denied + excluded.denied, on_time = on_time + excluded.on_time, late = late + excluded.late, lateness_unknown = lateness_unknown + excluded.lateness_unknown, paused_days = paused_days + excluded.paused_days, not_accepted = not_accepted + excluded.not_accepted, closed = closed + excluded.closed, ended = ended + excluded.ended;
    INSERT INTO case_decide_days (day, department, staff, item_code, days, cases)
    SELECT NEW.decided_on, NEW.department, NEW.created_by, NEW.item_code, MAX(NEW.decide_days - NEW.stopped_days, 0), 1
    WHERE NEW.decided_on IS NOT NULL AND NEW.accepted_on IS NOT NULL AND NEW.decide_days IS NOT NULL
    ON CONFLICT (day, department, staff, item_code, days) DO UPDATE SET cases = cases + excluded.cases;
END;

INSERT INTO case_day_stats (day, department, staff, item_code, filed, closings, received, supplements, accepted, approved, denied, on_time, late, lateness_unknown, paused_days, not_accepted, closed, ended)
SELECT day, department, staff, item_code, SUM(filed), SUM(closings), SUM(received), SUM(supplements), SUM(accepted), SUM(approved), SUM(denied), SUM(on_time), SUM(late), SUM(lateness_unknown), SUM(paused_days), SUM(not_accepted), SUM(closed), SUM(ended) FROM (
    SELECT filed_on AS day, department, created_by AS staff, item_code, (1) AS filed, (0) AS closings, (state <> 'appointed') AS received, (IIF(state <> 'appointed', supplement_count, 0)) AS supplements, (0) AS accepted, (0) AS approved, (0) AS denied, (0) AS on_time, (0) AS late, (0) AS lateness_unknown, (0) AS paused_days, (0) AS not_accepted, (0) AS closed, (0) AS ended FROM cases WHERE true
    UNION ALL SELECT accepted_on AS day, department, created_by AS staff, item_code, (0) AS filed, (0) AS closings, (0) AS received, (0) AS supplements, (1) AS accepted, (0) AS approved, (0) AS denied, (0) AS on_time, (0) AS late, (0) AS lateness_unknown, (0) AS paused_days, (0) AS not_accepted, (0) AS closed, (0) AS ended FROM cases WHERE accepted_on IS NOT NULL
    UNION ALL SELECT decided_on AS day, department, created_by AS staff, item_code, (0) AS filed, (0) AS closings, (0) AS received, (0) AS supplements, (0) AS accepted, (outcome IS 'approved') AS approved, (outcome IS 'denied') AS denied, (decision_late_days IS 0) AS on_time, (COALESCE(decision_late_days > 0, 0)) AS late, (decision_late_days IS NULL) AS lateness_unknown, (MAX(stopped_days, 0)) AS paused_days, (0) AS not_accepted, (0) AS closed, (0) AS ended FROM cases WHERE decided_on IS NOT NULL
    UNION ALL SELECT closed_on AS day, department, created_by AS staff, item_code, (0) AS filed, (1) AS closings, (0) AS received, (0) AS supplements, (0) AS accepted, (0) AS approved, (0) AS denied, (0) AS on_time, (0) AS late, (0) AS lateness_unknown, (0) AS paused_days, (state = 'not_accepted') AS not_accepted, (state IN ('completed', 'cancelled', 'revoked')) AS closed, (state IN ('withdrawn', 'terminated')) AS ended FROM cases WHERE closed_on IS NOT NULL
) GROUP BY 1, 2, 3, 4;

