/*
 * server.h - the HTTP server: libmicrohttpd with a thread pool on epoll,
 * JSON API dispatch and the web UI's static assets.
 */
#ifndef HY_SERVER_H
#define HY_SERVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct server_config {
    const char *listen;   /* "127.0.0.1:8080" or "[::1]:8080" */
    const char *assets;   /* directory of the built web UI; may be missing */
    bool embedded_assets; /* without a directory: serve the UI compiled in */
    bool test_mode;       /* enables ROUTE_TEST_ONLY routes */
    unsigned threads;     /* worker threads */
    size_t max_body;      /* JSON body cap in bytes */
    unsigned max_connections;
    unsigned timeout_seconds; /* idle connection timeout */
    size_t max_upload;        /* cap for ROUTE_UPLOAD bodies */
    const char *upload_dir;   /* where uploads are streamed to */
    unsigned max_per_ip;      /* connections one client address may hold */
    unsigned header_seconds;  /* deadline for a request's headers (conn_watch.h) */
    /* Comma-separated addresses of reverse proxies whose X-Forwarded-For is
     * believed (the client is the right-most address not in this list);
     * NULL or "" believes no header. */
    const char *trusted_proxies;
    /* Heavy requests (ROUTE_HEAVY) one user may have in flight; 0: no
     * limit. */
    unsigned heavy_per_user;
};

/* Serve until SIGTERM or SIGINT, then stop accepting, finish the requests
 * in flight and return 0. Returns -1 when the server cannot start. The
 * caller blocks SIGTERM/SIGINT in every thread before calling. */
int server_run(const struct server_config *cfg);

bool server_test_mode(void);

/* The JSON body of an API request as dispatch reads it: an object (new
 * reference), an empty object for an empty body, or NULL (answered 400)
 * for anything that is not one JSON object without duplicate keys. The
 * body need not be NUL-terminated. */
json_t *server_parse_body(const char *body, size_t len);

#endif
