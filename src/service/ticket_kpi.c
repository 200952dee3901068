/*
 * ticket_kpi.c - service KPIs per manager or branch over the tickets
 * logged in a period: first-response time (average, p90), resolution
 * time, first-contact resolution, reopen rate, SLA attainment, and the
 * survey's CSAT (average of the answers) and NPS (% promoters 9-10 minus
 * % detractors 0-6), null without answers.
 *
 * Definitions (docs/tickets-api.md): times are wall-clock seconds from
 * logging; first-contact resolution = a resolved ticket with exactly one
 * reply to the customer and never reopened, over resolved tickets; reopen
 * rate = reopened tickets over tickets resolved at least once; SLA
 * attainment = resolved tickets with no breach over resolved tickets.
 */
#include "service/ticket.h"

#include "base/clock.h"
#include "base/xmalloc.h"
#include "core/perms.h"
#include "db/db.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct group {
    int64_t id, tickets, fr_n, res_n, resolved, fcr, reopened, ever_resolved, attained;
    int64_t surveys, csat_sum, promoters, detractors;
    double fr_sum, res_sum;
    int64_t *fr; /* first-response seconds, for the p90 */
    size_t fr_cap;
    char name[128];
};

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static json_t *rate(int64_t num, int64_t den)
{
    return den ? json_real(round((double)num / (double)den * 10000.0) / 10000.0) : json_null();
}

static json_t *group_json(struct group *g)
{
    if (g->fr_n) /* qsort takes no NULL, even for nothing */
        qsort(g->fr, (size_t)g->fr_n, sizeof(*g->fr), cmp64);
    /* nearest rank: the smallest value with at least 90% at or below it */
    json_t *p90 =
        g->fr_n ? json_integer(g->fr[(size_t)ceil(0.9 * (double)g->fr_n) - 1]) : json_null();
    return json_pack(
        "{s:I,s:s,s:I,s:{s:I,s:o,s:o},s:{s:I,s:o},s:{s:I,s:I,s:o},s:o,s:o,s:o,s:o,s:I}", "id",
        (json_int_t)g->id, "name", g->name, "tickets", (json_int_t)g->tickets, "first_response",
        "count", (json_int_t)g->fr_n, "avg_seconds",
        g->fr_n ? json_integer((json_int_t)llround(g->fr_sum / (double)g->fr_n)) : json_null(),
        "p90_seconds", p90, "resolution", "count", (json_int_t)g->res_n, "avg_seconds",
        g->res_n ? json_integer((json_int_t)llround(g->res_sum / (double)g->res_n)) : json_null(),
        "first_contact_resolution", "resolved", (json_int_t)g->resolved, "count",
        (json_int_t)g->fcr, "rate", rate(g->fcr, g->resolved), "reopen_rate",
        rate(g->reopened, g->ever_resolved), "sla_attainment", rate(g->attained, g->resolved),
        "csat",
        g->surveys ? json_real(round((double)g->csat_sum / (double)g->surveys * 100.0) / 100.0)
                   : json_null(),
        "nps",
        g->surveys ? json_real(round(100.0 * (double)(g->promoters - g->detractors) /
                                     (double)g->surveys * 10.0) /
                               10.0)
                   : json_null(),
        "survey_responses", (json_int_t)g->surveys);
}

static void kpis(struct req *r)
{
    const char *group = req_query(r, "group"), *from_s = req_query(r, "from");
    const char *to_s = req_query(r, "to");
    int64_t from = 0, to = 0;
    json_t *bad = json_object();
    bool by_branch = group && strcmp(group, "branch") == 0;
    if (!group || (!by_branch && strcmp(group, "manager") != 0))
        json_object_set_new(bad, "group", json_string(req_msg(r, "field.invalid")));
    if (!from_s || clock_parse_date(from_s, &from))
        json_object_set_new(bad, "from", json_string(req_msg(r, "field.date")));
    if (!to_s || clock_parse_date(to_s, &to))
        json_object_set_new(bad, "to", json_string(req_msg(r, "field.date")));
    if (json_object_size(bad)) {
        reply_invalid(r, bad);
        return;
    }
    json_decref(bad);
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, by_branch ? "SELECT t.branch_id, COALESCE(br.name, '') "
                             : "SELECT COALESCE(t.assignee_id, 0), COALESCE(u.name, '') ");
    sqlbuf_add(&b, ", t.created_at, COALESCE(t.first_response_at, 0), COALESCE(t.resolved_at, 0), "
                   "t.reopen_count, (t.first_response_breached_at IS NOT NULL OR "
                   "t.resolution_breached_at IS NOT NULL), (SELECT COUNT(*) FROM ticket_entries e "
                   "WHERE e.ticket_id = t.id AND e.kind = 'reply'), COALESCE(t.csat, 0), "
                   "COALESCE(t.nps, -1) FROM tickets t "
                   "LEFT JOIN users u ON u.id = t.assignee_id "
                   "LEFT JOIN branches br ON br.id = t.branch_id "
                   "WHERE t.created_at >= ? AND t.created_at < ? AND ");
    sqlbuf_bind(&b, DB_INT(from));
    sqlbuf_bind(&b, DB_INT(to + 86400));
    ticket_visible_sql(r->actor, &b);
    sqlbuf_add(&b, by_branch ? " ORDER BY t.branch_id" : " ORDER BY COALESCE(t.assignee_id, 0)");
    struct db_stmt *st = db_query(r->db, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    if (!st) {
        reply_db_error(r, DB_ERROR);
        return;
    }
    json_t *items = json_array();
    struct group g = {.id = -1};
    int rc;
    while ((rc = db_step(st)) == 1) {
        int64_t id = db_col_int(st, 0);
        if (id != g.id) {
            if (g.id >= 0)
                json_array_append_new(items, group_json(&g));
            free(g.fr);
            memset(&g, 0, sizeof(g));
            g.id = id;
            snprintf(g.name, sizeof(g.name), "%s", db_col_text(st, 1));
        }
        int64_t created = db_col_int(st, 2), fr = db_col_int(st, 3), res = db_col_int(st, 4);
        int64_t reopens = db_col_int(st, 5), breached = db_col_int(st, 6);
        int64_t replies = db_col_int(st, 7), csat = db_col_int(st, 8), nps = db_col_int(st, 9);
        g.tickets++;
        if (csat && nps >= 0) { /* the survey sets both at once */
            g.surveys++;
            g.csat_sum += csat;
            g.promoters += nps >= 9;
            g.detractors += nps <= 6;
        }
        if (fr) {
            if ((size_t)g.fr_n == g.fr_cap) {
                g.fr_cap = g.fr_cap ? g.fr_cap * 2 : 16;
                g.fr = xrealloc(g.fr, g.fr_cap * sizeof(*g.fr));
            }
            g.fr[g.fr_n++] = fr - created;
            g.fr_sum += (double)(fr - created);
        }
        if (res) {
            g.res_n++;
            g.res_sum += (double)(res - created);
            g.resolved++;
            g.fcr += replies == 1 && reopens == 0;
            g.attained += !breached;
        }
        g.ever_resolved += res || reopens;
        g.reopened += reopens > 0;
    }
    db_finish(st);
    if (g.id >= 0)
        json_array_append_new(items, group_json(&g));
    free(g.fr);
    if (rc < 0) {
        json_decref(items);
        reply_db_error(r, rc);
        return;
    }
    reply_json(r, 200,
               json_pack("{s:s,s:s,s:s,s:o}", "group", by_branch ? "branch" : "manager", "from",
                         from_s, "to", to_s, "items", items));
}

#include "service/ticket_kpi.routes.h"
