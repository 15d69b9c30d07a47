/*
 * Matching offers and projects (see matching.h). Each direction is one
 * statement in three steps: the fixed side (the project, or the offer)
 * as a one-row CTE; the ranked candidates, cut to the limit; then one row
 * per (candidate, open need it answers), which collapse() folds into one
 * object per candidate. A project has at most PROJECT_NEEDS_MAX needs, so
 * the rows are bounded by limit × PROJECT_NEEDS_MAX.
 *
 * Plans (5,000 offers, 20,000 projects): offers are reached through
 * offers_territory (territory_id, active, kind) for the kinds the
 * project's open needs call for; projects through project_needs_open
 * (territory_id, state, kind). See the closing note of issue 5.
 */
#include "domain/matching.h"

#include <time.h>

#include "db/db.h"
#include "domain/row.h"
#include "core/banned.h"

static const char offers_sql[] =
	"WITH p AS ("
	" SELECT id, stage, theme_id FROM initiatives WHERE id = ? AND territory_id = ?"
	"), fit AS ("
	" SELECT o.id, o.created_at, CASE WHEN ot.offer_id IS NULL THEN 0 ELSE 1 END AS theme_match"
	" FROM p CROSS JOIN offers o"
	" LEFT JOIN offer_themes ot ON ot.offer_id = o.id AND ot.theme_id = p.theme_id"
	" WHERE o.territory_id = ? AND o.active = 1 AND o.kind IN (SELECT a.offer_kind"
	"  FROM project_needs n JOIN offer_kind_answers a ON a.need_kind = n.kind"
	"  WHERE n.initiative_id = ? AND n.state = 'open')"
	"  AND (o.opens_at IS NULL OR o.opens_at <= ?) AND (o.closes_at IS NULL OR o.closes_at >= ?)"
	"  AND EXISTS (SELECT 1 FROM organisations g WHERE g.id = o.organisation_id"
	"  AND g.territory_id = o.territory_id AND g.is_partner = 1 AND g.accredited_at IS NOT NULL)"
	"  AND EXISTS (SELECT 1 FROM offer_stages os WHERE os.offer_id = o.id AND os.stage = p.stage)"
	" ORDER BY theme_match DESC, o.created_at DESC, o.id DESC LIMIT ?"
	")"
	" SELECT o.id, o.title, o.kind, o.amount_max_eur, o.closes_at, g.id, g.slug, g.name,"
	" p.stage, f.theme_match, th.name, n.id, n.kind, n.description"
	" FROM fit f CROSS JOIN p CROSS JOIN project_needs n"
	" JOIN offers o ON o.id = f.id"
	" JOIN organisations g ON g.id = o.organisation_id"
	" JOIN offer_kind_answers a ON a.offer_kind = o.kind AND a.need_kind = n.kind"
	" LEFT JOIN themes th ON th.id = p.theme_id AND f.theme_match = 1"
	" WHERE n.initiative_id = ? AND n.state = 'open'"
	" ORDER BY f.theme_match DESC, f.created_at DESC, f.id DESC, n.id";

static const char projects_sql[] =
	"WITH o AS ("
	" SELECT o.id, o.kind FROM offers o JOIN organisations g ON g.id = o.organisation_id"
	" WHERE o.id = ? AND o.territory_id = ? AND o.active = 1"
	"  AND (o.opens_at IS NULL OR o.opens_at <= ?) AND (o.closes_at IS NULL OR o.closes_at >= ?)"
	"  AND g.territory_id = o.territory_id AND g.is_partner = 1 AND g.accredited_at IS NOT NULL"
	"), nk AS MATERIALIZED ("
	" SELECT DISTINCT i.id, i.created_at, i.stage, i.theme_id"
	" FROM o CROSS JOIN offer_kind_answers a CROSS JOIN project_needs n"
	" JOIN initiatives i ON i.id = n.initiative_id"
	" WHERE a.offer_kind = o.kind AND n.territory_id = ? AND n.state = 'open' AND n.kind = a.need_kind"
	"), fit AS ("
	" SELECT nk.id, nk.created_at, CASE WHEN ot.offer_id IS NULL THEN 0 ELSE 1 END AS theme_match"
	" FROM nk CROSS JOIN o"
	" JOIN offer_stages os ON os.offer_id = o.id AND os.stage = nk.stage"
	" LEFT JOIN offer_themes ot ON ot.offer_id = o.id AND ot.theme_id = nk.theme_id"
	" ORDER BY theme_match DESC, nk.created_at DESC, nk.id DESC LIMIT ?"
	")"
	" SELECT i.id, i.title, i.stage, f.theme_match, th.name, n.id, n.kind, n.description"
	" FROM fit f CROSS JOIN o CROSS JOIN project_needs n"
	" JOIN initiatives i ON i.id = f.id"
	" JOIN offer_kind_answers a ON a.offer_kind = o.kind AND a.need_kind = n.kind"
	" LEFT JOIN themes th ON th.id = i.theme_id AND f.theme_match = 1"
	" WHERE n.initiative_id = f.id AND n.state = 'open'"
	" ORDER BY f.theme_match DESC, f.created_at DESC, f.id DESC, n.id";

