/*
 * waybill_ingest.c - the NDJSON feeds of waybills and tracking events
 * (POST /waybills:batch, /waybill-events:batch; the simulator and the
 * demo go through the same function).
 *
 * Every line is read by jansson and checked before any lock is taken;
 * the good lines are written in chunks of CHUNK_LINES, each in its own
 * transaction, so a batch of 10,000 lines never holds the write lock for
 * more than a chunk's time. Writes are idempotent: a waybill by its
 * number (with the hash of its line telling a replay from a correction),
 * an event by number + time + node + type (the event table's key). The
 * shipping rollups move in the transaction of the waybills that count in
 * them, each key once a chunk; an event that is the waybill's newest moves its status, its stop
 * and the stop's clock, and closes the alert of the stop it left.
 */
#include "logistics/waybill.h"

#include "base/clock.h"
#include "base/date.h"
#include "base/i18n.h"
#include "base/xmalloc.h"
#include "db/db.h"
#include "record/entity.h"
#include "record/fields.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_LINES 2000

/* A waybill line, checked: strings borrowed from obj. */
struct wb {
    char no[14];
    int64_t ent, dept;
    const char *product, *channel, *origin, *dest, *rname, *rphone, *raddr;
    char province[96];
    int64_t weight_g, vol_g, declared, cod, fee, collected_at, promised_at;
    bool has_vol, has_declared, has_cod, has_promised;
    char hash[33];
};

/* An event line, checked. */
struct ev {
    char no[14];
    int64_t at;
    const char *type, *node_code, *node_name, *node_type, *desc;
};

struct item {
    int line;
    json_t *obj; /* owns the strings */
    union {
        struct wb w;
        struct ev e;
    } u;
};

/* One change of the rollups: a key (enterprise, when, department and up
 * to three texts) and what moves. A chunk collects its changes and
 * writes each key once (rollups_flush): a feed's 2,000 waybills of one
 * enterprise and a few days then cost tens of upserts, not thousands. */
struct roll {
    int64_t ent, when, dept;
    char a[96], b[96], c[24];
    int64_t pieces, weight_g, fee;
};

struct rolls {
    struct roll *v;
    size_t n, cap;
};

/* What a batch reads once: the dictionaries' codes, the thresholds, the
 * enterprises seen so far (id → tier, "" none; false: not there). */
struct batch {
    const struct actor *a;
    json_t *products, *channels, *enterprises;
    struct thresholds *th;
    struct ingest_result *res;
    struct rolls detail, days, months; /* the chunk's rollup changes */
    bool dry, keep;                    /* an import's dry run; duplicates left alone */
};

static const char *const event_types[] = {"collected", "arrived",   "departed", "delivering",
                                          "signed",    "exception", "returned"};
/* The status each event type leaves the waybill in (same order). */
static const char *const event_status[] = {"collected", "in_transit", "in_transit", "delivering",
                                           "signed",    "exception",  "returned"};
static const char *const node_types[] = {"outlet", "processing", "transit", "delivery"};

static int find(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(list[i], s) == 0)
            return (int)i;
    return -1;
}

static void fail(struct batch *b, json_t *fields, const char *key, const char *msg_key)
{
    if (!json_object_get(fields, key))
        json_object_set_new(fields, key, json_string(i18n_msg(b->a->lang, msg_key)));
}

/* A string member: NULL when absent, null or empty; "field.not_string" /
 * "field.too_long" into fields otherwise. */
static const char *str(struct batch *b, json_t *o, const char *key, bool required, size_t max,
                       json_t *fields)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v) || (json_is_string(v) && !json_string_length(v))) {
        if (required)
            fail(b, fields, key, "field.required");
        return NULL;
    }
    if (!json_is_string(v)) {
        fail(b, fields, key, "field.not_string");
        return NULL;
    }
    if (json_string_length(v) > max) {
        fail(b, fields, key, "field.too_long");
        return NULL;
    }
    return json_string_value(v);
}

static bool read_no(struct batch *b, json_t *o, char out[14], json_t *fields)
{
    const char *s = str(b, o, "waybill_no", true, 32, fields);
    if (!s)
        return false;
    char expected = 0;
    int rc = waybill_no_check(s, out, &expected);
    if (rc == WAYBILL_NO_FORMAT) {
        fail(b, fields, "waybill_no", "waybill.no_format");
    } else if (rc == WAYBILL_NO_CHECK) {
        char msg[160];
        snprintf(msg, sizeof(msg), "%s%c", i18n_msg(b->a->lang, "waybill.no_check"), expected);
        json_object_set_new(fields, "waybill_no", json_string(msg));
    }
    return rc == WAYBILL_NO_OK;
}

static bool read_time(struct batch *b, json_t *o, const char *key, bool required, int64_t *out,
                      json_t *fields)
{
    const char *s = str(b, o, key, required, 40, fields);
    if (!s)
        return false;
    if (clock_parse_iso(s, out) != 0) {
        fail(b, fields, key, "waybill.time");
        return false;
    }
    return true;
}

