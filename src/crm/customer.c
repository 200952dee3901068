/*
 * customer.c - the customer record: reading and presenting it, and the
 * operations that create and edit it (see customer.h). Validation is in
 * customer_check.c, row building and the import batch in customer_bulk.c,
 * list conditions in customer_search.c, merging in customer_merge.c, the
 * HTTP handlers in customer_api.c.
 */
#include "crm/customer_int.h"

#include "auth/actor.h"
#include "base/clock.h"
#include "base/i18n.h"
#include "base/validate.h"
#include "core/events.h"
#include "core/perms.h"
#include "crm/customer_ids.h"
#include "core/op.h"
#include "db/db.h"
#include "record/entity.h"
#include "record/fields.h"
#include "record/form_layout.h"
#include "record/history.h"
#include "record/scope.h"
#include "record/tags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading ---- */

static json_t *text_or_null(struct db_stmt *st, int i)
{
    return db_col_is_null(st, i) ? json_null() : json_string(db_col_text(st, i));
}

static json_t *json_col(struct db_stmt *st, int i, json_t *fallback)
{
    json_t *v = db_col_is_null(st, i) ? NULL : json_loads(db_col_text(st, i), 0, NULL);
    if (!v)
        return fallback;
    json_decref(fallback);
    return v;
}

static json_t *time_col(struct db_stmt *st, int i)
{
    if (db_col_is_null(st, i))
        return json_null();
    char iso[32];
    clock_format_iso(db_col_int(st, i), iso, sizeof(iso));
    return json_string(iso);
}

json_t *customer_row(struct db_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(db_col_int(st, 0)));
    json_object_set_new(o, "customer_no", json_string(db_col_text(st, 1)));
    json_object_set_new(o, "name", json_string(db_col_text(st, 2)));
    json_object_set_new(o, "name_pinyin", json_string(db_col_text(st, 3)));
    json_object_set_new(o, "name_initials", json_string(db_col_text(st, 4)));
    json_object_set_new(o, "gender", text_or_null(st, 5));
    json_object_set_new(o, "phone", json_string(db_col_text(st, 6)));
    char *id = db_col_is_null(st, 7) ? NULL : customer_id_open(db_col_text(st, 7));
    json_object_set_new(o, "id_number", id ? json_string(id) : json_null());
    free(id);
    json_object_set_new(o, "birthday", text_or_null(st, 8));
    json_object_set_new(o, "birthday_lunar", json_boolean(db_col_int(st, 9)));
    json_object_set_new(o, "address", text_or_null(st, 10));
    json_object_set_new(o, "region", text_or_null(st, 11));
    json_object_set_new(o, "occupation", text_or_null(st, 12));
    json_object_set_new(o, "interests", json_col(st, 13, json_array()));
    json_object_set_new(o, "family_members", json_col(st, 14, json_array()));
    json_object_set_new(o, "business_prefs", json_col(st, 15, json_array()));
    json_object_set_new(o, "service_level", text_or_null(st, 16));
    json_object_set_new(o, "level", text_or_null(st, 17));
    json_object_set_new(o, "owner_id",
                        db_col_is_null(st, 18) ? json_null() : json_integer(db_col_int(st, 18)));
    json_object_set_new(o, "owner_name", text_or_null(st, 19));
    json_object_set_new(o, "branch_id", json_integer(db_col_int(st, 20)));
    json_object_set_new(o, "branch_name", json_string(db_col_text(st, 21)));
    json_object_set_new(o, "branch_path", json_string(db_col_text(st, 22)));
    json_object_set_new(o, "custom", json_col(st, 23, json_object()));
    json_object_set_new(o, "deleted", json_boolean(!db_col_is_null(st, 24)));
    json_object_set_new(o, "erased", json_boolean(!db_col_is_null(st, 25)));
    json_object_set_new(o, "merged_into",
                        db_col_is_null(st, 26) ? json_null() : json_integer(db_col_int(st, 26)));
    json_object_set_new(o, "version", json_integer(db_col_int(st, 27)));
    json_object_set_new(o, "created_at", time_col(st, 28));
    json_object_set_new(o, "updated_at", time_col(st, 29));
    json_object_set_new(o, "last_visit_at", time_col(st, 30));
    json_object_set_new(o, "visits_90d", json_integer(db_col_int(st, 31)));
    char spend[32];
    long long fen = (long long)db_col_int(st, 32);
    money_format(fen, spend, sizeof(spend));
    json_object_set_new(o, "spend_12m", json_string(spend));
    json_object_set_new(o, "top_types", json_col(st, 33, json_array()));
    json_object_set_new(o, "email", text_or_null(st, 34));
    json_object_set_new(o, "marketing_consent", json_string(db_col_text(st, 35)));
    json_object_set_new(o, "consent_at", time_col(st, 36));
    json_object_set_new(o, "consent_source", text_or_null(st, 37));
    json_object_set_new(o, "sms_opt_out", json_boolean(db_col_int(st, 38)));
    json_object_set_new(o, "email_opt_out", json_boolean(db_col_int(st, 39)));
    return o;
}

