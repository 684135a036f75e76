-- Notifications context: the mail outbox (milestone mails, weekly summaries). Times are
-- milliseconds since the Unix epoch; ids and recipients are 24 hex digits.
CREATE TABLE IF NOT EXISTS mail_outbox (
    id           TEXT PRIMARY KEY NOT NULL,
    recipient    TEXT NOT NULL,
    key          TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    next_try_at  INTEGER NOT NULL,
    finished_at  INTEGER
);
-- One mail per recipient and key.
CREATE UNIQUE INDEX IF NOT EXISTS mail_outbox_key ON mail_outbox (recipient, key);
-- The sender's scan: queued mails by due time.
CREATE INDEX IF NOT EXISTS mail_outbox_due ON mail_outbox (next_try_at, id) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS mail_outbox_finished ON mail_outbox (finished_at) WHERE finished_at IS NOT NULL;
