-- Profiles and the rights of RGPD articles 15 to 20. The public profile
-- lists what a person posted, the "my data" export reads everything that
-- names them, and deleting an account makes the database null or delete
-- every row that points at them (ON DELETE SET NULL / CASCADE). Each of
-- those reads needs an index on the column that names the person, or it
-- would scan the whole table: on PostgreSQL a foreign key's referencing
-- column has no index unless one is made.

CREATE INDEX needs_author ON needs (author_id, id DESC);
CREATE INDEX initiatives_author ON initiatives (author_id, id DESC);
CREATE INDEX activities_actor ON activities (actor_id, id DESC);
CREATE INDEX activities_target ON activities (target_type, target_id);
CREATE INDEX roles_granted_by ON roles (granted_by);
CREATE INDEX outbox_user ON outbox (user_id);
CREATE INDEX user_interests_theme ON user_interests (theme_id);
