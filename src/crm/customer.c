/*
 * customer.c - the customer record: validation, numbering, storage, search
 * conditions and presentation (see customer.h). The HTTP handlers are in
 * customer_api.c.
 */
#include "crm/customer.h"

#include "auth/actor.h"
#include "record/dictionaries.h"
#include "auth/perm.h"
#include "base/clock.h"
#include "base/i18n.h"
#include "base/pinyin.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "record/entity.h"
#include "record/fields.h"
#include "record/history.h"
#include "crm/name_grams.h"
#include "crm/reminder.h"
#include "record/scope.h"
#include "record/tags.h"
#include "db/db.h"
#include "http/form.h"

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
    json_object_set_new(o, "id_number", text_or_null(st, 7));
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
    return o;
}

json_t *customer_load(struct db *db, const struct actor *u, int64_t id, bool deleted)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT " CUSTOMER_COLUMNS " FROM " CUSTOMER_FROM " WHERE c.id = ? AND ");
    sqlbuf_bind(&b, DB_INT(id));
    scope_sql(u, "c.branch_path", &b);
    if (!deleted)
        sqlbuf_add(&b, " AND c.deleted_at IS NULL");
    struct db_stmt *st = db_query(db, b.sql, b.args, b.nargs);
    json_t *rec = NULL;
    if (st && db_step(st) == 1)
        rec = customer_row(st);
    db_finish(st);
    sqlbuf_release(&b);
    return rec;
}

static void mask_field(json_t *o, const char *key, bool id)
{
    const char *v = json_string_value(json_object_get(o, key));
    if (!v || !*v)
        return;
    char *m = id ? id_mask(v) : phone_mask(v);
    json_object_set_new(o, key, json_string(m));
    free(m);
}

json_t *customer_present(struct db *db, json_t *rec)
{
    json_t *o = json_deep_copy(rec);
    mask_field(o, "phone", false);
    mask_field(o, "id_number", true);
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(o, "family_members"), i, m) mask_field(m, "phone", false);
    json_object_del(o, "branch_path");
    if (db) {
        int64_t id = json_integer_value(json_object_get(o, "id"));
        json_t *tags = tags_for_objects(db, "customer", &id, 1);
        char key[24];
        snprintf(key, sizeof(key), "%lld", (long long)id);
        json_t *list = json_object_get(tags, key);
        json_object_set_new(o, "tags", list ? json_incref(list) : json_array());
        json_decref(tags);
    }
    return o;
}

/* ---- validation ---- */

static const char *const editable[] = {
    "name",          "gender", "phone",      "id_number", "birthday",       "birthday_lunar",
    "address",       "region", "occupation", "interests", "family_members", "business_prefs",
    "service_level", "level",  "owner_id",   "branch_id", "custom",         NULL,
};

static void fail(json_t *errors, const char *lang, const char *field, const char *key)
{
    if (!json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(i18n_msg(lang, key)));
}

/* A string field: absent → keep; null / "" → clear; else trimmed and capped. */
static void check_text(json_t *in, json_t *out, json_t *errors, const char *lang, const char *key,
                       size_t max)
{
    json_t *v = json_object_get(in, key);
    if (!v)
        return;
    if (json_is_null(v)) {
        json_object_set_new_nocheck(out, key, json_null());
        return;
    }
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
        fail(errors, lang, key, "field.not_string");
        return;
    }
    const char *s = json_string_value(v);
    size_t a = 0, n = strlen(s);
    while (a < n && (s[a] == ' ' || s[a] == '\t' || s[a] == '\n' || s[a] == '\r'))
        a++;
    while (n > a && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    if (n == a) {
        json_object_set_new_nocheck(out, key, json_null());
        return;
    }
    size_t chars = 0;
    for (size_t i = a; i < n; i++)
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    /* A slice of a valid string between ASCII spaces is valid UTF-8 too. */
    if (chars > max)
        fail(errors, lang, key, "field.too_long");
    else
        json_object_set_new_nocheck(out, key, json_stringn_nocheck(s + a, n - a));
}

static void check_string_list(json_t *in, json_t *out, json_t *errors, const char *lang,
                              const char *key)
{
    json_t *v = json_object_get(in, key);
    if (!v)
        return;
    if (json_is_null(v)) {
        json_object_set_new_nocheck(out, key, json_array());
        return;
    }
    const char *err = NULL;
    json_t *norm = fields_check_value(FT_ARRAY, NULL, v, &err);
    if (norm)
        json_object_set_new_nocheck(out, key, norm);
    else
        fail(errors, lang, key, err);
}

