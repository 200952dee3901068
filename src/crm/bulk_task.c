/*
 * bulk_task.c - 批量建跟进任务: one follow-up task for every customer of a
 * target group, given to each customer's manager or to one person, due
 * over a few working days. See group_action.h.
 */
#include "crm/group_action.h"

#include "crm/customer.h"
#include "crm/task.h"

#include "base/clock.h"
#include "base/date.h"
#include "base/i18n.h"
#include "core/op.h"
#include "db/db.h"
#include "http/form.h"

#include <stdio.h>
#include <string.h>

/* Working hours: tasks of one day are due from 09:00 +08:00, an hour
 * apart, and wrap after the eighth (16:00). */
#define FIRST_HOUR 9
#define HOURS      8

struct plan {
    const struct bulk_task_on *on;
    const char *title, *note, *priority;
    bool by_owner, preview;
    int64_t assignee_id, days;
    struct date start;
};

static bool priority_ok(const char *p)
{
    return !p || strcmp(p, "low") == 0 || strcmp(p, "normal") == 0 || strcmp(p, "high") == 0;
}

/* The next working day (Monday to Friday) from d on, d itself included. */
static struct date working_day(struct date d)
{
    while (date_weekday(d) > 5)
        d = date_add_days(d, 1);
    return d;
}

static void read_plan(const struct actor *a, json_t *in, json_t *errors, struct plan *p)
{
    struct form f;
    form_init_json(&f, in, a->lang, errors);
    p->title = form_str(&f, "title", true, 100);
    p->note = form_str(&f, "note", false, 1000);
    p->priority = form_str(&f, "priority", false, 8);
    if (!priority_ok(p->priority))
        form_fail(&f, "priority", "field.unknown_option");
    const char *who = form_str(&f, "assignee", false, 8);
    p->by_owner = !who || strcmp(who, "owner") == 0;
    if (who && !p->by_owner && strcmp(who, "user") != 0)
        form_fail(&f, "assignee", "field.unknown_option");
    if (!p->by_owner)
        form_int(&f, "assignee_id", true, &p->assignee_id);
    p->days = 1;
    if (form_int(&f, "days", false, &p->days) == 1 && (p->days < 1 || p->days > 30))
        form_fail(&f, "days", "bulk_tasks.days");
    const char *start = form_str(&f, "start", false, 10);
    p->start = date_add_days(date_of_time(clock_now()), 1);
    if (start && date_parse(start, strlen(start), &p->start))
        form_fail(&f, "start", "field.date");
    bool preview = false;
    form_bool(&f, "preview", false, &preview);
    p->preview = preview;
    form_ok(&f);
}

/* The chosen person: active and in the branch line of every customer. */
static int check_assignee(struct db *db, const struct actor *a, const struct sqlbuf *group,
                          const struct plan *p, json_t *errors)
{
    if (p->by_owner || json_object_get(errors, "assignee_id"))
        return 0;
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_addf(&b, "SELECT COUNT(*) FROM %s %s WHERE ", p->on->table, p->on->alias);
    sqlbuf_append(&b, group);
    sqlbuf_addf(&b,
                " AND NOT EXISTS (SELECT 1 FROM users u LEFT JOIN branches b ON "
                "b.id = u.branch_id WHERE u.id = ? AND u.status = 'active' AND "
                "substr(%s.branch_path, 1, length(COALESCE(b.path, ''))) = "
                "COALESCE(b.path, ''))",
                p->on->alias);
    sqlbuf_bind(&b, DB_INT(p->assignee_id));
    int64_t misfits = 0;
    int rc = db_query_int(db, b.sql, b.args, b.nargs, &misfits);
    sqlbuf_release(&b);
    int64_t exists = 0;
    if (rc >= 0)
        rc = db_query_int(db, "SELECT id FROM users WHERE id = ? AND status = 'active'",
                          DB_ARGS(DB_INT(p->assignee_id)), &exists);
    if (rc < 0)
        return rc;
    if (misfits || !exists)
        json_object_set_new(errors, "assignee_id",
                            json_string(i18n_msg(a->lang, "field.unknown_owner")));
    return 0;
}

