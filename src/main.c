/*
 * The command line: serve, migrate, demo. Each command has one table of
 * options (core/config.h); errors are one clear line and a non-zero exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/embedded.h"
#include "core/mem.h"
#include "db/db.h"
#include "domain/demo.h"
#include "http/server.h"
#include "web/app.h"
#include "core/banned.h"

static const char *db_url = "sqlite:var/tremplin.db";

static struct server_options server_opts;
static struct app_config app_cfg;
static const char *demo_name;
static int demo_if_empty;

#define DB_OPTION { "db", CONFIG_STRING, &db_url, "sqlite:var/tremplin.db", \
		    "database URL: sqlite:PATH or postgres://USER@HOST:PORT/NAME" }

static const struct config_option serve_options[] = {
	DB_OPTION,
	{ "port", CONFIG_UINT, &server_opts.port, "8080", "TCP port to listen on" },
	{ "bind", CONFIG_STRING, &server_opts.bind, "127.0.0.1", "IPv4 address to listen on (0.0.0.0: all)" },
	{ "threads", CONFIG_UINT, &server_opts.threads, "0", "worker threads (0: one per core)" },
	{ "max-connections", CONFIG_UINT, &server_opts.max_connections, "4096", "open connections at most" },
	{ "max-connections-per-ip", CONFIG_UINT, &server_opts.max_connections_per_ip, "256",
	  "open connections per client address at most" },
	{ "connection-memory", CONFIG_SIZE, &server_opts.connection_memory, "64K",
	  "buffer per connection (request line and headers must fit)" },
	{ "idle-timeout", CONFIG_UINT, &server_opts.idle_timeout, "30", "seconds before an idle connection is closed" },
	{ "stop-grace", CONFIG_UINT, &server_opts.stop_grace, "30", "seconds given to running requests at stop" },
	{ "access-log", CONFIG_FLAG, &server_opts.access_log, "1", "one line per request on stdout (0 to turn off)" },
	{ "public-url", CONFIG_STRING, &app_cfg.public_url, "", "address the site is reached at; https:// makes cookies Secure" },
	{ "templates", CONFIG_STRING, &app_cfg.templates_dir, "templates", "folder of the page templates" },
	{ "static", CONFIG_STRING, &app_cfg.static_dir, "static", "folder of the static files" },
	{ "locale", CONFIG_STRING, &app_cfg.locale_dir, "build/locale", "folder of the compiled translations (.mo)" },
	{ "common-passwords", CONFIG_STRING, &app_cfg.common_passwords, "data/common-passwords.txt",
	  "passwords refused as too common, one per line" },
};

static const struct config_option migrate_options[] = {
	DB_OPTION,
};

static const struct config_option demo_options[] = {
	DB_OPTION,
	{ "name", CONFIG_STRING, &demo_name, "sceaux", "demo territory to load (db/demo/NAME.json)" },
	{ "if-empty", CONFIG_FLAG, &demo_if_empty, "0", "load only when the database has no territory yet" },
};

static int latest_migration(void)
{
	int latest = 0;
	for (const struct embedded_file *f = embedded_migrations; f->name; f++)
		latest = atoi(f->name) > latest ? atoi(f->name) : latest;
	return latest;
}

static int open_db(struct db **db)
{
	return db_open(db_url, db); /* which logs the reason in one line */
}

static int cmd_migrate(void)
{
	struct db *db;
	if (open_db(&db) < 0)
		return 1;
	int rc = db_migrate(db);
	if (!rc)
		info("database at schema version %d", db_schema_version(db));
	db_close(db);
	return rc ? 1 : 0;
}

static int cmd_demo(void)
{
	struct db *db;
	if (open_db(&db) < 0)
		return 1;
	int rc = 0;
	int64_t territories = 0;
	if (db_schema_version(db) < latest_migration()) {
		rc = error("the database schema is not up to date: run 'tremplin migrate' first");
	} else if (db_query_int(db, &territories, "SELECT COUNT(*) FROM territories", "") < 0) {
		rc = -1;
	} else if (demo_if_empty && territories > 0) {
		info("the database already has a territory: demo not loaded");
	} else {
		rc = demo_load(db, demo_name);
		if (!rc)
			info("demo territory '%s' loaded", demo_name);
	}
	db_close(db);
	return rc ? 1 : 0;
}

static int check_schema(void)
{
	struct db *db;
	if (open_db(&db) < 0)
		return -1;
	int version = db_schema_version(db);
	db_close(db);
	if (version < latest_migration())
		return error("the database schema is at version %d, this program needs %d: "
			     "run 'tremplin migrate'", version < 0 ? 0 : version, latest_migration());
	return 0;
}

static int cmd_serve(void)
{
	app_cfg.db_url = db_url;
	server_block_signals(); /* before any thread exists, so only sigwait sees them */
	if (check_schema() < 0 || app_init(&app_cfg) < 0) {
		app_shutdown();
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	int rc = server_run(&server_opts, app_server());
	app_shutdown();
	return rc ? 1 : 0;
}

struct command {
	const char *name;
	const char *summary;
	const struct config_option *options;
	size_t n_options;
	int (*run)(void);
};

static const struct command commands[] = {
	{ "serve", "serve the site over HTTP", serve_options, ARRAY_SIZE(serve_options), cmd_serve },
	{ "migrate", "create or update the database schema", migrate_options,
	  ARRAY_SIZE(migrate_options), cmd_migrate },
	{ "demo", "load the demo territory (fictional data, in French)", demo_options,
	  ARRAY_SIZE(demo_options), cmd_demo },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: tremplin COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'tremplin COMMAND --help' lists a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct command *c = &commands[i];
		if (strcmp(argv[1], c->name))
			continue;
		int help;
		if (config_parse(c->options, c->n_options, argc - 1, argv + 1, &help) < 0)
			return 2;
		if (help) {
			printf("usage: tremplin %s [OPTIONS]\n%s\n\noptions:\n", c->name, c->summary);
			config_usage(c->options, c->n_options, stdout);
			return 0;
		}
		return c->run();
	}
	error("unknown command '%s' (see 'tremplin --help')", argv[1]);
	return 2;
}
