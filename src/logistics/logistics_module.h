/*
 * logistics_module.h - the logistics module: waybills, tracking events,
 * shipping figures and stuck-shipment alerts (issue 16).
 */
#ifndef HY_LOGISTICS_MODULE_H
#define HY_LOGISTICS_MODULE_H

#include "core/module.h"

extern const struct module logistics_module;

#endif
