-- The journey of an initiative (issue 4, "Projects and outcomes"): who
-- carries a project, the team that forms around it and the skills it seeks,
-- what it needs, and what it became once realised. Stage moves themselves
-- are rows of the activity log (verb "Move"): the timeline reads them there.

-- A project's carrier is a person or an organisation (carrier_org_id, 0001);
-- a merged initiative points to the one it joined; an author's request to
-- become a project waits for the animators.
ALTER TABLE initiatives ADD COLUMN carrier_user_id BIGINT REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE initiatives ADD COLUMN merged_into_id BIGINT REFERENCES initiatives(id) ON DELETE SET NULL;
ALTER TABLE initiatives ADD COLUMN stage_note TEXT NOT NULL DEFAULT '';
ALTER TABLE initiatives ADD COLUMN project_requested_at BIGINT;
CREATE INDEX initiatives_carrier_user ON initiatives (carrier_user_id);
CREATE INDEX initiatives_merged_into ON initiatives (merged_into_id);

-- "Appel à compétences": the skills a project seeks, normalised as profile
-- skills are (user_skills), so that matching is an equality join.
CREATE TABLE initiative_skills (
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
  skill TEXT NOT NULL,
  PRIMARY KEY (initiative_id, skill)
);
CREATE INDEX initiative_skills_skill ON initiative_skills (territory_id, skill);

-- People who offered to join a project's team; one offer per person and project.
CREATE TABLE team_members (
  id @ID@,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
  user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
  skills TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'offered' CHECK (state IN ('offered', 'accepted', 'declined')),
  decided_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  decided_at BIGINT,
  UNIQUE (initiative_id, user_id)
);
CREATE INDEX team_members_initiative ON team_members (initiative_id, state, id);
CREATE INDEX team_members_user ON team_members (user_id, id DESC);
CREATE INDEX team_members_decided_by ON team_members (decided_by);

-- What a project states it needs, each item open or met.
CREATE TABLE project_needs (
  id @ID@,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('money', 'premises', 'coaching', 'training', 'equipment', 'volunteers', 'other')),
  description TEXT NOT NULL DEFAULT '',
  amount_eur BIGINT,
  surface_m2 BIGINT,
  duration_months BIGINT,
  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'met')),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX project_needs_initiative ON project_needs (initiative_id, id);
CREATE INDEX project_needs_open ON project_needs (territory_id, state, kind, id DESC);

-- What a realised initiative became: one row per initiative.
CREATE TABLE outcomes (
  initiative_id BIGINT PRIMARY KEY REFERENCES initiatives(id) ON DELETE CASCADE,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('enterprise', 'event', 'service')),
  legal_form TEXT NOT NULL DEFAULT '',
  founded_on TEXT NOT NULL DEFAULT '',
  starts_at BIGINT,
  ends_at BIGINT,
  place TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  impact TEXT NOT NULL DEFAULT '',
  recorded_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX outcomes_events ON outcomes (territory_id, kind, starts_at, initiative_id);
CREATE INDEX outcomes_recorded_by ON outcomes (recorded_by);
