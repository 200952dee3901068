/*
 * fields.c - custom field definitions and value validation (see fields.h).
 *
 * A field's key is its identity (values live under it in the record's
 * custom JSON), so keys never change; retiring a field hides it from forms
 * and refuses new values but keeps every stored value.
 */
#include "record/fields.h"

#include "auth/perm.h"
#include "base/clock.h"
#include "base/i18n.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "core/audit.h"
#include "core/listing.h"
#include "core/memo.h"
#include "db/db.h"
#include "http/form.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_COLUMNS                                                                              \
    "id, entity, key, label, label_en, type, required AS is_required, options AS options_json, "   \
    "help, sort, hidden AS is_hidden, retired AS is_retired, version, created_at, updated_at"

void custom_field_clear(struct custom_field *f)
{
    json_decref(f->options);
    f->options = NULL;
}

/* A definition as the memo keeps it: null for "no such field". */
static json_t *field_memo_json(int rc, const struct custom_field *f)
{
    if (rc != 1)
        return json_null();
    return json_pack("{s:I,s:s,s:s,s:i,s:b,s:b,s:b,s:O?}", "id", (json_int_t)f->id, "key", f->key,
                     "label", f->label, "type", (int)f->type, "required", f->required, "hidden",
                     f->hidden, "retired", f->retired, "options", f->options);
}

static int field_from_memo(json_t *m, struct custom_field *out)
{
    if (json_is_null(m))
        return 0;
    out->id = json_integer_value(json_object_get(m, "id"));
    snprintf(out->key, sizeof(out->key), "%s", json_string_value(json_object_get(m, "key")));
    snprintf(out->label, sizeof(out->label), "%s", json_string_value(json_object_get(m, "label")));
    out->type = (enum field_type)json_integer_value(json_object_get(m, "type"));
    out->required = json_is_true(json_object_get(m, "required"));
    out->hidden = json_is_true(json_object_get(m, "hidden"));
    out->retired = json_is_true(json_object_get(m, "retired"));
    json_t *options = json_object_get(m, "options");
    out->options = json_is_null(options) ? NULL : json_incref(options);
    return 1;
}

json_t *fields_phone_keys(struct db *db, const char *entity)
{
    struct db_stmt *st =
        db_query(db, "SELECT key FROM custom_fields WHERE entity = ? AND type = 'phone'",
                 DB_ARGS(DB_TEXT(entity)));
    if (!st)
        return NULL;
    json_t *keys = json_object();
    int rc;
    while ((rc = db_step(st)) == 1)
        json_object_set_new(keys, db_col_text(st, 0), json_true());
    db_finish(st);
    if (rc < 0) {
        json_decref(keys);
        return NULL;
    }
    return keys;
}

void fields_mask_phones(json_t *phone_keys, json_t *custom)
{
    const char *key;
    json_t *v;
    json_object_foreach(custom, key, v)
    {
        if (!json_is_string(v) || !json_string_length(v))
            continue;
        if (phone_keys && !json_object_get(phone_keys, key))
            continue;
        char *m = phone_mask(json_string_value(v));
        json_object_set_new(custom, key, json_string(m));
        free(m);
    }
}

int fields_lookup(struct db *db, const char *entity, const char *key, struct custom_field *out)
{
    memset(out, 0, sizeof(*out));
    json_t *m = memo_get("field", entity, key);
    if (m)
        return field_from_memo(m, out);
    struct db_stmt *st = NULL;
    int rc = db_query_row(db, &st,
                          "SELECT id, key, label, type, required, hidden, retired, options "
                          "FROM custom_fields WHERE entity = ? AND key = ?",
                          DB_ARGS(DB_TEXT(entity), DB_TEXT(key)));
    if (rc == 1) {
        out->id = db_col_int(st, 0);
        snprintf(out->key, sizeof(out->key), "%s", db_col_text(st, 1));
        snprintf(out->label, sizeof(out->label), "%s", db_col_text(st, 2));
        int t = entity_type_from_name(db_col_text(st, 3));
        out->type = t < 0 ? FT_TEXT : (enum field_type)t;
        out->required = db_col_int(st, 4) != 0;
        out->hidden = db_col_int(st, 5) != 0;
        out->retired = db_col_int(st, 6) != 0;
        out->options = json_loads(db_col_text(st, 7), 0, NULL);
        db_finish(st);
    }
    if (rc >= 0 && memo_active())
        memo_put("field", entity, key, field_memo_json(rc, out));
    return rc;
}

