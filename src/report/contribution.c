/*
 * contribution.c - 贡献度: fee and pieces of the visible enterprises over a
 * period, from the waybill rollups joined to the enterprises (industry,
 * region, branch, manager); each figure one GROUP BY over the rollups'
 * days of the period (the index of migration 0031 walks them by day),
 * nothing counted from the waybills. The filter narrows every figure
 * to a slice or bar drilled into; the list behind it names the
 * enterprises.
 */
#include "report/report.h"

#include "base/date.h"
#include "base/xmalloc.h"
#include "core/listing.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "vip/enterprise.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOP          10
#define MONTHS_DRAWN 12

static bool english(const struct actor *u)
{
    return strncmp(u->lang, "en", 2) == 0;
}

/* A region ("广东省/广州市/天河区") or its first parts: LIKE "<s>/%" or s. */
static void region_under(struct sqlbuf *b, const char *s)
{
    char *prefix = xmalloc(strlen(s) + 2);
    memcpy(prefix, s, strlen(s));
    memcpy(prefix + strlen(s), "/", 2);
    sqlbuf_add(b, " AND (e.region = ? OR e.region LIKE ? ESCAPE '\\')");
    sqlbuf_bind(b, DB_TEXT(s));
    sqlbuf_bind(b, DB_TEXT(sqlbuf_like(b, prefix, true)));
    free(prefix);
}

/* Where a figure is summed from: the rollups the ingest keeps. Without a
 * product the enterprise × day sums serve (their primary key leads with
 * the enterprise, so a manager's or a supervisor's few enterprises are
 * read by key, not the whole period of every enterprise); a product needs
 * the detailed rows, or the enterprise × month × product rows for whole
 * months. */
struct source {
    const char *from;    /* FROM text, aliased r */
    const char *day;     /* its day column: a day, or the month's first */
    const char *product; /* its product column, NULL: none */
};
static const struct source DAYS = {" FROM waybill_rollups_day r", "r.day", NULL};
static const struct source DETAIL = {" FROM waybill_rollups r", "r.day", "r.product"};
static const struct source MONTHS = {" FROM waybill_rollups_month r", "r.month", "r.value"};

static const struct source *source_of(const struct contribution_filter *f)
{
    return f->product ? &DETAIL : &DAYS;
}

static void slice_sql(struct sqlbuf *b, const struct contribution_filter *f);

/* FROM and WHERE of the rollups of days [from, to] of the enterprises u
 * sees in src, narrowed by f; join (program text) joins more tables. */
static void rollups_where(struct sqlbuf *b, const struct actor *u, const struct source *src,
                          int64_t from, int64_t to, const struct contribution_filter *f,
                          const char *join)
{
    sqlbuf_add(b, src->from);
    sqlbuf_add(b, " JOIN enterprises e ON e.id = r.enterprise_id");
    sqlbuf_add(b, join);
    sqlbuf_add(b, src == &MONTHS ? " WHERE r.dim = 'product' AND " : " WHERE ");
    sqlbuf_add(b, src->day);
    sqlbuf_add(b, " BETWEEN ? AND ? AND e.deleted_at IS NULL AND ");
    sqlbuf_bind(b, DB_INT(from));
    sqlbuf_bind(b, DB_INT(to));
    enterprise_visible_sql(u, b);
    slice_sql(b, f);
    if (f->product) {
        sqlbuf_add(b, " AND ");
        sqlbuf_add(b, src->product);
        sqlbuf_add(b, " = ?");
        sqlbuf_bind(b, DB_TEXT(f->product));
    }
}

/* f's industry, region and branch on the enterprise columns of e (the
 * enterprises, or the snapshot's copy of them). */
static void slice_sql(struct sqlbuf *b, const struct contribution_filter *f)
{
    if (f->industry && !*f->industry)
        sqlbuf_add(b, " AND (e.industry IS NULL OR e.industry = '')");
    else if (f->industry) {
        sqlbuf_add(b, " AND e.industry = ?");
        sqlbuf_bind(b, DB_TEXT(f->industry));
    }
    if (f->city)
        region_under(b, f->city);
    else if (f->province)
        region_under(b, f->province);
    if (f->branch_id) {
        sqlbuf_add(b, " AND e.branch_id = ?");
        sqlbuf_bind(b, DB_INT(f->branch_id));
    }
}

