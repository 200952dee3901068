/*
 * contact.c - the contact matrix of an enterprise (联系人): people with
 * their roles in the deal, department, numbers and what they receive;
 * exactly one primary contact an enterprise; mobile and landline masked
 * as customers' phones are (see enterprise.h).
 */
#include "vip/enterprise_int.h"

#include "base/i18n.h"
#include "base/validate.h"
#include "core/listing.h"
#include "core/op.h"
#include "base/clock.h"
#include "db/db.h"
#include "http/form.h"
#include "record/dictionaries.h"
#include "record/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const roles[] = {"decision_maker", "finance", "liaison", "other", NULL};

#define CONTACT_COLUMNS                                                                            \
    "SELECT k.id, k.enterprise_id, k.name, k.roles AS roles_json, k.title, k.department_id, "      \
    "d.name AS department_name, k.mobile, k.phone, k.email, k.wechat, k.preferred_channel, "       \
    "k.is_primary, k.receives_statements AS is_statements, k.receives_notices AS is_notices, "     \
    "k.customer_id, c.name AS customer_name, k.created_at, k.updated_at "                          \
    "FROM enterprise_contacts k LEFT JOIN enterprise_departments d ON d.id = k.department_id "     \
    "LEFT JOIN customers c ON c.id = k.customer_id "

static void mask(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    if (!v || !*v)
        return;
    char *m = phone_mask(v);
    json_object_set_new(o, key, json_string(m));
    free(m);
}

static json_t *row(struct db_stmt *st, struct req *r, bool clear)
{
    json_t *o = listing_row_json(st, r);
    json_object_set(o, "roles", json_object_get(o, "roles_json"));
    json_object_del(o, "roles_json");
    json_object_set(o, "receives_statements", json_object_get(o, "is_statements"));
    json_object_set(o, "receives_notices", json_object_get(o, "is_notices"));
    json_object_del(o, "is_statements");
    json_object_del(o, "is_notices");
    if (!clear) {
        mask(o, "mobile");
        mask(o, "phone");
    }
    return o;
}

static json_t *row_masked(struct db_stmt *st, struct req *r)
{
    return row(st, r, false);
}

static json_t *row_clear(struct db_stmt *st, struct req *r)
{
    return row(st, r, true);
}

json_t *contact_list(struct db *db, int64_t ent, int64_t limit)
{
    struct db_stmt *st = db_query(db,
                                  CONTACT_COLUMNS "WHERE k.enterprise_id = ? "
                                                  "ORDER BY k.is_primary DESC, k.id LIMIT ?",
                                  DB_ARGS(DB_INT(ent), DB_INT(limit)));
    return listing_rows(st, NULL, row_masked);
}

json_t *contact_get(struct db *db, int64_t ent, int64_t id, bool clear)
{
    json_t *o = NULL;
    listing_one(db, NULL, &o, clear ? row_clear : row_masked,
                CONTACT_COLUMNS "WHERE k.id = ? AND k.enterprise_id = ?",
                DB_ARGS(DB_INT(id), DB_INT(ent)));
    return o;
}

/* A list of the deal roles, each once. */
static void check_roles(struct form *f, json_t *out)
{
    json_t *v = json_object_get(f->in, "roles");
    if (!v)
        return;
    json_t *list = json_array();
    size_t i;
    json_t *item;
    bool ok = json_is_array(v) || json_is_null(v);
    json_array_foreach(v, i, item)
    {
        const char *s = json_string_value(item);
        bool known = false;
        for (const char *const *k = roles; s && *k; k++)
            known = known || strcmp(*k, s) == 0;
        ok = ok && known;
        bool seen = false;
        size_t j;
        json_t *prev;
        json_array_foreach(list, j, prev) seen =
            seen || (s && strcmp(json_string_value(prev), s) == 0);
        if (known && !seen)
            json_array_append_new(list, json_string(s));
    }
    if (!ok)
        form_fail(f, "roles", "field.unknown_option");
    json_object_set_new(out, "roles", list);
}

