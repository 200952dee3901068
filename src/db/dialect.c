/*
 * dialect.c - see dialect.h.
 */
#include "db/dialect.h"

#include "db/db.h"

#include <stdio.h>
#include <string.h>

static int is_pg(void)
{
    return strcmp(db_backend_name(), "postgres") == 0;
}

const char *dialect_json_get_text(void)
{
    /* SQLite's path syntax wants '$."key"'; the key is bound with the path
     * around it by concatenation in SQL, so user text is never spliced. */
    return is_pg() ? "(%s::jsonb ->> ?)" : "json_extract(%s, '$.\"' || ? || '\"')";
}

const char *dialect_json_get_bool(void)
{
    /* SQLite's json_extract already answers 1 / 0 for true / false. */
    return is_pg() ? "(CASE (%s::jsonb -> ?) WHEN 'true'::jsonb THEN 1 WHEN 'false'::jsonb THEN 0 "
                     "END)"
                   : "json_extract(%s, '$.\"' || ? || '\"')";
}

const char *dialect_json_array_has(void)
{
    return is_pg() ? "jsonb_exists(%s::jsonb, ?)"
                   : "EXISTS (SELECT 1 FROM json_each(%s) WHERE json_each.value = ?)";
}

const char *dialect_json_int_arrays(void)
{
    /* Both walk the text in order (PostgreSQL's json, not jsonb). */
    return is_pg() ? "SELECT g.key, i.value::bigint FROM json_each(?::json) AS g, "
                     "json_array_elements_text(g.value) AS i"
                   : "SELECT g.key, i.value FROM json_each(?) AS g, json_each(g.value) AS i";
}

const char *dialect_group_concat(void)
{
    return is_pg() ? "string_agg(%s, '|')" : "group_concat(%s, '|')";
}

const char *dialect_indexed_by(const char *index)
{
    static _Thread_local char buf[96];
    if (is_pg())
        return "";
    snprintf(buf, sizeof(buf), " INDEXED BY %s", index);
    return buf;
}