/* The rows of "SELECT <head> <rollups_where> <tail>" as objects (NULL:
 * the database failed). */
static json_t *rows_in(struct db *db, const struct actor *u, const struct source *src,
                       const char *head, const char *join, int64_t from, int64_t to,
                       const struct contribution_filter *f, const char *tail)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, head);
    rollups_where(&b, u, src, from, to, f, join);
    sqlbuf_add(&b, tail);
    json_t *rows = listing_rows(db_query(db, b.sql, b.args, b.nargs), NULL, NULL);
    sqlbuf_release(&b);
    return rows;
}

/* rows_in from the source that serves f. */
static json_t *rows_of(struct db *db, const struct actor *u, const char *head, const char *join,
                       int64_t from, int64_t to, const struct contribution_filter *f,
                       const char *tail)
{
    return rows_in(db, u, source_of(f), head, join, from, to, f, tail);
}

#define SUMS "COALESCE(SUM(r.fee_fen), 0) AS fee_fen, COALESCE(SUM(r.pieces), 0) AS pieces"

static json_t *totals_of(struct db *db, const struct actor *u, const struct report_period *p,
                         const struct contribution_filter *f)
{
    json_t *rows = rows_of(db, u, "SELECT " SUMS ", COUNT(DISTINCT r.enterprise_id) AS enterprises",
                           "", p->from, p->to, f, "");
    if (!rows)
        return NULL;
    json_t *o = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    json_object_set_new(o, "period", report_period_json(p));
    return o;
}

/* Part `level` (0 province, 1 city) of a region "省/市/区" into out. */
static void region_part(const char *region, int level, char *out, size_t n)
{
    const char *s = region ? region : "";
    for (int i = 0; i < level && strchr(s, '/'); i++)
        s = strchr(s, '/') + 1;
    snprintf(out, n, "%.*s", (int)strcspn(s, "/"), s);
}