/* Money (number or text, two decimals at most) in fen; false when absent. */
static bool read_money(struct batch *b, json_t *o, const char *key, int64_t *fen, json_t *fields)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return false;
    const char *err = NULL;
    json_t *m = fields_check_value(FT_MONEY, NULL, v, &err);
    if (!m) {
        fail(b, fields, key, err ? err : "field.invalid");
        return false;
    }
    const char *t = json_string_value(m);
    bool neg = *t == '-';
    char *end;
    long long yuan = strtoll(t + neg, &end, 10);
    long long cents = *end == '.' ? strtoll(end + 1, NULL, 10) : 0;
    *fen = (neg ? -1 : 1) * (yuan * 100 + cents);
    json_decref(m);
    if (*fen < 0) {
        fail(b, fields, key, "field.invalid");
        return false;
    }
    return true;
}

/* Kilograms (a number, or numeric text) in grams: above 0, at most 100 t. */
static bool read_kg(struct batch *b, json_t *o, const char *key, bool required, int64_t *g,
                    json_t *fields)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (required)
            fail(b, fields, key, "field.required");
        return false;
    }
    double kg = NAN;
    if (json_is_number(v)) {
        kg = json_number_value(v);
    } else if (json_is_string(v)) {
        char *end;
        kg = strtod(json_string_value(v), &end);
        if (*end || end == json_string_value(v))
            kg = NAN;
    }
    if (!isfinite(kg) || kg <= 0 || kg > 100000) {
        fail(b, fields, key, "waybill.weight");
        return false;
    }
    *g = llround(kg * 1000);
    if (*g < 1)
        *g = 1;
    return true;
}

/* "province/city/district": one to three non-empty parts. */
static const char *read_region(struct batch *b, json_t *o, const char *key, bool required,
                               char *province, size_t plen, json_t *fields)
{
    const char *s = str(b, o, key, required, 120, fields);
    if (!s)
        return NULL;
    int parts = 1;
    bool empty = *s == '/';
    for (const char *p = s; *p; p++)
        if (*p == '/') {
            parts++;
            if (p[1] == '/' || p[1] == '\0')
                empty = true;
        }
    if (parts > 3 || empty) {
        fail(b, fields, key, "waybill.region");
        return NULL;
    }
    if (province) {
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        snprintf(province, plen, "%.*s", (int)n, s);
    }
    return s;
}

static bool check_waybill(struct batch *b, json_t *o, struct wb *w, json_t *fields)
{
    memset(w, 0, sizeof(*w));
    read_no(b, o, w->no, fields);
    json_t *ent = json_object_get(o, "enterprise_id");
    if (!json_is_integer(ent) || json_integer_value(ent) <= 0)
        fail(b, fields, "enterprise_id", ent ? "field.not_integer" : "field.required");
    else
        w->ent = json_integer_value(ent);
    json_t *dept = json_object_get(o, "department_id");
    if (dept && !json_is_null(dept)) {
        if (!json_is_integer(dept) || json_integer_value(dept) <= 0)
            fail(b, fields, "department_id", "field.not_integer");
        else
            w->dept = json_integer_value(dept);
    }
    w->product = str(b, o, "product", true, 32, fields);
    if (w->product && !json_object_get(b->products, w->product))
        fail(b, fields, "product", "waybill.product");
    w->channel = str(b, o, "channel", false, 16, fields);
    if (w->channel && !json_object_get(b->channels, w->channel))
        fail(b, fields, "channel", "waybill.channel");
    w->origin = read_region(b, o, "origin", false, NULL, 0, fields);
    w->dest = read_region(b, o, "destination", true, w->province, sizeof(w->province), fields);
    read_kg(b, o, "weight", true, &w->weight_g, fields);
    w->has_vol = read_kg(b, o, "volume_weight", false, &w->vol_g, fields);
    w->has_declared = read_money(b, o, "declared_value", &w->declared, fields);
    w->has_cod = read_money(b, o, "cod_amount", &w->cod, fields);
    read_money(b, o, "fee", &w->fee, fields);
    read_time(b, o, "collected_at", true, &w->collected_at, fields);
    w->has_promised = read_time(b, o, "promised_at", false, &w->promised_at, fields);
    w->rname = str(b, o, "recipient_name", false, 64, fields);
    w->rphone = str(b, o, "recipient_phone", false, 32, fields);
    w->raddr = str(b, o, "recipient_address", false, 200, fields);
    if (json_object_size(fields))
        return false;
    /* The line as sent, keys sorted: the same line again is a replay. */
    char *canon = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
    unsigned char h[16];
    crypto_generichash(h, sizeof(h), (const unsigned char *)canon, strlen(canon), NULL, 0);
    sodium_bin2hex(w->hash, sizeof(w->hash), h, sizeof(h));
    free(canon);
    return true;
}

