/*
 * branches.c - the organisation tree (see branches.h). Each branch keeps a
 * materialised path ('/1/3/7/') so "my branch and everything below" is one
 * indexed prefix match wherever data is scoped.
 */
#include "auth/branches.h"

#include "auth/perm.h"
#include "base/clock.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "core/audit.h"
#include "core/listing.h"
#include "db/db.h"
#include "http/form.h"
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const levels[] = {"province", "city", "branch"};

static int level_index(const char *level)
{
    for (int i = 0; i < 3; i++)
        if (level && strcmp(levels[i], level) == 0)
            return i;
    return -1;
}

int branches_find_code(struct db *db, const char *code, int64_t *id)
{
    return db_query_int(db, "SELECT id FROM branches WHERE code = ?", DB_ARGS(DB_TEXT(code)), id);
}

int branches_create(struct db *db, const char *code, const char *name, const char *level,
                    int64_t parent_id, int64_t *id)
{
    int64_t now = clock_now();
    int rc = db_exec(db,
                     "INSERT INTO branches (code, name, level, parent_id, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     DB_ARGS(DB_TEXT(code), DB_TEXT(name), DB_TEXT(level),
                             DB_INT_OR_NULL(parent_id > 0, parent_id), DB_INT(now), DB_INT(now)));
    if (rc)
        return rc;
    rc = db_query_id(db, "SELECT id FROM branches WHERE code = ?", DB_ARGS(DB_TEXT(code)), id);
    if (rc)
        return rc;
    /* path = parent's path + own id. */
    char own[32];
    snprintf(own, sizeof(own), "%lld/", (long long)*id);
    return db_exec(db,
                   "UPDATE branches SET path = COALESCE((SELECT p.path FROM branches p "
                   "WHERE p.id = branches.parent_id), '/') || ? WHERE id = ?",
                   DB_ARGS(DB_TEXT(own), DB_INT(*id)));
}

#define BRANCH_SELECT                                                                              \
    "SELECT b.id, b.code, b.name, b.level, b.parent_id, b.path, b.version, "                       \
    "(SELECT COUNT(*) FROM users u WHERE u.branch_id = b.id) AS user_count, b.created_at, "        \
    "b.updated_at FROM branches b "

/* {"branch": {...}} with status; 404 or the database error. */
static void reply_branch(struct req *r, unsigned status, int64_t id)
{
    listing_reply_one(r, status, "branch", NULL, BRANCH_SELECT "WHERE b.id = ?",
                      DB_ARGS(DB_INT(id)));
}

static void list(struct req *r)
{
    listing_reply_query(r, NULL, BRANCH_SELECT "ORDER BY b.path", DB_NOARGS);
}

static void create(struct req *r)
{
    struct form f;
    form_init(&f, r);
    const char *code = form_str(&f, "code", true, 32);
    const char *name = form_str(&f, "name", true, 64);
    const char *level = form_str(&f, "level", true, 16);
    int64_t parent_id = 0;
    form_int(&f, "parent_id", false, &parent_id);
    if (code && !validate_chars(code, 1, 32, VALIDATE_ALNUM "-_"))
        form_fail(&f, "code", "field.invalid");
    int li = level_index(level);
    if (level && li < 0)
        form_fail(&f, "level", "field.unknown_level");
    if (li >= 0) {
        /* A province has no parent; a city hangs under a province, a branch
         * under a city. */
        char parent_level[16] = "";
        struct db_stmt *st;
        int found = parent_id > 0
                        ? db_query_row(r->db, &st, "SELECT level FROM branches WHERE id = ?",
                                       DB_ARGS(DB_INT(parent_id)))
                        : 0;
        if (found < 0) {
            form_release(&f);
            reply_db_error(r, found);
            return;
        }
        if (found) {
            snprintf(parent_level, sizeof(parent_level), "%s", db_col_text(st, 0));
            db_finish(st);
        }
        bool ok = li == 0 ? parent_id == 0 : level_index(parent_level) == li - 1;
        if (!ok)
            form_fail(&f, "parent_id", "field.bad_parent");
    }
    if (!form_done(&f))
        return;
    int64_t id = 0;
    if (!audit_begin(r))
        return;
    int rc = branches_create(r->db, code, name, level, parent_id, &id);
    if (audit_end_unique(r, rc, "code", "field.code_taken", "branch.create", "branch", id,
                         json_pack("{s:s,s:s}", "code", code, "name", name)))
        reply_branch(r, 201, id);
}

static void update(struct req *r)
{
    struct form f;
    int64_t id;
    if (!form_init_id(&f, r, 0, &id))
        return;
    const char *name = form_str(&f, "name", true, 64);
    int64_t version = 0;
    form_int(&f, "version", true, &version);
    if (!form_done(&f))
        return;
    if (audit_change(r, id, "SELECT 1 FROM branches WHERE id = ?",
                     "UPDATE branches SET name = ?, version = version + 1, updated_at = ? "
                     "WHERE id = ? AND version = ?",
                     DB_ARGS(DB_TEXT(name), DB_INT(clock_now()), DB_INT(id), DB_INT(version)),
                     "branch.update", "branch", json_pack("{s:s}", "name", name)))
        reply_branch(r, 200, id);
}

static void remove_one(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    if (!audit_begin(r))
        return;
    /* Sub-branches and staff first; the records of later modules
     * (customers) that refer to a branch make the DELETE fail instead. */
    static const struct {
        const char *sql, *reason;
    } in_use[] = {
        {"SELECT 1 FROM branches WHERE parent_id = ? LIMIT 1", "has_children"},
        {"SELECT 1 FROM users WHERE branch_id = ? LIMIT 1", "has_users"},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof(in_use) / sizeof(in_use[0]) && !rc; i++) {
        int64_t one;
        rc = db_query_int(r->db, in_use[i].sql, DB_ARGS(DB_INT(id)), &one);
        if (rc == 1) {
            db_rollback(r->db);
            reply_error_key(r, 409, "conflict", in_use[i].reason);
            return;
        }
    }
    if (!rc)
        rc = db_exec(r->db, "DELETE FROM branches WHERE id = ?", DB_ARGS(DB_INT(id)));
    if (audit_missed(r, rc, NULL, DB_NOARGS))
        return;
    if (!rc)
        rc = audit_write(r->db, r, NULL, "branch.delete", "branch", id, NULL);
    rc = db_end(r->db, rc);
    if (rc) {
        if (rc == DB_CONSTRAINT)
            reply_error_key(r, 409, "conflict", "has_users");
        else
            reply_db_error(r, rc);
        return;
    }
    reply_ok(r);
}

/* The route table branches_routes[], made from branches.routes. */
#include "auth/branches.routes.h"
