/*
 * The outbox and the SMTP sender against a real SMTP server
 * (tests/e2e/smtp-server.py, Debian's python3-aiosmtpd under
 * /usr/bin/python3), on SQLite and on PostgreSQL: what arrives at the
 * server (envelope, headers, the subject and body as Python's email package
 * decodes them) and what the outbox table holds afterwards. Without
 * aiosmtpd these tests fail: they never skip.
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/smtp.h"
#include "domain/outbox.h"

#define PYTHON "/usr/bin/python3"
#define SERVER_SCRIPT "tests/e2e/smtp-server.py"
#define FROM "Tremplin – Essai <no-reply@tremplin.test>"

static struct test_db_urls urls;
static const char *current_url;

static const char fr_subject[] = "Confirmez votre adresse – UP Sceaux";
static const char fr_body[] =
	"Bonjour Élodie,\n"
	"\n"
	"Pour confirmer votre adresse sur UP Sceaux, ouvrez ce lien dans les 24 heures :\n"
	"https://sceaux.example/compte/confirmer?jeton=Zx9-aB_c=d&retour=%2Fprofil\n"
	"\n"
	"Si vous n’avez rien demandé, ignorez ce message. À bientôt !\n"
	"L’équipe d’UP Sceaux \n";

/* ------------------------------------------------------------------ */
/* The SMTP server                                                     */
/* ------------------------------------------------------------------ */

struct smtp_server {
	pid_t pid;
	int port;
	char dir[64];
	char url[64];
};

/* Start smtp-server.py on port (0: any) and wait for "ready PORT". Fails the test otherwise. */
static void smtp_start(struct smtp_server *s, int port, const char *reject)
{
	int fds[2];
	char port_arg[16];
	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/tremplin-smtp-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(port_arg, sizeof(port_arg), "%d", port);
	if (access(PYTHON, X_OK))
		fail_msg("%s is missing: the outbox tests need Debian's python3 with python3-aiosmtpd", PYTHON);
	assert_int_equal(pipe(fds), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (!s->pid) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		if (reject)
			execl(PYTHON, PYTHON, SERVER_SCRIPT, "--port", port_arg, "--dir", s->dir, "--reject", reject,
			      (char *)NULL);
		else
			execl(PYTHON, PYTHON, SERVER_SCRIPT, "--port", port_arg, "--dir", s->dir, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	char line[64] = "";
	size_t len = 0;
	struct pollfd p = { .fd = fds[0], .events = POLLIN };
	while (len < sizeof(line) - 1 && !strchr(line, '\n') && poll(&p, 1, 10000) == 1) {
		ssize_t n = read(fds[0], line + len, sizeof(line) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		line[len] = '\0';
	}
	close(fds[0]);
	if (sscanf(line, "ready %d", &s->port) != 1) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		fail_msg("%s %s did not start (is python3-aiosmtpd installed? run from the repository root): '%s'",
			 PYTHON, SERVER_SCRIPT, line);
	}
	snprintf(s->url, sizeof(s->url), "smtp://127.0.0.1:%d", s->port);
}

static void smtp_stop(struct smtp_server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	nftw(s->dir, test_remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static int mail_count(const struct smtp_server *s)
{
	int n = 0;
	DIR *d = opendir(s->dir);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		n += len > 4 && !strcmp(e->d_name + len - 4, ".eml");
	}
	closedir(d);
	return n;
}

/* DIR/n.json: envelope and Python's decoding. The caller json_decref()s it. */
static json_t *mail_meta(const struct smtp_server *s, int n)
{
	char path[128];
	json_error_t jerr;
	snprintf(path, sizeof(path), "%s/%d.json", s->dir, n);
	json_t *j = json_load_file(path, 0, &jerr);
	if (!j)
		fail_msg("%s: %s", path, jerr.text);
	return j;
}

/* DIR/n.eml, the raw message; the caller frees it. */
static char *mail_raw(const struct smtp_server *s, int n, size_t *len)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%d.eml", s->dir, n);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct buf b = BUF_INIT;
	char chunk[4096];
	for (size_t r; (r = fread(chunk, 1, sizeof(chunk), f));)
		buf_add(&b, chunk, r);
	fclose(f);
	return buf_detach(&b, len);
}

static const char *jstr(json_t *j, const char *key)
{
	const char *v = json_string_value(json_object_get(j, key));
	if (!v)
		fail_msg("no string '%s' in the mail's metadata", key);
	return v;
}

/* The only envelope recipient of mail n. */
static const char *rcpt_of(json_t *meta)
{
	json_t *r = json_object_get(meta, "rcpt_tos");
	assert_int_equal(json_array_size(r), 1);
	return json_string_value(json_array_get(r, 0));
}

/* The mail (1..count) whose envelope recipient is to, or fail. */
static json_t *mail_to(const struct smtp_server *s, const char *to, int *n_out)
{
	int count = mail_count(s);
	json_t *found = NULL;
	for (int n = 1; n <= count; n++) {
		json_t *m = mail_meta(s, n);
		if (!strcmp(rcpt_of(m), to)) {
			if (found)
				fail_msg("two mails to %s", to);
			found = m;
			if (n_out)
				*n_out = n;
		} else {
			json_decref(m);
		}
	}
	if (!found)
		fail_msg("no mail to %s among %d", to, count);
	return found;
}

/* A TCP port on 127.0.0.1 where nobody listens. */
static int closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* ------------------------------------------------------------------ */
/* Database helpers                                                    */
/* ------------------------------------------------------------------ */

static int setup(void **state)
{
	*state = test_db_open_migrated(current_url);
	return 0;
}

static int teardown(void **state)
{
	db_close(*state);
	return 0;
}

static int64_t query_int(struct db *db, const char *sql, int64_t id)
{
	int64_t v = -1;
	assert_int_equal(db_query_int(db, &v, sql, "i", id), 0);
	return v;
}

static int64_t count_rows(struct db *db, const char *sql)
{
	int64_t n = -1;
	assert_int_equal(db_query_int(db, &n, sql, ""), 0);
	return n;
}

/* The outbox row to an address. */
static int64_t row_id(struct db *db, const char *to)
{
	int64_t id = 0;
	assert_int_equal(db_query_int(db, &id, "SELECT id FROM outbox WHERE to_address = ?", "t", to), 0);
	return id;
}

static char *last_error(struct db *db, int64_t id)
{
	int step;
	struct db_stmt *st = db_query(db, &step, "SELECT last_error FROM outbox WHERE id = ?", "i", id);
	assert_non_null(st);
	assert_int_equal(step, DB_ROW);
	char *s = db_col_is_null(st, 0) ? NULL : xstrdup(db_col_text(st, 0));
	db_reset(st);
	return s;
}

static void enqueue(struct db *db, const char *to, const char *subject, const char *body)
{
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(outbox_enqueue(db, 0, 0, to, subject, body), 0);
	assert_int_equal(db_commit(db), 0);
}

static void make_due(struct db *db)
{
	assert_int_equal(db_execv(db, "UPDATE outbox SET next_attempt_at = ? WHERE sent_at IS NULL", "i",
				  (int64_t)time(NULL) - 1),
			 0);
}

static struct mailer_config config_for(const char *smtp_url)
{
	return (struct mailer_config){ current_url, smtp_url, FROM, 1000 };
}

/* ------------------------------------------------------------------ */
/* Delivery                                                            */
/* ------------------------------------------------------------------ */

/* Every line of a raw message ends in CRLF, is 7-bit and at most 78 octets. */
static void assert_wire_format(const char *raw, size_t len)
{
	size_t col = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];
		assert_true(c < 0x80);
		if (c == '\n') {
			assert_true(i > 0 && raw[i - 1] == '\r');
			assert_true(col <= 79); /* 78 + the CR */
			col = 0;
		} else {
			col++;
		}
	}
	assert_int_equal(col, 0);
}

