-- Ties on a challenge's board are decided by the solve time the server observed (attempt start
-- to scoring, milliseconds), then by when the best was reached; the browser's reported
-- execution time is kept for display only. Unknown solve times (bests from before, or without
-- an attempt) hold the largest value, so they rank after every known one and the index serves
-- the order without a COALESCE.
ALTER TABLE challenge_bests ADD COLUMN solve_time INTEGER NOT NULL DEFAULT 9223372036854775807;
DROP INDEX IF EXISTS challenge_bests_rank;
CREATE INDEX IF NOT EXISTS challenge_bests_rank
    ON challenge_bests (challenge, listed, score DESC, solve_time, achieved_at, player);
