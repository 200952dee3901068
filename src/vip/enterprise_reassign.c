/*
 * enterprise_reassign.c - a new account manager (专属客户经理) for every
 * enterprise of a target group (record/group.h) at once: what an edit of
 * each one's owner_id does, in one transaction, all or none.
 */
#include "vip/enterprise_int.h"

#include "base/i18n.h"
#include "core/op.h"
#include "crm/group_action.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>

/* The ids w selects, at most max + 1 (one more tells "too many"). */
static int group_ids(struct db *db, const struct sqlbuf *w, int64_t max, json_t *ids)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT e.id FROM enterprises e WHERE ");
    sqlbuf_append(&b, w);
    sqlbuf_add(&b, " ORDER BY e.id LIMIT ?");
    sqlbuf_bind(&b, DB_INT(max + 1));
    struct db_stmt *st = db_query(db, b.sql, b.args, b.nargs);
    int rc = st ? 0 : DB_ERROR;
    while (!rc && (rc = db_step(st)) == 1) {
        json_array_append_new(ids, json_integer(db_col_int(st, 0)));
        rc = 0;
    }
    db_finish(st);
    sqlbuf_release(&b);
    return rc < 0 ? rc : 0;
}

/* Check (and unless dry_run write) the new manager of enterprise id; the
 * check's refusal names the enterprise in errors["owner_id"]. *changed is
 * set when the manager really changes. */
static int reassign_one(struct db *db, const struct actor *a, int64_t id, json_t *in, bool dry_run,
                        bool *changed, json_t *errors)
{
    json_t *cur = NULL, *rec = json_object(), *why = json_object();
    int rc = enterprise_find(db, a, id, false, &cur);
    if (rc == 1)
        rc = enterprise_check(db, a, in, cur, rec, why);
    else if (rc == 0)
        rc = OP_NOT_FOUND; /* gone since the group was read */
    const char *msg = json_string_value(json_object_get(why, "owner_id"));
    if (!rc && json_object_size(why)) {
        char text[512];
        snprintf(text, sizeof(text), "%s: %s", json_string_value(json_object_get(cur, "name")),
                 msg ? msg : i18n_msg(a->lang, "field.invalid"));
        json_object_set_new(errors, "owner_id", json_string(text));
        rc = OP_INVALID;
    }
    *changed =
        !rc && !json_equal(json_object_get(cur, "owner_id"), json_object_get(in, "owner_id"));
    if (*changed && !dry_run)
        rc = enterprise_write(db, a, id, json_integer_value(json_object_get(cur, "version")), cur,
                              rec);
    json_decref(cur);
    json_decref(rec);
    json_decref(why);
    return rc;
}

int enterprise_reassign_group(struct db *db, const struct actor *a, const struct sqlbuf *w,
                              json_t *target, int64_t owner_id, bool dry_run, json_t *out,
                              json_t *errors)
{
    json_t *ids = json_array(), *in = json_pack("{s:I}", "owner_id", (json_int_t)owner_id);
    int64_t max = group_action_max(), changed = 0;
    /* Read and written in one transaction: the group cannot move between. */
    int rc = db_begin(db);
    if (!rc)
        rc = group_ids(db, w, max, ids);
    if (!rc && (int64_t)json_array_size(ids) > max) {
        json_object_set_new(errors, "group", json_string(i18n_msg(a->lang, "group.too_large")));
        rc = OP_INVALID;
    }
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        bool one = false;
        if (!rc)
            rc = reassign_one(db, a, json_integer_value(v), in, dry_run, &one, errors);
        changed += one;
    }
    if (!rc && !dry_run)
        rc = actor_audit(db, a, "enterprise.bulk_reassign", NULL, 0,
                         json_pack("{s:O,s:I,s:I,s:I}", "group", target, "owner_id",
                                   (json_int_t)owner_id, "count", (json_int_t)json_array_size(ids),
                                   "changed", (json_int_t)changed));
    /* A dry run writes nothing, so it ends as a failure would. */
    rc = dry_run && !rc ? (db_rollback(db), 0) : op_end(db, rc);
    if (!rc) {
        json_object_set_new(out, "count", json_integer((json_int_t)json_array_size(ids)));
        json_object_set_new(out, "changed", json_integer(changed));
        json_object_set_new(out, "dry_run", json_boolean(dry_run));
    }
    json_decref(ids);
    json_decref(in);
    return rc;
}