static void check_family(json_t *in, json_t *out, json_t *errors, const char *lang)
{
    json_t *v = json_object_get(in, "family_members");
    if (!v)
        return;
    if (json_is_null(v)) {
        json_object_set_new_nocheck(out, "family_members", json_array());
        return;
    }
    if (!json_is_array(v) || json_array_size(v) > 20) {
        fail(errors, lang, "family_members", "field.not_array");
        return;
    }
    json_t *list = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(v, i, m)
    {
        char field[48];
        json_t *item = json_object();
        if (!json_is_object(m)) {
            snprintf(field, sizeof(field), "family_members.%zu", i);
            fail(errors, lang, field, "field.not_object");
            json_decref(item);
            continue;
        }
        static const struct {
            const char *key;
            size_t max;
        } texts[] = {{"relation", 16}, {"name", 32}, {"phone", 20}, {"birthday", 10}};
        json_t *sub = json_object();
        for (size_t k = 0; k < 4; k++)
            check_text(m, item, sub, lang, texts[k].key, texts[k].max);
        const char *phone = json_string_value(json_object_get(item, "phone"));
        char norm[12];
        if (phone) {
            if (validate_mobile(phone, norm))
                fail(sub, lang, "phone", "field.phone");
            else
                json_object_set_new(item, "phone", json_string_nocheck(norm));
        }
        const char *bd = json_string_value(json_object_get(item, "birthday"));
        struct validate_ymd ymd;
        if (bd && validate_date(bd, &ymd))
            fail(sub, lang, "birthday", "field.date");
        if (!json_string_value(json_object_get(item, "name")) &&
            !json_string_value(json_object_get(item, "relation")))
            fail(sub, lang, "name", "field.required");
        const char *k;
        json_t *msg;
        json_object_foreach(sub, k, msg)
        {
            snprintf(field, sizeof(field), "family_members.%zu.%s", i, k);
            json_object_set(errors, field, msg);
        }
        json_decref(sub);
        json_array_append_new(list, item);
    }
    json_object_set_new_nocheck(out, "family_members", list);
}

static void check_dictionary(struct db *db, json_t *out, json_t *errors, const char *lang,
                             const char *key, const char *dict)
{
    const char *v = json_string_value(json_object_get(out, key));
    if (v && !dictionaries_has(db, dict, v))
        fail(errors, lang, key, "field.unknown_option");
}

static int check_refs(struct db *db, const struct actor *u, json_t *in, json_t *out, json_t *errors,
                      const char *lang)
{
    json_t *owner = json_object_get(in, "owner_id");
    if (owner) {
        if (json_is_null(owner)) {
            json_object_set_new_nocheck(out, "owner_id", json_null());
        } else if (!json_is_integer(owner)) {
            fail(errors, lang, "owner_id", "field.not_integer");
        } else {
            int64_t one;
            int rc = db_query_int(db, "SELECT 1 FROM users WHERE id = ? AND status = 'active'",
                                  DB_ARGS(DB_INT(json_integer_value(owner))), &one);
            if (rc < 0)
                return rc;
            if (rc == 0)
                fail(errors, lang, "owner_id", "field.unknown_owner");
            else
                json_object_set(out, "owner_id", owner);
        }
    }
    json_t *branch = json_object_get(in, "branch_id");
    if (branch && !json_is_null(branch)) {
        if (!json_is_integer(branch)) {
            fail(errors, lang, "branch_id", "field.not_integer");
            return 0;
        }
        struct db_stmt *st = db_query(db, "SELECT path FROM branches WHERE id = ?",
                                      DB_ARGS(DB_INT(json_integer_value(branch))));
        if (!st)
            return DB_ERROR;
        if (db_step(st) != 1)
            fail(errors, lang, "branch_id", "field.unknown_branch");
        else if (!scope_contains(u, db_col_text(st, 0)))
            fail(errors, lang, "branch_id", "field.branch_scope");
        else {
            json_object_set(out, "branch_id", branch);
            json_object_set_new_nocheck(out, "branch_path",
                                        json_string_nocheck(db_col_text(st, 0)));
        }
        db_finish(st);
    }
    return 0;
}

/* ID number, birthday and gender must agree; a valid ID fills the other two. */
static void check_identity(json_t *in, json_t *out, json_t *errors, const char *lang)
{
    struct validate_ymd today;
    validate_today(&today);
    check_text(in, out, errors, lang, "id_number", 18);
    check_text(in, out, errors, lang, "birthday", 10);
    check_text(in, out, errors, lang, "gender", 6);
    const char *gender = json_string_value(json_object_get(out, "gender"));
    if (gender && strcmp(gender, "male") != 0 && strcmp(gender, "female") != 0)
        fail(errors, lang, "gender", "field.gender");
    const char *bd = json_string_value(json_object_get(out, "birthday"));
    struct validate_ymd ymd;
    if (bd && validate_date(bd, &ymd)) {
        fail(errors, lang, "birthday", "field.date");
        bd = NULL;
    } else if (bd &&
               (ymd.year > today.year ||
                (ymd.year == today.year &&
                 (ymd.month > today.month || (ymd.month == today.month && ymd.day > today.day))))) {
        fail(errors, lang, "birthday", "id_number.birthdate_future");
        bd = NULL;
    }
    const char *id = json_string_value(json_object_get(out, "id_number"));
    if (!id)
        return;
    struct validate_id_info info;
    int rc = validate_id_number(id, &today, &info);
    if (rc) {
        fail(errors, lang, "id_number", validate_error_key(rc));
        return;
    }
    json_object_set_new_nocheck(out, "id_number", json_string_nocheck(info.id));
    /* What the clerk typed in this request must agree with the ID; values
     * not typed now are derived from it. */
    json_t *typed_bd = json_object_get(in, "birthday");
    json_t *typed_g = json_object_get(in, "gender");
    if (bd && typed_bd && json_is_string(typed_bd) && strcmp(bd, info.birthday) != 0)
        fail(errors, lang, "birthday", "field.birthday_mismatch");
    else
        json_object_set_new_nocheck(out, "birthday", json_string_nocheck(info.birthday));
    if (gender && typed_g && json_is_string(typed_g) && strcmp(gender, info.gender) != 0)
        fail(errors, lang, "gender", "field.gender_mismatch");
    else
        json_object_set_new_nocheck(out, "gender", json_string_nocheck(info.gender));
}

