/*
 * Fixed-window counters in the rate_limits table. The key is the rule's
 * name and a keyed BLAKE2b hash of the subject, so the table never holds
 * an address in clear (the hash only pseudonymises: an IPv4 address can
 * be found again by trying them all, which is why rows live a day at most).
 * One upsert counts a hit and returns the new count atomically on both
 * backends (SQLite takes the write lock for the whole statement; PostgreSQL's
 * ON CONFLICT is atomic under concurrent inserts).
 */
#include "auth/ratelimit.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "db/db.h"
#include "core/banned.h"

#define MINUTE 60
#define HOUR (60 * MINUTE)
#define SUBJECT_HASH_BYTES 16
/* Rows older than this are deleted, now and then. Longer than every window. */
#define KEEP_SECONDS (24 * HOUR)
/* One hit in CLEANUP_ONE_IN also deletes the old rows. */
#define CLEANUP_ONE_IN 100

static const struct rule {
	enum ratelimit_rule rule;
	const char *name;
	int limit; /* hits allowed per window */
	int window; /* seconds */
} rules[] = {
	{ RL_LOGIN_IP, "login_ip", 30, 15 * MINUTE },
	{ RL_LOGIN_ACCOUNT, "login_account", 10, 15 * MINUTE },
	{ RL_SIGNUP_IP, "signup_ip", 10, HOUR },
	{ RL_RESET_IP, "reset_ip", 10, HOUR },
	{ RL_RESET_ACCOUNT, "reset_account", 3, HOUR },
	{ RL_MAIL_ACCOUNT, "mail_account", 5, HOUR },
};

/* Limits set by ratelimit_configure() (0: the table's). Written at start-up only. */
static int limit_override[ARRAY_SIZE(rules)];

static const unsigned char subject_key[] = "tremplin rate-limit subjects v1";

static const struct rule *rule_get(enum ratelimit_rule rule)
{
	if ((unsigned)rule >= ARRAY_SIZE(rules) || rules[rule].rule != rule)
		BUG("rate-limit rule unknown or table out of order");
	return &rules[rule];
}

int ratelimit_limit(enum ratelimit_rule rule)
{
	const struct rule *r = rule_get(rule);
	return limit_override[rule] ? limit_override[rule] : r->limit;
}

int ratelimit_window(enum ratelimit_rule rule)
{
	return rule_get(rule)->window;
}

int ratelimit_retry_after(enum ratelimit_rule rule)
{
	int w = ratelimit_window(rule);
	return w - (int)(time(NULL) % w);
}

static int set_limit(const char *item, size_t len)
{
	const char *eq = memchr(item, '=', len);
	if (!eq)
		return -1;
	char *end;
	long v = strtol(eq + 1, &end, 10);
	if (end != item + len || end == eq + 1 || v < 1 || v > 1000000000)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		if (strlen(rules[i].name) == (size_t)(eq - item) &&
		    !strncmp(rules[i].name, item, (size_t)(eq - item))) {
			limit_override[i] = (int)v;
			return 0;
		}
	}
	return -1;
}

int ratelimit_configure(const char *spec)
{
	for (const char *p = spec; *p;) {
		size_t len = strcspn(p, ",");
		if (len && set_limit(p, len) < 0)
			return error("rate limits: cannot read '%.*s' (expected NAME=LIMIT)", (int)len, p);
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* "login_ip:<hex>" (arena-free: into out). Subjects are trimmed and compared without ASCII case. */
static void subject_key_for(const struct rule *r, const char *subject, char *out, size_t size)
{
	if (!subject)
		subject = "";
	size_t len = strlen(subject);
	while (len && (*subject == ' ' || *subject == '\t'))
		subject++, len--;
	while (len && (subject[len - 1] == ' ' || subject[len - 1] == '\t'))
		len--;
	crypto_generichash_state st;
	crypto_generichash_init(&st, subject_key, sizeof(subject_key) - 1, SUBJECT_HASH_BYTES);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)subject[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		crypto_generichash_update(&st, &c, 1);
	}
	unsigned char h[SUBJECT_HASH_BYTES];
	crypto_generichash_final(&st, h, sizeof(h));
	char hex[SUBJECT_HASH_BYTES * 2 + 1];
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, size, "%s:%s", r->name, hex);
}

#define KEY_MAX 96

static int64_t window_start(const struct rule *r, int64_t now)
{
	return now - now % r->window;
}

int ratelimit_cleanup(struct db *db)
{
	return db_execv(db, "DELETE FROM rate_limits WHERE window_start < ?", "i",
			(int64_t)time(NULL) - KEEP_SECONDS);
}

int ratelimit_hit(struct db *db, enum ratelimit_rule rule, const char *subject)
{
	const struct rule *r = rule_get(rule);
	char key[KEY_MAX];
	subject_key_for(r, subject, key, sizeof(key));
	int64_t now = time(NULL), hits = 0;
	if (db_query_int(db, &hits,
			 "INSERT INTO rate_limits (key, window_start, hits) VALUES (?, ?, 1) "
			 "ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1 "
			 "RETURNING hits",
			 "ti", key, window_start(r, now)) != 0)
		return -1;
	if (randombytes_uniform(CLEANUP_ONE_IN) == 0)
		(void)ratelimit_cleanup(db); /* best effort: the next time will do */
	return hits > ratelimit_limit(rule);
}

int ratelimit_exceeded(struct db *db, enum ratelimit_rule rule, const char *subject)
{
	const struct rule *r = rule_get(rule);
	char key[KEY_MAX];
	subject_key_for(r, subject, key, sizeof(key));
	int64_t hits = 0;
	int rc = db_query_int(db, &hits, "SELECT hits FROM rate_limits WHERE key = ? AND window_start = ?",
			      "ti", key, window_start(r, time(NULL)));
	if (rc < 0)
		return -1;
	return rc == 0 && hits >= ratelimit_limit(rule);
}

int ratelimit_clear(struct db *db, enum ratelimit_rule rule, const char *subject)
{
	char key[KEY_MAX];
	subject_key_for(rule_get(rule), subject, key, sizeof(key));
	return db_execv(db, "DELETE FROM rate_limits WHERE key = ?", "t", key);
}