static void test_delivers_and_decodes(void **state)
{
	struct db *db = *state;
	struct smtp_server s;
	smtp_start(&s, 0, NULL);
	struct buf long_subject = BUF_INIT, long_body = BUF_INIT;
	for (int i = 0; i < 12; i++)
		buf_adds(&long_subject, "Idée n°1 🌱 ");
	buf_adds(&long_subject, "fin");
	for (int i = 0; i < 40; i++)
		buf_adds(&long_body, "àéîõü = x ");
	buf_adds(&long_body, "\n.\n..\nFrom here\n");

	assert_int_equal(db_begin(db), 0);
	assert_int_equal(outbox_enqueue(db, 0, 0, "elodie@example.org", fr_subject, fr_body), 0);
	assert_int_equal(outbox_enqueue(db, 0, 0, "bob@example.org", "Plain subject", "Hello Bob.\n"), 0);
	assert_int_equal(outbox_enqueue(db, 0, 0, "long@example.org", long_subject.ptr, long_body.ptr), 0);
	assert_int_equal(db_commit(db), 0);

	struct mailer_config cfg = config_for(s.url);
	assert_int_equal(outbox_deliver_due(db, &cfg, 10), 3);
	assert_int_equal(mail_count(&s), 3);

	int n;
	json_t *m = mail_to(&s, "elodie@example.org", &n);
	assert_string_equal(jstr(m, "mail_from"), "no-reply@tremplin.test");
	assert_string_equal(jstr(m, "subject"), fr_subject);
	assert_string_equal(jstr(m, "text"), fr_body);
	assert_string_equal(jstr(m, "from"), FROM);
	assert_string_equal(jstr(m, "to"), "elodie@example.org");
	assert_int_equal(json_array_size(json_object_get(m, "defects")), 0);
	json_decref(m);
	size_t len;
	char *raw = mail_raw(&s, n, &len);
	assert_wire_format(raw, len);
	assert_non_null(strstr(raw, "\r\nSubject: =?UTF-8?B?"));
	assert_non_null(strstr(raw, "\r\nMIME-Version: 1.0\r\n"));
	assert_non_null(strstr(raw, "\r\nContent-Type: text/plain; charset=UTF-8\r\n"));
	assert_non_null(strstr(raw, "\r\nContent-Transfer-Encoding: quoted-printable\r\n"));
	assert_non_null(strstr(raw, "\r\nMessage-ID: <"));
	assert_true(!strncmp(raw, "Date: ", 6));
	free(raw);

	m = mail_to(&s, "bob@example.org", &n);
	assert_string_equal(jstr(m, "subject"), "Plain subject");
	assert_string_equal(jstr(m, "text"), "Hello Bob.\n");
	json_decref(m);
	raw = mail_raw(&s, n, &len);
	assert_non_null(strstr(raw, "\r\nSubject: Plain subject\r\n"));
	free(raw);

	m = mail_to(&s, "long@example.org", &n);
	assert_string_equal(jstr(m, "subject"), long_subject.ptr);
	assert_string_equal(jstr(m, "text"), long_body.ptr);
	assert_int_equal(json_array_size(json_object_get(m, "defects")), 0);
	json_decref(m);
	raw = mail_raw(&s, n, &len);
	assert_wire_format(raw, len);
	free(raw);

	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL"
				       " AND attempts = 1 AND last_error IS NULL"),
			 3);
	/* Sent once: nothing is due any more. */
	assert_int_equal(outbox_deliver_due(db, &cfg, 10), 0);
	assert_int_equal(mail_count(&s), 3);
	buf_release(&long_subject);
	buf_release(&long_body);
	smtp_stop(&s);
}