/* The column of the assignee a customer's task goes to: its manager (the
 * caller when it has none), or the one chosen person. */
static void add_assignee(struct sqlbuf *b, const struct actor *a, const struct plan *p)
{
    if (p->by_owner) {
        sqlbuf_addf(b, "COALESCE(%s.owner_id, ?)", p->on->alias);
        sqlbuf_bind(b, DB_INT(a->id));
    } else {
        sqlbuf_add(b, "?");
        sqlbuf_bind(b, DB_INT(p->assignee_id));
    }
}

/* The statement head, each customer's assignee, mid, the group's
 * conditions, tail: a query over the group's customers c that knows whom
 * each one's task goes to. */
static struct db_stmt *query_assigned(struct db *db, const struct actor *a,
                                      const struct sqlbuf *group, const struct plan *p,
                                      const char *head, const char *mid, const char *tail)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, head);
    add_assignee(&b, a, p);
    sqlbuf_add(&b, mid);
    sqlbuf_append(&b, group);
    sqlbuf_add(&b, tail);
    struct db_stmt *st = db_query(db, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    return st;
}

/* The customers with the assignee each one's task goes to (the caller for
 * a customer without a manager), in id order: the order of the spread. */
static struct db_stmt *customers(struct db *db, const struct actor *a, const struct sqlbuf *group,
                                 const struct plan *p)
{
    char head[96], mid[64], tail[32];
    snprintf(head, sizeof(head), "SELECT %s.id, %s.branch_id, %s.branch_path, ", p->on->alias,
             p->on->alias, p->on->alias);
    snprintf(mid, sizeof(mid), " FROM %s %s WHERE ", p->on->table, p->on->alias);
    snprintf(tail, sizeof(tail), " ORDER BY %s.id", p->on->alias);
    return query_assigned(db, a, group, p, head, mid, tail);
}

/* Per-assignee counts with names, for the preview. */
static int by_assignee(struct db *db, const struct actor *a, const struct sqlbuf *group,
                       const struct plan *p, json_t *out)
{
    char mid[96];
    snprintf(mid, sizeof(mid), " AS who, COUNT(*) AS n FROM %s %s WHERE ", p->on->table,
             p->on->alias);
    struct db_stmt *st =
        query_assigned(db, a, group, p, "SELECT g.who, u.name, g.n FROM (SELECT ", mid,
                       " GROUP BY 1) g LEFT JOIN users u ON u.id = g.who ORDER BY g.n DESC, g.who");
    json_t *list = json_array();
    int rc = st ? 0 : DB_ERROR, got;
    while (st && (got = db_step(st)) == 1)
        json_array_append_new(list, json_pack("{s:I,s:s,s:I}", "assignee_id",
                                              (json_int_t)db_col_int(st, 0), "name",
                                              db_col_text(st, 1) ? db_col_text(st, 1) : "", "count",
                                              (json_int_t)db_col_int(st, 2)));
    if (st && got < 0)
        rc = got;
    db_finish(st);
    json_object_set_new(out, "by_assignee", list);
    return rc;
}

/* The i-th task's due time: day i % days of the working days from start,
 * hour FIRST_HOUR + (i / days) % HOURS. */
static int64_t due_of(const struct plan *p, int64_t i)
{
    struct date d = working_day(p->start);
    for (int64_t k = 0; k < i % p->days; k++)
        d = working_day(date_add_days(d, 1));
    return date_start_time(d) + (FIRST_HOUR + (i / p->days) % HOURS) * 3600;
}

