/*
 * tags.c - see tags.h.
 */
#include "record/tags.h"

#include "record/entity.h"
#include "record/history.h"

#include "auth/perm.h"
#include "base/clock.h"
#include "base/i18n.h"
#include "base/validate.h"
#include "core/audit.h"
#include "core/listing.h"
#include "core/op.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "http/form.h"

#include <stdio.h>
#include <string.h>

void tags_put(json_t *o, json_t *tags, int64_t id)
{
    char key[24];
    snprintf(key, sizeof(key), "%lld", (long long)id);
    json_t *list = json_object_get(tags, key);
    json_object_set_new(o, "tags", list ? json_incref(list) : json_array());
}

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
    int rc;
    while ((rc = db_step(st)) == 1) {
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
    if (rc == 0 && !st)
        rc = DB_ERROR;
    while (rc == 0 && (rc = db_step(st)) == 1) {
        char key[24];
        snprintf(key, sizeof(key), "%lld", (long long)db_col_int(st, 4));
        json_t *g = json_object_get(by_id, key);
        if (g)
            json_array_append_new(json_object_get(g, "tags"), listing_row_json(st, r));
        rc = 0;
    }
    db_finish(st);
    json_decref(by_id);
    if (rc < 0) { /* a failed step is no shorter list */
        json_decref(items);
        reply_db_error(r, rc);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static void tags_list(struct req *r)
{
    listing_reply_query(r, NULL,
                        "SELECT t.id, t.name, t.color, t.group_id, g.name AS \"group\", "
                        "t.version FROM tags t LEFT JOIN tag_groups g ON "
                        "g.id = t.group_id ORDER BY g.sort, t.sort, t.id",
                        DB_NOARGS);
}

static bool color_valid(const char *c)
{
    return c[0] == '#' && validate_chars(c + 1, 6, 6, "0123456789abcdefABCDEF");
}

/* What a tag or tag-group create / update sets (has_*: given). */
struct tag_input {
    const char *name, *color;
    int64_t sort, group_id, version;
    bool has_sort, has_group;
};

/* Insert a tag or group from in; *id gets its id. 0 or negative DB_E*. */
static int insert_tag(struct db *db, bool group, const struct tag_input *in, int64_t *id)
{
    int64_t now = clock_now();
    const char *color = in->color ? in->color : "#909399";
    int rc = group ? db_exec(db,
                             "INSERT INTO tag_groups (name, color, sort, created_at, updated_at) "
                             "VALUES (?, ?, ?, ?, ?)",
                             DB_ARGS(DB_TEXT(in->name), DB_TEXT(color), DB_INT(in->sort),
                                     DB_INT(now), DB_INT(now)))
                   : db_exec(db,
                             "INSERT INTO tags (group_id, name, color, sort, created_at, "
                             "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                             DB_ARGS(DB_INT(in->group_id), DB_TEXT(in->name), DB_TEXT(color),
                                     DB_INT(in->sort), DB_INT(now), DB_INT(now)));
    if (!rc)
        rc = db_query_id(db,
                         group ? "SELECT id FROM tag_groups WHERE name = ?"
                               : "SELECT id FROM tags WHERE name = ?",
                         DB_ARGS(DB_TEXT(in->name)), id);
    return rc;
}

/* Update tag or group id at in->version with what in gives; 0 (see
 * db_changes: none when the row or its version is gone) or DB_E*. */
static int update_tag(struct db *db, bool group, int64_t id, const struct tag_input *in)
{
    int64_t now = clock_now();
    struct db_val sort = DB_INT_OR_NULL(in->has_sort, in->sort);
    if (group)
        return db_exec(db,
                       "UPDATE tag_groups SET name = COALESCE(?, name), color = COALESCE(?, "
                       "color), sort = COALESCE(?, sort), version = version + 1, updated_at = ? "
                       "WHERE id = ? AND version = ?",
                       DB_ARGS(DB_TEXT(in->name), DB_TEXT(in->color), sort, DB_INT(now), DB_INT(id),
                               DB_INT(in->version)));
    return db_exec(db,
                   "UPDATE tags SET name = COALESCE(?, name), color = COALESCE(?, color), "
                   "sort = COALESCE(?, sort), group_id = COALESCE(?, group_id), "
                   "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                   DB_ARGS(DB_TEXT(in->name), DB_TEXT(in->color), sort,
                           DB_INT_OR_NULL(in->has_group, in->group_id), DB_INT(now), DB_INT(id),
                           DB_INT(in->version)));
}

