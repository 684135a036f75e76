-- The audit log of sensitive operations: appended, never changed (the triggers refuse updates
-- and deletes). Times are milliseconds since the Unix epoch.
CREATE TABLE IF NOT EXISTS audit_log (
    id         TEXT PRIMARY KEY NOT NULL,
    at         INTEGER NOT NULL,
    actor      TEXT,
    action     TEXT NOT NULL,
    target     TEXT,
    address    TEXT,
    request_id TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_newest ON audit_log (at DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_actor ON audit_log (actor, at DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_action ON audit_log (action, at DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_target ON audit_log (target, at DESC, id DESC);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