static bool option_exists(json_t *options, const char *value)
{
    size_t i;
    json_t *o;
    json_array_foreach(options, i, o)
    {
        const char *v = json_string_value(json_object_get(o, "value"));
        if (v && strcmp(v, value) == 0)
            return true;
    }
    return false;
}

/* Money: a number or numeric string with at most two decimals, kept as
 * text "12.50" so no binary rounding ever touches it. */
/* The largest amount a money value may have, in yuan (13 digits). */
#define MONEY_MAX_YUAN 1e13

static json_t *check_money(json_t *v, const char **err_key)
{
    char buf[64];
    const char *s;
    if (json_is_integer(v)) {
        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
        s = buf;
    } else if (json_is_real(v)) {
        double d = json_real_value(v);
        /* The same range as text (13 digits of yuan), checked before any
         * arithmetic: 1e308 * 100 is infinite and slipped through as -1. */
        if (!isfinite(d) || fabs(d) >= MONEY_MAX_YUAN) {
            *err_key = "field.money_range";
            return NULL;
        }
        if (fabs(d * 100 - round(d * 100)) > 1e-6) {
            *err_key = "field.money";
            return NULL;
        }
        snprintf(buf, sizeof(buf), "%.2f", d);
        return json_string(buf);
    } else if (json_is_string(v)) {
        s = json_string_value(v);
    } else {
        *err_key = "field.not_number";
        return NULL;
    }
    const char *p = s;
    if (*p == '-')
        p++;
    size_t digits = 0, decimals = 0;
    bool dot = false;
    for (; *p; p++) {
        if (*p == '.' && !dot) {
            dot = true;
        } else if (*p >= '0' && *p <= '9') {
            if (dot)
                decimals++;
            else
                digits++;
        } else {
            *err_key = "field.not_number";
            return NULL;
        }
    }
    if (digits == 0 || (dot && decimals == 0)) {
        *err_key = "field.not_number";
        return NULL;
    }
    /* Leading zeros do not count towards the 13 digits of yuan. */
    const char *int_part = s + (*s == '-');
    while (*int_part == '0' && int_part[1] >= '0' && int_part[1] <= '9') {
        int_part++;
        digits--;
    }
    if (digits > 13) {
        *err_key = "field.money_range";
        return NULL;
    }
    if (decimals > 2) {
        *err_key = "field.money";
        return NULL;
    }
    /* Normalised as text, never through a double: sign, yuan, two decimals. */
    const char *frac = dot ? strchr(s, '.') + 1 : "";
    char out[32]; /* s may be buf */
    snprintf(out, sizeof(out), "%s%.*s.%c%c", *s == '-' ? "-" : "", (int)digits, int_part,
             decimals > 0 ? frac[0] : '0', decimals > 1 ? frac[1] : '0');
    return json_string(out);
}

/* A multi-select or array value: at most 50 strings of 64 characters, each
 * one of the options for a multi-select. */
static json_t *check_list(enum field_type t, json_t *options, json_t *v, const char **err_key)
{
    if (!json_is_array(v) || json_array_size(v) > 50) {
        *err_key = "field.not_array";
        return NULL;
    }
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item) || utf8_len(json_string_value(item)) > 64) {
            *err_key = "field.not_string";
            return NULL;
        }
        if (t == FT_MULTISELECT && !option_exists(options, json_string_value(item))) {
            *err_key = "field.unknown_option";
            return NULL;
        }
    }
    return json_incref(v);
}

