-- Challenge reviews, their replies, helpful marks and each challenge's rating histogram.
CREATE TABLE IF NOT EXISTS reviews (
    id         TEXT PRIMARY KEY NOT NULL,
    challenge  TEXT NOT NULL,
    author     TEXT NOT NULL,
    rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title      TEXT NOT NULL,
    content    TEXT NOT NULL,
    tags       TEXT NOT NULL,            -- JSON array
    helpful    INTEGER NOT NULL DEFAULT 0,
    replies    INTEGER NOT NULL DEFAULT 0,
    is_active  INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- One live review per member and challenge.
CREATE UNIQUE INDEX IF NOT EXISTS reviews_live
    ON reviews (challenge, author) WHERE is_active = 1;
CREATE INDEX IF NOT EXISTS reviews_challenge_newest
    ON reviews (challenge, is_active, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS reviews_challenge_helpful
    ON reviews (challenge, is_active, helpful DESC, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS reviews_author
    ON reviews (author, is_active, created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS review_replies (
    id                  TEXT PRIMARY KEY NOT NULL,
    review              TEXT NOT NULL,
    author              TEXT NOT NULL,
    content             TEXT NOT NULL,
    by_challenge_author INTEGER NOT NULL,
    helpful             INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS review_replies_review ON review_replies (review, created_at, id);

-- One helpful mark per member and target (a review or a reply).
CREATE TABLE IF NOT EXISTS review_helpful (
    kind   TEXT NOT NULL,                -- 'review' | 'reply'
    target TEXT NOT NULL,
    member TEXT NOT NULL,
    at     INTEGER NOT NULL,
    PRIMARY KEY (kind, target, member)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS review_helpful_member ON review_helpful (member, kind, target);

-- How many live reviews gave each rating, per challenge.
CREATE TABLE IF NOT EXISTS review_ratings (
    challenge TEXT PRIMARY KEY NOT NULL,
    r1 INTEGER NOT NULL DEFAULT 0,
    r2 INTEGER NOT NULL DEFAULT 0,
    r3 INTEGER NOT NULL DEFAULT 0,
    r4 INTEGER NOT NULL DEFAULT 0,
    r5 INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
