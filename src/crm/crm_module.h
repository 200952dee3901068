/*
 * crm_module.h - the crm module's descriptor (see core/module.h).
 */
#ifndef HY_CRM_MODULE_H
#define HY_CRM_MODULE_H

#include "core/module.h"

extern const struct module crm_module;

#endif
