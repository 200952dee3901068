/*
 * enterprise_part.c - what contacts and departments, the parts of an
 * enterprise with rows of their own, do alike: the enterprise must be the
 * actor's to change, a create or edit is checked, saved and audited in one
 * transaction, a delete is allowed by the part and audited, and references
 * between them must stay inside the enterprise (see enterprise_int.h).
 */
#include "vip/enterprise_int.h"

#include "core/op.h"
#include "db/db.h"
#include "http/form.h"

#include <stdio.h>

int enterprise_writable(struct db *db, const struct actor *a, int64_t ent)
{
    int rc = enterprise_visible(db, a, ent);
    return rc == 1 ? 0 : rc < 0 ? rc : OP_NOT_FOUND;
}

int enterprise_any(struct db *db, const char *sql, int64_t x, int64_t y)
{
    int64_t n = 0;
    int rc = db_query_int(db, sql, DB_ARGS(DB_INT(x), DB_INT(y)), &n);
    return rc < 0 ? rc : (int)(n > 0);
}

int enterprise_part_ref(struct db *db, struct form *f, json_t *out, const char *key,
                        const char *sql, int64_t ent, const char *unknown, int64_t *ref)
{
    *ref = 0;
    int got = form_int(f, key, false, ref);
    if (got >= 0 && form_has(f, key))
        json_object_set_new(out, key, got > 0 ? json_integer(*ref) : json_null());
    if (got <= 0)
        return 0;
    int rc = enterprise_any(db, sql, *ref, ent);
    if (rc == 0)
        form_fail(f, key, unknown);
    return rc;
}

/* The audit entry of part id of enterprise ent: "enterprise.<part>_<verb>"
 * with {"<part>_id": id}. */
static int audit(struct db *db, const struct actor *a, const struct enterprise_part *p,
                 const char *verb, int64_t ent, int64_t id)
{
    char action[64], key[32];
    snprintf(action, sizeof(action), "enterprise.%s_%s", p->name, verb);
    snprintf(key, sizeof(key), "%s_id", p->name);
    return actor_audit(db, a, action, "enterprise", ent, json_pack("{s:I}", key, (json_int_t)id));
}

int enterprise_part_save(struct db *db, const struct actor *a, const struct enterprise_part *p,
                         int64_t ent, int64_t *id, json_t *in, json_t *errors)
{
    int rc = enterprise_writable(db, a, ent);
    json_t *cur = NULL, *rec = json_object();
    if (!rc && *id && !(cur = p->get(db, ent, *id)))
        rc = OP_NOT_FOUND;
    if (!rc)
        rc = p->check(db, a, ent, *id, in, cur, rec, errors);
    rc = op_checked(rc, errors);
    bool created = *id == 0;
    if (!rc && !(rc = db_begin(db))) {
        rc = p->save(db, ent, id, rec);
        if (!rc)
            rc = audit(db, a, p, created ? "create" : "update", ent, *id);
        rc = op_end(db, rc);
    }
    json_decref(cur);
    json_decref(rec);
    return rc;
}

int enterprise_part_delete(struct db *db, const struct actor *a, const struct enterprise_part *p,
                           int64_t ent, int64_t id, json_t *errors)
{
    int rc = enterprise_writable(db, a, ent);
    json_t *cur = rc ? NULL : p->get(db, ent, id);
    if (!rc && !cur)
        rc = OP_NOT_FOUND;
    if (!rc)
        rc = p->deletable(db, a, ent, id, cur, errors);
    json_decref(cur);
    if (!rc && !(rc = db_begin(db))) {
        rc = p->remove(db, id);
        if (!rc)
            rc = audit(db, a, p, "delete", ent, id);
        rc = op_end(db, rc);
    }
    return rc;
}
