/*
 * customer_ids.c - customers' ID numbers sealed at rest (see
 * customer_ids.h): the columns of a number, the lookups, the start-up
 * sealing of rows stored in clear, and key rotation.
 */
#include "crm/customer_ids.h"

#include "base/log.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "db/db.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows a start-up or rotation transaction handles. */
#define BATCH 500

void customer_id_seal(const char *id, struct customer_id_cols *out)
{
    const struct datakey *k = datakey_current();
    out->sealed = NULL;
    out->index[0] = out->last4[0] = '\0';
    if (!id || !*id || !k)
        return;
    out->sealed = datakey_seal(k, id);
    datakey_index(k, id, out->index);
    datakey_index_last4(k, id, out->last4);
}

char *customer_id_open(const char *sealed)
{
    const struct datakey *k = datakey_current();
    return sealed && *sealed && k ? datakey_open(k, sealed) : NULL;
}

#define TOKEN "sealed:"

char *customer_id_untoken(const char *s)
{
    return s && strncmp(s, TOKEN, strlen(TOKEN)) == 0 ? customer_id_open(s + strlen(TOKEN)) : NULL;
}

bool customer_id_lookup(const char *typed, char *out, size_t outlen)
{
    struct validate_id_info info;
    const struct datakey *k = datakey_current();
    char *clear = customer_id_untoken(typed);
    bool ok = k && outlen >= DATAKEY_INDEX_LEN + 1 && typed &&
              validate_id_number(clear ? clear : typed, NULL, &info) == 0;
    free(clear);
    if (ok)
        datakey_index(k, info.id, out);
    return ok;
}

/* The token of v when it is a string holding an ID number. */
static void protect_value(json_t *parent, const char *key, size_t i, json_t *v)
{
    struct validate_id_info info;
    const char *s = json_string_value(v);
    char *sealed = s && datakey_current() && validate_id_number(s, NULL, &info) == 0
                       ? datakey_seal(datakey_current(), info.id)
                       : NULL;
    if (!sealed)
        return;
    char *token = xasprintf(TOKEN "%s", sealed);
    if (key)
        json_object_set_new(parent, key, json_string(token));
    else
        json_array_set_new(parent, i, json_string(token));
    free(token);
    free(sealed);
}

static void protect_filter(json_t *node, int depth)
{
    if (!json_is_object(node) || depth > 64)
        return;
    const char *field = json_string_value(json_object_get(node, "field"));
    json_t *v = json_object_get(node, "value");
    if (field && strcmp(field, "id_number") == 0) {
        size_t i;
        json_t *item;
        if (json_is_array(v))
            json_array_foreach(v, i, item) protect_value(v, NULL, i, item);
        else
            protect_value(node, "value", 0, v);
        return;
    }
    static const char *const groups[] = {"and", "or"};
    for (int g = 0; g < 2; g++) {
        size_t i;
        json_t *child;
        json_array_foreach(json_object_get(node, groups[g]), i, child)
            protect_filter(child, depth + 1);
    }
    protect_filter(json_object_get(node, "not"), depth + 1);
}

void customer_ids_protect(json_t *params)
{
    const char *q = json_string_value(json_object_get(params, "q"));
    if (q) {
        /* q as the search reads it: spaces around it do not count */
        char trimmed[64];
        while (*q == ' ')
            q++;
        snprintf(trimmed, sizeof(trimmed), "%s", q);
        size_t n = strlen(trimmed);
        while (n && trimmed[n - 1] == ' ')
            trimmed[--n] = '\0';
        json_t *t = json_string(trimmed);
        protect_value(params, "q", 0, t);
        json_decref(t);
    }
    protect_filter(json_object_get(params, "filter"), 0);
}

void customer_id_last4(const char *last4, char out[DATAKEY_INDEX_LEN + 1])
{
    char up[5] = "";
    out[0] = '\0';
    if (!datakey_current())
        return;
    snprintf(up, sizeof(up), "%s", last4);
    if (up[3] == 'x')
        up[3] = 'X';
    datakey_index_last4(datakey_current(), up, out);
}

