-- Indexes that serve the catalogue's lists in their order, ties broken by id as the queries do,
-- so a page is read in order instead of sorting every matching row. Filter columns come first;
-- the visibility columns come last so counts are answered from the index alone.
DROP INDEX IF EXISTS challenges_visible_created;
DROP INDEX IF EXISTS challenges_popularity;
DROP INDEX IF EXISTS challenges_category;
CREATE INDEX IF NOT EXISTS challenges_visible_created
    ON challenges (deleted_at, is_public, is_active, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS challenges_visible_popular
    ON challenges (deleted_at, is_public, is_active, popularity_score DESC, id DESC);
CREATE INDEX IF NOT EXISTS challenges_category_created
    ON challenges (category, created_at DESC, id DESC, deleted_at, is_public, is_active);
CREATE INDEX IF NOT EXISTS challenges_category_popular
    ON challenges (category, popularity_score DESC, id DESC, deleted_at, is_public, is_active);
CREATE INDEX IF NOT EXISTS challenges_kind_difficulty
    ON challenges (kind, difficulty, created_at DESC, id DESC, deleted_at, is_public, is_active);
CREATE INDEX IF NOT EXISTS challenges_difficulty
    ON challenges (difficulty, created_at DESC, id DESC, deleted_at, is_public, is_active);

-- Substring search over title, description and tags through trigrams (case-insensitive), kept
-- in step with the table by triggers. It is keyed by the table's rowid: after a manual VACUUM
-- (which may renumber rowids) rebuild it with
-- INSERT INTO challenges_search(challenges_search) VALUES ('rebuild').
CREATE VIRTUAL TABLE IF NOT EXISTS challenges_search USING fts5(
    title, description, tags, content = 'challenges', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER IF NOT EXISTS challenges_search_insert AFTER INSERT ON challenges BEGIN
    INSERT INTO challenges_search (rowid, title, description, tags)
    VALUES (new.rowid, new.title, new.description, new.tags);
END;
CREATE TRIGGER IF NOT EXISTS challenges_search_delete AFTER DELETE ON challenges BEGIN
    INSERT INTO challenges_search (challenges_search, rowid, title, description, tags)
    VALUES ('delete', old.rowid, old.title, old.description, old.tags);
END;
CREATE TRIGGER IF NOT EXISTS challenges_search_update AFTER UPDATE OF title, description, tags ON challenges BEGIN
    INSERT INTO challenges_search (challenges_search, rowid, title, description, tags)
    VALUES ('delete', old.rowid, old.title, old.description, old.tags);
    INSERT INTO challenges_search (rowid, title, description, tags)
    VALUES (new.rowid, new.title, new.description, new.tags);
END;
INSERT INTO challenges_search (challenges_search) VALUES ('rebuild');
