/*
 * workcal.c - micro-bench of the business calendar (core/workcal.h):
 * workcal_add and workcal_between as the SLA timers call them (the
 * process's cached copy of the calendar, on a throw-away SQLite database
 * with every migration, so 2026 as seeded), over N random starts in
 * 2025-2027 and random durations from one minute to four working weeks.
 * Built by `make build/bench/workcal` against the release objects; run by
 * bench/workcal.sh. Prints one line per measure.
 */
#include "base/date.h"
#include "core/workcal.h"
#include "testdb.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    char dir[] = "/tmp/hongyan-bench-workcal-XXXXXX";
    if (n <= 0 || testdb_open(dir, "bench.db", false))
        return 1;
    struct db *db = db_get();
    int64_t lo = date_start_time((struct date){2025, 1, 1});
    int64_t span = date_start_time((struct date){2028, 1, 1}) - lo;
    int64_t *start = malloc((size_t)n * sizeof *start), *secs = malloc((size_t)n * sizeof *secs);
    uint64_t x = 0x5eed2026;
    for (long i = 0; i < n; i++) {
        start[i] = lo + (int64_t)(next(&x) % (uint64_t)span);
        secs[i] = 60 + (int64_t)(next(&x) % (uint64_t)(4 * 5 * 8 * 3600));
    }
    int64_t due = 0, sum = 0, total = 0;
    if (workcal_add(db, start[0], 60, &due)) /* the first call reads the calendar */
        return 1;

    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        if (workcal_add(db, start[i], secs[i], &due))
            return 1;
        sum += due - start[i];
    }
    double t_add = now_s() - t0;

    t0 = now_s();
    for (long i = 0; i < n; i++) {
        if (workcal_between(db, start[i], start[i] + secs[i] * 3, &total))
            return 1;
        sum += total;
    }
    double t_between = now_s() - t0;

    /* Short durations, as an SLA's first response (15 minutes). */
    t0 = now_s();
    for (long i = 0; i < n; i++) {
        if (workcal_add(db, start[i], 15 * 60, &due))
            return 1;
        sum += due;
    }
    double t_short = now_s() - t0;

    printf("workcal_add, 1 min .. 4 working weeks: %ld calls in %.3f s, %.0f ns a call\n", n,
           t_add, t_add * 1e9 / (double)n);
    printf("workcal_add, 15 min:                    %ld calls in %.3f s, %.0f ns a call\n", n,
           t_short, t_short * 1e9 / (double)n);
    printf("workcal_between, spans up to 60 days:   %ld calls in %.3f s, %.0f ns a call\n", n,
           t_between, t_between * 1e9 / (double)n);
    printf("(checksum %lld)\n", (long long)sum);
    free(start);
    free(secs);
    return testdb_close(dir);
}
