-- The event store (appended, never changed: the triggers refuse updates and deletes) and the
-- daily rollups the aggregation job replaces day by day. Days are 'YYYY-MM-DD' (`day` in the
-- user's time zone, `utc_day` in UTC); times are milliseconds since the Unix epoch.
CREATE TABLE IF NOT EXISTS analytics_events (
    id       TEXT PRIMARY KEY NOT NULL,
    user_id  TEXT NOT NULL,
    at       INTEGER NOT NULL,
    day      TEXT NOT NULL,
    utc_day  TEXT NOT NULL,
    kind     TEXT NOT NULL,
    category TEXT NOT NULL,
    target   TEXT,
    score    REAL,
    success  INTEGER NOT NULL,
    first    INTEGER NOT NULL,
    xp       INTEGER NOT NULL,
    minutes  REAL,
    skills   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS analytics_events_day ON analytics_events (day);
CREATE INDEX IF NOT EXISTS analytics_events_utc_day ON analytics_events (utc_day, kind);
CREATE INDEX IF NOT EXISTS analytics_events_user ON analytics_events (user_id, day);
CREATE TRIGGER IF NOT EXISTS analytics_events_no_update BEFORE UPDATE ON analytics_events
BEGIN
    SELECT RAISE(ABORT, 'the event store is append-only');
END;
CREATE TRIGGER IF NOT EXISTS analytics_events_no_delete BEFORE DELETE ON analytics_events
BEGIN
    SELECT RAISE(ABORT, 'the event store is append-only');
END;

CREATE TABLE IF NOT EXISTS analytics_user_days (
    user_id   TEXT NOT NULL,
    day       TEXT NOT NULL,
    kind      TEXT NOT NULL,
    category  TEXT NOT NULL,
    count     INTEGER NOT NULL,
    successes INTEGER NOT NULL,
    firsts    INTEGER NOT NULL,
    score_sum REAL NOT NULL,
    score_min REAL,
    score_max REAL,
    minutes   REAL NOT NULL,
    xp        INTEGER NOT NULL,
    r0 INTEGER NOT NULL, r1 INTEGER NOT NULL, r2 INTEGER NOT NULL,
    r3 INTEGER NOT NULL, r4 INTEGER NOT NULL,
    PRIMARY KEY (user_id, day, kind, category)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS analytics_user_days_day ON analytics_user_days (day);

CREATE TABLE IF NOT EXISTS analytics_skill_days (
    user_id  TEXT NOT NULL,
    day      TEXT NOT NULL,
    skill    TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    solved   INTEGER NOT NULL,
    xp       INTEGER NOT NULL,
    PRIMARY KEY (user_id, day, skill)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS analytics_skill_days_day ON analytics_skill_days (day);

-- kind '' counts every kind.
CREATE TABLE IF NOT EXISTS analytics_platform_days (
    day       TEXT NOT NULL,
    kind      TEXT NOT NULL,
    count     INTEGER NOT NULL,
    users     INTEGER NOT NULL,
    successes INTEGER NOT NULL,
    PRIMARY KEY (day, kind)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS analytics_contributors (
    day           TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    contributions INTEGER NOT NULL,
    PRIMARY KEY (day, user_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS analytics_jobs (
    job         TEXT PRIMARY KEY NOT NULL,
    watermark   TEXT,
    holder      TEXT,
    lease_until INTEGER
);
