-- Scoring context: submissions, player progress, the XP ledger, leaderboards, achievements.
-- Times are milliseconds since the Unix epoch; ids are 24 hex digits.
CREATE TABLE IF NOT EXISTS submissions (
    id             TEXT PRIMARY KEY NOT NULL,
    player         TEXT NOT NULL,
    challenge      TEXT NOT NULL,
    attempt        TEXT,
    language       TEXT NOT NULL,
    difficulty     TEXT NOT NULL,
    status         TEXT NOT NULL,
    score          REAL NOT NULL,
    success        INTEGER NOT NULL,
    execution_time INTEGER,
    xp_awarded     INTEGER NOT NULL,
    code           TEXT NOT NULL,
    execution      TEXT NOT NULL,
    simulation     TEXT NOT NULL,
    started_at     INTEGER NOT NULL,
    submitted_at   INTEGER NOT NULL,
    scored_at      INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS submissions_player_created ON submissions (player, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS submissions_challenge_created ON submissions (challenge, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS submissions_player_successes ON submissions (player, success, language);

-- One row per player who has had a submission scored. `version` orders writes (compare-and-set).
CREATE TABLE IF NOT EXISTS progress (
    player         TEXT PRIMARY KEY NOT NULL,
    xp             INTEGER NOT NULL,
    level          INTEGER NOT NULL,
    attempts       INTEGER NOT NULL,
    completed      INTEGER NOT NULL,
    streak         INTEGER NOT NULL,
    best_streak    INTEGER NOT NULL,
    last_day       TEXT,
    last_active_at INTEGER,
    listed         INTEGER NOT NULL,
    version        INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS progress_by_xp ON progress (listed, xp DESC, player);
CREATE INDEX IF NOT EXISTS progress_by_level ON progress (listed, level DESC, xp DESC, player);
CREATE INDEX IF NOT EXISTS progress_by_streak ON progress (listed, streak DESC, xp DESC, player);
CREATE INDEX IF NOT EXISTS progress_by_completed ON progress (listed, completed DESC, xp DESC, player);

-- Append-only. A source pays a player for one reason once.
CREATE TABLE IF NOT EXISTS xp_ledger (
    id          TEXT PRIMARY KEY NOT NULL,
    player      TEXT NOT NULL,
    delta       INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source      TEXT NOT NULL,
    challenge   TEXT,
    balance     INTEGER NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS xp_ledger_player ON xp_ledger (player, at DESC, id DESC);
CREATE UNIQUE INDEX IF NOT EXISTS xp_ledger_once ON xp_ledger (player, reason, source);

-- XP per board window (`all`, `week:2026-11-23`, `month:2026-11-01`) and player.
CREATE TABLE IF NOT EXISTS board_scores (
    board      TEXT NOT NULL,
    player     TEXT NOT NULL,
    xp         INTEGER NOT NULL,
    reached_at INTEGER NOT NULL,
    listed     INTEGER NOT NULL,
    PRIMARY KEY (board, player)
);
CREATE INDEX IF NOT EXISTS board_scores_rank ON board_scores (board, listed, xp DESC, reached_at, player);
-- How many listed players hold each XP value on each board: ranks without counting rows.
CREATE TABLE IF NOT EXISTS board_buckets (
    board   TEXT NOT NULL,
    xp      INTEGER NOT NULL,
    players INTEGER NOT NULL,
    PRIMARY KEY (board, xp)
);

CREATE TABLE IF NOT EXISTS challenge_bests (
    challenge      TEXT NOT NULL,
    player         TEXT NOT NULL,
    submission     TEXT NOT NULL,
    score          REAL NOT NULL,
    achieved_at    INTEGER NOT NULL,
    execution_time INTEGER,
    listed         INTEGER NOT NULL,
    PRIMARY KEY (challenge, player)
);
CREATE INDEX IF NOT EXISTS challenge_bests_rank ON challenge_bests (challenge, listed, score DESC, achieved_at, execution_time, player);

CREATE TABLE IF NOT EXISTS achievements (
    id         TEXT PRIMARY KEY NOT NULL,
    key        TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS achievements_key_unique ON achievements (key);

CREATE TABLE IF NOT EXISTS player_achievements (
    player      TEXT NOT NULL,
    achievement TEXT NOT NULL,
    unlocked_at INTEGER NOT NULL,
    PRIMARY KEY (player, achievement)
);
