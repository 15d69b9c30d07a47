/*
 * Funding goal, committed amounts and the crowdfunding campaign of a project.
 */
#include "domain/funding.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/row.h"
#include "core/banned.h"

static int exists(struct db *db, int64_t territory_id, int64_t id)
{
	int64_t n = 0;
	if (db_query_int(db, &n, "SELECT COUNT(*) FROM initiatives WHERE id = ? AND territory_id = ?",
			 "ii", id, territory_id) < 0)
		return -1;
	return n > 0;
}

static int record(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id, const char *what)
{
	json_t *d = json_pack("{s:s}", "funding", what);
	char *s = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	int rc = activity_record(db, territory_id, actor_id, "Update", "initiative", id, NULL, 0, s);
	free(s);
	return rc;
}

int funding_set_goal(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id, int64_t goal_eur)
{
	int e = exists(db, territory_id, id);
	if (e <= 0)
		return e < 0 ? -1 : 1;
	if (db_begin(db))
		return -1;
	int rc = goal_eur > 0 ? db_execv(db, "UPDATE initiatives SET funding_goal_eur = ? WHERE id = ?",
					  "ii", goal_eur, id)
			      : db_execv(db, "UPDATE initiatives SET funding_goal_eur = NULL WHERE id = ?",
					 "i", id);
	if (rc || record(db, territory_id, id, actor_id, "goal") || db_commit(db)) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int funding_url_ok(const char *url)
{
	if (!url)
		return 0;
	const char *rest = !strncmp(url, "https://", 8) ? url + 8 : !strncmp(url, "http://", 7) ? url + 7 : NULL;
	if (!rest || !*rest || *rest == '/')
		return 0;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == 0x7f)
			return 0;
	return 1;
}

json_t *funding_campaign_validate(const struct funding_campaign *c)
{
	json_t *e = json_object();
	if (!c->platform || !*c->platform)
		json_object_set_new(e, "platform", json_string("Give the platform's name."));
	else if (!utf8_valid(c->platform, strlen(c->platform)) || utf8_chars(c->platform) > FUNDING_PLATFORM_MAX)
		json_object_set_new(e, "platform", json_string("At most 100 characters."));
	if (!funding_url_ok(c->url) || strlen(c->url) > FUNDING_URL_MAX)
		json_object_set_new(e, "url", json_string("Give an address starting with http:// or https://."));
	if (c->goal_eur <= 0 || c->goal_eur > FUNDING_AMOUNT_MAX)
		json_object_set_new(e, "goal", json_string("Give an amount in euros, a whole number above 0."));
	if (c->raised_eur < 0 || c->raised_eur > FUNDING_AMOUNT_MAX)
		json_object_set_new(e, "raised", json_string("Give an amount in euros, a whole number."));
	return e;
}

int funding_set_campaign(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
			 const struct funding_campaign *c)
{
	int e = exists(db, territory_id, id);
	if (e <= 0)
		return e < 0 ? -1 : 1;
	int64_t now = (int64_t)time(NULL);
	if (db_begin(db))
		return -1;
	int rc = db_execv(db, "DELETE FROM crowdfunding_campaigns WHERE initiative_id = ?", "i", id);
	if (!rc)
		rc = c->ends_at > 0
			     ? db_execv(db,
					"INSERT INTO crowdfunding_campaigns (territory_id, initiative_id, platform,"
					" url, goal_eur, raised_eur, ends_at, updated_by, updated_at)"
					" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
					"iittiiiii", territory_id, id, c->platform, c->url, c->goal_eur,
					c->raised_eur, c->ends_at, actor_id, now)
			     : db_execv(db,
					"INSERT INTO crowdfunding_campaigns (territory_id, initiative_id, platform,"
					" url, goal_eur, raised_eur, updated_by, updated_at)"
					" VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
					"iittiiii", territory_id, id, c->platform, c->url, c->goal_eur,
					c->raised_eur, actor_id, now);
	if (rc || record(db, territory_id, id, actor_id, "campaign") || db_commit(db)) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int funding_get(struct db *db, int64_t territory_id, int64_t id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(
		db, &step,
		"SELECT i.funding_goal_eur,"
		" (SELECT COALESCE(SUM(r.given_amount_eur), 0) FROM support_requests r JOIN offers o"
		"  ON o.id = r.offer_id WHERE r.initiative_id = i.id AND r.state = 'completed'"
		"  AND o.kind IN ('funding', 'crowdfunding')),"
		" c.platform, c.url, c.goal_eur, c.raised_eur, c.ends_at, c.id"
		" FROM initiatives i LEFT JOIN crowdfunding_campaigns c ON c.initiative_id = i.id"
		" WHERE i.id = ? AND i.territory_id = ?",
		"ii", id, territory_id);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return step == DB_DONE ? 1 : -1;
	}
	int64_t supports = db_col_int(st, 1);
	int64_t raised = db_col_is_null(st, 7) ? 0 : db_col_int(st, 5);
	json_t *campaign = db_col_is_null(st, 7)
				   ? json_null()
				   : json_pack("{s:o, s:o, s:o, s:o, s:o}", "platform", row_string(st, 2),
					       "url", row_string(st, 3), "goal_eur", row_int(st, 4),
					       "raised_eur", row_int(st, 5), "ends_at",
					       db_col_is_null(st, 6) ? json_null()
								     : json_integer(db_col_int(st, 6)));
	*out = json_pack("{s:o, s:I, s:I, s:o}", "goal_eur",
			 db_col_is_null(st, 0) ? json_null() : json_integer(db_col_int(st, 0)),
			 "supports_eur", (json_int_t)supports, "committed_eur",
			 (json_int_t)(supports + raised), "campaign", campaign);
	db_reset(st);
	return 0;
}
