/*
 * server.c - libmicrohttpd glue: request life cycle, body limits,
 * authentication and permission checks, dispatch, replies, static files.
 *
 * Every request gets an id (X-Request-Id, and in every log line) and one
 * access-log line when it completes. Checks happen in a fixed order, so
 * that an endpoint cannot forget one: route → body size → JSON → session →
 * CSRF → forced password change → permission → handler.
 */
#include "http/server.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "db/db.h"
#include "http/http.h"
#include "http/address.h"
#include "http/conn_watch.h"
#include "http/heavy.h"
#include "http/idempotency.h"
#include "http/router.h"
#include "http/metrics.h"
#include "http/static.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <microhttpd.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct server_config *config;

bool server_test_mode(void)
{
    return config && config->test_mode;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- replies ---- */

static void add_common_headers(struct req *r, struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
}

static void set_response(struct req *r, unsigned status, struct MHD_Response *resp)
{
    if (r->replied) {
        /* A handler bug: keep the first reply, which the user is waiting for. */
        log_error("second reply ignored for %s %s", r->method_name, r->path);
        MHD_destroy_response(resp);
        return;
    }
    add_common_headers(r, resp);
    r->status = status;
    r->response = resp;
    r->replied = true;
}

void reply_json(struct req *r, unsigned status, json_t *body)
{
    if (!body) {
        /* A body built from a read that failed (json_pack of NULL): the
         * database, not the client, is at fault, and the server goes on. */
        log_error("reply %u without a body: answering 500", status);
        reply_error(r, 500, "internal");
        return;
    }
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text)
        abort(); /* jansson fails only on out-of-memory */
    if (r->capture) {
        free(r->captured);
        r->captured = xstrdup(text);
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    set_response(r, status, resp);
}

void reply_text(struct req *r, unsigned status, const char *content_type, const char *text)
{
    reply_bytes(r, status, content_type, text, strlen(text), NULL);
}

/* RFC 6266 / 5987: an ASCII fallback plus the UTF-8 name. */
static void add_disposition(struct MHD_Response *resp, const char *download_name)
{
    char value[512], enc[400];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)download_name; *p && n + 4 < sizeof(enc);
         p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '.' || *p == '-' || *p == '_')
            enc[n++] = (char)*p;
        else
            n += (size_t)snprintf(enc + n, sizeof(enc) - n, "%%%02X", *p);
    }
    enc[n] = '\0';
    snprintf(value, sizeof(value), "attachment; filename=\"download\"; filename*=UTF-8''%s", enc);
    MHD_add_response_header(resp, "Content-Disposition", value);
}

void reply_bytes(struct req *r, unsigned status, const char *content_type, const void *data,
                 size_t len, const char *download_name)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, "Content-Type", content_type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (download_name)
        add_disposition(resp, download_name);
    set_response(r, status, resp);
}

static json_t *error_body(struct req *r, const char *code, const char *msg_key)
{
    return json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", req_msg(r, msg_key));
}

void reply_error_key(struct req *r, unsigned status, const char *code, const char *msg_key)
{
    reply_json(r, status, error_body(r, code, msg_key));
}

void reply_error(struct req *r, unsigned status, const char *code)
{
    reply_error_key(r, status, code, code);
}

void reply_invalid(struct req *r, json_t *fields)
{
    json_t *body = error_body(r, "validation_failed", "validation_failed");
    json_object_set_new(json_object_get(body, "error"), "fields", fields);
    reply_json(r, 422, body);
}

void reply_conflict(struct req *r, const char *field, const char *msg_key)
{
    json_t *body = error_body(r, "conflict", "conflict");
    json_object_set_new(json_object_get(body, "error"), "fields",
                        json_pack("{s:s}", field, req_msg(r, msg_key)));
    reply_json(r, 409, body);
}

void reply_db_error(struct req *r, int rc)
{
    if (rc == DB_CONSTRAINT)
        reply_error(r, 409, "conflict");
    else if (rc == DB_BUSY)
        reply_error(r, 503, "unavailable");
    else if (rc == DB_TIMEOUT)
        reply_error(r, 503, "query_timeout");
    else
        reply_error(r, 500, "internal");
}

void reply_ok(struct req *r)
{
    reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

void reply_file(struct req *r, const char *path, const char *content_type,
                const char *download_name)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        reply_error(r, 404, "not_found");
        return;
    }
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    MHD_add_response_header(resp, "Content-Type", content_type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (download_name)
        add_disposition(resp, download_name);
    set_response(r, 200, resp);
}

