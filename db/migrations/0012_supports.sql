-- The community's signals on the journey: "me too" on a need, support (+1)
-- on an initiative. Once per person is a rule the database enforces (the
-- primary keys): 50 identical requests at once leave one row, and the
-- counters on needs and initiatives (metoo_count, support_count) change in
-- the same transaction as the row, only when a row was really added or
-- removed. Follows use the follows table of 0003_accounts.sql.

CREATE TABLE supports (
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (initiative_id, user_id)
);
-- What a person supports in a territory, newest first.
CREATE INDEX supports_user ON supports (user_id, territory_id, created_at DESC);

CREATE TABLE need_metoos (
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  need_id BIGINT NOT NULL REFERENCES needs(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (need_id, user_id)
);
CREATE INDEX need_metoos_user ON need_metoos (user_id, territory_id, created_at DESC);

-- Who follows an object (notifications read it).
CREATE INDEX follows_object ON follows (object_type, object_id);
