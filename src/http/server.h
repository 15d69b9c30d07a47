/*
 * The HTTP server: libmicrohttpd with its internal thread pool and epoll,
 * limits that keep one greedy client from starving the others, and a
 * graceful stop. It knows nothing of pages: it turns each request into a
 * `struct request`, asks the application to route and answer it, and sends
 * the `struct response` back with the headers every response carries.
 */
#ifndef HTTP_SERVER_H
#define HTTP_SERVER_H

#include <stddef.h>

#include "http/request.h"
#include "http/router.h"

struct server_options {
	const char *bind; /* IPv4 address to listen on, e.g. "127.0.0.1" */
	unsigned port;
	unsigned threads; /* worker threads (0: one per core) */
	unsigned max_connections;
	unsigned max_connections_per_ip;
	size_t connection_memory; /* bytes of buffer per connection */
	unsigned idle_timeout; /* seconds before an idle connection is closed */
	unsigned stop_grace; /* seconds in-flight requests get at stop */
	int access_log; /* one line per request on stdout */
};

/* What the application provides. */
struct server_app {
	const struct route *routes;
	size_t n_routes;
	/*
	 * Prepare a routed request before its handler runs (database, territory,
	 * language, session, CSRF). 0 to go on, or an HTTP status to answer with
	 * error() instead.
	 */
	int (*prepare)(struct request *req, struct response *res, const struct route *route);
	/* Fill res with the error page for status; allow is set for 405. */
	void (*error)(struct request *req, struct response *res, int status, const char *allow);
	/* Run the route's handler (NULL: call it directly); lets the app answer from a cache. */
	void (*dispatch)(struct request *req, struct response *res, const struct route *route);
};

/*
 * Serve until SIGINT or SIGTERM, then stop accepting, let in-flight requests
 * finish (up to stop_grace seconds) and return 0. -1 if the server cannot
 * start (logged). The signals must be blocked by the caller in every thread
 * (server_block_signals() before starting any thread).
 */
int server_run(const struct server_options *opts, const struct server_app *app);

/* Block SIGINT, SIGTERM and SIGPIPE in the calling thread and those it creates. */
void server_block_signals(void);

#endif
