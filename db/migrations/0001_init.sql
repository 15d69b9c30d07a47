-- The first schema: territories and their host names, people (the accounts
-- issue extends them), organisations including partners, needs, initiatives
-- along the journey, sessions, and the activity log every write feeds.
-- Portable SQL for SQLite and PostgreSQL; @ID@ is replaced by each backend
-- with its auto-increment primary key. Times are Unix seconds (BIGINT).

CREATE TABLE territories (
  id @ID@,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  tagline TEXT NOT NULL DEFAULT '',
  welcome TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);

CREATE TABLE territory_hosts (
  host TEXT PRIMARY KEY,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE
);

CREATE TABLE themes (
  id @ID@,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  slug TEXT NOT NULL,
  name TEXT NOT NULL,
  UNIQUE (territory_id, slug)
);

CREATE TABLE neighbourhoods (
  id @ID@,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  UNIQUE (territory_id, name)
);

CREATE TABLE users (
  id @ID@,
  email TEXT UNIQUE,
  display_name TEXT NOT NULL,
  bio TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);

CREATE TABLE organisations (
  id @ID@,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  slug TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('association', 'social_enterprise', 'company', 'public_body', 'partner')),
  summary TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  website TEXT NOT NULL DEFAULT '',
  is_partner INTEGER NOT NULL DEFAULT 0,
  accredited_at BIGINT,
  created_at BIGINT NOT NULL,
  UNIQUE (territory_id, slug)
);
CREATE INDEX organisations_partner ON organisations (territory_id, is_partner, name);

CREATE TABLE needs (
  id @ID@,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  author_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  theme_id BIGINT REFERENCES themes(id) ON DELETE SET NULL,
  neighbourhood_id BIGINT REFERENCES neighbourhoods(id) ON DELETE SET NULL,
  lat DOUBLE PRECISION,
  lng DOUBLE PRECISION,
  metoo_count INTEGER NOT NULL DEFAULT 0,
  idea_count INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX needs_recent ON needs (territory_id, id DESC);

CREATE TABLE initiatives (
  id @ID@,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  author_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
  carrier_org_id BIGINT REFERENCES organisations(id) ON DELETE SET NULL,
  title TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  stage TEXT NOT NULL CHECK (stage IN ('idea', 'improving', 'project', 'supported', 'realised', 'archived', 'merged')),
  outcome_kind TEXT CHECK (outcome_kind IN ('enterprise', 'event', 'service')),
  theme_id BIGINT REFERENCES themes(id) ON DELETE SET NULL,
  neighbourhood_id BIGINT REFERENCES neighbourhoods(id) ON DELETE SET NULL,
  support_count INTEGER NOT NULL DEFAULT 0,
  comment_count INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX initiatives_recent ON initiatives (territory_id, id DESC);
CREATE INDEX initiatives_stage ON initiatives (territory_id, stage, id DESC);

CREATE TABLE initiative_needs (
  initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
  need_id BIGINT NOT NULL REFERENCES needs(id) ON DELETE CASCADE,
  PRIMARY KEY (initiative_id, need_id)
);
CREATE INDEX initiative_needs_need ON initiative_needs (need_id);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  csrf_token TEXT NOT NULL,
  user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE activities (
  id @ID@,
  territory_id BIGINT REFERENCES territories(id) ON DELETE CASCADE,
  actor_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
  verb TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id BIGINT,
  target_type TEXT,
  target_id BIGINT,
  details TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL
);
CREATE INDEX activities_object ON activities (object_type, object_id, id);
CREATE INDEX activities_territory ON activities (territory_id, id DESC);

-- Messages sent to a territory's animators through the contact form.
CREATE TABLE contact_messages (
  id @ID@,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  name TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  handled_at BIGINT
);
CREATE INDEX contact_messages_recent ON contact_messages (territory_id, id DESC);
