/*
 * core_module.c - the core module: the audit log, dev-mailbox and business
 * calendar routes, outbox configuration, and the domain-event pass.
 */
#include "core/core_module.h"

#include "core/audit.h"
#include "core/events.h"
#include "core/metrics_api.h"
#include "core/outbox.h"
#include "http/idempotency.h"
#include "core/workcal_api.h"

static const struct route *const routes[] = {
    audit_routes, outbox_routes, metrics_routes, workcal_routes, NULL,
};

static const struct module_periodic periodic[] = {
    {"outbox", 0, outbox_drain},
    /* Every pass, so a backlog continues at once; once a second otherwise. */
    {"events", 0, events_tick},
    /* Idempotency keys' answers outlive their 24 hours by at most an hour. */
    {"idempotency", 3600, idem_prune},
    {NULL, 0, NULL},
};

const struct module core_module = {
    .name = "core", .routes = routes, .periodic = periodic, .init = outbox_configure};
