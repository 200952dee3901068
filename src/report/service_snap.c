/*
 * service_snap.c - the service snapshot (migration 0044): every ticket of
 * the last CONTRIB_MONTHS months read once by the refresh pass and
 * tallied per month × branch path × branch × assignee (the additive
 * figures of service/ticket_kpi.c, and a histogram of the first-response
 * seconds for the p90), so that the 服务效率 summary sums a few rows per
 * manager and month instead of reading the tickets of twelve months.
 */
#include "report/report.h"

#include "base/date.h"
#include "base/xmalloc.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "service/ticket.h"
#include "service/ticket_kpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MONTHS_DRAWN 12

/* The tallies of ticket_kpi in the columns' order of report_service. */
#define TALLIES                                                                                    \
    "tickets, fr_n, fr_sum, res_n, res_sum, resolved, fcr, reopened, ever_resolved, attained, "    \
    "surveys, csat_sum, promoters, detractors"
enum { NTALLIES = 14 };

struct cell {
    int month;
    char *path;
    int64_t branch, assignee;
    int64_t v[NTALLIES];
    int64_t hist[TICKET_KPI_BUCKETS];
};

struct service_cells {
    struct cell *v;
    size_t n, cap;
};

static int64_t day_start(int64_t day)
{
    return date_start_time(date_from_days(day));
}

/* The cell of the ticket (rows come in order of branch, path, assignee
 * and logging time, so it is the last one or a new one). */
static struct cell *cell_of(struct service_cells *s, int month, const char *path, int64_t branch,
                            int64_t assignee)
{
    struct cell *c = s->n ? &s->v[s->n - 1] : NULL;
    if (c && c->month == month && c->branch == branch && c->assignee == assignee &&
        strcmp(c->path, path) == 0)
        return c;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    c = &s->v[s->n++];
    memset(c, 0, sizeof(*c));
    *c = (struct cell){
        .month = month, .path = xstrdup(path), .branch = branch, .assignee = assignee};
    return c;
}

/* One ticket into its cell, counted as ticket_kpi_add counts it. */
static void tally(struct cell *c, const struct ticket_fact *t)
{
    struct ticket_kpi k = {0};
    ticket_kpi_add(&k, t);
    int64_t add[NTALLIES] = {
        k.tickets,  k.fr_n,     (int64_t)k.fr_sum, k.res_n,         (int64_t)k.res_sum,
        k.resolved, k.fcr,      k.reopened,        k.ever_resolved, k.attained,
        k.surveys,  k.csat_sum, k.promoters,       k.detractors};
    for (int i = 0; i < NTALLIES; i++)
        c->v[i] += add[i];
    if (t->first_response_at)
        c->hist[ticket_kpi_bucket(t->first_response_at - t->created_at)]++;
    ticket_kpi_release(&k);
}

struct service_cells *service_gather(struct db *db, int64_t today, int *rc)
{
    int oldest = report_month_of_day(today) - CONTRIB_MONTHS + 1;
    struct db_stmt *st = db_query(
        db,
        "SELECT COALESCE(t.branch_path, ''), COALESCE(t.branch_id, 0), "
        "COALESCE(t.assignee_id, 0), t.created_at, COALESCE(t.first_response_at, 0), "
        "COALESCE(t.resolved_at, 0), t.reopen_count, (t.first_response_breached_at IS NOT NULL "
        "OR t.resolution_breached_at IS NOT NULL), (SELECT COUNT(*) FROM ticket_entries e WHERE "
        "e.ticket_id = t.id AND e.kind = 'reply'), COALESCE(t.csat, 0), COALESCE(t.nps, -1) "
        "FROM tickets t WHERE t.created_at >= ? "
        "ORDER BY 2, 1, 3, t.created_at",
        DB_ARGS(DB_INT(day_start(report_month_first(oldest)))));
    struct service_cells *s = xcalloc(1, sizeof(*s));
    if (!st) {
        *rc = DB_ERROR;
        return s;
    }
    while ((*rc = db_step(st)) == 1) {
        struct ticket_fact t = {
            .created_at = db_col_int(st, 3),
            .first_response_at = db_col_int(st, 4),
            .resolved_at = db_col_int(st, 5),
            .reopens = db_col_int(st, 6),
            .breached = db_col_int(st, 7),
            .replies = db_col_int(st, 8),
            .csat = db_col_int(st, 9),
            .nps = db_col_int(st, 10),
        };
        int month = report_month_of_day(date_to_days(date_of_time(t.created_at)));
        tally(cell_of(s, month, db_col_text(st, 0), db_col_int(st, 1), db_col_int(st, 2)), &t);
    }
    db_finish(st);
    if (*rc > 0)
        *rc = 0;
    return s;
}