static bool check_event(struct batch *b, json_t *o, struct ev *e, json_t *fields)
{
    memset(e, 0, sizeof(*e));
    read_no(b, o, e->no, fields);
    read_time(b, o, "at", true, &e->at, fields);
    e->type = str(b, o, "event_type", true, 16, fields);
    if (e->type && find(event_types, 7, e->type) < 0)
        fail(b, fields, "event_type", "waybill.event_type");
    e->node_code = str(b, o, "node_code", true, 32, fields);
    e->node_name = str(b, o, "node_name", false, 64, fields);
    e->node_type = str(b, o, "node_type", true, 16, fields);
    if (e->node_type && find(node_types, 4, e->node_type) < 0)
        fail(b, fields, "node_type", "waybill.node_type");
    e->desc = str(b, o, "description", false, 200, fields);
    return json_object_size(fields) == 0;
}

static void refuse(struct batch *b, int line, json_t *o, json_t *fields)
{
    json_t *no = json_object_get(o, "waybill_no");
    json_array_append_new(b->res->errors,
                          json_pack("{s:i,s:O,s:o}", "line", line, "waybill_no",
                                    json_is_string(no) ? no : json_null(), "fields", fields));
    b->res->refused++;
}

/* ---- writing ---- */

/* The VIP tier of enterprise id into *tier ("" none): 1, 0 when there is
 * no such enterprise (or it is deleted), negative DB_*. Cached a batch. */
static int enterprise_tier(struct db *db, struct batch *b, int64_t id, const char **tier)
{
    char key[24];
    snprintf(key, sizeof(key), "%lld", (long long)id);
    json_t *v = json_object_get(b->enterprises, key);
    if (!v) {
        struct db_stmt *st;
        int rc = db_query_row(
            db, &st,
            "SELECT COALESCE(tier, '') FROM enterprises WHERE id = ? AND deleted_at IS NULL",
            DB_ARGS(DB_INT(id)));
        if (rc < 0)
            return rc;
        v = rc == 1 ? json_string(db_col_text(st, 0)) : json_false();
        if (rc == 1)
            db_finish(st);
        json_object_set_new(b->enterprises, key, v);
    }
    *tier = json_string_value(v);
    return json_is_string(v) ? 1 : 0;
}

static void roll_add(struct rolls *r, int64_t ent, int64_t when, int64_t dept, const char *a,
                     const char *b, const char *c, int64_t sign, int64_t weight_g, int64_t fee)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
    }
    struct roll *x = &r->v[r->n++];
    x->ent = ent, x->when = when, x->dept = dept;
    snprintf(x->a, sizeof(x->a), "%s", a);
    snprintf(x->b, sizeof(x->b), "%s", b);
    snprintf(x->c, sizeof(x->c), "%s", c);
    x->pieces = sign, x->weight_g = sign * weight_g, x->fee = sign * fee;
}

static int roll_cmp(const void *p, const void *q)
{
    const struct roll *x = p, *y = q;
    if (x->ent != y->ent)
        return x->ent < y->ent ? -1 : 1;
    if (x->when != y->when)
        return x->when < y->when ? -1 : 1;
    if (x->dept != y->dept)
        return x->dept < y->dept ? -1 : 1;
    int c = strcmp(x->a, y->a);
    if (!c)
        c = strcmp(x->b, y->b);
    return c ? c : strcmp(x->c, y->c);
}

/* A waybill's figures into (sign 1) or out of (sign -1) the chunk's three
 * rollups: the detailed one, the enterprise's day, and the enterprise's
 * month per product, destination province and channel. */
static void rollup(struct batch *b, int64_t ent, int64_t collected_at, int64_t dept,
                   const char *product, const char *province, const char *channel, int64_t sign,
                   int64_t weight_g, int64_t fee)
{
    struct date d = date_of_time(collected_at);
    int64_t day = date_to_days(d);
    int64_t month = date_to_days((struct date){d.year, d.month, 1});
    const char *ch = channel ? channel : "";
    roll_add(&b->detail, ent, day, dept, product, province, ch, sign, weight_g, fee);
    roll_add(&b->days, ent, day, 0, "", "", "", sign, weight_g, fee);
    roll_add(&b->months, ent, month, 0, "product", product, "", sign, weight_g, fee);
    roll_add(&b->months, ent, month, 0, "province", province, "", sign, weight_g, fee);
    roll_add(&b->months, ent, month, 0, "channel", ch, "", sign, weight_g, fee);
}

