-- Indexes for the catalogue's filters (each list query names only the filters in use).
CREATE INDEX IF NOT EXISTS challenges_kind_difficulty ON challenges (kind, difficulty, created_at DESC);
CREATE INDEX IF NOT EXISTS challenges_difficulty ON challenges (difficulty, created_at DESC);
CREATE INDEX IF NOT EXISTS challenges_category_created ON challenges (category, created_at DESC);
