-- Code reviews of submissions and their comments.
CREATE TABLE IF NOT EXISTS code_reviews (
    id             TEXT PRIMARY KEY NOT NULL,
    author         TEXT NOT NULL,
    submission     TEXT NOT NULL,
    challenge      TEXT NOT NULL,
    language       TEXT NOT NULL,
    challenge_type TEXT NOT NULL,
    difficulty     TEXT NOT NULL,
    lines          INTEGER NOT NULL,
    version        INTEGER NOT NULL,
    message        TEXT NOT NULL,
    status         TEXT NOT NULL,
    reviewer       TEXT,
    reviewers      TEXT NOT NULL,        -- JSON array, in claim order
    active_at      INTEGER,
    summary        TEXT,
    metrics        TEXT,                 -- JSON object
    comments       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
-- A submission is under one review at a time.
CREATE UNIQUE INDEX IF NOT EXISTS code_reviews_submission ON code_reviews (submission);
CREATE INDEX IF NOT EXISTS code_reviews_queue ON code_reviews (status, created_at, id);
CREATE INDEX IF NOT EXISTS code_reviews_author ON code_reviews (author, updated_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS code_review_comments (
    id         TEXT PRIMARY KEY NOT NULL,
    review     TEXT NOT NULL,
    author     TEXT NOT NULL,
    submission TEXT NOT NULL,
    version    INTEGER NOT NULL,
    line       INTEGER,
    kind       TEXT NOT NULL,
    content    TEXT NOT NULL,
    parent     TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS code_review_comments_review
    ON code_review_comments (review, created_at, id);
