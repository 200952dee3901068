/*
 * api_keys.c - API keys of integrations: resolving a bearer key into an
 * actor with the key's scopes, and the admin endpoints (see api_keys.h).
 */
#include "auth/api_keys.h"

#include "auth/actor.h"
#include "auth/session.h"
#include "base/clock.h"
#include "core/audit.h"
#include "core/listing.h"
#include "core/perms.h"
#include "db/db.h"
#include "http/form.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* A scope is a capability: its permission bits (what the gate checks
 * first) and the exact routes it opens ("METHOD path" as in the route
 * tables), so a scope never opens a route merely because that route asks
 * for the same bit (customers.read is not the exports or the duplicates).
 * needs_branch: the key sees records like a staff member of its branch,
 * and must be given one. */
#define SCOPE_MAX_ROUTES 4
static const struct scope {
    const char *name;
    unsigned bits;
    bool needs_branch;
    const char *routes[SCOPE_MAX_ROUTES];
} scopes_known[] = {
    {"customers.read",
     PERM_CUSTOMERS_READ,
     true,
     {"GET /api/v1/customers", "GET /api/v1/customers/{id}"}},
    {"enterprises.read",
     PERM_ENTERPRISES,
     true,
     {"GET /api/v1/enterprises", "GET /api/v1/enterprises/{id}"}},
    {"statements.read",
     PERM_ENTERPRISES,
     true,
     {"GET /api/v1/statements", "GET /api/v1/statements/{id}", "GET /api/v1/statements/{id}/pdf"}},
    {"waybills.write",
     PERM_WAYBILLS_WRITE,
     false,
     {"POST /api/v1/waybills:batch", "POST /api/v1/waybill-events:batch"}},
    {"tickets.write",
     PERM_TICKETS_API,
     false,
     {"POST /api/v1/tickets", "GET /api/v1/tickets/{id}"}},
};
#define N_SCOPES (sizeof(scopes_known) / sizeof(scopes_known[0]))

static const struct scope *scope_find(const char *name, unsigned *index)
{
    for (size_t i = 0; name && i < N_SCOPES; i++)
        if (strcmp(scopes_known[i].name, name) == 0) {
            if (index)
                *index = (unsigned)i;
            return &scopes_known[i];
        }
    return NULL;
}

unsigned api_key_scope_bits(const char *scope)
{
    const struct scope *s = scope_find(scope, NULL);
    return s ? s->bits : 0;
}

json_t *api_key_scopes_json(void)
{
    json_t *out = json_array();
    for (size_t i = 0; i < N_SCOPES; i++) {
        json_t *routes = json_array();
        for (size_t j = 0; j < SCOPE_MAX_ROUTES && scopes_known[i].routes[j]; j++)
            json_array_append_new(routes, json_string(scopes_known[i].routes[j]));
        json_array_append_new(out, json_pack("{s:s,s:b,s:o}", "name", scopes_known[i].name,
                                             "needs_branch", scopes_known[i].needs_branch, "routes",
                                             routes));
    }
    return out;
}

/* Whether one of the key's scopes names route. */
static bool route_in_scopes(unsigned mask, const struct route *route)
{
    size_t mlen = strlen(route->method);
    for (size_t i = 0; i < N_SCOPES; i++) {
        if (!(mask & (1u << i)))
            continue;
        for (size_t j = 0; j < SCOPE_MAX_ROUTES && scopes_known[i].routes[j]; j++) {
            const char *r = scopes_known[i].routes[j];
            if (strncmp(r, route->method, mlen) == 0 && r[mlen] == ' ' &&
                strcmp(r + mlen + 1, route->path) == 0)
                return true;
        }
    }
    return false;
}

/* ---- the per-key rate limit ---------------------------------------------- */

/* Fixed one-minute windows per key, in this process's memory: a key's
 * budget is per server process (two servers behind a balancer each allow
 * the rate; docs/decisions/0017). Slots are reused oldest first. */
