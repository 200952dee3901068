/*
 * individual.c - the individual customers' dashboard (seed 000): new
 * customers per month, business records by type, to-dos done and overdue
 * per assignee, and the birthdays and product maturities of the next 30
 * days, all within the viewer's branch scope (to-dos as the team's to-do
 * list shows them), with the customers behind the counts.
 */
#include "report/report.h"

#include "base/clock.h"
#include "base/date.h"
#include "core/listing.h"
#include "crm/task.h"
#include "db/db.h"
#include "db/dialect.h"
#include "db/sqlbuf.h"
#include "record/scope.h"

#include <stdio.h>
#include <string.h>

#define MONTHS 12
#define AHEAD  30 /* days of upcoming birthdays and maturities */

static int64_t today_day(void)
{
    return date_to_days(date_of_time(clock_now()));
}

static int64_t start_of(int64_t day)
{
    return date_start_time(date_from_days(day));
}

/* The rows of b's query as objects, b released; NULL: the database failed. */
static json_t *rows_released(struct db *db, struct sqlbuf *b)
{
    json_t *rows = listing_rows(db_query(db, b->sql, b->args, b->nargs), NULL, NULL);
    sqlbuf_release(b);
    return rows;
}

/* " AND (birthday's month and day within the next AHEAD days)": the
 * MM-DD of each day bound, so a year's turn needs no date arithmetic in
 * SQL. */
static void birthday_soon(struct sqlbuf *b)
{
    sqlbuf_add(b, " AND substr(c.birthday, 6, 5) IN (");
    int64_t today = today_day();
    for (int i = 0; i < AHEAD; i++) {
        struct date d = date_from_days(today + i);
        char md[8];
        snprintf(md, sizeof(md), "%02u-%02u", (unsigned)d.month % 100u, (unsigned)d.day % 100u);
        sqlbuf_add(b, i ? ", ?" : "?");
        sqlbuf_bind_text_copy(b, md);
    }
    sqlbuf_add(b, ")");
}

/* " AND (the product maturity date within the next AHEAD days)" */
static void maturity_soon(struct sqlbuf *b)
{
    char from[11], to[11], expr[128];
    date_format(date_from_days(today_day()), from);
    date_format(date_from_days(today_day() + AHEAD - 1), to);
    snprintf(expr, sizeof(expr), dialect_json_get_text(), "c.custom");
    sqlbuf_addf(b, " AND %s BETWEEN ? AND ?", expr);
    sqlbuf_bind(b, DB_TEXT_KEPT("product_maturity"));
    sqlbuf_bind_text_copy(b, from);
    sqlbuf_bind_text_copy(b, to);
}

/* FROM and WHERE of the live customers u sees. */
static void customers_where(struct sqlbuf *b, const struct actor *u)
{
    sqlbuf_add(b, " FROM customers c WHERE c.deleted_at IS NULL AND ");
    scope_sql(u, "c.branch_path", b);
}

static int count_of(struct db *db, struct sqlbuf *b, int64_t *n)
{
    int rc = db_query_int(db, b->sql, b->args, b->nargs, n);
    sqlbuf_release(b);
    return rc < 0 ? rc : 0;
}

/* New customers in each of the twelve months up to p's last. */
static int new_customers(struct db *db, const struct actor *u, const struct report_period *p,
                         json_t *out)
{
    int last = report_month_of_day(p->to), first = last - MONTHS + 1;
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT c.created_at");
    customers_where(&b, u);
    sqlbuf_add(&b, " AND c.created_at >= ? AND c.created_at < ?");
    sqlbuf_bind(&b, DB_INT(start_of(report_month_first(first))));
    sqlbuf_bind(&b, DB_INT(start_of(p->to + 1)));
    struct db_stmt *st = db_query(db, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    if (!st)
        return DB_ERROR;
    int64_t counts[MONTHS] = {0};
    int rc;
    while ((rc = db_step(st)) == 1) {
        int m = report_month_of_day(date_to_days(date_of_time(db_col_int(st, 0)))) - first;
        if (m >= 0 && m < MONTHS)
            counts[m]++;
    }
    db_finish(st);
    if (rc < 0)
        return rc;
    json_t *months = json_array(), *values = json_array();
    for (int m = 0; m < MONTHS; m++) {
        char label[8];
        report_month_label(first + m, label);
        json_array_append_new(months, json_string(label));
        json_array_append_new(values, json_integer(counts[m]));
    }
    json_object_set_new(out, "new_customers",
                        json_pack("{s:o,s:o}", "months", months, "counts", values));
    return 0;
}

/* Customers created in days [from, to]. */
static int created_in(struct db *db, const struct actor *u, int64_t from, int64_t to, int64_t *n)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT COUNT(*)");
    customers_where(&b, u);
    sqlbuf_add(&b, " AND c.created_at >= ? AND c.created_at < ?");
    sqlbuf_bind(&b, DB_INT(start_of(from)));
    sqlbuf_bind(&b, DB_INT(start_of(to + 1)));
    return count_of(db, &b, n);
}

