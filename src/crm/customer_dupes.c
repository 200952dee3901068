/*
 * customer_dupes.c - the worklist of suspected duplicates (疑似重复):
 * pairs of customers in the caller's scope with the same phone or the same
 * ID number that nobody has marked "not the same person".
 *
 * Rules: same phone; same ID number. (Same name and birthday is not a
 * rule: names have no index since 0011, and a pair found that way would
 * have to come from a scan of the table.)
 *
 * Scale (10-50M customers): no request walks the table. A page sweeps the
 * key's index in windows of at most dupes_scan() entries in key order
 * (window_end: an OFFSET on the index, no row read), then reads the
 * window's rows (a range of the same index) and keeps those in scope, so
 * a clerk's page costs the same however few of the rows are theirs. A page
 * reads at most four windows and ends with a cursor where it stopped, even
 * with no pair found yet; the UI asks on. Pairs are not stored: what is
 * stored is the dismissals, one primary-key lookup per pair found.
 */
#include "base/config.h"
#include "crm/customer_value.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "core/listing.h"
#include "core/op.h"
#include "crm/customer.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "crm/customer_ids.h"
#include "record/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns a duplicate is matched on, named in this one place. The ID
 * number is stored encrypted; its keyed index is equal for equal numbers
 * (crm/customer_ids.h), so pairs are found on the index. */
static const struct {
    const char *match, *column;
} keys[] = {
    {"phone", "c.phone"},
    {"id_number", "c.id_index"},
};
#define NKEYS ((int)(sizeof(keys) / sizeof(keys[0])))

#define WINDOWS_PER_PAGE 4

/* Index entries in a window; HONGYAN_DUPES_SCAN overrides it (the API
 * tests use a tiny one so that windows end between pairs). */
static int64_t dupes_scan(void)
{
    static _Atomic int64_t scan;
    return config_env_once(&scan, "HONGYAN_DUPES_SCAN", 5000);
}

/* The key value that ends the window starting at from (the window holds
 * the values >= from and < *end): 1 and *end (caller frees), 0 when the
 * index ends within the window, negative DB_*. */
static int window_end(struct db *db, int k, const char *from, char **end)
{
    *end = NULL;
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT %s FROM customers c WHERE %s >= ? AND %s <> '' ORDER BY %s LIMIT 1 OFFSET ?",
             keys[k].column, keys[k].column, keys[k].column, keys[k].column);
    struct db_stmt *st;
    int rc = db_query_row(db, &st, sql, DB_ARGS(DB_TEXT(from), DB_INT(dupes_scan())));
    if (rc != 1)
        return rc;
    *end = xstrdup(db_col_text(st, 0));
    db_finish(st);
    if (strcmp(*end, from) == 0) {
        /* One value fills the window: end after it. */
        free(*end);
        *end = NULL;
        snprintf(sql, sizeof(sql), "SELECT MIN(%s) FROM customers c WHERE %s > ?", keys[k].column,
                 keys[k].column);
        rc = db_query_row(db, &st, sql, DB_ARGS(DB_TEXT(from)));
        if (rc != 1)
            return rc;
        if (!db_col_is_null(st, 0))
            *end = xstrdup(db_col_text(st, 0));
        db_finish(st);
        return *end ? 1 : 0;
    }
    return 1;
}

/* A member of a pair as every role sees it in a list: numbers masked. */
static json_t *member(struct db_stmt *st)
{
    char *phone = phone_mask(db_col_text(st, 4));
    char *clear = db_col_is_null(st, 5) ? NULL : customer_id_open(db_col_text(st, 5));
    char *id = clear ? id_mask(clear) : NULL;
    free(clear);
    char created[40];
    clock_format_iso(db_col_int(st, 7), created, sizeof(created));
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s,s:s}", "id", (json_int_t)db_col_int(st, 1),
                  "customer_no", db_col_text(st, 2), "name", db_col_text(st, 3), "phone", phone,
                  "id_number", id, "branch_name", db_col_text(st, 6), "created_at", created);
    free(phone);
    free(id);
    return o;
}

/* 1 when a and b (a < b) were dismissed, 0 when not, negative DB_*. */
static int dismissed(struct db *db, int64_t a, int64_t b)
{
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT 1 FROM customer_duplicate_dismissals "
                          "WHERE customer_a = ? AND customer_b = ?",
                          DB_ARGS(DB_INT(a), DB_INT(b)));
    if (rc == 1)
        db_finish(st);
    return rc;
}

/* The pairs of one run of members sharing a value (ids ascending). */
static int run_pairs(struct db *db, int k, json_t *run, json_t *items)
{
    size_t n = json_array_size(run);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            json_t *a = json_array_get(run, i), *b = json_array_get(run, j);
            int rc = dismissed(db, json_integer_value(json_object_get(a, "id")),
                               json_integer_value(json_object_get(b, "id")));
            if (rc < 0)
                return rc;
            if (rc == 0)
                json_array_append_new(
                    items, json_pack("{s:s,s:O,s:O}", "match", keys[k].match, "a", a, "b", b));
        }
    return 0;
}