#define RATE_SLOTS 256
static struct {
    int64_t key_id, window;
    int count;
} rate[RATE_SLOTS];
static pthread_mutex_t rate_lock = PTHREAD_MUTEX_INITIALIZER;

/* 0 when the key may make one more request now, else the seconds until it
 * may. */
static int64_t rate_take(int64_t key_id, int per_minute, int64_t now)
{
    int64_t window = now / 60, wait = 0;
    pthread_mutex_lock(&rate_lock);
    size_t slot = 0;
    for (size_t i = 0; i < RATE_SLOTS; i++) {
        if (rate[i].key_id == key_id) {
            slot = i;
            break;
        }
        if (rate[i].window < rate[slot].window)
            slot = i;
    }
    if (rate[slot].key_id != key_id || rate[slot].window != window) {
        rate[slot].key_id = key_id;
        rate[slot].window = window;
        rate[slot].count = 0;
    }
    if (rate[slot].count >= per_minute)
        wait = (window + 1) * 60 - now;
    else
        rate[slot].count++;
    pthread_mutex_unlock(&rate_lock);
    return wait;
}

bool api_key_admit(struct req *r)
{
    const struct actor *a = r->actor;
    if (!route_in_scopes(a->api_scopes, r->route)) {
        reply_error(r, 403, "forbidden");
        return false;
    }
    int64_t wait = rate_take(a->api_key_id, a->api_rate, clock_now());
    if (wait > 0) {
        char secs[24];
        snprintf(secs, sizeof(secs), "%lld", (long long)(wait > 0 ? wait : 1));
        reply_error_key(r, 429, "rate_limited", "apikey.rate_limited");
        reply_header(r, "Retry-After", secs);
        return false;
    }
    return true;
}

int api_key_resolve(struct req *r, const char *key)
{
    char hash[65];
    session_hash_token(key, hash);
    struct db_stmt *st;
    int64_t now = clock_now();
    /* An expired key is as unknown as a revoked one. */
    int rc = db_query_row(r->db, &st,
                          "SELECT k.id, k.name, k.scopes, COALESCE(k.last_used_at, 0), "
                          "COALESCE(k.enterprise_id, 0), COALESCE(k.rate_per_minute, ?), "
                          "COALESCE(k.branch_id, 0), COALESCE(b.path, '') FROM api_keys k "
                          "LEFT JOIN branches b ON b.id = k.branch_id "
                          "WHERE k.key_hash = ? AND k.revoked_at IS NULL AND "
                          "(k.expires_at IS NULL OR k.expires_at > ?)",
                          DB_ARGS(DB_INT(API_KEY_DEFAULT_RATE), DB_TEXT(hash), DB_INT(now)));
    if (rc != 1)
        return rc;
    struct actor a = {0};
    a.api_key_id = db_col_int(st, 0);
    a.enterprise_id = db_col_int(st, 4);
    a.api_rate = (int)db_col_int(st, 5);
    /* A key with a read scope sees its branch's subtree, like a staff
     * member there (scope_sql); without one it sees no records at all. */
    a.branch_id = db_col_int(st, 6);
    snprintf(a.branch_path, sizeof(a.branch_path), "%s", db_col_text(st, 7));
    snprintf(a.login, sizeof(a.login), "apikey:%s", db_col_text(st, 1));
    snprintf(a.name, sizeof(a.name), "%s", db_col_text(st, 1));
    snprintf(a.role, sizeof(a.role), "apikey");
    snprintf(a.lang, sizeof(a.lang), "zh-CN");
    json_t *scopes = json_loads(db_col_text(st, 2), 0, NULL);
    int64_t last_used = db_col_int(st, 3);
    db_finish(st);
    size_t i;
    json_t *v;
    json_array_foreach(scopes, i, v)
    {
        unsigned index;
        const struct scope *s = scope_find(json_string_value(v), &index);
        if (s) {
            a.perms |= s->bits;
            a.api_scopes |= 1u << index;
        }
    }
    json_decref(scopes);
    actor_attach(r, &a);
    /* A key of its own to the per-caller limits (heavy requests), apart
     * from every staff member's. */
    r->actor_id = -a.api_key_id;
    /* Noted at most once a minute, and skipped while a writer holds the
     * lock: a feed posts many batches a minute. */
    if (now - last_used >= 60)
        db_exec_if_free(r->db, "UPDATE api_keys SET last_used_at = ? WHERE id = ?",
                        DB_ARGS(DB_INT(now), DB_INT(a.api_key_id)));
    return 1;
}

