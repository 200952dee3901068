/*
 * crm_module.c - the individual-customer module: customers, business
 * records, tasks and reminders (their segments, imports and exports are the
 * record layer's, through the entities registered here).
 */
#include "crm/crm_module.h"

#include "crm/customer.h"
#include "crm/customer_value.h"
#include "crm/group_action.h"
#include "record/entity.h"
#include "crm/interaction.h"
#include "crm/privacy.h"
#include "crm/reminder.h"
#include "crm/retention.h"
#include "crm/task.h"

/* The router takes the first match: customer_value_routes' fixed paths
 * (/customers/duplicate-pairs) come before /customers/{id}. */
static const struct route *const routes[] = {
    customer_value_routes, customers_routes, interactions_routes, tasks_routes, reminders_routes,
    privacy_routes,        retention_routes, group_routes,        NULL,
};

static const struct module_periodic periodic[] = {
    {"reminders", 30, reminders_run},
    {"retention", 3600, retention_periodic},
    {NULL, 0, NULL},
};

static const struct module_job jobs[] = {
    {"retention", retention_job},
    {NULL, NULL},
};

/* In this order: the reminder pass of changed customers reads the lunar
 * birthday column the first keeps. */
static const struct event_handler handlers[] = {
    {"crm.lunar_birthday", NULL, reminders_on_customer_lunar},
    {"crm.reminders_changed", NULL, reminders_on_customer_changed},
    {NULL, NULL, NULL},
};
/* The kinds of record of this module, for the record layer (customers
 * first: the entity an API that names none means). */
static void init(void)
{
    entity_register(&entity_customer);
    entity_register(&entity_interaction);
    customer_erase_init();
}

const struct module crm_module = {.name = "crm",
                                  .routes = routes,
                                  .jobs = jobs,
                                  .periodic = periodic,
                                  .handlers = handlers,
                                  .init = init};
