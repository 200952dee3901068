/*
 * history.c - see history.h. Values are stored as JSON text so lists and
 * objects (family members, custom values) round-trip exactly.
 */
#include "record/history.h"
#include "record/form_layout.h"

#include "auth/actor.h"
#include "base/clock.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "core/listing.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "record/entity.h"
#include "record/fields.h"

#include <stdlib.h>
#include <string.h>

void history_author(const struct actor *a, struct req *who)
{
    memset(who, 0, sizeof(*who));
    who->actor_id = a->id;
    who->actor_login = a->login;
}

static bool skipped(const char *key, const char *const *skip)
{
    for (; skip && *skip; skip++)
        if (strcmp(*skip, key) == 0)
            return true;
    return false;
}

/* A value as stored: JSON text, NULL for none. Free with free(). */
static char *stored(json_t *v)
{
    return v && !json_is_null(v) ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
}

/* An ID number is never stored in clear, and the history is no exception
 * (issue 13): the values of a field masked as one are stored masked (last
 * four characters), as every role sees them here anyway. */
static char *stored_for(const char *entity, const char *field, json_t *v)
{
    const struct entity *e = entity_find(entity);
    const struct entity_field *f = e ? entity_field(e, field) : NULL;
    if (!f || f->mask != MASK_ID || !json_is_string(v))
        return stored(v);
    char *m = id_mask(json_string_value(v));
    json_t *mv = json_string(m);
    char *out = stored(mv);
    json_decref(mv);
    free(m);
    return out;
}

static int write_row(struct db *db, struct req *r, const char *entity, int64_t id,
                     const char *field, json_t *old, json_t *new)
{
    char *o = stored_for(entity, field, old), *n = stored_for(entity, field, new);
    int rc = db_exec(db,
                     "INSERT INTO change_log (entity, object_id, at, user_id, login, field, "
                     "old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     DB_ARGS(DB_TEXT(entity), DB_INT(id), DB_INT(clock_now()),
                             DB_INT_OR_NULL(r && r->actor_id, r ? r->actor_id : 0),
                             DB_TEXT(r ? r->actor_login : NULL), DB_TEXT(field), DB_TEXT(o),
                             DB_TEXT(n)));
    free(o);
    free(n);
    return rc;
}

/* One row per custom field that differs, named custom.<key>: values
 * changed or added (in after), and values removed (only in before). */
