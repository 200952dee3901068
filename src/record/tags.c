/*
 * tags.c - see tags.h.
 */
#include "record/tags.h"

#include "record/entity.h"

#include "auth/perm.h"
#include "base/clock.h"
#include "core/audit.h"
#include "core/listing.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "http/form.h"

#include <stdio.h>
#include <string.h>

json_t *tags_for_objects(struct db *db, const char *entity, const int64_t *ids, size_t n)
{
    json_t *out = json_object();
    if (n == 0)
        return out;
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT ot.object_id, t.id, t.name, g.name, t.color FROM object_tags ot "
                   "JOIN tags t ON t.id = ot.tag_id LEFT JOIN tag_groups g ON g.id = t.group_id "
                   "WHERE ot.entity = ? AND ot.object_id IN (");
    sqlbuf_bind(&b, DB_TEXT(entity));
    for (size_t i = 0; i < n; i++) {
        sqlbuf_add(&b, i ? ", ?" : "?");
        sqlbuf_bind(&b, DB_INT(ids[i]));
    }
    sqlbuf_add(&b, ") ORDER BY g.sort, t.sort, t.id");
    struct db_stmt *st = db_query(db, b.sql, b.args, b.nargs);
    while (st && db_step(st) == 1) {
        char key[24];
        snprintf(key, sizeof(key), "%lld", (long long)db_col_int(st, 0));
        json_t *list = json_object_get(out, key);
        if (!list) {
            list = json_array();
            json_object_set_new(out, key, list);
        }
        json_array_append_new(list,
                              json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)db_col_int(st, 1),
                                        "name", db_col_text(st, 2), "group", db_col_text(st, 3),
                                        "color", db_col_text(st, 4)));
    }
    db_finish(st);
    sqlbuf_release(&b);
    return out;
}

bool tags_exists(struct db *db, int64_t tag_id)
{
    int64_t one;
    return db_query_int(db, "SELECT 1 FROM tags WHERE id = ?", DB_ARGS(DB_INT(tag_id)), &one) == 1;
}

