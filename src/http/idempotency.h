/*
 * idempotency.h - Idempotency-Key on POST (issue 20), once for every route:
 * the first answer (status and JSON body) to a caller's key is kept for 24
 * hours; a repeat with the same request (method, path and body) gets that
 * answer again without running anything, a repeat with another request is
 * refused (422), and a repeat while the first still runs is told to retry
 * (409 with Retry-After) instead of running the change twice.
 *
 * The claim is a row (idempotency_keys, primary key caller + key) inserted
 * before the handler runs: of two concurrent requests one inserts it and
 * runs, the other finds it. A row left pending by a process that died is
 * given up after five minutes. A 5xx or 429 answer, or one that is not
 * JSON, is not kept: the client may retry for real.
 */
#ifndef HY_IDEMPOTENCY_H
#define HY_IDEMPOTENCY_H

#include "http/http.h"

struct db;

enum idem_state {
    IDEM_NONE = 0, /* no key (or not a POST of a known caller): run as usual */
    IDEM_CLAIMED,  /* run, then idem_finish */
    IDEM_ANSWERED, /* replied already (replay, conflict, in progress or error) */
};

/* Before the handler (after the gate). */
enum idem_state idem_begin(struct req *r);
/* After the handler's final answer: keep it, or release the claim. */
void idem_finish(struct req *r);
/* Forget the answers older than 24 hours (periodic work). 0 or negative DB_*. */
int idem_prune(struct db *db);

#endif