static int64_t int_of(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* items[key] with its fee and pieces grown by row's, made when new. */
static void add_to(json_t *items, const char *key, const char *label, json_t *row)
{
    json_t *it = json_object_get(items, key);
    if (!it) {
        it = json_pack("{s:s,s:s,s:I,s:I}", "key", key, "label", label, "fee_fen", (json_int_t)0,
                       "pieces", (json_int_t)0);
        json_object_set_new(items, key, it);
    }
    json_object_set_new(it, "fee_fen",
                        json_integer(int_of(it, "fee_fen") + int_of(row, "fee_fen")));
    json_object_set_new(it, "pieces", json_integer(int_of(it, "pieces") + int_of(row, "pieces")));
}

static int by_fee(const void *a, const void *b)
{
    int64_t x = int_of(*(json_t *const *)a, "fee_fen"), y = int_of(*(json_t *const *)b, "fee_fen");
    return (x < y) - (x > y);
}

/* The values of object o as an array, the largest fee first. */
static json_t *sorted_values(json_t *o)
{
    size_t n = json_object_size(o), i = 0;
    json_t **v = xcalloc(n ? n : 1, sizeof(*v)), *x;
    const char *k;
    json_object_foreach(o, k, x) v[i++] = x;
    qsort(v, n, sizeof(*v), by_fee);
    json_t *a = json_array();
    for (i = 0; i < n; i++)
        json_array_append(a, v[i]);
    free(v);
    json_decref(o);
    return a;
}

static json_t *region_json(json_t *rows, const struct contribution_filter *f);

/* Fee by province, by city of f's province, or by branch of f's city,
 * summed here from one GROUP BY region and branch. */
static json_t *by_region(struct db *db, const struct actor *u, const struct report_period *p,
                         const struct contribution_filter *f)
{
    return region_json(rows_of(db, u, "SELECT e.region, e.branch_id, bb.name AS branch_name, " SUMS,
                               " JOIN branches bb ON bb.id = e.branch_id", p->from, p->to, f,
                               " GROUP BY e.region, e.branch_id, bb.name"),
                       f);
}

/* by_region of the rows (region, branch_id, branch_name, fee_fen,
 * pieces) grouped by f's level; NULL for NULL. */
static json_t *region_json(json_t *rows, const struct contribution_filter *f)
{
    if (!rows)
        return NULL;
    int level = f->city ? 2 : f->province ? 1 : 0;
    json_t *items = json_object(), *row;
    size_t i;
    json_array_foreach(rows, i, row)
    {
        char key[128];
        const char *label = key;
        if (level == 2) {
            snprintf(key, sizeof(key), "%lld", (long long)int_of(row, "branch_id"));
            label = json_string_value(json_object_get(row, "branch_name"));
        } else {
            region_part(json_string_value(json_object_get(row, "region")), level, key, sizeof(key));
        }
        add_to(items, key, label ? label : "", row);
        if (level == 2)
            json_object_set(json_object_get(items, key), "branch_id",
                            json_object_get(row, "branch_id"));
    }
    json_decref(rows);
    static const char *const levels[] = {"province", "city", "branch"};
    return json_pack("{s:s,s:o}", "level", levels[level], "items", sorted_values(items));
}

static json_t *by_industry(struct db *db, const struct actor *u, const struct report_period *p,
                           const struct contribution_filter *f)
{
    json_t *rows = rows_of(
        db, u,
        english(u) ? "SELECT COALESCE(e.industry, '') AS key, "
                     "COALESCE(NULLIF(di.label_en, ''), di.label, e.industry, '') AS label, " SUMS
                   : "SELECT COALESCE(e.industry, '') AS key, "
                     "COALESCE(di.label, e.industry, '') AS label, " SUMS,
        " LEFT JOIN dictionary_items di ON di.dict_code = 'industry' AND di.value = e.industry",
        p->from, p->to, f, " GROUP BY 1, 2 ORDER BY 3 DESC, 1");
    return rows;
}

static json_t *product_json(json_t *rows, int first, int last);
static int summary_parts(json_t *parts[7], const struct report_period *p, json_t *out);
static int list_parts(json_t *items, json_t *count, const struct report_period *p, json_t *out);

/* Fee by product in each of the twelve months up to p's last: the whole
 * months from the enterprise × month × product rollups, a last month cut
 * before its end from the detailed rows of its days. */
static json_t *by_product(struct db *db, const struct actor *u, const struct report_period *p,
                          const struct contribution_filter *f)
{
    int last = report_month_of_day(p->to), first = last - MONTHS_DRAWN + 1;
    int whole = p->to == report_month_first(last + 1) - 1 ? last : last - 1;
    json_t *rows = rows_in(db, u, &MONTHS, "SELECT r.month AS day, r.value AS product, " SUMS, "",
                           report_month_first(first), report_month_first(whole), f,
                           " GROUP BY r.month, r.value");
    if (rows && whole < last) {
        json_t *part = rows_in(db, u, &DETAIL, "SELECT r.day, r.product, " SUMS, "",
                               report_month_first(last), p->to, f, " GROUP BY r.day, r.product");
        if (part)
            json_array_extend(rows, part);
        json_decref(part);
        if (!part) {
            json_decref(rows);
            rows = NULL;
        }
    }
    return product_json(rows, first, last);
}

/* by_product of the rows (day: a day of the month, product, fee_fen) of
 * months first..last; NULL for NULL. */
static json_t *product_json(json_t *rows, int first, int last)
{
    if (!rows)
        return NULL;
    json_t *months = json_array(), *series = json_object(), *row;
    for (int m = first; m <= last; m++) {
        char label[8];
        report_month_label(m, label);
        json_array_append_new(months, json_string(label));
    }
    size_t i;
    json_array_foreach(rows, i, row)
    {
        const char *product = json_string_value(json_object_get(row, "product"));
        json_t *s = json_object_get(series, product);
        if (!s) {
            s = json_pack("{s:s,s:[]}", "product", product, "fee_fen");
            for (int m = first; m <= last; m++)
                json_array_append_new(json_object_get(s, "fee_fen"), json_integer(0));
            json_object_set_new(series, product, s);
        }
        json_t *v = json_object_get(s, "fee_fen");
        size_t k = (size_t)(report_month_of_day(int_of(row, "day")) - first);
        json_array_set_new(
            v, k, json_integer(json_integer_value(json_array_get(v, k)) + int_of(row, "fee_fen")));
    }
    json_decref(rows);
    json_t *list = json_array(), *s;
    const char *k;
    json_object_foreach(series, k, s) json_array_append(list, s);
    json_decref(series);
    return json_pack("{s:o,s:o}", "months", months, "series", list);
}

#define ENTERPRISE_SUMS                                                                            \
    "SELECT e.id, e.name, e.customer_no, e.industry, e.region, o.name AS owner_name, " SUMS
#define ENTERPRISE_JOIN " LEFT JOIN users o ON o.id = e.owner_id"
#define ENTERPRISE_GROUP                                                                           \
    " GROUP BY e.id, e.name, e.customer_no, e.industry, e.region, o.name ORDER BY 7 DESC, e.id"

/* ---- from the snapshot (migration 0044; contribution_snap.c) ---- */

#define SNAP_SUMS "COALESCE(SUM(e.fee_fen), 0) AS fee_fen, COALESCE(SUM(e.pieces), 0) AS pieces"

/* The rows of "SELECT <head> FROM <table> e <join> WHERE <period [from,
 * to], u's scope, f> <tail>" of the snapshot (NULL: the database failed).
 * The cells are of all products unless month_rows_of_products. */
static json_t *snap_rows(struct db *db, const struct actor *u, const char *table, const char *head,
                         const char *join, int64_t from, int64_t to,
                         const struct contribution_filter *f, const char *tail)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, head);
    sqlbuf_add(&b, " FROM ");
    sqlbuf_add(&b, table);
    sqlbuf_add(&b, " e");
    sqlbuf_add(&b, join);
    sqlbuf_add(&b, " WHERE e.pfrom = ? AND e.pto = ? AND ");
    sqlbuf_bind(&b, DB_INT(from));
    sqlbuf_bind(&b, DB_INT(to));
    if (strcmp(table, "report_contrib_cells") == 0)
        sqlbuf_add(&b, "e.product = '' AND ");
    enterprise_visible_sql(u, &b);
    slice_sql(&b, f);
    sqlbuf_add(&b, tail);
    json_t *rows = listing_rows(db_query(db, b.sql, b.args, b.nargs), NULL, NULL);
    sqlbuf_release(&b);
    return rows;
}