int tags_attach(struct db *db, const char *entity, int64_t object_id, int64_t tag_id)
{
    return db_exec(
        db,
        "INSERT INTO object_tags (entity, object_id, tag_id, created_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        DB_ARGS(DB_TEXT(entity), DB_INT(object_id), DB_INT(tag_id), DB_INT(clock_now())));
}

int tags_detach(struct db *db, const char *entity, int64_t object_id, int64_t tag_id)
{
    return db_exec(db, "DELETE FROM object_tags WHERE entity = ? AND object_id = ? AND tag_id = ?",
                   DB_ARGS(DB_TEXT(entity), DB_INT(object_id), DB_INT(tag_id)));
}

/* GET /tag-groups: groups with their tags and how many customers carry each. */
static void groups_list(struct req *r)
{
    struct db_stmt *st = db_query(r->db,
                                  "SELECT id, name, color, sort, version FROM tag_groups "
                                  "ORDER BY sort, id",
                                  DB_NOARGS);
    if (!st) {
        reply_db_error(r, DB_ERROR);
        return;
    }
    json_t *items = json_array();
    json_t *by_id = json_object();
    while (db_step(st) == 1) {
        json_t *g = listing_row_json(st, r);
        json_object_set_new(g, "tags", json_array());
        json_array_append(items, g);
        char key[24];
        snprintf(key, sizeof(key), "%lld", (long long)db_col_int(st, 0));
        json_object_set_new(by_id, key, g);
    }
    db_finish(st);
    /* The count is of the default entity's records (customer_count: the
     * name the UI reads). */
    const struct entity *e = entity_default();
    st = db_query(r->db,
                  "SELECT t.id, t.name, t.color, t.sort, t.group_id, t.version, "
                  "(SELECT COUNT(*) FROM object_tags ot WHERE ot.tag_id = t.id AND "
                  "ot.entity = ?) AS customer_count FROM tags t ORDER BY t.sort, t.id",
                  DB_ARGS(DB_TEXT(e ? e->name : "")));
    while (st && db_step(st) == 1) {
        char key[24];
        snprintf(key, sizeof(key), "%lld", (long long)db_col_int(st, 4));
        json_t *g = json_object_get(by_id, key);
        if (g)
            json_array_append_new(json_object_get(g, "tags"), listing_row_json(st, r));
    }
    db_finish(st);
    json_decref(by_id);
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static void tags_list(struct req *r)
{
    struct db_stmt *st = db_query(r->db,
                                  "SELECT t.id, t.name, t.color, t.group_id, g.name AS \"group\", "
                                  "t.version FROM tags t LEFT JOIN tag_groups g ON "
                                  "g.id = t.group_id ORDER BY g.sort, t.sort, t.id",
                                  DB_NOARGS);
    listing_reply_rows(r, st, NULL);
}

static bool color_valid(const char *c)
{
    if (strlen(c) != 7 || c[0] != '#')
        return false;
    for (int i = 1; i < 7; i++)
        if (!strchr("0123456789abcdefABCDEF", c[i]))
            return false;
    return true;
}

/* Shared by tag and tag-group create / update. */
static void save(struct req *r, bool group, int64_t id)
{
    struct form f;
    form_init(&f, r);
    const char *name = form_str(&f, "name", id == 0, 32);
    const char *color = form_str(&f, "color", false, 7);
    int64_t sort = 0, group_id = 0, version = 0;
    int has_sort = form_int(&f, "sort", false, &sort);
    int has_group = group ? 0 : form_int(&f, "group_id", id == 0, &group_id);
    if (id)
        form_int(&f, "version", true, &version);
    if (color && !color_valid(color))
        form_fail(&f, "color", "field.invalid");
    if (has_group == 1) {
        int64_t one;
        if (db_query_int(r->db, "SELECT 1 FROM tag_groups WHERE id = ?", DB_ARGS(DB_INT(group_id)),
                         &one) != 1)
            form_fail(&f, "group_id", "field.invalid");
    }
    if (!form_done(&f))
        return;
    int64_t now = clock_now();
    bool created = id == 0;
    int rc = db_begin(r->db);
    if (rc) {
        reply_db_error(r, rc);
        return;
    }
    if (created) {
        if (group)
            rc = db_exec(r->db,
                         "INSERT INTO tag_groups (name, color, sort, created_at, updated_at) "
                         "VALUES (?, ?, ?, ?, ?)",
                         DB_ARGS(DB_TEXT(name), DB_TEXT(color ? color : "#909399"), DB_INT(sort),
                                 DB_INT(now), DB_INT(now)));
        else
            rc =
                db_exec(r->db,
                        "INSERT INTO tags (group_id, name, color, sort, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        DB_ARGS(DB_INT(group_id), DB_TEXT(name), DB_TEXT(color ? color : "#909399"),
                                DB_INT(sort), DB_INT(now), DB_INT(now)));
        if (!rc && db_query_int(r->db,
                                group ? "SELECT id FROM tag_groups WHERE name = ?"
                                      : "SELECT id FROM tags WHERE name = ?",
                                DB_ARGS(DB_TEXT(name)), &id) != 1)
            rc = DB_ERROR;
    } else {
        if (group)
            rc = db_exec(r->db,
                         "UPDATE tag_groups SET name = COALESCE(?, name), color = COALESCE(?, "
                         "color), sort = COALESCE(?, sort), version = version + 1, updated_at = ? "
                         "WHERE id = ? AND version = ?",
                         DB_ARGS(DB_TEXT(name), DB_TEXT(color), DB_INT_OR_NULL(has_sort == 1, sort),
                                 DB_INT(now), DB_INT(id), DB_INT(version)));
        else
            rc = db_exec(r->db,
                         "UPDATE tags SET name = COALESCE(?, name), color = COALESCE(?, color), "
                         "sort = COALESCE(?, sort), group_id = COALESCE(?, group_id), "
                         "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                         DB_ARGS(DB_TEXT(name), DB_TEXT(color), DB_INT_OR_NULL(has_sort == 1, sort),
                                 DB_INT_OR_NULL(has_group == 1, group_id), DB_INT(now), DB_INT(id),
                                 DB_INT(version)));
        if (!rc && db_changes(r->db) == 0) {
            db_rollback(r->db);
            reply_error(r, 409, "stale_version");
            return;
        }
    }
    if (!rc)
        rc = audit_write(r->db, r, NULL, group ? "tag_group.save" : "tag.save",
                         group ? "tag_group" : "tag", id, json_deep_copy(r->json));
    if (!rc)
        rc = db_commit(r->db);
    if (rc) {
        db_rollback(r->db);
        if (rc == DB_CONSTRAINT)
            reply_conflict(r, "name", "field.name_taken");
        else
            reply_db_error(r, rc);
        return;
    }
    json_t *body = json_pack("{s:I}", "id", (json_int_t)id);
    reply_json(r, created ? 201 : 200, body);
}

