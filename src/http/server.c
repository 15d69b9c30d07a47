/*
 * The only file that knows libmicrohttpd. MHD calls the access handler
 * several times per request: once when the headers are in, once per chunk
 * of body, and once more at the end. The per-request context is created in
 * the URI callback (which sees the URI before MHD decodes it, so that bad
 * percent-encoding can be refused), lives across those calls, and is freed
 * in the completion callback with the request's arena.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "http/parse.h"
#include "core/banned.h"

/* Headers on every response (DESIGN.md rules; issue: no version banner). */
static const struct header security_headers[] = {
	{ "Content-Security-Policy",
	  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	  "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
	  "form-action 'self'; frame-ancestors 'none'" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "Referrer-Policy", "same-origin" },
	{ "X-Frame-Options", "DENY" },
	{ "Cross-Origin-Opener-Policy", "same-origin" },
	{ "Permissions-Policy", "camera=(), microphone=(), geolocation=(self)" },
};

struct conn_ctx {
	struct request req;
	struct response res;
	const struct route *route;
	char *raw_uri;
	struct buf body;
	size_t body_limit;
	int status_early; /* answer decided before the body: it is discarded */
	int started;
	int body_too_large;
	struct timespec start;
};

struct server {
	const struct server_options *opts;
	const struct server_app *app;
	atomic_int in_flight;
};

static uint64_t elapsed_us(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - start->tv_sec) * 1000000u +
	       (uint64_t)((now.tv_nsec - start->tv_nsec) / 1000);
}

static const char *conn_header(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct server *srv = cls;
	(void)conn;
	struct conn_ctx *c = xcalloc(1, sizeof(*c));
	clock_gettime(CLOCK_MONOTONIC, &c->start);
	c->req.arena = arena_new();
	c->raw_uri = arena_strdup(c->req.arena, uri);
	buf_init(&c->body, 0);
	buf_init(&c->res.body, 0);
	atomic_fetch_add(&srv->in_flight, 1);
	return c;
}

/* The path as one token: no space, control byte or newline can forge a line. */
static void log_path(struct buf *out, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p <= ' ' || *p == 0x7f || *p == '%' || *p == '"') {
			char enc[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			buf_add(out, enc, 3);
		} else {
			buf_addch(out, (char)*p);
		}
	}
}

static void log_access(const struct conn_ctx *c, size_t bytes)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	struct buf path = BUF_INIT;
	log_path(&path, c->req.path ? c->req.path : "-");
	/* One call per line, so concurrent workers do not interleave. */
	printf("%s %s %s %d %zu %llu\n", when, c->req.method_name ? c->req.method_name : "-",
	       path.ptr, c->res.status, bytes, (unsigned long long)elapsed_us(&c->start));
	buf_release(&path);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct conn_ctx *c = *con_cls;
	(void)conn;
	if (!c)
		return;
	if (srv->opts->access_log && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK) {
		size_t bytes = c->res.static_body ? c->res.static_len : c->res.body.len;
		log_access(c, bytes);
	}
	buf_release(&c->body);
	buf_release(&c->res.body);
	arena_free(c->req.arena);
	free(c);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

static enum http_method method_bit(const char *m)
{
	static const struct {
		const char *name;
		enum http_method bit;
	} methods[] = {
		{ "GET", HTTP_GET },	   { "HEAD", HTTP_HEAD },     { "POST", HTTP_POST },
		{ "PUT", HTTP_PUT },	   { "DELETE", HTTP_DELETE }, { "PATCH", HTTP_PATCH },
		{ "OPTIONS", HTTP_OPTIONS },
	};
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++)
		if (!strcmp(m, methods[i].name))
			return methods[i].bit;
	return HTTP_OTHER;
}

static const char *host_of(struct arena *a, const char *host)
{
	if (!host)
		return "";
	size_t len = strcspn(host, ":");
	if (host[0] == '[') /* IPv6 literal: keep it whole */
		len = strlen(host);
	char *h = arena_strndup(a, host, len);
	for (char *p = h; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return h;
}

static const char *client_ip(struct arena *a, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char text[INET6_ADDRSTRLEN] = "-";
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
				  text, sizeof(text));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
				  text, sizeof(text));
	}
	return arena_strdup(a, text);
}

/* Split the raw URI into a decoded path and a parsed query; HTTP status or 0. */
static int parse_target(struct conn_ctx *c)
{
	struct request *req = &c->req;
	const char *uri = c->raw_uri;
	if (uri[0] != '/')
		return 400;
	size_t path_len = strcspn(uri, "?#");
	char *path;
	size_t len;
	if (url_decode(req->arena, uri, path_len, 0, &path, &len) < 0)
		return 400;
	req->path = path;
	const char *q = uri[path_len] == '?' ? uri + path_len + 1 : "";
	size_t qlen = strcspn(q, "#");
	req->raw_query = arena_strndup(req->arena, q, qlen);
	if (parse_urlencoded(req->arena, q, qlen, &req->query) < 0)
		return 400;
	return 0;
}