/* Write r's changes, each key once, with upsert; then empty it. */
static int rolls_write(struct db *db, struct rolls *r, const char *sql, int kind)
{
    if (r->n > 1)
        qsort(r->v, r->n, sizeof(*r->v), roll_cmp);
    int rc = 0;
    for (size_t i = 0; !rc && i < r->n;) {
        struct roll sum = r->v[i];
        size_t j = i + 1;
        for (; j < r->n && roll_cmp(&r->v[j], &sum) == 0; j++) {
            sum.pieces += r->v[j].pieces;
            sum.weight_g += r->v[j].weight_g;
            sum.fee += r->v[j].fee;
        }
        i = j;
        if (!sum.pieces && !sum.weight_g && !sum.fee)
            continue; /* a correction that moved nothing here */
        if (kind == 0)
            rc = db_exec(db, sql,
                         DB_ARGS(DB_INT(sum.ent), DB_INT(sum.when), DB_INT(sum.dept),
                                 DB_TEXT(sum.a), DB_TEXT(sum.b), DB_TEXT(sum.c), DB_INT(sum.pieces),
                                 DB_INT(sum.weight_g), DB_INT(sum.fee)));
        else if (kind == 1)
            rc = db_exec(db, sql,
                         DB_ARGS(DB_INT(sum.ent), DB_INT(sum.when), DB_INT(sum.pieces),
                                 DB_INT(sum.weight_g), DB_INT(sum.fee)));
        else
            rc = db_exec(db, sql,
                         DB_ARGS(DB_INT(sum.ent), DB_INT(sum.when), DB_TEXT(sum.a), DB_TEXT(sum.b),
                                 DB_INT(sum.pieces), DB_INT(sum.weight_g), DB_INT(sum.fee)));
    }
    r->n = 0;
    return rc;
}

/* The chunk's rollup changes, in its transaction. */
static int rollups_flush(struct db *db, struct batch *b)
{
    int rc = rolls_write(
        db, &b->detail,
        "INSERT INTO waybill_rollups (enterprise_id, day, department_id, product, "
        "dest_province, channel, pieces, weight_g, fee_fen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (enterprise_id, day, department_id, product, dest_province, channel) "
        "DO UPDATE SET pieces = waybill_rollups.pieces + excluded.pieces, "
        "weight_g = waybill_rollups.weight_g + excluded.weight_g, "
        "fee_fen = waybill_rollups.fee_fen + excluded.fee_fen",
        0);
    if (!rc)
        rc = rolls_write(db, &b->days,
                         "INSERT INTO waybill_rollups_day (enterprise_id, day, pieces, weight_g, "
                         "fee_fen) VALUES (?, ?, ?, ?, ?) ON CONFLICT (enterprise_id, day) "
                         "DO UPDATE SET pieces = waybill_rollups_day.pieces + excluded.pieces, "
                         "weight_g = waybill_rollups_day.weight_g + excluded.weight_g, "
                         "fee_fen = waybill_rollups_day.fee_fen + excluded.fee_fen",
                         1);
    if (!rc)
        rc = rolls_write(db, &b->months,
                         "INSERT INTO waybill_rollups_month (enterprise_id, month, dim, value, "
                         "pieces, weight_g, fee_fen) VALUES (?, ?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT (enterprise_id, month, dim, value) DO UPDATE SET "
                         "pieces = waybill_rollups_month.pieces + excluded.pieces, "
                         "weight_g = waybill_rollups_month.weight_g + excluded.weight_g, "
                         "fee_fen = waybill_rollups_month.fee_fen + excluded.fee_fen",
                         2);
    b->detail.n = b->days.n = b->months.n = 0;
    return rc;
}

static int64_t earlier(int64_t a, int64_t b)
{
    return !a ? b : !b ? a : a < b ? a : b;
}

enum outcome { OUT_CREATED, OUT_UPDATED, OUT_UNCHANGED, OUT_REFUSED };

/* Write one checked waybill line w: 0 with *out, or negative DB_*. A line
 * whose enterprise or department is not there is OUT_REFUSED (fields say
 * why); with b->dry nothing is written, with b->keep a changed waybill is
 * left as it is (OUT_UNCHANGED): the importer's choices. */
static int put_waybill(struct db *db, struct batch *b, struct wb *w, json_t *fields,
                       enum outcome *out)
{
    const char *tier;
    *out = OUT_REFUSED;
    int rc = enterprise_tier(db, b, w->ent, &tier);
    if (rc < 0)
        return rc;
    if (rc == 0)
        fail(b, fields, "enterprise_id", "waybill.unknown_enterprise");
    if (rc == 1 && w->dept) {
        int64_t one;
        rc = db_query_int(db,
                          "SELECT 1 FROM enterprise_departments WHERE id = ? AND enterprise_id = ?",
                          DB_ARGS(DB_INT(w->dept), DB_INT(w->ent)), &one);
        if (rc < 0)
            return rc;
        if (rc == 0)
            fail(b, fields, "department_id", "enterprise.unknown_department");
    }
    if (json_object_size(fields))
        return 0;