json_t *fields_check_value(enum field_type t, json_t *options, json_t *v, const char **err_key)
{
    *err_key = NULL;
    switch (t) {
    case FT_TEXT:
    case FT_TEXTAREA:
        if (!json_is_string(v)) {
            *err_key = "field.not_string";
            return NULL;
        }
        if (utf8_len(json_string_value(v)) > (t == FT_TEXT ? 200u : 2000u)) {
            *err_key = "field.too_long";
            return NULL;
        }
        return json_incref(v);
    case FT_NUMBER:
        /* A JSON number; text is converted by the importer, not here. */
        if (json_is_integer(v) || (json_is_real(v) && isfinite(json_real_value(v))))
            return json_incref(v);
        *err_key = "field.not_number";
        return NULL;
    case FT_MONEY:
        return check_money(v, err_key);
    case FT_DATE: {
        struct validate_ymd ymd;
        if (!json_is_string(v) || validate_date(json_string_value(v), &ymd)) {
            *err_key = "field.date";
            return NULL;
        }
        return json_incref(v);
    }
    case FT_SELECT:
        if (!json_is_string(v) || !option_exists(options, json_string_value(v))) {
            *err_key = "field.unknown_option";
            return NULL;
        }
        return json_incref(v);
    case FT_MULTISELECT:
    case FT_ARRAY:
        return check_list(t, options, v, err_key);
    case FT_PHONE: {
        char norm[12];
        if (!json_is_string(v) || validate_mobile(json_string_value(v), norm)) {
            *err_key = "field.phone";
            return NULL;
        }
        return json_string(norm);
    }
    case FT_EMAIL:
        if (!json_is_string(v) || validate_email(json_string_value(v))) {
            *err_key = "field.email";
            return NULL;
        }
        return json_incref(v);
    case FT_BOOLEAN:
        if (!json_is_boolean(v)) {
            *err_key = "field.not_boolean";
            return NULL;
        }
        return json_incref(v);
    default:
        *err_key = "field.invalid";
        return NULL;
    }
}

static bool empty_value(json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0);
}

static void add_error(json_t *errors, const char *lang, const char *key, const char *msg_key)
{
    char name[64];
    snprintf(name, sizeof(name), "custom.%s", key);
    if (!json_object_get(errors, name))
        json_object_set_new(errors, name, json_string(i18n_msg(lang, msg_key)));
}

int fields_check(struct db *db, const char *lang, const char *entity, json_t *in, json_t *out,
                 json_t *errors, bool create)
{
    if (in && !json_is_object(in)) {
        json_object_set_new(errors, "custom", json_string(i18n_msg(lang, "field.not_object")));
        return 0;
    }
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v)
    {
        struct custom_field f;
        int rc = fields_lookup(db, entity, key, &f);
        if (rc < 0)
            return rc;
        if (rc == 0 || f.retired) {
            add_error(errors, lang, key, "field.unknown_field");
            custom_field_clear(&f);
            continue;
        }
        if (empty_value(v)) {
            json_object_del(out, key);
        } else {
            const char *err = NULL;
            json_t *norm = fields_check_value(f.type, f.options, v, &err);
            if (norm)
                json_object_set_new(out, key, norm);
            else
                add_error(errors, lang, key, err);
        }
        custom_field_clear(&f);
    }
    /* Required fields must hold a value after the change. */
    json_t *required = json_incref(memo_get("required", entity, NULL));
    if (!required) {
        struct db_stmt *st =
            db_query(db,
                     "SELECT key FROM custom_fields WHERE entity = ? AND required = 1 "
                     "AND retired = 0 AND hidden = 0",
                     DB_ARGS(DB_TEXT(entity)));
        if (!st)
            return DB_ERROR;
        required = json_array();
        int rc;
        while ((rc = db_step(st)) == 1)
            json_array_append_new(required, json_string(db_col_text(st, 0)));
        db_finish(st);
        if (rc < 0) { /* not a shorter list of required fields */
            json_decref(required);
            return rc;
        }
        memo_put("required", entity, NULL, json_incref(required));
    }
    size_t i;
    json_t *k;
    json_array_foreach(required, i, k)
    {
        const char *rk = json_string_value(k);
        if ((create || (in && json_object_get(in, rk))) && empty_value(json_object_get(out, rk)))
            add_error(errors, lang, rk, "field.required");
    }
    json_decref(required);
    return 0;
}

/* ---- definitions API ---- */

static json_t *field_json(struct db_stmt *st, struct req *r)
{
    json_t *o = listing_row_json(st, r);
    /* Friendlier names for the aliased columns. */
    json_object_set(o, "required", json_object_get(o, "is_required"));
    json_object_set(o, "hidden", json_object_get(o, "is_hidden"));
    json_object_set(o, "retired", json_object_get(o, "is_retired"));
    json_object_set(o, "options", json_object_get(o, "options_json"));
    json_object_del(o, "is_required");
    json_object_del(o, "is_hidden");
    json_object_del(o, "is_retired");
    json_object_del(o, "options_json");
    return o;
}