int service_write(struct db *db, const struct service_cells *s)
{
    int rc = db_exec(db, "DELETE FROM report_service", NULL, 0);
    if (!rc)
        rc = db_exec(db, "DELETE FROM report_service_fr", NULL, 0);
    for (size_t i = 0; i < s->n && !rc; i++) {
        const struct cell *c = &s->v[i];
        const int64_t *v = c->v;
        rc = db_exec(
            db,
            "INSERT INTO report_service (month, branch_path, branch_id, assignee_id, " TALLIES
            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            DB_ARGS(DB_INT(c->month), DB_TEXT(c->path), DB_INT(c->branch), DB_INT(c->assignee),
                    DB_INT(v[0]), DB_INT(v[1]), DB_INT(v[2]), DB_INT(v[3]), DB_INT(v[4]),
                    DB_INT(v[5]), DB_INT(v[6]), DB_INT(v[7]), DB_INT(v[8]), DB_INT(v[9]),
                    DB_INT(v[10]), DB_INT(v[11]), DB_INT(v[12]), DB_INT(v[13])));
        for (int b = 0; b < TICKET_KPI_BUCKETS && !rc; b++)
            if (c->hist[b])
                rc = db_exec(db,
                             "INSERT INTO report_service_fr (month, branch_path, branch_id, "
                             "assignee_id, bucket, n) VALUES (?, ?, ?, ?, ?, ?)",
                             DB_ARGS(DB_INT(c->month), DB_TEXT(c->path), DB_INT(c->branch),
                                     DB_INT(c->assignee), DB_INT(b), DB_INT(c->hist[b])));
    }
    return rc;
}

void service_cells_free(struct service_cells *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].path);
    free(s->v);
    free(s);
}

/* ---- reading ---- */

/* A leaderboard row being summed. */
struct row {
    int64_t id;
    char *name;
    struct ticket_kpi k;
};

struct board {
    int first, pfirst, plast; /* the trend's first month, p's months */
    struct ticket_kpi total, months[MONTHS_DRAWN];
    struct row *rows;
    size_t n;
};

static struct ticket_kpi *kpi_new(struct ticket_kpi *k)
{
    if (!k->hist)
        k->hist = xcalloc(TICKET_KPI_BUCKETS, sizeof(*k->hist));
    return k;
}

/* The row of id: the tallies' query makes them in order of id, the
 * histogram's finds them again (by halves: a province has a thousand). */
static struct row *row_of(struct board *b, int64_t id, const char *name)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->rows[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < b->n && b->rows[lo].id == id)
        return &b->rows[lo];
    b->rows = xrealloc(b->rows, (b->n + 1) * sizeof(*b->rows));
    struct row *r = &b->rows[b->n++];
    *r = (struct row){.id = id, .name = xstrdup(name ? name : "")};
    kpi_new(&r->k);
    return r;
}

static void add_tallies(struct ticket_kpi *k, const int64_t *v)
{
    k->tickets += v[0], k->fr_n += v[1], k->fr_sum += (double)v[2], k->res_n += v[3];
    k->res_sum += (double)v[4], k->resolved += v[5], k->fcr += v[6], k->reopened += v[7];
    k->ever_resolved += v[8], k->attained += v[9], k->surveys += v[10], k->csat_sum += v[11];
    k->promoters += v[12], k->detractors += v[13];
}

/* FROM and WHERE of the cells of months [lo, hi] u sees, grouped by
 * month and the row's id (and name), head's columns first. */
static struct db_stmt *cells_query(struct db *db, const struct actor *u, bool by_branch,
                                   const char *head, const char *table, const char *group, int lo,
                                   int hi)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, by_branch ? "SELECT t.branch_id, COALESCE(br.name, ''), t.month, "
                             : "SELECT t.assignee_id, COALESCE(us.name, ''), t.month, ");
    sqlbuf_add(&b, head);
    sqlbuf_add(&b, " FROM ");
    sqlbuf_add(&b, table);
    sqlbuf_add(&b, by_branch ? " t LEFT JOIN branches br ON br.id = t.branch_id"
                             : " t LEFT JOIN users us ON us.id = t.assignee_id");
    sqlbuf_add(&b, " WHERE t.month BETWEEN ? AND ? AND ");
    sqlbuf_bind(&b, DB_INT(lo));
    sqlbuf_bind(&b, DB_INT(hi));
    ticket_visible_sql(u, &b);
    sqlbuf_add(&b, by_branch ? " GROUP BY t.branch_id, br.name, t.month"
                             : " GROUP BY t.assignee_id, us.name, t.month");
    sqlbuf_add(&b, group);
    sqlbuf_add(&b, " ORDER BY 1, 3");
    struct db_stmt *st = db_query(db, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    return st;
}

