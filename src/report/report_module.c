/*
 * report_module.c - the report module: the dashboards' routes. It keeps
 * no tables of its own: every figure is read from the waybill rollups and
 * the records when it is asked for (migration 0031 adds the index that
 * walks the rollups by day).
 */
#include "report/report_module.h"

#include "http/http.h"

extern const struct route dashboards_routes[];

static const struct route *const routes[] = {dashboards_routes, NULL};

const struct module report_module = {.name = "report", .routes = routes};
