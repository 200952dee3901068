/*
 * vip_module.h - the VIP enterprise module (大客户).
 */
#ifndef HY_VIP_MODULE_H
#define HY_VIP_MODULE_H

#include "core/module.h"

extern const struct module vip_module;

#endif