static json_t *snap_totals(struct db *db, const struct actor *u, const struct report_period *p,
                           const struct contribution_filter *f)
{
    json_t *rows = snap_rows(db, u, "report_contrib_cells",
                             "SELECT " SNAP_SUMS ", COALESCE(SUM(e.enterprises), 0) AS enterprises",
                             "", p->from, p->to, f, "");
    if (!rows)
        return NULL;
    json_t *o = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    json_object_set_new(o, "period", report_period_json(p));
    return o;
}

/* The product lines of the twelve months up to p's last: the month rows
 * (whole months, and p's last month as far as p goes). */
static json_t *snap_products(struct db *db, const struct actor *u, const struct report_period *p,
                             const struct contribution_filter *f)
{
    int last = report_month_of_day(p->to), first = last - MONTHS_DRAWN + 1;
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT e.pfrom AS day, e.product, " SNAP_SUMS
                   " FROM report_contrib_cells e WHERE e.product <> '' AND ((e.kind = 0 AND "
                   "e.pfrom >= ? AND e.pfrom < ?) OR (e.pfrom = ? AND e.pto = ? AND e.kind < 2)) "
                   "AND ");
    sqlbuf_bind(&b, DB_INT(report_month_first(first)));
    sqlbuf_bind(&b, DB_INT(report_month_first(last)));
    sqlbuf_bind(&b, DB_INT(report_month_first(last)));
    sqlbuf_bind(&b, DB_INT(p->to));
    enterprise_visible_sql(u, &b);
    slice_sql(&b, f);
    sqlbuf_add(&b, " GROUP BY e.pfrom, e.product");
    json_t *rows = listing_rows(db_query(db, b.sql, b.args, b.nargs), NULL, NULL);
    sqlbuf_release(&b);
    return product_json(rows, first, last);
}