/* Business records on customers in days [from, to], by type. */
static json_t *records_by_type(struct db *db, const struct actor *u, int64_t from, int64_t to)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, strncmp(u->lang, "en", 2) == 0
                       ? "SELECT i.type AS key, COALESCE(NULLIF(di.label_en, ''), di.label, "
                         "i.type) AS label, COUNT(*) AS count"
                       : "SELECT i.type AS key, COALESCE(di.label, i.type) AS label, "
                         "COUNT(*) AS count");
    sqlbuf_add(&b, " FROM interactions i LEFT JOIN dictionary_items di ON di.dict_code = "
                   "'business_type' AND di.value = i.type WHERE i.customer_id IS NOT NULL "
                   "AND i.deleted_at IS NULL AND i.kind = 'business' AND i.occurred_at >= ? "
                   "AND i.occurred_at < ? AND ");
    sqlbuf_bind(&b, DB_INT(start_of(from)));
    sqlbuf_bind(&b, DB_INT(start_of(to + 1)));
    scope_sql(u, "i.branch_path", &b);
    sqlbuf_add(&b, " GROUP BY 1, 2 ORDER BY 3 DESC, 1");
    return rows_released(db, &b);
}

/* Per assignee: to-dos done in days [from, to] and open past their due
 * time now, among the to-dos u's team list shows. */
static json_t *tasks_by_assignee(struct db *db, const struct actor *u, int64_t from, int64_t to)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT t.assignee_id, u.name, "
                   "SUM(CASE WHEN t.status = 'done' AND t.completed_at >= ? AND "
                   "t.completed_at < ? THEN 1 ELSE 0 END) AS done, "
                   "SUM(CASE WHEN t.status = 'open' AND t.due_at < ? THEN 1 ELSE 0 END) "
                   "AS overdue FROM tasks t JOIN users u ON u.id = t.assignee_id WHERE ");
    sqlbuf_bind(&b, DB_INT(start_of(from)));
    sqlbuf_bind(&b, DB_INT(start_of(to + 1)));
    sqlbuf_bind(&b, DB_INT(clock_now()));
    task_visible_sql(u, &b, true);
    sqlbuf_add(&b, " GROUP BY t.assignee_id, u.name HAVING SUM(CASE WHEN t.status = 'done' AND "
                   "t.completed_at >= ? AND t.completed_at < ? THEN 1 ELSE 0 END) + "
                   "SUM(CASE WHEN t.status = 'open' AND t.due_at < ? THEN 1 ELSE 0 END) > 0 "
                   "ORDER BY 4 DESC, 3 DESC, 2");
    sqlbuf_bind(&b, DB_INT(start_of(from)));
    sqlbuf_bind(&b, DB_INT(start_of(to + 1)));
    sqlbuf_bind(&b, DB_INT(clock_now()));
    return rows_released(db, &b);
}

static int upcoming(struct db *db, const struct actor *u, void (*cond)(struct sqlbuf *), int64_t *n)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT COUNT(*)");
    customers_where(&b, u);
    cond(&b);
    return count_of(db, &b, n);
}

