/*
 * http.h - the request context every handler receives, the route table
 * shape, and the reply helpers.
 *
 * Endpoints are data: each domain file ends with a constant route table
 * (method, path, handler, permission). The server builds its router and
 * the OpenAPI document from the same tables, so they cannot drift apart.
 *
 * Handler contract: a handler replies exactly once through one of the
 * reply_* functions; the server sends the response after it returns. Path
 * parameters, the query string, the parsed JSON body (always an object for
 * methods with a body) and the signed-in user are ready before it runs, and
 * the route's permission has already been checked.
 */
#ifndef HY_HTTP_H
#define HY_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/strbuf.h"

struct MHD_Connection;
struct MHD_Response;
struct db;

enum http_method {
    HTTP_GET = 1,
    HTTP_HEAD = 2,
    HTTP_POST = 4,
    HTTP_PUT = 8,
    HTTP_PATCH = 16,
    HTTP_DELETE = 32,
};

/* Route flags. */
#define ROUTE_ALLOW_MUST_CHANGE 1u /* reachable while the password must change */
#define ROUTE_TEST_ONLY         2u /* exists only when serving with --test-mode */
#define ROUTE_UPLOAD            4u /* body streamed to a file (upload_path), not parsed */
/* Costly work (a filtered list or search, an export, a bulk change): at
 * most server_config.heavy_per_user of them in flight per user, the rest
 * answered 429 with Retry-After (http/heavy.h). */
#define ROUTE_HEAVY 8u
/* Any one of the route's permission bits admits (the route serves staff
 * and an API key scope alike: POST /tickets), instead of all of them. */
#define ROUTE_ANY_PERM 16u

struct req;
typedef void (*route_handler)(struct req *r);

struct route {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* "/api/v1/users/{id}" */
    route_handler handler;
    unsigned perm; /* permission bits required (core/perms.h); 0 for none */
    unsigned flags;
    const char *summary; /* one line for the OpenAPI document */
};

/* The caller, defined by the auth layer (auth/actor.h). HTTP carries it
 * opaquely: it is one heap block that the gate allocates and the server
 * frees with the request. */
struct actor;

/* The authentication gate, installed by the application (http_set_gate):
 * runs for every API request after the route is found and the body read,
 * and before the handler. It identifies the caller (sets r->actor,
 * r->actor_id and r->actor_login, or leaves them empty for an anonymous
 * caller) and checks the route's permission. Returns true to run the
 * handler, false when it has replied (401, 403, 503, ...) itself. */
typedef bool (*http_gate_fn)(struct req *r);
void http_set_gate(http_gate_fn gate);

#define REQ_MAX_PARAMS 6

struct req {
    struct MHD_Connection *conn;
    enum http_method method;
    const char *method_name;
    const char *path;
    char request_id[20];
    const char *lang; /* "zh-CN" or "en" */
    char ip[64];
    int64_t started_us;

    struct strbuf body; /* capped at the server's max_body */
    bool too_large;
    bool bad_url;      /* the raw URL had an encoded NUL (%00), which the decoded path loses */
    json_t *json;      /* parsed body (object) or NULL */
    int upload_fd;     /* ROUTE_UPLOAD: the file the body streams into, or -1 */
    char *upload_path; /* its path; removed after the request unless the
                        * handler takes it (sets upload_path to NULL) */
    int64_t upload_size;

    const char *params[REQ_MAX_PARAMS];
    int nparams;
    char *param_buf;

    const struct route *route;
    struct actor *actor;     /* NULL when not signed in (see auth/actor.h) */
    int64_t actor_id;        /* the caller's user id, 0 when anonymous */
    const char *actor_login; /* the caller's login, NULL when anonymous; for
                              * the layers below auth, which know a user only
                              * by id (audit, history, jobs) */
    struct db *db;

    unsigned status;
    struct MHD_Response *response;
    bool replied;
    bool capture;   /* keep the JSON answer's text (an Idempotency-Key claimed) */
    char *captured; /* that text, freed with the request */
};

/* ---- replies ---- */

/* Reply with body as JSON (steals the reference); a NULL body (built from
 * a read that failed) answers 500 internal. */
void reply_json(struct req *r, unsigned status, json_t *body);
/* Reply {"error":{"code":code,"message":<code translated>}}. */
void reply_error(struct req *r, unsigned status, const char *code);
/* Like reply_error, with a message key other than the code. */
void reply_error_key(struct req *r, unsigned status, const char *code, const char *msg_key);
/* 422 validation_failed with fields {name: message} (steals fields). */
void reply_invalid(struct req *r, json_t *fields);
/* 409 conflict naming the field that clashes (duplicate login, code, …). */
void reply_conflict(struct req *r, const char *field, const char *msg_key);
/* Map a negative DB_* code: constraint → 409 conflict, busy → 503, a
 * statement cut at its time limit → 503 query_timeout, else 500. */
void reply_db_error(struct req *r, int rc);
void reply_ok(struct req *r); /* 200 {"ok":true} */
/* Reply with text of the given content type (copied). */
void reply_text(struct req *r, unsigned status, const char *content_type, const char *text);
/* Reply with len bytes of data (copied; binary, such as a PDF), as an
 * attachment named download_name when it is not NULL (see reply_file). */
void reply_bytes(struct req *r, unsigned status, const char *content_type, const void *data,
                 size_t len, const char *download_name);
/* Reply with the file at path (200), as an attachment named download_name
 * (UTF-8; may be NULL for inline). 404 when it cannot be opened. */
void reply_file(struct req *r, const char *path, const char *content_type,
                const char *download_name);
/* Add a response header to the reply just made. */
void reply_header(struct req *r, const char *name, const char *value);

/* ---- request accessors ---- */

/* A query-string argument, or NULL. */
const char *req_query(struct req *r, const char *name);
/* A request header, or NULL. */
const char *req_header(struct req *r, const char *name);
/* A cookie, or NULL. */
const char *req_cookie(struct req *r, const char *name);
/* Path parameter i as a positive id, or -1. */
int64_t req_param_id(struct req *r, int i);
/* The same into *id; false, having answered 404 not_found, when the
 * parameter is no id (no record can have it). */
bool req_param_id_or_404(struct req *r, int i, int64_t *id);
/* The translated message for key in the request's language. */
const char *req_msg(struct req *r, const char *key);

#endif
