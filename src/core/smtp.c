/*
 * Mail leaves the platform here, and only here, so the rules that keep it
 * deliverable and safe live in one place: the message is built by this
 * file, never pasted together by callers; header values are checked for
 * line breaks (header injection) and encoded per RFC 2047 when they are
 * not plain ASCII; the body is quoted-printable, which needs no 8BITMIME
 * from the server and keeps every line short whatever the text. libcurl
 * speaks SMTP (and dot-stuffs the body); one easy handle per mail, since
 * mail is rare next to page views.
 */
#include "core/smtp.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/banned.h"

#define CONNECT_TIMEOUT_S 10L
#define TOTAL_TIMEOUT_S 30L
#define ADDRESS_MAX 254
#define LOCAL_PART_MAX 64
/* Raw bytes per encoded word: 52 base64 characters, so "Subject: " + word fits in 78. */
#define WORD_BYTES 39
#define QP_LINE_MAX 75 /* plus the "=" of a soft break: 76, RFC 2045's limit */
#define HEADER_LINE_MAX 78

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init_once(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		die("curl_global_init failed");
}

void smtp_global_init(void)
{
	pthread_once(&global_once, global_init_once);
}

/* ------------------------------------------------------------------ */
/* Checking what goes into headers                                     */
/* ------------------------------------------------------------------ */

/* Length of the UTF-8 sequence at s (at most len bytes), 0 if invalid. */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
	unsigned c = s[0];
	size_t n;
	unsigned min, cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, min = 0x80, cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, min = 0x800, cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, min = 0x10000, cp = c & 0x07;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_sequence(p + i, len - i);
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

int smtp_header_text_ok(const char *text)
{
	if (!text)
		return 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return utf8_valid(text, strlen(text));
}