/* A text field present in the input into out (null clears); checked by
 * check (0: fine) when given. */
static void text(struct form *f, json_t *out, const char *key, size_t max, const char *bad,
                 int (*check)(const char *in, char *norm))
{
    if (!form_has(f, key))
        return;
    const char *t = form_str(f, key, false, max);
    if (!t) {
        if (!json_object_get(f->errors, key))
            json_object_set_new(out, key, json_null());
        return;
    }
    char norm[256];
    if (check && check(t, norm)) {
        form_fail(f, key, bad);
        return;
    }
    json_object_set_new(out, key, json_string(check ? norm : t));
}

static int mobile(const char *in, char *norm)
{
    return validate_mobile(in, norm);
}

static int email(const char *in, char *norm)
{
    size_t n = strlen(in);
    memcpy(norm, in, n + 1 < 256 ? n + 1 : 0);
    return n >= 255 ? -1 : validate_email(in);
}

static void flag(struct form *f, json_t *out, const char *key)
{
    bool b = false;
    if (form_bool(f, key, false, &b) > 0)
        json_object_set_new(out, key, json_boolean(b));
}

/* References: a department of this enterprise, a customer u may see. */
static int check_refs(struct db *db, const struct actor *u, int64_t ent, struct form *f,
                      json_t *out)
{
    int64_t id = 0;
    int rc = enterprise_part_ref(db, f, out, "department_id", ENTERPRISE_HAS_DEPARTMENT, ent,
                                 "enterprise.unknown_department", &id);
    if (rc < 0)
        return rc;
    int got = form_int(f, "customer_id", false, &id);
    if (got == 0 && form_has(f, "customer_id"))
        json_object_set_new(out, "customer_id", json_null());
    if (got > 0) {
        struct db_stmt *st;
        rc = db_query_row(db, &st,
                          "SELECT branch_path FROM customers WHERE id = ? AND deleted_at IS "
                          "NULL AND erased_at IS NULL",
                          DB_ARGS(DB_INT(id)));
        if (rc < 0)
            return rc;
        bool ok = rc == 1 && scope_contains(u, db_col_text(st, 0));
        if (rc == 1)
            db_finish(st);
        if (ok)
            json_object_set_new(out, "customer_id", json_integer(id));
        else
            form_fail(f, "customer_id", "enterprise.unknown_customer");
    }
    return 0;
}

static int check(struct db *db, const struct actor *u, int64_t ent, int64_t id, json_t *in,
                 json_t *cur, json_t *out, json_t *errors)
{
    (void)id; /* a contact's checks do not depend on which one it is */
    static const char *const keys[] = {"name",
                                       "roles",
                                       "title",
                                       "department_id",
                                       "mobile",
                                       "phone",
                                       "email",
                                       "wechat",
                                       "preferred_channel",
                                       "is_primary",
                                       "customer_id",
                                       "receives_statements",
                                       "receives_notices",
                                       NULL};
    for (const char *const *k = keys; *k; k++) {
        json_t *v = cur ? json_object_get(cur, *k) : NULL;
        json_object_set(out, *k, v ? v : json_null());
    }
    if (!cur) {
        json_object_set_new(out, "roles", json_array());
        json_object_set_new(out, "is_primary", json_false());
        json_object_set_new(out, "receives_statements", json_false());
        json_object_set_new(out, "receives_notices", json_false());
    }
    struct form f;
    form_init_json(&f, in, u->lang, errors);
    text(&f, out, "name", 32, NULL, NULL);
    check_roles(&f, out);
    text(&f, out, "title", 64, NULL, NULL);
    text(&f, out, "mobile", 20, "field.phone", mobile);
    text(&f, out, "phone", 32, NULL, NULL);
    text(&f, out, "email", 254, "field.email", email);
    text(&f, out, "wechat", 64, NULL, NULL);
    text(&f, out, "preferred_channel", 16, NULL, NULL);
    const char *ch = json_string_value(json_object_get(out, "preferred_channel"));
    if (ch && form_has(&f, "preferred_channel") && !dictionaries_has(db, "contact_channel", ch))
        form_fail(&f, "preferred_channel", "field.unknown_option");
    flag(&f, out, "is_primary");
    flag(&f, out, "receives_statements");
    flag(&f, out, "receives_notices");
    int rc = check_refs(db, u, ent, &f, out);
    if (!json_string_value(json_object_get(out, "name")))
        form_fail(&f, "name", "field.required");
    if (cur && json_is_true(json_object_get(cur, "is_primary")) &&
        !json_is_true(json_object_get(out, "is_primary")))
        form_fail(&f, "is_primary", "enterprise.primary_required");
    form_release(&f);
    return rc;
}

