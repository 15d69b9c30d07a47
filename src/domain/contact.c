/*
 * Validation lives here, not in the handler, so that every way in (the form
 * today, an API later) applies the same rules.
 */
#include "domain/contact.h"

#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "db/db.h"
#include "domain/activity.h"
#include "core/banned.h"

static int blank(const char *s)
{
	return !s || s[strspn(s, " \t\r\n")] == '\0';
}

/* A plausible address: one @, a dot in the domain, no spaces or controls. */
static int email_plausible(const char *e)
{
	const char *at = strchr(e, '@');
	if (!at || at == e || strchr(at + 1, '@'))
		return 0;
	const char *dot = strrchr(at, '.');
	if (!dot || dot == at + 1 || dot[1] == '\0')
		return 0;
	for (const char *p = e; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"' || *p == ',')
			return 0;
	return 1;
}

json_t *contact_validate(const char *name, const char *email, const char *body)
{
	json_t *errors = json_object();
	if (name && utf8_chars(name) > CONTACT_NAME_MAX)
		json_object_set_new(errors, "name", json_string("Your name is too long (100 characters at most)."));
	if (email && *email) {
		if (strlen(email) > CONTACT_EMAIL_MAX || !email_plausible(email))
			json_object_set_new(errors, "email",
					    json_string("This e-mail address does not look valid."));
	}
	if (blank(body))
		json_object_set_new(errors, "message", json_string("Please write a message."));
	else if (utf8_chars(body) > CONTACT_BODY_MAX)
		json_object_set_new(errors, "message",
				    json_string("Your message is too long (5000 characters at most)."));
	return errors;
}

int contact_send(struct db *db, int64_t territory_id, const char *name, const char *email,
		 const char *body, int64_t *id)
{
	int64_t now = time(NULL);
	if (db_begin(db) < 0)
		return -1;
	if (db_query_int(db, id,
			 "INSERT INTO contact_messages (territory_id, name, email, body, created_at) "
			 "VALUES (?, ?, ?, ?, ?) RETURNING id",
			 "ittti", territory_id, name ? name : "", email ? email : "", body, now) != 0)
		goto fail;
	if (activity_record(db, territory_id, 0, "Create", "contact_message", *id, NULL, 0, "{}") < 0)
		goto fail;
	if (db_commit(db) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return error("cannot store contact message");
}

int64_t contact_count(struct db *db, int64_t territory_id)
{
	int64_t n;
	if (db_query_int(db, &n, "SELECT COUNT(*) FROM contact_messages WHERE territory_id = ?", "i",
			 territory_id) != 0)
		return -1;
	return n;
}