    int lead = thresholds_minutes(b->th, w->product, "promise", tier);
    int64_t promise_due = w->has_promised && lead ? w->promised_at - (int64_t)lead * 60 : 0;
    int64_t now = clock_now();
    struct db_stmt *st;
    rc = db_query_row(db, &st,
                      "SELECT id, content_hash, enterprise_id, COALESCE(department_id, 0), "
                      "product, dest_province, channel, weight_g, fee_fen, collected_at, status, "
                      "COALESCE(stop_due_at, 0) FROM waybills WHERE waybill_no = ?",
                      DB_ARGS(DB_TEXT(w->no)));
    if (rc < 0)
        return rc;
    if (rc == 0 && b->dry) {
        *out = OUT_CREATED;
        return 0;
    }
    if (rc == 0) {
        rc = db_exec(
            db,
            "INSERT INTO waybills (waybill_no, enterprise_id, department_id, product, channel, "
            "origin, destination, dest_province, weight_g, volume_weight_g, declared_fen, "
            "cod_fen, fee_fen, collected_at, promised_at, recipient_name, recipient_phone, "
            "recipient_address, promise_due_at, due_at, content_hash, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            DB_ARGS(DB_TEXT(w->no), DB_INT(w->ent), DB_INT_OR_NULL(w->dept, w->dept),
                    DB_TEXT(w->product), DB_TEXT(w->channel ? w->channel : ""),
                    DB_TEXT(w->origin ? w->origin : ""), DB_TEXT(w->dest), DB_TEXT(w->province),
                    DB_INT(w->weight_g), DB_INT_OR_NULL(w->has_vol, w->vol_g),
                    DB_INT_OR_NULL(w->has_declared, w->declared),
                    DB_INT_OR_NULL(w->has_cod, w->cod), DB_INT(w->fee), DB_INT(w->collected_at),
                    DB_INT_OR_NULL(w->has_promised, w->promised_at), DB_TEXT(w->rname),
                    DB_TEXT(w->rphone), DB_TEXT(w->raddr), DB_INT_OR_NULL(promise_due, promise_due),
                    DB_INT_OR_NULL(promise_due, promise_due), DB_TEXT(w->hash), DB_INT(now),
                    DB_INT(now)));
        if (!rc) {
            rollup(b, w->ent, w->collected_at, w->dept, w->product, w->province, w->channel, 1,
                   w->weight_g, w->fee);
            *out = OUT_CREATED;
        }
        return rc;
    }
    int64_t id = db_col_int(st, 0);
    if (strcmp(db_col_text(st, 1), w->hash) == 0 || b->keep || b->dry) {
        *out = strcmp(db_col_text(st, 1), w->hash) == 0 || b->keep ? OUT_UNCHANGED : OUT_UPDATED;
        db_finish(st);
        return 0;
    }
    /* A correction: its old figures leave the rollups, the new ones join. */
    char old_product[40], old_province[96], old_channel[24], old_status[16];
    int64_t old_ent = db_col_int(st, 2), old_dept = db_col_int(st, 3);
    snprintf(old_product, sizeof(old_product), "%s", db_col_text(st, 4));
    snprintf(old_province, sizeof(old_province), "%s", db_col_text(st, 5));
    snprintf(old_channel, sizeof(old_channel), "%s", db_col_text(st, 6));
    int64_t old_weight = db_col_int(st, 7), old_fee = db_col_int(st, 8),
            old_collected = db_col_int(st, 9);
    snprintf(old_status, sizeof(old_status), "%s", db_col_text(st, 10));
    int64_t stop_due = db_col_int(st, 11);
    db_finish(st);
    if (strcmp(old_status, "signed") == 0 || strcmp(old_status, "returned") == 0)
        promise_due = 0;
    rollup(b, old_ent, old_collected, old_dept, old_product, old_province, old_channel, -1,
           old_weight, old_fee);
    rollup(b, w->ent, w->collected_at, w->dept, w->product, w->province, w->channel, 1, w->weight_g,
           w->fee);
    int64_t due = earlier(stop_due, promise_due);
    rc = db_exec(
        db,
        "UPDATE waybills SET enterprise_id = ?, department_id = ?, product = ?, channel = ?, "
        "origin = ?, destination = ?, dest_province = ?, weight_g = ?, volume_weight_g = ?, "
        "declared_fen = ?, cod_fen = ?, fee_fen = ?, collected_at = ?, promised_at = ?, "
        "recipient_name = CASE WHEN recipient_erased_at IS NULL THEN ? END, "
        "recipient_phone = CASE WHEN recipient_erased_at IS NULL THEN ? END, "
        "recipient_address = CASE WHEN recipient_erased_at IS NULL THEN ? END, "
        "promise_due_at = ?, due_at = ?, content_hash = ?, updated_at = ? WHERE id = ?",
        DB_ARGS(DB_INT(w->ent), DB_INT_OR_NULL(w->dept, w->dept), DB_TEXT(w->product),
                DB_TEXT(w->channel ? w->channel : ""), DB_TEXT(w->origin ? w->origin : ""),
                DB_TEXT(w->dest), DB_TEXT(w->province), DB_INT(w->weight_g),
                DB_INT_OR_NULL(w->has_vol, w->vol_g), DB_INT_OR_NULL(w->has_declared, w->declared),
                DB_INT_OR_NULL(w->has_cod, w->cod), DB_INT(w->fee), DB_INT(w->collected_at),
                DB_INT_OR_NULL(w->has_promised, w->promised_at), DB_TEXT(w->rname),
                DB_TEXT(w->rphone), DB_TEXT(w->raddr), DB_INT_OR_NULL(promise_due, promise_due),
                DB_INT_OR_NULL(due, due), DB_TEXT(w->hash), DB_INT(now), DB_INT(id)));
    if (!rc)
        *out = OUT_UPDATED;
    return rc;
}

