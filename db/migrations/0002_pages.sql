-- Indexes for the pages of a territory, so each list is a keyset range scan
-- (WHERE ... AND id < ? ORDER BY id DESC LIMIT n) and never a sort of the
-- whole table: needs no idea answers yet (the home page's invitation and
-- the filtered list), initiatives by theme (the list's filter), and the
-- initiatives an organisation carries (its page).

CREATE INDEX needs_without_idea ON needs (territory_id, idea_count, id DESC);
CREATE INDEX initiatives_theme ON initiatives (territory_id, theme_id, id DESC);
CREATE INDEX initiatives_carrier ON initiatives (carrier_org_id, id DESC);