#define SNAP_ENTERPRISES                                                                           \
    "SELECT x.id, x.name, x.customer_no, x.industry, x.region, o.name AS owner_name, "             \
    "e.fee_fen, e.pieces"
#define SNAP_ENTERPRISES_JOIN                                                                      \
    " JOIN enterprises x ON x.id = e.enterprise_id LEFT JOIN users o ON o.id = x.owner_id"
/* by the index's order (enterprise_id = x.id): the top ten of an admin
 * are its first ten entries, not a sort of the period's every row */
#define SNAP_ENTERPRISES_ORDER " ORDER BY e.fee_fen DESC, e.enterprise_id"

/* p cut at the snapshot's day when it reaches past it: 1 when the
 * snapshot holds what f over p needs (the period, the two it is compared
 * with, the months of the product lines), with as_of and refreshed_at put
 * in out; 0 when the rollups must be read; negative DB_*. */
static int snap_serves(struct db *db, struct report_period *p, const struct contribution_filter *f,
                       bool summary, json_t *out)
{
    int64_t day, at;
    int rc = health_refreshed(db, &day, &at);
    if (rc <= 0 || f->product || p->from > day)
        return rc < 0 ? rc : 0;
    if (p->to > day)
        p->to = day;
    rc = contribution_snapshot_has(db, p->from, p->to, false);
    if (rc <= 0 || !summary)
        return rc <= 0 ? rc : report_put_as_of(db, out, &day) ? DB_ERROR : 1;
    struct report_period prev = report_period_back(p, p->months), yoy = report_period_back(p, 12);
    int last = report_month_of_day(p->to);
    rc = contribution_snapshot_has(db, prev.from, prev.to, false);
    if (rc > 0)
        rc = contribution_snapshot_has(db, yoy.from, yoy.to, false);
    if (rc > 0)
        rc = contribution_snapshot_has(db, report_month_first(last), p->to, false);
    for (int m = last - MONTHS_DRAWN + 1; m < last && rc > 0; m++)
        rc = contribution_snapshot_has(db, report_month_first(m), report_month_first(m + 1) - 1,
                                       true);
    return rc <= 0 ? rc : report_put_as_of(db, out, &day) ? DB_ERROR : 1;
}

static int snap_summary(struct db *db, const struct actor *u, const struct report_period *p,
                        const struct contribution_filter *f, json_t *out)
{
    struct report_period prev = report_period_back(p, p->months), yoy = report_period_back(p, 12);
    char top[160];
    snprintf(top, sizeof(top), SNAP_ENTERPRISES_ORDER " LIMIT %d", TOP);
    json_t *parts[] = {
        snap_totals(db, u, p, f),
        snap_totals(db, u, &prev, f),
        snap_totals(db, u, &yoy, f),
        snap_rows(
            db, u, "report_contrib_cells",
            english(u)
                ? "SELECT e.industry AS key, "
                  "COALESCE(NULLIF(di.label_en, ''), di.label, e.industry) AS label, " SNAP_SUMS
                : "SELECT e.industry AS key, COALESCE(di.label, e.industry) AS "
                  "label, " SNAP_SUMS,
            " LEFT JOIN dictionary_items di ON di.dict_code = 'industry' AND di.value = "
            "e.industry",
            p->from, p->to, f, " GROUP BY 1, 2 ORDER BY 3 DESC, 1"),
        region_json(snap_rows(db, u, "report_contrib_cells",
                              "SELECT e.region, e.branch_id, bb.name AS branch_name, " SNAP_SUMS,
                              " JOIN branches bb ON bb.id = e.branch_id", p->from, p->to, f,
                              " GROUP BY e.region, e.branch_id, bb.name"),
                    f),
        snap_products(db, u, p, f),
        snap_rows(db, u, "report_contrib_ents", SNAP_ENTERPRISES, SNAP_ENTERPRISES_JOIN, p->from,
                  p->to, f, top),
    };
    return summary_parts(parts, p, out);
}

