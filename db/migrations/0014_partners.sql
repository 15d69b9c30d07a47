-- The partner ecosystem: offers that accredited partner organisations
-- publish, matched to projects' open needs and stages; support requests
-- from carriers to partners, answered and completed; funding goals and
-- crowdfunding campaigns (Tremplin handles no money).

CREATE TABLE offers (
  id @ID@,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  organisation_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('coaching', 'training', 'funding', 'crowdfunding', 'premises', 'equipment', 'logistics', 'expertise', 'communication', 'other')),
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  conditions TEXT NOT NULL DEFAULT '',
  amount_max_eur BIGINT,
  capacity TEXT NOT NULL DEFAULT '',
  opens_at BIGINT,
  closes_at BIGINT,
  active INTEGER NOT NULL DEFAULT 1,
  created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX offers_territory ON offers (territory_id, active, kind, id DESC);
CREATE INDEX offers_organisation ON offers (organisation_id, id DESC);

-- The stages of the journey an offer applies to, and the themes it favours.
CREATE TABLE offer_stages (
  offer_id BIGINT NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
  stage TEXT NOT NULL CHECK (stage IN ('idea', 'improving', 'project', 'supported', 'realised')),
  PRIMARY KEY (offer_id, stage)
);
CREATE INDEX offer_stages_stage ON offer_stages (stage, offer_id);

CREATE TABLE offer_themes (
  offer_id BIGINT NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
  theme_id BIGINT NOT NULL REFERENCES themes(id) ON DELETE CASCADE,
  PRIMARY KEY (offer_id, theme_id)
);
CREATE INDEX offer_themes_theme ON offer_themes (theme_id, offer_id);

-- Which kinds of project need each kind of offer answers: the matching
-- joins through this table, so the rule is data, not code.
CREATE TABLE offer_kind_answers (
  offer_kind TEXT NOT NULL,
  need_kind TEXT NOT NULL,
  PRIMARY KEY (offer_kind, need_kind)
);
INSERT INTO offer_kind_answers (offer_kind, need_kind) VALUES
  ('coaching', 'coaching'),
  ('training', 'training'),
  ('funding', 'money'),
  ('crowdfunding', 'money'),
  ('premises', 'premises'),
  ('equipment', 'equipment'),
  ('logistics', 'equipment'),
  ('logistics', 'volunteers'),
  ('expertise', 'coaching'),
  ('expertise', 'other'),
  ('communication', 'other'),
  ('other', 'other');

-- A carrier asks a partner for an offer; the partner answers; accepted
-- support is completed with what was given. States and who may move them
-- are one table in src/domain/support_request.c.
CREATE TABLE support_requests (
  id @ID@,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  offer_id BIGINT NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
  initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
  project_need_id BIGINT REFERENCES project_needs(id) ON DELETE SET NULL,
  requester_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'declined', 'withdrawn', 'completed')),
  message TEXT NOT NULL DEFAULT '',
  answer TEXT NOT NULL DEFAULT '',
  given_amount_eur BIGINT,
  given_hours BIGINT,
  given_text TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  answered_at BIGINT,
  completed_at BIGINT
);
CREATE INDEX support_requests_offer ON support_requests (offer_id, state, id);
CREATE INDEX support_requests_initiative ON support_requests (initiative_id, id);
CREATE INDEX support_requests_territory ON support_requests (territory_id, state, id);
-- One request waiting per project and offer at a time.
CREATE UNIQUE INDEX support_requests_one_pending ON support_requests (offer_id, initiative_id) WHERE state = 'pending';

ALTER TABLE initiatives ADD COLUMN funding_goal_eur BIGINT;

CREATE TABLE crowdfunding_campaigns (
  id @ID@,
  territory_id BIGINT NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  initiative_id BIGINT NOT NULL UNIQUE REFERENCES initiatives(id) ON DELETE CASCADE,
  platform TEXT NOT NULL,
  url TEXT NOT NULL,
  goal_eur BIGINT NOT NULL,
  raised_eur BIGINT NOT NULL DEFAULT 0,
  ends_at BIGINT,
  updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
  updated_at BIGINT NOT NULL
);