static int atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int local_part_ok(const char *s, size_t len)
{
	if (!len || len > LOCAL_PART_MAX || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.' ? s[i + 1] == '.' : !atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* Host names (labels of letters, digits and inner hyphens); "localhost" is fine. */
static int domain_ok(const char *s, size_t len)
{
	size_t label = 0;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';
		if (c == '.') {
			if (!label || label > 63 || s[i - 1] == '-')
				return 0;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			   (c == '-' && label)) {
			label++;
		} else {
			return 0;
		}
	}
	return 1;
}

int smtp_address_ok(const char *address)
{
	if (!address)
		return 0;
	size_t len = strlen(address);
	const char *at = strrchr(address, '@');
	if (len > ADDRESS_MAX || !at)
		return 0;
	return local_part_ok(address, (size_t)(at - address)) &&
	       domain_ok(at + 1, len - (size_t)(at - address) - 1);
}

/*
 * Split "Display Name <address>" (the name may be quoted) or "address".
 * The caller frees *name and *addr. 0 or -1 (reason in err).
 */
static int parse_from(const char *from, char **name, char **addr, struct buf *err)
{
	*name = *addr = NULL;
	if (!from || !*from) {
		buf_adds(err, "no From address configured");
		return -1;
	}
	const char *lt = strchr(from, '<');
	size_t len = strlen(from);
	if (!lt) {
		*name = xstrdup("");
		*addr = xstrdup(from);
	} else if (from[len - 1] != '>') {
		buf_addf(err, "From '%s': '<' without a closing '>' at the end", from);
		return -1;
	} else {
		const char *s = from, *e = lt;
		while (s < e && *s == ' ')
			s++;
		while (e > s && e[-1] == ' ')
			e--;
		if (e - s >= 2 && *s == '"' && e[-1] == '"')
			s++, e--;
		*name = xstrndup(s, (size_t)(e - s));
		*addr = xstrndup(lt + 1, len - (size_t)(lt - from) - 2);
	}
	if (!smtp_address_ok(*addr) || !smtp_header_text_ok(*name) || strchr(*name, '"') ||
	    strchr(*name, '\\')) {
		buf_addf(err, "From '%s' is not \"Name <address>\" or a plain address", from);
		free(*name);
		free(*addr);
		*name = *addr = NULL;
		return -1;
	}
	return 0;
}

int smtp_check_from(const char *from, struct buf *err)
{
	char *name, *addr;
	if (parse_from(from, &name, &addr, err) < 0)
		return -1;
	free(name);
	free(addr);
	return 0;
}

/* ------------------------------------------------------------------ */
/* URLs                                                                */
/* ------------------------------------------------------------------ */

struct url_info {
	int smtps;
	int has_password;
	int loopback;
};

static int url_part(CURLU *u, CURLUPart part, char **out)
{
	*out = NULL;
	return curl_url_get(u, part, out, 0) == CURLUE_OK;
}

static int parse_url(const char *url, struct url_info *info, struct buf *err)
{
	memset(info, 0, sizeof(*info));
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *password = NULL, *query = NULL;
	int rc = -1;
	if (!u) {
		buf_adds(err, "out of memory");
		return -1;
	}
	if (!url || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    !url_part(u, CURLUPART_SCHEME, &scheme) || !url_part(u, CURLUPART_HOST, &host)) {
		buf_adds(err, "not a URL like smtp://HOST:PORT or smtps://USER:PASSWORD@HOST");
		goto out;
	}
	if (strcmp(scheme, "smtp") && strcmp(scheme, "smtps")) {
		buf_addf(err, "scheme '%s' is not smtp or smtps", scheme);
		goto out;
	}
	if (url_part(u, CURLUPART_QUERY, &query)) {
		buf_adds(err, "an SMTP URL has no query part");
		goto out;
	}
	info->smtps = !strcmp(scheme, "smtps");
	info->has_password = url_part(u, CURLUPART_PASSWORD, &password);
	info->loopback = !strcmp(host, "localhost") || !strncmp(host, "127.", 4) || !strcmp(host, "[::1]");
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(password);
	curl_free(query);
	curl_url_cleanup(u);
	return rc;
}

int smtp_check_url(const char *url, struct buf *err)
{
	struct url_info info;
	return parse_url(url, &info, err);
}

void smtp_redact_url(const char *url, struct buf *out)
{
	CURLU *u = curl_url();
	char *password = NULL, *shown = NULL;
	if (u && url && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
		if (url_part(u, CURLUPART_PASSWORD, &password))
			curl_url_set(u, CURLUPART_PASSWORD, "***", 0);
		url_part(u, CURLUPART_URL, &shown);
	}
	buf_adds(out, shown ? shown : "(invalid URL)");
	curl_free(password);
	curl_free(shown);
	curl_url_cleanup(u);
}

/* ------------------------------------------------------------------ */
/* The message                                                         */
/* ------------------------------------------------------------------ */

static void add_base64(struct buf *out, const unsigned char *s, size_t len)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		buf_addch(out, digits[(v >> 18) & 63]);
		buf_addch(out, digits[(v >> 12) & 63]);
		buf_addch(out, i + 1 < len ? digits[(v >> 6) & 63] : '=');
		buf_addch(out, i + 2 < len ? digits[v & 63] : '=');
	}
}

/*
 * text as RFC 2047 encoded words, folded with CRLF SP so that no line
 * exceeds 78 octets; a word never splits a character (RFC 2047 section 5).
 */
static void add_encoded_words(struct buf *out, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t len = strlen(text);
	for (size_t i = 0; i < len;) {
		size_t n = len - i;
		if (n > WORD_BYTES) {
			n = WORD_BYTES;
			while ((s[i + n] & 0xc0) == 0x80) /* a continuation byte: back to the start */
				n--;
		}
		if (i)
			buf_adds(out, "\r\n ");
		buf_adds(out, "=?UTF-8?B?");
		add_base64(out, s + i, n);
		buf_adds(out, "?=");
		i += n;
	}
}

