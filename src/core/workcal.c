/*
 * workcal.c - PLACEHOLDER of the business calendar: every second counts
 * (7x24), so the service tickets build and run before the real calendar
 * (another branch of issue 17) is merged; that one replaces this file.
 */
#include "core/workcal.h"

int workcal_add(struct db *db, int64_t start, int64_t secs, int64_t *due)
{
    (void)db;
    *due = secs <= 0 ? start : start + secs;
    return 0;
}

int workcal_between(struct db *db, int64_t a, int64_t b, int64_t *secs)
{
    (void)db;
    *secs = b > a ? b - a : 0;
    return 0;
}