static int parse_declared_length(const char *value, size_t *out)
{
	if (!value || !*value)
		return -1;
	size_t n = 0;
	for (const char *p = value; *p; p++) {
		if (*p < '0' || *p > '9' || n > ((size_t)-1) / 10 - 10)
			return -1;
		n = n * 10 + (size_t)(*p - '0');
	}
	*out = n;
	return 0;
}

struct header_census {
	int host, content_length, transfer_encoding, mangled;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *name,
				   const char *value)
{
	static const char *const framing[] = { "host", "content-length", "transfer-encoding" };
	struct header_census *c = cls;
	(void)kind;
	(void)value;
	if (!strcasecmp(name, "host"))
		c->host++;
	else if (!strcasecmp(name, "content-length"))
		c->content_length++;
	else if (!strcasecmp(name, "transfer-encoding"))
		c->transfer_encoding++;
	else if (strpbrk(name, " \t")) /* "Transfer-Encoding : chunked" */
		c->mangled++;
	else
		for (size_t i = 0; i < ARRAY_SIZE(framing); i++)
			if (!strncasecmp(name, framing[i], strlen(framing[i])))
				c->mangled++; /* "Content-Length40": an obs-fold glued to the name */
	return MHD_YES;
}

/*
 * Request smuggling (RFC 9112 6.1, 6.3, 3.2): a request whose framing or
 * Host a proxy in front could read differently is refused outright, so the
 * two never disagree on where a request ends or which territory it is for.
 */
static int framing_ambiguous(struct MHD_Connection *conn, const char *version)
{
	struct header_census c = { 0 };
	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &c);
	if (c.host > 1 || c.content_length > 1 || c.transfer_encoding > 1 || c.mangled)
		return 1;
	if (!c.host && version && !strcmp(version, "HTTP/1.1"))
		return 1; /* RFC 9112 3.2: an HTTP/1.1 request without Host is refused */
	if (c.content_length && c.transfer_encoding)
		return 1;
	const char *te = conn_header(conn, "Transfer-Encoding");
	return te && strcasecmp(te, "chunked") != 0;
}

/* Everything known once the headers are in: route, limits. HTTP status or 0. */
static int begin_request(struct server *srv, struct conn_ctx *c, struct MHD_Connection *conn,
			 const char *method, const char *version)
{
	struct request *req = &c->req;
	req->method_name = arena_strdup(req->arena, method);
	req->method = method_bit(method);
	req->header_fn = conn_header;
	req->header_ctx = conn;
	req->host = host_of(req->arena, conn_header(conn, "Host"));
	req->client_ip = client_ip(req->arena, conn);
	req->content_type = conn_header(conn, "Content-Type");
	req->lang = "fr";

	if (framing_ambiguous(conn, version))
		return 400;
	int status = parse_target(c);
	if (status)
		return status;
	const char *cookie = conn_header(conn, "Cookie");
	if (cookie && parse_cookies(req->arena, cookie, &req->cookies) < 0)
		return 400;

	struct buf allow = BUF_INIT;
	enum router_result r = router_match(srv->app->routes, srv->app->n_routes, req->method,
					    req->path, req->arena, &req->route, &c->route, &allow);
	if (r == ROUTER_METHOD_NOT_ALLOWED) {
		response_header(&c->res, req->arena, "Allow", allow.ptr);
		buf_release(&allow);
		return 405;
	}
	buf_release(&allow);
	if (r == ROUTER_NOT_FOUND)
		return 404;

	c->body_limit = c->route->body_limit;
	size_t declared;
	const char *cl = conn_header(conn, "Content-Length");
	if (cl) {
		if (parse_declared_length(cl, &declared) < 0)
			return 400;
		if (declared > c->body_limit)
			return 413;
		buf_grow(&c->body, declared);
	}
	return 0;
}

static void add_headers(struct MHD_Response *r, const struct response *res)
{
	for (size_t i = 0; i < ARRAY_SIZE(security_headers); i++)
		MHD_add_response_header(r, security_headers[i].name, security_headers[i].value);
	if (res->content_type)
		MHD_add_response_header(r, "Content-Type", res->content_type);
	for (size_t i = 0; i < res->n_headers; i++)
		MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
}

