/*
 * listing.c - see listing.h.
 */
#include "core/listing.h"

#include "base/clock.h"
#include "base/xmalloc.h"
#include "db/sqlbuf.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_positive(const char *s, int64_t *out)
{
    char *end;
    if (!s || !*s || strlen(s) > 18)
        return -1;
    long long v = strtoll(s, &end, 10);
    if (*end || v <= 0)
        return -1;
    *out = v;
    return 0;
}

void listing_fail(struct listing *l, const char *field, const char *msg_key)
{
    reply_invalid(l->r, json_pack("{s:s}", field, req_msg(l->r, msg_key)));
}

int listing_begin(struct listing *l, struct req *r)
{
    memset(l, 0, sizeof(*l));
    l->r = r;
    l->limit = 20;
    l->count = true;
    snprintf(l->where, sizeof(l->where), "1 = 1");
    const char *limit = req_query(r, "limit");
    const char *cursor = req_query(r, "cursor");
    const char *count = req_query(r, "count");
    if (limit && (parse_positive(limit, &l->limit) || l->limit > 200)) {
        listing_fail(l, "limit", "field.invalid");
        return -1;
    }
    if (cursor && *cursor) {
        json_t *c = listing_cursor_decode(cursor, 1);
        l->cursor = json_integer_value(json_array_get(c, 0));
        json_decref(c);
        if (l->cursor <= 0) {
            listing_fail(l, "cursor", "field.invalid");
            return -1;
        }
    }
    if (count && strcmp(count, "none") == 0)
        l->count = false;
    return 0;
}

static void add_fragment(struct listing *l, const char *fragment)
{
    size_t used = strlen(l->where);
    /* Fragments are literals from the code, so overflowing is a bug. */
    if (used + strlen(fragment) + 8 >= sizeof(l->where))
        abort();
    snprintf(l->where + used, sizeof(l->where) - used, " AND (%s)", fragment);
}

static void add_arg(struct listing *l, struct db_val v)
{
    if (l->nargs == LISTING_MAX_ARGS)
        abort();
    l->args[l->nargs++] = v;
}

void listing_where(struct listing *l, const char *fragment)
{
    add_fragment(l, fragment);
}

void listing_where_text(struct listing *l, const char *fragment, const char *value)
{
    add_fragment(l, fragment);
    add_arg(l, DB_TEXT(value));
}

void listing_where_text2(struct listing *l, const char *fragment, const char *value)
{
    add_fragment(l, fragment);
    add_arg(l, DB_TEXT(value));
    add_arg(l, DB_TEXT(value));
}

void listing_where_int(struct listing *l, const char *fragment, int64_t value)
{
    add_fragment(l, fragment);
    add_arg(l, DB_INT(value));
}

void listing_filter_text(struct listing *l, const char *param, const char *fragment)
{
    const char *v = req_query(l->r, param);
    if (v && *v)
        listing_where_text(l, fragment, v);
}

void listing_filter_int(struct listing *l, const char *param, const char *fragment)
{
    const char *v = req_query(l->r, param);
    if (v && *v)
        listing_where_int(l, fragment, strtoll(v, NULL, 10));
}

