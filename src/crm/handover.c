/*
 * handover.c - 客户交接: a staff member's customers (all, or those of a
 * group) and their open tasks go to another, as when someone leaves or
 * changes post. See group_action.h.
 */
#include "crm/customer_int.h"
#include "crm/group_action.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "core/events.h"
#include "core/op.h"
#include "db/db.h"
#include "record/history.h"

#include <string.h>

static void fail(json_t *errors, const struct actor *a, const char *field, const char *key)
{
    if (!json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(i18n_msg(a->lang, key)));
}

/* "SELECT c.id FROM customers c WHERE <group> AND c.owner_id = from": the
 * customers handed over. */
static void handed_sql(const struct handover *h, struct sqlbuf *b)
{
    sqlbuf_add(b, "SELECT c.id FROM customers c WHERE ");
    sqlbuf_append(b, h->group);
    sqlbuf_add(b, " AND c.owner_id = ?");
    sqlbuf_bind(b, DB_INT(h->from_user));
}

/* The count of "<head> (<handed>)<tail>" with the values bound after. */
static int count_of(struct db *db, const struct handover *h, const char *head, const char *tail,
                    int64_t *n)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, head);
    sqlbuf_add(&b, " (");
    handed_sql(h, &b);
    sqlbuf_add(&b, ")");
    sqlbuf_add(&b, tail);
    sqlbuf_bind(&b, DB_INT(h->from_user));
    int rc = db_query_int(db, b.sql, b.args, b.nargs, n);
    sqlbuf_release(&b);
    return rc < 0 ? rc : 0;
}

/* The people: to_user is active, another person, and works in the branch
 * line of every customer handed over (the owner rule of customer_check),
 * refused alike when missing. from_user is not looked up: a leaving member
 * may be disabled already, and one who owns none of the caller's customers
 * simply hands over none (no answer tells other branches' staff apart). */
static int check_people(struct db *db, const struct actor *a, const struct handover *h,
                        json_t *errors)
{
    if (h->to_user == h->from_user)
        fail(errors, a, "to_user", "handover.same_user");
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT COALESCE(b.path, '') FROM users u LEFT JOIN branches b ON "
                          "b.id = u.branch_id WHERE u.id = ? AND u.status = 'active'",
                          DB_ARGS(DB_INT(h->to_user)));
    if (rc < 0)
        return rc;
    if (rc == 0) {
        fail(errors, a, "to_user", "field.unknown_owner");
        return 0;
    }
    char path[256];
    snprintf(path, sizeof(path), "%s", db_col_text(st, 0));
    db_finish(st);
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT COUNT(*) FROM customers c WHERE c.id IN (");
    handed_sql(h, &b);
    sqlbuf_add(&b, ") AND substr(c.branch_path, 1, CAST(? AS INTEGER)) <> ?");
    sqlbuf_bind(&b, DB_INT((int64_t)strlen(path)));
    sqlbuf_bind(&b, DB_TEXT(path));
    int64_t outside = 0;
    rc = db_query_int(db, b.sql, b.args, b.nargs, &outside);
    sqlbuf_release(&b);
    if (rc < 0)
        return rc;
    if (outside)
        fail(errors, a, "to_user", "field.unknown_owner");
    return 0;
}

static int figures(struct db *db, const struct handover *h, json_t *out)
{
    int64_t n[3] = {0, 0, 0};
    int rc =
        count_of(db, h, "SELECT COUNT(*) FROM customers WHERE id IN", " AND owner_id = ?", &n[0]);
    if (!rc && h->open_tasks)
        rc = count_of(db, h, "SELECT COUNT(*) FROM tasks WHERE status = 'open' AND customer_id IN",
                      " AND assignee_id = ?", &n[1]);
    if (!rc && h->open_tasks)
        rc = count_of(db, h,
                      "SELECT COUNT(*) FROM tasks WHERE status = 'open' AND source = 'reminder' "
                      "AND customer_id IN",
                      " AND assignee_id = ?", &n[2]);
    json_object_set_new(out, "customers", json_integer(n[0]));
    json_object_set_new(out, "open_tasks", json_integer(n[1]));
    json_object_set_new(out, "reminders", json_integer(n[2]));
    return rc;
}

