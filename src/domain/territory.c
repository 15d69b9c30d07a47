/*
 * Territories change rarely (an admin edits them) and are needed by every
 * request, so they are held in memory, loaded once; a lookup by host name
 * costs no query.
 */
#include "domain/territory.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "db/db.h"
#include "core/banned.h"

struct host_entry {
	char *host;
	size_t territory; /* index in territories[] */
};

static struct territory *territories;
static size_t n_territories, alloc_territories;
static struct host_entry *hosts;
static size_t n_hosts, alloc_hosts;

void territory_free_all(void)
{
	for (size_t i = 0; i < n_territories; i++) {
		free((char *)territories[i].slug);
		free((char *)territories[i].name);
		free((char *)territories[i].tagline);
		free((char *)territories[i].welcome);
	}
	for (size_t i = 0; i < n_hosts; i++)
		free(hosts[i].host);
	free(territories);
	free(hosts);
	territories = NULL;
	hosts = NULL;
	n_territories = alloc_territories = n_hosts = alloc_hosts = 0;
}

static int load_territories(struct db *db)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT id, slug, name, tagline, welcome FROM territories ORDER BY id",
				      "");
	if (!st)
		return -1;
	for (; step == DB_ROW; step = db_step(st)) {
		territories = xgrow(territories, sizeof(*territories), n_territories + 1,
				    &alloc_territories);
		struct territory *t = &territories[n_territories++];
		t->id = db_col_int(st, 0);
		t->slug = xstrdup(db_col_text(st, 1));
		t->name = xstrdup(db_col_text(st, 2));
		t->tagline = xstrdup(db_col_text(st, 3));
		t->welcome = xstrdup(db_col_text(st, 4));
	}
	db_reset(st);
	return step < 0 ? -1 : 0;
}

static int index_of(int64_t id, size_t *out)
{
	for (size_t i = 0; i < n_territories; i++) {
		if (territories[i].id == id) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

static int load_hosts(struct db *db)
{
	int step;
	struct db_stmt *st = db_query(db, &step, "SELECT host, territory_id FROM territory_hosts", "");
	if (!st)
		return -1;
	for (; step == DB_ROW; step = db_step(st)) {
		size_t idx;
		if (index_of(db_col_int(st, 1), &idx) < 0)
			continue;
		hosts = xgrow(hosts, sizeof(*hosts), n_hosts + 1, &alloc_hosts);
		hosts[n_hosts].host = xstrdup(db_col_text(st, 0));
		hosts[n_hosts].territory = idx;
		n_hosts++;
	}
	db_reset(st);
	return step < 0 ? -1 : 0;
}

int territory_load_all(struct db *db)
{
	territory_free_all();
	if (load_territories(db) < 0 || load_hosts(db) < 0) {
		territory_free_all();
		return error("cannot load territories");
	}
	return 0;
}

const struct territory *territory_for_host(const char *host)
{
	for (size_t i = 0; host && i < n_hosts; i++)
		if (!strcmp(hosts[i].host, host))
			return &territories[hosts[i].territory];
	return n_territories ? &territories[0] : NULL;
}

int territory_host_known(const char *host)
{
	for (size_t i = 0; host && i < n_hosts; i++)
		if (!strcmp(hosts[i].host, host))
			return 1;
	return 0;
}

const struct territory *territory_by_slug(const char *slug)
{
	for (size_t i = 0; i < n_territories; i++)
		if (!strcmp(territories[i].slug, slug))
			return &territories[i];
	return NULL;
}

int territory_create(struct db *db, const char *slug, const char *name, const char *tagline,
		     const char *welcome, const char *const *host_names, int64_t *id)
{
	if (db_query_int(db, id,
			 "INSERT INTO territories (slug, name, tagline, welcome, created_at) "
			 "VALUES (?, ?, ?, ?, ?) RETURNING id",
			 "tttti", slug, name, tagline, welcome, (int64_t)time(NULL)) != 0)
		return error("cannot create territory '%s'", slug);
	for (size_t i = 0; host_names && host_names[i]; i++)
		if (db_execv(db, "INSERT INTO territory_hosts (host, territory_id) VALUES (?, ?)", "ti",
			     host_names[i], *id) < 0)
			return error("cannot add host '%s' to territory '%s'", host_names[i], slug);
	return 0;
}

json_t *territory_json(const struct territory *t)
{
	return json_pack("{sI ss ss ss}", "id", (json_int_t)t->id, "slug", t->slug, "name", t->name,
			 "tagline", t->tagline);
}
