/*
 * report_module.c - the report module: the dashboards' routes, and the
 * periodic refresh of the dashboards' snapshots (health, migration 0034;
 * contribution and service efficiency, 0044; made together by
 * health_refresh):
 * checked every minute, made again when the day has turned since the last
 * one or it is REPORT_REFRESH_SECONDS old (one server per slot,
 * scheduler_claim). The individual customers' figures are read when
 * asked for.
 */
#include "report/report_module.h"

#include "base/clock.h"
#include "base/date.h"
#include "base/log.h"
#include "core/scheduler.h"
#include "db/db.h"
#include "http/http.h"
#include "report/builder.h"
#include "report/report.h"
#include "report/saved.h"

extern const struct route dashboards_routes[];
extern const struct route builder_routes[];

static const struct route *const routes[] = {dashboards_routes, builder_routes, NULL};

static int refresh_due(struct db *db)
{
    int64_t day, at, now = clock_now();
    int rc = health_refreshed(db, &day, &at);
    if (rc < 0)
        return rc;
    if (rc && day == date_to_days(date_of_time(now)) && now - at < REPORT_REFRESH_SECONDS)
        return 0;
    /* One server of several builds each ten-minute slot: the pass reads
     * every rollup and ticket of two years, not work to do twice. A slot
     * whose build fails is tried again in the next one. */
    rc = db_begin(db);
    if (rc)
        return rc;
    int claimed = scheduler_claim(db, "report.snapshot", "all",
                                  now / REPORT_REFRESH_SECONDS * REPORT_REFRESH_SECONDS);
    rc = db_end(db, claimed < 0 ? claimed : 0);
    if (rc || claimed <= 0)
        return rc;
    rc = health_refresh(db);
    if (rc)
        log_warn("health snapshot refresh failed (%d); it is tried again in a minute", rc);
    return rc;
}

static const struct module_periodic periodic[] = {
    {"report.health_snapshot", 60, refresh_due},
    {"report.mail", 60, saved_mail_due},
    {NULL, 0, NULL},
};

const struct module report_module = {
    .name = "report", .routes = routes, .periodic = periodic, .init = builder_configure};
