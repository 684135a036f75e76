-- Mentorships (the spec's "mentor" connections): a mentee asks, the mentor answers, either ends.
CREATE TABLE IF NOT EXISTS community_mentorships (
    id           TEXT PRIMARY KEY NOT NULL,
    mentor       TEXT NOT NULL,
    mentee       TEXT NOT NULL,
    message      TEXT NOT NULL,
    topics       TEXT NOT NULL,          -- JSON array
    status       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    responded_at INTEGER,
    ended_at     INTEGER
);
-- One open (pending or active) mentorship per mentor and mentee.
CREATE UNIQUE INDEX IF NOT EXISTS community_mentorships_open
    ON community_mentorships (mentor, mentee) WHERE status IN ('pending', 'active');
CREATE INDEX IF NOT EXISTS community_mentorships_mentor
    ON community_mentorships (mentor, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS community_mentorships_mentee
    ON community_mentorships (mentee, created_at DESC, id DESC);