void reply_header(struct req *r, const char *name, const char *value)
{
    if (r->response)
        MHD_add_response_header(r->response, name, value);
}

/* ---- accessors ---- */

const char *req_query(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_header(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

int64_t req_param_id(struct req *r, int i)
{
    if (i >= r->nparams)
        return -1;
    const char *s = r->params[i];
    int64_t v = 0;
    if (!*s || strlen(s) > 18)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v > 0 ? v : -1;
}

bool req_param_id_or_404(struct req *r, int i, int64_t *id)
{
    *id = req_param_id(r, i);
    if (*id < 0)
        reply_error(r, 404, "not_found");
    return *id >= 0;
}

const char *req_msg(struct req *r, const char *key)
{
    return i18n_msg(r->lang, key);
}

/* ---- dispatch ---- */

static void method_list(unsigned allow, char *out, size_t outlen)
{
    static const char *names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
    out[0] = '\0';
    if (allow & HTTP_GET)
        allow |= HTTP_HEAD;
    for (int i = 0; i < 6; i++) {
        if (!(allow & (1u << i)))
            continue;
        size_t len = strlen(out);
        snprintf(out + len, outlen - len, "%s%s", len ? ", " : "", names[i]);
    }
}

static bool method_has_body(enum http_method m)
{
    return m == HTTP_POST || m == HTTP_PUT || m == HTTP_PATCH || m == HTTP_DELETE;
}

json_t *server_parse_body(const char *body, size_t len)
{
    if (len == 0)
        return json_object();
    json_error_t jerr;
    json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(v)) {
        json_decref(v);
        return NULL;
    }
    return v;
}

static http_gate_fn gate;

void http_set_gate(http_gate_fn fn)
{
    gate = fn;
}

/* The gate, then the handler; a heavy route only while its user has
 * fewer than heavy_per_user heavy requests in flight. */
static void run_route(struct req *r, const struct route *route)
{
    /* Without a gate nobody is signed in: only public routes answer. */
    if (gate ? !gate(r) : route->perm != 0) {
        if (!r->replied)
            reply_error(r, 401, "unauthorized");
        return;
    }
    bool heavy = (route->flags & ROUTE_HEAVY) && r->actor_id;
    if (heavy && !heavy_enter(r->actor_id, config->heavy_per_user)) {
        reply_error_key(r, 429, "rate_limited", "heavy.too_many");
        /* A heavy request takes seconds at most (the statement limit). */
        reply_header(r, "Retry-After", "2");
        return;
    }
    if (idem_begin(r) == IDEM_ANSWERED) {
        if (heavy)
            heavy_leave(r->actor_id);
        return;
    }
    route->handler(r);
    if (heavy)
        heavy_leave(r->actor_id);
    if (!r->replied) {
        log_error("handler for %s %s did not reply", route->method, route->path);
        reply_error(r, 500, "internal");
    }
}

/* A statement of the request was cut at its time limit: whatever the
 * handler made of the failure (a 500, an empty page, a "not found"), the
 * answer is the one the user can act on. The handler rolled its
 * transaction back; a transaction it left open is rolled back here, so
 * nothing half-written stays. */
static void reply_timed_out(struct req *r)
{
    if (r->response)
        MHD_destroy_response(r->response);
    r->response = NULL;
    r->replied = false;
    db_rollback(r->db);
    reply_error(r, 503, "query_timeout");
}

/*
 * Write conflicts (PostgreSQL, docs/decisions/0020-pg-multi-writer.md):
 * writers on every server run in parallel in SERIALIZABLE transactions, and
 * one that cannot fit a serial order fails. The handler rolled back and
 * replied something; nothing was written and no byte has been sent (the
 * reply is queued only after dispatch returns), so the whole request,
 * gate included, runs again as if it had just arrived, at most RERUN_MAX
 * times in all, alone (db_write_alone) from the RERUN_ALONE-th rerun on.
 * Whatever it read and decided is read and decided afresh, so the domain
 * code needs no retry loops of its own.
 */
#define RERUN_MAX   6
#define RERUN_ALONE 2

static bool rerun_allowed(struct req *r)
{
    /* An upload's handler may have taken its file; it is not run twice. */
    return db_may_rerun(r->db) && !db_timed_out(r->db) && !(r->route->flags & ROUTE_UPLOAD);
}

static void rerun_reset(struct req *r, int attempt)
{
    if (r->response)
        MHD_destroy_response(r->response);
    r->response = NULL;
    r->replied = false;
    r->status = 0;
    db_rollback(r->db);
    /* The handler may have edited its body; it gets the one that came. */
    if (r->json) {
        json_decref(r->json);
        r->json = server_parse_body(r->body.buf, r->body.len);
    }
    /* The gate attaches the caller afresh (a revoked session stays out). */
    free(r->actor);
    r->actor = NULL;
    r->actor_id = 0;
    r->actor_login = NULL;
    db_limit_work(r->db, DB_WORK_REQUEST);
    db_unit_start(r->db);
    /* Past the first reruns the conflict is a hot spot (one counter, one
     * row everybody writes): run alone, which cannot lose again. */
    if (attempt >= RERUN_ALONE)
        db_write_alone(r->db);
    /* The winner usually commits within a millisecond or two; a short,
     * growing, jittered pause keeps two losers from colliding again in
     * step. */
    static _Thread_local uint32_t seed;
    if (!seed)
        seed = (uint32_t)now_us() | 1u;
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    long us = (long)(seed % (uint32_t)(200 * attempt)) + 50;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = us * 1000};
    nanosleep(&ts, NULL);
}