/* ---- start-up ---- */

/* One change_log value masked: the JSON text of a string, or NULL. */
static char *masked_value(const char *stored)
{
    if (!stored)
        return NULL;
    json_t *v = json_loads(stored, JSON_DECODE_ANY, NULL);
    const char *s = json_string_value(v);
    char *out = NULL;
    if (s) {
        char *m = id_mask(s);
        json_t *mv = json_string(m);
        out = json_dumps(mv, JSON_ENCODE_ANY);
        json_decref(mv);
        free(m);
    }
    json_decref(v);
    return out;
}

/* The history of earlier versions kept ID numbers in clear (masked when
 * shown): mask them where they are stored. The masked form holds no run
 * of digits an ID could be read from. */
static int mask_history(struct db *db)
{
    int rc = db_begin(db);
    struct db_stmt *st = rc ? NULL
                            : db_query(db,
                                       "SELECT id, old_value, new_value FROM change_log WHERE "
                                       "field = 'id_number' AND ((old_value IS NOT NULL AND "
                                       "old_value NOT LIKE '%*%') OR (new_value IS NOT NULL AND "
                                       "new_value NOT LIKE '%*%'))",
                                       DB_NOARGS);
    if (!rc && !st)
        rc = DB_ERROR;
    json_t *rows = json_array();
    int got;
    while (st && (got = db_step(st)) == 1) {
        const char *o = db_col_is_null(st, 1) ? NULL : db_col_text(st, 1);
        const char *n = db_col_is_null(st, 2) ? NULL : db_col_text(st, 2);
        char *mo = masked_value(o), *mn = masked_value(n);
        json_array_append_new(rows, json_pack("{s:I,s:s?,s:s?}", "id",
                                              (json_int_t)db_col_int(st, 0), "o", mo, "n", mn));
        free(mo);
        free(mn);
    }
    if (st && got < 0)
        rc = got;
    db_finish(st);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        if (rc)
            break;
        rc = db_exec(db, "UPDATE change_log SET old_value = ?, new_value = ? WHERE id = ?",
                     DB_ARGS(DB_TEXT(json_string_value(json_object_get(row, "o"))),
                             DB_TEXT(json_string_value(json_object_get(row, "n"))),
                             DB_INT(json_integer_value(json_object_get(row, "id")))));
    }
    json_decref(rows);
    return db_end(db, rc);
}

/* Begin a batch's transaction and read its SELECT's (id, text) rows as
 * [{"id","v"}] into *rows, before any is written (a statement must not
 * stay open over the updates). 0, or a negative DB_* with the transaction
 * rolled back and *rows NULL. */
static int begin_batch(struct db *db, const char *sql, const struct db_val *args, int nargs,
                       json_t **rows)
{
    *rows = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    struct db_stmt *st = db_query(db, sql, args, nargs);
    if (!st)
        return db_end(db, DB_ERROR);
    *rows = json_array();
    int got;
    while ((got = db_step(st)) == 1)
        json_array_append_new(*rows, json_pack("{s:I,s:s}", "id", (json_int_t)db_col_int(st, 0),
                                               "v", db_col_text(st, 1)));
    db_finish(st);
    if (got < 0) {
        json_decref(*rows);
        *rows = NULL;
        return db_end(db, got);
    }
    return 0;
}

/* A batch: in one transaction, each row of sql ({"id","v"}, see
 * begin_batch) handed to each with ctx until one fails; committed when
 * none did. */
static int each_in_batch(struct db *db, const char *sql, const struct db_val *args, int nargs,
                         int (*each)(struct db *db, json_t *row, void *ctx), void *ctx)
{
    json_t *rows;
    int rc = begin_batch(db, sql, args, nargs, &rows);
    if (rc)
        return rc;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) if (!rc) rc = each(db, row, ctx);
    json_decref(rows);
    return db_end(db, rc);
}

