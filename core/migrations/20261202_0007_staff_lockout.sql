-- Failed logins lock an account until an administrator unlocks it (issue 12). The count and the
-- lock live on the account row; every lockout and unlock is also a journal event.
ALTER TABLE staff ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN locked_at TEXT;
