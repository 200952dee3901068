/*
 * shipping.c - the shipping figures of an enterprise's 360 page, read from
 * the rollups alone (GET /enterprises/{id}/shipping), summed here into
 * days, weeks, months, quarters, products, destinations and channels.
 * The whole enterprise reads its day rollup (one row a day) and its month
 * rollup (a row per month and product, province or channel), and the
 * detailed rows only for the partial months at the period's ends; a
 * department reads its detailed rows. Waybills are never counted at read
 * time.
 */
#include "logistics/waybill.h"

#include "base/clock.h"
#include "base/date.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "db/db.h"
#include "core/perms.h"
#include "db/sqlbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bucket {
    char key[96];
    int64_t pieces, weight_g, fee;
};

struct buckets {
    struct bucket *v;
    size_t n, cap;
};

static struct bucket *bucket(struct buckets *b, const char *key)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->v[i].key, key) == 0)
            return &b->v[i];
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->v = xrealloc(b->v, b->cap * sizeof(*b->v));
    }
    struct bucket *x = &b->v[b->n++];
    memset(x, 0, sizeof(*x));
    snprintf(x->key, sizeof(x->key), "%s", key);
    return x;
}

static void add(struct bucket *x, int64_t pieces, int64_t weight_g, int64_t fee)
{
    x->pieces += pieces;
    x->weight_g += weight_g;
    x->fee += fee;
}

static int by_pieces(const void *a, const void *b)
{
    const struct bucket *x = a, *y = b;
    return x->pieces < y->pieces ? 1 : x->pieces > y->pieces ? -1 : strcmp(x->key, y->key);
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const struct bucket *)a)->key, ((const struct bucket *)b)->key);
}

static double share(int64_t part, int64_t total)
{
    return total ? round((double)part * 1000 / (double)total) / 1000 : 0;
}

/* The buckets as [{name: key, pieces, weight?, fee, share?}], at most max. */
static json_t *rows(struct buckets *b, const char *name, size_t max, bool sort_by_pieces,
                    bool weight, int64_t total)
{
    if (b->n) /* qsort of (NULL, 0) is undefined behaviour */
        qsort(b->v, b->n, sizeof(*b->v), sort_by_pieces ? by_pieces : by_key);
    json_t *a = json_array();
    for (size_t i = 0; i < b->n && i < max; i++) {
        char fee[32], kg[32];
        money_format(b->v[i].fee, fee, sizeof(fee));
        json_t *o = json_pack("{s:s,s:I,s:s}", name, b->v[i].key, "pieces",
                              (json_int_t)b->v[i].pieces, "fee", fee);
        if (weight) {
            waybill_kg(b->v[i].weight_g, kg);
            json_object_set_new(o, "weight", json_string(kg));
        }
        if (total >= 0)
            json_object_set_new(o, "share", json_real(share(b->v[i].pieces, total)));
        json_array_append_new(a, o);
    }
    return a;
}

static const struct {
    const char *name;
    int days;
} periods[] = {{"month", 30}, {"quarter", 90}, {"half", 180}, {"year", 365}};

/* The enterprise the path names, when the caller sees it: 1, 0 having
 * replied 404, negative having replied. */
static int visible(struct req *r, int64_t id)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT e.id FROM enterprises e WHERE e.id = ? AND e.deleted_at IS NULL AND ");
    sqlbuf_bind(&b, DB_INT(id));
    waybill_visible_sql(r->actor, &b);
    int64_t found;
    int rc = db_query_int(r->db, b.sql, b.args, b.nargs, &found);
    sqlbuf_release(&b);
    if (rc == 0)
        reply_error(r, 404, "not_found");
    else if (rc < 0)
        reply_db_error(r, rc);
    return rc;
}

/* The products, destination provinces and channels of a period. */
struct mix {
    struct buckets *products, *provinces, *channels;
};

/* Run st (rows of day?, product, province, channel, pieces, weight_g,
 * fee_fen) into days (indexed from first; NULL: none) and the mix. 0 or
 * negative DB_*. */
static int sum_rows(struct db_stmt *st, bool with_day, int64_t first, struct bucket *days,
                    struct mix *m)
{
    if (!st)
        return DB_ERROR;
    int rc, o = with_day;
    while ((rc = db_step(st)) == 1) {
        int64_t pieces = db_col_int(st, o + 3), g = db_col_int(st, o + 4),
                fee = db_col_int(st, o + 5);
        if (days)
            add(&days[db_col_int(st, 0) - first], pieces, g, fee);
        add(bucket(m->products, db_col_text(st, o)), pieces, g, fee);
        add(bucket(m->provinces, db_col_text(st, o + 1)), pieces, g, fee);
        add(bucket(m->channels, db_col_text(st, o + 2)), pieces, g, fee);
    }
    db_finish(st);
    return rc < 0 ? rc : 0;
}

