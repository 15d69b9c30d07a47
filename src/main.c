/*
 * The command line: serve, migrate, demo, backup, user, territory. Each command has one table of
 * options (core/config.h); errors are one clear line and a non-zero exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "auth/password.h"
#include "auth/session.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/embedded.h"
#include "core/mem.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/benchseed.h"
#include "domain/demo.h"
#include "domain/role.h"
#include "domain/territory.h"
#include "domain/user.h"
#include "domain/outbox.h"
#include "http/server.h"
#include "web/app.h"
#include "core/banned.h"

static const char *db_url = "sqlite:var/tremplin.db";

static struct server_options server_opts;
static struct app_config app_cfg;
static struct mailer_config mailer_cfg;
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
	{ "smtp-url", CONFIG_STRING, &mailer_cfg.smtp_url, "",
	  "SMTP server for e-mail: smtp://[USER:PASSWORD@]HOST[:PORT] or smtps://...; empty: mails go to the log" },
	{ "mail-from", CONFIG_STRING, &mailer_cfg.from, "Tremplin <no-reply@localhost>", "From address of the e-mails" },
	{ "mail-poll-ms", CONFIG_UINT, &mailer_cfg.poll_ms, "1000", "milliseconds between two looks for mail to send" },
	{ "common-passwords", CONFIG_STRING, &app_cfg.common_passwords, "data/common-passwords.txt",
	  "passwords refused as too common, one per line" },
	{ "page-cache", CONFIG_SIZE, &app_cfg.page_cache_bytes, "32M",
	  "memory for the pages every visitor sees alike (0: no cache)" },
	{ "rate-limits", CONFIG_STRING, &app_cfg.rate_limits, "",
	  "override rate limits, e.g. login_ip=100,signup_ip=20 (see src/auth/ratelimit.c)" },
};

static const struct config_option migrate_options[] = {
	DB_OPTION,
};

static const struct config_option demo_options[] = {
	DB_OPTION,
	{ "name", CONFIG_STRING, &demo_name, "sceaux", "demo territory to load (db/demo/NAME.json)" },
	{ "if-empty", CONFIG_FLAG, &demo_if_empty, "0", "load only when the database has no territory yet" },
};

static struct bench_sizes bench_sizes;
static unsigned bench_commit_seconds;

static const struct config_option bench_seed_options[] = {
	DB_OPTION,
	{ "territories", CONFIG_UINT, &bench_sizes.territories, "20", "territories (the first is served on localhost)" },
	{ "initiatives", CONFIG_UINT, &bench_sizes.initiatives, "100000", "ideas and projects" },
	{ "needs", CONFIG_UINT, &bench_sizes.needs, "0", "needs (0: half the initiatives)" },
	{ "people", CONFIG_UINT, &bench_sizes.people, "100000", "people" },
	{ "comments", CONFIG_UINT, &bench_sizes.comments, "500000",
	  "comments on initiatives (every 1000th initiative has exactly 50)" },
	{ "offers", CONFIG_UINT, &bench_sizes.offers, "5000", "partners' offers, with the projects' needs they match" },
	{ "commit-rate", CONFIG_UINT, &bench_commit_seconds, "0",
	  "instead of seeding, measure durable single-row commits for this many seconds" },
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

/* Synthetic data for bench/, or the durable commit rate of a seeded database. */
static int cmd_bench_seed(void)
{
	struct db *db;
	if (open_db(&db) < 0)
		return 1;
	int rc;
	if (db_schema_version(db) < latest_migration()) {
		rc = error("the database schema is not up to date: run 'tremplin migrate' first");
	} else if (bench_commit_seconds) {
		double rate;
		uint64_t commits;
		rc = bench_commit_rate(db, bench_commit_seconds, &rate, &commits);
		if (!rc)
			printf("commit-rate: %.0f durable commits/s (%llu in %u s)\n", rate,
			       (unsigned long long)commits, bench_commit_seconds);
	} else {
		rc = bench_seed(db, &bench_sizes);
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
	mailer_cfg.db_url = db_url;
	server_block_signals(); /* before any thread exists, so only sigwait sees them */
	if (check_schema() < 0 || app_init(&app_cfg) < 0 || mailer_start(&mailer_cfg) < 0) {
		app_shutdown();
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	int rc = server_run(&server_opts, app_server());
	mailer_stop(); /* after the last request that could queue mail */
	app_shutdown();
	return rc ? 1 : 0;
}

/* ---- backup: a consistent copy of the embedded database while it serves ---- */

static const char *backup_to;

static const struct config_option backup_options[] = {
	DB_OPTION,
	{ "to", CONFIG_STRING, &backup_to, "", "file to write the copy to (required; replaced only once complete)" },
};

static int cmd_backup(void)
{
	if (!*backup_to) {
		error("--to FILE is required (see 'tremplin backup --help')");
		return 2;
	}
	struct db_backup_report r;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (db_backup(db_url, backup_to, &r) < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	info("backup of %s written to %s: %lld pages, %lld bytes, %d steps, %ld ms, integrity_check ok",
	     db_url, backup_to, (long long)r.pages, (long long)r.bytes, r.steps, ms);
	return 0;
}

/* ---- user and territory: the first admin, roles, a second territory ---- */

static const char *user_email, *user_name, *user_admin, *user_role_name, *user_territory;
static const char *cli_common_passwords;
static const char *territory_slug, *territory_name, *territory_hosts;

static const struct config_option user_create_options[] = {
	DB_OPTION,
	{ "email", CONFIG_STRING, &user_email, "", "e-mail address of the account (required)" },
	{ "name", CONFIG_STRING, &user_name, "", "display name of the account (required)" },
	{ "admin", CONFIG_STRING, &user_admin, "", "slug of a territory where the account becomes admin" },
	{ "common-passwords", CONFIG_STRING, &cli_common_passwords, "data/common-passwords.txt",
	  "passwords refused as too common, one per line" },
	{ "page-cache", CONFIG_SIZE, &app_cfg.page_cache_bytes, "32M",
	  "memory for the pages every visitor sees alike (0: no cache)" },
	{ "rate-limits", CONFIG_STRING, &app_cfg.rate_limits, "",
	  "override rate limits, e.g. login_ip=100,signup_ip=20 (see src/auth/ratelimit.c)" },
};

static const struct config_option user_grant_options[] = {
	DB_OPTION,
	{ "email", CONFIG_STRING, &user_email, "", "e-mail address of the account (required)" },
	{ "role", CONFIG_STRING, &user_role_name, "", "member, animator, admin, or none (required)" },
	{ "territory", CONFIG_STRING, &user_territory, "", "slug of the territory (required)" },
};

static const struct config_option territory_create_options[] = {
	DB_OPTION,
	{ "slug", CONFIG_STRING, &territory_slug, "", "short name of the territory: a-z, 0-9 and - (required)" },
	{ "name", CONFIG_STRING, &territory_name, "", "name shown on its pages (required)" },
	{ "host", CONFIG_STRING, &territory_hosts, "", "host names serving it, separated by commas (required)" },
};

/* The database, at the schema this program needs. 0 or -1 (said). */
static int open_current_db(struct db **db)
{
	if (open_db(db) < 0)
		return -1;
	if (db_schema_version(*db) < latest_migration()) {
		db_close(*db);
		return error("the database schema is not up to date: run 'tremplin migrate' first");
	}
	return 0;
}

static int territory_id_of(struct db *db, const char *slug, int64_t *id)
{
	int rc = db_query_int(db, id, "SELECT id FROM territories WHERE slug = ?", "t", slug);
	return rc > 0 ? error("no territory is called '%s'", slug) : rc;
}

/*
 * The new account's password: $TREMPLIN_PASSWORD, else one line of standard
 * input (not echoed on a terminal). Never an argument: every user of the
 * machine can read a process's arguments. NULL if there is none. Caller
 * wipes and frees it.
 */
static char *read_password(void)
{
	const char *env = getenv("TREMPLIN_PASSWORD");
	if (env && *env)
		return xstrdup(env);
	struct termios saved, quiet;
	int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	if (tty) {
		fputs("Password: ", stderr);
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
		fputc('\n', stderr);
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n <= 0) {
		if (line)
			explicit_bzero(line, cap);
		free(line);
		return NULL;
	}
	return line;
}

static const char *role_refusal_text(int rc)
{
	return rc == ROLE_REFUSED_LAST_ADMIN ? "it would leave the territory without an admin"
	       : rc == ROLE_REFUSED_NO_ACCOUNT ? "the account does not exist"
					       : "this role cannot be given";
}

/* Check, hash and store a new confirmed account (admin of territory_id when not 0). */
static int create_account(struct db *db, int64_t territory_id)
{
	if (*cli_common_passwords && password_load_common(cli_common_passwords) < 0)
		return -1;
	char *password = read_password();
	if (!password)
		return error("no password: set TREMPLIN_PASSWORD or write it on standard input");
	json_t *errors = user_validate_signup(user_email, user_name, password);
	char hash[PASSWORD_HASH_MAX];
	int rc = 0;
	const char *key;
	json_t *msg;
	json_object_foreach(errors, key, msg) {
		rc = error("%s: %s", !strcmp(key, "display_name") ? "--name" : !strcmp(key, "email") ? "--email" : key,
			   json_string_value(msg));
		break;
	}
	json_decref(errors);
	if (!rc && password_hash(password, hash) < 0)
		rc = error("cannot hash the password");
	explicit_bzero(password, strlen(password));
	free(password);
	int64_t id;
	int created;
	if (!rc && role_bootstrap_admin(db, territory_id, user_email, user_name, hash, &id, &created) < 0)
		rc = error("cannot create the account");
	explicit_bzero(hash, sizeof(hash));
	if (!rc)
		info("account %lld created for %s%s%s", (long long)id, user_email,
		     territory_id ? ", admin of " : "", territory_id ? user_admin : "");
	return rc;
}

static int create_or_grant(struct db *db)
{
	int64_t territory_id = 0, id;
	if (*user_admin && territory_id_of(db, user_admin, &territory_id) < 0)
		return -1;
	int rc = role_find_account(db, user_email, &id);
	if (rc > 0)
		return create_account(db, territory_id);
	if (rc < 0)
		return -1;
	if (!territory_id)
		return error("an account already uses %s (--admin TERRITORY makes it admin)", user_email);
	rc = role_grant(db, territory_id, id, ROLE_ADMIN, 0);
	if (rc)
		return error("cannot make account %lld admin: %s", (long long)id,
			     rc > 0 ? role_refusal_text(rc) : "database error");
	info("account %lld (%s) is admin of %s", (long long)id, user_email, user_admin);
	struct arena *a = arena_new();
	struct user *u;
	if (user_get(db, a, id, &u) == 0 && !u->confirmed)
		warning("its address is not confirmed yet: the role applies once it is");
	arena_free(a);
	return 0;
}

static int cmd_user_create(void)
{
	if (!*user_email || !*user_name) {
		error("--email and --name are required (see 'tremplin user create --help')");
		return 2;
	}
	struct db *db;
	if (open_current_db(&db) < 0)
		return 1;
	auth_init();
	int rc = create_or_grant(db);
	db_close(db);
	return rc ? 1 : 0;
}

static int change_role(struct db *db, int wanted)
{
	int64_t territory_id, id;
	if (territory_id_of(db, user_territory, &territory_id) < 0)
		return -1;
	int rc = role_find_account(db, user_email, &id);
	if (rc)
		return rc > 0 ? error("no account uses %s", user_email) : -1;
	rc = wanted < 0 ? role_revoke(db, territory_id, id, 0)
			: role_grant(db, territory_id, id, (enum role)wanted, 0);
	if (rc)
		return error("cannot change the role of %s: %s", user_email,
			     rc > 0 ? role_refusal_text(rc) : "database error");
	info("%s is now %s in %s", user_email, wanted < 0 ? "member (no role row)" : user_role_name,
	     user_territory);
	return 0;
}

static int cmd_user_grant(void)
{
	int wanted = strcmp(user_role_name, "none") ? role_from_name(user_role_name) : -1;
	if (!*user_email || !*user_territory || !*user_role_name) {
		error("--email, --role and --territory are required (see 'tremplin user grant --help')");
		return 2;
	}
	if (strcmp(user_role_name, "none") && wanted != ROLE_MEMBER && wanted != ROLE_ANIMATOR &&
	    wanted != ROLE_ADMIN) {
		error("--role must be member, animator, admin or none");
		return 2;
	}
	struct db *db;
	if (open_current_db(&db) < 0)
		return 1;
	int rc = change_role(db, wanted);
	db_close(db);
	return rc ? 1 : 0;
}

/* The comma-separated host names, lower case, NULL-terminated (freed with free_hosts). */
static char **split_hosts(const char *list)
{
	size_t n = 0, alloc = 0;
	char **hosts = NULL;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		char *h = xstrndup(p, len);
		for (char *c = h; *c; c++)
			*c = (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : *c;
		hosts = xgrow(hosts, sizeof(*hosts), n + 2, &alloc);
		if (*h)
			hosts[n++] = h;
		else
			free(h);
		p += len + (p[len] == ',');
	}
	hosts = xgrow(hosts, sizeof(*hosts), n + 1, &alloc);
	hosts[n] = NULL;
	return hosts;
}

static void free_hosts(char **hosts)
{
	for (size_t i = 0; hosts[i]; i++)
		free(hosts[i]);
	free(hosts);
}

static int territory_create_in(struct db *db, char **hosts)
{
	int64_t id;
	int rc = db_query_int(db, &id, "SELECT id FROM territories WHERE slug = ?", "t", territory_slug);
	if (rc <= 0)
		return rc < 0 ? -1 : error("a territory is already called '%s'", territory_slug);
	if (db_begin(db) < 0)
		return -1;
	if (territory_create(db, territory_slug, territory_name, "", "", (const char *const *)hosts,
			     &id) < 0 ||
	    activity_record(db, id, 0, "Create", "territory", id, NULL, 0, NULL) < 0 ||
	    db_commit(db) < 0) {
		db_rollback(db);
		return -1;
	}
	info("territory '%s' created (id %lld); a running server serves it after a restart",
	     territory_slug, (long long)id);
	return 0;
}

static int cmd_territory_create(void)
{
	size_t len = strlen(territory_slug);
	char **hosts = split_hosts(territory_hosts);
	int rc = 2;
	if (!len || len > 64 || strspn(territory_slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != len)
		error("--slug is required: a-z, 0-9 and -, 64 characters at most");
	else if (!*territory_name || !hosts[0])
		error("--name and --host are required (see 'tremplin territory create --help')");
	else
		rc = 0;
	struct db *db;
	if (!rc)
		rc = open_current_db(&db) < 0 ? 1 : 0;
	if (!rc) {
		rc = territory_create_in(db, hosts) < 0 ? 1 : 0;
		db_close(db);
	}
	free_hosts(hosts);
	return rc;
}

struct command {
	const char *name;
	const char *summary;
	const struct config_option *options;
	size_t n_options;
	int (*run)(void);
	const char *sub; /* the second word of a two-word command ("user create"), or NULL */
};

static const struct command commands[] = {
	{ "serve", "serve the site over HTTP", serve_options, ARRAY_SIZE(serve_options), cmd_serve,
	  NULL },
	{ "migrate", "create or update the database schema", migrate_options,
	  ARRAY_SIZE(migrate_options), cmd_migrate, NULL },
	{ "demo", "load the demo territory (fictional data, in French)", demo_options,
	  ARRAY_SIZE(demo_options), cmd_demo, NULL },
	{ "bench-seed", "fill an empty database with synthetic data for bench/", bench_seed_options,
	  ARRAY_SIZE(bench_seed_options), cmd_bench_seed, NULL },
	{ "user", "create a confirmed account (password from TREMPLIN_PASSWORD or standard input)",
	  user_create_options, ARRAY_SIZE(user_create_options), cmd_user_create, "create" },
	{ "user", "give an account a role in a territory", user_grant_options,
	  ARRAY_SIZE(user_grant_options), cmd_user_grant, "grant" },
	{ "backup", "copy an SQLite database while it serves (online backup, checked); "
		    "PostgreSQL: use pg_dump", backup_options, ARRAY_SIZE(backup_options), cmd_backup, NULL },
	{ "territory", "create a territory with its host names", territory_create_options,
	  ARRAY_SIZE(territory_create_options), cmd_territory_create, "create" },
};

/* "user create" or "serve": a command's full name, in a static buffer. */
static const char *command_name(const struct command *c)
{
	static char name[64];
	snprintf(name, sizeof(name), "%s%s%s", c->name, c->sub ? " " : "", c->sub ? c->sub : "");
	return name;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: tremplin COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-17s %s\n", command_name(&commands[i]), commands[i].summary);
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
		if (strcmp(argv[1], c->name) || (c->sub && (argc < 3 || strcmp(argv[2], c->sub))))
			continue;
		int shift = c->sub ? 2 : 1, help;
		if (config_parse(c->options, c->n_options, argc - shift, argv + shift, &help) < 0)
			return 2;
		if (help) {
			printf("usage: tremplin %s [OPTIONS]\n%s\n\noptions:\n", command_name(c), c->summary);
			config_usage(c->options, c->n_options, stdout);
			return 0;
		}
		return c->run();
	}
	int two = argc > 2 && argv[2][0] != '-'; /* "user foo": name both words */
	error("unknown command '%s%s%s' (see 'tremplin --help')", argv[1], two ? " " : "",
	      two ? argv[2] : "");
	return 2;
}
