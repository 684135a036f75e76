-- A category's list in its order (pinned first, newest next) is an index range, not a sort of
-- every post of the category.
DROP INDEX IF EXISTS community_posts_category;
CREATE INDEX IF NOT EXISTS community_posts_category_order
    ON community_posts (category, is_active, is_pinned DESC, created_at DESC, id DESC);