static void test_rolled_back_enqueue_sends_nothing(void **state)
{
	struct db *db = *state;
	struct smtp_server s;
	smtp_start(&s, 0, NULL);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(outbox_enqueue(db, 0, 0, "ghost@example.org", fr_subject, fr_body), 0);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM outbox"), 1);
	assert_int_equal(db_rollback(db), 0);
	struct mailer_config cfg = config_for(s.url);
	assert_int_equal(outbox_deliver_due(db, &cfg, 10), 0);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM outbox"), 0);
	assert_int_equal(mail_count(&s), 0);
	smtp_stop(&s);
}

static void test_unreachable_then_retried(void **state)
{
	struct db *db = *state;
	int port = closed_port();
	char url[64];
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", port);
	struct mailer_config cfg = config_for(url);
	enqueue(db, "later@example.org", fr_subject, fr_body);
	int64_t id = row_id(db, "later@example.org");

	int64_t before = (int64_t)time(NULL);
	assert_int_equal(outbox_deliver_due(db, &cfg, 10), 0);
	assert_int_equal(query_int(db, "SELECT attempts FROM outbox WHERE id = ?", id), 1);
	assert_int_equal(query_int(db, "SELECT COUNT(*) FROM outbox WHERE id = ? AND sent_at IS NULL", id), 1);
	int64_t next = query_int(db, "SELECT next_attempt_at FROM outbox WHERE id = ?", id);
	assert_true(next >= before + 60 && next <= (int64_t)time(NULL) + 60);
	char *err = last_error(db, id);
	assert_non_null(err);
	assert_non_null(strstr(err, "127.0.0.1"));
	free(err);

	/* Not due yet: the server coming up changes nothing until then. */
	struct smtp_server s;
	smtp_start(&s, port, NULL);
	assert_int_equal(s.port, port);
	assert_int_equal(outbox_deliver_due(db, &cfg, 10), 0);
	assert_int_equal(mail_count(&s), 0);

	make_due(db);
	assert_int_equal(outbox_deliver_due(db, &cfg, 10), 1);
	assert_int_equal(mail_count(&s), 1);
	json_t *m = mail_to(&s, "later@example.org", NULL);
	assert_string_equal(jstr(m, "subject"), fr_subject);
	json_decref(m);
	assert_int_equal(query_int(db, "SELECT attempts FROM outbox WHERE id = ?", id), 2);
	assert_int_equal(query_int(db, "SELECT COUNT(*) FROM outbox WHERE id = ? AND sent_at IS NOT NULL"
				       " AND last_error IS NULL", id),
			 1);
	smtp_stop(&s);
}

