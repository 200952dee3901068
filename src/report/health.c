/*
 * health.c - 大客户健康度 from a snapshot (migration 0034): the refresh
 * reads every enterprise's rollup days (waybill_rollups_day, the
 * enterprise × day sums the ingest keeps) over the 180 days before the
 * first point wanted, works out each enterprise's status at the twelve
 * points (see report.h for the rule) and writes one row per enterprise
 * and the counts per branch path and manager. A request then sums the
 * counts of its scope (a few rows) or reads the list's page through an
 * index, instead of millions of rollup rows.
 */
#include "report/report.h"

#include "base/clock.h"
#include "base/date.h"
#include "base/log.h"
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
#define POINTS  12  /* month ends of the trend, the refresh day the last */
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

/* change as a fraction of the prior window's pieces; 0 without one */
static double change_of(int64_t recent, int64_t prior)
{
    return prior ? (double)(recent - prior) / (double)prior : 0.0;
}

/* The order of a status's list, smaller first: the longest silent, the
 * steepest fall, the most shipped. */
static double key_of(int status, const struct standing *st)
{
    if (status == HEALTH_DORMANT)
        return (double)st->last_day;
    return status == HEALTH_CHURN ? change_of(st->recent, st->prior) : -(double)st->recent;
}

/* The twelve points: the last eleven month ends before day's month, and
 * day itself. */
static void points_of(int64_t day, int64_t asof[POINTS])
{
    int month = report_month_of_day(day);
    for (int k = 0; k < POINTS - 1; k++)
        asof[k] = report_month_first(month - (POINTS - 2 - k)) - 1;
    asof[POINTS - 1] = day;
}

/* ---- the refresh ---- */

/* One enterprise's row of report_health, gathered before any is written
 * (the read is long and must not hold the write lock). */
struct snap {
    int64_t id, owner, trend;
    char *path;
    struct standing now;
};

struct snaps {
    struct snap *v;
    size_t n, cap;
};

static void keep(struct snaps *s, int64_t id, const char *path, int64_t owner,
                 const struct standing *at)
{
    int64_t trend = 0, bit = 1;
    for (int k = 0; k < POINTS; k++, bit *= 4)
        trend += (status_of(&at[k]) + 1) * bit;
    if (!trend)
        return; /* shipped in no window: counts nowhere */
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    s->v[s->n++] = (struct snap){id, owner, trend, xstrdup(path ? path : ""), at[POINTS - 1]};
}

/* Every live enterprise's standing at the points asof[] (ascending). */
static int gather(struct db *db, const int64_t *asof, struct snaps *out)
{
    struct db_stmt *st =
        db_query(db,
                 "SELECT r.enterprise_id, r.day, r.pieces, e.branch_path, e.owner_id "
                 "FROM waybill_rollups_day r JOIN enterprises e ON e.id = r.enterprise_id "
                 "WHERE r.day BETWEEN ? AND ? AND e.deleted_at IS NULL ORDER BY r.enterprise_id",
                 DB_ARGS(DB_INT(asof[0] - WINDOW + 1), DB_INT(asof[POINTS - 1])));
    if (!st)
        return DB_ERROR;
    struct standing at[POINTS];
    int64_t cur = 0, owner = 0;
    char *path = NULL;
    int rc;
    while ((rc = db_step(st)) == 1) {
        int64_t id = db_col_int(st, 0), day = db_col_int(st, 1), pieces = db_col_int(st, 2);
        if (id != cur) {
            if (cur)
                keep(out, cur, path, owner, at);
            memset(at, 0, sizeof(at));
            cur = id;
            free(path);
            path = xstrdup(db_col_is_null(st, 3) ? "" : db_col_text(st, 3));
            owner = db_col_is_null(st, 4) ? 0 : db_col_int(st, 4);
        }
        for (int k = 0; k < POINTS; k++)
            count_day(&at[k], asof[k], day, pieces);
    }
    if (cur && rc == 0)
        keep(out, cur, path, owner, at);
    free(path);
    db_finish(st);
    return rc < 0 ? rc : 0;
}