/* Seal one row in clear; ctx counts them. */
static int seal_one(struct db *db, json_t *row, void *ctx)
{
    struct customer_id_cols c;
    customer_id_seal(json_string_value(json_object_get(row, "v")), &c);
    int rc = db_exec(db,
                     "UPDATE customers SET id_sealed = ?, id_index = ?, id_last4_index = ?, "
                     "id_number = NULL WHERE id = ?",
                     DB_ARGS(DB_TEXT(c.sealed), DB_TEXT(c.index), DB_TEXT(c.last4),
                             DB_INT(json_integer_value(json_object_get(row, "id")))));
    free(c.sealed);
    ++*(int64_t *)ctx;
    return rc;
}

/* Seal up to BATCH rows still in clear; *n: how many. */
static int seal_batch(struct db *db, int64_t *n)
{
    *n = 0;
    return each_in_batch(db,
                         "SELECT id, id_number FROM customers WHERE id_number IS NOT NULL AND "
                         "id_number <> '' LIMIT 500",
                         DB_NOARGS, seal_one, n);
}

/* SQLite: rewrite the file and empty the write-ahead log, so that no page
 * the clear numbers were on survives (a deleted value stays in its page's
 * free space until the page is reused). */
static int rewrite_file(struct db *db)
{
    if (strcmp(db_backend_name(), "sqlite") != 0)
        return 0;
    int rc = db_exec(db, "VACUUM", DB_NOARGS);
    struct db_stmt *st = rc ? NULL : db_query(db, "PRAGMA wal_checkpoint(TRUNCATE)", DB_NOARGS);
    if (!rc && !st)
        rc = DB_ERROR;
    while (st && db_step(st) == 1)
        ;
    db_finish(st);
    return rc;
}

/* The stored key id and rotation target: 1 found, 0 none, negative error. */
static int stored_key(struct db *db, char id[DATAKEY_ID_LEN + 1], char to[DATAKEY_ID_LEN + 1])
{
    struct db_stmt *st;
    int rc =
        db_query_row(db, &st, "SELECT key_id, COALESCE(rotating_to, '') FROM data_key", DB_NOARGS);
    if (rc == 1) {
        snprintf(id, DATAKEY_ID_LEN + 1, "%s", db_col_text(st, 0));
        snprintf(to, DATAKEY_ID_LEN + 1, "%s", db_col_text(st, 1));
    }
    db_finish(st);
    return rc;
}

int customer_ids_prepare(struct db *db, char *err, size_t errlen)
{
    const struct datakey *k = datakey_current();
    char id[DATAKEY_ID_LEN + 1] = "", to[DATAKEY_ID_LEN + 1] = "";
    int rc = k ? stored_key(db, id, to) : -1;
    if (rc < 0) {
        snprintf(err, errlen, k ? "cannot read the data key's id" : "no data key");
        return -1;
    }
    /* The first start records its key; servers starting together on one
     * PostgreSQL database agree on the one that got there first. */
    if (rc == 0 && (db_exec(db,
                            "INSERT INTO data_key (id, key_id) VALUES (1, ?) "
                            "ON CONFLICT DO NOTHING",
                            DB_ARGS(DB_TEXT(k->id))) ||
                    stored_key(db, id, to) != 1)) {
        snprintf(err, errlen, "cannot record the data key's id");
        return -1;
    }
    if (to[0]) {
        snprintf(err, errlen,
                 "a key rotation from key %s to key %s is unfinished: run `hongyan rotate-key` "
                 "again with the same keys",
                 id, to);
        return -1;
    }
    if (strcmp(id, k->id) != 0) {
        snprintf(err, errlen,
                 "wrong data key: the ID numbers in this database are sealed with key %s, "
                 "this is key %s (see docs/deploy.md, \"Data key\")",
                 id, k->id);
        return -1;
    }
    int64_t n = 0, total = 0;
    do {
        rc = seal_batch(db, &n);
        total += n;
    } while (!rc && n == BATCH);
    if (!rc && total)
        rc = mask_history(db);
    if (!rc && total)
        rc = rewrite_file(db);
    if (rc) {
        snprintf(err, errlen, "cannot seal the stored ID numbers (%d)", rc);
        return -1;
    }
    if (total)
        log_info("sealed %lld ID numbers stored in clear", (long long)total);
    return 0;
}