static void test_backoff_then_give_up(void **state)
{
	static const int64_t delays[] = { 60, 300, 1800, 7200, 43200, 43200, 43200 };
	struct db *db = *state;
	char url[64];
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", closed_port());
	struct mailer_config cfg = config_for(url);
	enqueue(db, "never@example.org", "Hello", "Body\n");
	int64_t id = row_id(db, "never@example.org");
	for (int attempt = 1; attempt <= 8; attempt++) {
		make_due(db);
		int64_t before = (int64_t)time(NULL);
		assert_int_equal(outbox_deliver_due(db, &cfg, 10), 0);
		assert_int_equal(query_int(db, "SELECT attempts FROM outbox WHERE id = ?", id), attempt);
		if (attempt < 8) {
			int64_t next = query_int(db, "SELECT next_attempt_at FROM outbox WHERE id = ?", id);
			assert_true(next >= before + delays[attempt - 1]);
			assert_true(next <= (int64_t)time(NULL) + delays[attempt - 1]);
		}
	}
	char *err = last_error(db, id);
	assert_non_null(err);
	free(err);
	/* Given up: even when its time has come and the server is back, it is not taken again. */
	struct smtp_server s;
	smtp_start(&s, 0, NULL);
	cfg.smtp_url = s.url;
	make_due(db);
	assert_int_equal(outbox_deliver_due(db, &cfg, 10), 0);
	assert_int_equal(mail_count(&s), 0);
	assert_int_equal(query_int(db, "SELECT attempts FROM outbox WHERE id = ?", id), 8);
	assert_int_equal(query_int(db, "SELECT COUNT(*) FROM outbox WHERE id = ? AND sent_at IS NULL"
				       " AND last_error IS NOT NULL", id),
			 1);
	smtp_stop(&s);
}

static void test_refused_recipient_given_up_at_once(void **state)
{
	struct db *db = *state;
	struct smtp_server s;
	smtp_start(&s, 0, "refused");
	struct mailer_config cfg = config_for(s.url);
	enqueue(db, "refused@example.org", "One", "Body\n");
	enqueue(db, "fine@example.org", "Two", "Body\n");
	assert_int_equal(outbox_deliver_due(db, &cfg, 10), 1);
	assert_int_equal(mail_count(&s), 1);
	json_decref(mail_to(&s, "fine@example.org", NULL));
	int64_t id = row_id(db, "refused@example.org");
	assert_int_equal(query_int(db, "SELECT attempts FROM outbox WHERE id = ?", id), 8);
	char *err = last_error(db, id);
	assert_non_null(err);
	assert_non_null(strstr(err, "550"));
	free(err);
	smtp_stop(&s);
}

static void test_header_injection_refused(void **state)
{
	struct db *db = *state;
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(outbox_enqueue(db, 0, 0, "a@example.org", "x\r\nBcc: evil@x", "Body\n"), -1);
	assert_int_equal(outbox_enqueue(db, 0, 0, "a@example.org", "x\nBcc: evil@x", "Body\n"), -1);
	assert_int_equal(outbox_enqueue(db, 0, 0, "a@example.org\r\nBcc: evil@x", "Hi", "Body\n"), -1);
	assert_int_equal(outbox_enqueue(db, 0, 0, "a@example.org, evil@x", "Hi", "Body\n"), -1);
	assert_int_equal(outbox_enqueue(db, 0, 0, "<evil@x>", "Hi", "Body\n"), -1);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM outbox"), 0);

	/* A row that bypassed outbox_enqueue() is refused by the sender itself. */
	int64_t now = (int64_t)time(NULL);
	assert_int_equal(db_execv(db,
				  "INSERT INTO outbox (to_address, subject, body, created_at, next_attempt_at)"
				  " VALUES (?, ?, ?, ?, ?)",
				  "tttii", "victim@example.org", "x\r\nBcc: evil@x", "Body\n", now, now),
			 0);
	enqueue(db, "ok@example.org", "Fine", "Body\n");
	struct smtp_server s;
	smtp_start(&s, 0, NULL);
	struct mailer_config cfg = config_for(s.url);
	assert_int_equal(outbox_deliver_due(db, &cfg, 10), 1);
	assert_int_equal(mail_count(&s), 1);
	json_t *m = mail_to(&s, "ok@example.org", NULL);
	json_t *h;
	size_t i;
	json_array_foreach(json_object_get(m, "headers"), i, h) assert_string_not_equal(json_string_value(h), "bcc");
	json_decref(m);
	int64_t id = row_id(db, "victim@example.org");
	assert_int_equal(query_int(db, "SELECT attempts FROM outbox WHERE id = ?", id), 8);
	char *err = last_error(db, id);
	assert_non_null(strstr(err, "subject"));
	free(err);
	smtp_stop(&s);
}

