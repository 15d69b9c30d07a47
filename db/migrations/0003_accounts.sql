-- Accounts (OWASP ASVS level 2): confirmed e-mail addresses, argon2id
-- password hashes, per-territory roles, organisation members, single-use
-- e-mail tokens, the outbox the mail sender drains, rate-limit counters,
-- and the versions of the terms people accepted. Deleting an account
-- deletes its users row: contributions keep their author_id set to NULL
-- and show "participant supprimé"; everything personal goes with the row
-- (ON DELETE CASCADE below).

ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN email_confirmed_at BIGINT;
ALTER TABLE users ADD COLUMN neighbourhood TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'fr';
ALTER TABLE users ADD COLUMN notify_frequency TEXT NOT NULL DEFAULT 'daily';
ALTER TABLE users ADD COLUMN terms_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN terms_accepted_at BIGINT;
ALTER TABLE users ADD COLUMN password_changed_at BIGINT;

CREATE TABLE user_skills (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  skill TEXT NOT NULL,
  PRIMARY KEY (user_id, skill)
);
CREATE INDEX user_skills_skill ON user_skills (skill);

CREATE TABLE user_interests (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  theme_id BIGINT NOT NULL REFERENCES themes(id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, theme_id)
);

-- Roles are per territory; "member" is given on first contribution.
CREATE TABLE roles (
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('member', 'animator', 'admin')),
  granted_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
  granted_at BIGINT NOT NULL,
  PRIMARY KEY (territory_id, user_id)
);
CREATE INDEX roles_user ON roles (user_id);

CREATE TABLE organisation_members (
  organisation_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
  joined_at BIGINT NOT NULL,
  PRIMARY KEY (organisation_id, user_id)
);
CREATE INDEX organisation_members_user ON organisation_members (user_id);

-- Who follows what (notifications come later; the follows are recorded now).
CREATE TABLE follows (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  object_type TEXT NOT NULL,
  object_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, object_type, object_id)
);

CREATE TABLE notifications (
  id @ID@,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  activity_id BIGINT REFERENCES activities(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  read_at BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);

-- Single-use links sent by e-mail: confirm an address, reset a password,
-- change the address. Only the hash of the token is stored.
CREATE TABLE email_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('confirm', 'reset', 'email_change')),
  new_email TEXT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);

-- Mail waiting to be sent; the sender takes rows one at a time
-- (FOR UPDATE SKIP LOCKED on PostgreSQL), retrying with a growing delay.
CREATE TABLE outbox (
  id @ID@,
  territory_id BIGINT REFERENCES territories(id) ON DELETE SET NULL,
  user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
  to_address TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  sent_at BIGINT,
  last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);

-- Fixed-window counters for rate limits, shared by every process.
CREATE TABLE rate_limits (
  key TEXT NOT NULL,
  window_start BIGINT NOT NULL,
  hits INTEGER NOT NULL,
  PRIMARY KEY (key, window_start)
);

CREATE TABLE terms (
  version INTEGER PRIMARY KEY,
  body TEXT NOT NULL,
  published_at BIGINT NOT NULL
);

-- Sessions learn their owner's device for the "active sessions" list,
-- and an absolute expiry besides the idle one.
ALTER TABLE sessions ADD COLUMN absolute_expires_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_user ON sessions (user_id);
