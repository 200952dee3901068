/*
 * references.c - merge and erasure of what points at a record, driven by
 * the entity's registered references (see references.h). Table and column
 * names come from the descriptors (program text); ids are bound.
 */
#include "record/references.h"

#include "base/xmalloc.h"
#include "db/db.h"
#include "record/history.h"

#include <stdlib.h>

/* The duplicate's rows that would collide with the survivor's on the
 * reference's unique columns go first. */
static int drop_colliding(struct db *db, const struct entity_ref *ref, int64_t from_id,
                          int64_t to_id)
{
    char *sql = xasprintf(
        "DELETE FROM %s WHERE %s = ? AND (%s) IN (SELECT %s FROM %s WHERE %s = ?)", ref->table,
        ref->column, ref->unique_with, ref->unique_with, ref->table, ref->column);
    int rc = db_exec(db, sql, DB_ARGS(DB_INT(from_id), DB_INT(to_id)));
    free(sql);
    return rc;
}

int entity_move_references(struct db *db, const struct entity *e, int64_t from_id, int64_t to_id)
{
    int rc = 0;
    for (const struct entity_ref *ref = e->refs; !rc && ref && ref->table; ref++) {
        if (ref->unique_with)
            rc = drop_colliding(db, ref, from_id, to_id);
        if (rc)
            break;
        char *sql =
            xasprintf("UPDATE %s SET %s = ? WHERE %s = ?", ref->table, ref->column, ref->column);
        rc = db_exec(db, sql, DB_ARGS(DB_INT(to_id), DB_INT(from_id)));
        free(sql);
    }
    if (!rc && e->tags)
        rc = db_exec(db,
                     "INSERT INTO object_tags (entity, object_id, tag_id, created_at) "
                     "SELECT entity, ?, tag_id, created_at FROM object_tags WHERE entity = ? "
                     "AND object_id = ? ON CONFLICT DO NOTHING",
                     DB_ARGS(DB_INT(to_id), DB_TEXT(e->name), DB_INT(from_id)));
    if (!rc && e->tags)
        rc = db_exec(db, "DELETE FROM object_tags WHERE entity = ? AND object_id = ?",
                     DB_ARGS(DB_TEXT(e->name), DB_INT(from_id)));
    return rc;
}

int entity_erase_references(struct db *db, const struct entity *e, int64_t id)
{
    int rc = 0;
    for (const struct entity_ref *ref = e->refs; !rc && ref && ref->table; ref++) {
        if (ref->on_erase == REF_KEEP)
            continue;
        char *sql = ref->on_erase == REF_DELETE
                        ? xasprintf("DELETE FROM %s WHERE %s = ?", ref->table, ref->column)
                        : xasprintf("UPDATE %s SET %s = NULL WHERE %s = ?", ref->table, ref->column,
                                    ref->column);
        rc = db_exec(db, sql, DB_ARGS(DB_INT(id)));
        free(sql);
    }
    if (!rc && e->tags)
        rc = db_exec(db, "DELETE FROM object_tags WHERE entity = ? AND object_id = ?",
                     DB_ARGS(DB_TEXT(e->name), DB_INT(id)));
    if (!rc)
        rc = history_erase(db, e->name, id);
    return rc;
}

int entity_purge_references(struct db *db, const struct entity *e, int64_t id)
{
    int rc = 0;
    for (const struct entity_ref *ref = e->refs; !rc && ref && ref->table; ref++) {
        char *sql = xasprintf("DELETE FROM %s WHERE %s = ?", ref->table, ref->column);
        rc = db_exec(db, sql, DB_ARGS(DB_INT(id)));
        free(sql);
    }
    if (!rc && e->tags)
        rc = db_exec(db, "DELETE FROM object_tags WHERE entity = ? AND object_id = ?",
                     DB_ARGS(DB_TEXT(e->name), DB_INT(id)));
    return rc ? rc : history_purge(db, e->name, id);
}