static void reply_field(struct req *r, unsigned status, int64_t id)
{
    listing_reply_one(r, status, "field", field_json,
                      "SELECT " FIELD_COLUMNS " FROM custom_fields WHERE id = ?",
                      DB_ARGS(DB_INT(id)));
}

static void list(struct req *r)
{
    const char *entity = req_query(r, "entity");
    const char *retired = req_query(r, "include_retired");
    const struct entity *e = entity_find(entity);
    if (!e)
        e = entity_default();
    entity = e ? e->name : "";
    bool all = retired && strcmp(retired, "1") == 0;
    listing_reply_query(r, field_json,
                        "SELECT " FIELD_COLUMNS " FROM custom_fields WHERE entity = ? "
                        "AND (? = 1 OR retired = 0) ORDER BY retired, sort, id",
                        DB_ARGS(DB_TEXT(entity), DB_INT(all)));
}

/* A key starts with a lower-case letter: it names a JSON member in SQL. */
static bool key_valid(const char *k)
{
    return k[0] >= 'a' && k[0] <= 'z' && validate_chars(k, 1, 32, VALIDATE_LOWER "0123456789_");
}

/* Options: [{"value","label","label_en"}], values unique, ≤ 200 of them. */
static json_t *read_options(struct form *f, bool *bad)
{
    json_t *v = json_object_get(f->in, "options");
    *bad = false;
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_array(v) || json_array_size(v) > 200) {
        form_fail(f, "options", "field.not_array");
        *bad = true;
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(v, i, o)
    {
        const char *value = json_string_value(json_object_get(o, "value"));
        const char *label = json_string_value(json_object_get(o, "label"));
        const char *label_en = json_string_value(json_object_get(o, "label_en"));
        if (!value || !*value || utf8_len(value) > 64 || (label && utf8_len(label) > 64) ||
            option_exists(out, value)) {
            form_fail(f, "options", "field.invalid");
            *bad = true;
            break;
        }
        json_array_append_new(out, json_pack("{s:s,s:s,s:s}", "value", value, "label",
                                             label && *label ? label : value, "label_en",
                                             label_en ? label_en : ""));
    }
    return out;
}

static void create(struct req *r)
{
    struct form f;
    form_init(&f, r);
    const char *entity = form_str(&f, "entity", false, 32);
    const char *key = form_str(&f, "key", true, 32);
    const char *label = form_str(&f, "label", true, 64);
    const char *label_en = form_str(&f, "label_en", false, 64);
    const char *type = form_str(&f, "type", true, 16);
    const char *help = form_str(&f, "help", false, 200);
    bool required = false, bad;
    form_bool(&f, "required", false, &required);
    /* Only entities with a custom-value column take custom fields. */
    const struct entity *e = entity ? entity_find(entity) : entity_default();
    if (!e || !e->custom_column)
        form_fail(&f, "entity", "field.invalid");
    else
        entity = e->name;
    if (key && !key_valid(key))
        form_fail(&f, "key", "field.key_format");
    int t = entity_type_from_name(type);
    if (type && t < 0)
        form_fail(&f, "type", "field.unknown_type");
    json_t *options = read_options(&f, &bad);
    if ((t == FT_SELECT || t == FT_MULTISELECT) && !bad && json_array_size(options) == 0)
        form_fail(&f, "options", "field.options_required");
    if (!form_done(&f)) {
        json_decref(options);
        return;
    }
    char *opts = options ? json_dumps(options, JSON_COMPACT) : xstrdup("[]");
    json_decref(options);
    int64_t now = clock_now(), id = 0, next_sort = 0;
    if (!audit_begin(r)) {
        free(opts);
        return;
    }
    int rc =
        db_query_id(r->db, "SELECT COALESCE(MAX(sort), 0) + 10 FROM custom_fields WHERE entity = ?",
                    DB_ARGS(DB_TEXT(entity)), &next_sort);
    if (!rc)
        rc = db_exec(r->db,
                     "INSERT INTO custom_fields (entity, key, label, label_en, type, required, "
                     "options, help, sort, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     DB_ARGS(DB_TEXT(entity), DB_TEXT(key), DB_TEXT(label),
                             DB_TEXT(label_en ? label_en : ""), DB_TEXT(type), DB_INT(required),
                             DB_TEXT(opts), DB_TEXT(help ? help : ""), DB_INT(next_sort),
                             DB_INT(now), DB_INT(now)));
    free(opts);
    if (!rc)
        rc = db_query_id(r->db, "SELECT id FROM custom_fields WHERE entity = ? AND key = ?",
                         DB_ARGS(DB_TEXT(entity), DB_TEXT(key)), &id);
    if (audit_end_unique(r, rc, "key", "field.key_taken", "field.create", "custom_field", id,
                         json_pack("{s:s,s:s,s:s}", "entity", entity, "key", key, "type", type)))
        reply_field(r, 201, id);
}