static int create_all(struct db *db, const struct actor *a, const struct sqlbuf *group,
                      const struct plan *p, int64_t *made)
{
    struct db_stmt *st = customers(db, a, group, p);
    if (!st)
        return DB_ERROR;
    /* Read first: task_add writes on the same connection. */
    json_t *rows = json_array();
    int got;
    while ((got = db_step(st)) == 1)
        json_array_append_new(rows, json_pack("[I,I,s,I]", (json_int_t)db_col_int(st, 0),
                                              (json_int_t)db_col_int(st, 1), db_col_text(st, 2),
                                              (json_int_t)db_col_int(st, 3)));
    db_finish(st);
    int rc = got < 0 ? got : 0;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        if (rc)
            break;
        struct task_new t = {
            .title = p->title,
            .customer_id = p->on->enterprise ? 0 : json_integer_value(json_array_get(row, 0)),
            .enterprise_id = p->on->enterprise ? json_integer_value(json_array_get(row, 0)) : 0,
            .due_at = due_of(p, (int64_t)i),
            .assignee_id = json_integer_value(json_array_get(row, 3)),
            .branch_id = json_integer_value(json_array_get(row, 1)),
            .branch_path = json_string_value(json_array_get(row, 2)),
            .priority = p->priority,
            .source = "manual",
            .note = p->note,
            .created_by = a->id,
        };
        int64_t id = 0;
        rc = task_add(db, a, &t, &id);
        *made += id ? 1 : 0;
    }
    json_decref(rows);
    return rc;
}

/* How many records the group holds. */
static int group_count(struct db *db, const struct plan *p, const struct sqlbuf *group, int64_t *n)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_addf(&b, "SELECT COUNT(*) FROM %s %s WHERE ", p->on->table, p->on->alias);
    sqlbuf_append(&b, group);
    int rc = db_query_int(db, b.sql, b.args, b.nargs, n);
    sqlbuf_release(&b);
    return rc < 0 ? rc : 0;
}

/* A token seen before: *repeated. Else it is kept with the count made. */
static int take_token(struct db *db, const struct actor *a, const char *token, bool *repeated)
{
    *repeated = false;
    if (!token)
        return 0;
    int64_t n = 0;
    int rc = db_query_int(
        db,
        "INSERT INTO bulk_task_batches (client_token, created, created_by, "
        "created_at) VALUES (?, 0, ?, ?) ON CONFLICT DO NOTHING RETURNING 1",
        DB_ARGS(DB_TEXT(token), DB_INT_OR_NULL(a->id, a->id), DB_INT(clock_now())), &n);
    *repeated = rc == 0;
    return rc < 0 ? rc : 0;
}

const struct bulk_task_on bulk_task_customers = {"customers", "c", false};

int bulk_tasks(struct db *db, const struct actor *a, const struct sqlbuf *group, json_t *in,
               json_t *out, json_t *errors)
{
    return bulk_tasks_on(db, a, &bulk_task_customers, group, in, out, errors);
}

int bulk_tasks_on(struct db *db, const struct actor *a, const struct bulk_task_on *on,
                  const struct sqlbuf *group, json_t *in, json_t *out, json_t *errors)
{
    struct plan p = {.on = on};
    read_plan(a, in, errors, &p);
    const char *token = json_string_value(json_object_get(in, "client_token"));
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = check_assignee(db, a, group, &p, errors);
    int64_t count = 0;
    if (!rc)
        rc = group_count(db, &p, group, &count);
    if (!rc && count > group_action_max())
        json_object_set_new(errors, "group", json_string(i18n_msg(a->lang, "group.too_large")));
    rc = op_checked(rc, errors);
    json_object_set_new(out, "count", json_integer(count));
    if (!rc && p.preview)
        rc = by_assignee(db, a, group, &p, out);
    bool repeated = false;
    if (!rc && !p.preview)
        rc = take_token(db, a, token, &repeated);
    int64_t made = 0;
    if (!rc && !p.preview && !repeated)
        rc = create_all(db, a, group, &p, &made);
    if (!rc && !p.preview && !repeated)
        rc = db_exec(db, "UPDATE bulk_task_batches SET created = ? WHERE client_token = ?",
                     DB_ARGS(DB_INT(made), DB_TEXT(token)));
    if (!rc && !p.preview && !repeated)
        rc = actor_audit(db, a, "task.bulk_create", NULL, 0,
                         json_pack("{s:s,s:I,s:s,s:I}", "title", p.title, "created",
                                   (json_int_t)made, "assignee", p.by_owner ? "owner" : "user",
                                   "days", (json_int_t)p.days));
    json_object_set_new(out, "created", json_integer(made));
    if (repeated)
        json_object_set_new(out, "repeated", json_true());
    if (p.preview && !rc) {
        db_rollback(db);
        return 0;
    }
    return op_end(db, rc);
}