static int clamp(int limit)
{
	return limit < 1 ? 1 : limit > MATCHING_LIMIT_MAX ? MATCHING_LIMIT_MAX : limit;
}

/*
 * Fold the rows of st (sorted by candidate, column 0 its id; the need's id,
 * kind and description in the columns from need_col) into one object per
 * candidate, the object built by head() from the first row. 0 or -1.
 */
static int collapse(struct db_stmt *st, int step, int need_col, json_t *(*head)(struct db_stmt *),
		    json_t *out)
{
	int64_t last = 0;
	json_t *needs = NULL;
	for (; step == DB_ROW; step = db_step(st)) {
		int64_t id = db_col_int(st, 0);
		if (!needs || id != last) {
			json_t *it = head(st);
			needs = json_array();
			json_object_set_new(it, "needs", needs);
			json_array_append_new(out, it);
			last = id;
		}
		json_array_append_new(needs, json_pack("{s:o, s:o, s:o}", "id", row_int(st, need_col),
						       "kind", row_string(st, need_col + 1),
						       "description", row_string(st, need_col + 2)));
	}
	return step < 0 ? -1 : 0;
}

static json_t *offer_head(struct db_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:{s:o, s:o, s:o}, s:o, s:b, s:o}",
			 "id", row_int(st, 0), "title", row_string(st, 1), "kind", row_string(st, 2),
			 "amount_max_eur", db_col_is_null(st, 3) ? json_null() : row_int(st, 3),
			 "closes_at", db_col_is_null(st, 4) ? json_null() : row_int(st, 4),
			 "organisation", "id", row_int(st, 5), "slug", row_string(st, 6), "name",
			 row_string(st, 7), "stage", row_string(st, 8), "theme_match",
			 (int)db_col_int(st, 9), "theme", row_string_or_null(st, 10));
}

static json_t *project_head(struct db_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:b, s:o}", "id", row_int(st, 0), "title", row_string(st, 1),
			 "stage", row_string(st, 2), "theme_match", (int)db_col_int(st, 3), "theme",
			 row_string_or_null(st, 4));
}

int matching_offers_for_project(struct db *db, int64_t territory_id, int64_t initiative_id,
				int limit, json_t **out)
{
	int64_t now = (int64_t)time(NULL);
	int step;
	*out = json_array();
	struct db_stmt *st = db_query(db, &step, offers_sql, "iiiiiiii", initiative_id, territory_id,
				      territory_id, initiative_id, now, now, (int64_t)clamp(limit), initiative_id);
	if (!st || collapse(st, step, 11, offer_head, *out) < 0) {
		if (st)
			db_reset(st);
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	db_reset(st);
	return 0;
}

int matching_projects_for_offer(struct db *db, int64_t territory_id, int64_t offer_id, int limit,
				json_t **out)
{
	int64_t now = (int64_t)time(NULL);
	int step;
	*out = json_array();
	struct db_stmt *st = db_query(db, &step, projects_sql, "iiiiii", offer_id, territory_id, now,
				      now, territory_id, (int64_t)clamp(limit));
	if (!st || collapse(st, step, 5, project_head, *out) < 0) {
		if (st)
			db_reset(st);
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	db_reset(st);
	return 0;
}

int matching_offer_head(struct db *db, int64_t territory_id, int64_t offer_id, int64_t *org_id,
			json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT o.id, o.title, o.kind, g.id, g.slug, g.name FROM offers o"
				      " JOIN organisations g ON g.id = o.organisation_id"
				      " WHERE o.id = ? AND o.territory_id = ?",
				      "ii", offer_id, territory_id);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return 1;
	}
	*org_id = db_col_int(st, 3);
	*out = json_pack("{s:o, s:o, s:o, s:{s:o, s:o, s:o}}", "id", row_int(st, 0), "title",
			 row_string(st, 1), "kind", row_string(st, 2), "organisation", "id",
			 row_int(st, 3), "slug", row_string(st, 4), "name", row_string(st, 5));
	db_reset(st);
	return 0;
}
