/*
 * mail_module.h - the service mailbox module (see mailin.h).
 */
#ifndef HY_MAIL_MODULE_H
#define HY_MAIL_MODULE_H

#include "core/module.h"

extern const struct module mail_module;
extern const struct route mail_routes[];

#endif
