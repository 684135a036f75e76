-- Certificates of completion, stored with the completion they certify (one per learner and
-- playlist), and named on the enrolment. Times are milliseconds since the Unix epoch (UTC).
ALTER TABLE learning_enrolments ADD COLUMN certificate TEXT;

CREATE TABLE IF NOT EXISTS learning_certificates (
    id             TEXT PRIMARY KEY NOT NULL,
    playlist       TEXT NOT NULL,
    learner        TEXT NOT NULL,
    learner_name   TEXT NOT NULL,
    playlist_title TEXT NOT NULL,
    author_name    TEXT NOT NULL,
    completed_at   INTEGER NOT NULL,
    lessons        TEXT NOT NULL,
    key_id         TEXT NOT NULL,
    signature      TEXT NOT NULL,
    revoked_at     INTEGER,
    revoked_reason TEXT,
    revoked_by     TEXT,
    UNIQUE (playlist, learner)
);