json_t *customer_load(struct db *db, const struct actor *u, int64_t id, bool deleted)
{
    json_t *rec;
    customer_find(db, u, id, deleted, &rec);
    return rec;
}

static void visible_sql(const struct actor *u, struct sqlbuf *b)
{
    scope_sql(u, "c.branch_path", b);
}

int customer_find(struct db *db, const struct actor *u, int64_t id, bool deleted, json_t **out)
{
    struct sqlbuf b;
    scope_by_id_sql(&b, "SELECT " CUSTOMER_COLUMNS " FROM " CUSTOMER_FROM, "c", id, deleted, u,
                    visible_sql);
    struct db_stmt *st;
    int rc = db_query_row(db, &st, b.sql, b.args, b.nargs);
    *out = rc == 1 ? customer_row(st) : NULL;
    db_finish(st);
    sqlbuf_release(&b);
    return rc;
}

static void mask_field(json_t *o, const char *key, enum field_mask mask)
{
    const char *v = json_string_value(json_object_get(o, key));
    if (!v || !*v)
        return;
    char *m = mask == MASK_ID ? id_mask(v) : mask == MASK_EMAIL ? email_mask(v) : phone_mask(v);
    json_object_set_new(o, key, json_string(m));
    free(m);
}

json_t *customer_present(struct db *db, const struct actor *u, json_t *rec)
{
    json_t *o = json_deep_copy(rec);
    mask_field(o, "phone", MASK_PHONE);
    mask_field(o, "id_number", MASK_ID);
    mask_field(o, "email", MASK_EMAIL);
    const char *bd = json_string_value(json_object_get(o, "birthday"));
    if (bd && !(u && (u->perms & PERM_REVEAL))) {
        char *md = date_mask_year(bd);
        json_object_set_new(o, "birthday", json_string(md));
        free(md);
    }
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(o, "family_members"), i, m)
        mask_field(m, "phone", MASK_PHONE);
    json_object_del(o, "branch_path");
    if (db) {
        /* Phone-type custom fields are phones: masked alike. A lookup
         * error leaves them masked as far as it got; the caller shows
         * what it has, and the reveal stays the way to the numbers. */
        json_t *custom = json_object_get(o, "custom");
        if (json_object_size(custom)) {
            json_t *keys = fields_phone_keys(db, "customer");
            fields_mask_phones(keys, custom);
            json_decref(keys);
        }
        int64_t id = json_integer_value(json_object_get(o, "id"));
        json_t *tags = tags_for_objects(db, "customer", &id, 1);
        tags_put(o, tags, id);
        json_decref(tags);
        /* What the form layout hides from u's role is not sent at all. */
        form_layout_strip(db, &entity_customer, u, o);
    }
    return o;
}

json_t *customer_duplicates(struct db *db, const struct actor *u, const char *phone,
                            const char *id_number, int64_t exclude_id)
{
    json_t *out = json_array();
    char index[DATAKEY_INDEX_LEN + 1] = "";
    if (id_number && *id_number && datakey_current())
        datakey_index(datakey_current(), id_number, index);
    struct db_stmt *st =
        db_query(db,
                 "SELECT id, customer_no, name, branch_path, 'phone' FROM customers "
                 "WHERE phone = ? AND deleted_at IS NULL AND id <> ? "
                 "UNION ALL SELECT id, customer_no, name, branch_path, 'id_number' FROM customers "
                 "WHERE id_index = ? AND deleted_at IS NULL AND id <> ? LIMIT 20",
                 DB_ARGS(DB_TEXT(phone ? phone : ""), DB_INT(exclude_id), DB_TEXT(index),
                         DB_INT(exclude_id)));
    while (st && db_step(st) == 1) {
        if (scope_contains(u, db_col_text(st, 3)))
            json_array_append_new(out, json_pack("{s:I,s:s,s:s,s:s}", "id",
                                                 (json_int_t)db_col_int(st, 0), "customer_no",
                                                 db_col_text(st, 1), "name", db_col_text(st, 2),
                                                 "match", db_col_text(st, 4)));
        else
            json_array_append_new(
                out, json_pack("{s:s,s:b}", "match", db_col_text(st, 4), "other_branch", 1));
    }
    db_finish(st);
    return out;
}

/* ---- writing ---- */

static const char *str(json_t *rec, const char *key)
{
    return json_string_value(json_object_get(rec, key));
}

int customer_add(struct db *db, const struct actor *a, json_t *rec, int64_t *id)
{
    struct customer_row *row = customer_row_new(a, rec, NULL);
    int rc = customer_row_number(db, row, NULL);
    if (!rc)
        rc = customer_row_insert(db, row);
    *id = row->id;
    customer_row_free(row);
    if (!rc)
        rc = customer_consent_write(db, *id, rec);
    if (!rc)
        rc = events_publish(db, "customer.created", "customer", *id, a->id, NULL);
    return rc;
}

