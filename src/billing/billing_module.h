/*
 * billing_module.h - the billing module: list prices, contract prices and
 * the pricing engine (issue 18, first part).
 */
#ifndef HY_BILLING_MODULE_H
#define HY_BILLING_MODULE_H

#include "core/module.h"

extern const struct module billing_module;

#endif