/* The primary flag moves to contact id; the first contact is primary. */
static int settle_primary(struct db *db, int64_t ent, int64_t id, json_t *rec)
{
    int others = enterprise_any(db,
                                "SELECT COUNT(*) FROM enterprise_contacts WHERE enterprise_id = ? "
                                "AND is_primary = 1 AND id <> ?",
                                ent, id);
    if (others < 0)
        return others;
    int rc;
    bool primary = json_is_true(json_object_get(rec, "is_primary")) || others == 0;
    if (primary && others)
        rc = db_exec(db,
                     "UPDATE enterprise_contacts SET is_primary = 0 WHERE enterprise_id = ? AND "
                     "id <> ?",
                     DB_ARGS(DB_INT(ent), DB_INT(id)));
    else
        rc = 0;
    if (!rc && primary)
        rc = db_exec(db, "UPDATE enterprise_contacts SET is_primary = 1 WHERE id = ?",
                     DB_ARGS(DB_INT(id)));
    return rc;
}

static int save(struct db *db, int64_t ent, int64_t *id, json_t *rec)
{
    const char *m = enterprise_str(rec, "mobile");
    char *roles_text = json_dumps(json_object_get(rec, "roles"), JSON_COMPACT);
    int64_t now = clock_now();
    struct db_val v[] = {
        DB_TEXT(enterprise_str(rec, "name")),
        DB_TEXT(roles_text),
        DB_TEXT(enterprise_str(rec, "title")),
        enterprise_int_or_null(rec, "department_id"),
        DB_TEXT(m),
        DB_TEXT(m ? m + 7 : NULL),
        DB_TEXT(enterprise_str(rec, "phone")),
        DB_TEXT(enterprise_str(rec, "email")),
        DB_TEXT(enterprise_str(rec, "wechat")),
        DB_TEXT(enterprise_str(rec, "preferred_channel")),
        DB_INT(json_is_true(json_object_get(rec, "receives_statements"))),
        DB_INT(json_is_true(json_object_get(rec, "receives_notices"))),
        enterprise_int_or_null(rec, "customer_id"),
        DB_INT(now),
        DB_INT(*id ? *id : ent),
    };
    int rc;
    if (*id) {
        rc = db_exec(db,
                     "UPDATE enterprise_contacts SET name = ?, roles = ?, title = ?, "
                     "department_id = ?, mobile = ?, mobile_last4 = ?, phone = ?, email = ?, "
                     "wechat = ?, preferred_channel = ?, receives_statements = ?, "
                     "receives_notices = ?, customer_id = ?, updated_at = ? WHERE id = ?",
                     v, (int)(sizeof(v) / sizeof(v[0])));
    } else {
        rc = db_query_int(db,
                          "INSERT INTO enterprise_contacts (name, roles, title, department_id, "
                          "mobile, mobile_last4, phone, email, wechat, preferred_channel, "
                          "receives_statements, receives_notices, customer_id, created_at, "
                          "enterprise_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                          "?, ?, ?, ?) RETURNING id",
                          (struct db_val[]){v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
                                            v[9], v[10], v[11], v[12], v[13], v[14], v[13]},
                          16, id);
        rc = rc == 1 ? 0 : rc < 0 ? rc : DB_ERROR;
    }
    free(roles_text);
    return rc ? rc : settle_primary(db, ent, *id, rec);
}