/* Shared by tag and tag-group create / update. */
static void save(struct req *r, bool group, int64_t id)
{
    struct form f;
    form_init(&f, r);
    struct tag_input in = {.name = form_str(&f, "name", id == 0, 32),
                           .color = form_str(&f, "color", false, 7)};
    in.has_sort = form_int(&f, "sort", false, &in.sort) == 1;
    in.has_group = !group && form_int(&f, "group_id", id == 0, &in.group_id) == 1;
    if (id)
        form_int(&f, "version", true, &in.version);
    if (in.color && !color_valid(in.color))
        form_fail(&f, "color", "field.invalid");
    int64_t one;
    int found = in.has_group ? db_query_int(r->db, "SELECT 1 FROM tag_groups WHERE id = ?",
                                            DB_ARGS(DB_INT(in.group_id)), &one)
                             : 1;
    if (found < 0) {
        form_release(&f);
        reply_db_error(r, found);
        return;
    }
    if (!found)
        form_fail(&f, "group_id", "field.invalid");
    if (!form_done(&f) || !audit_begin(r))
        return;
    bool created = id == 0;
    int rc = created ? insert_tag(r->db, group, &in, &id) : update_tag(r->db, group, id, &in);
    if (!created && audit_missed(r, rc,
                                 group ? "SELECT 1 FROM tag_groups WHERE id = ?"
                                       : "SELECT 1 FROM tags WHERE id = ?",
                                 DB_ARGS(DB_INT(id))))
        return;
    if (audit_end_unique(r, rc, "name", "field.name_taken", group ? "tag_group.save" : "tag.save",
                         group ? "tag_group" : "tag", id, json_deep_copy(r->json)))
        reply_json(r, created ? 201 : 200, json_pack("{s:I}", "id", (json_int_t)id));
}

static void group_create(struct req *r)
{
    save(r, true, 0);
}

/* A tag group's or a tag's edit: the {id} of the path, then save. */
static void update(struct req *r, bool group)
{
    int64_t id;
    if (req_param_id_or_404(r, 0, &id))
        save(r, group, id);
}

static void group_update(struct req *r)
{
    update(r, true);
}

static void tag_create(struct req *r)
{
    save(r, false, 0);
}

static void tag_update(struct req *r)
{
    update(r, false);
}

static void remove_item(struct req *r, bool group)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    int rc = db_begin(r->db);
    if (!rc && group) {
        int64_t n = 0;
        rc = db_query_int(r->db, "SELECT COUNT(*) FROM tags WHERE group_id = ?",
                          DB_ARGS(DB_INT(id)), &n);
        if (rc == 1 && n > 0) {
            db_rollback(r->db);
            reply_error_key(r, 409, "conflict", "has_children");
            return;
        }
        rc = rc < 0 ? rc : 0;
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

/* The route table tags_routes[], made from tags.routes. */
int tags_note(struct db *db, struct req *who, const char *entity, int64_t id, int64_t tag_id,
              bool added)
{
    struct db_stmt *st;
    int got = db_query_row(db, &st, "SELECT name FROM tags WHERE id = ?", DB_ARGS(DB_INT(tag_id)));
    if (got != 1)
        return got < 0 ? got : 0; /* a tag gone meanwhile: nothing to name */
    json_t *name = json_string(db_col_text(st, 0));
    db_finish(st);
    int rc = history_note(db, who, entity, id, "tags", added ? NULL : name, added ? name : NULL);
    json_decref(name);
    return rc;
}

int tags_attach_list(struct db *db, struct req *who, const char *lang, const char *entity,
                     int64_t id, json_t *ids, json_t *errors)
{
    if (!ids)
        return 0;
    if (!json_is_array(ids) || json_array_size(ids) > 50) {
        json_object_set_new(errors, "tag_ids", json_string(i18n_msg(lang, "field.not_array")));
        return OP_INVALID;
    }
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        if (!json_is_integer(v) || !tags_exists(db, json_integer_value(v))) {
            json_object_set_new(errors, "tag_ids",
                                json_string(i18n_msg(lang, "field.unknown_tag")));
            return OP_INVALID;
        }
        int rc = tags_attach(db, entity, id, json_integer_value(v));
        if (!rc && db_changes(db) == 1)
            rc = tags_note(db, who, entity, id, json_integer_value(v), true);
        if (rc)
            return rc;
    }
    return 0;
}

int tags_attach_as(struct db *db, const struct actor *a, const char *entity, int64_t id,
                   json_t *ids, json_t *errors)
{
    struct req who;
    history_author(a, &who);
    return tags_attach_list(db, &who, a->lang, entity, id, ids, errors);
}

int tags_attach_created(struct db *db, const struct actor *a, const char *entity, int64_t id,
                        json_t *in, json_t *errors)
{
    int rc = tags_attach_as(db, a, entity, id, json_object_get(in, "tag_ids"), errors);
    if (rc)
        return rc;
    char action[64];
    snprintf(action, sizeof action, "%s.create", entity);
    return actor_audit(db, a, action, entity, id, NULL);
}

#include "record/tags.routes.h"
