-- The login throttle: failed logins per (login name, client address), both as keyed digests,
-- whether or not the name belongs to an account. It replaces the per-account counters, which
-- let anyone lock a user out and told which accounts exist.
CREATE TABLE IF NOT EXISTS login_throttle (
    subject      TEXT NOT NULL,
    address      TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    locked_until INTEGER,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (subject, address)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS login_throttle_expiry ON login_throttle (expires_at);

ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;
