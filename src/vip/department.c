/*
 * department.c - the departments of an enterprise (多部门独立核算): a tree
 * by parent, each with its cost-centre code (once per enterprise), its
 * finance contact and whether it is billed on its own. No cycles; a
 * department with sub-departments or contacts cannot be deleted.
 */
#include "vip/enterprise_int.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "core/listing.h"
#include "core/op.h"
#include "db/db.h"
#include "http/form.h"

#include <string.h>

#define DEPARTMENT_COLUMNS                                                                         \
    "SELECT d.id, d.enterprise_id, d.parent_id, d.name, d.cost_centre, d.finance_contact_id, "     \
    "k.name AS finance_contact_name, d.own_billing AS is_own_billing, d.created_at, "              \
    "d.updated_at FROM enterprise_departments d LEFT JOIN enterprise_contacts k ON "               \
    "k.id = d.finance_contact_id "

static json_t *row(struct db_stmt *st, struct req *r)
{
    json_t *o = listing_row_json(st, r);
    json_object_set(o, "own_billing", json_object_get(o, "is_own_billing"));
    json_object_del(o, "is_own_billing");
    return o;
}

json_t *department_list(struct db *db, int64_t ent)
{
    /* Departments of one enterprise are few (a tree the UI draws whole). */
    struct db_stmt *st = db_query(db, DEPARTMENT_COLUMNS "WHERE d.enterprise_id = ? ORDER BY d.id",
                                  DB_ARGS(DB_INT(ent)));
    return listing_rows(st, NULL, row);
}

static json_t *get(struct db *db, int64_t ent, int64_t id)
{
    json_t *o = NULL;
    listing_one(db, NULL, &o, row, DEPARTMENT_COLUMNS "WHERE d.id = ? AND d.enterprise_id = ?",
                DB_ARGS(DB_INT(id), DB_INT(ent)));
    return o;
}

/* Whether making parent the parent of id (0: a new one) closes a circle:
 * parent is id or below it. Trees are shallow; the walk is bounded. */
static int makes_cycle(struct db *db, int64_t id, int64_t parent)
{
    for (int depth = 0; parent && depth < 64; depth++) {
        if (parent == id)
            return 1;
        int64_t up = 0;
        struct db_stmt *st;
        int rc = db_query_row(db, &st, "SELECT parent_id FROM enterprise_departments WHERE id = ?",
                              DB_ARGS(DB_INT(parent)));
        if (rc < 0)
            return rc;
        if (rc == 1) {
            up = db_col_is_null(st, 0) ? 0 : db_col_int(st, 0);
            db_finish(st);
        }
        parent = up;
    }
    return parent ? 1 : 0;
}

static int check(struct db *db, const struct actor *u, int64_t ent, int64_t id, json_t *in,
                 json_t *cur, json_t *out, json_t *errors)
{
    static const char *const keys[] = {
        "name", "parent_id", "cost_centre", "finance_contact_id", "own_billing", NULL};
    for (const char *const *k = keys; *k; k++) {
        json_t *v = cur ? json_object_get(cur, *k) : NULL;
        json_object_set(out, *k, v ? v : json_null());
    }
    struct form f;
    form_init_json(&f, in, u->lang, errors);
    if (form_has(&f, "name")) {
        const char *t = form_str(&f, "name", true, 64);
        if (t)
            json_object_set_new(out, "name", json_string(t));
    }
    if (form_has(&f, "cost_centre")) {
        const char *t = form_str(&f, "cost_centre", false, 32);
        json_object_set_new(out, "cost_centre", t ? json_string(t) : json_null());
    }
    bool b = !cur ? false : json_is_true(json_object_get(cur, "own_billing"));
    form_bool(&f, "own_billing", false, &b);
    json_object_set_new(out, "own_billing", json_boolean(b));
    int64_t ref = 0;
    int rc = enterprise_part_ref(db, &f, out, "parent_id", ENTERPRISE_HAS_DEPARTMENT, ent,
                                 "enterprise.unknown_department", &ref);
    if (rc == 1 && (rc = makes_cycle(db, id, ref)) == 1)
        form_fail(&f, "parent_id", "enterprise.department_cycle");
    rc = rc < 0 ? rc : 0;
    int fin = enterprise_part_ref(db, &f, out, "finance_contact_id", ENTERPRISE_HAS_CONTACT, ent,
                                  "enterprise.unknown_contact", &ref);
    rc = rc ? rc : fin < 0 ? fin : 0;
    const char *code = json_string_value(json_object_get(out, "cost_centre"));
    if (!rc && code) {
        int64_t n = 0;
        rc = db_query_int(db,
                          "SELECT COUNT(*) FROM enterprise_departments WHERE enterprise_id = ? "
                          "AND cost_centre = ? AND id <> ?",
                          DB_ARGS(DB_INT(ent), DB_TEXT(code), DB_INT(id)), &n);
        rc = rc < 0 ? rc : 0;
        if (n)
            form_fail(&f, "cost_centre", "field.code_taken");
    }
    if (!json_string_value(json_object_get(out, "name")))
        form_fail(&f, "name", "field.required");
    form_release(&f);
    return rc;
}

