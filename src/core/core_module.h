/*
 * core_module.h - the core module's descriptor (see core/module.h).
 */
#ifndef HY_CORE_MODULE_H
#define HY_CORE_MODULE_H

#include "core/module.h"

extern const struct module core_module;

#endif
