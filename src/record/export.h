/*
 * export.h - exporting the records of any registered entity (record/
 * entity.h) that its filters find (or all in scope) as CSV or XLSX with the
 * columns the user picks: streamed in constant memory by a background job,
 * masked unless the role may reveal, formula cells neutralised, every
 * export audited.
 */
#ifndef HY_EXPORT_H
#define HY_EXPORT_H

#include "core/jobs.h"
#include "http/http.h"

int export_run(struct job *job);

struct actor;
struct db;

/* A guard over new exports, installed by the approvals module: given the
 * export's entity, its row count, the job's parameters and the audit
 * detail (both borrowed), it files the export for approval instead of
 * letting it run: 1 with *request_id (nothing is queued; the caller
 * answers 202; *request_id 0: guarded but nobody may approve it, 409),
 * 0 go ahead, <0 a DB_* error. */
typedef int (*export_guard_fn)(struct db *db, const struct actor *a, const char *entity,
                               int64_t count, json_t *params, json_t *detail, int64_t *request_id);
void export_set_guard(export_guard_fn fn);

/* Queue the export job of params for user_id (login for the audit entry,
 * detail stolen), inside the caller's open transaction: an approved
 * export. 0 with *id, or a DB_* error. */
int export_enqueue(struct db *db, int64_t user_id, const char *login, json_t *params,
                   json_t *detail, int64_t *id);

extern const struct route exports_routes[];

#endif