/* The detailed rollup rows of days from..to (of department dept when not
 * 0): the mix, and the days when days is not NULL. */
static int read_detail(struct db *db, int64_t ent, int64_t dept, int64_t from, int64_t to,
                       struct bucket *days, struct mix *m)
{
    struct db_stmt *st =
        dept ? db_query(db,
                        "SELECT day, product, dest_province, channel, pieces, weight_g, fee_fen "
                        "FROM waybill_rollups WHERE enterprise_id = ? AND day BETWEEN ? AND ? "
                        "AND department_id = ?",
                        DB_ARGS(DB_INT(ent), DB_INT(from), DB_INT(to), DB_INT(dept)))
             : db_query(db,
                        "SELECT day, product, dest_province, channel, pieces, weight_g, fee_fen "
                        "FROM waybill_rollups WHERE enterprise_id = ? AND day BETWEEN ? AND ?",
                        DB_ARGS(DB_INT(ent), DB_INT(from), DB_INT(to)));
    return sum_rows(st, true, from, days, m);
}

/* The enterprise's day rollup over first..last into days. */
static int read_days(struct db *db, int64_t ent, int64_t first, int64_t last, struct bucket *days)
{
    struct db_stmt *st = db_query(db,
                                  "SELECT day, pieces, weight_g, fee_fen FROM waybill_rollups_day "
                                  "WHERE enterprise_id = ? AND day BETWEEN ? AND ?",
                                  DB_ARGS(DB_INT(ent), DB_INT(first), DB_INT(last)));
    if (!st)
        return DB_ERROR;
    int rc;
    while ((rc = db_step(st)) == 1)
        add(&days[db_col_int(st, 0) - first], db_col_int(st, 1), db_col_int(st, 2),
            db_col_int(st, 3));
    db_finish(st);
    return rc < 0 ? rc : 0;
}

/* The month rollup's mix of the whole months that start in from..to. */
static int read_months(struct db *db, int64_t ent, int64_t from, int64_t to, struct mix *m)
{
    struct db_stmt *st =
        db_query(db,
                 "SELECT dim, value, pieces, weight_g, fee_fen FROM waybill_rollups_month "
                 "WHERE enterprise_id = ? AND month BETWEEN ? AND ?",
                 DB_ARGS(DB_INT(ent), DB_INT(from), DB_INT(to)));
    if (!st)
        return DB_ERROR;
    int rc;
    while ((rc = db_step(st)) == 1) {
        const char *dim = db_col_text(st, 0);
        struct buckets *to_b = strcmp(dim, "product") == 0    ? m->products
                               : strcmp(dim, "province") == 0 ? m->provinces
                                                              : m->channels;
        add(bucket(to_b, db_col_text(st, 1)), db_col_int(st, 2), db_col_int(st, 3),
            db_col_int(st, 4));
    }
    db_finish(st);
    return rc < 0 ? rc : 0;
}

