/*
 * branches.c - the organisation tree (see branches.h). Each branch keeps a
 * materialised path ('/1/3/7/') so "my branch and everything below" is one
 * indexed prefix match wherever data is scoped.
 */
#include "auth/branches.h"

#include "auth/perm.h"
#include "base/clock.h"
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
    if (branches_find_code(db, code, id) != 1)
        return DB_ERROR;
    /* path = parent's path + own id. */
    char own[32];
    snprintf(own, sizeof(own), "%lld/", (long long)*id);
    return db_exec(db,
                   "UPDATE branches SET path = COALESCE((SELECT p.path FROM branches p "
                   "WHERE p.id = branches.parent_id), '/') || ? WHERE id = ?",
                   DB_ARGS(DB_TEXT(own), DB_INT(*id)));
}

static json_t *branch_json(struct db *db, int64_t id)
{
    struct db_stmt *st = db_query(
        db,
        "SELECT b.id, b.code, b.name, b.level, b.parent_id, b.path, b.version, "
        "(SELECT COUNT(*) FROM users u WHERE u.branch_id = b.id) AS user_count, b.created_at, "
        "b.updated_at FROM branches b WHERE b.id = ?",
        DB_ARGS(DB_INT(id)));
    if (!st)
        return NULL;
    json_t *o = db_step(st) == 1 ? listing_row_json(st, NULL) : NULL;
    db_finish(st);
    return o;
}

static void list(struct req *r)
{
    struct db_stmt *st = db_query(
        r->db,
        "SELECT b.id, b.code, b.name, b.level, b.parent_id, b.path, b.version, "
        "(SELECT COUNT(*) FROM users u WHERE u.branch_id = b.id) AS user_count, b.created_at, "
        "b.updated_at FROM branches b ORDER BY b.path",
        DB_NOARGS);
    listing_reply_rows(r, st, NULL);
}

static bool code_valid(const char *code)
{
    size_t n = strlen(code);
    if (n < 1 || n > 32)
        return false;
    for (const char *p = code; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
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
    if (code && !code_valid(code))
        form_fail(&f, "code", "field.invalid");
    int li = level_index(level);
    if (level && li < 0)
        form_fail(&f, "level", "field.unknown_level");
    if (li >= 0) {
        /* A province has no parent; a city hangs under a province, a branch
         * under a city. */
        char parent_level[16] = "";
        if (parent_id > 0) {
            struct db_stmt *st = db_query(r->db, "SELECT level FROM branches WHERE id = ?",
                                          DB_ARGS(DB_INT(parent_id)));
            if (st && db_step(st) == 1)
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
    int rc = db_begin(r->db);
    if (!rc)
        rc = branches_create(r->db, code, name, level, parent_id, &id);
    if (!rc)
        rc = audit_write(r->db, r, NULL, "branch.create", "branch", id,
                         json_pack("{s:s,s:s}", "code", code, "name", name));
    if (!rc)
        rc = db_commit(r->db);
    if (rc) {
        db_rollback(r->db);
        if (rc == DB_CONSTRAINT) {
            reply_conflict(r, "code", "field.code_taken");
            return;
        }
        reply_db_error(r, rc);
        return;
    }
    reply_json(r, 201, json_pack("{s:o}", "branch", branch_json(r->db, id)));
}

static void update(struct req *r)
{
    int64_t id = req_param_id(r, 0);
    if (id < 0) {
        reply_error(r, 404, "not_found");
        return;
    }
    struct form f;
    form_init(&f, r);
    const char *name = form_str(&f, "name", true, 64);
    int64_t version = 0;
    form_int(&f, "version", true, &version);
    if (!form_done(&f))
        return;
    int rc = db_begin(r->db);
    if (!rc)
        rc = db_exec(r->db,
                     "UPDATE branches SET name = ?, version = version + 1, updated_at = ? "
                     "WHERE id = ? AND version = ?",
                     DB_ARGS(DB_TEXT(name), DB_INT(clock_now()), DB_INT(id), DB_INT(version)));
    if (!rc && db_changes(r->db) == 0) {
        db_rollback(r->db);
        int64_t exists;
        if (db_query_int(r->db, "SELECT id FROM branches WHERE id = ?", DB_ARGS(DB_INT(id)),
                         &exists) == 1) {
            reply_error(r, 409, "stale_version");
            return;
        }
        reply_error(r, 404, "not_found");
        return;
    }
    if (!rc)
        rc = audit_write(r->db, r, NULL, "branch.update", "branch", id,
                         json_pack("{s:s}", "name", name));
    if (!audit_commit(r, rc))
        return;
    reply_json(r, 200, json_pack("{s:o}", "branch", branch_json(r->db, id)));
}

static void remove_one(struct req *r)
{
    int64_t id = req_param_id(r, 0);
    if (id < 0) {
        reply_error(r, 404, "not_found");
        return;
    }
    int64_t n = 0;
    int rc = db_begin(r->db);
    if (rc) {
        reply_db_error(r, rc);
        return;
    }
    if (db_query_int(r->db, "SELECT COUNT(*) FROM branches WHERE parent_id = ?",
                     DB_ARGS(DB_INT(id)), &n) == 1 &&
        n > 0) {
        db_rollback(r->db);
        reply_error_key(r, 409, "conflict", "has_children");
        return;
    }
    if (db_query_int(r->db, "SELECT COUNT(*) FROM users WHERE branch_id = ?", DB_ARGS(DB_INT(id)),
                     &n) == 1 &&
        n > 0) {
        db_rollback(r->db);
        reply_error_key(r, 409, "conflict", "has_users");
        return;
    }
    rc = db_exec(r->db, "DELETE FROM branches WHERE id = ?", DB_ARGS(DB_INT(id)));
    if (!rc && db_changes(r->db) == 0) {
        db_rollback(r->db);
        reply_error(r, 404, "not_found");
        return;
    }
    if (!rc)
        rc = audit_write(r->db, r, NULL, "branch.delete", "branch", id, NULL);
    if (!rc)
        rc = db_commit(r->db);
    if (rc) {
        db_rollback(r->db);
        /* Records of later modules (customers) refer to branches too. */
        if (rc == DB_CONSTRAINT)
            reply_error_key(r, 409, "conflict", "has_users");
        else
            reply_db_error(r, rc);
        return;
    }
    reply_ok(r);
}

const struct route branches_routes[] = {
    {"GET", "/api/v1/branches", list, PERM_SIGNED_IN, 0, "The organisation tree, parents first"},
    {"POST", "/api/v1/branches", create, PERM_ADMIN, 0, "Create a province, city or branch"},
    {"PATCH", "/api/v1/branches/{id}", update, PERM_ADMIN, 0, "Rename a branch"},
    {"DELETE", "/api/v1/branches/{id}", remove_one, PERM_ADMIN, 0,
     "Delete a branch without sub-branches or staff"},
    {0},
};