static int printable_ascii(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

/* Unstructured text (Subject): as it is when short plain ASCII, else encoded words. */
static void add_unstructured(struct buf *out, const char *name, const char *text)
{
	buf_addf(out, "%s: ", name);
	if (printable_ascii(text) && !strstr(text, "=?") && strlen(name) + 2 + strlen(text) <= HEADER_LINE_MAX)
		buf_adds(out, text);
	else
		add_encoded_words(out, text);
	buf_adds(out, "\r\n");
}

/* A display name: an atom phrase, a quoted string, or encoded words. */
static void add_display_name(struct buf *out, const char *name)
{
	if (!printable_ascii(name) || strstr(name, "=?") || strlen(name) > 60) {
		add_encoded_words(out, name);
	} else if (strpbrk(name, "()<>[]:;@\\,.\"")) {
		buf_addch(out, '"');
		buf_adds(out, name); /* parse_from() refused '"' and '\\' */
		buf_addch(out, '"');
	} else {
		buf_adds(out, name);
	}
}

static void add_date(struct buf *out, int64_t date)
{
	/* Not strftime: the program may run under a French locale. */
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)date;
	struct tm tm;
	gmtime_r(&t, &tm);
	buf_addf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday], tm.tm_mday,
		 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void add_message_id(struct buf *out, int64_t date, const char *from_addr)
{
	static atomic_uint counter;
	unsigned char rnd[12];
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		unsigned v = atomic_fetch_add(&counter, 1) ^ (unsigned)getpid();
		memcpy(rnd, &v, sizeof(v));
		memset(rnd + sizeof(v), 0, sizeof(rnd) - sizeof(v));
	}
	buf_addf(out, "Message-ID: <%lld.", (long long)date);
	for (size_t i = 0; i < sizeof(rnd); i++)
		buf_addf(out, "%02x", rnd[i]);
	buf_addf(out, "%s>\r\n", strrchr(from_addr, '@'));
}

/*
 * Quoted-printable (RFC 2045): lines end in CRLF whatever the input used,
 * no line exceeds 76 octets, bytes outside printable ASCII, '=' and
 * whitespace at the end of a line are encoded.
 */
static void add_quoted_printable(struct buf *out, const char *s, size_t len)
{
	size_t col = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r' || c == '\n') {
			if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
				i++;
			buf_adds(out, "\r\n");
			col = 0;
			continue;
		}
		int eol = i + 1 == len || s[i + 1] == '\r' || s[i + 1] == '\n';
		int literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !eol);
		size_t width = literal ? 1 : 3;
		if (col + width > QP_LINE_MAX) {
			buf_adds(out, "=\r\n");
			col = 0;
		}
		if (literal)
			buf_addch(out, (char)c);
		else
			buf_addf(out, "=%02X", c);
		col += width;
	}
	if (col || !len)
		buf_adds(out, "\r\n");
}

