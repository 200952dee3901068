/*
 * scheduler.c - see scheduler.h.
 */
#include "core/scheduler.h"

#include "base/clock.h"
#include "base/log.h"
#include "base/wakeup.h"
#include "db/db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

/* Every module's periodic work (five modules held eight, and the service
 * and mail modules' were once silently left out: a full table now stops
 * the start instead). */
#define MAX_HOOKS 32

static struct {
    int64_t every, last;
    int (*fn)(struct db *db);
} hooks[MAX_HOOKS];
static int nhooks;

void scheduler_every(int64_t every, int (*fn)(struct db *db))
{
    if (nhooks == MAX_HOOKS) {
        log_error("scheduler: more than %d periodic hooks; raise MAX_HOOKS", MAX_HOOKS);
        abort();
    }
    hooks[nhooks].every = every;
    hooks[nhooks].last = 0;
    hooks[nhooks].fn = fn;
    nhooks++;
}

static pthread_t thread;
static struct wakeup tick = WAKEUP_INIT; /* a second between rounds, or a wake */
static bool running;
static _Atomic int64_t last_round; /* clock of the last round, for /metrics */

int64_t scheduler_last_round(void)
{
    return last_round;
}

int scheduler_claim(struct db *db, const char *kind, const char *subject, int64_t due_at)
{
    int rc = db_exec(db,
                     "INSERT INTO job_runs (kind, subject, due_at, done_at) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT DO NOTHING",
                     DB_ARGS(DB_TEXT(kind), DB_TEXT(subject), DB_INT(due_at), DB_INT(clock_now())));
    if (rc)
        return rc;
    return db_changes(db) == 1 ? 1 : 0;
}

static void *run(void *arg)
{
    (void)arg;
    struct db *db = db_get();
    db_limit_work(db, DB_WORK_BACKGROUND);
    int was_leader = -1;
    log_info("scheduler started");
    uint64_t seen = wakeup_seen(&tick);
    while (wakeup_wait(&tick, seen, 1)) {
        seen = wakeup_seen(&tick);
        last_round = clock_now();
        /* Several servers may share one PostgreSQL database: only the one
         * holding the leader lock runs scheduled work; the others take over
         * within a second of its death. */
        int leader = db_leader(db);
        if (leader != was_leader && leader >= 0) {
            log_info(leader ? "scheduler: this process now runs the scheduled work"
                            : "scheduler: another process runs the scheduled work");
            was_leader = leader;
        }
        if (leader != 1)
            continue;
        for (int i = 0; i < nhooks; i++) {
            int64_t now = clock_now();
            if (hooks[i].every == 0 || now - hooks[i].last >= hooks[i].every ||
                now < hooks[i].last) {
                hooks[i].last = now;
                hooks[i].fn(db);
            }
        }
    }
    db_release_thread();
    log_info("scheduler stopped");
    return NULL;
}

int scheduler_start(void)
{
    wakeup_restart(&tick);
    if (pthread_create(&thread, NULL, run, NULL))
        return -1;
    running = true;
    return 0;
}

void scheduler_stop(void)
{
    if (!running)
        return;
    wakeup_stop(&tick);
    pthread_join(thread, NULL);
    running = false;
}

bool scheduler_stopping(void)
{
    return wakeup_stopping(&tick);
}

void scheduler_wake(void)
{
    wakeup_wake(&tick);
}