/* Run deliver with stderr going to a file; returns what was written (free it). */
static char *deliver_capturing_stderr(struct db *db, const struct mailer_config *cfg, int *sent)
{
	char path[] = "/tmp/tremplin-stderr-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	*sent = outbox_deliver_due(db, cfg, 10);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	struct buf b = BUF_INIT;
	char chunk[4096];
	lseek(fd, 0, SEEK_SET);
	for (ssize_t n; (n = read(fd, chunk, sizeof(chunk))) > 0;)
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	unlink(path);
	return buf_detach(&b, NULL);
}

static void test_without_smtp_mails_go_to_log(void **state)
{
	struct db *db = *state;
	enqueue(db, "elodie@example.org", fr_subject, fr_body);
	struct mailer_config cfg = config_for("");
	int sent;
	char *log = deliver_capturing_stderr(db, &cfg, &sent);
	assert_int_equal(sent, 1);
	struct buf want = BUF_INIT;
	buf_addf(&want, "mail: to=elodie@example.org subject=%s\n%smail: end\n", fr_subject, fr_body);
	assert_non_null(strstr(log, want.ptr));
	assert_non_null(strstr(log, "https://sceaux.example/compte/confirmer?jeton=Zx9-aB_c=d&retour=%2Fprofil\n"));
	buf_release(&want);
	free(log);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL"), 1);
	log = deliver_capturing_stderr(db, &cfg, &sent);
	assert_int_equal(sent, 0);
	assert_null(strstr(log, "mail: to="));
	free(log);
}

static void insert_row(struct db *db, const char *to, int64_t created, int64_t attempts, int64_t next,
		       int64_t sent)
{
	assert_int_equal(db_execv(db,
				  "INSERT INTO outbox (to_address, subject, body, created_at, attempts,"
				  " next_attempt_at, sent_at) VALUES (?, 'S', 'B', ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0))",
				  "tiiii", to, created, attempts, next, sent),
			 0);
}

static void test_old_rows_deleted(void **state)
{
	struct db *db = *state;
	int64_t now = (int64_t)time(NULL), day = 86400;
	insert_row(db, "sent-31@example.org", now - 32 * day, 1, now - 31 * day, now - 31 * day);
	insert_row(db, "sent-29@example.org", now - 30 * day, 1, now - 29 * day, now - 29 * day);
	insert_row(db, "dead-31@example.org", now - 31 * day, 8, now - 30 * day, 0);
	insert_row(db, "dead-29@example.org", now - 29 * day, 8, now - 28 * day, 0);
	insert_row(db, "waiting@example.org", now - 31 * day, 3, now + 3600, 0);
	enqueue(db, "new@example.org", "New", "Body\n");
	struct smtp_server s;
	smtp_start(&s, 0, NULL);
	struct mailer_config cfg = config_for(s.url);
	assert_int_equal(outbox_deliver_due(db, &cfg, 10), 1);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM outbox WHERE to_address IN"
				       " ('sent-31@example.org', 'dead-31@example.org')"),
			 0);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM outbox WHERE to_address IN ('sent-29@example.org',"
				       " 'dead-29@example.org', 'waiting@example.org', 'new@example.org')"),
			 4);
	smtp_stop(&s);
}

struct sender {
	const char *url;
	const char *smtp_url;
	pthread_barrier_t *start;
	int sent, failed;
};

static void *sender_thread(void *arg)
{
	struct sender *w = arg;
	struct db *db = NULL;
	if (db_open(w->url, &db) < 0) {
		w->failed = 1;
		return NULL;
	}
	struct mailer_config cfg = { w->url, w->smtp_url, FROM, 1000 };
	pthread_barrier_wait(w->start);
	for (int n; (n = outbox_deliver_due(db, &cfg, 3)) != 0;) {
		if (n < 0) {
			w->failed = 1;
			break;
		}
		w->sent += n;
	}
	db_close(db);
	return NULL;
}

static void test_concurrent_senders_send_each_once(void **state)
{
	enum { MAILS = 40, SENDERS = 4 };
	struct db *db = *state;
	char to[64];
	assert_int_equal(db_begin(db), 0);
	for (int i = 0; i < MAILS; i++) {
		snprintf(to, sizeof(to), "person%d@example.org", i);
		assert_int_equal(outbox_enqueue(db, 0, 0, to, "Hello", "Body\n"), 0);
	}
	assert_int_equal(db_commit(db), 0);
	struct smtp_server s;
	smtp_start(&s, 0, NULL);
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, SENDERS);
	struct sender w[SENDERS];
	pthread_t t[SENDERS];
	for (int i = 0; i < SENDERS; i++) {
		w[i] = (struct sender){ current_url, s.url, &start, 0, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, sender_thread, &w[i]), 0);
	}
	int total = 0;
	for (int i = 0; i < SENDERS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].failed, 0);
		total += w[i].sent;
	}
	pthread_barrier_destroy(&start);
	assert_int_equal(total, MAILS);
	assert_int_equal(mail_count(&s), MAILS);
	for (int i = 0; i < MAILS; i++) {
		snprintf(to, sizeof(to), "person%d@example.org", i);
		json_decref(mail_to(&s, to, NULL)); /* fails on a second mail to the same person */
	}
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL AND attempts = 1"),
			 MAILS);
	smtp_stop(&s);
}

