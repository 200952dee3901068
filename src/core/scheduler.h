/*
 * scheduler.h - the background thread inside the server that delivers the
 * outbox and runs periodic housekeeping (and, with later modules,
 * reminders, SLA timers and rules).
 *
 * Jobs are idempotent: a job with a due time records (kind, subject, due)
 * in job_runs in the same transaction as its effect, so a restart or a
 * second process never runs it twice (scheduler_claim()).
 */
#ifndef HY_SCHEDULER_H
#define HY_SCHEDULER_H

#include <stdbool.h>
#include <stdint.h>

struct db;

/* Run fn on the scheduler thread every `every` seconds, or on every pass
 * (about once a second, and at once after scheduler_wake) when every is 0.
 * Register before scheduler_start; modules do it through their descriptor
 * (core/module.h). */
void scheduler_every(int64_t every, int (*fn)(struct db *db));

int scheduler_start(void);
void scheduler_stop(void);
/* True once scheduler_stop has been called (long periodic work checks it). */
bool scheduler_stopping(void);
/* Run a pass soon (e.g. right after a message was queued). */
void scheduler_wake(void);
/* When the scheduler thread last woke for a round (clock_now()), 0 before
 * its first: a round is due every second, so now minus this is its lag. */
int64_t scheduler_last_round(void);

/* Record that job (kind, subject, due_at) ran, inside the caller's
 * transaction. 1 = claimed now (do the work), 0 = it already ran, <0 error. */
int scheduler_claim(struct db *db, const char *kind, const char *subject, int64_t due_at);

#endif
