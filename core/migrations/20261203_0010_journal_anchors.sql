-- Anchored journal heads (issue 12 part 2, docs/adapter-protocol.md §6): the receipts far sides
-- signed for this workstation's journal heads. Not derived from the journal (they are the far
-- sides' statements about it); the far side's key is pinned in the journal (`sync.anchor_key`).
CREATE TABLE journal_anchors (
    adapter      TEXT NOT NULL,
    far_side     TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    hash         TEXT NOT NULL,        -- hex, the head hash the far side signed for
    received_at  TEXT NOT NULL,        -- the far side's clock
    public_key   TEXT NOT NULL,        -- hex Ed25519
    signature    TEXT NOT NULL,        -- hex, over yc_adapter_sdk::anchor::receipt_message
    stored_at    TEXT NOT NULL,
    PRIMARY KEY (adapter, seq)
) STRICT;
