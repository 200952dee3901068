/*
 * op.h - what a domain operation answers, and its one mapping to HTTP.
 *
 * A domain operation (customer_insert, task_update, ...) takes the store
 * and an actor, never a request, and answers 0, a negative DB_* error, or
 * one of the outcomes below; for OP_INVALID its field messages are in the
 * `errors` object the caller passed (keyed by field, in the actor's
 * language), for OP_DUPLICATE errors["duplicates"] lists the matches
 * (and errors["message_key"], when given, the message's key; OP_CONFLICT
 * takes a message_key too).
 * Handlers, the scheduler, rules and other domains call the same function;
 * only handlers turn the answer into a reply, through op_reply().
 */
#ifndef HY_OP_H
#define HY_OP_H

#include "http/http.h"

#include <jansson.h>
#include <stdbool.h>

enum op_result {
    OP_OK = 0,
    OP_INVALID = 1,   /* field problems in errors: 422 */
    OP_NOT_FOUND = 2, /* no such record, or not the actor's to see: 404 */
    OP_STALE = 3,     /* the version sent is not the stored one: 409 stale_version */
    OP_CONFLICT = 4,  /* the record's state forbids it (a closed task): 409 conflict */
    OP_DUPLICATE = 5, /* same phone or ID number as others: 409 duplicate */
    OP_FORBIDDEN = 6, /* the actor's role may not do this to this record: 403 forbidden */
};

struct db;

/* End an operation's transaction: commit when rc is 0, else (or when the
 * commit fails) roll back. Answers rc, or the commit's error (db_end, by
 * the name the operations use). */
int op_end(struct db *db, int rc);

/* What a validation answers: rc when it failed, else OP_INVALID when
 * errors holds field messages, else 0. */
int op_checked(int rc, json_t *errors);

/* The "version" of an edit's input against the stored record's (the
 * optimistic lock): 0 with *version, OP_INVALID with errors["version"]
 * in lang when it is not an integer, OP_STALE when it is another one. */
int op_check_version(json_t *in, json_t *cur, const char *lang, json_t *errors,
                     json_int_t *version);
/* Answer a failed operation (rc nonzero): the status and error of rc, with
 * the field messages or duplicates of errors (borrowed). False when rc is
 * 0 (nothing sent: the caller replies). */
bool op_reply(struct req *r, int rc, json_t *errors);

#endif
