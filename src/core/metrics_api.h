/*
 * metrics_api.h - GET /api/v1/metrics (Prometheus), see metrics_api.c.
 */
#ifndef HY_METRICS_API_H
#define HY_METRICS_API_H

#include "http/http.h"

extern const struct route metrics_routes[];

#endif
