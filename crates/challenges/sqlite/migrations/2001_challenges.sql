-- Challenges context. Texts and code live in `body` (JSON); what lists filter and sort on has
-- its own columns. Times are milliseconds since the Unix epoch.
CREATE TABLE IF NOT EXISTS challenges (
    id                  TEXT PRIMARY KEY NOT NULL,
    slug                TEXT NOT NULL,
    title               TEXT NOT NULL,
    description         TEXT NOT NULL,
    kind                TEXT NOT NULL,
    difficulty          TEXT NOT NULL,
    difficulty_rank     INTEGER NOT NULL,
    category            TEXT NOT NULL,
    tags                TEXT NOT NULL,
    time_limit          INTEGER NOT NULL,
    body                TEXT NOT NULL,
    author              TEXT NOT NULL,
    is_public           INTEGER NOT NULL,
    is_active           INTEGER NOT NULL,
    deleted_at          INTEGER,
    total_attempts      INTEGER NOT NULL DEFAULT 0,
    successful_attempts INTEGER NOT NULL DEFAULT 0,
    average_time        REAL NOT NULL DEFAULT 0,
    average_score       REAL NOT NULL DEFAULT 0,
    popularity_score    REAL NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS challenges_slug_unique ON challenges (slug);
CREATE INDEX IF NOT EXISTS challenges_visible_created ON challenges (deleted_at, is_public, is_active, created_at DESC);
CREATE INDEX IF NOT EXISTS challenges_category ON challenges (category);
CREATE INDEX IF NOT EXISTS challenges_author ON challenges (author);
CREATE INDEX IF NOT EXISTS challenges_popularity ON challenges (popularity_score DESC);