int individual_summary(struct db *db, const struct actor *u, const struct report_period *p,
                       json_t *out)
{
    struct report_period prev = report_period_back(p, p->months);
    int64_t added = 0, added_before = 0, birthdays = 0, maturities = 0;
    int rc = new_customers(db, u, p, out);
    if (!rc)
        rc = created_in(db, u, p->from, p->to, &added);
    if (!rc)
        rc = created_in(db, u, prev.from, prev.to, &added_before);
    if (!rc)
        rc = upcoming(db, u, birthday_soon, &birthdays);
    if (!rc)
        rc = upcoming(db, u, maturity_soon, &maturities);
    json_t *records = rc ? NULL : records_by_type(db, u, p->from, p->to);
    json_t *records_before = rc ? NULL : records_by_type(db, u, prev.from, prev.to);
    json_t *tasks = rc ? NULL : tasks_by_assignee(db, u, p->from, p->to);
    if (!rc && (!records || !records_before || !tasks))
        rc = DB_ERROR;
    int64_t before = 0;
    size_t i;
    json_t *x;
    json_array_foreach(records_before, i, x) before +=
        json_integer_value(json_object_get(x, "count"));
    json_decref(records_before);
    json_object_set_new(out, "period", report_period_json(p));
    json_object_set_new(out, "new_in_period", json_integer(added));
    json_object_set_new(out, "new_previous", json_integer(added_before));
    json_object_set_new(out, "records_by_type", records ? records : json_array());
    json_object_set_new(out, "records_previous", json_integer(before));
    json_object_set_new(out, "tasks_by_assignee", tasks ? tasks : json_array());
    json_object_set_new(out, "birthdays", json_integer(birthdays));
    json_object_set_new(out, "maturities", json_integer(maturities));
    return rc;
}

int individual_list(struct db *db, const struct actor *u, const char *kind,
                    const struct report_period *p, int64_t limit, int64_t offset, json_t *out)
{
    char expr[128];
    snprintf(expr, sizeof(expr), dialect_json_get_text(), "c.custom");
    struct sqlbuf w;
    sqlbuf_init(&w);
    const char *on = "c.birthday";
    if (strcmp(kind, "birthdays") == 0) {
        birthday_soon(&w);
    } else if (strcmp(kind, "maturities") == 0) {
        on = expr;
        maturity_soon(&w);
    } else {
        sqlbuf_add(&w, " AND c.created_at >= ? AND c.created_at < ?");
        sqlbuf_bind(&w, DB_INT(start_of(p->from)));
        sqlbuf_bind(&w, DB_INT(start_of(p->to + 1)));
    }
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT COUNT(*)");
    customers_where(&b, u);
    sqlbuf_append(&b, &w);
    int64_t total = 0;
    int rc = count_of(db, &b, &total);
    sqlbuf_init(&b);
    sqlbuf_addf(&b, "SELECT c.id, c.name, c.customer_no, o.name AS owner_name, br.name AS "
                    "branch_name, c.created_at, ");
    if (on == expr) {
        sqlbuf_addf(&b, "%s AS on_date", expr);
        sqlbuf_bind(&b, DB_TEXT_KEPT("product_maturity"));
    } else {
        sqlbuf_add(&b, "c.birthday AS on_date");
    }
    sqlbuf_add(&b, " FROM customers c LEFT JOIN users o ON o.id = c.owner_id JOIN branches br ON "
                   "br.id = c.branch_id WHERE c.deleted_at IS NULL AND ");
    scope_sql(u, "c.branch_path", &b);
    sqlbuf_append(&b, &w);
    sqlbuf_addf(&b, " ORDER BY %s, c.id LIMIT %lld OFFSET %lld",
                strcmp(kind, "new") == 0 ? "c.created_at DESC"
                : on == expr             ? "on_date"
                                         : "substr(c.birthday, 6, 5)",
                (long long)limit, (long long)offset);
    sqlbuf_release(&w);
    json_t *items = rc ? NULL : rows_released(db, &b);
    if (rc)
        sqlbuf_release(&b);
    if (!items)
        return rc ? rc : DB_ERROR;
    json_object_set_new(out, "items", items);
    json_object_set_new(out, "total", json_integer(total));
    return 0;
}
