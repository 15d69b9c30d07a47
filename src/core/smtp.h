/*
 * One e-mail over SMTP, through libcurl: the only module that includes
 * <curl/curl.h>. It also builds the message itself (RFC 5322 headers, words
 * encoded per RFC 2047, a quoted-printable UTF-8 body), so that every mail
 * the platform sends has one well-formed shape and no header can be
 * smuggled in through a subject or an address.
 */
#ifndef CORE_SMTP_H
#define CORE_SMTP_H

#include <stdatomic.h>
#include <stdint.h>

struct buf;

enum smtp_result {
	SMTP_OK = 0,
	SMTP_TEMPORARY = -1, /* no connection, timeout, 4xx, bad login: try again later */
	SMTP_PERMANENT = -2, /* the recipient or the message was refused (5xx), or is invalid */
};

struct smtp_config {
	/*
	 * smtp://[USER:PASSWORD@]HOST[:PORT][/EHLO-NAME] (STARTTLS when offered;
	 * required when the URL has a password and the host is not loopback)
	 * or smtps://... (TLS from the start). Certificates are verified.
	 */
	const char *url;
	const char *from; /* "Display Name <address>" or "address" */
	const atomic_int *cancel; /* optional: non-zero aborts a send in progress */
};

/* curl_global_init(), once per process; smtp_send() calls it too. */
void smtp_global_init(void);

/* 0 if url is a usable smtp:// or smtps:// URL; else -1 and the reason in err. */
int smtp_check_url(const char *url, struct buf *err);
/* 0 if from is "address" or "Display Name <address>"; else -1 and the reason in err. */
int smtp_check_from(const char *from, struct buf *err);
/* Append url with its password replaced by "***", for logs. */
void smtp_redact_url(const char *url, struct buf *out);

/*
 * 1 if address is a plain ASCII mailbox "local@domain" that can go in an
 * SMTP envelope and a header unchanged (no spaces, quotes, brackets,
 * commas or line breaks; at most 254 bytes), else 0.
 */
int smtp_address_ok(const char *address);
/* 1 if text is valid UTF-8 without control characters (CR, LF...), else 0. */
int smtp_header_text_ok(const char *text);

/*
 * Append to out the whole message (headers and body, CRLF line endings, no
 * line over 78 octets), dated date (Unix seconds). -1 (reason in err) if
 * from, to or subject is invalid (see above) or the body is not UTF-8.
 */
int smtp_build_message(const char *from, const char *to, const char *subject, const char *body_utf8,
		       int64_t date, struct buf *out, struct buf *err);

/*
 * Send one plain-text mail to the single recipient to. Connects within 10 s
 * and finishes within 30 s. SMTP_OK, or SMTP_TEMPORARY / SMTP_PERMANENT
 * with the reason (no password in it) in err.
 */
int smtp_send(const struct smtp_config *cfg, const char *to, const char *subject, const char *body_utf8,
	      struct buf *err);

#endif
