/*
 * events.h - domain events: a change publishes what happened, in the
 * transaction of the change; consumers registered by the modules
 * (core/module.h) read them in order on the scheduler thread.
 *
 * Contract:
 * - events_publish() inside the caller's transaction: the event exists
 *   exactly when the change does.
 * - Each consumer keeps a stored position (event_positions). A pass hands
 *   it the events after its position in id order; its handler's effects
 *   and the new position commit in one transaction. A handler that fails
 *   rolls back both, and the same events come again on a later pass:
 *   at least once, so handlers must be idempotent.
 * - A new consumer starts at the newest event (it does not replay history)
 *   unless it is registered with events_subscribe_from_start().
 */
#ifndef HY_EVENTS_H
#define HY_EVENTS_H

#include <jansson.h>
#include <stdint.h>

struct db;

struct domain_event {
    int64_t id;
    int64_t at;
    const char *kind;   /* "customer.changed" */
    const char *entity; /* "customer" */
    int64_t object_id;
    int64_t actor_id;      /* 0 for the system */
    const json_t *payload; /* object or NULL; borrowed for the call */
};

/* A consumer of domain events, listed in its module's descriptor
 * (core/module.h). consumer names its stored position. */
struct event_handler {
    const char *consumer;
    const char *kind; /* the event kind it wants ("customer.changed"), or NULL for all */
    int (*handle)(struct db *db, const struct domain_event *ev); /* 0 or negative DB_* */
};

/* Record an event inside the caller's open transaction (payload stolen,
 * may be NULL). 0 or negative DB_*. */
int events_publish(struct db *db, const char *kind, const char *entity, int64_t object_id,
                   int64_t actor_id, json_t *payload);

/* Register a consumer (module start-up, before the scheduler starts). */
void events_subscribe(const struct event_handler *h);

/* Give every registered consumer that has no stored position one at the
 * newest event, so that whatever is published from now on reaches it
 * (start-up, after the modules registered, before serving). 0 or negative
 * DB_*. */
int events_prepare(struct db *db);

/* One pass: every consumer handles the events after its position, batch
 * after batch while they come full, for at most 200 ms each (then the
 * scheduler is woken for another pass). Answers how many events were
 * handled, or a negative DB_*. */
int events_run(struct db *db);
/* The scheduler's hook (every round): events_run once a second, or at once
 * while the last pass left a backlog. */
int events_tick(struct db *db);

/* Forget every consumer (tests). */
void events_reset(void);

#endif