static int write_snaps(struct db *db, const struct snaps *s, int64_t today)
{
    int rc = db_exec(db, "DELETE FROM report_health", NULL, 0);
    if (!rc)
        rc = db_exec(db, "DELETE FROM report_health_counts", NULL, 0);
    for (size_t i = 0; i < s->n && !rc; i++) {
        const struct snap *x = &s->v[i];
        int status = status_of(&x->now);
        rc = db_exec(db,
                     "INSERT INTO report_health (enterprise_id, branch_path, owner_id, status, "
                     "last_day, recent, prior, sort_key, trend) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     DB_ARGS(DB_INT(x->id), DB_TEXT(x->path), DB_INT_OR_NULL(x->owner, x->owner),
                             DB_INT(status), DB_INT(x->now.last_day), DB_INT(x->now.recent),
                             DB_INT(x->now.prior), DB_REAL(key_of(status, &x->now)),
                             DB_INT(x->trend)));
    }
    /* point k's status + 1 is the base-4 digit k of trend (0: none) */
    int64_t digit = 1;
    for (int k = 0; k < POINTS && !rc; k++, digit *= 4)
        rc = db_exec(db,
                     "INSERT INTO report_health_counts (branch_path, owner_id, point, status, n) "
                     "SELECT branch_path, owner_id, ?, s, COUNT(*) FROM (SELECT branch_path, "
                     "owner_id, (trend / ?) % 4 - 1 AS s FROM report_health) t WHERE s >= 0 "
                     "GROUP BY branch_path, owner_id, s",
                     DB_ARGS(DB_INT(k), DB_INT(digit)));
    if (!rc)
        rc = db_exec(db,
                     "INSERT INTO report_refresh (id, as_of_day, refreshed_at) VALUES (1, ?, ?) "
                     "ON CONFLICT (id) DO UPDATE SET as_of_day = excluded.as_of_day, "
                     "refreshed_at = excluded.refreshed_at",
                     DB_ARGS(DB_INT(today), DB_INT(clock_now())));
    return rc;
}

int health_refresh(struct db *db)
{
    int64_t today = date_to_days(date_of_time(clock_now())), asof[POINTS];
    points_of(today, asof);
    struct snaps s = {0};
    int rc = gather(db, asof, &s);
    struct service_cells *cells = NULL;
    if (!rc)
        cells = service_gather(db, today, &rc);
    if (!rc) {
        rc = db_begin(db);
        if (!rc) {
            /* one transaction: every dashboard as of the same refresh */
            int w = write_snaps(db, &s, today);
            if (!w)
                w = contribution_refresh(db, today);
            rc = db_end(db, w ? w : service_write(db, cells));
        }
    }
    service_cells_free(cells);
    for (size_t i = 0; i < s.n; i++)
        free(s.v[i].path);
    free(s.v);
    return rc;
}

int health_refreshed(struct db *db, int64_t *as_of_day, int64_t *at)
{
    struct db_stmt *st = NULL;
    int rc = db_query_row(
        db, &st, "SELECT as_of_day, refreshed_at FROM report_refresh WHERE id = 1", NULL, 0);
    if (rc < 0)
        return rc;
    if (rc == 0 || !st) {
        *as_of_day = *at = 0;
        return 0;
    }
    *as_of_day = db_col_int(st, 0);
    *at = db_col_int(st, 1);
    db_finish(st);
    return 1;
}

/* ---- reading ---- */

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

/* as_of (the statuses' day) and refreshed_at (ISO time; null before the
 * first refresh) of the snapshot into out; its day (today without one). */
int report_put_as_of(struct db *db, json_t *out, int64_t *day)
{
    int64_t at;
    int rc = health_refreshed(db, day, &at);
    if (rc < 0)
        return rc;
    if (!rc)
        *day = date_to_days(date_of_time(clock_now()));
    char on[11];
    date_format(date_from_days(*day), on);
    json_object_set_new(out, "as_of", json_string(on));
    if (rc) {
        char iso[32];
        clock_format_iso(at, iso, sizeof(iso));
        json_object_set_new(out, "refreshed_at", json_string(iso));
    } else {
        json_object_set_new(out, "refreshed_at", json_null());
    }
    return 0;
}

