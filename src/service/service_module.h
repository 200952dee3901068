/*
 * service_module.h - the service module: tickets (服务工单).
 */
#ifndef HY_SERVICE_MODULE_H
#define HY_SERVICE_MODULE_H

#include "core/module.h"

extern const struct module service_module;

#endif
