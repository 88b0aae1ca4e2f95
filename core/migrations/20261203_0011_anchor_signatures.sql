-- Receipts that vouch for the journal signatures too (issue 12, docs/adapter-protocol.md §6): the
-- far side checked every signature of the stretch it witnessed, so a routine `yc journal verify`
-- re-checks signatures only after the last such receipt (`--full` checks all). Part of the signed
-- receipt bytes (yc_adapter_sdk::anchor::receipt_message).
ALTER TABLE journal_anchors ADD COLUMN signatures_checked INTEGER NOT NULL DEFAULT 0;
