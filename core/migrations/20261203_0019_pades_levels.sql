-- PAdES levels of sealed documents (issue 14, docs/seal.md). Derived like the rest of
-- `documents`: the level at sealing from `document.sealed` (B-T/B-LT when a TSA answered during
-- sealing, else B-B), raised by `document.timestamped` (the sync pass's document timestamp, which
-- also moves `file_sha256` to the stamped file); rebuilt by `yc rebuild`. Documents sealed before
-- this migration are B-B and get their document timestamp at the next sync.
ALTER TABLE documents ADD COLUMN pades_level TEXT NOT NULL DEFAULT 'B-B'
    CHECK (pades_level IN ('B-B', 'B-T', 'B-LT'));
-- The time a TSA proved (RFC 3339), NULL while B-B.
ALTER TABLE documents ADD COLUMN proven_time TEXT;
-- What the sync pass looks for: documents still waiting for a timestamp.
CREATE INDEX documents_to_stamp ON documents(journal_seq) WHERE pades_level = 'B-B';
