/*
 * entity.c - the entity registry and what it does for every entity's
 * references (see entity.h).
 *
 * The registry is a small array written only before any thread starts
 * (module init) and read without locks afterwards.
 */
#include "record/entity.h"

#include "base/log.h"
#include "base/xmalloc.h"
#include "db/db.h"
#include "record/history.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ENTITIES 32

static const struct entity *registry[MAX_ENTITIES];
static size_t n_registered;

void entity_register(const struct entity *e)
{
    for (size_t i = 0; i < n_registered; i++) {
        if (registry[i] == e)
            return;
        if (strcmp(registry[i]->name, e->name) == 0) {
            log_error("entity '%s' registered twice", e->name);
            abort();
        }
    }
    if (n_registered == MAX_ENTITIES) {
        log_error("too many entities (most %d)", MAX_ENTITIES);
        abort();
    }
    registry[n_registered++] = e;
}

const struct entity *entity_find(const char *name)
{
    for (size_t i = 0; name && i < n_registered; i++)
        if (strcmp(registry[i]->name, name) == 0 ||
            (registry[i]->collection && strcmp(registry[i]->collection, name) == 0))
            return registry[i];
    return NULL;
}

const struct entity *entity_default(void)
{
    return n_registered ? registry[0] : NULL;
}

const struct entity *entity_at(size_t i)
{
    return i < n_registered ? registry[i] : NULL;
}

void entity_registry_clear(void)
{
    n_registered = 0;
}

const struct entity_field *entity_field(const struct entity *e, const char *key)
{
    for (const struct entity_field *f = e->fields; key && f->key; f++)
        if (strcmp(f->key, key) == 0)
            return f;
    return NULL;
}

bool entity_readable(const struct entity *e, const struct actor *u)
{
    return u && (u->perms & e->perm_read) == e->perm_read;
}

static const char *const type_names[] = {
    [FT_TEXT] = "text",
    [FT_TEXTAREA] = "textarea",
    [FT_NUMBER] = "number",
    [FT_MONEY] = "money",
    [FT_DATE] = "date",
    [FT_SELECT] = "select",
    [FT_MULTISELECT] = "multiselect",
    [FT_PHONE] = "phone",
    [FT_EMAIL] = "email",
    [FT_BOOLEAN] = "boolean",
    [FT_INT] = "integer",
    [FT_TIME] = "datetime",
    [FT_TAGS] = "tags",
    [FT_BRANCH] = "branch",
    [FT_ARRAY] = "list",
    [FT_REF] = "ref",
};

int entity_type_from_name(const char *name)
{
    for (int i = 0; i <= FT_BOOLEAN; i++)
        if (name && strcmp(type_names[i], name) == 0)
            return i;
    return -1;
}

const char *entity_type_name(enum field_type t)
{
    return t <= FT_REF ? type_names[t] : "text";
}

/* ---- references ---- */

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
