-- Threaded comments on needs and initiatives (issue 4, "bonification").
-- A comment answers an object (object_type, object_id) and, for a reply,
-- another comment of the same object (parent_id). root_id is the thread's
-- first comment (its own id for a root) and path the ids from the root down,
-- each zero-padded to 12 digits and joined by '.', so one query ordered by
-- (root_id, path) returns a whole discussion in reading order on both
-- backends (fixed-width segments sort the same whatever the collation).
-- depth is 0 for a root. Times are Unix seconds; edited_at is set when the
-- author changed the text, deleted_at is kept for moderation.

CREATE TABLE comments (
  id @ID@,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  object_type TEXT NOT NULL CHECK (object_type IN ('need', 'initiative')),
  object_id BIGINT NOT NULL,
  parent_id BIGINT REFERENCES comments(id) ON DELETE CASCADE,
  root_id BIGINT,
  depth INTEGER NOT NULL DEFAULT 0,
  path TEXT NOT NULL DEFAULT '',
  author_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  edited_at BIGINT,
  deleted_at BIGINT
);
-- The thread of an object, newest roots first for the "older comments" pages.
CREATE INDEX comments_thread ON comments (territory_id, object_type, object_id, root_id, path);
CREATE INDEX comments_parent ON comments (parent_id);
CREATE INDEX comments_author ON comments (author_id, id DESC);

-- Initiatives have their counter since 0001; needs get theirs here.
ALTER TABLE needs ADD COLUMN comment_count INTEGER NOT NULL DEFAULT 0;
