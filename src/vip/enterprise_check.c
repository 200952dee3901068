/*
 * enterprise_check.c - enterprise_check(): the validation of an enterprise
 * created or edited, field by field from one table (text, dictionary
 * values, fixed choices, numbers in a range, dates, money, dictionary
 * lists), then the USCC with its check character, the branch within the
 * user's scope, the account manager and supervisor within the branch line,
 * and the custom fields. The same for the API and the demo data.
 */
#include "vip/enterprise_int.h"

#include "auth/users.h"
#include "base/i18n.h"
#include "base/validate.h"
#include "db/db.h"
#include "http/form.h"
#include "record/dictionaries.h"
#include "record/fields.h"
#include "record/form_layout.h"
#include "record/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_TEXT, K_DICT, K_CHOICE, K_INT, K_DATE, K_MONEY, K_LIST };

static const char *const statuses[] = {"prospect", "active", "dormant", "lost", NULL};
static const char *const settlements[] = {"monthly", "cash", "prepaid", NULL};

/* Every editable field but the USCC, references and custom values. */
static const struct spec {
    const char *key;
    enum kind kind;
    int64_t max; /* characters of text; the upper bound of a number */
    int64_t min;
    const char *dict;
    const char *const *choices;
} specs[] = {
    {"name", K_TEXT, 100, 0, NULL, NULL},
    {"short_name", K_TEXT, 32, 0, NULL, NULL},
    {"uscc_override_reason", K_TEXT, 200, 0, NULL, NULL},
    {"industry", K_DICT, 16, 0, "industry", NULL},
    {"size", K_DICT, 16, 0, "enterprise_size", NULL},
    {"address", K_TEXT, 200, 0, NULL, NULL},
    {"region", K_TEXT, 100, 0, NULL, NULL},
    {"website", K_TEXT, 200, 0, NULL, NULL},
    {"tier", K_DICT, 16, 0, "vip_tier", NULL},
    {"status", K_CHOICE, 16, 0, NULL, statuses},
    {"acquired_on", K_DATE, 10, 0, NULL, NULL},
    {"credit_days", K_INT, 365, 0, NULL, NULL},
    {"credit_limit", K_MONEY, 0, 0, NULL, NULL},
    {"billing_day", K_INT, 28, 1, NULL, NULL},
    {"settlement", K_CHOICE, 16, 0, NULL, settlements},
    {"order_channels", K_LIST, 0, 0, "order_channel", NULL},
    {"price_sensitivity", K_DICT, 16, 0, "price_sensitivity", NULL},
    {"timeliness", K_DICT, 16, 0, "timeliness", NULL},
    {"value_added", K_LIST, 0, 0, "value_added", NULL},
    {NULL, K_TEXT, 0, 0, NULL, NULL},
};

static bool in_list(const char *const *list, const char *v)
{
    for (; *list; list++)
        if (strcmp(*list, v) == 0)
            return true;
    return false;
}

/* A list of dictionary values: each one known. */
static json_t *check_list(struct db *db, struct form *f, const struct spec *s, json_t *v)
{
    const char *err = NULL;
    json_t *norm = json_is_null(v) ? json_array() : fields_check_value(FT_ARRAY, NULL, v, &err);
    if (!norm) {
        form_fail(f, s->key, err);
        return NULL;
    }
    size_t i;
    json_t *item;
    json_array_foreach(norm, i, item)
    {
        if (!dictionaries_has(db, s->dict, json_string_value(item))) {
            form_fail(f, s->key, "field.unknown_option");
            json_decref(norm);
            return NULL;
        }
    }
    return norm;
}

/* The value of one field present in the input; NULL when it failed (the
 * message is in the form), json null to clear it. */
