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
 * The scan and the tallies are exported (ticket_kpi.h) so that the
 * 服务效率 dashboard (report/service.c) counts by these definitions too.
 */
#include "service/ticket_kpi.h"

#include "service/ticket.h"

#include "base/clock.h"
#include "base/xmalloc.h"
#include "core/perms.h"
#include "db/db.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static json_t *rate(int64_t num, int64_t den)
{
    return den ? json_real(round((double)num / (double)den * 10000.0) / 10000.0) : json_null();
}

int ticket_kpi_bucket(int64_t s)
{
    if (s < 8)
        return s < 0 ? 0 : (int)s;
    int e = 3;
    while (e < 31 && s >> (e + 1))
        e++;
    if (s >> 32)
        return TICKET_KPI_BUCKETS - 1;
    return 8 + (e - 3) * 8 + (int)((s >> (e - 3)) & 7);
}

int64_t ticket_kpi_bucket_top(int b)
{
    if (b < 8)
        return b;
    int e = (b - 8) / 8 + 3, sub = (b - 8) % 8;
    return ((int64_t)(8 + sub) << (e - 3)) + ((int64_t)1 << (e - 3)) - 1;
}

/* The p90 (nearest rank) of the n first responses: exact from fr, or the
 * top of its bucket from hist. */
static json_t *p90_of(struct ticket_kpi *g)
{
    if (!g->fr_n)
        return json_null();
    int64_t rank = (int64_t)ceil(0.9 * (double)g->fr_n), seen = 0;
    if (g->hist) {
        for (int b = 0; b < TICKET_KPI_BUCKETS; b++)
            if ((seen += g->hist[b]) >= rank)
                return json_integer(ticket_kpi_bucket_top(b));
        return json_null(); /* counts short of fr_n: not made by one pass */
    }
    qsort(g->fr, (size_t)g->fr_n, sizeof(*g->fr), cmp64);
    return json_integer(g->fr[rank - 1]);
}