/* One window [from, end) of key k in u's scope: its pairs into items;
 * stops at a value once items holds limit, *resume then that value
 * (caller frees; NULL when the window was read to its end). */
static int window_pairs(struct db *db, const struct actor *u, int k, const char *from,
                        const char *end, int64_t limit, json_t *items, char **resume)
{
    *resume = NULL;
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_addf(&b,
                "SELECT %s, c.id, c.customer_no, c.name, c.phone, c.id_sealed, b.name, "
                "c.created_at FROM customers c JOIN branches b ON b.id = c.branch_id "
                "WHERE %s >= ? AND %s <> ''",
                keys[k].column, keys[k].column, keys[k].column);
    sqlbuf_bind_text_copy(&b, from);
    if (end) {
        sqlbuf_addf(&b, " AND %s < ?", keys[k].column);
        sqlbuf_bind_text_copy(&b, end);
    }
    sqlbuf_add(&b, " AND c.deleted_at IS NULL AND ");
    scope_sql(u, "c.branch_path", &b);
    sqlbuf_addf(&b, " ORDER BY %s, c.id", keys[k].column);
    struct db_stmt *st = db_query(db, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    if (!st)
        return DB_ERROR;
    json_t *run = json_array();
    char value[128] = "";
    int rc = 0, step;
    while ((step = db_step(st)) == 1) {
        const char *v = db_col_text(st, 0);
        if (strcmp(v, value) != 0) {
            rc = run_pairs(db, k, run, items);
            json_array_clear(run);
            if (rc || (int64_t)json_array_size(items) >= limit) {
                *resume = rc ? NULL : xstrdup(v);
                break;
            }
            snprintf(value, sizeof(value), "%s", v);
        }
        json_array_append_new(run, member(st));
    }
    db_finish(st);
    if (step < 0)
        rc = step;
    if (!rc && !*resume)
        rc = run_pairs(db, k, run, items);
    json_decref(run);
    return rc;
}

int customer_dupes_page(struct db *db, const struct actor *u, const char *after, int64_t limit,
                        json_t *body)
{
    int k = 0;
    char *from = xstrdup("");
    if (after) {
        /* [the value to start from (inclusive), the key's index] */
        json_t *c = listing_cursor_decode(after, 2);
        json_int_t ck = json_integer_value(json_array_get(c, 1));
        const char *v = json_string_value(json_array_get(c, 0));
        if (!c || !v || ck < 0 || ck >= NKEYS) {
            json_decref(c);
            free(from);
            return OP_INVALID;
        }
        k = (int)ck;
        free(from);
        from = xstrdup(v);
        json_decref(c);
    }
    json_t *items = json_array();
    int rc = 0;
    for (int w = 0; w < WINDOWS_PER_PAGE && k < NKEYS && !rc; w++) {
        char *end = NULL, *resume = NULL;
        rc = window_end(db, k, from, &end);
        if (rc < 0)
            break;
        rc = window_pairs(db, u, k, from, end, limit, items, &resume);
        free(from);
        if (resume) {
            from = resume; /* the page is full: the next starts at this value */
            free(end);
            break;
        }
        if (end) {
            from = end;
        } else {
            from = xstrdup(""); /* this key is done: the next from its start */
            k++;
        }
        if ((int64_t)json_array_size(items) >= limit)
            break;
    }
    if (rc) {
        free(from);
        json_decref(items);
        return rc;
    }
    json_object_set_new(body, "items", items);
    if (k < NKEYS) {
        json_t *c = json_pack("[s,i]", from, k);
        char *s = listing_cursor_encode(c);
        json_decref(c);
        json_object_set_new(body, "next_cursor", json_string(s));
        free(s);
    } else {
        json_object_set_new(body, "next_cursor", json_null());
    }
    free(from);
    return 0;
}

int customer_dupes_dismiss(struct db *db, const struct actor *u, int64_t a, int64_t b,
                           json_t *errors)
{
    if (a <= 0 || b <= 0 || a == b) {
        json_object_set_new(errors, "ids", json_string(i18n_msg(u->lang, "field.invalid")));
        return OP_INVALID;
    }
    int64_t lo = a < b ? a : b, hi = a < b ? b : a;
    for (int i = 0; i < 2; i++) {
        json_t *c = NULL;
        int found = customer_find(db, u, i ? hi : lo, false, &c);
        json_decref(c);
        if (found <= 0)
            return found < 0 ? found : OP_NOT_FOUND;
    }
    int rc = db_begin(db);
    if (rc)
        return rc;
    /* Dismissing a dismissed pair changes nothing and is not audited again. */
    int64_t added = 0;
    rc = db_query_int(
        db,
        "INSERT INTO customer_duplicate_dismissals (customer_a, customer_b, "
        "dismissed_by, dismissed_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING "
        "RETURNING customer_a",
        DB_ARGS(DB_INT(lo), DB_INT(hi), DB_INT_OR_NULL(u->id, u->id), DB_INT(clock_now())), &added);
    if (rc == 1)
        rc = actor_audit(db, u, "customer.duplicate_dismiss", "customer", lo,
                         json_pack("{s:I}", "other_id", (json_int_t)hi));
    return op_end(db, rc);
}
