-- Matching offers and projects (src/domain/matching.c). The partner's
-- side looks up the territory's open needs of the kinds an offer answers
-- and needs only their project: a covering index saves a table lookup per
-- need (about 4,000 of one kind with 20,000 projects).
CREATE INDEX project_needs_match ON project_needs (territory_id, state, kind, initiative_id);