/* Write one waybill line of a feed: 0 (counted in res) or negative DB_*. */
static int write_waybill(struct db *db, struct batch *b, struct item *it)
{
    json_t *fields = json_object();
    enum outcome out;
    int rc = put_waybill(db, b, &it->u.w, fields, &out);
    if (!rc && out == OUT_REFUSED) {
        refuse(b, it->line, it->obj, fields);
        return 0;
    }
    json_decref(fields);
    if (!rc) {
        b->res->created += out == OUT_CREATED;
        b->res->updated += out == OUT_UPDATED;
        b->res->unchanged += out == OUT_UNCHANGED;
    }
    return rc;
}

/* Write one event line: 0 (counted in res) or negative DB_*. */
static int write_event(struct db *db, struct batch *b, struct item *it)
{
    struct ev *e = &it->u.e;
    struct db_stmt *st;
    /* One seek on the number; the tier comes from the batch's cache. */
    int rc = db_query_row(db, &st,
                          "SELECT id, COALESCE(last_event_at, -1), product, enterprise_id, "
                          "COALESCE(open_alert_id, 0), COALESCE(promise_due_at, 0), status "
                          "FROM waybills WHERE waybill_no = ?",
                          DB_ARGS(DB_TEXT(e->no)));
    if (rc < 0)
        return rc;
    if (rc == 0) {
        json_t *fields = json_object();
        fail(b, fields, "waybill_no", "waybill.unknown");
        refuse(b, it->line, it->obj, fields);
        return 0;
    }
    int64_t wid = db_col_int(st, 0), last_at = db_col_int(st, 1), ent = db_col_int(st, 3),
            alert = db_col_int(st, 4), promise_due = db_col_int(st, 5);
    char product[32], status[16];
    snprintf(product, sizeof(product), "%s", db_col_text(st, 2));
    snprintf(status, sizeof(status), "%s", db_col_text(st, 6));
    db_finish(st);
    const char *tier = "";
    rc = enterprise_tier(db, b, ent, &tier);
    if (rc < 0)
        return rc;
    int minutes = thresholds_minutes(b->th, product, e->node_type, tier ? tier : "");
    rc = db_exec(db,
                 "INSERT INTO waybill_events (waybill_id, at, node_code, event_type, node_name, "
                 "node_type, description) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                 DB_ARGS(DB_INT(wid), DB_INT(e->at), DB_TEXT(e->node_code), DB_TEXT(e->type),
                         DB_TEXT(e->node_name ? e->node_name : ""), DB_TEXT(e->node_type),
                         DB_TEXT(e->desc)));
    if (rc)
        return rc;
    if (db_changes(db) == 0) {
        b->res->unchanged++;
        return 0;
    }
    b->res->created++;
    /* An older event (a feed out of order) joins the timeline only. */
    if (e->at < last_at)
        return 0;
    int t = find(event_types, 7, e->type);
    bool terminal = strcmp(e->type, "signed") == 0 || strcmp(e->type, "returned") == 0;
    int64_t stop_due = !terminal && minutes ? e->at + (int64_t)minutes * 60 : 0;
    if (terminal)
        promise_due = 0;
    int64_t due = earlier(stop_due, promise_due);
    bool is_signed = strcmp(e->type, "signed") == 0;
    /* Most events (arrived, departed) leave the status as it is: setting it
     * anyway makes SQLite check the status CHECK constraint, which builds a
     * temporary table for its IN list on every row (a fifth of the event's
     * cost in the bench's profile). */
    if (!is_signed && strcmp(status, event_status[t]) == 0)
        rc = db_exec(db,
                     "UPDATE waybills SET last_event_at = ?, last_event_type = ?, "
                     "last_node_code = ?, last_node_name = ?, last_node_type = ?, "
                     "stop_seq = stop_seq + 1, stop_due_at = ?, promise_due_at = ?, due_at = ?, "
                     "open_alert_id = NULL, updated_at = ? WHERE id = ?",
                     DB_ARGS(DB_INT(e->at), DB_TEXT(e->type), DB_TEXT(e->node_code),
                             DB_TEXT(e->node_name ? e->node_name : ""), DB_TEXT(e->node_type),
                             DB_INT_OR_NULL(stop_due, stop_due),
                             DB_INT_OR_NULL(promise_due, promise_due), DB_INT_OR_NULL(due, due),
                             DB_INT(clock_now()), DB_INT(wid)));
    else
        rc = db_exec(db,
                     "UPDATE waybills SET status = ?, signed_at = CASE WHEN ? = 1 THEN ? ELSE "
                     "signed_at END, last_event_at = ?, last_event_type = ?, last_node_code = ?, "
                     "last_node_name = ?, last_node_type = ?, stop_seq = stop_seq + 1, "
                     "stop_due_at = ?, promise_due_at = ?, due_at = ?, open_alert_id = NULL, "
                     "updated_at = ? WHERE id = ?",
                     DB_ARGS(DB_TEXT(event_status[t]), DB_INT(is_signed), DB_INT(e->at),
                             DB_INT(e->at), DB_TEXT(e->type), DB_TEXT(e->node_code),
                             DB_TEXT(e->node_name ? e->node_name : ""), DB_TEXT(e->node_type),
                             DB_INT_OR_NULL(stop_due, stop_due),
                             DB_INT_OR_NULL(promise_due, promise_due), DB_INT_OR_NULL(due, due),
                             DB_INT(clock_now()), DB_INT(wid)));
    if (!rc && alert)
        rc = alert_close_by_event(db, alert, wid, e->at, e->node_name ? e->node_name : e->node_code,
                                  e->type);
    if (!rc && terminal) {
        /* Delivered or returned: a promise warning has its answer. */
        int64_t pid;
        rc = db_query_int(db,
                          "SELECT id FROM waybill_alerts WHERE waybill_id = ? AND stop_seq = -1 "
                          "AND status = 'open'",
                          DB_ARGS(DB_INT(wid)), &pid);
        rc = rc == 1 ? alert_close_by_event(db, pid, wid, e->at,
                                            e->node_name ? e->node_name : e->node_code, e->type)
                     : rc;
    }
    return rc;
}

