/*
 * tags_bulk.c - tags put on or taken off every record of a target group
 * (record/group.h), for any entity that takes tags: the customers' and
 * the enterprises' bulk-tags endpoints both answer through it.
 */
#include "record/tags.h"

#include "base/clock.h"
#include "base/xmalloc.h"
#include "core/audit.h"
#include "record/entity.h"
#include "record/group.h"
#include "record/history.h"
#include "db/db.h"

#include <stdlib.h>

/* 变更历史 of a bulk tag change, written before the change is made: one
 * row for each record w selects whose tags it will really change (added:
 * those without the tag; removed: those with it), in one statement. */
static int note_bulk_tag(struct req *r, const struct entity *e, const struct sqlbuf *w,
                         int64_t tag_id, bool added)
{
    struct db_stmt *st;
    int got =
        db_query_row(r->db, &st, "SELECT name FROM tags WHERE id = ?", DB_ARGS(DB_INT(tag_id)));
    json_t *name = got == 1 ? json_string(db_col_text(st, 0)) : NULL;
    db_finish(st);
    if (got != 1)
        return got < 0 ? got : 0;
    struct sqlbuf ids;
    sqlbuf_init(&ids);
    sqlbuf_addf(&ids,
                "SELECT %s.id FROM %s %s WHERE %s (SELECT 1 FROM object_tags ot WHERE "
                "ot.entity = ? AND ot.object_id = %s.id AND ot.tag_id = ?) AND (",
                e->alias, e->table, e->alias, added ? "NOT EXISTS" : "EXISTS", e->alias);
    sqlbuf_bind(&ids, DB_TEXT(e->name));
    sqlbuf_bind(&ids, DB_INT(tag_id));
    sqlbuf_append(&ids, w);
    sqlbuf_add(&ids, ")");
    int rc = history_note_each(r->db, r, e->name, &ids, "tags", added ? NULL : name,
                               added ? name : NULL);
    sqlbuf_release(&ids);
    json_decref(name);
    return rc;
}

/* Put tag on (added) or take it off every record w selects, with the
 * history of those it changes. */
static int bulk_tag_one(struct req *r, const struct entity *e, const struct sqlbuf *w, int64_t tag,
                        bool added)
{
    int rc = note_bulk_tag(r, e, w, tag, added);
    if (rc)
        return rc;
    /* Both bind the entity and the tag first; an insert also its time. */
    static const char *const sql[] = {
        "DELETE FROM object_tags WHERE entity = ? AND tag_id = ? AND object_id IN "
        "(SELECT %s.id FROM %s %s WHERE ",
        "INSERT INTO object_tags (entity, object_id, tag_id, created_at) "
        "SELECT ?, %s.id, ?, ? FROM %s %s WHERE ",
    };
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_addf(&b, sql[added], e->alias, e->table, e->alias);
    sqlbuf_bind(&b, DB_TEXT(e->name));
    sqlbuf_bind(&b, DB_INT(tag));
    if (added)
        sqlbuf_bind(&b, DB_INT(clock_now()));
    sqlbuf_append(&b, w);
    sqlbuf_add(&b, added ? " ON CONFLICT DO NOTHING" : ")");
    rc = db_exec(r->db, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    return rc;
}

/* The tag lists of a bulk tag change; false having replied 422. */
static bool lists_valid(struct req *r, json_t *lists[2])
{
    json_t *errors = json_object();
    for (int k = 0; k < 2; k++) {
        size_t i;
        json_t *v;
        if (lists[k] && !json_is_array(lists[k]))
            json_object_set_new(errors, k ? "remove" : "add",
                                json_string(req_msg(r, "field.not_array")));
        json_array_foreach(lists[k], i,
                           v) if (!json_is_integer(v) || !tags_exists(r->db, json_integer_value(v)))
            json_object_set_new(errors, k ? "remove" : "add",
                                json_string(req_msg(r, "field.unknown_tag")));
    }
    if (json_object_size(errors)) {
        reply_invalid(r, errors);
        return false;
    }
    json_decref(errors);
    return true;
}

void tags_bulk_reply(struct req *r, const struct entity *e, const struct sqlbuf *w)
{
    json_t *add = json_object_get(r->json, "add"), *remove = json_object_get(r->json, "remove");
    json_t *lists[2] = {add, remove};
    if (!lists_valid(r, lists))
        return;
    int64_t updated = 0;
    int rc = db_begin(r->db);
    if (!rc)
        rc = entity_group_count(r->db, e, w, &updated);
    for (int k = 0; k < 2 && !rc; k++) {
        size_t i;
        json_t *v;
        json_array_foreach(lists[k], i, v) if (!rc) rc =
            bulk_tag_one(r, e, w, json_integer_value(v), k == 0);
    }
    char *action = xasprintf("%s.bulk_tag", e->name);
    if (!rc)
        rc = audit_write(r->db, r, NULL, action, NULL, 0,
                         json_pack("{s:O,s:O,s:I}", "add", add ? add : json_null(), "remove",
                                   remove ? remove : json_null(), "count", (json_int_t)updated));
    free(action);
    if (audit_commit(r, rc))
        reply_json(r, 200, json_pack("{s:I}", "updated", (json_int_t)updated));
}
