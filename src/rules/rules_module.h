/*
 * rules_module.h - the rule engine's module (src/rules/).
 */
#ifndef HY_RULES_MODULE_H
#define HY_RULES_MODULE_H

#include "core/module.h"

extern const struct module rules_module;

#endif