static int write_chunk(struct db *db, struct batch *b, struct item *items, int n, bool events)
{
    if (!n)
        return 0;
    int rc = db_begin(db);
    for (int i = 0; !rc && i < n; i++)
        rc = events ? write_event(db, b, &items[i]) : write_waybill(db, b, &items[i]);
    if (!rc)
        rc = rollups_flush(db, b);
    b->detail.n = b->days.n = b->months.n = 0;
    return db_end(db, rc);
}

/* The codes of dictionary code (enabled) as an object of keys. */
static json_t *codes(struct db *db, const char *code)
{
    json_t *o = json_object();
    struct db_stmt *st =
        db_query(db, "SELECT value FROM dictionary_items WHERE dict_code = ? AND enabled = 1",
                 DB_ARGS(DB_TEXT(code)));
    while (st && db_step(st) == 1)
        json_object_set_new(o, db_col_text(st, 0), json_true());
    db_finish(st);
    return o;
}

static int by_line(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "line"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "line"));
    return x < y ? -1 : x > y;
}

int waybill_ingest(struct db *db, const struct actor *a, const char *body, size_t len, bool events,
                   struct ingest_result *res)
{
    memset(res, 0, sizeof(*res));
    res->errors = json_array();
    struct batch b = {.a = a, .res = res, .enterprises = json_object()};
    b.products = codes(db, "waybill_product");
    b.channels = codes(db, "order_channel");
    b.th = thresholds_load(db);
    int rc = b.th ? 0 : DB_ERROR;
    /* A feed's batch touches pages all over the waybill and event tables:
     * a large page cache for its while keeps them off the disk. */
    db_bulk_cache(db, true);
    struct item *items = calloc(CHUNK_LINES, sizeof(*items));
    int n = 0, line = 0;
    const char *p = body, *end = body + len;
    while (!rc && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        size_t linelen = (size_t)(stop - p);
        const char *start = p;
        p = nl ? nl + 1 : end;
        line++;
        while (linelen && (start[linelen - 1] == '\r' || start[linelen - 1] == ' '))
            linelen--;
        if (!linelen)
            continue;
        res->lines++;
        json_error_t jerr;
        json_t *o = json_loadb(start, linelen, JSON_REJECT_DUPLICATES, &jerr);
        json_t *fields = json_object();
        if (!json_is_object(o)) {
            fail(&b, fields, "line", "waybill.not_object");
            json_decref(o);
            o = json_object();
            refuse(&b, line, o, fields);
            json_decref(o);
            continue;
        }
        struct item *it = &items[n];
        bool ok =
            events ? check_event(&b, o, &it->u.e, fields) : check_waybill(&b, o, &it->u.w, fields);
        if (!ok) {
            refuse(&b, line, o, fields);
            json_decref(o);
            continue;
        }
        json_decref(fields);
        it->line = line;
        it->obj = o;
        if (++n == CHUNK_LINES) {
            rc = write_chunk(db, &b, items, n, events);
            for (int i = 0; i < n; i++)
                json_decref(items[i].obj);
            n = 0;
        }
    }
    if (!rc)
        rc = write_chunk(db, &b, items, n, events);
    for (int i = 0; i < n; i++)
        json_decref(items[i].obj);
    free(items);
    db_bulk_cache(db, false);
    /* Refused while checking, or while writing: named in line order. */
    json_t **e = NULL;
    size_t ne = json_array_size(res->errors);
    if (ne > 1) {
        e = calloc(ne, sizeof(*e));
        for (size_t i = 0; i < ne; i++)
            e[i] = json_incref(json_array_get(res->errors, i));
        qsort(e, ne, sizeof(*e), by_line);
        json_array_clear(res->errors);
        for (size_t i = 0; i < ne; i++)
            json_array_append_new(res->errors, e[i]);
        free(e);
    }
    json_decref(b.products);
    json_decref(b.channels);
    json_decref(b.enterprises);
    thresholds_free(b.th);
    free(b.detail.v), free(b.days.v), free(b.months.v);
    return rc;
}

