/*
 * metrics.c - see metrics.h.
 */
#include "http/metrics.h"

#include "base/strbuf.h"
#include "http/heavy.h"
#include "http/http.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Upper bounds of the latency buckets, in microseconds (+Inf is the count). */
static const int64_t bucket_us[] = {1000,   5000,   10000,   25000,   50000,  100000,
                                    250000, 500000, 1000000, 2500000, 5000000};
#define NBUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]))

/* More slots than routes: the table never fills (a route beyond it would
 * be counted as "other"). */
#define NSLOTS 1024

struct slot {
    _Atomic(const struct route *) route;
    _Atomic uint64_t by_class[5]; /* 1xx .. 5xx */
    _Atomic uint64_t buckets[NBUCKETS];
    _Atomic uint64_t count;
    _Atomic uint64_t sum_us;
};

static struct slot slots[NSLOTS];
static struct slot other; /* the web UI's files, unmatched paths */

static struct slot *slot_for(const struct route *route)
{
    if (!route)
        return &other;
    size_t h = ((uintptr_t)route >> 4) % NSLOTS;
    for (size_t i = 0; i < NSLOTS; i++) {
        struct slot *s = &slots[(h + i) % NSLOTS];
        const struct route *cur = atomic_load_explicit(&s->route, memory_order_acquire);
        if (cur == route)
            return s;
        if (!cur) {
            const struct route *expected = NULL;
            if (atomic_compare_exchange_strong(&s->route, &expected, route) || expected == route)
                return s;
        }
    }
    return &other;
}

void metrics_observe(const struct route *route, unsigned status, int64_t micros)
{
    struct slot *s = slot_for(route);
    unsigned cls = status / 100;
    if (cls >= 1 && cls <= 5)
        atomic_fetch_add_explicit(&s->by_class[cls - 1], 1, memory_order_relaxed);
    for (size_t b = 0; b < NBUCKETS; b++)
        if (micros <= bucket_us[b])
            atomic_fetch_add_explicit(&s->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->sum_us, micros > 0 ? (uint64_t)micros : 0, memory_order_relaxed);
}

static void write_slot(struct strbuf *out, const struct slot *s, const char *label, bool counts)
{
    uint64_t count = atomic_load_explicit(&s->count, memory_order_relaxed);
    if (!count)
        return;
    if (counts) {
        for (int c = 0; c < 5; c++) {
            uint64_t n = atomic_load_explicit(&s->by_class[c], memory_order_relaxed);
            if (n)
                strbuf_addf(out, "hongyan_http_requests_total{route=\"%s\",code=\"%dxx\"} %llu\n",
                            label, c + 1, (unsigned long long)n);
        }
        return;
    }
    for (size_t b = 0; b < NBUCKETS; b++)
        strbuf_addf(out,
                    "hongyan_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                    label, (double)bucket_us[b] / 1e6,
                    (unsigned long long)atomic_load_explicit(&s->buckets[b], memory_order_relaxed));
    strbuf_addf(out,
                "hongyan_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                label, (unsigned long long)count);
    strbuf_addf(out, "hongyan_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", label,
                (double)atomic_load_explicit(&s->sum_us, memory_order_relaxed) / 1e6);
    strbuf_addf(out, "hongyan_http_request_duration_seconds_count{route=\"%s\"} %llu\n", label,
                (unsigned long long)count);
}

/* Route patterns are ours ("GET /api/v1/x/{id}"): letters, digits, / { } _ -
 * and a space, nothing that needs escaping in a label value. */
static void for_each(struct strbuf *out, bool counts)
{
    char label[256];
    for (size_t i = 0; i < NSLOTS; i++) {
        const struct route *r = atomic_load_explicit(&slots[i].route, memory_order_acquire);
        if (!r)
            continue;
        snprintf(label, sizeof(label), "%s %s", r->method, r->path);
        write_slot(out, &slots[i], label, counts);
    }
    write_slot(out, &other, "other", counts);
}

void metrics_write_http(struct strbuf *out)
{
    strbuf_addstr(out, "# HELP hongyan_http_requests_total Finished HTTP requests by route and "
                       "status class.\n# TYPE hongyan_http_requests_total counter\n");
    for_each(out, true);
    strbuf_addstr(out, "# HELP hongyan_http_request_duration_seconds Time from the request's "
                       "arrival to its reply.\n# TYPE hongyan_http_request_duration_seconds "
                       "histogram\n");
    for_each(out, false);
    strbuf_addf(out,
                "# HELP hongyan_http_heavy_in_flight Heavy requests (filtered lists, exports, "
                "bulk changes) being served.\n# TYPE hongyan_http_heavy_in_flight gauge\n"
                "hongyan_http_heavy_in_flight %u\n",
                heavy_in_flight());
}