/* The top-level keys whose values differ between cur and rec. */
static json_t *changed_fields(json_t *cur, json_t *rec)
{
    json_t *fields = json_array(), *v;
    const char *key;
    json_object_foreach(rec, key, v)
    {
        json_t *old = json_object_get(cur, key);
        if (!(old ? json_equal(old, v) : json_is_null(v)))
            json_array_append_new(fields, json_string(key));
    }
    return fields;
}

int customer_write(struct db *db, const struct actor *a, int64_t id, json_t *cur, json_t *rec)
{
    struct customer_row *row = customer_row_new(a, rec, NULL);
    int rc = customer_row_update(db, row, id, str(cur, "name"));
    customer_row_free(row);
    if (!rc)
        rc = customer_consent_write(db, id, rec);
    const char *from = str(cur, "branch_path"), *to = str(rec, "branch_path");
    if (!rc && from && to && strcmp(from, to) != 0)
        rc = customer_follow_move(db, a, id, rec);
    static const char *const skip[] = {"branch_path", NULL};
    struct req who;
    history_author(a, &who);
    if (!rc)
        rc = history_record(db, &who, "customer", id, cur, rec, skip);
    if (!rc)
        rc = events_publish(db, "customer.changed", "customer", id, a->id,
                            json_pack("{s:o}", "fields", changed_fields(cur, rec)));
    return rc;
}

/* OP_DUPLICATE with the matches in errors["duplicates"] when other
 * profiles have rec's phone or ID number, unless in confirms it. */
static int check_duplicates(struct db *db, const struct actor *a, json_t *in, json_t *rec,
                            int64_t exclude_id, json_t *errors)
{
    if (json_is_true(json_object_get(in, "confirm_duplicate")))
        return 0;
    json_t *dups = customer_duplicates(db, a, str(rec, "phone"), str(rec, "id_number"), exclude_id);
    if (!json_array_size(dups)) {
        json_decref(dups);
        return 0;
    }
    json_object_set_new(errors, "duplicates", dups);
    return OP_DUPLICATE;
}

int customer_insert(struct db *db, const struct actor *a, json_t *in, int64_t *id, json_t *errors)
{
    json_t *rec = json_object();
    int rc = customer_check(db, a, a->lang, in, NULL, rec, errors);
    rc = op_checked(rc, errors);
    if (!rc)
        rc = check_duplicates(db, a, in, rec, 0, errors);
    if (!rc && !(rc = db_begin(db))) {
        rc = customer_add(db, a, rec, id);
        if (!rc)
            rc = tags_attach_created(db, a, "customer", *id, in, errors);
        rc = op_end(db, rc);
    }
    json_decref(rec);
    return rc;
}

/* The stored version of customer id, inside the write lock: another clerk
 * may have saved since the record was read. OP_STALE when it moved. */
static int same_version(struct db *db, int64_t id, json_int_t version)
{
    int64_t v = 0;
    int rc =
        db_query_int(db, "SELECT version FROM customers WHERE id = ?", DB_ARGS(DB_INT(id)), &v);
    return rc < 0 ? rc : v == version ? 0 : OP_STALE;
}

/* Whether rec gives a phone or ID number cur does not have. */
static bool identity_changed(json_t *cur, json_t *rec)
{
    const char *phone = str(rec, "phone"), *idno = str(rec, "id_number");
    const char *old_phone = str(cur, "phone"), *old_id = str(cur, "id_number");
    return (phone && (!old_phone || strcmp(phone, old_phone) != 0)) ||
           (idno && (!old_id || strcmp(idno, old_id) != 0));
}

int customer_update(struct db *db, const struct actor *a, int64_t id, json_t *in, json_t *errors)
{
    json_t *cur = customer_load(db, a, id, false);
    if (!cur)
        return OP_NOT_FOUND;
    json_int_t version;
    json_t *rec = json_object();
    int rc = op_check_version(in, cur, a->lang, errors, &version);
    if (!rc)
        rc = customer_check(db, a, a->lang, in, cur, rec, errors);
    rc = op_checked(rc, errors);
    /* A phone or ID number another profile has warns as a new profile would. */
    if (!rc && identity_changed(cur, rec))
        rc = check_duplicates(db, a, in, rec, id, errors);
    if (!rc && !(rc = db_begin(db))) {
        rc = same_version(db, id, version);
        if (!rc)
            rc = customer_write(db, a, id, cur, rec);
        if (!rc)
            rc = actor_audit(db, a, "customer.update", "customer", id, NULL);
        rc = op_end(db, rc);
    }
    json_decref(cur);
    json_decref(rec);
    return rc;
}
