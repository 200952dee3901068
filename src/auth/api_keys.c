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

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    unsigned bits;
} scopes_known[] = {
    {"waybills.write", PERM_WAYBILLS_WRITE},
    {"tickets.write", PERM_TICKETS_API},
};

unsigned api_key_scope_bits(const char *scope)
{
    for (size_t i = 0; scope && i < sizeof(scopes_known) / sizeof(scopes_known[0]); i++)
        if (strcmp(scopes_known[i].name, scope) == 0)
            return scopes_known[i].bits;
    return 0;
}

int api_key_resolve(struct req *r, const char *key)
{
    char hash[65];
    session_hash_token(key, hash);
    struct db_stmt *st;
    int rc = db_query_row(r->db, &st,
                          "SELECT id, name, scopes, COALESCE(last_used_at, 0), "
                          "COALESCE(enterprise_id, 0) FROM api_keys "
                          "WHERE key_hash = ? AND revoked_at IS NULL",
                          DB_ARGS(DB_TEXT(hash)));
    if (rc != 1)
        return rc;
    struct actor a = {0};
    a.api_key_id = db_col_int(st, 0);
    a.enterprise_id = db_col_int(st, 4);
    snprintf(a.login, sizeof(a.login), "apikey:%s", db_col_text(st, 1));
    snprintf(a.name, sizeof(a.name), "%s", db_col_text(st, 1));
    snprintf(a.role, sizeof(a.role), "apikey");
    snprintf(a.lang, sizeof(a.lang), "zh-CN");
    /* No branch path: scope_sql must never be reached with it, so the
     * key's bits are its scopes alone and no read route is open to it. */
    json_t *scopes = json_loads(db_col_text(st, 2), 0, NULL);
    int64_t last_used = db_col_int(st, 3);
    db_finish(st);
    size_t i;
    json_t *v;
    json_array_foreach(scopes, i, v)
    {
        a.perms |= api_key_scope_bits(json_string_value(v));
    }
    json_decref(scopes);
    actor_attach(r, &a);
    /* A key of its own to the per-caller limits (heavy requests), apart
     * from every staff member's. */
    r->actor_id = -a.api_key_id;
    /* Noted at most once a minute, and skipped while a writer holds the
     * lock: a feed posts many batches a minute. */
    int64_t now = clock_now();
    if (now - last_used >= 60)
        db_exec_if_free(r->db, "UPDATE api_keys SET last_used_at = ? WHERE id = ?",
                        DB_ARGS(DB_INT(now), DB_INT(a.api_key_id)));
    return 1;
}

int api_key_create(struct db *db, const struct actor *a, const char *name, json_t *scopes,
                   int64_t enterprise_id, char *key, size_t keylen, int64_t *id)
{
    char raw[64], hash[65], prefix[API_KEY_PREFIX_LEN + 1];
    session_random_token(raw, sizeof(raw), 32);
    snprintf(key, keylen, "%s%s", API_KEY_PREFIX, raw);
    session_hash_token(key, hash);
    snprintf(prefix, sizeof(prefix), "%s", key);
    char *scopes_s = json_dumps(scopes, JSON_COMPACT);
    int rc = db_begin(db);
    if (!rc)
        rc = db_query_id(db,
                         "INSERT INTO api_keys (key_hash, user_id, name, prefix, scopes, "
                         "enterprise_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                         DB_ARGS(DB_TEXT(hash), DB_INT(a->id), DB_TEXT(name), DB_TEXT(prefix),
                                 DB_TEXT(scopes_s), DB_INT_OR_NULL(enterprise_id, enterprise_id),
                                 DB_INT(clock_now())),
                         id);
    if (!rc)
        rc = actor_audit(db, a, "apikey.create", "apikey", *id,
                         json_pack("{s:s,s:O,s:I}", "name", name, "scopes", scopes, "enterprise_id",
                                   (json_int_t)enterprise_id));
    free(scopes_s);
    return db_end(db, rc);
}

/* ---- endpoints ---- */

#define KEY_COLUMNS                                                                                \
    "k.id, k.name, k.prefix, k.scopes AS scopes_json, k.user_id AS created_by, "                   \
    "u.name AS created_by_name, k.enterprise_id, e.name AS enterprise_name, k.created_at, "        \
    "k.last_used_at, k.revoked_at"
#define KEY_FROM                                                                                   \
    "api_keys k LEFT JOIN users u ON u.id = k.user_id LEFT JOIN enterprises e ON e.id = "          \
    "k.enterprise_id"

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

static void create(struct req *r)
{
    struct form f;
    form_init(&f, r);
    const char *name = form_str(&f, "name", true, 64);
    json_t *scopes = json_object_get(r->json, "scopes");
    if (!json_is_array(scopes)) {
        form_fail(&f, "scopes", "apikey.scopes");
    } else {
        size_t i;
        json_t *v;
        json_array_foreach(scopes, i, v)
        {
            if (!api_key_scope_bits(json_string_value(v)))
                form_fail(&f, "scopes", "apikey.scopes");
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
    if (!form_done(&f))
        return;
    char key[80];
    int64_t id = 0;
    int rc = api_key_create(r->db, r->actor, name, scopes, ent, key, sizeof(key), &id);
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