/* The ids handed over, for their events (read before the owner moves). */
static int handed_ids(struct db *db, const struct handover *h, json_t *ids)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    handed_sql(h, &b);
    struct db_stmt *st = db_query(db, b.sql, b.args, b.nargs);
    int rc = st ? 0 : DB_ERROR, got;
    while (st && (got = db_step(st)) == 1)
        json_array_append_new(ids, json_integer(db_col_int(st, 0)));
    if (st && got < 0)
        rc = got;
    db_finish(st);
    sqlbuf_release(&b);
    return rc;
}

/* Move the owner and the open tasks: history first, while the customers
 * still have their old owner (the statements select by it). */
static int move(struct db *db, const struct actor *a, const struct handover *h, json_t *ids)
{
    int64_t now = clock_now();
    struct req who;
    history_author(a, &who);
    struct sqlbuf b;
    sqlbuf_init(&b);
    handed_sql(h, &b);
    json_t *from = json_integer(h->from_user), *to = json_integer(h->to_user);
    int rc = history_note_each(db, &who, "customer", &b, "owner_id", from, to);
    json_decref(from);
    json_decref(to);
    sqlbuf_release(&b);
    if (!rc && h->open_tasks) {
        sqlbuf_init(&b);
        sqlbuf_add(&b, "UPDATE tasks SET assignee_id = ?, version = version + 1, updated_at = ? "
                       "WHERE status = 'open' AND assignee_id = ? AND customer_id IN (");
        sqlbuf_bind(&b, DB_INT(h->to_user));
        sqlbuf_bind(&b, DB_INT(now));
        sqlbuf_bind(&b, DB_INT(h->from_user));
        handed_sql(h, &b);
        sqlbuf_add(&b, ")");
        rc = db_exec(db, b.sql, b.args, b.nargs);
        sqlbuf_release(&b);
    }
    if (!rc) {
        sqlbuf_init(&b);
        sqlbuf_add(&b, "UPDATE customers SET owner_id = ?, version = version + 1, "
                       "updated_at = ?, updated_by = ? WHERE id IN (");
        sqlbuf_bind(&b, DB_INT(h->to_user));
        sqlbuf_bind(&b, DB_INT(now));
        sqlbuf_bind(&b, DB_INT_OR_NULL(a->id, a->id));
        handed_sql(h, &b);
        sqlbuf_add(&b, ")");
        rc = db_exec(db, b.sql, b.args, b.nargs);
        sqlbuf_release(&b);
    }
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) if (!rc) rc =
        events_publish(db, "customer.changed", "customer", json_integer_value(v), a->id,
                       json_pack("{s:[s]}", "fields", "owner_id"));
    return rc;
}

int customer_handover(struct db *db, const struct actor *a, const struct handover *h, json_t *out,
                      json_t *errors)
{
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = check_people(db, a, h, errors);
    rc = op_checked(rc, errors);
    if (!rc)
        rc = figures(db, h, out);
    json_t *ids = json_array();
    if (!rc && !h->dry_run)
        rc = handed_ids(db, h, ids);
    if (!rc && !h->dry_run)
        rc = move(db, a, h, ids);
    json_decref(ids);
    if (!rc && !h->dry_run)
        rc = actor_audit(db, a, "customer.handover", NULL, 0,
                         json_pack("{s:I,s:I,s:O,s:O,s:O,s:O}", "from_user",
                                   (json_int_t)h->from_user, "to_user", (json_int_t)h->to_user,
                                   "customers", json_object_get(out, "customers"), "open_tasks",
                                   json_object_get(out, "open_tasks"), "reminders",
                                   json_object_get(out, "reminders"), "target",
                                   h->target ? h->target : json_null()));
    if (h->dry_run && !rc) {
        db_rollback(db);
        return 0;
    }
    return op_end(db, rc);
}