int customer_check(struct db *db, const struct actor *u, const char *lang, json_t *in, json_t *cur,
                   json_t *out, json_t *errors)
{
    /* Start from the current values of every editable field. */
    for (const char *const *k = editable; *k; k++) {
        json_t *v = cur ? json_object_get(cur, *k) : NULL;
        if (v)
            json_object_set(out, *k, v);
    }
    if (cur)
        json_object_set(out, "branch_path", json_object_get(cur, "branch_path"));
    else {
        json_object_set_new_nocheck(out, "interests", json_array());
        json_object_set_new_nocheck(out, "family_members", json_array());
        json_object_set_new_nocheck(out, "business_prefs", json_array());
        json_object_set_new_nocheck(out, "custom", json_object());
        json_object_set_new_nocheck(out, "birthday_lunar", json_false());
        if (u->branch_id) {
            json_object_set_new_nocheck(out, "branch_id", json_integer(u->branch_id));
            json_object_set_new_nocheck(out, "branch_path", json_string_nocheck(u->branch_path));
        }
    }

    check_text(in, out, errors, lang, "name", 32);
    json_t *phone = json_object_get(in, "phone");
    if (phone) {
        char norm[12];
        if (!json_is_string(phone) || validate_mobile(json_string_value(phone), norm))
            fail(errors, lang, "phone",
                 json_is_string(phone) && json_string_length(phone) == 0 ? "field.required"
                                                                         : "field.phone");
        else
            json_object_set_new_nocheck(out, "phone", json_string_nocheck(norm));
    }
    check_identity(in, out, errors, lang);
    json_t *lunar = json_object_get(in, "birthday_lunar");
    if (lunar && !json_is_boolean(lunar))
        fail(errors, lang, "birthday_lunar", "field.not_boolean");
    else if (lunar)
        json_object_set(out, "birthday_lunar", lunar);
    check_text(in, out, errors, lang, "address", 200);
    check_text(in, out, errors, lang, "region", 100);
    check_text(in, out, errors, lang, "occupation", 32);
    check_text(in, out, errors, lang, "service_level", 16);
    check_text(in, out, errors, lang, "level", 16);
    check_dictionary(db, out, errors, lang, "service_level", "service_level");
    check_dictionary(db, out, errors, lang, "level", "customer_level");
    check_string_list(in, out, errors, lang, "interests");
    check_string_list(in, out, errors, lang, "business_prefs");
    check_family(in, out, errors, lang);
    int rc = check_refs(db, u, in, out, errors, lang);
    if (rc)
        return rc;
    json_t *custom = json_object_get(in, "custom");
    json_t *custom_out = json_deep_copy(json_object_get(out, "custom"));
    if (!custom_out)
        custom_out = json_object();
    rc = fields_check(db, lang, "customer", custom, custom_out, errors, cur == NULL);
    json_object_set_new_nocheck(out, "custom", custom_out);
    if (rc)
        return rc;

    if (!json_string_value(json_object_get(out, "name")))
        fail(errors, lang, "name", "field.required");
    if (!json_string_value(json_object_get(out, "phone")))
        fail(errors, lang, "phone", "field.required");
    if (!json_is_integer(json_object_get(out, "branch_id")))
        fail(errors, lang, "branch_id", "field.required");
    return 0;
}

/* ---- writing ---- */

/* Bump the branch's counter by n: the last number of the block in *last. */
static int reserve_numbers(struct db *db, const char *code, int64_t n, int64_t *last)
{
    char seq[80];
    snprintf(seq, sizeof(seq), "customer_no:%s", code);
    /* One statement for the common case: bump and read the counter. */
    int rc =
        db_query_int(db, "UPDATE sequences SET value = value + ? WHERE name = ? RETURNING value",
                     DB_ARGS(DB_INT(n), DB_TEXT(seq)), last);
    if (rc == 0)
        rc = db_query_int(db, "INSERT INTO sequences (name, value) VALUES (?, ?) RETURNING value",
                          DB_ARGS(DB_TEXT(seq), DB_INT(n)), last);
    return rc == 1 ? 0 : rc < 0 ? rc : DB_ERROR;
}

/* Numbers a batch reserves at a time. */
#define NUMBER_BLOCK 256

static int next_customer_no(struct db *db, int64_t branch_id, struct customer_batch *b, char *out,
                            size_t outlen)
{
    if (b && b->no_branch == branch_id && b->no_next <= b->no_end) {
        snprintf(out, outlen, "%s-%06lld", b->no_code, (long long)b->no_next++);
        return 0;
    }
    char code[64] = "";
    struct db_stmt *st =
        db_query(db, "SELECT code FROM branches WHERE id = ?", DB_ARGS(DB_INT(branch_id)));
    if (!st)
        return DB_ERROR;
    if (db_step(st) == 1)
        snprintf(code, sizeof(code), "%s", db_col_text(st, 0));
    db_finish(st);
    int64_t n = b ? NUMBER_BLOCK : 1, last = 0;
    int rc = reserve_numbers(db, code, n, &last);
    if (rc)
        return rc;
    if (b) {
        b->no_branch = branch_id;
        snprintf(b->no_code, sizeof(b->no_code), "%s", code);
        b->no_next = last - n + 2;
        b->no_end = last;
    }
    snprintf(out, outlen, "%s-%06lld", code, (long long)(last - n + 1));
    return 0;
}

