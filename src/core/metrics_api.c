/*
 * metrics_api.c - GET /api/v1/metrics in the Prometheus text format: the
 * HTTP layer's request counters and latency histograms (http/metrics.h),
 * and what an operator watches besides: the outbox backlog and its oldest
 * message's age, jobs waiting and running, domain events not yet handed to
 * every consumer, the scheduler's lag, the process's resident memory.
 *
 * The figures below are read when scraped, each with one indexed query, so
 * a scrape every 15 s costs nothing worth measuring.
 */
#include "core/metrics_api.h"

#include "base/clock.h"
#include "base/strbuf.h"
#include "core/perms.h"
#include "core/scheduler.h"
#include "db/db.h"
#include "http/metrics.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define METRICS_CAP (8u << 20)

/* A bearer token when HONGYAN_METRICS_TOKEN is set (compared in constant
 * time), else only a client on this machine. */
static bool allowed(struct req *r)
{
    const char *token = getenv("HONGYAN_METRICS_TOKEN");
    if (token && *token) {
        const char *h = req_header(r, "Authorization");
        size_t n = strlen(token);
        return h && strncmp(h, "Bearer ", 7) == 0 && strlen(h + 7) == n &&
               sodium_memcmp(h + 7, token, n) == 0;
    }
    return strcmp(r->ip, "127.0.0.1") == 0 || strcmp(r->ip, "::1") == 0;
}

static void gauge(struct strbuf *out, const char *name, const char *help, double value)
{
    strbuf_addf(out, "# HELP %s %s\n# TYPE %s gauge\n%s %.17g\n", name, help, name, name, value);
}

/* One integer from the database, or -1 when it could not be read (the
 * scrape still answers; a negative figure says "unknown"). */
static int64_t count(struct db *db, const char *sql)
{
    int64_t v = 0;
    return db_query_int(db, sql, NULL, 0, &v) == 1 ? v : -1;
}

static long rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "re");
    if (!f)
        return -1;
    int n = fscanf(f, "%ld %ld", &pages, &resident);
    fclose(f);
    return n == 2 ? resident * sysconf(_SC_PAGESIZE) : -1;
}

static void metrics(struct req *r)
{
    if (!allowed(r)) {
        reply_error(r, 403, "forbidden");
        return;
    }
    struct strbuf out = STRBUF_INIT(METRICS_CAP);
    strbuf_addf(&out,
                "# HELP hongyan_info The server's database backend.\n"
                "# TYPE hongyan_info gauge\nhongyan_info{db=\"%s\"} 1\n",
                db_backend_name());
    metrics_write_http(&out);
    int64_t now = clock_now();
    gauge(
        &out, "hongyan_outbox_backlog", "Messages waiting to be sent (pending or sending).",
        (double)count(r->db, "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"));
    int64_t oldest = count(r->db, "SELECT COALESCE(MIN(created_at), 0) FROM outbox "
                                  "WHERE status IN ('pending', 'sending')");
    gauge(&out, "hongyan_outbox_oldest_seconds", "Age of the oldest message waiting to be sent.",
          oldest > 0 ? (double)(now - oldest) : 0);
    gauge(&out, "hongyan_outbox_dead", "Messages given up after their retries.",
          (double)count(r->db, "SELECT COUNT(*) FROM outbox WHERE status = 'dead'"));
    gauge(&out, "hongyan_jobs_queued", "Background jobs waiting for a worker.",
          (double)count(r->db, "SELECT COUNT(*) FROM jobs WHERE status = 'queued'"));
    gauge(&out, "hongyan_jobs_running", "Background jobs being run.",
          (double)count(r->db, "SELECT COUNT(*) FROM jobs WHERE status = 'running'"));
    gauge(&out, "hongyan_events_backlog", "Domain events the slowest consumer has not handled yet.",
          (double)count(r->db, "SELECT COALESCE((SELECT MAX(id) FROM domain_events), 0) - "
                               "COALESCE((SELECT MIN(last_id) FROM event_positions), 0)"));
    int64_t round = scheduler_last_round();
    gauge(&out, "hongyan_scheduler_lag_seconds",
          "Seconds since the scheduler's last round (one is due every second).",
          round ? (double)(now - round) : -1);
    gauge(&out, "hongyan_process_resident_memory_bytes", "Resident memory of this process.",
          (double)rss_bytes());
    if (out.failed) {
        strbuf_release(&out);
        reply_error(r, 500, "internal");
        return;
    }
    reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", strbuf_str(&out));
    strbuf_release(&out);
}

#include "core/metrics_api.routes.h"
