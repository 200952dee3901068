/*
 * logistics_module.c - the logistics module: the waybill feeds and
 * search, the enterprise shipping figures, the stuck-shipment alerts and
 * their thresholds; its periodic work is the alert pass (every few
 * seconds: it reads only the waybills whose clock ran out) and the daily
 * retention of recipients (and of old event months on PostgreSQL).
 */
#include "logistics/logistics_module.h"

#include "logistics/waybill.h"

static int pass(struct db *db)
{
    int rc = alert_pass(db);
    return rc < 0 ? rc : 0;
}

static const struct route *const routes[] = {waybills_routes, shipping_routes,
                                             waybill_alerts_routes, NULL};

static const struct module_periodic periodic[] = {
    {"logistics.alerts", 5, pass},
    {"logistics.retention", 86400, waybill_retention},
    {NULL, 0, NULL},
};

const struct module logistics_module = {
    .name = "logistics", .routes = routes, .periodic = periodic};
