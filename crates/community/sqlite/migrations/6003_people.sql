-- Community people: follows and collaboration requests.
CREATE TABLE IF NOT EXISTS community_follows (
    follower TEXT NOT NULL,
    followee TEXT NOT NULL,
    at       INTEGER NOT NULL,
    PRIMARY KEY (follower, followee)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS community_follows_followee ON community_follows (followee, at DESC);
CREATE INDEX IF NOT EXISTS community_follows_follower_at ON community_follows (follower, at DESC);

CREATE TABLE IF NOT EXISTS community_collaborations (
    id           TEXT PRIMARY KEY NOT NULL,
    post         TEXT NOT NULL,
    requester    TEXT NOT NULL,
    post_author  TEXT NOT NULL,
    message      TEXT NOT NULL,
    skills       TEXT NOT NULL,          -- JSON array
    status       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    responded_at INTEGER
);
-- One pending request per member per post.
CREATE UNIQUE INDEX IF NOT EXISTS community_collaborations_pending
    ON community_collaborations (post, requester) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS community_collaborations_sent
    ON community_collaborations (requester, created_at DESC);
CREATE INDEX IF NOT EXISTS community_collaborations_received
    ON community_collaborations (post_author, created_at DESC);
