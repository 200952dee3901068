/*
 * ticket_kpi.h - the service KPIs of a set of tickets (ticket_kpi.c), for
 * GET /tickets/kpis and the 服务效率 dashboard (report/service.c), so both
 * count by the same definitions (docs/tickets-api.md): tickets are read
 * with ticket_kpi_scan and tallied one by one into a struct ticket_kpi.
 */
#ifndef HY_TICKET_KPI_H
#define HY_TICKET_KPI_H

#include "auth/actor.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* One ticket as the KPIs read it (0 for a time not reached yet). */
struct ticket_fact {
    int64_t id, assignee_id, branch_id; /* assignee_id 0: unassigned */
    const char *assignee_name, *branch_name;
    int64_t created_at, first_response_at, resolved_at, reopens, breached, replies;
    int64_t csat, nps; /* 0 and -1 without a survey answer */
};

/* The tallies of one group of tickets; zero it to start. */
struct ticket_kpi {
    int64_t tickets, fr_n, res_n, resolved, fcr, reopened, ever_resolved, attained;
    int64_t surveys, csat_sum, promoters, detractors;
    double fr_sum, res_sum;
    int64_t *fr; /* first-response seconds, for the p90 */
    size_t fr_cap;
    /* When set (TICKET_KPI_BUCKETS counts, freed by ticket_kpi_release):
     * the first-response seconds as a histogram instead of fr, and the p90
     * is the top of the bucket holding it (the dashboard's snapshot). */
    int64_t *hist;
};

/* The first-response histogram's buckets: one per second below 8 s,
 * then eight per doubling, so a bucket's top is at most 1/8 (12.5 %)
 * above any second in it; 2^32 s and more share the last. */
#define TICKET_KPI_BUCKETS 240
int ticket_kpi_bucket(int64_t seconds);
/* The largest second of bucket b. */
int64_t ticket_kpi_bucket_top(int b);

enum ticket_kpi_by { TICKET_KPI_MANAGER, TICKET_KPI_BRANCH };

/* fn(fact, ctx) for every ticket a sees logged in [from, to) (unix
 * seconds), in order of by's id (the assignee's, 0 first, or the
 * branch's); fn answering non-zero stops the scan with that answer.
 * 0, fn's answer or a negative DB_*. */
int ticket_kpi_scan(struct db *db, const struct actor *a, int64_t from, int64_t to,
                    enum ticket_kpi_by by, int (*fn)(const struct ticket_fact *, void *),
                    void *ctx);
void ticket_kpi_add(struct ticket_kpi *k, const struct ticket_fact *t);
/* {tickets, first_response {count, avg_seconds, p90_seconds}, resolution
 * {count, avg_seconds}, first_contact_resolution {resolved, count, rate},
 * reopen_rate, sla_attainment, csat, nps, survey_responses}; null for a
 * figure without a ticket to count. */
json_t *ticket_kpi_json(struct ticket_kpi *k);
void ticket_kpi_release(struct ticket_kpi *k);

#endif