static int record_custom(struct db *db, struct req *r, const char *entity, int64_t id,
                         json_t *before, json_t *after)
{
    json_t *sides[2] = {after, json_is_object(before) ? before : NULL};
    for (int side = 0; side < 2; side++) {
        const char *ck;
        json_t *cv;
        json_object_foreach(sides[side], ck, cv)
        {
            json_t *other = json_object_get(sides[!side], ck);
            if (side ? other != NULL : other && json_equal(other, cv))
                continue;
            char *name = xasprintf("custom.%s", ck);
            int rc = side ? write_row(db, r, entity, id, name, cv, NULL)
                          : write_row(db, r, entity, id, name, other, cv);
            free(name);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int history_record(struct db *db, struct req *r, const char *entity, int64_t id, json_t *before,
                   json_t *after, const char *const *skip)
{
    const char *key;
    json_t *v;
    json_object_foreach(after, key, v)
    {
        if (skipped(key, skip))
            continue;
        json_t *old = json_object_get(before, key);
        int rc = 0;
        if (strcmp(key, "custom") == 0 && json_is_object(v))
            rc = record_custom(db, r, entity, id, old, v);
        else if (!((!old && json_is_null(v)) || (old && json_equal(old, v))))
            rc = write_row(db, r, entity, id, key, old, v);
        if (rc)
            return rc;
    }
    return 0;
}

int history_note(struct db *db, struct req *r, const char *entity, int64_t id, const char *field,
                 json_t *old, json_t *new)
{
    return write_row(db, r, entity, id, field, old, new);
}

int history_note_each(struct db *db, struct req *r, const char *entity, const struct sqlbuf *ids,
                      const char *field, json_t *old, json_t *new)
{
    char *o = stored(old), *n = stored(new);
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "INSERT INTO change_log (entity, object_id, at, user_id, login, field, "
                   "old_value, new_value) SELECT ?, s.id, ?, ?, ?, ?, ?, ? FROM (");
    sqlbuf_bind(&b, DB_TEXT(entity));
    sqlbuf_bind(&b, DB_INT(clock_now()));
    sqlbuf_bind(&b, DB_INT_OR_NULL(r && r->actor_id, r ? r->actor_id : 0));
    sqlbuf_bind(&b, DB_TEXT(r ? r->actor_login : NULL));
    sqlbuf_bind(&b, DB_TEXT(field));
    sqlbuf_bind(&b, DB_TEXT(o));
    sqlbuf_bind(&b, DB_TEXT(n));
    sqlbuf_append(&b, ids);
    sqlbuf_add(&b, ") s");
    int rc = db_exec(db, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    free(o);
    free(n);
    return rc;
}

/* The entity history_reply is listing, for history_row (a listing's row
 * function takes no context of its own). */
static _Thread_local const struct entity *listed;

/* Personal identifiers stay masked in the history as everywhere: the
 * fields the entity marks with a masking class, its phone-type custom
 * fields, and the phones and ID numbers inside list values (family
 * members), so that no old value gives back what the mask hides. */
static void mask_value(struct req *r, json_t *o, const char *col)
{
    const char *field = json_string_value(json_object_get(o, "field"));
    json_t *v = json_object_get(o, col);
    const char *val = json_string_value(v);
    const struct entity_field *f = listed && field ? entity_field(listed, field) : NULL;
    enum field_mask mask = f ? f->mask : MASK_NONE;
    if (!f && listed && field && strncmp(field, "custom.", 7) == 0 && r) {
        struct custom_field cf;
        if (fields_lookup(r->db, listed->name, field + 7, &cf) == 1 && cf.type == FT_PHONE)
            mask = MASK_PHONE;
        custom_field_clear(&cf);
    }
    bool reveal = r && r->actor && listed && (r->actor->perms & listed->perm_reveal);
    if (val && *val && mask == MASK_YEAR && !reveal) {
        char *m = date_mask_year(val);
        json_object_set_new(o, col, json_string(m));
        free(m);
        return;
    }
    if (val && *val && (mask == MASK_PHONE || mask == MASK_ID || mask == MASK_EMAIL)) {
        char *m = mask == MASK_PHONE   ? phone_mask(val)
                  : mask == MASK_EMAIL ? email_mask(val)
                                       : id_mask(val);
        json_object_set_new(o, col, json_string(m));
        free(m);
        return;
    }
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        const char *p = json_string_value(json_object_get(item, "phone"));
        const char *idn = json_string_value(json_object_get(item, "id_number"));
        char *m;
        if (p && *p && (m = phone_mask(p))) {
            json_object_set_new(item, "phone", json_string(m));
            free(m);
        }
        if (idn && *idn && (m = id_mask(idn))) {
            json_object_set_new(item, "id_number", json_string(m));
            free(m);
        }
    }
}

static json_t *history_row(struct db_stmt *st, struct req *r)
{
    json_t *o = listing_row_json(st, r);
    /* Values come back as the JSON they were stored as. */
    const char *cols[] = {"old_value", "new_value"};
    for (int i = 0; i < 2; i++) {
        const char *s = json_string_value(json_object_get(o, cols[i]));
        if (s) {
            json_t *v = json_loads(s, JSON_DECODE_ANY, NULL);
            json_object_set_new(o, cols[i], v ? v : json_string(s));
        }
        mask_value(r, o, cols[i]);
    }
    /* A field the form layout hides from the reader's role: that it
     * changed shows, not from what to what. */
    const char *field = json_string_value(json_object_get(o, "field"));
    if (listed && field && r && r->actor &&
        form_layout_visible(r->db, listed, r->actor, field) != 1)
        for (int i = 0; i < 2; i++)
            json_object_set_new(o, cols[i], json_null());
    return o;
}

void history_reply(struct req *r, const char *entity, int64_t id)
{
    struct listing l;
    if (listing_begin(&l, r))
        return;
    listing_where_text(&l, "h.entity = ?", entity);
    listing_where_int(&l, "h.object_id = ?", id);
    listed = entity_find(entity);
    listing_run_with(&l,
                     "h.id, h.at, h.user_id, h.login, u.name AS user_name, h.field, h.old_value, "
                     "h.new_value",
                     "change_log h LEFT JOIN users u ON u.id = h.user_id", history_row);
    listed = NULL;
}

int history_erase(struct db *db, const char *entity, int64_t id)
{
    return db_exec(db,
                   "UPDATE change_log SET old_value = NULL, new_value = NULL "
                   "WHERE entity = ? AND object_id = ?",
                   DB_ARGS(DB_TEXT(entity), DB_INT(id)));
}

int history_purge(struct db *db, const char *entity, int64_t id)
{
    return db_exec(db, "DELETE FROM change_log WHERE entity = ? AND object_id = ?",
                   DB_ARGS(DB_TEXT(entity), DB_INT(id)));
}
