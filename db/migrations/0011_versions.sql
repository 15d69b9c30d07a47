-- Improving an idea together (issue 4, "bonification"): every version of an
-- initiative's title and text, the suggestions members make against a
-- version and the authors' answer, and the co-authors authors invite.
-- Portable SQL for SQLite and PostgreSQL; times are Unix seconds.

-- Version 1 is the text at creation, written lazily by the first edit for
-- initiatives that existed before. UNIQUE (initiative_id, version): two
-- edits can never claim the same number.
CREATE TABLE initiative_versions (
  id @ID@,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  title TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  author_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
  suggestion_id BIGINT,
  note TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  UNIQUE (initiative_id, version)
);

-- A suggestion changes the title, the body or both (NULL: unchanged); it
-- keeps the text it was made against, so that accepting it never overwrites
-- a later edit (the base must still be the current text).
CREATE TABLE suggestions (
  id @ID@,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
  author_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
  title TEXT,
  body TEXT,
  reason TEXT NOT NULL DEFAULT '',
  base_title TEXT NOT NULL,
  base_body TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'accepted', 'declined')),
  answer TEXT NOT NULL DEFAULT '',
  answered_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
  answered_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX suggestions_initiative ON suggestions (initiative_id, state, id);

-- One row per (initiative, person): inviting twice is one invitation.
CREATE TABLE coauthors (
  id @ID@,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  invited_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
  state TEXT NOT NULL DEFAULT 'invited' CHECK (state IN ('invited', 'accepted', 'declined')),
  created_at BIGINT NOT NULL,
  answered_at BIGINT,
  UNIQUE (initiative_id, user_id)
);
CREATE INDEX coauthors_user ON coauthors (user_id, state, id);
