-- Community context. Times are milliseconds since the Unix epoch; ids are 24 hex digits.
CREATE TABLE IF NOT EXISTS community_posts (
    id             TEXT PRIMARY KEY NOT NULL,
    author         TEXT NOT NULL,
    title          TEXT NOT NULL,
    content        TEXT NOT NULL,
    content_html   TEXT NOT NULL,
    category       TEXT NOT NULL,
    tags           TEXT NOT NULL,          -- JSON array; searchable through community_post_tags
    code           TEXT,                   -- JSON object
    project        TEXT,                   -- JSON object
    collaboration  TEXT,                   -- JSON object
    has_code       INTEGER NOT NULL,
    challenge      TEXT,
    difficulty     TEXT,
    challenge_type TEXT,
    is_pinned      INTEGER NOT NULL,
    is_featured    INTEGER NOT NULL,
    likes          INTEGER NOT NULL DEFAULT 0,
    views          INTEGER NOT NULL DEFAULT 0,
    comments       INTEGER NOT NULL DEFAULT 0,
    bookmarks      INTEGER NOT NULL DEFAULT 0,
    hot            REAL NOT NULL,
    is_active      INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
-- Each list order is an index range over live posts, pinned first.
CREATE INDEX IF NOT EXISTS community_posts_recent
    ON community_posts (is_active, is_pinned DESC, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS community_posts_popular
    ON community_posts (is_active, is_pinned DESC, likes DESC, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS community_posts_commented
    ON community_posts (is_active, is_pinned DESC, comments DESC, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS community_posts_hot
    ON community_posts (is_active, is_pinned DESC, hot DESC, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS community_posts_category
    ON community_posts (category, is_active, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS community_posts_author ON community_posts (author, created_at DESC);
CREATE INDEX IF NOT EXISTS community_posts_challenge ON community_posts (challenge) WHERE challenge IS NOT NULL;
CREATE INDEX IF NOT EXISTS community_posts_created ON community_posts (created_at);

CREATE TABLE IF NOT EXISTS community_post_tags (
    tag  TEXT NOT NULL,
    post TEXT NOT NULL,
    PRIMARY KEY (tag, post)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS community_post_tags_post ON community_post_tags (post);

-- One like or bookmark per member per post: the primary key is what keeps the counters exact.
CREATE TABLE IF NOT EXISTS community_marks (
    post   TEXT NOT NULL,
    kind   TEXT NOT NULL,
    member TEXT NOT NULL,
    at     INTEGER NOT NULL,
    PRIMARY KEY (post, kind, member)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS community_marks_member ON community_marks (member, kind, at DESC);

-- One counted view per viewer per post per UTC day.
CREATE TABLE IF NOT EXISTS community_views (
    post   TEXT NOT NULL,
    viewer TEXT NOT NULL,
    day    TEXT NOT NULL,
    PRIMARY KEY (post, viewer, day)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS community_comments (
    id           TEXT PRIMARY KEY NOT NULL,
    post         TEXT NOT NULL,
    parent       TEXT,
    root         TEXT NOT NULL,
    depth        INTEGER NOT NULL,
    author       TEXT NOT NULL,
    content      TEXT NOT NULL,
    content_html TEXT NOT NULL,
    likes        INTEGER NOT NULL DEFAULT 0,
    replies      INTEGER NOT NULL DEFAULT 0,
    is_deleted   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS community_comments_top
    ON community_comments (post, created_at, id) WHERE parent IS NULL;
CREATE INDEX IF NOT EXISTS community_comments_root ON community_comments (root, created_at, id);
CREATE INDEX IF NOT EXISTS community_comments_created ON community_comments (created_at);

CREATE TABLE IF NOT EXISTS community_comment_likes (
    comment TEXT NOT NULL,
    member  TEXT NOT NULL,
    at      INTEGER NOT NULL,
    PRIMARY KEY (comment, member)
) WITHOUT ROWID;
