/*
 * scope.c - see scope.h. A branch's subtree is the range of paths
 * [path, path-with-its-final-'/'-raised-to-'0'), which both SQLite and
 * PostgreSQL (C collation) answer from an index.
 */
#include "record/scope.h"

#include "auth/actor.h"
#include "auth/perm.h"

#include <stdio.h>
#include <string.h>

void scope_by_id_sql(struct sqlbuf *b, const char *select, const char *alias, int64_t id,
                     bool deleted, const struct actor *u,
                     void (*visible)(const struct actor *u, struct sqlbuf *b))
{
    sqlbuf_init(b);
    sqlbuf_addf(b, "%s WHERE %s.id = ? AND ", select, alias);
    sqlbuf_bind(b, DB_INT(id));
    visible(u, b);
    if (!deleted)
        sqlbuf_addf(b, " AND %s.deleted_at IS NULL", alias);
}

void scope_sql(const struct actor *u, const char *path_column, struct sqlbuf *b)
{
    if (u->perms & PERM_ADMIN) {
        sqlbuf_add(b, "(1 = 1)");
        return;
    }
    size_t n = strlen(u->branch_path);
    if (n < 2 || u->branch_path[n - 1] != '/') {
        sqlbuf_add(b, "(1 = 0)"); /* staff without a branch see no records */
        return;
    }
    char upper[sizeof(u->branch_path)];
    snprintf(upper, sizeof(upper), "%s", u->branch_path);
    upper[n - 1] = '0';
    sqlbuf_addf(b, "(%s >= ? AND %s < ?)", path_column, path_column);
    sqlbuf_bind_text_copy(b, u->branch_path);
    sqlbuf_bind_text_copy(b, upper);
}

bool scope_contains(const struct actor *u, const char *path)
{
    if (u->perms & PERM_ADMIN)
        return true;
    size_t n = strlen(u->branch_path);
    return n >= 2 && path && strncmp(path, u->branch_path, n) == 0;
}

void scope_put_branch(const struct actor *u, json_t *out)
{
    if (!u->branch_id)
        return;
    json_object_set_new(out, "branch_id", json_integer(u->branch_id));
    json_object_set_new(out, "branch_path", json_string(u->branch_path));
}
