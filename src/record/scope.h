/*
 * scope.h - which records a user may see: those of their own branch and
 * every branch below it (admins: all). Enforced in every query of every
 * endpoint, export and report; a record outside the scope is "not found".
 */
#ifndef HY_SCOPE_H
#define HY_SCOPE_H

#include "auth/actor.h"
#include "db/sqlbuf.h"
#include "http/http.h"

/* Append "(<column> within the user's scope)" to b. */
void scope_sql(const struct actor *u, const char *path_column, struct sqlbuf *b);
/* The query of one record by id as u may see it, into b (initialised
 * here; the caller releases it): select ("SELECT … FROM …"), then
 * " WHERE <alias>.id = ? AND " what visible appends for u, and unless
 * deleted " AND <alias>.deleted_at IS NULL". */
void scope_by_id_sql(struct sqlbuf *b, const char *select, const char *alias, int64_t id,
                     bool deleted, const struct actor *u,
                     void (*visible)(const struct actor *u, struct sqlbuf *b));
/* True when a record with branch path `path` is within u's scope. */
bool scope_contains(const struct actor *u, const char *path);
/* A new record starts in its creator's branch: u's branch_id and
 * branch_path into out, when u has a branch (an admin without one names
 * it in the form). */
void scope_put_branch(const struct actor *u, json_t *out);

#endif
