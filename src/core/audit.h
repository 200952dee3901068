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

/* End a handler's transaction: commit when rc is 0, else roll back and
 * answer the error. True when committed (the caller then replies). */
bool audit_commit(struct req *r, int rc);

/* The whole of a typical DELETE handler: in one transaction run sql (which
 * deletes the row `id`, args bound), answer 404 when nothing matched, else
 * audit `action` on (object_type, id), commit and answer {"ok":true}. */
void audit_delete(struct req *r, const char *sql, const struct db_val *args, int nargs,
                  const char *action, const char *object_type, int64_t id);

extern const struct route audit_routes[];

#endif
