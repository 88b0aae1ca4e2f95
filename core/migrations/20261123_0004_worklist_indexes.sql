-- Work list and lights at 1M cases (measured in docs/benchmarks.md): the first page of the open
-- work list no longer sorts every open case, and the light pass reads a covering index.
CREATE INDEX cases_worklist ON cases(due_date IS NULL, due_date, case_no) WHERE closed_on IS NULL;
CREATE INDEX cases_open_lights ON cases(due_date, stopped_since, accepted_on, limit_days, extension_days, state)
    WHERE closed_on IS NULL;