int health_summary(struct db *db, const struct actor *u, json_t *out)
{
    int64_t day, asof[POINTS], counts[POINTS][HEALTH_COUNT] = {{0}};
    int rc = report_put_as_of(db, out, &day);
    if (rc)
        return rc;
    points_of(day, asof);
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT point, status, SUM(n) FROM report_health_counts e WHERE ");
    enterprise_visible_sql(u, &b);
    sqlbuf_add(&b, " GROUP BY point, status");
    struct db_stmt *st = db_query(db, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    if (!st)
        return DB_ERROR;
    while ((rc = db_step(st)) == 1) {
        int64_t k = db_col_int(st, 0), s = db_col_int(st, 1);
        if (k >= 0 && k < POINTS && s >= 0 && s < HEALTH_COUNT)
            counts[k][s] = db_col_int(st, 2);
    }
    db_finish(st);
    if (rc < 0)
        return rc;
    json_object_set_new(out, "counts", counts_json(counts[POINTS - 1]));
    /* the end of last month, for the change the cards show */
    json_object_set_new(out, "previous", counts_json(counts[POINTS - 2]));
    json_t *trend = json_array();
    for (int k = 0; k < POINTS; k++) {
        char label[8];
        report_month_label(report_month_of_day(asof[k]), label);
        json_t *p = counts_json(counts[k]);
        json_object_set_new(p, "month", json_string(label));
        json_array_append_new(trend, p);
    }
    json_object_set_new(out, "trend", trend);
    return 0;
}

/* ---- the list behind a count ---- */

/* FROM and WHERE of the snapshot rows of status s that u sees. */
static void list_where(struct sqlbuf *b, const struct actor *u, enum health_status s)
{
    sqlbuf_add(b, " FROM report_health e WHERE e.status = ? AND ");
    sqlbuf_bind(b, DB_INT(s));
    enterprise_visible_sql(u, b);
}

/* Names, manager and branch of the page's enterprises (the snapshot rows
 * of page, in its order) into items. */
static int page_rows(struct db *db, json_t *page, json_t *items)
{
    size_t n = json_array_size(page), i;
    if (!n)
        return 0;
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT e.id, e.name, e.customer_no, e.owner_id, o.name AS owner_name, "
                   "b.name AS branch_name FROM " ENTERPRISE_FROM " WHERE e.id IN (");
    json_t *snap;
    json_array_foreach(page, i, snap)
    {
        sqlbuf_add(&b, i ? ", ?" : "?");
        sqlbuf_bind(&b, DB_INT(json_integer_value(json_object_get(snap, "enterprise_id"))));
    }
    sqlbuf_add(&b, ")");
    json_t *rows = listing_rows(db_query(db, b.sql, b.args, b.nargs), NULL, NULL);
    sqlbuf_release(&b);
    if (!rows)
        return DB_ERROR;
    json_array_foreach(page, i, snap)
    {
        int64_t id = json_integer_value(json_object_get(snap, "enterprise_id"));
        int64_t recent = json_integer_value(json_object_get(snap, "recent"));
        int64_t prior = json_integer_value(json_object_get(snap, "prior"));
        size_t k;
        json_t *row;
        json_array_foreach(rows, k, row)
        {
            if (json_integer_value(json_object_get(row, "id")) != id)
                continue;
            char on[11];
            date_format(date_from_days(json_integer_value(json_object_get(snap, "last_day"))), on);
            json_object_set_new(row, "last_waybill_on", json_string(on));
            json_object_set_new(row, "recent", json_integer(recent));
            json_object_set_new(row, "prior", json_integer(prior));
            json_object_set_new(row, "change",
                                prior ? json_real(change_of(recent, prior)) : json_null());
            json_array_append(items, row);
        }
    }
    json_decref(rows);
    return 0;
}

/* The rows of "SELECT <head> <list_where> <tail>" (NULL: the database
 * failed). */
static json_t *list_rows(struct db *db, const struct actor *u, enum health_status s,
                         const char *head, const char *tail, int64_t limit, int64_t offset)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, head);
    list_where(&b, u, s);
    sqlbuf_add(&b, tail);
    if (limit) {
        sqlbuf_add(&b, " LIMIT ? OFFSET ?");
        sqlbuf_bind(&b, DB_INT(limit));
        sqlbuf_bind(&b, DB_INT(offset));
    }
    json_t *rows = listing_rows(db_query(db, b.sql, b.args, b.nargs), NULL, NULL);
    sqlbuf_release(&b);
    return rows;
}

#define WORST_FIRST " ORDER BY e.sort_key, e.enterprise_id"

int health_list(struct db *db, const struct actor *u, enum health_status s, int64_t limit,
                int64_t offset, json_t *out)
{
    int64_t day;
    int rc = report_put_as_of(db, out, &day);
    if (rc)
        return rc;
    json_t *page = list_rows(db, u, s, "SELECT e.enterprise_id, e.last_day, e.recent, e.prior",
                             WORST_FIRST, limit, offset);
    json_t *count = list_rows(db, u, s, "SELECT COUNT(*) AS n", "", 0, 0);
    json_t *ids = list_rows(db, u, s, "SELECT e.enterprise_id", WORST_FIRST, IDS_MAX, 0);
    json_t *items = json_array();
    rc = page && count && ids ? page_rows(db, page, items) : DB_ERROR;
    if (!rc) {
        json_t *idv = json_array(), *row;
        size_t i;
        json_array_foreach(ids, i, row)
            json_array_append(idv, json_object_get(row, "enterprise_id"));
        json_object_set_new(out, "items", json_incref(items));
        json_object_set_new(out, "total",
                            json_incref(json_object_get(json_array_get(count, 0), "n")));
        json_object_set_new(out, "ids", idv);
    }
    json_decref(items);
    json_decref(page);
    json_decref(count);
    json_decref(ids);
    return rc;
}
