-- board_buckets (how many listed players hold each XP value on a board) now follow board_scores
-- by triggers: a score written, moved, unlisted or deleted adjusts its buckets in the same
-- statement, so the counters always equal the rows, and a scoring commit moves a board in one
-- statement instead of six. Existing buckets are already consistent; the triggers only apply
-- changes from now on.

CREATE TRIGGER IF NOT EXISTS board_scores_counted_in
AFTER INSERT ON board_scores
WHEN NEW.listed AND NEW.xp > 0
BEGIN
    INSERT INTO board_buckets (board, xp, players) VALUES (NEW.board, NEW.xp, 1)
        ON CONFLICT (board, xp) DO UPDATE SET players = players + 1;
END;

CREATE TRIGGER IF NOT EXISTS board_scores_counted_out
AFTER DELETE ON board_scores
WHEN OLD.listed AND OLD.xp > 0
BEGIN
    UPDATE board_buckets SET players = players - 1 WHERE board = OLD.board AND xp = OLD.xp;
    DELETE FROM board_buckets WHERE board = OLD.board AND xp = OLD.xp AND players <= 0;
END;

-- An update leaves its old bucket (if it was counted) and joins its new one (if it is counted).
CREATE TRIGGER IF NOT EXISTS board_scores_counted_left
AFTER UPDATE OF xp, listed ON board_scores
WHEN OLD.listed AND OLD.xp > 0 AND (NEW.xp IS NOT OLD.xp OR NEW.listed IS NOT OLD.listed)
BEGIN
    UPDATE board_buckets SET players = players - 1 WHERE board = OLD.board AND xp = OLD.xp;
    DELETE FROM board_buckets WHERE board = OLD.board AND xp = OLD.xp AND players <= 0;
END;

CREATE TRIGGER IF NOT EXISTS board_scores_counted_joined
AFTER UPDATE OF xp, listed ON board_scores
WHEN NEW.listed AND NEW.xp > 0 AND (NEW.xp IS NOT OLD.xp OR NEW.listed IS NOT OLD.listed)
BEGIN
    INSERT INTO board_buckets (board, xp, players) VALUES (NEW.board, NEW.xp, 1)
        ON CONFLICT (board, xp) DO UPDATE SET players = players + 1;
END;