static json_t *check_one(struct db *db, struct form *f, const struct spec *s)
{
    json_t *v = json_object_get(f->in, s->key);
    if (s->kind == K_LIST)
        return check_list(db, f, s, v);
    if (s->kind == K_MONEY) {
        if (json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
            return json_null();
        const char *err = NULL;
        json_t *m = fields_check_value(FT_MONEY, NULL, v, &err);
        if (m && json_string_value(m)[0] == '-') {
            json_decref(m);
            m = NULL;
            err = "field.invalid";
        }
        if (!m)
            form_fail(f, s->key, err);
        return m;
    }
    if (s->kind == K_INT) {
        int64_t n = 0;
        int got = form_int(f, s->key, false, &n);
        if (got == 0)
            return json_null();
        if (got > 0 && (n < s->min || n > s->max)) {
            form_fail(f, s->key, "field.invalid");
            return NULL;
        }
        return got > 0 ? json_integer(n) : NULL;
    }
    const char *t = form_str(f, s->key, false, (size_t)s->max);
    if (!t)
        return json_object_get(f->errors, s->key) ? NULL : json_null();
    bool ok = s->kind == K_TEXT || (s->kind == K_DICT && dictionaries_has(db, s->dict, t)) ||
              (s->kind == K_CHOICE && in_list(s->choices, t)) ||
              (s->kind == K_DATE && validate_date(t, NULL) == 0);
    if (!ok) {
        form_fail(f, s->key, s->kind == K_DATE ? "field.date" : "field.unknown_option");
        return NULL;
    }
    return json_string(t);
}

/* The USCC: a malformed code is refused; a wrong check character is a
 * warning the user may override with a reason (an old code printed wrong
 * on a licence is still the company's code), kept beside it. */
static void check_uscc(struct form *f, json_t *out)
{
    if (!form_has(f, "uscc"))
        return;
    const char *t = form_str(f, "uscc", false, 18);
    if (!t) {
        if (!json_object_get(f->errors, "uscc"))
            json_object_set_new(out, "uscc", json_null());
        return;
    }
    char norm[19];
    int rc = validate_uscc(t, norm);
    if (rc == VALIDATE_USCC_CHECKSUM) {
        /* the code as typed, upper-cased: its check character is the wrong one */
        snprintf(norm, sizeof(norm), "%s", t);
        for (char *p = norm; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 32);
        if (!json_string_value(json_object_get(out, "uscc_override_reason"))) {
            /* both fields named: the form shows the reason box */
            form_fail(f, "uscc", "uscc.override");
            form_fail(f, "uscc_override_reason", "field.required");
            return;
        }
    } else if (rc) {
        form_fail(f, "uscc", validate_error_key(rc));
        return;
    } else {
        /* a valid code needs no excuse: a reason left from before goes */
        json_object_set_new(out, "uscc_override_reason", json_null());
    }
    json_object_set_new(out, "uscc", json_string(norm));
}

static int check_branch(struct db *db, const struct actor *u, struct form *f, json_t *out)
{
    int64_t branch = 0;
    if (form_int(f, "branch_id", false, &branch) <= 0)
        return 0;
    struct db_stmt *st;
    int rc =
        db_query_row(db, &st, "SELECT path FROM branches WHERE id = ?", DB_ARGS(DB_INT(branch)));
    if (rc < 0)
        return rc;
    if (rc == 0)
        form_fail(f, "branch_id", "field.unknown_branch");
    else if (!scope_contains(u, db_col_text(st, 0)))
        form_fail(f, "branch_id", "field.branch_scope");
    else {
        json_object_set_new(out, "branch_id", json_integer(branch));
        json_object_set_new(out, "branch_path", json_string(db_col_text(st, 0)));
    }
    if (rc == 1)
        db_finish(st);
    return 0;
}

/* The account manager and the escalation supervisor work in the
 * enterprise's branch or one above it (the customers' rule,
 * users_fits_branch); one named now who does not is refused, one kept from
 * before a move stops being it. */
static int check_person(struct db *db, struct form *f, json_t *out, const char *key)
{
    int64_t id = 0;
    int got = form_int(f, key, false, &id);
    if (got == 0 && form_has(f, key))
        json_object_set_new(out, key, json_null());
    else if (got > 0)
        json_object_set_new(out, key, json_integer(id));
    json_t *who = json_object_get(out, key);
    if (!json_is_integer(who) || json_object_get(f->errors, key))
        return 0;
    int rc = users_fits_branch(db, json_integer_value(who),
                               json_string_value(json_object_get(out, "branch_path")));
    if (rc < 0)
        return rc;
    if (rc == 0 && got > 0)
        form_fail(f, key, "field.unknown_owner");
    else if (rc == 0)
        json_object_set_new(out, key, json_null());
    return 0;
}

int enterprise_check(struct db *db, const struct actor *u, json_t *in, json_t *cur, json_t *out,
                     json_t *errors)
{
    static const char *const kept[] = {
        "uscc", "owner_id", "supervisor_id", "branch_id", "branch_path", "custom", NULL};
    for (const struct spec *s = specs; s->key; s++) {
        json_t *v = cur ? json_object_get(cur, s->key) : NULL;
        json_object_set(out, s->key, v ? v : json_null());
    }
    for (const char *const *k = kept; *k; k++) {
        json_t *v = cur ? json_object_get(cur, *k) : NULL;
        json_object_set(out, *k, v ? v : json_null());
    }
    if (!cur) {
        json_object_set_new(out, "status", json_string("prospect"));
        json_object_set_new(out, "order_channels", json_array());
        json_object_set_new(out, "value_added", json_array());
        json_object_set_new(out, "custom", json_object());
        scope_put_branch(u, out);
        /* an account manager's new enterprise is theirs */
        if (u->id && !(u->perms & ENTERPRISE_TEAM))
            json_object_set_new(out, "owner_id", json_integer(u->id));
    }
    struct form f;
    form_init_json(&f, in, u->lang, errors);
    for (const struct spec *s = specs; s->key; s++) {
        if (!form_has(&f, s->key))
            continue;
        json_t *v = check_one(db, &f, s);
        if (v)
            json_object_set_new(out, s->key, v);
    }
    check_uscc(&f, out);
    int rc = check_branch(db, u, &f, out);
    if (!rc)
        rc = check_person(db, &f, out, "owner_id");
    if (!rc)
        rc = check_person(db, &f, out, "supervisor_id");
    if (!rc) {
        json_t *custom = json_deep_copy(json_object_get(out, "custom"));
        if (!custom)
            custom = json_object();
        rc = fields_check(db, u->lang, "enterprise", json_object_get(in, "custom"), custom, errors,
                          cur == NULL);
        json_object_set_new(out, "custom", custom);
    }
    if (!json_string_value(json_object_get(out, "name")))
        form_fail(&f, "name", "field.required");
    if (!json_is_integer(json_object_get(out, "branch_id")))
        form_fail(&f, "branch_id", "field.required");
    form_release(&f);
    if (!rc)
        rc = form_layout_check(db, &entity_enterprise, u, u->lang, in, cur, out, errors);
    return rc;
}