static void update(struct req *r)
{
    struct form f;
    int64_t id;
    if (!form_init_id(&f, r, 0, &id))
        return;
    const char *label = form_str(&f, "label", false, 64);
    const char *label_en = form_str(&f, "label_en", false, 64);
    const char *help = form_str(&f, "help", false, 200);
    bool required = false, hidden = false, bad;
    int has_req = form_bool(&f, "required", false, &required);
    int has_hidden = form_bool(&f, "hidden", false, &hidden);
    int64_t version = 0;
    form_int(&f, "version", true, &version);
    json_t *options = read_options(&f, &bad);
    if (!form_done(&f)) {
        json_decref(options);
        return;
    }
    char *opts = options ? json_dumps(options, JSON_COMPACT) : NULL;
    json_decref(options);
    bool done = audit_change(
        r, id, "SELECT 1 FROM custom_fields WHERE id = ?",
        "UPDATE custom_fields SET label = COALESCE(?, label), label_en = COALESCE(?, label_en), "
        "help = COALESCE(?, help), required = COALESCE(?, required), "
        "hidden = COALESCE(?, hidden), options = COALESCE(?, options), "
        "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
        DB_ARGS(DB_TEXT(label), DB_TEXT(label_en), DB_TEXT(help),
                DB_INT_OR_NULL(has_req == 1, required), DB_INT_OR_NULL(has_hidden == 1, hidden),
                DB_TEXT(opts), DB_INT(clock_now()), DB_INT(id), DB_INT(version)),
        "field.update", "custom_field", json_deep_copy(r->json));
    free(opts);
    if (done)
        reply_field(r, 200, id);
}

static void set_retired(struct req *r, bool retired)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    if (audit_change(r, id, NULL,
                     "UPDATE custom_fields SET retired = ?, version = version + 1, updated_at = ? "
                     "WHERE id = ?",
                     DB_ARGS(DB_INT(retired), DB_INT(clock_now()), DB_INT(id)),
                     retired ? "field.retire" : "field.restore", "custom_field", NULL))
        reply_field(r, 200, id);
}

static void retire(struct req *r)
{
    set_retired(r, true);
}

static void restore(struct req *r)
{
    set_retired(r, false);
}

static void reorder(struct req *r)
{
    json_t *ids = json_object_get(r->json, "ids");
    if (!json_is_array(ids) || json_array_size(ids) > 500) {
        reply_invalid(r, json_pack("{s:s}", "ids", req_msg(r, "field.not_array")));
        return;
    }
    int rc = db_begin(r->db);
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        if (rc)
            break;
        if (!json_is_integer(v)) {
            db_rollback(r->db);
            reply_invalid(r, json_pack("{s:s}", "ids", req_msg(r, "field.not_integer")));
            return;
        }
        rc = db_exec(r->db, "UPDATE custom_fields SET sort = ?, updated_at = ? WHERE id = ?",
                     DB_ARGS(DB_INT((int64_t)(i + 1) * 10), DB_INT(clock_now()),
                             DB_INT(json_integer_value(v))));
    }
    if (!rc)
        rc = audit_write(r->db, r, NULL, "field.reorder", NULL, 0, json_deep_copy(ids));
    if (!audit_commit(r, rc))
        return;
    reply_ok(r);
}

/* The route table fields_routes[], made from fields.routes. */
#include "record/fields.routes.h"