static int save(struct db *db, int64_t ent, int64_t *id, json_t *rec)
{
    json_t *parent = json_object_get(rec, "parent_id"),
           *fin = json_object_get(rec, "finance_contact_id");
    int64_t now = clock_now();
    struct db_val v[] = {
        DB_TEXT(json_string_value(json_object_get(rec, "name"))),
        DB_INT_OR_NULL(json_is_integer(parent), json_integer_value(parent)),
        DB_TEXT(json_string_value(json_object_get(rec, "cost_centre"))),
        DB_INT_OR_NULL(json_is_integer(fin), json_integer_value(fin)),
        DB_INT(json_is_true(json_object_get(rec, "own_billing"))),
        DB_INT(now),
        DB_INT(*id ? *id : ent),
        DB_INT(now),
    };
    if (*id)
        return db_exec(db,
                       "UPDATE enterprise_departments SET name = ?, parent_id = ?, "
                       "cost_centre = ?, finance_contact_id = ?, own_billing = ?, updated_at = ? "
                       "WHERE id = ?",
                       v, 7);
    int rc = db_query_int(db,
                          "INSERT INTO enterprise_departments (name, parent_id, cost_centre, "
                          "finance_contact_id, own_billing, updated_at, enterprise_id, "
                          "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          v, 8, id);
    return rc == 1 ? 0 : rc < 0 ? rc : DB_ERROR;
}

/* A department with sub-departments or contacts stays. */
static int deletable(struct db *db, const struct actor *a, int64_t ent, int64_t id, json_t *cur,
                     json_t *errors)
{
    (void)cur;
    int kids = enterprise_any(db,
                              "SELECT COUNT(*) FROM enterprise_departments WHERE parent_id = ? "
                              "AND enterprise_id = ?",
                              id, ent);
    int people = kids ? 0
                      : enterprise_any(db,
                                       "SELECT COUNT(*) FROM enterprise_contacts WHERE "
                                       "department_id = ? AND enterprise_id = ?",
                                       id, ent);
    if (kids < 0 || people < 0)
        return kids < 0 ? kids : people;
    const char *why = kids     ? "enterprise.department_has_children"
                      : people ? "enterprise.department_has_contacts"
                               : NULL;
    if (!why)
        return 0;
    json_object_set_new(errors, "id", json_string(i18n_msg(a->lang, why)));
    return OP_INVALID;
}

static int remove_row(struct db *db, int64_t id)
{
    return db_exec(db, "DELETE FROM enterprise_departments WHERE id = ?", DB_ARGS(DB_INT(id)));
}

/* clang-format off */
const struct enterprise_part department_part = {
    .name = "department", .get = get, .check = check, .save = save, .deletable = deletable,
    .remove = remove_row,
};
/* clang-format on */
