-- A case has two deadlines (《行政许可法》§42 decision, §44 delivery within 10 working days of it).
-- Derived from the journal like the rest of `cases` (core/src/deadline.rs computes them).
ALTER TABLE cases ADD COLUMN decided_on TEXT;              -- day of 准予/不予许可 (or 当场办结)
ALTER TABLE cases ADD COLUMN decision_due TEXT;            -- the decision deadline on that day
ALTER TABLE cases ADD COLUMN decision_late_days INTEGER;   -- working days late at the decision (0: on time); fixed
ALTER TABLE cases ADD COLUMN delivery_due TEXT;            -- decided_on + 10 working days

-- The light pass reads whichever deadline runs, still from a covering index.
DROP INDEX cases_open_lights;
CREATE INDEX cases_open_lights ON cases(due_date, stopped_since, accepted_on, limit_days, extension_days, state,
    decided_on, delivery_due) WHERE closed_on IS NULL;

-- Working days cannot be counted in SQL: cases already decided get their new columns from a replay
-- of the journal, which Workstation::open runs once while this key is set.
INSERT INTO settings (key, value) SELECT 'derived_rebuild_pending', '20261202_0006_two_deadlines'
    WHERE EXISTS (SELECT 1 FROM cases)
    ON CONFLICT(key) DO UPDATE SET value = excluded.value;
