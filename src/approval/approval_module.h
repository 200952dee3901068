/*
 * approval_module.h - the approvals module (审批流).
 */
#ifndef HY_APPROVAL_MODULE_H
#define HY_APPROVAL_MODULE_H

#include "core/module.h"

extern const struct module approval_module;

#endif
