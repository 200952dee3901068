/*
 * customer_check.c - customer_check(): the validation of a customer created
 * or edited (identity numbers with their derived birthday and gender,
 * dictionaries, owner and branch within scope, custom fields), the same for
 * the API, imports and the demo data.
 */
#include "crm/customer_int.h"
#include "record/form_layout.h"

#include "auth/actor.h"
#include "auth/perm.h"
#include "auth/users.h"
#include "base/utf8.h"
#include "base/clock.h"
#include "base/i18n.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "core/perms.h"
#include "db/db.h"
#include "record/dictionaries.h"
#include "record/entity.h"
#include "record/fields.h"
#include "record/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- validation ---- */

static const char *const editable[] = {
    "name",
    "gender",
    "phone",
    "id_number",
    "birthday",
    "birthday_lunar",
    "address",
    "region",
    "occupation",
    "interests",
    "family_members",
    "business_prefs",
    "service_level",
    "level",
    "owner_id",
    "branch_id",
    "custom",
    "email",
    "marketing_consent",
    "consent_at",
    "consent_source",
    "sms_opt_out",
    "email_opt_out",
    NULL,
};

static void fail(json_t *errors, const char *lang, const char *field, const char *key)
{
    if (!json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(i18n_msg(lang, key)));
}

/* The value of key in in that a check reads: NULL when absent (the field
 * is kept) or null (it is cleared: out[key] is null, or [] for a list). */
static json_t *given(json_t *in, json_t *out, const char *key, bool list)
{
    json_t *v = json_object_get(in, key);
    if (!json_is_null(v))
        return v;
    json_object_set_new_nocheck(out, key, list ? json_array() : json_null());
    return NULL;
}

/* A string field: absent → keep; null / "" → clear; else trimmed and capped. */
static void check_text(json_t *in, json_t *out, json_t *errors, const char *lang, const char *key,
                       size_t max)
{
    json_t *v = given(in, out, key, false);
    if (!v)
        return;
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
    size_t chars = utf8_chars(s + a, n - a);
    /* A slice of a valid string between ASCII spaces is valid UTF-8 too. */
    if (chars > max)
        fail(errors, lang, key, "field.too_long");
    else
        json_object_set_new_nocheck(out, key, json_stringn_nocheck(s + a, n - a));
}

static void check_string_list(json_t *in, json_t *out, json_t *errors, const char *lang,
                              const char *key)
{
    json_t *v = given(in, out, key, true);
    if (!v)
        return;
    const char *err = NULL;
    json_t *norm = fields_check_value(FT_ARRAY, NULL, v, &err);
    if (norm)
        json_object_set_new_nocheck(out, key, norm);
    else
        fail(errors, lang, key, err);
}

static void check_family(json_t *in, json_t *out, json_t *errors, const char *lang)
{
    json_t *v = given(in, out, "family_members", true);
    if (!v)
        return;
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

/* The account manager works in the customer's branch or one above it. An
 * owner named now who does not (or does not exist, or is disabled) is
 * refused with the same message, so that looping over ids tells nothing
 * about other branches' staff; an owner kept from before a move to a branch
 * outside theirs stops being the owner (the customer's reminders and tasks
 * go to whoever owns it there). */
static int check_owner(struct db *db, json_t *in, json_t *out, json_t *errors, const char *lang)
{
    json_t *owner = json_object_get(out, "owner_id");
    const char *path = json_string_value(json_object_get(out, "branch_path"));
    if (!json_is_integer(owner) || json_object_get(errors, "owner_id"))
        return 0;
    int rc = users_fits_branch(db, json_integer_value(owner), path);
    if (rc < 0)
        return rc;
    bool fits = rc == 1;
    if (fits)
        return 0;
    if (json_object_get(in, "owner_id"))
        fail(errors, lang, "owner_id", "field.unknown_owner");
    else
        json_object_set_new_nocheck(out, "owner_id", json_null());
    return 0;
}

static int check_refs(struct db *db, const struct actor *u, json_t *in, json_t *out, json_t *errors,
                      const char *lang)
{
    json_t *owner = json_object_get(in, "owner_id");
    if (owner) {
        if (json_is_null(owner))
            json_object_set_new_nocheck(out, "owner_id", json_null());
        else if (!json_is_integer(owner))
            fail(errors, lang, "owner_id", "field.not_integer");
        else
            json_object_set(out, "owner_id", owner);
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
    return check_owner(db, in, out, errors, lang);
}

/* ID number, birthday and gender must agree; a valid ID fills the other two.
 * hide_year: the caller sees the stored ID masked and the birthday without
 * its year, and keeps the ID: a birthday typed with it is ignored (the ID
 * gives the birthday anyway), for "does not match the ID" would answer
 * whether a guessed year is right (issue 13). */
static void check_identity(json_t *in, json_t *out, json_t *errors, const char *lang,
                           bool hide_year)
{
    struct validate_ymd today;
    validate_today(&today);
    check_text(in, out, errors, lang, "id_number", 18);
    if (!hide_year)
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
        /* A birthday typed on its own: the message names the birthday,
         * not an ID number the clerk never typed (issue 14). */
        fail(errors, lang, "birthday", "field.birthday_future");
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
    json_t *typed_bd = hide_year ? NULL : json_object_get(in, "birthday");
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
        scope_put_branch(u, out);
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
    const char *stored_id = cur ? json_string_value(json_object_get(cur, "id_number")) : NULL;
    check_identity(in, out, errors, lang,
                   stored_id && *stored_id && !(u->perms & PERM_REVEAL) &&
                       !json_object_get(in, "id_number"));
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
    customer_consent_check(in, cur, out, errors, lang);
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
    /* Only a user without a branch of their own (an admin) meets this. */
    if (!json_is_integer(json_object_get(out, "branch_id")))
        fail(errors, lang, "branch_id", "field.branch_pick");
    return form_layout_check(db, &entity_customer, u, lang, in, cur, out, errors);
}
