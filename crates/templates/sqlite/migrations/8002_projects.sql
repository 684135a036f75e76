-- Code-runner projects: members' saved code, versioned, shared under unguessable links.
CREATE TABLE IF NOT EXISTS projects (
    id          TEXT PRIMARY KEY NOT NULL,
    owner       TEXT NOT NULL,
    title       TEXT NOT NULL,
    html        TEXT NOT NULL,
    css         TEXT NOT NULL,
    js          TEXT NOT NULL,
    language    TEXT NOT NULL,
    framework   TEXT NOT NULL,
    template    TEXT,
    forked_from TEXT,
    version     INTEGER NOT NULL,
    share       TEXT,
    views       INTEGER NOT NULL DEFAULT 0,
    is_active   INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS projects_share ON projects (share) WHERE share IS NOT NULL;
CREATE INDEX IF NOT EXISTS projects_owner ON projects (owner, is_active, updated_at DESC, id DESC);
