/*
 * report.h - the built-in dashboards of 统计分析 (issue 19): customer
 * health and contribution of the VIP enterprises, read from the waybill
 * rollups (never the waybills), and the individual customers' figures,
 * each with the lists behind its numbers. Every figure counts only what
 * the viewer may see: enterprises as the enterprise list scopes them
 * (enterprise_visible_sql), customers and business records by branch
 * (record/scope.h), to-dos as the team's to-do list.
 *
 * The functions answer 0 or a negative DB_* and fill out; the HTTP side
 * (dashboard_api.c) parses the query and replies.
 */
#ifndef HY_REPORT_H
#define HY_REPORT_H

#include "auth/actor.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

/* A period of the picker: a calendar month, quarter or year (+08:00),
 * cut at today when it is the current one, so that it is compared with
 * the same number of days of the period before and a year before. */
struct report_period {
    char kind;        /* 'm' month, 'q' quarter, 'y' year */
    int year, month;  /* its first month */
    int months;       /* 1, 3 or 12 */
    int64_t from, to; /* day numbers (date_to_days), both included */
};

/* The period of kind ("month", "quarter", "year"; NULL or "": month)
 * holding date ("YYYY-MM" or "YYYY-MM-DD"; NULL or "": today): 0, -1 for
 * an unknown kind, -2 for a bad date. */
int report_period_read(const char *kind, const char *date, struct report_period *p);
/* The period of the same kind `months` months before p, as many days
 * long as p (like for like when p is cut at today). */
struct report_period report_period_back(const struct report_period *p, int months);
/* {kind, from, to, label} of p. */
json_t *report_period_json(const struct report_period *p);
/* "YYYY-MM" of month index m (year * 12 + month - 1). */
void report_month_label(int m, char out[8]);
/* The month index of day number d. */
int report_month_of_day(int64_t d);
/* The first day number of month index m. */
int64_t report_month_first(int m);

/* Health (health.c): an enterprise that shipped in the 180 days up to a
 * day A is 沉睡 (dormant) when none of it fell in the last 30 of them,
 * 流失风险 (churn) when its pieces of the last 90 are down more than 20 %
 * on the 90 before, else 健康 (healthy). */
enum health_status { HEALTH_HEALTHY, HEALTH_CHURN, HEALTH_DORMANT, HEALTH_COUNT };
extern const char *const health_status_names[HEALTH_COUNT];
/* The statuses are read from a snapshot (migration 0034) that
 * health_refresh makes for every enterprise at once: the module's periodic
 * pass when the day turns and every REPORT_REFRESH_SECONDS, and POST
 * /dashboards/refresh. 0 or a negative DB_*. */
#define REPORT_REFRESH_SECONDS 600
int health_refresh(struct db *db);
/* The snapshot's day and unix time: 1, 0 before the first refresh (both
 * 0), negative DB_*. */
int health_refreshed(struct db *db, int64_t *as_of_day, int64_t *at);
/* as_of (the snapshot's day) and refreshed_at (ISO time; null before the
 * first refresh) into out; *day the snapshot's day (today without one).
 * 0 or negative DB_*. */
int report_put_as_of(struct db *db, json_t *out, int64_t *day);
/* counts (as of the snapshot's day, with the change on the end of the
 * month before) and a trend of twelve month ends, the last being that
 * day; as_of and refreshed_at name the snapshot. */
int health_summary(struct db *db, const struct actor *u, json_t *out);
/* The enterprises of status s as of today (items: id, name, customer_no,
 * owner_name, branch_name, last_waybill_on, recent, prior, change), the
 * worst first, page of limit from offset; total; ids (the first 1000, for
 * a group action on all of them). */
int health_list(struct db *db, const struct actor *u, enum health_status s, int64_t limit,
                int64_t offset, json_t *out);

/* Contribution (contribution.c) over period p: totals with the period
 * before and a year before, fee by industry, by region (province; of one
 * province its cities; of one city its branches), by product over the
 * twelve months up to p, and the top enterprises. */
struct contribution_filter {
    const char *industry, *province, *city, *product;
    int64_t branch_id;
};
int contribution_summary(struct db *db, const struct actor *u, const struct report_period *p,
                         const struct contribution_filter *f, json_t *out);
/* The enterprises behind a slice or bar (the filter), by fee in p. */
int contribution_list(struct db *db, const struct actor *u, const struct report_period *p,
                      const struct contribution_filter *f, int64_t limit, int64_t offset,
                      json_t *out);
/* The contribution snapshot (migration 0044; contribution_snap.c): made
 * by health_refresh in its transaction for the last CONTRIB_MONTHS months
 * up to today, the quarters and years made of them and the cut periods
 * the current ones are compared with. A summary or list without a product
 * filter whose periods it holds is read from it, exact as of its refresh
 * (as_of and refreshed_at in the answer); anything else is summed from the
 * rollups at the request. 0 or a negative DB_*. */
#define CONTRIB_MONTHS 25
int contribution_refresh(struct db *db, int64_t today);
/* 1 when the snapshot holds [from, to] (as a whole month, of the month
 * rows, when whole_month), 0 when not, negative DB_*. */
int contribution_snapshot_has(struct db *db, int64_t from, int64_t to, bool whole_month);

/* Individual customers (individual.c): new customers per month over the
 * twelve up to p, business records of p by type, to-dos done in p and
 * overdue now per assignee, birthdays and product maturities of the next
 * 30 days. */
int individual_summary(struct db *db, const struct actor *u, const struct report_period *p,
                       json_t *out);
/* The customers behind "birthdays" or "maturities" (the next 30 days) or
 * "new" (created in p): id, name, customer_no, owner_name, branch_name, on. */
int individual_list(struct db *db, const struct actor *u, const char *kind,
                    const struct report_period *p, int64_t limit, int64_t offset, json_t *out);

/* Service efficiency (service.c) of the tickets u sees (the ticket list's
 * scope) logged in p: totals, leaderboard (per manager, or per branch
 * when by_branch: id, name and the figures of ticket_kpi_json) and trend
 * (months, items: the twelve months up to p's last). */
int service_summary(struct db *db, const struct actor *u, const struct report_period *p,
                    bool by_branch, json_t *out);
/* The service snapshot (migration 0044; service_snap.c), made by
 * health_refresh: the tickets of the last CONTRIB_MONTHS months read
 * (service_gather, before the transaction) and written (service_write,
 * in it). service_snapshot_summary answers service_summary from it: 1
 * having filled out, 0 when it does not hold p and its trend (or u is a
 * portal contact or a key), negative DB_*. */
struct service_cells;
struct service_cells *service_gather(struct db *db, int64_t today, int *rc);
int service_write(struct db *db, const struct service_cells *s);
void service_cells_free(struct service_cells *s);
int service_snapshot_summary(struct db *db, const struct actor *u, const struct report_period *p,
                             bool by_branch, json_t *out);
/* The tickets of p behind a leaderboard row (manager id, 0 for the
 * unassigned, or branch id), newest first. */
int service_tickets(struct db *db, const struct actor *u, const struct report_period *p,
                    bool by_branch, int64_t id, int64_t limit, int64_t offset, json_t *out);

#endif
