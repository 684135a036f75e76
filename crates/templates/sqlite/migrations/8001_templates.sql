-- Starter templates, every version of their code, and members' stars.
CREATE TABLE IF NOT EXISTS templates (
    id             TEXT PRIMARY KEY NOT NULL,
    author         TEXT NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL,
    html           TEXT NOT NULL,
    css            TEXT NOT NULL,
    js             TEXT NOT NULL,
    language       TEXT NOT NULL,
    framework      TEXT NOT NULL,
    category       TEXT NOT NULL,
    difficulty     TEXT NOT NULL,
    tags           TEXT NOT NULL,        -- JSON array
    features       TEXT NOT NULL,        -- JSON array
    stars          INTEGER NOT NULL DEFAULT 0,
    downloads      INTEGER NOT NULL DEFAULT 0,
    forks          INTEGER NOT NULL DEFAULT 0,
    views          INTEGER NOT NULL DEFAULT 0,
    version        INTEGER NOT NULL,
    forked_from    TEXT,
    forked_version INTEGER,
    thumbnail      TEXT,
    is_public      INTEGER NOT NULL,
    is_active      INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
-- The public catalogue in each order, and by its filters.
CREATE INDEX IF NOT EXISTS templates_newest
    ON templates (is_active, is_public, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS templates_stars
    ON templates (is_active, is_public, stars DESC, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS templates_downloads
    ON templates (is_active, is_public, downloads DESC, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS templates_forks
    ON templates (is_active, is_public, forks DESC, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS templates_category
    ON templates (is_active, is_public, category, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS templates_framework
    ON templates (is_active, is_public, framework, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS templates_author
    ON templates (author, is_active, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS templates_forked_from
    ON templates (forked_from, is_active, created_at DESC, id DESC) WHERE forked_from IS NOT NULL;

CREATE TABLE IF NOT EXISTS template_versions (
    template   TEXT NOT NULL,
    number     INTEGER NOT NULL,
    html       TEXT NOT NULL,
    css        TEXT NOT NULL,
    js         TEXT NOT NULL,
    language   TEXT NOT NULL,
    framework  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (template, number)
) WITHOUT ROWID;

-- One star per member and template.
CREATE TABLE IF NOT EXISTS template_stars (
    template TEXT NOT NULL,
    member   TEXT NOT NULL,
    at       INTEGER NOT NULL,
    PRIMARY KEY (template, member)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS template_stars_member ON template_stars (member, at DESC, template);