int api_key_create(struct db *db, const struct actor *a, const char *name, json_t *scopes,
                   int64_t enterprise_id, const struct api_key_limits *lim, char *key,
                   size_t keylen, int64_t *id)
{
    static const struct api_key_limits none = {0};
    if (!lim)
        lim = &none;
    char raw[64], hash[65], prefix[API_KEY_PREFIX_LEN + 1];
    session_random_token(raw, sizeof(raw), 32);
    snprintf(key, keylen, "%s%s", API_KEY_PREFIX, raw);
    session_hash_token(key, hash);
    snprintf(prefix, sizeof(prefix), "%s", key);
    char *scopes_s = json_dumps(scopes, JSON_COMPACT);
    int rc = db_begin(db);
    if (!rc)
        rc = db_query_id(
            db,
            "INSERT INTO api_keys (key_hash, user_id, name, prefix, scopes, enterprise_id, "
            "branch_id, rate_per_minute, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?) RETURNING id",
            DB_ARGS(DB_TEXT(hash), DB_INT(a->id), DB_TEXT(name), DB_TEXT(prefix), DB_TEXT(scopes_s),
                    DB_INT_OR_NULL(enterprise_id, enterprise_id),
                    DB_INT_OR_NULL(lim->branch_id, lim->branch_id),
                    DB_INT_OR_NULL(lim->rate_per_minute, lim->rate_per_minute),
                    DB_INT_OR_NULL(lim->expires_at, lim->expires_at), DB_INT(clock_now())),
            id);
    if (!rc)
        rc = actor_audit(db, a, "apikey.create", "apikey", *id,
                         json_pack("{s:s,s:O,s:I,s:I,s:I,s:I}", "name", name, "scopes", scopes,
                                   "enterprise_id", (json_int_t)enterprise_id, "branch_id",
                                   (json_int_t)lim->branch_id, "rate_per_minute",
                                   (json_int_t)lim->rate_per_minute, "expires_at",
                                   (json_int_t)lim->expires_at));
    free(scopes_s);
    return db_end(db, rc);
}

/* ---- endpoints ---- */

#define KEY_COLUMNS                                                                                \
    "k.id, k.name, k.prefix, k.scopes AS scopes_json, k.user_id AS created_by, "                   \
    "u.name AS created_by_name, k.enterprise_id, e.name AS enterprise_name, k.branch_id, "         \
    "b.name AS branch_name, k.rate_per_minute, k.expires_at, k.created_at, k.last_used_at, "       \
    "k.revoked_at"
#define KEY_FROM                                                                                   \
    "api_keys k LEFT JOIN users u ON u.id = k.user_id LEFT JOIN enterprises e ON e.id = "          \
    "k.enterprise_id LEFT JOIN branches b ON b.id = k.branch_id"

/* A key as the API shows it: its scopes as a list. */
static json_t *key_row(struct db_stmt *st, struct req *r)
{
    json_t *o = listing_row_json(st, r);
    json_object_set(o, "scopes", json_object_get(o, "scopes_json"));
    json_object_del(o, "scopes_json");
    return o;
}

static void list(struct req *r)
{
    listing_reply_query(r, key_row, "SELECT " KEY_COLUMNS " FROM " KEY_FROM " ORDER BY k.id DESC",
                        DB_NOARGS);
}

/* The optional limits of a new key: its branch (required by a read
 * scope), requests a minute and lifetime in days. */
