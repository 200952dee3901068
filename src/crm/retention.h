/*
 * retention.h - retention of inactive customers (PIPL art. 47): the
 * policy (retain N years, then anonymise or purge), dry runs, and the run
 * of a dry run as a background job in batches. docs/privacy.md says what
 * "no activity" means exactly.
 *
 * Operations follow core/op.h: they take the store and an actor, write
 * their audit entries in their transaction and answer 0, a negative DB_*
 * or an enum op_result with field messages in errors.
 */
#ifndef HY_RETENTION_H
#define HY_RETENTION_H

#include "auth/actor.h"
#include "core/jobs.h"
#include "http/http.h"

#include <jansson.h>
#include <stdint.h>

struct db;

/* The policy: {"years","action","daily","version","updated_at"}. 1, or
 * negative DB_* (*out NULL). */
int retention_policy(struct db *db, json_t **out);
/* Change the policy from in ({"years","action","daily","version"}):
 * OP_INVALID with messages, OP_STALE for an old version. Audit
 * "retention.policy" with the new values. */
int retention_policy_set(struct db *db, const struct actor *a, json_t *in, json_t *errors);
/* A dry run of the policy as it is now: nothing changes but a run row
 * (count, a sample of 20, the cutoff) and the audit entry
 * "retention.dry_run". OP_INVALID (errors["years"]) when the policy is
 * off. *out: the run (see retention_run_json). */
int retention_dry_run(struct db *db, const struct actor *a, json_t *errors, json_t **out);
/* Start the run of dry run run_id, whose count the caller confirms: the
 * policy must be the one it ran with and the same condition must still
 * find count customers, else OP_CONFLICT (errors["count"]: what it finds
 * now); a dry run already started or older than an hour is OP_CONFLICT
 * too. Queues the job; audit "retention.run". */
int retention_start(struct db *db, const struct actor *a, int64_t run_id, int64_t count,
                    json_t *errors, json_t **out);
/* A run as the API shows it (the job's progress with it): 1 with *out,
 * 0 none, negative DB_*. */
int retention_run_json(struct db *db, int64_t id, json_t **out);
/* The last runs, newest first (at most 10). NULL on a database error. */
json_t *retention_runs(struct db *db);

/* The job ("retention"): anonymise or purge in batches. */
int retention_job(struct job *job);
/* Daily when the policy says so: a dry run and its run, as the system. */
int retention_periodic(struct db *db);

extern const struct route retention_routes[];

#endif
