/*
 * statement_state.h - what the statement operations share inside the
 * billing module (statement_status.c): a version's state as a sees it,
 * whether its status allows a change, and a status move (audited, an
 * event). Not for other modules: they go through billing.h.
 */
#ifndef HY_STATEMENT_STATE_H
#define HY_STATEMENT_STATE_H

#include "auth/actor.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

struct stmt {
    int64_t id, ent, total, paid;
    char status[16], period[8];
    bool latest;
};

/* Statement id as a sees it: 0, OP_NOT_FOUND (outside a's scope), DB_*. */
int statement_load(struct db *db, const struct actor *a, int64_t id, struct stmt *s);
/* 0 when s is the latest version and its status is one of allowed; else
 * OP_CONFLICT with errors["message_key"] and errors["status"] saying why. */
int statement_may_move(const struct stmt *s, const char *const *allowed, const char *lang,
                       json_t *errors);
/* Move s to status to inside the caller's transaction (detail, stolen,
 * may be NULL, goes into the audit row and the event). */
int statement_moved(struct db *db, const struct actor *a, const struct stmt *s, const char *to,
                    json_t *detail);
/* errors[key] = the message of msg_key in lang, unless already set. */
void statement_fail(json_t *errors, const char *lang, const char *key, const char *msg_key);

#endif