static enum MHD_Result send_response(struct conn_ctx *c, struct MHD_Connection *conn)
{
	struct response *res = &c->res;
	struct MHD_Response *r;
	if (res->static_body)
		r = MHD_create_response_from_buffer(res->static_len, (void *)res->static_body,
						    MHD_RESPMEM_PERSISTENT);
	else
		r = MHD_create_response_from_buffer(res->body.len, res->body.ptr,
						    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	add_headers(r, res);
	/* Answered before the body was read: the connection cannot be reused safely. */
	if (c->status_early)
		MHD_add_response_header(r, "Connection", "close");
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result answer_error(struct server *srv, struct conn_ctx *c,
				   struct MHD_Connection *conn, int status)
{
	const char *allow = response_get_header(&c->res, "Allow");
	c->res.status = status;
	srv->app->error(&c->req, &c->res, status, allow);
	return send_response(c, conn);
}

static int parse_body(struct conn_ctx *c)
{
	struct request *req = &c->req;
	req->body = c->body.ptr;
	req->body_len = c->body.len;
	if (!(c->route->flags & ROUTE_FORM) || !req->content_type)
		return 0;
	const char *ct = req->content_type;
	if (content_type_is(ct, "application/x-www-form-urlencoded"))
		return parse_urlencoded(req->arena, req->body, req->body_len, &req->form) < 0 ? 400 : 0;
	if (content_type_is(ct, "multipart/form-data"))
		return parse_multipart(req->arena, ct, req->body, req->body_len, &req->form,
				       &req->uploads) < 0 ? 400 : 0;
	return 415;
}

static enum MHD_Result finish_request(struct server *srv, struct conn_ctx *c,
				      struct MHD_Connection *conn)
{
	if (c->body_too_large)
		return answer_error(srv, c, conn, 413);
	int status = parse_body(c);
	if (!status)
		status = srv->app->prepare(&c->req, &c->res, c->route);
	if (status)
		return answer_error(srv, c, conn, status);
	c->res.status = 200;
	if (srv->app->dispatch)
		srv->app->dispatch(&c->req, &c->res, c->route);
	else
		c->route->handler(&c->req, &c->res);
	if (c->res.status >= 400 && !c->res.body.len && !c->res.static_body)
		srv->app->error(&c->req, &c->res, c->res.status, NULL);
	return send_response(c, conn);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct server *srv = cls;
	struct conn_ctx *c = *con_cls;
	(void)url;
	if (!c)
		return MHD_NO; /* no URI callback: cannot happen */
	if (!c->started) {
		c->started = 1;
		int status = begin_request(srv, c, conn, method, version);
		if (status) {
			c->status_early = status;
			return answer_error(srv, c, conn, status);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!c->body_too_large && c->body.len + *upload_data_size <= c->body_limit)
			buf_add(&c->body, upload_data, *upload_data_size);
		else
			c->body_too_large = 1; /* chunked body past the limit: drain it, answer 413 */
		*upload_data_size = 0;
		return MHD_YES;
	}
	return finish_request(srv, c, conn);
}

void server_block_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static void wait_for_signal(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	int sig;
	while (sigwait(&set, &sig) != 0)
		;
	info("received %s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
}

static void drain(struct server *srv, struct MHD_Daemon *d)
{
	MHD_socket listener = MHD_quiesce_daemon(d);
	if (listener != MHD_INVALID_SOCKET)
		close(listener); /* new connections are refused from now on */
	for (unsigned waited = 0; waited < srv->opts->stop_grace * 20; waited++) {
		if (atomic_load(&srv->in_flight) == 0)
			break;
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (atomic_load(&srv->in_flight))
		warning("%d request(s) still running at stop", atomic_load(&srv->in_flight));
}

int server_run(const struct server_options *opts, const struct server_app *app)
{
	struct server srv = { .opts = opts, .app = app };
	if (router_check(app->routes, app->n_routes) < 0)
		return error("invalid route table");
	atomic_init(&srv.in_flight, 0);
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)opts->port) };
	if (inet_pton(AF_INET, opts->bind, &addr.sin_addr) != 1)
		return error("invalid listen address '%s'", opts->bind);
	unsigned threads = opts->threads ? opts->threads : default_threads();
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
	struct MHD_Daemon *d = MHD_start_daemon(
		flags, (uint16_t)opts->port, NULL, NULL, on_request, &srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_LIMIT, opts->max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, opts->max_connections_per_ip,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, opts->connection_memory,
		MHD_OPTION_CONNECTION_TIMEOUT, opts->idle_timeout,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, &srv,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
		MHD_OPTION_STRICT_FOR_CLIENT, 1,
		MHD_OPTION_END);
	if (!d)
		return error("cannot listen on %s:%u (%s)", opts->bind, opts->port,
			     errno ? strerror(errno) : "port in use?");
	info("serving http://%s:%u/ with %u threads", opts->bind, opts->port, threads);
	fflush(stderr);
	wait_for_signal();
	drain(&srv, d);
	MHD_stop_daemon(d);
	fflush(stdout);
	info("stopped");
	return 0;
}
