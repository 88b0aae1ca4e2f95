-- Signed events (issue 12 part 1, docs/journal-signing.md). Each staff account has an Ed25519
-- signing key wrapped under a key derived from its password; the workstation has one for events
-- no person makes (sync, inbox), a copy wrapped for each account. Public keys are journal events
-- (`staff.key`, `workstation.key`); these tables hold only wrapped private keys.
CREATE TABLE staff_keys (
    key_id      TEXT PRIMARY KEY,          -- hex of the first 8 bytes of SHA-256(public key)
    staff_id    TEXT NOT NULL,
    public_key  BLOB NOT NULL,             -- 32 bytes, Ed25519
    wrapped     BLOB NOT NULL,             -- nonce ‖ AES-256-GCM(PKCS#8), AAD binds account + key id
    salt        BLOB NOT NULL,             -- PBKDF2 salt of the key-encryption key (not the login hash's)
    iterations  INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    retired_at  TEXT                       -- a re-key retires the old key; its events keep verifying
);
CREATE INDEX staff_keys_current ON staff_keys (staff_id) WHERE retired_at IS NULL;

CREATE TABLE workstation_keys (
    key_id      TEXT PRIMARY KEY,
    public_key  BLOB NOT NULL,
    created_at  TEXT NOT NULL
);

-- The workstation key's private half, wrapped under each account's key-encryption key.
CREATE TABLE workstation_key_wraps (
    key_id      TEXT NOT NULL REFERENCES workstation_keys (key_id),
    staff_id    TEXT NOT NULL,
    wrapped     BLOB NOT NULL,
    salt        BLOB NOT NULL,
    iterations  INTEGER NOT NULL,
    PRIMARY KEY (key_id, staff_id)
);

-- One signature per run of consecutive events by one signer in one transaction, over the hash
-- of the run's last event (the chain hash covers the rest). Part of the record, never derived.
CREATE TABLE journal_signatures (
    first_seq   INTEGER PRIMARY KEY,
    last_seq    INTEGER NOT NULL,
    key_id      TEXT NOT NULL,
    signature   BLOB NOT NULL
);
CREATE TRIGGER journal_signatures_append_only_u BEFORE UPDATE ON journal_signatures
BEGIN SELECT RAISE(ABORT, 'journal signatures are append-only'); END;
CREATE TRIGGER journal_signatures_append_only_d BEFORE DELETE ON journal_signatures
BEGIN SELECT RAISE(ABORT, 'journal signatures are append-only'); END;
