/*
 * heavy.c - heavy requests in flight per user (see heavy.h).
 *
 * One short list of (user, count) under a mutex: it holds only users with
 * a heavy request running, so never more entries than worker threads, and
 * a scan of it costs less than the lock.
 */
#include "http/heavy.h"

#include "base/xmalloc.h"

#include <pthread.h>
#include <stddef.h>

struct in_flight {
    int64_t user;
    unsigned count;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct in_flight *list;
static size_t n, cap;
static unsigned total; /* sum of the counts, under lock */

static struct in_flight *find(int64_t user)
{
    for (size_t i = 0; i < n; i++)
        if (list[i].user == user)
            return &list[i];
    return NULL;
}

bool heavy_enter(int64_t user, unsigned limit)
{
    pthread_mutex_lock(&lock);
    struct in_flight *e = find(user);
    bool ok = !limit || !e || e->count < limit; /* counted also without a limit */
    if (ok && e) {
        e->count++;
    } else if (ok) {
        if (n == cap)
            list = xrealloc(list, (cap = cap ? cap * 2 : 16) * sizeof(*list));
        list[n++] = (struct in_flight){.user = user, .count = 1};
    }
    if (ok)
        total++;
    pthread_mutex_unlock(&lock);
    return ok;
}

void heavy_leave(int64_t user)
{
    pthread_mutex_lock(&lock);
    struct in_flight *e = find(user);
    if (e) {
        total--;
        if (--e->count == 0)
            *e = list[--n];
    }
    pthread_mutex_unlock(&lock);
}

unsigned heavy_in_flight(void)
{
    pthread_mutex_lock(&lock);
    unsigned t = total;
    pthread_mutex_unlock(&lock);
    return t;
}