int listing_filter_days(struct listing *l, const char *from, const char *to, const char *column)
{
    const char *const params[] = {from, to};
    for (int i = 0; i < 2; i++) {
        const char *v = req_query(l->r, params[i]);
        int64_t t;
        if (!v || !*v)
            continue;
        if (clock_parse_date(v, &t)) {
            listing_fail(l, params[i], "field.date");
            return -1;
        }
        char fragment[80];
        snprintf(fragment, sizeof(fragment), "%s %s ?", column, i == 0 ? ">=" : "<");
        /* The fragment is kept as text in l->where: program text only. */
        listing_where_int(l, fragment, i == 0 ? t : t + DATE_DAY_SECONDS);
    }
    return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* listing_row_json; with unsuffixed, a "_json" column is named without
 * its suffix. */
static json_t *row_json(struct db_stmt *st, bool unsuffixed)
{
    json_t *o = json_object();
    int n = db_col_count(st);
    for (int i = 0; i < n; i++) {
        const char *name = db_col_name(st, i);
        size_t key_len = strlen(name);
        if (unsuffixed && ends_with(name, "_json"))
            key_len -= strlen("_json");
        enum db_val_type type = db_col_type(st, i);
        json_t *v;
        if (type == DBV_NULL) {
            v = json_null();
        } else if (type == DBV_INT && (strcmp(name, "at") == 0 || ends_with(name, "_at"))) {
            char iso[32];
            clock_format_iso(db_col_int(st, i), iso, sizeof(iso));
            v = json_string(iso);
        } else if (strcmp(name, "detail") == 0 || ends_with(name, "_json")) {
            v = json_loads(db_col_text(st, i), 0, NULL);
            if (!v)
                v = json_null();
        } else if (type == DBV_INT &&
                   (strcmp(name, "enabled") == 0 || strncmp(name, "is_", 3) == 0 ||
                    strcmp(name, "must_change_password") == 0)) {
            v = json_boolean(db_col_int(st, i) != 0);
        } else if (type == DBV_INT) {
            v = json_integer(db_col_int(st, i));
        } else if (type == DBV_REAL) {
            v = json_real(db_col_real(st, i));
        } else {
            v = json_string(db_col_text(st, i));
        }
        json_object_setn_new(o, name, key_len, v);
    }
    return o;
}

json_t *listing_row_json(struct db_stmt *st, struct req *r)
{
    (void)r;
    return row_json(st, false);
}

json_t *listing_row_unsuffixed(struct db_stmt *st, struct req *r)
{
    (void)r;
    return row_json(st, true);
}

void listing_format(json_t *o, const char *from, const char *to,
                    void (*fmt)(long long v, char *out, size_t outlen))
{
    json_t *v = json_object_get(o, from);
    if (json_is_integer(v)) {
        char text[32];
        fmt(json_integer_value(v), text, sizeof(text));
        json_object_set_new(o, to, json_string(text));
    } else {
        json_object_set_new(o, to, json_null());
    }
    json_object_del(o, from);
}

void listing_move(json_t *to, const char *key, json_t *from, const char *from_key)
{
    json_t *v = json_object_get(from, from_key);
    json_object_set(to, key, v ? v : json_null());
    json_object_del(from, from_key);
}

void listing_run_with(struct listing *l, const char *columns, const char *from,
                      json_t *(*row)(struct db_stmt *st, struct req *r))
{
    struct req *r = l->r;
    json_t *body = json_object();
    if (l->count) {
        char *sql = xasprintf("SELECT COUNT(*) FROM %s WHERE %s", from, l->where);
        int64_t total = 0;
        int rc = db_query_int(r->db, sql, l->args, l->nargs, &total);
        free(sql);
        if (rc < 0) {
            json_decref(body);
            reply_db_error(r, rc);
            return;
        }
        json_object_set_new(body, "total", json_integer(total));
    }
    struct db_val args[LISTING_MAX_ARGS + 2];
    memcpy(args, l->args, sizeof(struct db_val) * (size_t)l->nargs);
    int nargs = l->nargs;
    args[nargs++] = DB_INT(l->cursor ? l->cursor : INT64_MAX);
    args[nargs++] = DB_INT(l->limit + 1);
    /* The first column is the id the page is keyed on. */
    char first[64];
    snprintf(first, sizeof(first), "%.*s", (int)strcspn(columns, ","), columns);
    char *sql = xasprintf("SELECT %s FROM %s WHERE %s AND %s < ? ORDER BY %s DESC LIMIT ?", columns,
                          from, l->where, first, first);
    struct db_stmt *st = db_query(r->db, sql, args, nargs);
    free(sql);
    if (!st) {
        json_decref(body);
        reply_db_error(r, DB_ERROR);
        return;
    }
    json_t *items = json_array();
    int64_t last_id = 0;
    int rc;
    bool more = false;
    while ((rc = db_step(st)) == 1) {
        if ((int64_t)json_array_size(items) == l->limit) {
            more = true;
            break;
        }
        last_id = db_col_int(st, 0);
        json_array_append_new(items, (row ? row : listing_row_json)(st, r));
    }
    db_finish(st);
    if (rc < 0) {
        json_decref(items);
        json_decref(body);
        reply_db_error(r, rc);
        return;
    }
    json_object_set_new(body, "items", items);
    json_t *values = more ? json_pack("[I]", (json_int_t)last_id) : NULL;
    listing_set_next(body, values);
    json_decref(values);
    reply_json(r, 200, body);
}

json_t *listing_rows(struct db_stmt *st, struct req *r,
                     json_t *(*row)(struct db_stmt *st, struct req *r))
{
    if (!st)
        return NULL;
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == 1)
        json_array_append_new(items, row ? row(st, r) : listing_row_json(st, r));
    db_finish(st);
    if (rc < 0) { /* a failed step is no shorter list */
        json_decref(items);
        return NULL;
    }
    return items;
}