/* Still losing after RERUN_MAX runs: the user may simply try again. */
static void reply_conflicted(struct req *r)
{
    if (!db_may_rerun(r->db))
        return; /* something was committed: the handler's own reply stands */
    log_warn("%s %s lost a write conflict %d times; answering 503", r->method_name, r->path,
             RERUN_MAX);
    if (r->response)
        MHD_destroy_response(r->response);
    r->response = NULL;
    r->replied = false;
    db_rollback(r->db);
    reply_error(r, 503, "unavailable");
    reply_header(r, "Retry-After", "1");
}

static void dispatch_api(struct req *r)
{
    const struct route *route = NULL;
    unsigned allow = 0;
    switch (router_match(r->method_name, r->path, &route, r, &allow)) {
    case ROUTER_NOT_FOUND:
        reply_error(r, 404, "not_found");
        return;
    case ROUTER_BAD_METHOD: {
        char list[64];
        method_list(allow, list, sizeof(list));
        reply_error(r, 405, "method_not_allowed");
        reply_header(r, "Allow", list);
        return;
    }
    case ROUTER_FOUND:
        break;
    }
    if ((route->flags & ROUTE_TEST_ONLY) && !server_test_mode()) {
        reply_error(r, 404, "not_found");
        return;
    }
    r->route = route;
    if (r->too_large) {
        reply_error(r, 413, "payload_too_large");
        return;
    }
    if ((route->flags & ROUTE_UPLOAD) && r->upload_fd < 0 && !r->upload_path) {
        reply_error(r, 500, "internal");
        return;
    }
    if (route->flags & ROUTE_UPLOAD) {
        close(r->upload_fd); /* complete on disk; the handler reads upload_path */
        r->upload_fd = -1;
    } else if (method_has_body(r->method)) {
        r->json = server_parse_body(r->body.buf, r->body.len);
        if (!r->json) {
            reply_error(r, 400, "bad_request");
            return;
        }
    }
    r->db = db_try_get();
    if (!r->db) {
        reply_error(r, 503, "unavailable");
        return;
    }
    /* Every statement of the request, the gate's included, is limited. */
    db_limit_work(r->db, DB_WORK_REQUEST);
    db_unit_start(r->db);
    run_route(r, route);
    for (int attempt = 1; attempt < RERUN_MAX && rerun_allowed(r); attempt++) {
        rerun_reset(r, attempt);
        run_route(r, route);
    }
    if (db_conflicted(r->db) && !db_timed_out(r->db))
        reply_conflicted(r);
    if (db_timed_out(r->db))
        reply_timed_out(r);
    if (r->capture)
        idem_finish(r);
}

static void dispatch(struct req *r)
{
    if (r->bad_url) {
        reply_error(r, 400, "bad_request");
        return;
    }
    if (strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/api") == 0) {
        dispatch_api(r);
        return;
    }
    if (r->method != HTTP_GET && r->method != HTTP_HEAD) {
        reply_error(r, 405, "method_not_allowed");
        reply_header(r, "Allow", "GET, HEAD");
        return;
    }
    struct MHD_Response *resp = NULL;
    unsigned status = config->assets || !config->embedded_assets
                          ? static_serve(config->assets, r->path, &resp)
                          : static_serve_embedded(r->path, req_header(r, "Accept-Encoding"),
                                                  req_header(r, "If-None-Match"), &resp);
    if (!resp) {
        reply_error(r, status, status == 404 ? "not_found" : "internal");
        return;
    }
    set_response(r, status, resp);
}

