-- What dashboards count without reading code: the challenge's type and the number of lines.
ALTER TABLE submissions ADD COLUMN challenge_type TEXT NOT NULL DEFAULT '';
ALTER TABLE submissions ADD COLUMN lines INTEGER NOT NULL DEFAULT 0;