static int wait_for_mails(const struct smtp_server *s, int want, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 20) {
		if (mail_count(s) >= want)
			return 0;
		usleep(20000);
	}
	return -1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_mailer_thread_woken(void **state)
{
	struct db *db = *state;
	struct smtp_server s;
	smtp_start(&s, 0, NULL);
	enqueue(db, "early@example.org", "Queued before the start", "Body\n");
	struct mailer_config cfg = { current_url, s.url, FROM, 60000 }; /* only a wake-up can be quick */
	assert_int_equal(mailer_start(&cfg), 0);
	assert_int_equal(mailer_start(&cfg), -1); /* one sender thread per process */
	assert_int_equal(wait_for_mails(&s, 1, 5000), 0); /* what waited goes at start */
	json_decref(mail_to(&s, "early@example.org", NULL));

	enqueue(db, "woken@example.org", fr_subject, fr_body);
	double t0 = now_s();
	mailer_wake();
	assert_int_equal(wait_for_mails(&s, 2, 5000), 0);
	assert_true(now_s() - t0 < 5);
	json_decref(mail_to(&s, "woken@example.org", NULL));
	t0 = now_s();
	mailer_stop();
	assert_true(now_s() - t0 < 2);
	mailer_stop(); /* harmless twice */
	mailer_wake(); /* and a wake-up with no thread */
	smtp_stop(&s);
}