static void group_create(struct req *r)
{
    save(r, true, 0);
}

static void group_update(struct req *r)
{
    int64_t id = req_id_or_404(r, 0);
    if (id < 0)
        return;
    save(r, true, id);
}

static void tag_create(struct req *r)
{
    save(r, false, 0);
}

static void tag_update(struct req *r)
{
    int64_t id = req_id_or_404(r, 0);
    if (id < 0)
        return;
    save(r, false, id);
}

static void remove_item(struct req *r, bool group)
{
    int64_t id = req_id_or_404(r, 0);
    if (id < 0)
        return;
    int rc = db_begin(r->db);
    if (!rc && group) {
        int64_t n = 0;
        db_query_int(r->db, "SELECT COUNT(*) FROM tags WHERE group_id = ?", DB_ARGS(DB_INT(id)),
                     &n);
        if (n > 0) {
            db_rollback(r->db);
            reply_error_key(r, 409, "conflict", "has_children");
            return;
        }
    }
    if (!rc && !group)
        rc = db_exec(r->db, "DELETE FROM object_tags WHERE tag_id = ?", DB_ARGS(DB_INT(id)));
    if (!rc)
        rc = db_exec(
            r->db, group ? "DELETE FROM tag_groups WHERE id = ?" : "DELETE FROM tags WHERE id = ?",
            DB_ARGS(DB_INT(id)));
    if (!rc && db_changes(r->db) == 0) {
        db_rollback(r->db);
        reply_error(r, 404, "not_found");
        return;
    }
    if (!rc)
        rc = audit_write(r->db, r, NULL, group ? "tag_group.delete" : "tag.delete",
                         group ? "tag_group" : "tag", id, NULL);
    if (!audit_commit(r, rc))
        return;
    reply_ok(r);
}

static void group_delete(struct req *r)
{
    remove_item(r, true);
}

static void tag_delete(struct req *r)
{
    remove_item(r, false);
}

const struct route tags_routes[] = {
    {"GET", "/api/v1/tag-groups", groups_list, PERM_SIGNED_IN, 0, "Tag groups with their tags"},
    {"POST", "/api/v1/tag-groups", group_create, PERM_ADMIN, 0, "Create a tag group"},
    {"PATCH", "/api/v1/tag-groups/{id}", group_update, PERM_ADMIN, 0, "Edit a tag group"},
    {"DELETE", "/api/v1/tag-groups/{id}", group_delete, PERM_ADMIN, 0, "Delete an empty group"},
    {"GET", "/api/v1/tags", tags_list, PERM_SIGNED_IN, 0, "All tags"},
    {"POST", "/api/v1/tags", tag_create, PERM_ADMIN, 0, "Create a tag"},
    {"PATCH", "/api/v1/tags/{id}", tag_update, PERM_ADMIN, 0, "Edit a tag"},
    {"DELETE", "/api/v1/tags/{id}", tag_delete, PERM_ADMIN, 0,
     "Delete a tag (it is removed from every record)"},
    {0},
};