static const char *str(json_t *rec, const char *key)
{
    return json_string_value(json_object_get(rec, key));
}

static char *dump(json_t *rec, const char *key)
{
    json_t *v = json_object_get(rec, key);
    /* Most profiles have none: skip the serialiser for the empty forms. */
    if (!v || (json_is_array(v) && json_array_size(v) == 0))
        return xstrdup("[]");
    if (json_is_object(v) && json_object_size(v) == 0)
        return xstrdup("{}");
    return json_dumps(v, JSON_COMPACT);
}

/* The text columns of a row, in the order of INSERT_COLUMNS. */
enum {
    ROW_NAME,
    ROW_PINYIN,
    ROW_INITIALS,
    ROW_GENDER,
    ROW_PHONE,
    ROW_PHONE_LAST4,
    ROW_ID_NUMBER,
    ROW_BIRTHDAY,
    ROW_ADDRESS,
    ROW_REGION,
    ROW_OCCUPATION,
    ROW_INTERESTS,
    ROW_FAMILY,
    ROW_PREFS,
    ROW_SERVICE_LEVEL,
    ROW_LEVEL,
    ROW_BRANCH_PATH,
    ROW_CUSTOM,
    ROW_TEXTS
};

struct customer_row {
    const char *v[ROW_TEXTS]; /* into data; NULL = SQL NULL */
    int64_t branch_id, owner_id, user_id;
    bool has_owner, lunar;
    const int64_t *tags; /* into data */
    size_t ntags, ngrams;
    const char (*grams)[NAME_GRAM_SIZE]; /* into data */
    char no[96];                         /* customer number, given when queued */
    int64_t id;                          /* given when written */
    _Alignas(int64_t) char data[];
};

struct customer_row *customer_row_new(const struct actor *u, json_t *rec, json_t *tag_ids)
{
    const char *name = str(rec, "name"), *phone = str(rec, "phone");
    char *full = NULL, *initials = NULL;
    pinyin_name(name ? name : "", &full, &initials);
    char *dumps[4] = {dump(rec, "interests"), dump(rec, "family_members"),
                      dump(rec, "business_prefs"), dump(rec, "custom")};
    size_t plen = phone ? strlen(phone) : 0;
    const char *src[ROW_TEXTS] = {
        [ROW_NAME] = name,
        [ROW_PINYIN] = full,
        [ROW_INITIALS] = initials,
        [ROW_GENDER] = str(rec, "gender"),
        [ROW_PHONE] = phone,
        [ROW_PHONE_LAST4] = plen >= 4 ? phone + plen - 4 : phone,
        [ROW_ID_NUMBER] = str(rec, "id_number"),
        [ROW_BIRTHDAY] = str(rec, "birthday"),
        [ROW_ADDRESS] = str(rec, "address"),
        [ROW_REGION] = str(rec, "region"),
        [ROW_OCCUPATION] = str(rec, "occupation"),
        [ROW_INTERESTS] = dumps[0],
        [ROW_FAMILY] = dumps[1],
        [ROW_PREFS] = dumps[2],
        [ROW_SERVICE_LEVEL] = str(rec, "service_level"),
        [ROW_LEVEL] = str(rec, "level"),
        [ROW_BRANCH_PATH] = str(rec, "branch_path"),
        [ROW_CUSTOM] = dumps[3],
    };
    char grams[NAME_GRAMS_MAX][NAME_GRAM_SIZE];
    size_t ngrams = name_grams_collect(name ? name : "", grams);
    size_t ntags = json_array_size(tag_ids), lens[ROW_TEXTS], size = 0;
    for (int i = 0; i < ROW_TEXTS; i++)
        size += src[i] ? (lens[i] = strlen(src[i]) + 1) : 0;
    /* One block: tag ids, fragments, then the texts (no alignment after). */
    struct customer_row *row =
        xmalloc(sizeof(*row) + ntags * sizeof(int64_t) + ngrams * NAME_GRAM_SIZE + size);
    int64_t *tags = (int64_t *)row->data;
    for (size_t i = 0; i < ntags; i++)
        tags[i] = json_integer_value(json_array_get(tag_ids, i));
    char *p = row->data + ntags * sizeof(int64_t);
    memcpy(p, grams, ngrams * NAME_GRAM_SIZE);
    row->grams = (const char(*)[NAME_GRAM_SIZE])p;
    p += ngrams * NAME_GRAM_SIZE;
    for (int i = 0; i < ROW_TEXTS; i++) {
        row->v[i] = src[i] ? memcpy(p, src[i], lens[i]) : NULL;
        p += src[i] ? lens[i] : 0;
    }
    json_t *owner = json_object_get(rec, "owner_id");
    row->has_owner = json_is_integer(owner);
    row->owner_id = json_integer_value(owner);
    row->branch_id = json_integer_value(json_object_get(rec, "branch_id"));
    row->lunar = json_is_true(json_object_get(rec, "birthday_lunar"));
    row->user_id = u->id;
    row->tags = tags;
    row->ntags = ntags;
    row->ngrams = ngrams;
    row->no[0] = '\0';
    row->id = 0;
    free(full);
    free(initials);
    for (int i = 0; i < 4; i++)
        free(dumps[i]);
    return row;
}

void customer_row_free(struct customer_row *row)
{
    free(row);
}

