/*
 * health.c - 大客户健康度 from the waybill rollups alone: one scan of the
 * visible enterprises' rollup days over the 180 days before the first
 * point wanted, pieces summed per enterprise and day, and each
 * enterprise's status worked out here for every point at once (see
 * report.h for the rule). The list behind a count is the same scan for
 * today only, with the page's names read for its ids.
 */
#include "report/report.h"

#include "base/clock.h"
#include "base/date.h"
#include "base/xmalloc.h"
#include "core/listing.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "vip/enterprise.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW  180 /* days an enterprise must have shipped in to count */
#define DORMANT 30  /* days without a waybill that make it dormant */
#define HALF    90  /* the recent and the prior window of the churn rule */
#define POINTS  12  /* month ends of the trend, today the last */
#define IDS_MAX 1000

const char *const health_status_names[HEALTH_COUNT] = {"healthy", "churn", "dormant"};

/* One enterprise as of one day. */
struct standing {
    int64_t last_day, recent, prior;
    bool shipped, lately;
};

static int status_of(const struct standing *s)
{
    if (!s->shipped)
        return -1;
    if (!s->lately)
        return HEALTH_DORMANT;
    /* down more than 20 %: recent < 0.8 prior */
    return s->prior > 0 && s->recent * 5 < s->prior * 4 ? HEALTH_CHURN : HEALTH_HEALTHY;
}

static void count_day(struct standing *s, int64_t asof, int64_t day, int64_t pieces)
{
    if (day > asof || day <= asof - WINDOW)
        return;
    s->shipped = true;
    if (day > s->last_day)
        s->last_day = day;
    if (day > asof - DORMANT)
        s->lately = true;
    if (day > asof - HALF)
        s->recent += pieces;
    else
        s->prior += pieces;
}

/* Called once per enterprise with its standing at every point. */
typedef void (*health_fn)(int64_t id, const struct standing *at, void *ctx);

/* Every visible enterprise that shipped in the window of a point, with
 * its standing at each of the n points asof[] (ascending). */
static int scan(struct db *db, const struct actor *u, const int64_t *asof, int n, health_fn fn,
                void *ctx)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT r.enterprise_id, r.day, SUM(r.pieces) FROM waybill_rollups r "
                   "JOIN enterprises e ON e.id = r.enterprise_id "
                   "WHERE r.day BETWEEN ? AND ? AND e.deleted_at IS NULL AND ");
    sqlbuf_bind(&b, DB_INT(asof[0] - WINDOW + 1));
    sqlbuf_bind(&b, DB_INT(asof[n - 1]));
    enterprise_visible_sql(u, &b);
    sqlbuf_add(&b, " GROUP BY r.enterprise_id, r.day ORDER BY r.enterprise_id");
    struct db_stmt *st = db_query(db, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    if (!st)
        return DB_ERROR;
    struct standing at[POINTS];
    int64_t cur = 0;
    int rc;
    while ((rc = db_step(st)) == 1) {
        int64_t id = db_col_int(st, 0), day = db_col_int(st, 1), pieces = db_col_int(st, 2);
        if (id != cur) {
            if (cur)
                fn(cur, at, ctx);
            memset(at, 0, sizeof(at));
            cur = id;
        }
        for (int k = 0; k < n; k++)
            count_day(&at[k], asof[k], day, pieces);
    }
    if (cur && rc == 0)
        fn(cur, at, ctx);
    db_finish(st);
    return rc < 0 ? rc : 0;
}

struct tally {
    int n;
    int64_t counts[POINTS][HEALTH_COUNT];
};

static void tally_one(int64_t id, const struct standing *at, void *ctx)
{
    (void)id;
    struct tally *t = ctx;
    for (int k = 0; k < t->n; k++) {
        int s = status_of(&at[k]);
        if (s >= 0)
            t->counts[k][s]++;
    }
}

static json_t *counts_json(const int64_t *c)
{
    json_t *o = json_object();
    int64_t total = 0;
    for (int s = 0; s < HEALTH_COUNT; s++) {
        json_object_set_new(o, health_status_names[s], json_integer(c[s]));
        total += c[s];
    }
    json_object_set_new(o, "total", json_integer(total));
    return o;
}

