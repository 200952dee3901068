/*
 * dashboard_api.c - the HTTP side of the dashboards (report.h): read the
 * period, filter and page from the query string, answer 422 naming the
 * parameter for anything else, and reply with what report.h computes.
 */
#include "report/report.h"

#include "base/clock.h"
#include "base/date.h"
#include "core/perms.h"
#include "db/db.h"
#include "http/http.h"

#include <stdlib.h>
#include <string.h>

static const char *query(struct req *r, const char *name)
{
    const char *v = req_query(r, name);
    return v && *v ? v : NULL;
}

/* The period of ?period=&date=; false having replied 422. */
static bool read_period(struct req *r, struct report_period *p)
{
    int rc = report_period_read(query(r, "period"), query(r, "date"), p);
    if (rc == -1)
        reply_invalid(r, json_pack("{s:s}", "period", req_msg(r, "report.period")));
    else if (rc == -2)
        reply_invalid(r, json_pack("{s:s}", "date", req_msg(r, "report.date")));
    return rc == 0;
}

/* ?name= as a whole number in [min, max] (def when absent), into *out;
 * false having replied 422. */
static bool read_int(struct req *r, const char *name, int64_t min, int64_t max, int64_t def,
                     int64_t *out)
{
    const char *s = query(r, name);
    *out = def;
    if (!s)
        return true;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end || v < min || v > max) {
        reply_invalid(r, json_pack("{s:s}", name, req_msg(r, "report.range")));
        return false;
    }
    *out = v;
    return true;
}

static bool read_page(struct req *r, int64_t *limit, int64_t *offset)
{
    return read_int(r, "limit", 1, 200, 50, limit) && read_int(r, "offset", 0, 1000000, 0, offset);
}

static void answer(struct req *r, int rc, json_t *out)
{
    if (rc)
        reply_db_error(r, rc);
    else
        reply_json(r, 200, json_incref(out));
    json_decref(out);
}

/* GET /dashboards/health */
static void health(struct req *r)
{
    json_t *out = json_object();
    answer(r, health_summary(r->db, r->actor, out), out);
}

/* POST /dashboards/refresh: the snapshot made now (its read of every
 * enterprise's rollup days is background work, not cut at a request's
 * statement limit). */
static void refresh(struct req *r)
{
    db_limit_work(r->db, DB_WORK_BACKGROUND);
    int rc = health_refresh(r->db);
    db_limit_work(r->db, DB_WORK_REQUEST);
    json_t *out = json_object();
    int64_t day, at;
    if (!rc)
        rc = health_refreshed(r->db, &day, &at) < 0 ? DB_ERROR : 0;
    if (!rc) {
        char on[11], iso[32];
        date_format(date_from_days(day), on);
        clock_format_iso(at, iso, sizeof(iso));
        json_object_set_new(out, "as_of", json_string(on));
        json_object_set_new(out, "refreshed_at", json_string(iso));
    }
    answer(r, rc, out);
}

/* GET /dashboards/health/enterprises?status= */
static void health_list_get(struct req *r)
{
    const char *status = query(r, "status");
    int s = 0;
    while (s < HEALTH_COUNT && !(status && strcmp(status, health_status_names[s]) == 0))
        s++;
    if (s == HEALTH_COUNT) {
        reply_invalid(r, json_pack("{s:s}", "status", req_msg(r, "report.status")));
        return;
    }
    int64_t limit, offset;
    if (!read_page(r, &limit, &offset))
        return;
    json_t *out = json_object();
    answer(r, health_list(r->db, r->actor, (enum health_status)s, limit, offset, out), out);
}

/* The slice or bar of ?industry=&province=&city=&branch_id=&product=
 * (industry= empty: none given); false having replied 422. */
static bool read_filter(struct req *r, struct contribution_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->industry = req_query(r, "industry");
    f->province = query(r, "province");
    f->city = query(r, "city");
    f->product = query(r, "product");
    if (f->city && !f->province) {
        reply_invalid(r, json_pack("{s:s}", "province", req_msg(r, "report.province")));
        return false;
    }
    return read_int(r, "branch_id", 1, INT64_MAX, 0, &f->branch_id);
}

/* GET /dashboards/contribution */
static void contribution(struct req *r)
{
    struct report_period p;
    struct contribution_filter f;
    if (!read_period(r, &p) || !read_filter(r, &f))
        return;
    json_t *out = json_object();
    answer(r, contribution_summary(r->db, r->actor, &p, &f, out), out);
}

/* GET /dashboards/contribution/enterprises */
static void contribution_list_get(struct req *r)
{
    struct report_period p;
    struct contribution_filter f;
    int64_t limit, offset;
    if (!read_period(r, &p) || !read_filter(r, &f) || !read_page(r, &limit, &offset))
        return;
    json_t *out = json_object();
    answer(r, contribution_list(r->db, r->actor, &p, &f, limit, offset, out), out);
}

/* GET /dashboards/customers */
static void customers(struct req *r)
{
    struct report_period p;
    if (!read_period(r, &p))
        return;
    json_t *out = json_object();
    answer(r, individual_summary(r->db, r->actor, &p, out), out);
}

/* GET /dashboards/customers/list?kind= */
static void customers_list(struct req *r)
{
    const char *kind = query(r, "kind");
    if (!kind || (strcmp(kind, "new") != 0 && strcmp(kind, "birthdays") != 0 &&
                  strcmp(kind, "maturities") != 0)) {
        reply_invalid(r, json_pack("{s:s}", "kind", req_msg(r, "report.kind")));
        return;
    }
    struct report_period p;
    int64_t limit, offset;
    if (!read_period(r, &p) || !read_page(r, &limit, &offset))
        return;
    json_t *out = json_object();
    answer(r, individual_list(r->db, r->actor, kind, &p, limit, offset, out), out);
}

/* ?group= manager (the default) or branch into *by_branch; false having
 * replied 422. */
static bool read_group(struct req *r, bool *by_branch)
{
    const char *g = query(r, "group");
    *by_branch = g && strcmp(g, "branch") == 0;
    if (g && !*by_branch && strcmp(g, "manager") != 0) {
        reply_invalid(r, json_pack("{s:s}", "group", req_msg(r, "report.group")));
        return false;
    }
    return true;
}

/* GET /dashboards/service */
static void service(struct req *r)
{
    struct report_period p;
    bool by_branch;
    if (!read_period(r, &p) || !read_group(r, &by_branch))
        return;
    json_t *out = json_object();
    answer(r, service_summary(r->db, r->actor, &p, by_branch, out), out);
}

/* GET /dashboards/service/tickets?group=&id= */
static void service_tickets_get(struct req *r)
{
    struct report_period p;
    bool by_branch;
    int64_t id, limit, offset;
    if (!read_period(r, &p) || !read_group(r, &by_branch) ||
        !read_int(r, "id", by_branch ? 1 : 0, INT64_MAX, -1, &id) || !read_page(r, &limit, &offset))
        return;
    if (id < 0) {
        reply_invalid(r, json_pack("{s:s}", "id", req_msg(r, "report.row")));
        return;
    }
    json_t *out = json_object();
    answer(r, service_tickets(r->db, r->actor, &p, by_branch, id, limit, offset, out), out);
}

#include "report/dashboard_api.routes.h"
