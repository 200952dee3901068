/*
 * conn_watch.c - see conn_watch.h.
 */
#include "http/conn_watch.h"

#include "base/log.h"
#include "base/xmalloc.h"
#include "http/address.h"

#include <pthread.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct watched {
    int fd;
    char address[64];
    bool busy;          /* between complete headers and the end of the response */
    bool ended;         /* shut down by the sweeper */
    int64_t waiting_ms; /* since when it waits for complete headers */
    struct watched *prev, *next;
};

/* The list and every record's fields are guarded by lock. A record leaves
 * the list in the CLOSED notification, which libmicrohttpd sends before it
 * closes the socket: while the sweeper holds the lock and finds a record,
 * its descriptor is still that connection's, never a reused number. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct watched *head;
static pthread_t thread;
static bool running, stopping;
static int64_t deadline_ms;
static unsigned max_per_address;
static bool (*exempt_address)(const char *address);

enum MHD_Result conn_watch_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    (void)cls;
    (void)addrlen;
    char address[64];
    address_text(addr, address, sizeof(address));
    if (!max_per_address || (exempt_address && exempt_address(address)))
        return MHD_YES;
    unsigned held = 0;
    pthread_mutex_lock(&lock);
    for (struct watched *w = head; w && held < max_per_address; w = w->next)
        held += strcmp(w->address, address) == 0;
    pthread_mutex_unlock(&lock);
    return held < max_per_address ? MHD_YES : MHD_NO;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void conn_watch_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct watched *w = xcalloc(1, sizeof(*w));
        w->fd = ci ? ci->connect_fd : -1;
        address_of_connection(conn, w->address, sizeof(w->address));
        w->waiting_ms = mono_ms();
        pthread_mutex_lock(&lock);
        w->next = head;
        if (head)
            head->prev = w;
        head = w;
        pthread_mutex_unlock(&lock);
        *socket_context = w;
        return;
    }
    struct watched *w = *socket_context;
    if (!w)
        return;
    pthread_mutex_lock(&lock);
    if (w->prev)
        w->prev->next = w->next;
    else
        head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    pthread_mutex_unlock(&lock);
    free(w);
    *socket_context = NULL;
}

static struct watched *of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void set_busy(struct MHD_Connection *conn, bool busy)
{
    struct watched *w = of(conn);
    if (!w)
        return;
    pthread_mutex_lock(&lock);
    w->busy = busy;
    if (!busy)
        w->waiting_ms = mono_ms();
    pthread_mutex_unlock(&lock);
}

void conn_watch_busy(struct MHD_Connection *conn)
{
    set_busy(conn, true);
}

void conn_watch_idle(struct MHD_Connection *conn)
{
    set_busy(conn, false);
}

static void *sweep(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    while (!stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 250 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&wake, &lock, &ts);
        int64_t now = mono_ms();
        int ended = 0;
        for (struct watched *w = head; w; w = w->next) {
            if (w->busy || w->ended || w->fd < 0 || now - w->waiting_ms <= deadline_ms)
                continue;
            shutdown(w->fd, SHUT_RDWR);
            w->ended = true;
            ended++;
        }
        if (ended)
            log_warn("ended %d connection(s) whose request headers took over %lld s", ended,
                     (long long)(deadline_ms / 1000));
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int conn_watch_start(unsigned header_seconds, unsigned per_address,
                     bool (*exempt)(const char *address))
{
    deadline_ms = (int64_t)header_seconds * 1000;
    max_per_address = per_address;
    exempt_address = exempt;
    stopping = false;
    if (pthread_create(&thread, NULL, sweep, NULL))
        return -1;
    running = true;
    return 0;
}

void conn_watch_stop(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&lock);
    stopping = true;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    pthread_join(thread, NULL);
    running = false;
}