int health_summary(struct db *db, const struct actor *u, json_t *out)
{
    int64_t today = date_to_days(date_of_time(clock_now()));
    int month = report_month_of_day(today);
    int64_t asof[POINTS];
    for (int k = 0; k < POINTS - 1; k++)
        asof[k] = report_month_first(month - (POINTS - 2 - k)) - 1;
    asof[POINTS - 1] = today;
    struct tally t = {.n = POINTS};
    int rc = scan(db, u, asof, POINTS, tally_one, &t);
    if (rc)
        return rc;
    char on[11];
    date_format(date_from_days(today), on);
    json_object_set_new(out, "as_of", json_string(on));
    json_object_set_new(out, "counts", counts_json(t.counts[POINTS - 1]));
    /* the end of last month, for the change the cards show */
    json_object_set_new(out, "previous", counts_json(t.counts[POINTS - 2]));
    json_t *trend = json_array();
    for (int k = 0; k < POINTS; k++) {
        char label[8];
        report_month_label(report_month_of_day(asof[k]), label);
        json_t *p = counts_json(t.counts[k]);
        json_object_set_new(p, "month", json_string(label));
        json_array_append_new(trend, p);
    }
    json_object_set_new(out, "trend", trend);
    return 0;
}

/* ---- the list behind a count ---- */

struct member {
    int64_t id;
    struct standing s;
    double key; /* the order of the list: smaller first */
};

struct members {
    enum health_status want;
    struct member *v;
    size_t n, cap;
};

static void keep_member(int64_t id, const struct standing *at, void *ctx)
{
    struct members *m = ctx;
    if (status_of(at) != (int)m->want)
        return;
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
    }
    m->v[m->n++] = (struct member){id, *at, 0};
}

/* change as a fraction of the prior window's pieces; 0 without one */
static double change_of(const struct standing *s)
{
    return s->prior ? (double)(s->recent - s->prior) / (double)s->prior : 0.0;
}

/* The worst first: the longest silent, the steepest fall, the least
 * shipped; then by id, so that pages do not shift. */
static int worst_first(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    int c = (x->key > y->key) - (x->key < y->key);
    return c ? c : (x->id > y->id) - (x->id < y->id);
}

static double key_of(enum health_status s, const struct standing *st)
{
    if (s == HEALTH_DORMANT)
        return (double)st->last_day;
    return s == HEALTH_CHURN ? change_of(st) : -(double)st->recent;
}

/* Names, manager and branch of the page's enterprises, in page order. */
static int page_rows(struct db *db, const struct member *v, size_t n, json_t *items)
{
    if (!n)
        return 0;
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT e.id, e.name, e.customer_no, e.owner_id, o.name AS owner_name, "
                   "b.name AS branch_name FROM " ENTERPRISE_FROM " WHERE e.id IN (");
    for (size_t i = 0; i < n; i++) {
        sqlbuf_add(&b, i ? ", ?" : "?");
        sqlbuf_bind(&b, DB_INT(v[i].id));
    }
    sqlbuf_add(&b, ")");
    json_t *rows = listing_rows(db_query(db, b.sql, b.args, b.nargs), NULL, NULL);
    sqlbuf_release(&b);
    if (!rows)
        return DB_ERROR;
    for (size_t i = 0; i < n; i++) {
        size_t k;
        json_t *row;
        json_array_foreach(rows, k, row)
        {
            if (json_integer_value(json_object_get(row, "id")) != v[i].id)
                continue;
            char on[11];
            date_format(date_from_days(v[i].s.last_day), on);
            json_object_set_new(row, "last_waybill_on", json_string(on));
            json_object_set_new(row, "recent", json_integer(v[i].s.recent));
            json_object_set_new(row, "prior", json_integer(v[i].s.prior));
            json_object_set_new(row, "change",
                                v[i].s.prior ? json_real(change_of(&v[i].s)) : json_null());
            json_array_append(items, row);
        }
    }
    json_decref(rows);
    return 0;
}

int health_list(struct db *db, const struct actor *u, enum health_status s, int64_t limit,
                int64_t offset, json_t *out)
{
    int64_t today = date_to_days(date_of_time(clock_now()));
    struct members m = {.want = s};
    int rc = scan(db, u, &today, 1, keep_member, &m);
    if (!rc) {
        for (size_t i = 0; i < m.n; i++)
            m.v[i].key = key_of(s, &m.v[i].s);
        if (m.n)
            qsort(m.v, m.n, sizeof(*m.v), worst_first);
        json_t *items = json_array(), *ids = json_array();
        size_t from = (size_t)offset < m.n ? (size_t)offset : m.n;
        size_t n = m.n - from < (size_t)limit ? m.n - from : (size_t)limit;
        rc = page_rows(db, m.v + from, n, items);
        for (size_t i = 0; i < m.n && i < IDS_MAX; i++)
            json_array_append_new(ids, json_integer(m.v[i].id));
        json_object_set_new(out, "items", items);
        json_object_set_new(out, "total", json_integer((json_int_t)m.n));
        json_object_set_new(out, "ids", ids);
    }
    free(m.v);
    return rc;
}
