/*
 * record_module.h - the record module's descriptor (see core/module.h).
 */
#ifndef HY_RECORD_MODULE_H
#define HY_RECORD_MODULE_H

#include "core/module.h"

extern const struct module record_module;

#endif
