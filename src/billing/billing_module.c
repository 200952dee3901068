/*
 * billing_module.c - the billing module: the price list versions, the
 * enterprises' contract rules, the quote and the waybill's "why this
 * amount". No periodic work yet: statements come next (issue 18).
 */
#include "billing/billing_module.h"

#include "billing/billing.h"

static const struct route *const routes[] = {price_lists_routes, price_rules_routes, pricing_routes,
                                             billing_settings_routes, NULL};

const struct module billing_module = {.name = "billing", .routes = routes};
