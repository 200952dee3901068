/*
 * events.c - see events.h.
 */
#include "core/events.h"

#include "base/clock.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "core/scheduler.h"
#include "db/db.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CONSUMERS 32
#define BATCH         500
#define PASS_MS       200 /* per consumer and pass */

static const struct event_handler *consumers[MAX_CONSUMERS];
static int nconsumers;

int events_publish(struct db *db, const char *kind, const char *entity, int64_t object_id,
                   int64_t actor_id, json_t *payload)
{
    char *text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    json_decref(payload);
    int rc = db_log_append(db);
    if (!rc)
        rc = db_exec(db,
                     "INSERT INTO domain_events (at, kind, entity, object_id, actor_id, payload) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     DB_ARGS(DB_INT(clock_now()), DB_TEXT(kind), DB_TEXT(entity), DB_INT(object_id),
                             DB_INT_OR_NULL(actor_id, actor_id), DB_TEXT(text)));
    free(text);
    return rc;
}

void events_subscribe(const struct event_handler *h)
{
    if (nconsumers == MAX_CONSUMERS) {
        log_error("events: too many consumers, %s not registered", h->consumer);
        return;
    }
    consumers[nconsumers++] = h;
}

void events_reset(void)
{
    nconsumers = 0;
}

/* The stored position of consumer, created at the newest event the first
 * time it is asked for. 0 or negative DB_*. */
static int position(struct db *db, const char *consumer, int64_t *pos)
{
    int rc = db_query_int(db, "SELECT last_id FROM event_positions WHERE consumer = ?",
                          DB_ARGS(DB_TEXT(consumer)), pos);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    rc = db_query_int(db, "SELECT COALESCE(MAX(id), 0) FROM domain_events", NULL, 0, pos);
    if (rc < 0)
        return rc;
    return db_exec(db,
                   "INSERT INTO event_positions (consumer, last_id, updated_at) VALUES (?, ?, ?) "
                   "ON CONFLICT DO NOTHING",
                   DB_ARGS(DB_TEXT(consumer), DB_INT(*pos), DB_INT(clock_now())));
}

int events_prepare(struct db *db)
{
    for (int i = 0; i < nconsumers; i++) {
        int64_t pos;
        int rc = db_begin(db);
        if (!rc)
            rc = position(db, consumers[i]->consumer, &pos);
        if (!rc)
            rc = db_commit(db);
        if (rc) {
            db_rollback(db);
            return rc;
        }
    }
    return 0;
}

/* Hand one consumer the next batch in one transaction. Answers the
 * number of events read, or a negative DB_*. */
static int consume(struct db *db, const struct event_handler *h)
{
    int64_t pos = 0, settled = 0;
    /* Only as far as every writer has finished: a smaller id committed
     * later than a greater one would otherwise be passed for good. */
    int rc = db_log_settled(db, "SELECT COALESCE(max(id), 0) FROM domain_events", &settled);
    if (rc < 0)
        return rc;
    rc = db_begin(db);
    if (!rc)
        rc = position(db, h->consumer, &pos);
    if (rc) {
        db_rollback(db);
        return rc;
    }
    struct db_stmt *st = db_query(db,
                                  "SELECT id, at, kind, entity, object_id, COALESCE(actor_id, 0), "
                                  "payload FROM domain_events WHERE id > ? AND id <= ? "
                                  "ORDER BY id LIMIT ?",
                                  DB_ARGS(DB_INT(pos), DB_INT(settled), DB_INT(BATCH)));
    if (!st) {
        db_rollback(db);
        return DB_ERROR;
    }
    /* Read the batch first: a handler runs its own statements. */
    struct {
        struct domain_event ev;
        char *kind, *entity;
        json_t *payload;
    } *batch = xcalloc(BATCH, sizeof(*batch));
    int n = 0;
    while (n < BATCH && (rc = db_step(st)) == 1) {
        batch[n].ev.id = db_col_int(st, 0);
        batch[n].ev.at = db_col_int(st, 1);
        batch[n].kind = xstrdup(db_col_text(st, 2));
        batch[n].entity = xstrdup(db_col_text(st, 3));
        batch[n].ev.object_id = db_col_int(st, 4);
        batch[n].ev.actor_id = db_col_int(st, 5);
        batch[n].payload = db_col_is_null(st, 6) ? NULL : json_loads(db_col_text(st, 6), 0, NULL);
        n++;
    }
    db_finish(st);
    if (rc < 0)
        n = 0;
    /* A stopping server ends the batch after the event in hand: the
     * position keeps what was done, the rest waits for the next start. */
    for (int i = 0; i < n && rc >= 0 && !(i > 0 && scheduler_stopping()); i++) {
        batch[i].ev.kind = batch[i].kind;
        batch[i].ev.entity = batch[i].entity;
        batch[i].ev.payload = batch[i].payload;
        if (!h->kind || strcmp(h->kind, batch[i].kind) == 0)
            rc = h->handle(db, &batch[i].ev);
        if (rc >= 0)
            pos = batch[i].ev.id;
    }
    if (rc >= 0 && n)
        rc =
            db_exec(db, "UPDATE event_positions SET last_id = ?, updated_at = ? WHERE consumer = ?",
                    DB_ARGS(DB_INT(pos), DB_INT(clock_now()), DB_TEXT(h->consumer)));
    if (rc >= 0)
        rc = db_commit(db);
    else
        db_rollback(db);
    for (int i = 0; i < n; i++) {
        free(batch[i].kind);
        free(batch[i].entity);
        json_decref(batch[i].payload);
    }
    free(batch);
    if (rc < 0) {
        log_error("events: consumer %s failed (%d); it retries on the next pass", h->consumer, rc);
        return rc;
    }
    return n;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether the last pass left a consumer with a full batch (scheduler
 * thread only). */
static bool backlog;

int events_run(struct db *db)
{
    int handled = 0;
    bool more = false;
    for (int i = 0; i < nconsumers && !scheduler_stopping(); i++) {
        /* A consumer takes batch after batch while they come back full (a
         * backlog), for at most PASS_MS, so one busy consumer neither waits
         * a second per 500 events nor starves the others and the rest of
         * the scheduler's work. */
        int64_t until = mono_ms() + PASS_MS;
        int n;
        do {
            n = consume(db, consumers[i]);
            if (n > 0)
                handled += n;
        } while (n == BATCH && mono_ms() < until && !scheduler_stopping());
        more |= n == BATCH;
    }
    backlog = more;
    /* Backlog left: the next pass comes at once, not after the tick. */
    if (more)
        scheduler_wake();
    return handled;
}

int events_tick(struct db *db)
{
    /* Once a second as before (modules' tests and habits count on events
     * being handled at the tick), at once while a backlog lasts. */
    static int64_t last;
    int64_t now = clock_now();
    if (!backlog && now >= last && now - last < 1)
        return 0;
    last = now;
    return events_run(db);
}