/* ---- libmicrohttpd callbacks ---- */

/* Whether ip is one of the configured reverse proxies. */
static bool trusted_proxy(const char *ip)
{
    const char *list = config->trusted_proxies;
    size_t n = strlen(ip);
    while (list && *list) {
        const char *end = strchr(list, ',');
        size_t len = end ? (size_t)(end - list) : strlen(list);
        while (len && *list == ' ') {
            list++;
            len--;
        }
        while (len && list[len - 1] == ' ')
            len--;
        if (len == n && strncmp(list, ip, n) == 0)
            return true;
        list = end ? end + 1 : NULL;
    }
    return false;
}

/* The client's address: the socket's, or, when the socket is a trusted
 * proxy, the right-most address of X-Forwarded-For that is not a trusted
 * proxy itself (the left-most entries are whatever the client wrote). */
static void forwarded_ip(struct MHD_Connection *conn, char *ip, size_t iplen)
{
    if (!trusted_proxy(ip))
        return;
    const char *xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!xff)
        return;
    size_t end = strlen(xff);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        size_t a = start, b = end;
        while (a < b && xff[a] == ' ')
            a++;
        while (b > a && xff[b - 1] == ' ')
            b--;
        char cand[64];
        unsigned char bin[16];
        if (b > a && b - a < sizeof(cand)) {
            memcpy(cand, xff + a, b - a);
            cand[b - a] = '\0';
            bool valid = inet_pton(AF_INET, cand, bin) == 1 || inet_pton(AF_INET6, cand, bin) == 1;
            if (!valid)
                return; /* not an address: keep the last one believed */
            snprintf(ip, iplen, "%s", cand);
            if (!trusted_proxy(cand))
                return;
        } else {
            return;
        }
        end = start > 0 ? start - 1 : 0;
    }
}

