-- Scoring context: attempts. Times are milliseconds since the Unix epoch.
CREATE TABLE IF NOT EXISTS attempts (
    id                TEXT PRIMARY KEY NOT NULL,
    player            TEXT NOT NULL,
    challenge         TEXT NOT NULL,
    mode              TEXT NOT NULL,
    distraction_level TEXT NOT NULL,
    started_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    nonce             TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_player_challenge ON attempts (player, challenge, started_at DESC);
