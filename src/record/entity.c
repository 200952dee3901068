/*
 * entity.c - the entity registry (see entity.h).
 *
 * The registry is a small array written only before any thread starts
 * (module init) and read without locks afterwards.
 */
#include "record/entity.h"

#include "base/log.h"

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