int listing_one(struct db *db, struct req *r, json_t **out,
                json_t *(*row)(struct db_stmt *st, struct req *r), const char *sql,
                const struct db_val *args, int nargs)
{
    struct db_stmt *st;
    int rc = db_query_row(db, &st, sql, args, nargs);
    *out = rc == 1 ? (row ? row : listing_row_json)(st, r) : NULL;
    db_finish(st);
    return rc;
}

void listing_reply_one(struct req *r, unsigned status, const char *key,
                       json_t *(*row)(struct db_stmt *st, struct req *r), const char *sql,
                       const struct db_val *args, int nargs)
{
    json_t *o;
    int rc = listing_one(r->db, r, &o, row, sql, args, nargs);
    if (rc < 0)
        reply_db_error(r, rc);
    else if (rc == 0)
        reply_error(r, 404, "not_found");
    else
        reply_json(r, status, json_pack("{s:o}", key, o));
}

void listing_reply_query(struct req *r, json_t *(*row)(struct db_stmt *st, struct req *r),
                         const char *sql, const struct db_val *args, int nargs)
{
    listing_reply_rows(r, db_query(r->db, sql, args, nargs), row);
}

void listing_reply_rows(struct req *r, struct db_stmt *st,
                        json_t *(*row)(struct db_stmt *st, struct req *r))
{
    json_t *items = listing_rows(st, r, row);
    if (!items) {
        reply_db_error(r, DB_ERROR);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

int listing_count(struct db *db, const char *from, const struct sqlbuf *w, int64_t *n)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_addf(&b, "SELECT COUNT(*) FROM %s WHERE ", from);
    sqlbuf_append(&b, w);
    *n = 0;
    int rc = db_query_int(db, b.sql, b.args, b.nargs, n);
    sqlbuf_release(&b);
    return rc < 0 ? rc : 0;
}

/* ---- the cursor codec ---- */

#define CURSOR_MAX 600 /* characters: a few keys, a text key of up to ~300 bytes */

void listing_keyed_page(json_t *body, struct db_stmt *st, struct req *r, int64_t limit,
                        json_t *(*row)(struct db_stmt *st, struct req *r))
{
    json_t *items = json_array(), *next = NULL;
    bool more = false;
    while (st && db_step(st) == 1) {
        if ((int64_t)json_array_size(items) == limit) {
            more = true;
            break;
        }
        json_t *o = row(st, r);
        json_object_del(o, "k");
        json_decref(next);
        /* The key as it is stored: an integer, or text (names, numbers). */
        int k = db_col_count(st) - 1;
        json_t *key = db_col_type(st, k) == DBV_TEXT ? json_string(db_col_text(st, k))
                                                     : json_integer(db_col_int(st, k));
        next = json_pack("[o,O]", key, json_object_get(o, "id"));
        json_array_append_new(items, o);
    }
    db_finish(st);
    json_object_set_new(body, "items", items);
    listing_set_next(body, more ? next : NULL);
    json_decref(next);
}

void listing_set_next(json_t *body, json_t *values)
{
    char *c = values ? listing_cursor_encode(values) : NULL;
    json_object_set_new(body, "next_cursor", c ? json_string(c) : json_null());
    free(c);
}

char *listing_cursor_encode(json_t *values)
{
    char *raw = json_dumps(values, JSON_COMPACT);
    size_t n = strlen(raw);
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = xmalloc(cap);
    sodium_bin2base64(out, cap, (const unsigned char *)raw, n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    free(raw);
    return out;
}

json_t *listing_cursor_decode(const char *s, size_t n)
{
    unsigned char buf[CURSOR_MAX];
    size_t len = 0, slen = s ? strlen(s) : 0;
    if (slen == 0 || slen > CURSOR_MAX ||
        sodium_base642bin(buf, sizeof(buf) - 1, s, slen, NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return NULL;
    json_t *v = json_loadb((const char *)buf, len, 0, NULL);
    bool ok =
        json_is_array(v) && json_array_size(v) == n && json_is_integer(json_array_get(v, n - 1));
    for (size_t i = 0; ok && i < n; i++) {
        json_t *x = json_array_get(v, i);
        ok = json_is_integer(x) || json_is_string(x);
    }
    if (!ok) {
        json_decref(v);
        return NULL;
    }
    return v;
}

static void bind_value(struct sqlbuf *b, json_t *v)
{
    if (json_is_integer(v))
        sqlbuf_bind(b, DB_INT(json_integer_value(v)));
    else
        sqlbuf_bind_text_copy(b, json_string_value(v));
}

void listing_cursor_after(struct sqlbuf *b, const char *key, const char *id, bool desc,
                          json_t *cursor)
{
    const char *cmp = desc ? "<" : ">";
    sqlbuf_addf(b, " AND (%s %s ? OR (%s = ? AND %s %s ?))", key, cmp, key, id, cmp);
    bind_value(b, json_array_get(cursor, 0));
    bind_value(b, json_array_get(cursor, 0));
    bind_value(b, json_array_get(cursor, 1));
}

/* ---- the query string of a searchable record list ---- */

/* The sort named by sort= ("-key": descending) into lq; false when unknown. */
static bool read_sort(const char *sort, const struct listing_sort *sorts, size_t nsorts,
                      struct listing_query *lq)
{
    lq->desc = true;
    if (!sort || !*sort)
        return true;
    lq->desc = sort[0] == '-';
    const char *key = lq->desc ? sort + 1 : sort;
    for (lq->si = 0; lq->si < nsorts; lq->si++)
        if (strcmp(sorts[lq->si].key, key) == 0)
            return true;
    return false;
}

bool listing_query_read(struct req *r, const struct listing_sort *sorts, size_t nsorts,
                        struct listing_query *lq)
{
    const char *limit_s = req_query(r, "limit"), *filter_s = req_query(r, "filter");
    const char *cursor_s = req_query(r, "cursor"), *count = req_query(r, "count");
    const char *deleted_s = req_query(r, "deleted");
    memset(lq, 0, sizeof(*lq));
    lq->q = req_query(r, "q");
    lq->segment = req_query(r, "segment_id");
    lq->deleted = deleted_s && strcmp(deleted_s, "1") == 0;
    lq->counting = !(count && strcmp(count, "none") == 0);
    lq->limit = 20;
    if (limit_s) {
        char *end;
        lq->limit = strtoll(limit_s, &end, 10);
        if (*end || lq->limit < 1 || lq->limit > 200) {
            reply_invalid(r, json_pack("{s:s}", "limit", req_msg(r, "field.invalid")));
            return false;
        }
    }
    if (!read_sort(req_query(r, "sort"), sorts, nsorts, lq)) {
        reply_invalid(r, json_pack("{s:s}", "sort", req_msg(r, "sort.invalid")));
        return false;
    }
    if (filter_s && *filter_s && !(lq->filter = json_loads(filter_s, 0, NULL))) {
        reply_error(r, 400, "bad_request");
        return false;
    }
    if (cursor_s && *cursor_s && !(lq->cursor = listing_cursor_decode(cursor_s, 2))) {
        reply_invalid(r, json_pack("{s:s}", "cursor", req_msg(r, "field.invalid")));
        return false;
    }
    return true;
}

void listing_query_release(struct listing_query *lq)
{
    json_decref(lq->filter);
    json_decref(lq->cursor);
    lq->filter = lq->cursor = NULL;
}