/* ---- rotation ---- */

/* Where a rotation is, for reseal(). */
struct rotation {
    const struct datakey *from, *to;
    int64_t *after, *n, *done;
    char *err;
    size_t errlen;
};

/* Re-seal one row under the new key, unless an earlier, interrupted run
 * did; -1 with the message when it does not open with the old key. */
static int reseal(struct db *db, json_t *row, void *ctx)
{
    struct rotation *rot = ctx;
    int64_t id = json_integer_value(json_object_get(row, "id"));
    const char *sealed = json_string_value(json_object_get(row, "v"));
    *rot->after = id;
    ++*rot->n;
    char kid[DATAKEY_ID_LEN + 1];
    if (datakey_sealed_id(sealed, kid) && strcmp(kid, rot->to->id) == 0)
        return 0;
    char *clear = datakey_open(rot->from, sealed);
    if (!clear) {
        snprintf(rot->err, rot->errlen,
                 "the ID number of customer %lld does not open with the old key", (long long)id);
        return -1;
    }
    char *resealed = datakey_seal(rot->to, clear);
    char idx[DATAKEY_INDEX_LEN + 1], l4[DATAKEY_INDEX_LEN + 1];
    datakey_index(rot->to, clear, idx);
    datakey_index_last4(rot->to, clear, l4);
    free(clear);
    int rc = db_exec(db,
                     "UPDATE customers SET id_sealed = ?, id_index = ?, id_last4_index = ? "
                     "WHERE id = ?",
                     DB_ARGS(DB_TEXT(resealed), DB_TEXT(idx), DB_TEXT(l4), DB_INT(id)));
    free(resealed);
    ++*rot->done;
    return rc;
}

/* Re-seal the rows after *after (by id) that are not under `to` yet. */
static int rotate_batch(struct db *db, const struct datakey *from, const struct datakey *to,
                        int64_t *after, int64_t *n, int64_t *done, char *err, size_t errlen)
{
    *n = 0;
    struct rotation rot = {from, to, after, n, done, err, errlen};
    return each_in_batch(db,
                         "SELECT id, id_sealed FROM customers WHERE id > ? AND id_sealed IS NOT "
                         "NULL ORDER BY id LIMIT 500",
                         DB_ARGS(DB_INT(*after)), reseal, &rot);
}

int customer_ids_rotate(struct db *db, const struct datakey *from, const struct datakey *to,
                        int64_t *done, char *err, size_t errlen)
{
    char id[DATAKEY_ID_LEN + 1] = "", target[DATAKEY_ID_LEN + 1] = "";
    *done = 0;
    int rc = stored_key(db, id, target);
    if (rc < 0) {
        snprintf(err, errlen, "cannot read the data key's id");
        return -1;
    }
    if (rc == 0 || strcmp(id, from->id) != 0) {
        snprintf(err, errlen, "the database is not under the old key %s (it is under %s)", from->id,
                 rc ? id : "none yet: start the server once with the old key");
        return -1;
    }
    if (strcmp(from->id, to->id) == 0) {
        snprintf(err, errlen, "the new key is the old key");
        return -1;
    }
    if (target[0] && strcmp(target, to->id) != 0) {
        snprintf(err, errlen, "an unfinished rotation is moving to key %s, not %s", target, to->id);
        return -1;
    }
    if (db_exec(db, "UPDATE data_key SET rotating_to = ?", DB_ARGS(DB_TEXT(to->id)))) {
        snprintf(err, errlen, "cannot record the rotation");
        return -1;
    }
    int64_t after = 0, n = 0;
    err[0] = '\0';
    do {
        rc = rotate_batch(db, from, to, &after, &n, done, err, errlen);
    } while (!rc && n == BATCH);
    if (!rc)
        rc = db_exec(db, "UPDATE data_key SET key_id = ?, rotating_to = NULL",
                     DB_ARGS(DB_TEXT(to->id)));
    if (rc && !err[0])
        snprintf(err, errlen, "database error %d; run rotate-key again to resume", rc);
    return rc ? -1 : 0;
}
