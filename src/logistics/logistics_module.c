/*
 * logistics_module.c - the logistics module: the waybill feeds and
 * search, the enterprise shipping figures, the stuck-shipment alerts and
 * their thresholds; its periodic work is the alert pass (every few
 * seconds: it reads only the waybills whose clock ran out) and the daily
 * retention of recipients (and of old event months on PostgreSQL).
 */
#include "logistics/logistics_module.h"

#include "base/clock.h"
#include "base/date.h"
#include "base/log.h"
#include "db/db.h"
#include "logistics/waybill.h"
#include "record/entity.h"

#include <stdint.h>
#include <time.h>

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Keep shipping_today on today's day (written when the day turns). */
static int keep_today(struct db *db)
{
    static int64_t written = -1;
    int64_t today = date_to_days(date_of_time(clock_now()));
    if (today == written)
        return 0;
    int rc = db_exec(db, "UPDATE shipping_today SET day = ? WHERE id = 1", DB_ARGS(DB_INT(today)));
    if (!rc)
        written = today;
    return rc;
}

static int pass(struct db *db)
{
    keep_today(db);
    int64_t t0 = now_ms();
    int rc = alert_pass(db);
    if (rc < 0)
        log_warn("stuck-shipment pass failed (%d); it runs again in a few seconds", rc);
    else if (rc > 0)
        log_info("stuck-shipment pass: %d alerts raised in %lld ms", rc,
                 (long long)(now_ms() - t0));
    return rc < 0 ? rc : 0;
}

static const struct route *const routes[] = {waybills_routes, shipping_routes,
                                             waybill_alerts_routes, NULL};

static const struct module_periodic periodic[] = {
    {"logistics.alerts", 5, pass},
    {"logistics.retention", 86400, waybill_retention},
    {NULL, 0, NULL},
};

/* Waybills join the record layer's export and import (waybill_entity.c). */
static void init(void)
{
    entity_register(&entity_waybill);
}

const struct module logistics_module = {
    .name = "logistics", .routes = routes, .periodic = periodic, .init = init};