static void get(struct req *r)
{
    int64_t id, dept = 0;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    const char *period = req_query(r, "period"), *dept_s = req_query(r, "department_id");
    size_t pi = 1;
    if (period && *period) {
        for (pi = 0; pi < sizeof(periods) / sizeof(periods[0]); pi++)
            if (strcmp(periods[pi].name, period) == 0)
                break;
        if (pi == sizeof(periods) / sizeof(periods[0])) {
            reply_invalid(r, json_pack("{s:s}", "period", req_msg(r, "waybill.period")));
            return;
        }
    }
    if (dept_s && *dept_s) {
        char *end;
        dept = strtoll(dept_s, &end, 10);
        if (*end || dept <= 0) {
            reply_invalid(r, json_pack("{s:s}", "department_id", req_msg(r, "field.not_integer")));
            return;
        }
    }
    if (visible(r, id) != 1)
        return;
    int n = periods[pi].days;
    int64_t last = date_to_days(date_of_time(clock_now())), first = last - n + 1;
    struct bucket *days = xcalloc((size_t)n, sizeof(*days));
    struct buckets products = {0}, provinces = {0}, channels = {0}, weeks = {0}, months = {0},
                   quarters = {0};
    struct mix mix = {&products, &provinces, &channels};
    struct bucket total = {0};
    int rc;
    if (dept) {
        /* A department: its detailed rows, all of them. */
        rc = read_detail(r->db, id, dept, first, last, days, &mix);
    } else {
        /* The whole enterprise: the day rollup for the series, the month
         * rollup for the mix over the whole months of the period, the
         * detailed rows only for the partial months at its ends. */
        int64_t mfrom = first, mto = last;
        struct date f = date_from_days(first);
        struct date l = date_from_days(last);
        if (f.day != 1)
            mfrom = date_to_days((struct date){f.month == 12 ? f.year + 1 : f.year,
                                               f.month == 12 ? 1 : f.month + 1, 1});
        if (l.day != date_days_in_month(l.year, l.month))
            mto = date_to_days((struct date){l.year, l.month, 1}) - 1;
        rc = read_days(r->db, id, first, last, days);
        if (!rc && mfrom > mto) {
            rc = read_detail(r->db, id, 0, first, last, NULL, &mix);
        } else {
            if (!rc)
                rc = read_months(r->db, id, mfrom, mto, &mix);
            if (!rc && first < mfrom)
                rc = read_detail(r->db, id, 0, first, mfrom - 1, NULL, &mix);
            if (!rc && mto < last)
                rc = read_detail(r->db, id, 0, mto + 1, last, NULL, &mix);
        }
    }
    if (rc < 0) {
        free(days);
        free(products.v), free(provinces.v), free(channels.v);
        reply_db_error(r, rc);
        return;
    }
    for (int i = 0; i < n; i++)
        add(&total, days[i].pieces, days[i].weight_g, days[i].fee);
    json_t *daily = json_array(), *trend = json_array();
    double sx = 0, sy = 0, sxy = 0, sxx = 0;
    int active = 0;
    for (int i = 0; i < n; i++) {
        struct date d = date_from_days(first + i);
        char ds[11], key[32], fee[32], kg[32];
        date_format(d, ds);
        money_format(days[i].fee, fee, sizeof(fee));
        waybill_kg(days[i].weight_g, kg);
        json_array_append_new(daily,
                              json_pack("{s:s,s:I,s:s,s:s}", "date", ds, "pieces",
                                        (json_int_t)days[i].pieces, "weight", kg, "fee", fee));
        active += days[i].pieces > 0;
        sx += i, sy += (double)days[i].pieces, sxy += (double)i * (double)days[i].pieces;
        sxx += (double)i * i;
        /* Weeks start on Monday; months and quarters are +08:00 calendar ones. */
        struct date monday = date_from_days(first + i - (date_weekday(d) - 1));
        date_format(monday, key);
        add(bucket(&weeks, key), days[i].pieces, days[i].weight_g, days[i].fee);
        snprintf(key, sizeof(key), "%04d-%02d", d.year, d.month);
        add(bucket(&months, key), days[i].pieces, days[i].weight_g, days[i].fee);
        snprintf(key, sizeof(key), "%04d-Q%d", d.year, (d.month - 1) / 3 + 1);
        add(bucket(&quarters, key), days[i].pieces, days[i].weight_g, days[i].fee);
    }
    /* The least-squares line through the daily pieces. */
    double den = n * sxx - sx * sx;
    double slope = den ? (n * sxy - sx * sy) / den : 0, icpt = (sy - slope * sx) / n;
    for (int i = 0; i < n; i++) {
        char ds[11];
        date_format(date_from_days(first + i), ds);
        json_array_append_new(trend, json_pack("{s:s,s:f}", "date", ds, "pieces",
                                               round((icpt + slope * i) * 10) / 10));
    }
    char from_s[11], to_s[11], fee[32], kg[32], avg[32];
    date_format(date_from_days(first), from_s);
    date_format(date_from_days(last), to_s);
    money_format(total.fee, fee, sizeof(fee));
    waybill_kg(total.weight_g, kg);
    waybill_kg(total.pieces ? (total.weight_g + total.pieces / 2) / total.pieces : 0, avg);
    json_t *totals = json_pack("{s:I,s:s,s:s,s:s,s:i,s:f,s:f}", "pieces", (json_int_t)total.pieces,
                               "weight", kg, "fee", fee, "avg_weight", avg, "active_days", active,
                               "per_day", round((double)total.pieces / n * 10) / 10, "per_week",
                               round((double)total.pieces * 7 / n * 10) / 10);
    json_t *body = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o}", "period", periods[pi].name, "from",
                             from_s, "to", to_s, "totals", totals, "daily", daily, "trend", trend);
    json_object_set_new(body, "weekly", rows(&weeks, "week", SIZE_MAX, false, false, -1));
    json_object_set_new(body, "products",
                        rows(&products, "product", SIZE_MAX, true, true, total.pieces));
    json_object_set_new(body, "monthly", rows(&months, "month", SIZE_MAX, false, false, -1));
    json_object_set_new(body, "quarterly", rows(&quarters, "quarter", SIZE_MAX, false, false, -1));
    json_object_set_new(body, "destinations",
                        rows(&provinces, "province", 10, true, false, total.pieces));
    json_object_set_new(body, "channels",
                        rows(&channels, "channel", SIZE_MAX, true, false, total.pieces));
    free(days);
    free(products.v), free(provinces.v), free(channels.v);
    free(weeks.v), free(months.v), free(quarters.v);
    reply_json(r, 200, body);
}

#include "logistics/shipping.routes.h"
