-- Community moderation: flags on posts and comments, reports, the moderation log.
ALTER TABLE community_posts ADD COLUMN is_hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE community_posts ADD COLUMN comments_locked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE community_comments ADD COLUMN is_hidden INTEGER NOT NULL DEFAULT 0;
-- The per-member hourly limits count a member's recent comments.
CREATE INDEX IF NOT EXISTS community_comments_author ON community_comments (author, created_at);

CREATE TABLE IF NOT EXISTS community_reports (
    id          TEXT PRIMARY KEY NOT NULL,
    target_kind TEXT NOT NULL,
    target      TEXT NOT NULL,
    post        TEXT NOT NULL,
    reporter    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    text        TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    resolved_by TEXT,
    resolved_at INTEGER
);
-- One open report per member per target: the unique key decides, not a read.
CREATE UNIQUE INDEX IF NOT EXISTS community_reports_open
    ON community_reports (target_kind, target, reporter) WHERE status = 'open';
CREATE INDEX IF NOT EXISTS community_reports_status ON community_reports (status, created_at, id);
CREATE INDEX IF NOT EXISTS community_reports_target ON community_reports (target_kind, target, status);

-- Append-only: nothing updates or deletes these rows.
CREATE TABLE IF NOT EXISTS community_moderation_log (
    id          TEXT PRIMARY KEY NOT NULL,
    moderator   TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target      TEXT NOT NULL,
    report      TEXT,
    reason      TEXT NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS community_moderation_log_at ON community_moderation_log (at DESC, id DESC);