/* ---- rows of the import engine (waybill_entity.c) ---- */

struct waybill_import {
    struct batch b;
    struct actor a;
    struct ingest_result res;
    json_t *labels; /* product and channel labels (zh, en) → codes */
    bool loaded;
};

struct waybill_import *waybill_import_open(void)
{
    struct waybill_import *s = xcalloc(1, sizeof(*s));
    s->res.errors = json_array();
    s->b.res = &s->res;
    s->b.enterprises = json_object();
    s->labels = json_object();
    return s;
}

/* What a run reads once, on the job's connection. 0 or DB_ERROR. */
static int import_load(struct waybill_import *s, struct db *db)
{
    if (s->loaded)
        return 0;
    s->b.products = codes(db, "waybill_product");
    s->b.channels = codes(db, "order_channel");
    s->b.th = thresholds_load(db);
    struct db_stmt *st = db_query(db,
                                  "SELECT dict_code, value, label, COALESCE(label_en, '') FROM "
                                  "dictionary_items WHERE dict_code IN ('waybill_product', "
                                  "'order_channel') AND enabled = 1",
                                  DB_NOARGS);
    int rc = st && s->b.th ? 0 : DB_ERROR;
    while (st && (rc = db_step(st)) == 1)
        for (int i = 2; i <= 3; i++) {
            char key[160];
            snprintf(key, sizeof(key), "%s:%s", db_col_text(st, 0), db_col_text(st, i));
            json_object_set_new(s->labels, key, json_string(db_col_text(st, 1)));
        }
    db_finish(st);
    s->loaded = rc >= 0;
    return rc < 0 ? rc : 0;
}

/* A sheet says 标准快递 or PC where the feed says standard or pc. */
static void to_code(struct waybill_import *s, json_t *in, const char *key, const char *dict,
                    json_t *codes_of)
{
    const char *v = json_string_value(json_object_get(in, key));
    if (!v || json_object_get(codes_of, v))
        return;
    char k[160];
    snprintf(k, sizeof(k), "%s:%s", dict, v);
    json_t *code = json_object_get(s->labels, k);
    if (code)
        json_object_set(in, key, code);
}

int waybill_import_row(struct waybill_import *s, struct db *db, const struct actor *a,
                       const char *lang, json_t *in, bool dry_run, bool update, json_t *errors,
                       int *outcome)
{
    *outcome = WAYBILL_IMPORT_REFUSED;
    int rc = import_load(s, db);
    if (rc)
        return rc;
    s->a = *a;
    snprintf(s->a.lang, sizeof(s->a.lang), "%s", lang);
    s->b.a = &s->a;
    s->b.dry = dry_run;
    s->b.keep = !update;
    to_code(s, in, "product", "waybill_product", s->b.products);
    to_code(s, in, "channel", "order_channel", s->b.channels);
    struct wb w;
    if (!check_waybill(&s->b, in, &w, errors))
        return 0;
    enum outcome out;
    rc = put_waybill(db, &s->b, &w, errors, &out);
    *outcome = out == OUT_CREATED     ? WAYBILL_IMPORT_CREATED
               : out == OUT_UPDATED   ? WAYBILL_IMPORT_UPDATED
               : out == OUT_UNCHANGED ? WAYBILL_IMPORT_UNCHANGED
                                      : WAYBILL_IMPORT_REFUSED;
    return rc;
}

int waybill_import_flush(struct waybill_import *s, struct db *db)
{
    return rollups_flush(db, &s->b);
}

void waybill_import_close(struct waybill_import *s)
{
    if (!s)
        return;
    json_decref(s->res.errors);
    json_decref(s->b.products);
    json_decref(s->b.channels);
    json_decref(s->b.enterprises);
    json_decref(s->labels);
    thresholds_free(s->b.th);
    free(s->b.detail.v), free(s->b.days.v), free(s->b.months.v);
    free(s);
}