#define INSERT_COLUMNS                                                                             \
    "INSERT INTO customers (customer_no, name, name_pinyin, name_initials, gender, phone, "        \
    "phone_last4, id_number, birthday, address, region, occupation, interests, "                   \
    "family_members, business_prefs, service_level, level, branch_path, custom, "                  \
    "birthday_lunar, owner_id, branch_id, created_by, updated_by, created_at, updated_at) VALUES "

/* Append the value tuple of a row to an INSERT being built (the texts are
 * borrowed from the row). */
static void add_values(struct sqlbuf *q, const struct customer_row *row, int64_t now)
{
    sqlbuf_add(q, q->nargs ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                             "?, ?, ?, ?, ?)"
                           : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                             "?, ?, ?, ?)");
    /* The queue keeps the rows until the statement is done. */
    sqlbuf_bind(q, DB_TEXT_KEPT(row->no));
    for (int i = 0; i < ROW_TEXTS; i++)
        sqlbuf_bind(q, DB_TEXT_KEPT(row->v[i]));
    sqlbuf_bind(q, DB_INT(row->lunar));
    sqlbuf_bind(q, DB_INT_OR_NULL(row->has_owner, row->owner_id));
    sqlbuf_bind(q, DB_INT(row->branch_id));
    sqlbuf_bind(q, DB_INT_OR_NULL(row->user_id, row->user_id));
    sqlbuf_bind(q, DB_INT_OR_NULL(row->user_id, row->user_id));
    sqlbuf_bind(q, DB_INT(now));
    sqlbuf_bind(q, DB_INT(now));
}

int customer_insert(struct db *db, const struct actor *u, json_t *rec, int64_t *id)
{
    struct customer_row *row = customer_row_new(u, rec, NULL);
    int rc = next_customer_no(db, row->branch_id, NULL, row->no, sizeof(row->no));
    if (!rc) {
        struct sqlbuf q;
        sqlbuf_init(&q);
        sqlbuf_add(&q, INSERT_COLUMNS);
        add_values(&q, row, clock_now());
        sqlbuf_add(&q, " RETURNING id");
        rc = db_query_int(db, q.sql, q.args, q.nargs, id);
        rc = rc == 1 ? 0 : rc < 0 ? rc : DB_ERROR;
        sqlbuf_release(&q);
    }
    if (!rc)
        rc = name_grams_add(db, *id, row->v[ROW_NAME]);
    if (!rc && row->lunar)
        rc = reminders_update_lunar_md(db, *id);
    customer_row_free(row);
    return rc;
}

/* Records a batch holds before writing them with one statement each for
 * the rows, their name fragments and their tags. */
#define BATCH_QUEUE 64

/* A validated mobile number (11 digits) or ID number (17 digits and a
 * check character 0-9 or X) as a number, tagged with its kind in the low
 * bits; 0 for anything else, which can never equal a validated input. */
static uint64_t phone_key(const char *s)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; s && s[i] >= '0' && s[i] <= '9'; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    return i == 11 && !s[i] ? v << 2 | 1 : 0;
}

static uint64_t id_key(const char *s)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; s && i < 17 && s[i] >= '0' && s[i] <= '9'; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    if (i != 17 || !((s[17] >= '0' && s[17] <= '9') || s[17] == 'X') || s[18])
        return 0;
    v = v * 11 + (uint64_t)(s[17] == 'X' ? 10 : s[17] - '0'); /* < 1.1e18 */
    return v << 2 | 2;
}

enum customer_known customer_batch_known(const struct customer_batch *b, const char *phone,
                                         const char *id_number)
{
    uint8_t v = phone && *phone ? keyset_get(&b->known, phone_key(phone)) : 0;
    if (!v && id_number && *id_number)
        v = keyset_get(&b->known, id_key(id_number));
    return (enum customer_known)v;
}

void customer_batch_note(struct customer_batch *b, json_t *rec)
{
    keyset_put(&b->known, phone_key(str(rec, "phone")), CUSTOMER_KNOWN_IN_SCOPE);
    keyset_put(&b->known, id_key(str(rec, "id_number")), CUSTOMER_KNOWN_IN_SCOPE);
}

bool customer_batch_queued(const struct customer_batch *b, const char *phone, const char *id_number)
{
    return keyset_get(&b->queued, phone_key(phone)) || keyset_get(&b->queued, id_key(id_number));
}

int customer_batch_add(struct db *db, const struct actor *u, json_t *rec, json_t *tag_ids,
                       struct customer_batch *b)
{
    return customer_batch_add_row(db, b, customer_row_new(u, rec, tag_ids));
}

int customer_batch_add_row(struct db *db, struct customer_batch *b, struct customer_row *row)
{
    int rc = next_customer_no(db, row->branch_id, b, row->no, sizeof(row->no));
    if (rc) {
        customer_row_free(row);
        return rc;
    }
    if (!b->rows)
        b->rows = xmalloc(BATCH_QUEUE * sizeof(*b->rows));
    b->rows[b->nrows++] = row;
    keyset_put(&b->queued, phone_key(row->v[ROW_PHONE]), 1);
    keyset_put(&b->queued, id_key(row->v[ROW_ID_NUMBER]), 1);
    return b->nrows >= BATCH_QUEUE ? customer_batch_flush(db, b) : 0;
}

/* Drop the queued rows. */
static void clear_queue(struct customer_batch *b)
{
    for (size_t i = 0; i < b->nrows; i++)
        customer_row_free(b->rows[i]);
    b->nrows = 0;
    keyset_clear(&b->queued);
}

