/*
 * contribution_snap.c - the contribution snapshot (migration 0044): the
 * periods a viewer is likely to pick (the last CONTRIB_MONTHS months, the
 * quarters and years made of them, and the cut periods the current ones
 * are compared with) summed once per enterprise and per cell of branch
 * path × manager × branch × industry × region × product, so that a
 * request sums a few cells instead of millions of rollup rows. Made by
 * the same pass as the health snapshot, inside its transaction, so both
 * are as of the same refresh.
 */
#include "report/report.h"

#include "base/xmalloc.h"
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

enum { PIECE_WHOLE, PIECE_DAYS, COMPOSITE };

struct cperiod {
    int64_t from, to;
    int kind;
};

struct cperiods {
    struct cperiod v[128];
    int n;
};

static int64_t month_end(int m)
{
    return report_month_first(m + 1) - 1;
}

static void add_period(struct cperiods *s, int64_t from, int64_t to, int kind)
{
    for (int i = 0; i < s->n; i++)
        if (s->v[i].from == from && s->v[i].to == to)
            return;
    if (s->n < (int)(sizeof(s->v) / sizeof(s->v[0])))
        s->v[s->n++] = (struct cperiod){from, to, kind};
}

/* [from, to] and the month piece it ends in (a month's first days when
 * it is cut). */
static void add_range(struct cperiods *s, int64_t from, int64_t to, int64_t today)
{
    int last = report_month_of_day(to);
    int64_t first = report_month_first(last);
    bool cut = to != month_end(last) || last == report_month_of_day(today);
    add_period(s, first, to, cut ? PIECE_DAYS : PIECE_WHOLE);
    if (from != first)
        add_period(s, from, to, COMPOSITE);
}

/* The periods of the snapshot made on day today: pieces first (the
 * composites are summed from them), in the order of s->v. */
static void periods_of(int64_t today, struct cperiods *s)
{
    int cur = report_month_of_day(today), oldest = cur - CONTRIB_MONTHS + 1;
    s->n = 0;
    for (int m = oldest; m <= cur; m++)
        add_period(s, report_month_first(m), m == cur ? today : month_end(m),
                   m == cur ? PIECE_DAYS : PIECE_WHOLE);
    static const int lengths[] = {1, 3, 12};
    for (size_t k = 0; k < 3; k++) {
        int len = lengths[k];
        struct report_period p = {.kind = len == 1 ? 'm' : len == 3 ? 'q' : 'y', .months = len};
        for (int m = cur - cur % len; m >= oldest; m -= len) {
            p.year = m / 12;
            p.month = m % 12 + 1;
            p.from = report_month_first(m);
            p.to = m + len - 1 >= cur ? today : month_end(m + len - 1);
            add_range(s, p.from, p.to, today);
            if (m < cur - 12)
                continue; /* its year before is not in the snapshot */
            /* its neighbours, as many days long (cut like the current
             * period; a month after a shorter one, too) */
            struct report_period back[] = {report_period_back(&p, len), report_period_back(&p, 12)};
            for (size_t b = 0; b < 2; b++)
                if (report_month_of_day(back[b].from) >= oldest)
                    add_range(s, back[b].from, back[b].to, today);
        }
    }
    /* pieces before composites */
    struct cperiods sorted = {.n = 0};
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < s->n; i++)
            if ((s->v[i].kind == COMPOSITE) == (pass == 1))
                sorted.v[sorted.n++] = s->v[i];
    *s = sorted;
}

#define DIMS_OF_E                                                                                  \
    "e.branch_path, e.owner_id, e.branch_id, COALESCE(e.industry, ''), COALESCE(e.region, '')"
#define DIMS_GROUP "e.branch_path, e.owner_id, e.branch_id, e.industry, e.region"
#define DIMS       "branch_path, owner_id, branch_id, industry, region"

/* The rows of every whole month, per enterprise and per cell and product,
 * from waybill_rollups_month in one pass each (its key leads with the
 * enterprise: a pass per month would read all of it each time). */
static int sum_whole_months(struct db *db, int64_t oldest)
{
    int rc = db_exec(
        db,
        "INSERT INTO report_contrib_ents (pfrom, pto, kind, enterprise_id, " DIMS
        ", fee_fen, pieces) SELECT p.pfrom, p.pto, 0, s.enterprise_id, " DIMS_OF_E
        ", s.fee_fen, s.pieces FROM (SELECT r.enterprise_id, r.month, SUM(r.fee_fen) AS fee_fen, "
        "SUM(r.pieces) AS pieces FROM waybill_rollups_month r WHERE r.dim = 'product' AND "
        "r.month >= ? GROUP BY r.enterprise_id, r.month) s JOIN report_contrib_periods p ON "
        "p.pfrom = s.month AND p.kind = 0 JOIN enterprises e ON e.id = s.enterprise_id WHERE "
        "e.deleted_at IS NULL",
        DB_ARGS(DB_INT(oldest)));
    if (rc)
        return rc;
    return db_exec(db,
                   "INSERT INTO report_contrib_cells (pfrom, pto, kind, " DIMS
                   ", product, fee_fen, pieces, enterprises) SELECT p.pfrom, p.pto, 0, " DIMS_OF_E
                   ", r.value, SUM(r.fee_fen), SUM(r.pieces), COUNT(DISTINCT r.enterprise_id) "
                   "FROM waybill_rollups_month r JOIN report_contrib_periods p ON p.pfrom = "
                   "r.month AND p.kind = 0 JOIN enterprises e ON e.id = r.enterprise_id WHERE "
                   "r.dim = 'product' AND r.month >= ? AND e.deleted_at IS NULL GROUP BY p.pfrom, "
                   "p.pto, " DIMS_GROUP ", r.value",
                   DB_ARGS(DB_INT(oldest)));
}

