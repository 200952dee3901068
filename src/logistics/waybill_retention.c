/*
 * waybill_retention.c - how long recipients are kept: the retention
 * policy's years (crm/retention.c keeps the setting) counted from the
 * day a waybill was collected. The recipient's name, phone and address
 * are erased in batches; the waybill and its figures stay.
 *
 * On PostgreSQL the event table is partitioned by month (migration 0022):
 * a month that ended before the cutoff is dropped whole, which frees its
 * space at once instead of deleting millions of rows.
 */
#include "logistics/waybill.h"

#include "base/clock.h"
#include "base/date.h"
#include "base/log.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERASE_BATCH 1000

/* Drop the monthly event partitions (waybill_events_YYYYMM) that end
 * before cutoff. The names come from the catalogue and are checked to be
 * that shape before they go into the statement. */
static int drop_old_months(struct db *db, int64_t cutoff)
{
    struct date c = date_of_time(cutoff);
    long keep_from = c.year * 100L + c.month;
    struct db_stmt *st = db_query(db,
                                  "SELECT c.relname FROM pg_inherits i "
                                  "JOIN pg_class c ON c.oid = i.inhrelid "
                                  "JOIN pg_class p ON p.oid = i.inhparent "
                                  "WHERE p.relname = 'waybill_events'",
                                  DB_NOARGS);
    if (!st)
        return DB_ERROR;
    char names[64][32];
    int n = 0, rc;
    while (n < 64 && (rc = db_step(st)) == 1) {
        const char *name = db_col_text(st, 0);
        const char *digits = name + strlen("waybill_events_");
        if (strncmp(name, "waybill_events_", 15) != 0 || strlen(digits) != 6 ||
            strspn(digits, "0123456789") != 6 || strtol(digits, NULL, 10) >= keep_from)
            continue;
        snprintf(names[n++], sizeof(names[0]), "%s", name);
    }
    db_finish(st);
    for (int i = 0; i < n; i++) {
        char sql[96];
        snprintf(sql, sizeof(sql), "DROP TABLE %.31s", names[i]);
        rc = db_exec(db, sql, DB_NOARGS);
        if (rc)
            return rc;
        log_info("retention: dropped the tracking events of %s", names[i] + 15);
    }
    return 0;
}

int waybill_retention(struct db *db)
{
    int64_t years = 0;
    int rc = db_query_int(db, "SELECT years FROM retention_policy WHERE id = 1", DB_NOARGS, &years);
    if (rc <= 0 || years <= 0)
        return rc < 0 ? rc : 0;
    int64_t now = clock_now();
    struct date today = date_of_time(now);
    struct date cut = {.year = today.year - (int)years, .month = today.month, .day = 1};
    int64_t cutoff = date_start_time(cut);
    for (;;) {
        rc = db_exec(db,
                     "UPDATE waybills SET recipient_name = NULL, recipient_phone = NULL, "
                     "recipient_address = NULL, recipient_erased_at = ? WHERE id IN "
                     "(SELECT id FROM waybills WHERE collected_at < ? AND "
                     "recipient_erased_at IS NULL LIMIT ?)",
                     DB_ARGS(DB_INT(now), DB_INT(cutoff), DB_INT(ERASE_BATCH)));
        if (rc || db_changes(db) < ERASE_BATCH)
            break;
    }
    if (!rc && strcmp(db_backend_name(), "postgres") == 0)
        rc = drop_old_months(db, cutoff);
    return rc;
}
