/*
 * notify_module.h - the notification channels module (src/notify/).
 */
#ifndef HY_NOTIFY_MODULE_H
#define HY_NOTIFY_MODULE_H

#include "core/module.h"

extern const struct module notify_module;

#endif