/* The ids RETURNING gave, by customer number, onto the queued rows. Rows
 * come back in no promised order, but in practice in the order given:
 * look there first. */
static void match_id(struct customer_batch *b, size_t *hint, const char *no, int64_t id)
{
    for (size_t k = 0; k < b->nrows; k++) {
        struct customer_row *row = b->rows[(*hint + k) % b->nrows];
        if (strcmp(row->no, no) == 0) {
            row->id = id;
            *hint = (*hint + k + 1) % b->nrows;
            return;
        }
    }
}

int customer_batch_flush(struct db *db, struct customer_batch *b)
{
    if (b->nrows == 0)
        return 0;
    int64_t now = clock_now();
    struct sqlbuf q;
    sqlbuf_init(&q);
    sqlbuf_add(&q, INSERT_COLUMNS);
    for (size_t i = 0; i < b->nrows; i++)
        add_values(&q, b->rows[i], now);
    sqlbuf_add(&q, " RETURNING id, customer_no");
    struct db_stmt *st = db_query(db, q.sql, q.args, q.nargs);
    int rc = st ? 0 : DB_ERROR, got;
    size_t hint = 0, n = 0;
    while (st && (got = db_step(st)) == 1 && ++n)
        match_id(b, &hint, db_col_text(st, 1), db_col_int(st, 0));
    if (st && got < 0)
        rc = got;
    db_finish(st);
    sqlbuf_release(&q);

    struct sqlbuf tags;
    sqlbuf_init(&tags);
    for (size_t i = 0; i < b->nrows && !rc; i++) {
        const struct customer_row *row = b->rows[i];
        if (!row->id) {
            rc = DB_ERROR; /* RETURNING left one out */
            break;
        }
        name_gram_set_add(&b->grams, row->id, row->grams, row->ngrams);
        for (size_t k = 0; k < row->ntags; k++) {
            sqlbuf_add(&tags, tags.nargs ? ", ('customer', ?, ?, ?)" : "('customer', ?, ?, ?)");
            sqlbuf_bind(&tags, DB_INT(row->id));
            sqlbuf_bind(&tags, DB_INT(row->tags[k]));
            sqlbuf_bind(&tags, DB_INT(now));
        }
        if (row->lunar)
            rc = reminders_update_lunar_md(db, row->id);
    }
    if (!rc && n != b->nrows)
        rc = DB_ERROR;
    /* In bulk mode the fragments wait for the end (customer_batch_bulk_finish). */
    if (!rc && !b->bulk)
        rc = name_gram_set_write(db, &b->grams);
    if (!rc && tags.nargs) {
        struct sqlbuf q2;
        sqlbuf_init(&q2);
        sqlbuf_add(&q2, "INSERT INTO object_tags (entity, object_id, tag_id, created_at) VALUES ");
        sqlbuf_append(&q2, &tags);
        sqlbuf_add(&q2, " ON CONFLICT DO NOTHING");
        rc = db_exec(db, q2.sql, q2.args, q2.nargs);
        sqlbuf_release(&q2);
    }
    sqlbuf_release(&tags);
    clear_queue(b);
    return rc;
}

/* Every stored customer's phone and ID number, for customer_batch_known:
 * some 0.1 µs a row instead of two index lookups, and the two indexes can
 * go with the others (16 bytes a key at most, half the table empty). */
static int load_known(struct db *db, const struct actor *u, struct keyset *known)
{
    struct db_stmt *st =
        db_query(db, "SELECT phone, id_number, branch_path FROM customers WHERE deleted_at IS NULL",
                 DB_NOARGS);
    if (!st)
        return DB_ERROR;
    int rc;
    while ((rc = db_step(st)) == 1) {
        uint8_t v = scope_contains(u, db_col_text(st, 2)) ? CUSTOMER_KNOWN_IN_SCOPE
                                                          : CUSTOMER_KNOWN_ELSEWHERE;
        keyset_put(known, phone_key(db_col_text(st, 0)), v);
        keyset_put(known, id_key(db_col_text(st, 1)), v);
    }
    db_finish(st);
    return rc < 0 ? rc : 0;
}

int customer_batch_bulk_begin(struct db *db, const struct actor *u, struct customer_batch *b)
{
    int rc = db_indexes_drop(db, "customers", &b->indexes[0]);
    if (rc || !b->indexes[0])
        return rc;
    rc = load_known(db, u, &b->known);
    if (rc)
        return rc;
    rc = db_indexes_drop(db, "customer_name_grams", &b->indexes[1]);
    b->bulk = rc == 0;
    return rc ? rc : 1;
}

/* One more step of customer_batch_bulk_finish done: tell the caller. */
static void finish_step(void *arg)
{
    struct customer_batch *b = arg;
    b->steps_done++;
    if (b->on_step)
        b->on_step(b->step_arg, b->steps_done, b->steps);
}

int customer_batch_bulk_finish(struct db *db, struct customer_batch *b)
{
    b->steps_done = 0;
    b->steps = 1 + (int)(db_index_set_size(b->indexes[0]) + db_index_set_size(b->indexes[1]));
    int rc = customer_batch_flush(db, b);
    if (!rc)
        rc = name_gram_set_write(db, &b->grams);
    if (!rc)
        rc = db_bulk_spill(db);
    if (!rc)
        finish_step(b);
    for (int i = 0; i < 2; i++) {
        if (!rc)
            rc = db_indexes_rebuild(db, b->indexes[i], finish_step, b);
        else
            db_index_set_free(b->indexes[i]);
        b->indexes[i] = NULL;
    }
    b->bulk = false;
    return rc;
}

