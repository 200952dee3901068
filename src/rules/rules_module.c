/*
 * rules_module.c - the rule engine (流程引擎): its endpoints and the
 * consumer that runs the rules on every domain event (at least once on
 * the scheduler thread; the run row makes each rule run once per event).
 */
#include "rules/rules_module.h"

#include "rules/rules.h"

static const struct route *const routes[] = {rules_routes, templates_routes, NULL};

static const struct event_handler handlers[] = {
    {.consumer = "rules", .kind = NULL, .handle = rule_handle_event},
    {NULL, NULL, NULL},
};

const struct module rules_module = {.name = "rules", .routes = routes, .handlers = handlers};
