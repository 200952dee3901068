/*
 * wakeup.h - a background thread's sleep that a wake or a stop cuts short:
 * the one mechanism under the scheduler, the job workers and SQLite's
 * checkpointer (each sleeps a second or so between rounds of work, is woken
 * early when work arrives, and is told to stop at shutdown).
 *
 * Wakes are counted, not flagged: a thread takes wakeup_seen() before a
 * round of work and passes it to wakeup_wait(), which then returns at once
 * when a wake came during the round, so no wake is lost. Thread-safe; a
 * struct wakeup is initialised with WAKEUP_INIT and lives as long as the
 * threads that use it.
 */
#ifndef HY_WAKEUP_H
#define HY_WAKEUP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct wakeup {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t wakes; /* under mu */
    atomic_bool stop;
};

#define WAKEUP_INIT                                                                                \
    {                                                                                              \
        PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false                              \
    }

/* The number of wakes so far, to pass to wakeup_wait(). */
uint64_t wakeup_seen(struct wakeup *w);
/* Sleep up to `seconds`, unless woken since `seen` or stopping. False when
 * stopping (the thread should return). */
bool wakeup_wait(struct wakeup *w, uint64_t seen, int seconds);
/* Cut every sleeper's wait short. */
void wakeup_wake(struct wakeup *w);
/* Tell the sleepers to stop (and wake them), or that they may run again. */
void wakeup_stop(struct wakeup *w);
void wakeup_restart(struct wakeup *w);
/* Whether wakeup_stop() was called since the last wakeup_restart(); cheap
 * enough for loops to poll. */
bool wakeup_stopping(struct wakeup *w);

#endif