static struct req *req_new(struct MHD_Connection *conn, const char *url, const char *method)
{
    struct req *r = xcalloc(1, sizeof(*r));
    unsigned char rnd[8];
    strbuf_init(&r->body, config->max_body);
    r->conn = conn;
    r->path = xstrdup(url);
    r->method_name = xstrdup(method);
    r->method = (enum http_method)router_method_bit(method);
    r->started_us = now_us();
    randombytes_buf(rnd, sizeof(rnd));
    sodium_bin2hex(r->request_id, sizeof(r->request_id), rnd, sizeof(rnd));
    r->lang = i18n_lang_from_header(
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Language"));
    address_of_connection(conn, r->ip, sizeof(r->ip));
    forwarded_ip(conn, r->ip, sizeof(r->ip));
    r->upload_fd = -1;
    return r;
}

static void req_free(struct req *r)
{
    if (r->upload_fd >= 0)
        close(r->upload_fd);
    if (r->upload_path) {
        unlink(r->upload_path);
        free(r->upload_path);
    }
    json_decref(r->json);
    free(r->actor);
    strbuf_release(&r->body);
    free(r->param_buf);
    free(r->captured);
    free((char *)r->path);
    free((char *)r->method_name);
    if (r->response)
        MHD_destroy_response(r->response);
    free(r);
}

/* Dispatch r and queue its response. */
static enum MHD_Result respond(struct MHD_Connection *conn, struct req *r)
{
    log_set_request_id(r->request_id);
    dispatch(r);
    log_set_request_id(NULL);
    enum MHD_Result ok = MHD_queue_response(conn, r->status, r->response);
    MHD_destroy_response(r->response);
    r->response = NULL;
    return ok;
}

/* The URI log callback sees the raw URL before it is decoded; its answer
 * becomes the request's first *con_cls. A URL with an encoded NUL is marked
 * so that it is refused: the decoded path would silently end at the NUL
 * ("/customers/%00" would read as the list "/customers/"). */
static char nul_marker;

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    if (uri && (strstr(uri, "%00") || strcasestr(uri, "%u0000")))
        return &nul_marker;
    return NULL;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    struct req *r = *con_cls;
    conn_watch_idle(conn);
    if (!r || r == (void *)&nul_marker) {
        *con_cls = NULL;
        return;
    }
    int64_t took = now_us() - r->started_us;
    metrics_observe(r->route, r->status, took);
    log_set_request_id(r->request_id);
    log_info("%s %s %u %.1fms%s", r->method_name, r->path, r->status, (double)took / 1000.0,
             toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    log_set_request_id(NULL);
    req_free(r);
    *con_cls = NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct req *r = *con_cls;
    if (!r || r == (void *)&nul_marker) {
        bool bad_url = r != NULL;
        conn_watch_busy(conn);
        r = req_new(conn, url, method);
        r->bad_url = bad_url;
        *con_cls = r;
        const struct route *route = NULL;
        unsigned allow;
        bool upload = router_match(method, r->path, &route, NULL, &allow) == ROUTER_FOUND &&
                      (route->flags & ROUTE_UPLOAD);
        size_t cap = upload ? config->max_upload : config->max_body;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > cap) {
            /* Refused before a byte of the body is read: the answer goes
             * out at once and the connection closes after it. */
            r->too_large = true;
            return respond(conn, r);
        }
        if (upload && !r->too_large) {
            r->upload_path = xasprintf("%s/upload-XXXXXX", config->upload_dir);
            r->upload_fd = mkstemp(r->upload_path);
            if (r->upload_fd < 0) {
                log_error("cannot create an upload file in %s", config->upload_dir);
                free(r->upload_path);
                r->upload_path = NULL;
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size && r->upload_fd >= 0) {
        /* Uploads go straight to disk: memory stays flat whatever the size. */
        if (r->upload_size + (int64_t)*upload_data_size > (int64_t)config->max_upload ||
            write(r->upload_fd, upload_data, *upload_data_size) != (ssize_t)*upload_data_size) {
            r->too_large = true;
            close(r->upload_fd);
            r->upload_fd = -1;
        } else {
            r->upload_size += (int64_t)*upload_data_size;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        /* Past the cap the rest of the body is read and dropped, so the
         * connection stays in step and the client gets its 413. */
        if (!r->too_large && strbuf_add(&r->body, upload_data, *upload_data_size)) {
            r->too_large = true;
            strbuf_release(&r->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    return respond(conn, r);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char buf[512];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    size_t n = strlen(buf);
    while (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    log_warn("http: %s", buf);
}

static int parse_listen(const char *s, struct sockaddr_storage *ss, unsigned *flags)
{
    char host[128];
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || strlen(colon + 1) == 0)
        return -1;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port <= 0 || port > 65535)
        return -1;
    size_t hlen = (size_t)(colon - s);
    if (hlen >= sizeof(host))
        return -1;
    memcpy(host, s, hlen);
    host[hlen] = '\0';
    memset(ss, 0, sizeof(*ss));
    if (host[0] == '[' && hlen > 2 && host[hlen - 1] == ']') {
        host[hlen - 1] = '\0';
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
            return -1;
        *flags |= MHD_USE_IPv6;
        return 0;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

int server_run(const struct server_config *cfg)
{
    config = cfg;
    struct sockaddr_storage addr;
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    if (parse_listen(cfg->listen, &addr, &flags)) {
        log_error("cannot parse listen address '%s' (expected HOST:PORT)", cfg->listen);
        return -1;
    }
    /* One address cannot take the whole connection table (a trusted
     * proxy speaks for many clients and is exempt); slow headers are cut
     * off at a deadline. */
    if (conn_watch_start(cfg->header_seconds ? cfg->header_seconds : 15,
                         cfg->max_per_ip ? cfg->max_per_ip : 64u, trusted_proxy))
        return -1;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, &conn_watch_accept, NULL, &on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER,
        &on_mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)cfg->max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)cfg->timeout_seconds,
        /* Bounds the request line plus headers a client may send. */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_NOTIFY_COMPLETED,
        &on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION, &conn_watch_notify, NULL,
        MHD_OPTION_URI_LOG_CALLBACK, &uri_log, NULL, MHD_OPTION_END);
    if (!d) {
        log_error("cannot listen on %s", cfg->listen);
        conn_watch_stop();
        return -1;
    }
    log_info("serving on http://%s (database: %s, %u threads%s)", cfg->listen, db_backend_name(),
             cfg->threads, cfg->test_mode ? ", TEST MODE" : "");

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int sig = 0;
    sigwait(&set, &sig);
    log_info("received %s, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    /* Stop accepting first; requests in flight finish in their threads. */
    MHD_quiesce_daemon(d);
    MHD_stop_daemon(d);
    conn_watch_stop();
    return 0;
}