json_t *ticket_kpi_json(struct ticket_kpi *g)
{
    /* nearest rank: the smallest value with at least 90% at or below it */
    json_t *p90 = p90_of(g);
    return json_pack(
        "{s:I,s:{s:I,s:o,s:o},s:{s:I,s:o},s:{s:I,s:I,s:o},s:o,s:o,s:o,s:o,s:I}", "tickets",
        (json_int_t)g->tickets, "first_response", "count", (json_int_t)g->fr_n, "avg_seconds",
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

void ticket_kpi_release(struct ticket_kpi *k)
{
    free(k->fr);
    free(k->hist);
    memset(k, 0, sizeof(*k));
}

void ticket_kpi_add(struct ticket_kpi *g, const struct ticket_fact *t)
{
    g->tickets++;
    if (t->csat && t->nps >= 0) { /* the survey sets both at once */
        g->surveys++;
        g->csat_sum += t->csat;
        g->promoters += t->nps >= 9;
        g->detractors += t->nps <= 6;
    }
    if (t->first_response_at) {
        if ((size_t)g->fr_n == g->fr_cap) {
            g->fr_cap = g->fr_cap ? g->fr_cap * 2 : 16;
            g->fr = xrealloc(g->fr, g->fr_cap * sizeof(*g->fr));
        }
        g->fr[g->fr_n++] = t->first_response_at - t->created_at;
        g->fr_sum += (double)(t->first_response_at - t->created_at);
    }
    if (t->resolved_at) {
        g->res_n++;
        g->res_sum += (double)(t->resolved_at - t->created_at);
        g->resolved++;
        g->fcr += t->replies == 1 && t->reopens == 0;
        g->attained += !t->breached;
    }
    g->ever_resolved += t->resolved_at || t->reopens;
    g->reopened += t->reopens > 0;
}

int ticket_kpi_scan(struct db *db, const struct actor *a, int64_t from, int64_t to,
                    enum ticket_kpi_by by, int (*fn)(const struct ticket_fact *, void *), void *ctx)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT t.id, COALESCE(t.assignee_id, 0), COALESCE(u.name, ''), t.branch_id, "
                   "COALESCE(br.name, ''), t.created_at, COALESCE(t.first_response_at, 0), "
                   "COALESCE(t.resolved_at, 0), t.reopen_count, "
                   "(t.first_response_breached_at IS NOT NULL OR "
                   "t.resolution_breached_at IS NOT NULL), (SELECT COUNT(*) FROM ticket_entries e "
                   "WHERE e.ticket_id = t.id AND e.kind = 'reply'), COALESCE(t.csat, 0), "
                   "COALESCE(t.nps, -1) FROM tickets t "
                   "LEFT JOIN users u ON u.id = t.assignee_id "
                   "LEFT JOIN branches br ON br.id = t.branch_id "
                   "WHERE t.created_at >= ? AND t.created_at < ? AND ");
    sqlbuf_bind(&b, DB_INT(from));
    sqlbuf_bind(&b, DB_INT(to));
    ticket_visible_sql(a, &b);
    sqlbuf_add(&b, by == TICKET_KPI_BRANCH ? " ORDER BY t.branch_id, t.id"
                                           : " ORDER BY COALESCE(t.assignee_id, 0), t.id");
    struct db_stmt *st = db_query(db, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    if (!st)
        return DB_ERROR;
    int rc, stop = 0;
    while (!stop && (rc = db_step(st)) == 1) {
        struct ticket_fact t = {
            .id = db_col_int(st, 0),
            .assignee_id = db_col_int(st, 1),
            .assignee_name = db_col_text(st, 2),
            .branch_id = db_col_int(st, 3),
            .branch_name = db_col_text(st, 4),
            .created_at = db_col_int(st, 5),
            .first_response_at = db_col_int(st, 6),
            .resolved_at = db_col_int(st, 7),
            .reopens = db_col_int(st, 8),
            .breached = db_col_int(st, 9),
            .replies = db_col_int(st, 10),
            .csat = db_col_int(st, 11),
            .nps = db_col_int(st, 12),
        };
        stop = fn(&t, ctx);
    }
    db_finish(st);
    return stop ? stop : rc < 0 ? rc : 0;
}

/* GET /tickets/kpis: the groups as the scan meets them, one after another. */
struct kpis_pass {
    bool by_branch;
    int64_t id;
    char name[128];
    struct ticket_kpi k;
    json_t *items;
};

static void kpis_close(struct kpis_pass *p)
{
    if (p->id < 0)
        return;
    json_t *o = ticket_kpi_json(&p->k);
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "name", json_string(p->name));
    json_array_append_new(p->items, o);
    ticket_kpi_release(&p->k);
}

static int kpis_add(const struct ticket_fact *t, void *ctx)
{
    struct kpis_pass *p = ctx;
    int64_t id = p->by_branch ? t->branch_id : t->assignee_id;
    if (id != p->id) {
        kpis_close(p);
        p->id = id;
        snprintf(p->name, sizeof(p->name), "%s", p->by_branch ? t->branch_name : t->assignee_name);
    }
    ticket_kpi_add(&p->k, t);
    return 0;
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
    struct kpis_pass p = {.by_branch = by_branch, .id = -1, .items = json_array()};
    int rc = ticket_kpi_scan(r->db, r->actor, from, to + 86400,
                             by_branch ? TICKET_KPI_BRANCH : TICKET_KPI_MANAGER, kpis_add, &p);
    kpis_close(&p);
    ticket_kpi_release(&p.k);
    if (rc < 0) {
        json_decref(p.items);
        reply_db_error(r, rc);
        return;
    }
    reply_json(r, 200,
               json_pack("{s:s,s:s,s:s,s:o}", "group", by_branch ? "branch" : "manager", "from",
                         from_s, "to", to_s, "items", p.items));
}

#include "service/ticket_kpi.routes.h"
