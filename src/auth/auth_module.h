/*
 * auth_module.h - the auth module's descriptor (see core/module.h).
 */
#ifndef HY_AUTH_MODULE_H
#define HY_AUTH_MODULE_H

#include "core/module.h"

extern const struct module auth_module;

#endif