static int snap_list(struct db *db, const struct actor *u, const struct report_period *p,
                     const struct contribution_filter *f, int64_t limit, int64_t offset,
                     json_t *out)
{
    char tail[160];
    snprintf(tail, sizeof(tail), SNAP_ENTERPRISES_ORDER " LIMIT %lld OFFSET %lld", (long long)limit,
             (long long)offset);
    return list_parts(snap_rows(db, u, "report_contrib_ents", SNAP_ENTERPRISES,
                                SNAP_ENTERPRISES_JOIN, p->from, p->to, f, tail),
                      /* the cells count each enterprise once: a few rows, not all */
                      snap_rows(db, u, "report_contrib_cells",
                                "SELECT COALESCE(SUM(e.enterprises), 0) AS n", "", p->from, p->to,
                                f, ""),
                      p, out);
}

/* ---- the answers ---- */

static const char *const part_names[] = {"totals",    "previous",   "year_before", "by_industry",
                                         "by_region", "by_product", "top"};

/* The seven parts of a summary (in part_names' order) into out. */
static int summary_parts(json_t *parts[7], const struct report_period *p, json_t *out)
{
    int rc = 0;
    for (size_t i = 0; i < 7; i++) {
        if (!parts[i])
            rc = DB_ERROR;
        else
            json_object_set_new(out, part_names[i], parts[i]);
    }
    json_object_set_new(out, "period", report_period_json(p));
    return rc;
}

/* A list's page and count (rows of n) into out. */
static int list_parts(json_t *items, json_t *count, const struct report_period *p, json_t *out)
{
    if (!items || !count) {
        json_decref(items);
        json_decref(count);
        return DB_ERROR;
    }
    json_object_set_new(out, "items", items);
    json_object_set_new(out, "total", json_incref(json_object_get(json_array_get(count, 0), "n")));
    json_object_set_new(out, "period", report_period_json(p));
    json_decref(count);
    return 0;
}

int contribution_summary(struct db *db, const struct actor *u, const struct report_period *p,
                         const struct contribution_filter *f, json_t *out)
{
    struct report_period q = *p;
    int rc = snap_serves(db, &q, f, true, out);
    if (rc)
        return rc < 0 ? rc : snap_summary(db, u, &q, f, out);
    struct report_period prev = report_period_back(p, p->months), yoy = report_period_back(p, 12);
    char top[160];
    snprintf(top, sizeof(top), ENTERPRISE_GROUP " LIMIT %d", TOP);
    json_t *parts[] = {
        totals_of(db, u, p, f),
        totals_of(db, u, &prev, f),
        totals_of(db, u, &yoy, f),
        by_industry(db, u, p, f),
        by_region(db, u, p, f),
        by_product(db, u, p, f),
        rows_of(db, u, ENTERPRISE_SUMS, ENTERPRISE_JOIN, p->from, p->to, f, top),
    };
    return summary_parts(parts, p, out);
}

int contribution_list(struct db *db, const struct actor *u, const struct report_period *p,
                      const struct contribution_filter *f, int64_t limit, int64_t offset,
                      json_t *out)
{
    struct report_period q = *p;
    int rc = snap_serves(db, &q, f, false, out);
    if (rc)
        return rc < 0 ? rc : snap_list(db, u, &q, f, limit, offset, out);
    char tail[160];
    snprintf(tail, sizeof(tail), ENTERPRISE_GROUP " LIMIT %lld OFFSET %lld", (long long)limit,
             (long long)offset);
    return list_parts(
        rows_of(db, u, ENTERPRISE_SUMS, ENTERPRISE_JOIN, p->from, p->to, f, tail),
        rows_of(db, u, "SELECT COUNT(DISTINCT r.enterprise_id) AS n", "", p->from, p->to, f, ""), p,
        out);
}
