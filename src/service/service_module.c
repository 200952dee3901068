/*
 * service_module.c - the service module: service tickets with their
 * routes, and the periodic work: the SLA sweep (every 5 seconds, so an
 * escalation follows its deadline within the 30 s the issue allows; it
 * reads only tickets whose next due instant passed) and the round-robin
 * pass over the branch queues.
 */
#include "service/service_module.h"

#include "base/log.h"
#include "service/ticket.h"

static int sweep(struct db *db)
{
    int rc = ticket_sla_sweep(db);
    if (rc < 0)
        log_warn("ticket SLA sweep failed (%d); it runs again in a few seconds", rc);
    else if (rc > 0)
        log_info("ticket SLA sweep: %d breaches and escalations", rc);
    return rc < 0 ? rc : 0;
}

static int round_robin(struct db *db)
{
    int rc = ticket_round_robin(db);
    if (rc < 0)
        log_warn("ticket round-robin failed (%d)", rc);
    return rc < 0 ? rc : 0;
}

static const struct route *const routes[] = {tickets_routes, ticket_admin_routes, NULL};

static const struct module_periodic periodic[] = {
    {"service.sla", 5, sweep},
    {"service.round_robin", 10, round_robin},
    {NULL, 0, NULL},
};

const struct module service_module = {.name = "service", .routes = routes, .periodic = periodic};
