-- Analytics context: focus sessions. Times are milliseconds since the Unix epoch.
CREATE TABLE IF NOT EXISTS focus_sessions (
    id                       TEXT PRIMARY KEY NOT NULL,
    user_id                  TEXT NOT NULL,
    challenge                TEXT,
    submission               TEXT,
    start_time               INTEGER NOT NULL,
    end_time                 INTEGER NOT NULL,
    distractions_encountered INTEGER NOT NULL,
    focus_score              INTEGER NOT NULL,
    environment              TEXT NOT NULL,
    created_at               INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS focus_sessions_user_start ON focus_sessions (user_id, start_time DESC, id DESC);
