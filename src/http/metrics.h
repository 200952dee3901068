/*
 * metrics.h - request counters and latency histograms for Prometheus.
 *
 * The server counts every finished request by its route (the route table's
 * pattern, "GET /api/v1/customers/{id}", so the label set is bounded by the
 * route tables, never by ids in paths), by status class, and in a latency
 * histogram. Counting is lock-free (atomics in a fixed table keyed by the
 * route); metrics_write_http() renders them in the Prometheus text format
 * for GET /api/v1/metrics (core/metrics_api.c adds the database, outbox,
 * job and scheduler figures).
 */
#ifndef HY_METRICS_H
#define HY_METRICS_H

#include <stdint.h>

struct route;
struct strbuf;

/* One finished request: route NULL for the web UI's files and for paths
 * no route matched. */
void metrics_observe(const struct route *route, unsigned status, int64_t micros);

/* Append the HTTP metrics (# HELP, # TYPE and samples). */
void metrics_write_http(struct strbuf *out);

#endif
