/*
 * service.c - 服务效率: the service KPIs (service/ticket_kpi.c, the same
 * definitions as GET /tickets/kpis) of the tickets the viewer sees
 * (ticket_visible_sql: the ticket list's own scope, so a row's count and
 * the tickets behind it agree): over period p in all, per manager or
 * branch (the leaderboard), and per month over the twelve up to p's last
 * month (the trend), all from one pass over the tickets logged in those
 * months; and the tickets behind a leaderboard row.
 */
#include "report/report.h"

#include "base/date.h"
#include "base/xmalloc.h"
#include "core/listing.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "service/ticket.h"
#include "service/ticket_kpi.h"

#include <stdio.h>
#include <string.h>

#define MONTHS_DRAWN 12

static int64_t day_start(int64_t day)
{
    return date_start_time(date_from_days(day));
}

struct pass {
    bool by_branch;
    int64_t from, to; /* p in unix seconds, [from, to) */
    int first;        /* the trend's first month index */
    struct ticket_kpi total, months[MONTHS_DRAWN], row;
    int64_t row_id;
    char row_name[128];
    json_t *board;
};

static void close_row(struct pass *s)
{
    if (s->row_id < 0)
        return;
    json_t *o = ticket_kpi_json(&s->row);
    json_object_set_new(o, "id", json_integer(s->row_id));
    json_object_set_new(o, "name", json_string(s->row_name));
    json_array_append_new(s->board, o);
    ticket_kpi_release(&s->row);
    s->row_id = -1;
}

static int add(const struct ticket_fact *t, void *ctx)
{
    struct pass *s = ctx;
    int m = report_month_of_day(date_to_days(date_of_time(t->created_at))) - s->first;
    if (m >= 0 && m < MONTHS_DRAWN)
        ticket_kpi_add(&s->months[m], t);
    if (t->created_at < s->from || t->created_at >= s->to)
        return 0;
    ticket_kpi_add(&s->total, t);
    int64_t id = s->by_branch ? t->branch_id : t->assignee_id;
    if (id != s->row_id) {
        close_row(s);
        s->row_id = id;
        snprintf(s->row_name, sizeof(s->row_name), "%s",
                 s->by_branch ? t->branch_name : t->assignee_name);
    }
    ticket_kpi_add(&s->row, t);
    return 0;
}

int service_summary(struct db *db, const struct actor *u, const struct report_period *p,
                    bool by_branch, json_t *out)
{
    int snap = service_snapshot_summary(db, u, p, by_branch, out);
    if (snap)
        return snap < 0 ? snap : 0;
    int last = report_month_of_day(p->to);
    struct pass s = {.by_branch = by_branch,
                     .from = day_start(p->from),
                     .to = day_start(p->to + 1),
                     .first = last - MONTHS_DRAWN + 1,
                     .row_id = -1,
                     .board = json_array()};
    int64_t from = day_start(report_month_first(s.first));
    if (s.from < from)
        from = s.from;
    int rc = ticket_kpi_scan(db, u, from, s.to, by_branch ? TICKET_KPI_BRANCH : TICKET_KPI_MANAGER,
                             add, &s);
    close_row(&s);
    json_t *months = json_array(), *trend = json_array();
    for (int m = 0; m < MONTHS_DRAWN; m++) {
        char label[8];
        report_month_label(s.first + m, label);
        json_array_append_new(months, json_string(label));
        json_array_append_new(trend, ticket_kpi_json(&s.months[m]));
        ticket_kpi_release(&s.months[m]);
    }
    json_object_set_new(out, "period", report_period_json(p));
    json_object_set_new(out, "group", json_string(by_branch ? "branch" : "manager"));
    json_object_set_new(out, "totals", ticket_kpi_json(&s.total));
    json_object_set_new(out, "trend", json_pack("{s:o,s:o}", "months", months, "items", trend));
    json_object_set_new(out, "leaderboard", s.board);
    ticket_kpi_release(&s.total);
    ticket_kpi_release(&s.row);
    return rc < 0 ? rc : 0;
}

/* WHERE of the tickets of p behind row id (0 of managers: unassigned). */
static void row_where(struct sqlbuf *b, const struct actor *u, const struct report_period *p,
                      bool by_branch, int64_t id)
{
    sqlbuf_add(b, " WHERE t.created_at >= ? AND t.created_at < ? AND ");
    sqlbuf_bind(b, DB_INT(day_start(p->from)));
    sqlbuf_bind(b, DB_INT(day_start(p->to + 1)));
    ticket_visible_sql(u, b);
    if (by_branch) {
        sqlbuf_add(b, " AND t.branch_id = ?");
        sqlbuf_bind(b, DB_INT(id));
    } else if (id) {
        sqlbuf_add(b, " AND t.assignee_id = ?");
        sqlbuf_bind(b, DB_INT(id));
    } else {
        sqlbuf_add(b, " AND t.assignee_id IS NULL");
    }
}

int service_tickets(struct db *db, const struct actor *u, const struct report_period *p,
                    bool by_branch, int64_t id, int64_t limit, int64_t offset, json_t *out)
{
    struct sqlbuf b, c;
    sqlbuf_init(&b);
    sqlbuf_init(&c);
    sqlbuf_add(&b, "SELECT t.id, t.ticket_no, t.subject, t.status, t.priority, t.created_at, "
                   "CASE WHEN t.first_response_at IS NULL THEN NULL "
                   "ELSE t.first_response_at - t.created_at END AS first_response_seconds, "
                   "t.resolved_at, (t.first_response_breached_at IS NOT NULL OR "
                   "t.resolution_breached_at IS NOT NULL) AS breached, t.csat, t.nps, "
                   "u.name AS assignee_name, br.name AS branch_name FROM tickets t "
                   "LEFT JOIN users u ON u.id = t.assignee_id "
                   "LEFT JOIN branches br ON br.id = t.branch_id");
    row_where(&b, u, p, by_branch, id);
    sqlbuf_addf(&b, " ORDER BY t.created_at DESC, t.id DESC LIMIT %lld OFFSET %lld",
                (long long)limit, (long long)offset);
    sqlbuf_add(&c, "SELECT COUNT(*) AS n FROM tickets t");
    row_where(&c, u, p, by_branch, id);
    json_t *items = listing_rows(db_query(db, b.sql, b.args, b.nargs), NULL, NULL);
    json_t *count = listing_rows(db_query(db, c.sql, c.args, c.nargs), NULL, NULL);
    sqlbuf_release(&b);
    sqlbuf_release(&c);
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
