-- Learning context: playlists (lessons as JSON, figures as columns moved with the rows they
-- count) and learners' enrolments. Times are milliseconds since the Unix epoch (UTC).
CREATE TABLE IF NOT EXISTS learning_playlists (
    id            TEXT PRIMARY KEY NOT NULL,
    author        TEXT NOT NULL,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL,
    category      TEXT NOT NULL,
    level         TEXT NOT NULL,
    duration_text TEXT,
    topics        TEXT NOT NULL,
    is_premium    INTEGER NOT NULL,
    lessons       TEXT NOT NULL,
    rating_sum    INTEGER NOT NULL DEFAULT 0,
    ratings       INTEGER NOT NULL DEFAULT 0,
    -- The average in hundredths (what "rating" sorts by), kept with the sum and count.
    rating_key    INTEGER NOT NULL DEFAULT 0,
    students      INTEGER NOT NULL DEFAULT 0,
    completions   INTEGER NOT NULL DEFAULT 0,
    revision      INTEGER NOT NULL,
    deleted_at    INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS learning_playlists_newest
    ON learning_playlists (created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS learning_playlists_popular
    ON learning_playlists (students DESC, completions DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS learning_playlists_rating
    ON learning_playlists (rating_key DESC, ratings DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS learning_playlists_category
    ON learning_playlists (category, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS learning_playlists_author
    ON learning_playlists (author, created_at DESC, id DESC) WHERE deleted_at IS NULL;

CREATE TABLE IF NOT EXISTS learning_enrolments (
    playlist         TEXT NOT NULL,
    learner          TEXT NOT NULL,
    active           INTEGER NOT NULL,
    completed        TEXT NOT NULL,
    time_spent       INTEGER NOT NULL DEFAULT 0,
    last_accessed_at INTEGER NOT NULL,
    rating_score     INTEGER,
    rating_review    TEXT,
    rating_at        INTEGER,
    enrolled_at      INTEGER NOT NULL,
    completed_at     INTEGER,
    PRIMARY KEY (playlist, learner)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS learning_enrolments_learner
    ON learning_enrolments (learner, last_accessed_at DESC, playlist DESC) WHERE active = 1;
