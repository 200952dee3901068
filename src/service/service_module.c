/*
 * service_module.c - the service module: service tickets with their
 * routes, and the periodic work: the SLA sweep (every scheduler round, a
 * second: an escalation follows its deadline within seconds, well inside
 * the 30 s the issue allows; when nothing is due it is one probe of the
 * next_due_at index) and the round-robin pass over the branch queues.
 */
#include "service/service_module.h"

#include "base/log.h"
#include "core/events.h"
#include "service/ticket.h"
#include "service/ticket_survey.h"

#include <time.h>

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int sweep(struct db *db)
{
    int64_t t0 = now_us();
    int rc = ticket_sla_sweep(db);
    if (rc < 0)
        log_warn("ticket SLA sweep failed (%d); it runs again in a second", rc);
    else if (rc > 0)
        log_info("ticket SLA sweep: %d breaches and escalations in %.1f ms", rc,
                 (double)(now_us() - t0) / 1000.0);
    return rc < 0 ? rc : 0;
}

static int round_robin(struct db *db)
{
    int rc = ticket_round_robin(db);
    if (rc < 0)
        log_warn("ticket round-robin failed (%d)", rc);
    return rc < 0 ? rc : 0;
}

extern const struct route portal_routes[];

static const struct route *const routes[] = {ticket_kpi_routes,    tickets_routes,
                                             ticket_admin_routes,  portal_routes,
                                             ticket_survey_routes, NULL};

/* The survey on resolution, and the e-mail channel: each stored message
 * of the service mailbox. */
static const struct event_handler handlers[] = {
    {"service.survey", "ticket.status_changed", ticket_survey_on_status},
    {"service.ticket_mail", "mail.received", ticket_mail_received},
    {NULL, NULL, NULL},
};

static const struct module_periodic periodic[] = {
    {"service.sla", 1, sweep},
    {"service.round_robin", 10, round_robin},
    {NULL, 0, NULL},
};

const struct module service_module = {
    .name = "service", .routes = routes, .periodic = periodic, .handlers = handlers};