/* A server that accepts connections (the kernel does) and never greets. */
static int silent_listener(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void test_stop_interrupts_a_hanging_send(void **state)
{
	struct db *db = *state;
	int port;
	int fd = silent_listener(&port);
	char url[64];
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", port);
	enqueue(db, "patient@example.org", "Hello", "Body\n");
	struct mailer_config cfg = { current_url, url, FROM, 60000 };
	assert_int_equal(mailer_start(&cfg), 0);
	int64_t id = row_id(db, "patient@example.org");
	/* Wait until the thread holds the lease, that is, is sending. */
	for (int i = 0; i < 250 && query_int(db, "SELECT attempts FROM outbox WHERE id = ?", id) == 0; i++)
		usleep(20000);
	assert_int_equal(query_int(db, "SELECT attempts FROM outbox WHERE id = ?", id), 1);
	usleep(300000);
	double t0 = now_s();
	mailer_stop();
	assert_true(now_s() - t0 < 3); /* not the 30 s of the SMTP timeout */
	close(fd);
	/* Interrupted, not failed: the attempt is not counted and the mail is due now. */
	assert_int_equal(query_int(db, "SELECT attempts FROM outbox WHERE id = ?", id), 0);
	assert_true(query_int(db, "SELECT next_attempt_at FROM outbox WHERE id = ?", id) <= (int64_t)time(NULL));
	assert_int_equal(query_int(db, "SELECT COUNT(*) FROM outbox WHERE id = ? AND sent_at IS NULL", id), 1);
}

static void test_mailer_refuses_bad_config(void **state)
{
	(void)state;
	struct mailer_config cfg = { current_url, "http://127.0.0.1:25", FROM, 1000 };
	assert_int_equal(mailer_start(&cfg), -1);
	cfg.smtp_url = "smtp://127.0.0.1:25";
	cfg.from = "Tremplin <not an address>";
	assert_int_equal(mailer_start(&cfg), -1);
	cfg.from = FROM;
	cfg.db_url = "postgres://nobody@127.0.0.1:1/none";
	assert_int_equal(mailer_start(&cfg), -1);
	mailer_stop(); /* nothing was started */
}

/* ------------------------------------------------------------------ */
/* The message itself (no database)                                    */
/* ------------------------------------------------------------------ */

static void test_address_checks(void **state)
{
	(void)state;
	static const char *const good[] = { "a@b.c", "no-reply@localhost", "first.last+tag@sub.example.org",
					    "o'brien@example.ie", "x_y=z@example.com" };
	static const char *const bad[] = { "", "a", "@b.c", "a@", "a b@c.d", "a@b.c\r\nBcc: e@x", "a@b.c\n",
					   "<a@b.c>", "a@b.c, e@x", "a..b@c.d", ".a@b.c", "a.@b.c", "a@-b.c",
					   "a@b-.c", "a@b..c", "élodie@example.org", "a@exämple.org",
					   "\"a\"@b.c", "a@[127.0.0.1]" };
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		if (!smtp_address_ok(good[i]))
			fail_msg("'%s' refused", good[i]);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (smtp_address_ok(bad[i]))
			fail_msg("'%s' accepted", bad[i]);
	/* 64 + 1 + 63 + 1 + 63 + 1 + N bytes: 254 is the most an address may have. */
	struct buf a = BUF_INIT;
	for (int i = 0; i < 64; i++)
		buf_addch(&a, 'l');
	buf_addch(&a, '@');
	for (int i = 0; i < 63 * 2; i++)
		buf_adds(&a, i == 63 ? ".d" : "d");
	buf_addch(&a, '.');
	while (a.len < 254)
		buf_addch(&a, 'e');
	assert_true(smtp_address_ok(a.ptr));
	buf_addch(&a, 'e');
	assert_false(smtp_address_ok(a.ptr));
	buf_release(&a);
	assert_false(smtp_address_ok(NULL));
}

static void test_header_text_checks(void **state)
{
	(void)state;
	assert_true(smtp_header_text_ok(fr_subject));
	assert_true(smtp_header_text_ok("🌱 ok"));
	assert_true(smtp_header_text_ok(""));
	assert_false(smtp_header_text_ok("a\rb"));
	assert_false(smtp_header_text_ok("a\nb"));
	assert_false(smtp_header_text_ok("a\tb"));
	assert_false(smtp_header_text_ok("a\x7f"));
	assert_false(smtp_header_text_ok("\xc3\x28"));     /* broken sequence */
	assert_false(smtp_header_text_ok("\xc0\xaf"));     /* overlong '/' */
	assert_false(smtp_header_text_ok("\xed\xa0\x80")); /* surrogate */
	assert_false(smtp_header_text_ok("\xc3"));         /* cut short */
	assert_false(smtp_header_text_ok(NULL));
}

static void test_url_and_from_checks(void **state)
{
	(void)state;
	struct buf err = BUF_INIT;
	assert_int_equal(smtp_check_url("smtp://localhost:2525", &err), 0);
	assert_int_equal(smtp_check_url("smtps://user:secret@mail.example.org:465/tremplin.example", &err), 0);
	assert_int_equal(smtp_check_url("http://mail.example.org", &err), -1);
	assert_int_equal(smtp_check_url("smtp://mail.example.org/?x=1", &err), -1);
	assert_int_equal(smtp_check_url("", &err), -1);
	assert_int_equal(smtp_check_url("mail.example.org", &err), -1);
	buf_reset(&err);
	smtp_redact_url("smtp://user:s3cret@mail.example.org:587", &err);
	assert_null(strstr(err.ptr, "s3cret"));
	assert_non_null(strstr(err.ptr, "user:***@mail.example.org:587"));
	assert_int_equal(smtp_check_from("Tremplin <no-reply@localhost>", &err), 0);
	assert_int_equal(smtp_check_from("no-reply@localhost", &err), 0);
	assert_int_equal(smtp_check_from("\"UP Sceaux\" <up@sceaux.example>", &err), 0);
	assert_int_equal(smtp_check_from("Tremplin <no-reply>", &err), -1);
	assert_int_equal(smtp_check_from("Tremplin <a@b.c> x", &err), -1);
	assert_int_equal(smtp_check_from("Tre\"mplin <a@b.c>", &err), -1);
	assert_int_equal(smtp_check_from("Tremplin\r\nBcc: e@x <a@b.c>", &err), -1);
	assert_int_equal(smtp_check_from("", &err), -1);
	buf_release(&err);
}

static size_t base64_decode(const char *s, size_t len, unsigned char *out)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = 0;
	unsigned v = 0, bits = 0;
	for (size_t i = 0; i < len && s[i] != '='; i++) {
		const char *d = strchr(digits, s[i]);
		assert_non_null(d);
		v = (v << 6) | (unsigned)(d - digits);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(v >> bits);
		}
	}
	return n;
}

/*
 * The Subject of a built message: each encoded word is at most 75 octets
 * and holds whole characters (RFC 2047 section 5), and together they give
 * the subject back.
 */
