/*
 * billing_module.c - the billing module: the price list versions, the
 * enterprises' contract rules, the quote and the waybill's "why this
 * amount". Periodic work: the monthly statements (statement.c).
 */
#include "billing/billing_module.h"

#include "billing/billing.h"
#include "billing/print_template.h"

static const struct route *const routes[] = {price_lists_routes,    price_rules_routes,
                                             pricing_routes,        billing_settings_routes,
                                             statements_routes,     statement_extra_routes,
                                             finance_routes,        print_templates_routes,
                                             statement_xlsx_routes, NULL};

/* The statements' pass every few seconds: it makes a period's statement
 * once (the unique key), so a repeated pass makes nothing. */
static const struct module_periodic periodic[] = {
    {"billing.statements", 5, statement_pass},
    {NULL, 0, NULL},
};

const struct module billing_module = {
    .name = "billing", .routes = routes, .periodic = periodic, .init = billing_approval_init};