static void read_limits(struct form *f, struct db *db, bool needs_branch,
                        struct api_key_limits *lim)
{
    int64_t v = 0;
    if (form_int(f, "branch_id", false, &v) == 1) {
        int64_t one = 0;
        if (db_query_int(db, "SELECT 1 FROM branches WHERE id = ?", DB_ARGS(DB_INT(v)), &one) != 1)
            form_fail(f, "branch_id", "field.unknown_option");
        lim->branch_id = v;
    } else if (needs_branch) {
        form_fail(f, "branch_id", "apikey.branch_required");
    }
    if (form_int(f, "rate_per_minute", false, &v) == 1) {
        if (v < 1 || v > 100000)
            form_fail(f, "rate_per_minute", "apikey.rate");
        lim->rate_per_minute = v;
    }
    if (form_int(f, "expires_in_days", false, &v) == 1) {
        if (v < 1 || v > 3650)
            form_fail(f, "expires_in_days", "apikey.expiry");
        else
            lim->expires_at = clock_now() + v * 86400;
    }
}

static void create(struct req *r)
{
    struct form f;
    form_init(&f, r);
    const char *name = form_str(&f, "name", true, 64);
    json_t *scopes = json_object_get(r->json, "scopes");
    bool needs_branch = false;
    if (!json_is_array(scopes)) {
        form_fail(&f, "scopes", "apikey.scopes");
    } else {
        size_t i;
        json_t *v;
        json_array_foreach(scopes, i, v)
        {
            const struct scope *s = scope_find(json_string_value(v), NULL);
            if (!s)
                form_fail(&f, "scopes", "apikey.scopes");
            else
                needs_branch |= s->needs_branch;
        }
    }
    /* Optional: the one enterprise the key acts for (tickets.write files
     * that enterprise's tickets only). */
    int64_t ent = 0;
    if (form_int(&f, "enterprise_id", false, &ent) == 1) {
        int64_t one = 0;
        int rc =
            db_query_int(r->db, "SELECT 1 FROM enterprises WHERE id = ? AND deleted_at IS NULL",
                         DB_ARGS(DB_INT(ent)), &one);
        if (rc < 0) {
            form_release(&f);
            reply_db_error(r, rc);
            return;
        }
        if (!one)
            form_fail(&f, "enterprise_id", "waybill.unknown_enterprise");
    }
    struct api_key_limits lim = {0};
    read_limits(&f, r->db, needs_branch, &lim);
    if (!form_done(&f))
        return;
    char key[80];
    int64_t id = 0;
    int rc = api_key_create(r->db, r->actor, name, scopes, ent, &lim, key, sizeof(key), &id);
    if (rc) {
        reply_db_error(r, rc);
        return;
    }
    json_t *row = NULL;
    rc =
        listing_one(r->db, r, &row, key_row,
                    "SELECT " KEY_COLUMNS " FROM " KEY_FROM " WHERE k.id = ?", DB_ARGS(DB_INT(id)));
    if (rc != 1) {
        reply_db_error(r, rc < 0 ? rc : DB_ERROR);
        return;
    }
    reply_json(r, 201, json_pack("{s:o,s:s}", "api_key", row, "secret", key));
}

/* GET /api-keys/scopes: what each scope opens, for the admin's form and
 * integrators. */
static void scopes_list(struct req *r)
{
    reply_json(r, 200,
               json_pack("{s:o,s:i}", "items", api_key_scopes_json(), "default_rate_per_minute",
                         API_KEY_DEFAULT_RATE));
}

static void revoke(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    if (!audit_change(r, id, NULL,
                      "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                      DB_ARGS(DB_INT(clock_now()), DB_INT(id)), "apikey.revoke", "apikey", NULL))
        return;
    listing_reply_one(r, 200, "api_key", key_row,
                      "SELECT " KEY_COLUMNS " FROM " KEY_FROM " WHERE k.id = ?",
                      DB_ARGS(DB_INT(id)));
}

#include "auth/api_keys.routes.h"