/* The kpis a cell of month m adds to: the trend's month, and when m is
 * in p the total and the row. */
static int targets(struct board *b, struct db_stmt *st, struct ticket_kpi *out[3])
{
    int m = (int)db_col_int(st, 2), n = 0;
    if (m >= b->first && m < b->first + MONTHS_DRAWN)
        out[n++] = kpi_new(&b->months[m - b->first]);
    if (m >= b->pfirst && m <= b->plast) {
        out[n++] = kpi_new(&b->total);
        out[n++] = &row_of(b, db_col_int(st, 0), db_col_text(st, 1))->k;
    }
    return n;
}

static int read_board(struct db *db, const struct actor *u, bool by_branch, struct board *b)
{
    int lo = b->first < b->pfirst ? b->first : b->pfirst;
    struct db_stmt *st = cells_query(db, u, by_branch,
                                     "SUM(tickets), SUM(fr_n), SUM(fr_sum), SUM(res_n), "
                                     "SUM(res_sum), SUM(resolved), SUM(fcr), SUM(reopened), "
                                     "SUM(ever_resolved), SUM(attained), SUM(surveys), "
                                     "SUM(csat_sum), SUM(promoters), SUM(detractors)",
                                     "report_service", "", lo, b->plast);
    if (!st)
        return DB_ERROR;
    int rc;
    while ((rc = db_step(st)) == 1) {
        int64_t v[NTALLIES];
        for (int i = 0; i < NTALLIES; i++)
            v[i] = db_col_int(st, 3 + i);
        struct ticket_kpi *to[3];
        for (int i = targets(b, st, to) - 1; i >= 0; i--)
            add_tallies(to[i], v);
    }
    db_finish(st);
    if (rc < 0)
        return rc;
    st = cells_query(db, u, by_branch, "t.bucket, SUM(t.n)", "report_service_fr", ", t.bucket", lo,
                     b->plast);
    if (!st)
        return DB_ERROR;
    while ((rc = db_step(st)) == 1) {
        int64_t bucket = db_col_int(st, 3), n = db_col_int(st, 4);
        struct ticket_kpi *to[3];
        for (int i = targets(b, st, to) - 1; i >= 0 && bucket >= 0 && bucket < TICKET_KPI_BUCKETS;
             i--)
            to[i]->hist[bucket] += n;
    }
    db_finish(st);
    return rc < 0 ? rc : 0;
}

int service_snapshot_summary(struct db *db, const struct actor *u, const struct report_period *p,
                             bool by_branch, json_t *out)
{
    if (u->contact_id || u->api_key_id)
        return 0; /* their scope is by enterprise, which the cells do not keep */
    int64_t day, at;
    int rc = health_refreshed(db, &day, &at);
    if (rc <= 0 || p->from > day)
        return rc < 0 ? rc : 0;
    struct report_period q = *p;
    if (q.to > day)
        q.to = day;
    struct board b = {.pfirst = report_month_of_day(q.from), .plast = report_month_of_day(q.to)};
    b.first = b.plast - MONTHS_DRAWN + 1;
    int oldest = report_month_of_day(day) - CONTRIB_MONTHS + 1;
    if (b.first < oldest || b.pfirst < oldest)
        return 0;
    rc = report_put_as_of(db, out, &day);
    if (!rc)
        rc = read_board(db, u, by_branch, &b);
    json_t *board = json_array(), *months = json_array(), *trend = json_array();
    for (size_t i = 0; i < b.n; i++) {
        json_t *o = ticket_kpi_json(&b.rows[i].k);
        json_object_set_new(o, "id", json_integer(b.rows[i].id));
        json_object_set_new(o, "name", json_string(b.rows[i].name));
        json_array_append_new(board, o);
        ticket_kpi_release(&b.rows[i].k);
        free(b.rows[i].name);
    }
    free(b.rows);
    for (int m = 0; m < MONTHS_DRAWN; m++) {
        char label[8];
        report_month_label(b.first + m, label);
        json_array_append_new(months, json_string(label));
        json_array_append_new(trend, ticket_kpi_json(&b.months[m]));
        ticket_kpi_release(&b.months[m]);
    }
    json_object_set_new(out, "period", report_period_json(&q));
    json_object_set_new(out, "group", json_string(by_branch ? "branch" : "manager"));
    json_object_set_new(out, "totals", ticket_kpi_json(&b.total));
    json_object_set_new(out, "trend", json_pack("{s:o,s:o}", "months", months, "items", trend));
    json_object_set_new(out, "leaderboard", board);
    /* the p90s are the tops of their histogram buckets (ticket_kpi.h) */
    json_object_set_new(out, "p90_approx", json_true());
    ticket_kpi_release(&b.total);
    return rc < 0 ? rc : 1;
}