void customer_batch_end(struct customer_batch *b)
{
    keyset_free(&b->known);
    name_gram_set_free(&b->grams);
    for (int i = 0; i < 2; i++)
        db_index_set_free(b->indexes[i]);
    clear_queue(b);
    free(b->rows);
    keyset_free(&b->queued);
    memset(b, 0, sizeof(*b));
}

int customer_update(struct db *db, struct req *r, const struct actor *u, int64_t id, json_t *cur,
                    json_t *rec)
{
    struct customer_row *row = customer_row_new(u, rec, NULL);
    bool renamed = strcmp(row->v[ROW_NAME], str(cur, "name")) != 0;
    int rc = renamed ? name_grams_forget(db, id) : 0;
    if (!rc)
        rc = db_exec(db,
                     "UPDATE customers SET name = ?, name_pinyin = ?, name_initials = ?, "
                     "gender = ?, phone = ?, phone_last4 = ?, id_number = ?, birthday = ?, "
                     "address = ?, region = ?, occupation = ?, interests = ?, "
                     "family_members = ?, business_prefs = ?, service_level = ?, level = ?, "
                     "branch_path = ?, custom = ?, birthday_lunar = ?, owner_id = ?, "
                     "branch_id = ?, updated_by = ?, updated_at = ?, version = version + 1 "
                     "WHERE id = ?",
                     DB_ARGS(DB_TEXT(row->v[ROW_NAME]), DB_TEXT(row->v[ROW_PINYIN]),
                             DB_TEXT(row->v[ROW_INITIALS]), DB_TEXT(row->v[ROW_GENDER]),
                             DB_TEXT(row->v[ROW_PHONE]), DB_TEXT(row->v[ROW_PHONE_LAST4]),
                             DB_TEXT(row->v[ROW_ID_NUMBER]), DB_TEXT(row->v[ROW_BIRTHDAY]),
                             DB_TEXT(row->v[ROW_ADDRESS]), DB_TEXT(row->v[ROW_REGION]),
                             DB_TEXT(row->v[ROW_OCCUPATION]), DB_TEXT(row->v[ROW_INTERESTS]),
                             DB_TEXT(row->v[ROW_FAMILY]), DB_TEXT(row->v[ROW_PREFS]),
                             DB_TEXT(row->v[ROW_SERVICE_LEVEL]), DB_TEXT(row->v[ROW_LEVEL]),
                             DB_TEXT(row->v[ROW_BRANCH_PATH]), DB_TEXT(row->v[ROW_CUSTOM]),
                             DB_INT(row->lunar), DB_INT_OR_NULL(row->has_owner, row->owner_id),
                             DB_INT(row->branch_id), DB_INT_OR_NULL(u->id, u->id),
                             DB_INT(clock_now()), DB_INT(id)));
    if (!rc && renamed)
        rc = name_grams_add(db, id, row->v[ROW_NAME]);
    customer_row_free(row);
    if (!rc)
        rc = reminders_update_lunar_md(db, id);
    static const char *const skip[] = {"branch_path", NULL};
    if (!rc)
        rc = history_record(db, r, "customer", id, cur, rec, skip);
    return rc;
}