#define DAYS_FROM                                                                                  \
    " FROM waybill_rollups r JOIN enterprises e ON e.id = r.enterprise_id WHERE r.day BETWEEN ? "  \
    "AND ? AND e.deleted_at IS NULL"

/* The rows of a month cut before its end (read by day through the index
 * of migration 0031): per enterprise, and per cell and product for the
 * current month (the product lines' last point). */
static int sum_days(struct db *db, const struct cperiod *p, int64_t today)
{
    int rc = db_exec(db,
                     "INSERT INTO report_contrib_ents (pfrom, pto, kind, enterprise_id, " DIMS
                     ", fee_fen, pieces) SELECT ?, ?, 1, r.enterprise_id, " DIMS_OF_E
                     ", SUM(r.fee_fen), SUM(r.pieces)" DAYS_FROM
                     " GROUP BY r.enterprise_id, " DIMS_GROUP,
                     DB_ARGS(DB_INT(p->from), DB_INT(p->to), DB_INT(p->from), DB_INT(p->to)));
    if (rc || p->to != today)
        return rc;
    return db_exec(db,
                   "INSERT INTO report_contrib_cells (pfrom, pto, kind, " DIMS
                   ", product, fee_fen, pieces, enterprises) SELECT ?, ?, 1, " DIMS_OF_E
                   ", r.product, SUM(r.fee_fen), SUM(r.pieces), COUNT(DISTINCT "
                   "r.enterprise_id)" DAYS_FROM " GROUP BY " DIMS_GROUP ", r.product",
                   DB_ARGS(DB_INT(p->from), DB_INT(p->to), DB_INT(p->from), DB_INT(p->to)));
}

/* A composite's rows per enterprise: the sum of its month pieces. */
static int sum_composite(struct db *db, const struct cperiod *p)
{
    int64_t last = report_month_first(report_month_of_day(p->to));
    return db_exec(db,
                   "INSERT INTO report_contrib_ents (pfrom, pto, kind, enterprise_id, " DIMS
                   ", fee_fen, pieces) SELECT ?, ?, 2, enterprise_id, " DIMS
                   ", SUM(fee_fen), SUM(pieces) FROM report_contrib_ents WHERE (kind = 0 AND "
                   "pfrom >= ? AND pfrom < ?) OR (pfrom = ? AND pto = ? AND kind < 2) "
                   "GROUP BY enterprise_id, " DIMS,
                   DB_ARGS(DB_INT(p->from), DB_INT(p->to), DB_INT(p->from), DB_INT(last),
                           DB_INT(last), DB_INT(p->to)));
}

int contribution_refresh(struct db *db, int64_t today)
{
    struct cperiods s;
    periods_of(today, &s);
    int rc = db_exec(db, "DELETE FROM report_contrib_periods", NULL, 0);
    if (!rc)
        rc = db_exec(db, "DELETE FROM report_contrib_ents", NULL, 0);
    if (!rc)
        rc = db_exec(db, "DELETE FROM report_contrib_cells", NULL, 0);
    for (int i = 0; i < s.n && !rc; i++)
        rc = db_exec(db, "INSERT INTO report_contrib_periods (pfrom, pto, kind) VALUES (?, ?, ?)",
                     DB_ARGS(DB_INT(s.v[i].from), DB_INT(s.v[i].to), DB_INT(s.v[i].kind)));
    if (!rc)
        rc = sum_whole_months(db, s.v[0].from);
    /* pieces come before the composites summed from them */
    for (int i = 0; i < s.n && !rc; i++)
        if (s.v[i].kind != PIECE_WHOLE)
            rc = s.v[i].kind == COMPOSITE ? sum_composite(db, &s.v[i])
                                          : sum_days(db, &s.v[i], today);
    /* all products, every period: the enterprises of a cell counted once */
    if (!rc)
        rc = db_exec(db,
                     "INSERT INTO report_contrib_cells (pfrom, pto, kind, " DIMS
                     ", product, fee_fen, pieces, enterprises) SELECT pfrom, pto, kind, " DIMS
                     ", '', SUM(fee_fen), SUM(pieces), COUNT(*) FROM report_contrib_ents "
                     "GROUP BY pfrom, pto, kind, " DIMS,
                     NULL, 0);
    return rc;
}

int contribution_snapshot_has(struct db *db, int64_t from, int64_t to, bool whole_month)
{
    struct db_stmt *st = NULL;
    int rc = db_query_row(db, &st,
                          whole_month ? "SELECT kind FROM report_contrib_periods WHERE pfrom = ? "
                                        "AND pto = ? AND kind = 0"
                                      : "SELECT kind FROM report_contrib_periods WHERE pfrom = ? "
                                        "AND pto = ?",
                          DB_ARGS(DB_INT(from), DB_INT(to)));
    if (st)
        db_finish(st);
    return rc;
}
