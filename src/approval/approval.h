/*
 * approval.h - approvals (审批流): a guarded change waits as a request
 * until every step of its flow approved it, and is applied by the flow's
 * applier in the transaction of the last approval (docs/decisions/0016).
 *
 * The stable API for the owners of guarded operations and for the rule
 * engine: approval_flow_params() tells whether a flow guards anything and
 * with which thresholds, approval_request() files a change, and an
 * applier registered by the owning module applies it once approved.
 */
#ifndef HY_APPROVAL_H
#define HY_APPROVAL_H

#include "auth/actor.h"
#include "http/http.h"

#include <jansson.h>
#include <stdint.h>

struct db;

/* Applies an approved change inside the approval's open transaction (it
 * must not begin or end one): 0, an OP_* (the approval fails with that
 * answer and nothing of it is kept) or a negative DB_*. approver is the
 * one whose decision completed the flow; payload is the change's "apply"
 * member when the requester gave one, else its "after". */
struct approval_applier {
    const char *flow;
    int (*apply)(struct db *db, const struct actor *approver, const char *entity, int64_t id,
                 const json_t *payload);
};

/* Register an applier (module init, before threads start). */
void approval_register_applier(const struct approval_applier *ap);

/* 1 with *params (a new reference, the flow's thresholds) when flow_key is
 * enabled, 0 when it is disabled or unknown (the change applies directly),
 * negative DB_*. params may be NULL. */
int approval_flow_params(struct db *db, const char *flow_key, json_t **params);

/* File a change for approval: change {"before", "after"[, "apply"]} is
 * stolen. In its own transaction: the request, its first step's
 * approvers (told through notify_user, kind approval.pending), an audit
 * entry and the event approval.requested. OP_OK with *request_id; *request_id
 * 0 when the flow is disabled or unknown (nothing filed: apply directly);
 * OP_CONFLICT when the first step has nobody to decide it but the
 * requester; negative DB_*. */
int approval_request(struct db *db, const struct actor *a, const char *flow_key, const char *entity,
                     int64_t object_id, json_t *change, int64_t *request_id);

/* approval_request in the caller's open transaction (the rule engine's:
 * the request commits with the rule's run); the caller ends it. */
int approval_request_in_tx(struct db *db, const struct actor *a, const char *flow_key,
                           const char *entity, int64_t object_id, json_t *change,
                           int64_t *request_id);

/* The answer of an operation that filed a request instead of changing:
 * 202 {"approval_id", "status": "pending", "message"} in r's language. */
void approval_reply_submitted(struct req *r, int64_t request_id);

/* Decide the current step of request id as a: decision "approve",
 * "reject" or "return", comment (may be NULL; required for reject and
 * return). OP_NOT_FOUND when a is not an approver of the current step (or
 * it is decided), OP_CONFLICT when the request is not pending, OP_INVALID
 * (errors["comment"]), or the applier's answer. */
int approval_decide(struct db *db, const struct actor *a, int64_t id, const char *decision,
                    const char *comment, json_t *errors);
/* Withdraw one's own pending request. */
int approval_cancel(struct db *db, const struct actor *a, int64_t id, const char *comment);

/* The scheduler's pass: remind the approvers of a step half-way to its
 * deadline, escalate to their supervisor past it (once each, across
 * servers). Answers how many it did, or a negative DB_*. */
int approval_sweep(struct db *db);

extern const struct route approvals_routes[];

#endif