static json_t *get(struct db *db, int64_t ent, int64_t id)
{
    return contact_get(db, ent, id, true);
}

/* The primary goes last: make another one primary first. */
static int deletable(struct db *db, const struct actor *a, int64_t ent, int64_t id, json_t *cur,
                     json_t *errors)
{
    int others = enterprise_any(db,
                                "SELECT COUNT(*) FROM enterprise_contacts WHERE enterprise_id = ? "
                                "AND id <> ?",
                                ent, id);
    if (others <= 0 || !json_is_true(json_object_get(cur, "is_primary")))
        return others < 0 ? DB_ERROR : 0;
    json_object_set_new(errors, "is_primary",
                        json_string(i18n_msg(a->lang, "enterprise.primary_required")));
    return OP_INVALID;
}

/* The contact, and the departments' finance contact where it was that. */
static int remove_row(struct db *db, int64_t id)
{
    int rc = db_exec(db,
                     "UPDATE enterprise_departments SET finance_contact_id = NULL WHERE "
                     "finance_contact_id = ?",
                     DB_ARGS(DB_INT(id)));
    return rc ? rc
              : db_exec(db, "DELETE FROM enterprise_contacts WHERE id = ?", DB_ARGS(DB_INT(id)));
}

/* Contacts given with a new enterprise, at most this many. */
#define NEW_CONTACTS_MAX 50

int contact_check_new(struct db *db, const struct actor *a, json_t *in, json_t *checked,
                      json_t *errors)
{
    if (!in || json_is_null(in))
        return 0;
    if (!json_is_array(in) || json_array_size(in) > NEW_CONTACTS_MAX) {
        json_object_set_new(errors, "contacts", json_string(i18n_msg(a->lang, "field.not_array")));
        return 0;
    }
    size_t i, primaries = 0;
    json_t *c;
    json_array_foreach(in, i, c)
    {
        json_t *rec = json_object(), *mine = json_object();
        /* The enterprise does not exist yet: no department can be its. */
        int rc = json_is_object(c) ? check(db, a, 0, 0, c, NULL, rec, mine) : 0;
        if (!json_is_object(c))
            json_object_set_new(mine, "name", json_string(i18n_msg(a->lang, "field.not_object")));
        if (json_is_true(json_object_get(rec, "is_primary")) && ++primaries > 1 &&
            !json_object_get(mine, "is_primary"))
            json_object_set_new(mine, "is_primary",
                                json_string(i18n_msg(a->lang, "enterprise.one_primary")));
        const char *key;
        json_t *msg;
        json_object_foreach(mine, key, msg)
        {
            char where[96];
            snprintf(where, sizeof(where), "contacts[%zu].%s", i, key);
            json_object_set(errors, where, msg);
        }
        json_decref(mine);
        json_array_append_new(checked, rec);
        if (rc)
            return rc;
    }
    return 0;
}

int contact_add_checked(struct db *db, const struct actor *a, int64_t ent, json_t *checked)
{
    size_t i;
    json_t *rec;
    int rc = 0;
    json_array_foreach(checked, i, rec)
    {
        int64_t id = 0;
        rc = save(db, ent, &id, rec);
        if (!rc)
            rc = actor_audit(db, a, "enterprise.contact_create", "enterprise", ent,
                             json_pack("{s:I}", "contact_id", (json_int_t)id));
        if (rc)
            break;
    }
    return rc;
}

/* clang-format off */
const struct enterprise_part contact_part = {
    .name = "contact", .get = get, .check = check, .save = save, .deletable = deletable,
    .remove = remove_row,
};
/* clang-format on */
