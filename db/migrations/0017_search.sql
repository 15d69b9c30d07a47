-- Full-text search (src/domain/search.c). One row of search_docs per
-- searchable text: a need (title + text), an initiative at any stage (title
-- + summary + text) and a comment (its text; it opens its discussion,
-- link_type/link_id). The domain writes these rows in the transaction of
-- the write that changes the text; each backend indexes them its own way.
-- Both fold case and accents the same way ("velo" finds "Vélo"), split words
-- on what is not a letter or a digit, and stem nothing, so that the same
-- query finds the same rows on SQLite and on PostgreSQL.
CREATE TABLE search_docs (
  id @ID@,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('need', 'initiative', 'comment')),
  object_id BIGINT NOT NULL,
  link_type TEXT NOT NULL CHECK (link_type IN ('need', 'initiative')),
  link_id BIGINT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (kind, object_id)
);

-- @sqlite
-- FTS5 over search_docs (external content: the text is stored once). The
-- scope column holds "t<territory> <kind>", so that a territory's and a
-- kind's rows are a term of the index, intersected with the words, and a
-- small territory's search never walks a big one's matches. People's words
-- are matched only against title and body.
CREATE VIEW search_content AS
  SELECT id, 't' || territory_id || ' ' || kind AS scope, title, body FROM search_docs;
CREATE VIRTUAL TABLE search_fts USING fts5(scope, title, body,
  content = 'search_content', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2');
-- A word in the title weighs three times a word in the text.
INSERT INTO search_fts (search_fts, rank) VALUES ('rank', 'bm25(0.0, 3.0, 1.0)');
CREATE TRIGGER search_docs_insert AFTER INSERT ON search_docs BEGIN
  INSERT INTO search_fts (rowid, scope, title, body)
  VALUES (new.id, 't' || new.territory_id || ' ' || new.kind, new.title, new.body);
END;
CREATE TRIGGER search_docs_delete AFTER DELETE ON search_docs BEGIN
  INSERT INTO search_fts (search_fts, rowid, scope, title, body)
  VALUES ('delete', old.id, 't' || old.territory_id || ' ' || old.kind, old.title, old.body);
END;
CREATE TRIGGER search_docs_update AFTER UPDATE ON search_docs BEGIN
  INSERT INTO search_fts (search_fts, rowid, scope, title, body)
  VALUES ('delete', old.id, 't' || old.territory_id || ' ' || old.kind, old.title, old.body);
  INSERT INTO search_fts (rowid, scope, title, body)
  VALUES (new.id, 't' || new.territory_id || ' ' || new.kind, new.title, new.body);
END;

-- @postgres
-- The 'simple' configuration (no stemming, which SQLite has not) on text
-- folded the way FTS5's unicode61 remove_diacritics 2 folds it: decomposed
-- (NFD), its combining accents dropped, in lower case. For the letters
-- U+00C0 to U+024F this gives what SQLite gives (checked against SQLite
-- itself), at about 30 µs for a kilobyte of text; translate() with the
-- same list took 500 µs. normalize() needs a UTF8 database.
CREATE FUNCTION search_fold(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT lower(regexp_replace(normalize(t, NFD), '[\u0300-\u036f]', '', 'g'))
$$;
-- Like FTS5's scope column, the territory and the kind are words of the
-- vector ("~t12", "~need": the words of a text never start with "~"), so
-- that the GIN index, not the table, tells a territory's and a kind's rows
-- from the others.
ALTER TABLE search_docs ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('simple'::regconfig, search_fold(title)), 'A') ||
  to_tsvector('simple'::regconfig, search_fold(body)) ||
  array_to_tsvector(ARRAY['~t' || CAST(territory_id AS TEXT), '~' || kind])) STORED;
CREATE INDEX search_docs_words ON search_docs USING gin (tsv);
-- Newest first within a territory, when a query matches too many rows to rank.
CREATE INDEX search_docs_newest ON search_docs (territory_id, id DESC);

-- @all
-- What exists already, oldest first (ids then follow creation: "newest
-- first" is "highest id first").
INSERT INTO search_docs (territory_id, kind, object_id, link_type, link_id, title, body, created_at)
SELECT territory_id, kind, object_id, link_type, link_id, title, body, created_at FROM (
  SELECT territory_id, 'need' AS kind, id AS object_id, 'need' AS link_type, id AS link_id,
         title, body, created_at FROM needs
  UNION ALL
  SELECT territory_id, 'initiative', id, 'initiative', id, title,
         CASE WHEN summary = '' THEN body ELSE summary || '

' || body END, created_at FROM initiatives
  UNION ALL
  SELECT territory_id, 'comment', id, object_type, object_id, '', body, created_at
  FROM comments WHERE deleted_at IS NULL
) s ORDER BY created_at, kind, object_id;
