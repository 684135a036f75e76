-- Notifications context. Times are milliseconds since the Unix epoch; ids are 24 hex digits.
CREATE TABLE IF NOT EXISTS notifications (
    id            TEXT PRIMARY KEY NOT NULL,
    recipient     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    message       TEXT NOT NULL,
    data          TEXT NOT NULL,
    priority      TEXT NOT NULL,
    priority_rank INTEGER NOT NULL,
    is_read       INTEGER NOT NULL,
    read_at       INTEGER,
    is_delivered  INTEGER NOT NULL,
    delivered_at  INTEGER,
    dedup_key     TEXT,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER
);
-- The polling hot path: a recipient's unread ones, an index range.
CREATE INDEX IF NOT EXISTS notifications_unread ON notifications (recipient, is_read, expires_at);
CREATE INDEX IF NOT EXISTS notifications_recipient_created ON notifications (recipient, created_at DESC, id DESC);
CREATE UNIQUE INDEX IF NOT EXISTS notifications_dedup ON notifications (recipient, dedup_key) WHERE dedup_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS notifications_expiry ON notifications (expires_at) WHERE expires_at IS NOT NULL;
