/*
 * audit.h - the append-only audit log: who did what to which record, when,
 * from where. Sign-ins, password changes, every admin action, reveals of
 * masked data and exports are recorded. The table refuses UPDATE and DELETE
 * (triggers in the migration).
 */
#ifndef HY_AUDIT_H
#define HY_AUDIT_H

#include "http/http.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct req;
struct db;
struct db_val;

/* Append one entry. r (may be NULL for the command line) gives the user,
 * address and request id; login overrides r's user login when the actor is
 * not signed in (e.g. a failed sign-in). detail is stolen (may be NULL).
 * Call inside the transaction of the change it records, when there is one. */
int audit_write(struct db *db, struct req *r, const char *login, const char *action,
                const char *object_type, int64_t object_id, json_t *detail);
/* The same without a request, for an operation acting for someone: user_id
 * (0: none, stored as NULL), login, ip and request_id (may be NULL) say
 * who and from where. The system is audited as login "system", user 0. */
int audit_write_as(struct db *db, int64_t user_id, const char *login, const char *ip,
                   const char *request_id, const char *action, const char *object_type,
                   int64_t object_id, json_t *detail);

/*
 * A handler's change and its audit entry in one transaction:
 *
 *     if (!audit_begin(r))
 *         return;
 *     int rc = db_exec(r->db, "UPDATE t SET ... WHERE id = ? AND version = ?", ...);
 *     if (audit_missed(r, rc, "SELECT 1 FROM t WHERE id = ?", DB_ARGS(DB_INT(id))))
 *         return;
 *     if (!audit_end(r, rc, "t.update", "t", id, detail))
 *         return;
 *     reply...
 *
 * Each answers the request itself when it returns false (audit_missed: true):
 * a database error is 500 or 503, never a "not found" or a "stale version".
 */

/* Begin the transaction; false, having answered 500/503, when it cannot. */
bool audit_begin(struct req *r);

/*
 * rc is the change's statement. When it succeeded but changed no row, roll
 * back and answer: 404 not_found when exists_sql (NULL: no such check)
 * finds no row, 409 stale_version when it finds one (the version moved
 * on), 500/503 when the database cannot tell; and return true. Otherwise
 * return false and leave the transaction open.
 */
bool audit_missed(struct req *r, int rc, const char *exists_sql, const struct db_val *args,
                  int nargs);

/* End a handler's transaction: commit when rc is 0, else roll back and
 * answer the error. True when committed (the caller then replies). */
bool audit_commit(struct req *r, int rc);

/* Write the audit entry (as audit_write; detail is stolen) when rc is 0,
 * then audit_commit. */
bool audit_end(struct req *r, int rc, const char *action, const char *object_type,
               int64_t object_id, json_t *detail);

/* audit_end for a change a UNIQUE constraint may refuse: that answers 409
 * naming field (reply_conflict(r, field, msg_key)) instead. */
bool audit_end_unique(struct req *r, int rc, const char *field, const char *msg_key,
                      const char *action, const char *object_type, int64_t object_id,
                      json_t *detail);

/*
 * The whole transaction of a change to one row: begin, run sql (args bound:
 * an UPDATE or DELETE of the row id), audit_missed with exists_sql (which
 * binds id alone; NULL when the change checks no version), audit_end with
 * action on (object_type, id) and detail (stolen). True when committed:
 * the caller replies; otherwise the request has its answer.
 */
bool audit_change(struct req *r, int64_t id, const char *exists_sql, const char *sql,
                  const struct db_val *args, int nargs, const char *action, const char *object_type,
                  json_t *detail);

/* The whole of a typical DELETE handler: in one transaction run sql (which
 * deletes the row `id`, args bound), answer 404 when nothing matched, else
 * audit `action` on (object_type, id), commit and answer {"ok":true}. */
void audit_delete(struct req *r, const char *sql, const struct db_val *args, int nargs,
                  const char *action, const char *object_type, int64_t id);

extern const struct route audit_routes[];

#endif
