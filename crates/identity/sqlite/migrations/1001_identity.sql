-- Identity context: accounts, refresh tokens, single-use link tokens.
-- Times are milliseconds since the Unix epoch (UTC); ids are 24 hex digits.
CREATE TABLE IF NOT EXISTS users (
    id               TEXT PRIMARY KEY NOT NULL,
    email            TEXT NOT NULL,
    username         TEXT NOT NULL,
    username_key     TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    profile          TEXT NOT NULL,
    preferences      TEXT NOT NULL,
    roles            TEXT NOT NULL,
    level            INTEGER NOT NULL DEFAULT 1,
    xp               INTEGER NOT NULL DEFAULT 0,
    total_challenges INTEGER NOT NULL DEFAULT 0,
    completed_challenges INTEGER NOT NULL DEFAULT 0,
    streak           INTEGER NOT NULL DEFAULT 0,
    last_active_date INTEGER,
    is_active        INTEGER NOT NULL,
    email_verified   INTEGER NOT NULL,
    token_version    INTEGER NOT NULL DEFAULT 0,
    failed_logins    INTEGER NOT NULL DEFAULT 0,
    locked_until     INTEGER,
    deleted_at       INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS users_email_unique ON users (email);
CREATE UNIQUE INDEX IF NOT EXISTS users_username_unique ON users (username_key);
CREATE INDEX IF NOT EXISTS users_created ON users (created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS refresh_tokens (
    hash       TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL,
    family     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    revoked_at INTEGER
);
CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX IF NOT EXISTS refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE IF NOT EXISTS link_tokens (
    purpose    TEXT NOT NULL,
    hash       TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (purpose, hash)
);
CREATE INDEX IF NOT EXISTS link_tokens_user ON link_tokens (user_id, purpose);