json_t *customer_duplicates(struct db *db, const struct actor *u, const char *phone,
                            const char *id_number, int64_t exclude_id)
{
    json_t *out = json_array();
    struct db_stmt *st =
        db_query(db,
                 "SELECT id, customer_no, name, branch_path, 'phone' FROM customers "
                 "WHERE phone = ? AND deleted_at IS NULL AND id <> ? "
                 "UNION ALL SELECT id, customer_no, name, branch_path, 'id_number' FROM customers "
                 "WHERE id_number = ? AND deleted_at IS NULL AND id <> ? LIMIT 20",
                 DB_ARGS(DB_TEXT(phone ? phone : ""), DB_INT(exclude_id),
                         DB_TEXT(id_number ? id_number : ""), DB_INT(exclude_id)));
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

/* ---- search ---- */

static bool all_digits(const char *s)
{
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static bool all_letters(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
            return false;
    return true;
}

/* [prefix, prefix+1) on an indexed text column. */
static void prefix_range(struct sqlbuf *w, const char *column, const char *prefix)
{
    size_t n = strlen(prefix);
    char *upper = xstrdup(prefix);
    upper[n - 1]++;
    sqlbuf_addf(w, "(%s >= ? AND %s < ?)", column, column);
    sqlbuf_bind_text_copy(w, prefix);
    sqlbuf_bind_text_copy(w, upper);
    free(upper);
}

/* The quick-search box: decide from the shape of what was typed which
 * indexed column to ask, so every kind of lookup is an index seek. Letters
 * are pinyin initials or a pinyin prefix: part 0 asks both (OR), part 1
 * only the initials, part 2 the pinyin but not the initials, so that parts
 * 1 and 2 are disjoint (see customer_where_split). */
static void quick_search(struct sqlbuf *w, const char *q_in, int part)
{
    char q[128];
    size_t a = 0, n = strlen(q_in);
    while (a < n && q_in[a] == ' ')
        a++;
    while (n > a && q_in[n - 1] == ' ')
        n--;
    if (n - a >= sizeof(q))
        n = a + sizeof(q) - 1;
    memcpy(q, q_in + a, n - a);
    q[n - a] = '\0';
    size_t len = strlen(q);
    if (len == 0) {
        sqlbuf_add(w, "(1 = 1)");
        return;
    }
    struct validate_id_info info;
    struct validate_ymd today;
    validate_today(&today);
    if (all_digits(q) && len == 11) {
        sqlbuf_add(w, "(c.phone = ?)");
        sqlbuf_bind_text_copy(w, q);
    } else if (all_digits(q) && len == 4) {
        sqlbuf_add(w, "(c.phone_last4 = ?)");
        sqlbuf_bind_text_copy(w, q);
    } else if ((len == 18 || len == 15) && validate_id_number(q, &today, &info) == 0) {
        sqlbuf_add(w, "(c.id_number = ?)");
        sqlbuf_bind_text_copy(w, info.id);
    } else if (all_digits(q) && len >= 5 && len < 11) {
        prefix_range(w, "c.phone", q); /* a phone number being typed */
    } else if (strchr(q, '-') && len >= 3) {
        char *upper = xstrdup(q);
        for (char *p = upper; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 32);
        prefix_range(w, "c.customer_no", upper);
        free(upper);
    } else if (all_letters(q)) {
        char lower[128];
        for (size_t i = 0; i <= len; i++)
            lower[i] = (char)(q[i] >= 'A' && q[i] <= 'Z' ? q[i] + 32 : q[i]);
        sqlbuf_add(w, "(");
        if (part == 2) {
            prefix_range(w, "c.name_pinyin", lower);
            sqlbuf_add(w, " AND NOT ");
            prefix_range(w, "c.name_initials", lower);
        } else {
            prefix_range(w, "c.name_initials", lower);
            if (part == 0) {
                sqlbuf_add(w, " OR ");
                prefix_range(w, "c.name_pinyin", lower);
            }
        }
        sqlbuf_add(w, ")");
    } else {
        size_t chars = utf8_len(q);
        bool ascii = true;
        for (const char *p = q; *p; p++)
            if ((unsigned char)*p >= 0x80)
                ascii = false;
        if (!ascii && chars == 1) {
            /* One character anywhere in the name: the entries that begin
             * with it (a pair, or the name's last character). */
            sqlbuf_add(w, "(c.id IN (SELECT customer_id FROM customer_name_grams WHERE ");
            prefix_range(w, "gram", q);
            sqlbuf_add(w, "))");
        } else if (!ascii) {
            /* The first two characters find the candidates through the
             * gram index; longer fragments are then checked in full. */
            size_t cut = 0, seen = 0;
            while (q[cut] && seen < 3) {
                if (((unsigned char)q[cut] & 0xC0) != 0x80)
                    seen++;
                if (seen < 3)
                    cut++;
            }
            char gram[16];
            snprintf(gram, sizeof(gram), "%.*s", (int)(cut < sizeof(gram) ? cut : 0), q);
            sqlbuf_add(w, "(c.id IN (SELECT customer_id FROM customer_name_grams WHERE gram = ?)");
            sqlbuf_bind_text_copy(w, gram);
            if (chars > 2) {
                sqlbuf_add(w, " AND c.name LIKE ? ESCAPE '\\'");
                sqlbuf_bind(w, DB_TEXT(sqlbuf_like(w, q, false)));
            }
            sqlbuf_add(w, ")");
        } else {
            sqlbuf_add(w, "(c.name LIKE ? ESCAPE '\\' OR c.customer_no = ?)");
            sqlbuf_bind(w, DB_TEXT(sqlbuf_like(w, q, false)));
            sqlbuf_bind_text_copy(w, q);
        }
    }
}

static int where_part(struct db *db, const struct actor *u, const char *q, json_t *filter,
                      bool deleted, struct sqlbuf *w, struct filter_error *err, int part)
{
    scope_sql(u, "c.branch_path", w);
    sqlbuf_add(w, deleted ? " AND c.deleted_at IS NOT NULL AND c.erased_at IS NULL"
                          : " AND c.deleted_at IS NULL");
    if (q && *q) {
        sqlbuf_add(w, " AND ");
        quick_search(w, q, part);
    }
    if (filter) {
        sqlbuf_add(w, " AND ");
        int rc = filter_compile(db, &entity_customer, filter, w, err);
        if (rc)
            return rc;
    }
    return 0;
}

int customer_where(struct db *db, const struct actor *u, const char *q, json_t *filter,
                   bool deleted, struct sqlbuf *w, struct filter_error *err)
{
    return where_part(db, u, q, filter, deleted, w, err, 0);
}

/* Letters only (after trimming spaces): the pinyin case of quick_search. */
static bool quick_is_letters(const char *q)
{
    while (*q == ' ')
        q++;
    size_t n = strlen(q);
    while (n && q[n - 1] == ' ')
        n--;
    if (n == 0 || n >= 128)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((q[i] >= 'a' && q[i] <= 'z') || (q[i] >= 'A' && q[i] <= 'Z')))
            return false;
    return true;
}

int customer_where_split(struct db *db, const struct actor *u, const char *q, json_t *filter,
                         bool deleted, struct sqlbuf w[2], int *n, struct filter_error *err)
{
    if (!q || !quick_is_letters(q)) {
        *n = 1;
        return where_part(db, u, q, filter, deleted, &w[0], err, 0);
    }
    *n = 2;
    int rc = where_part(db, u, q, filter, deleted, &w[0], err, 1);
    return rc ? rc : where_part(db, u, q, filter, deleted, &w[1], err, 2);
}