int smtp_build_message(const char *from, const char *to, const char *subject, const char *body_utf8,
		       int64_t date, struct buf *out, struct buf *err)
{
	char *name, *addr;
	if (!smtp_address_ok(to)) {
		buf_adds(err, "the recipient is not a plain e-mail address");
		return -1;
	}
	if (!smtp_header_text_ok(subject)) {
		buf_adds(err, "the subject has a line break, a control character or invalid UTF-8");
		return -1;
	}
	if (!body_utf8 || !utf8_valid(body_utf8, strlen(body_utf8))) {
		buf_adds(err, "the body is not valid UTF-8");
		return -1;
	}
	if (parse_from(from, &name, &addr, err) < 0)
		return -1;
	add_date(out, date);
	buf_adds(out, "From: ");
	if (*name) {
		add_display_name(out, name);
		buf_addf(out, " <%s>\r\n", addr);
	} else {
		buf_addf(out, "%s\r\n", addr);
	}
	buf_addf(out, "To: %s\r\n", to);
	add_unstructured(out, "Subject", subject);
	add_message_id(out, date, addr);
	buf_adds(out, "MIME-Version: 1.0\r\n"
		      "Content-Type: text/plain; charset=UTF-8\r\n"
		      "Content-Transfer-Encoding: quoted-printable\r\n"
		      "Auto-Submitted: auto-generated\r\n"
		      "\r\n");
	add_quoted_printable(out, body_utf8, strlen(body_utf8));
	free(name);
	free(addr);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Sending                                                             */
/* ------------------------------------------------------------------ */

struct upload {
	const char *ptr;
	size_t left;
};

static size_t read_upload(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct upload *up = arg;
	size_t n = size * nmemb < up->left ? size * nmemb : up->left;
	memcpy(dst, up->ptr, n);
	up->ptr += n;
	up->left -= n;
	return n;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return atomic_load((const atomic_int *)arg) ? 1 : 0;
}

/*
 * Give up on the mail only when the server refused this recipient or this
 * message (5xx to RCPT or after DATA). A 5xx to MAIL FROM or a refused
 * login is the install's configuration: the mail waits until it is fixed.
 */
static int classify(CURLcode res, long reply, const char *detail)
{
	if (reply < 500 || reply > 599)
		return SMTP_TEMPORARY;
	if (res == CURLE_WEIRD_SERVER_REPLY || strstr(detail, "RCPT") || strstr(detail, "DATA"))
		return SMTP_PERMANENT;
	return SMTP_TEMPORARY;
}

static int perform(const struct smtp_config *cfg, const struct url_info *info, const char *from_addr,
		   const char *to, const struct buf *msg, struct buf *err)
{
	CURL *curl = curl_easy_init();
	if (!curl) {
		buf_adds(err, "curl_easy_init failed");
		return SMTP_TEMPORARY;
	}
	char detail[CURL_ERROR_SIZE] = "";
	struct buf env_from = BUF_INIT, env_to = BUF_INIT;
	buf_addf(&env_from, "<%s>", from_addr);
	buf_addf(&env_to, "<%s>", to);
	struct curl_slist *rcpt = curl_slist_append(NULL, env_to.ptr);
	struct upload up = { msg->ptr, msg->len };
	/* A password never crosses the network in clear, except to this machine. */
	long tls = info->smtps || (info->has_password && !info->loopback) ? CURLUSESSL_ALL : CURLUSESSL_TRY;

	curl_easy_setopt(curl, CURLOPT_URL, cfg->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(curl, CURLOPT_USE_SSL, tls);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, env_from.ptr);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
	curl_easy_setopt(curl, CURLOPT_READDATA, &up);
	curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg->len);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, TOTAL_TIMEOUT_S);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
	if (cfg->cancel) {
		curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(curl, CURLOPT_XFERINFODATA, (void *)cfg->cancel);
		curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	}

	CURLcode res = rcpt ? curl_easy_perform(curl) : CURLE_OUT_OF_MEMORY;
	long reply = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
	int rc = SMTP_OK;
	if (res != CURLE_OK) {
		rc = classify(res, reply, detail);
		smtp_redact_url(cfg->url, err);
		buf_addf(err, ": %s", *detail ? detail : curl_easy_strerror(res));
		if (reply)
			buf_addf(err, " (reply %ld)", reply);
	}
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(curl);
	buf_release(&env_from);
	buf_release(&env_to);
	return rc;
}

int smtp_send(const struct smtp_config *cfg, const char *to, const char *subject, const char *body_utf8,
	      struct buf *err)
{
	struct buf msg = BUF_INIT;
	struct url_info info;
	char *name = NULL, *addr = NULL;
	int rc;
	smtp_global_init();
	/* A bad configuration is not the mail's fault: it waits for a fixed one. */
	if (parse_url(cfg->url, &info, err) < 0 || parse_from(cfg->from, &name, &addr, err) < 0) {
		rc = SMTP_TEMPORARY;
	} else if (smtp_build_message(cfg->from, to, subject, body_utf8, (int64_t)time(NULL), &msg, err) < 0) {
		rc = SMTP_PERMANENT;
	} else {
		rc = perform(cfg, &info, addr, to, &msg, err);
	}
	free(name);
	free(addr);
	buf_release(&msg);
	return rc;
}
