/*
 * wakeup.c - see wakeup.h.
 */
#include "base/wakeup.h"

#include <time.h>

uint64_t wakeup_seen(struct wakeup *w)
{
    pthread_mutex_lock(&w->mu);
    uint64_t n = w->wakes;
    pthread_mutex_unlock(&w->mu);
    return n;
}

bool wakeup_wait(struct wakeup *w, uint64_t seen, int seconds)
{
    pthread_mutex_lock(&w->mu);
    if (w->wakes == seen && !atomic_load(&w->stop)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += seconds;
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    }
    pthread_mutex_unlock(&w->mu);
    return !atomic_load(&w->stop);
}

void wakeup_wake(struct wakeup *w)
{
    pthread_mutex_lock(&w->mu);
    w->wakes++;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void wakeup_stop(struct wakeup *w)
{
    pthread_mutex_lock(&w->mu);
    atomic_store(&w->stop, true);
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void wakeup_restart(struct wakeup *w)
{
    atomic_store(&w->stop, false);
}

bool wakeup_stopping(struct wakeup *w)
{
    return atomic_load(&w->stop);
}
