/*
 * report_module.h - the report module: the built-in dashboards of 统计分析
 * (issue 19).
 */
#ifndef HY_REPORT_MODULE_H
#define HY_REPORT_MODULE_H

#include "core/module.h"

extern const struct module report_module;

#endif