static void test_encoded_words(void **state)
{
	(void)state;
	struct buf subject = BUF_INIT, msg = BUF_INIT, err = BUF_INIT, joined = BUF_INIT;
	for (int i = 0; i < 15; i++)
		buf_adds(&subject, i % 2 ? "Idée n°1 🌱 " : "éà€𝄞");
	assert_int_equal(smtp_build_message(FROM, "a@b.c", subject.ptr, "x", 0, &msg, &err), 0);
	const char *p = strstr(msg.ptr, "\r\nSubject: ") + 11;
	const char *end = strstr(p, "\r\nMessage-ID:");
	int words = 0;
	while (p < end) {
		const char *w = strstr(p, "=?UTF-8?B?");
		if (!w || w >= end)
			break;
		const char *e = strstr(w + 10, "?=");
		assert_true(e - w + 2 <= 75);
		unsigned char chunk[64];
		size_t n = base64_decode(w + 10, (size_t)(e - w - 10), chunk);
		chunk[n] = '\0';
		if (!smtp_header_text_ok((const char *)chunk))
			fail_msg("encoded word %d is not whole UTF-8 characters", words + 1);
		buf_add(&joined, chunk, n);
		words++;
		p = e + 2;
	}
	assert_true(words > 3);
	assert_string_equal(joined.ptr, subject.ptr);
	assert_wire_format(msg.ptr, msg.len);
	buf_release(&subject);
	buf_release(&msg);
	buf_release(&err);
	buf_release(&joined);
}

static void test_message_shape(void **state)
{
	(void)state;
	struct buf msg = BUF_INIT, err = BUF_INIT;
	assert_int_equal(smtp_build_message("J. Doe, Sceaux <j@sceaux.example>", "a@b.c", "Hi", "x", 0, &msg, &err),
			 0);
	assert_true(!strncmp(msg.ptr, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n", 39));
	assert_non_null(strstr(msg.ptr, "\r\nFrom: \"J. Doe, Sceaux\" <j@sceaux.example>\r\n"));
	assert_non_null(strstr(msg.ptr, "\r\nTo: a@b.c\r\n"));
	assert_non_null(strstr(msg.ptr, "@sceaux.example>\r\n"));
	assert_non_null(strstr(msg.ptr, "\r\nAuto-Submitted: auto-generated\r\n\r\nx\r\n"));
	assert_wire_format(msg.ptr, msg.len);
	/* Trailing spaces and '=' are encoded, CR LF and lone LF both end lines. */
	buf_reset(&msg);
	assert_int_equal(smtp_build_message(FROM, "a@b.c", "=?UTF-8?B?eA==?=", "a = b \r\nc\t\nd", 0, &msg, &err), 0);
	assert_non_null(strstr(msg.ptr, "\r\n\r\na =3D b=20\r\nc=09\r\nd\r\n"));
	assert_null(strstr(msg.ptr, "Subject: =?UTF-8?B?eA==?=\r\n")); /* an ASCII look-alike is encoded too */
	buf_reset(&msg);
	assert_int_equal(smtp_build_message(FROM, "a@b.c", "x\r\nBcc: evil@x", "b", 0, &msg, &err), -1);
	assert_int_equal(smtp_build_message(FROM, "a@b.c\r\nBcc: evil@x", "x", "b", 0, &msg, &err), -1);
	assert_int_equal(smtp_build_message(FROM, "a@b.c", "x", "\xff body", 0, &msg, &err), -1);
	assert_int_equal(msg.len, 0);
	buf_release(&msg);
	buf_release(&err);
}

#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest smtp_tests[] = {
		cmocka_unit_test(test_address_checks),
		cmocka_unit_test(test_header_text_checks),
		cmocka_unit_test(test_url_and_from_checks),
		cmocka_unit_test(test_message_shape),
		cmocka_unit_test(test_encoded_words),
	};
	const struct CMUnitTest tests[] = {
		DB_TEST(test_delivers_and_decodes),
		DB_TEST(test_rolled_back_enqueue_sends_nothing),
		DB_TEST(test_unreachable_then_retried),
		DB_TEST(test_backoff_then_give_up),
		DB_TEST(test_refused_recipient_given_up_at_once),
		DB_TEST(test_header_injection_refused),
		DB_TEST(test_without_smtp_mails_go_to_log),
		DB_TEST(test_old_rows_deleted),
		DB_TEST(test_concurrent_senders_send_each_once),
		DB_TEST(test_mailer_thread_woken),
		DB_TEST(test_stop_interrupts_a_hanging_send),
		DB_TEST(test_mailer_refuses_bad_config),
	};
	int failed = 0;
	log_set_quiet(1);
	signal(SIGPIPE, SIG_IGN);
	failed += cmocka_run_group_tests_name("smtp", smtp_tests, NULL, NULL);
	test_db_urls_init(&urls);
	for (int i = 0; i < urls.count; i++) {
		current_url = urls.url[i];
		failed += _cmocka_run_group_tests(test_db_name(current_url), tests, ARRAY_SIZE(tests), NULL, NULL);
	}
	test_db_urls_release(&urls);
	return failed ? 1 : 0;
}
