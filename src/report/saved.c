/*
 * saved.c - saved reports and custom dashboards (saved.h): one table each
 * and report_shares for both; what a kind differs in is its row of KINDS.
 */
#include "report/saved.h"

#include "auth/perm.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/utf8.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "core/op.h"
#include "core/outbox.h"
#include "core/perms.h"
#include "core/scheduler.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "report/builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_CHARS 60
#define MAX_SHARES     50
#define MAX_RECIPIENTS 20
#define MAX_WIDGETS    24

struct kind {
    const char *name;  /* report_shares.kind, audit object type */
    const char *table; /* aliased x */
    const char *body;  /* the JSON column: definition or layout */
};
static const struct kind KINDS[] = {
    {"report", "saved_reports", "definition"},
    {"dashboard", "report_dashboards", "layout"},
};

static const char *msg(const struct actor *u, const char *key)
{
    return i18n_msg(u->lang, key);
}

/* "(u sees x)": admins all; the owner; a share with u's role or a branch
 * u works in or below. */
static void visible_sql(const struct actor *u, const struct kind *k, struct sqlbuf *b)
{
    sqlbuf_add(b, "(? = 1 OR x.owner_id = ? OR EXISTS (SELECT 1 FROM report_shares rs WHERE "
                  "rs.kind = ? AND rs.object_id = x.id AND (rs.role = ? OR (rs.branch_path <> '' "
                  "AND substr(?, 1, length(rs.branch_path)) = rs.branch_path))))");
    sqlbuf_bind(b, DB_INT((u->perms & PERM_ADMIN) ? 1 : 0));
    sqlbuf_bind(b, DB_INT(u->id));
    sqlbuf_bind(b, DB_TEXT(k->name));
    sqlbuf_bind_text_copy(b, u->role);
    sqlbuf_bind_text_copy(b, u->branch_path);
}

static json_t *parsed(const char *s)
{
    json_t *v = json_loads(s, 0, NULL);
    return v ? v : json_null();
}

int saved_list(struct db *db, const struct actor *u, enum saved_kind kind, json_t **out)
{
    const struct kind *k = &KINDS[kind];
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_addf(&b,
                "SELECT x.id, x.name, x.owner_id, o.name, x.updated_at, x.%s%s FROM %s x JOIN "
                "users o ON o.id = x.owner_id WHERE ",
                k->body, kind == SAVED_REPORT ? ", x.schedule" : "", k->table);
    visible_sql(u, k, &b);
    sqlbuf_add(&b, " ORDER BY x.updated_at DESC, x.id DESC LIMIT 500");
    struct db_stmt *st = db_query(db, b.sql, b.args, b.nargs);
    int rc = st ? 0 : DB_ERROR;
    json_t *items = json_array();
    while (st && (rc = db_step(st)) == 1) {
        char at[32];
        clock_format_iso(db_col_int(st, 4), at, sizeof(at));
        json_t *it =
            json_pack("{s:I,s:s,s:I,s:s,s:s,s:b}", "id", (json_int_t)db_col_int(st, 0), "name",
                      db_col_text(st, 1), "owner_id", (json_int_t)db_col_int(st, 2), "owner_name",
                      db_col_text(st, 3), "updated_at", at, "mine", db_col_int(st, 2) == u->id);
        json_t *body = parsed(db_col_text(st, 5));
        if (kind == SAVED_REPORT) {
            json_object_set(it, "source", json_object_get(body, "source"));
            json_object_set(it, "chart", json_object_get(json_object_get(body, "chart"), "type"));
            json_object_set_new(it, "schedule", json_string(db_col_text(st, 6)));
        } else {
            json_object_set_new(it, "widgets", json_integer((json_int_t)json_array_size(body)));
        }
        json_decref(body);
        json_array_append_new(items, it);
    }
    db_finish(st);
    sqlbuf_release(&b);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o}", "items", items);
    return OP_OK;
}

static json_t *shares_of(struct db *db, const struct kind *k, int64_t id)
{
    json_t *roles = json_array(), *branches = json_array();
    struct db_stmt *st = db_query(db,
                                  "SELECT role, branch_id FROM report_shares WHERE kind = ? AND "
                                  "object_id = ? ORDER BY role, branch_id",
                                  DB_ARGS(DB_TEXT(k->name), DB_INT(id)));
    while (st && db_step(st) == 1) {
        if (*db_col_text(st, 0))
            json_array_append_new(roles, json_string(db_col_text(st, 0)));
        else
            json_array_append_new(branches, json_integer(db_col_int(st, 1)));
    }
    db_finish(st);
    return json_pack("{s:o,s:o}", "roles", roles, "branches", branches);
}

int saved_get(struct db *db, const struct actor *u, enum saved_kind kind, int64_t id, json_t **out)
{
    const struct kind *k = &KINDS[kind];
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_addf(&b,
                "SELECT x.id, x.name, x.owner_id, o.name, x.updated_at, x.%s, x.version%s FROM %s "
                "x JOIN users o ON o.id = x.owner_id WHERE x.id = ? AND ",
                k->body, kind == SAVED_REPORT ? ", x.schedule, x.recipients" : "", k->table);
    sqlbuf_bind(&b, DB_INT(id));
    visible_sql(u, k, &b);
    struct db_stmt *st = NULL;
    int rc = db_query_row(db, &st, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    if (rc <= 0)
        return rc ? rc : OP_NOT_FOUND;
    char at[32];
    clock_format_iso(db_col_int(st, 4), at, sizeof(at));
    json_t *o = json_pack("{s:I,s:s,s:I,s:s,s:s,s:o,s:I,s:b,s:b}", "id",
                          (json_int_t)db_col_int(st, 0), "name", db_col_text(st, 1), "owner_id",
                          (json_int_t)db_col_int(st, 2), "owner_name", db_col_text(st, 3),
                          "updated_at", at, k->body, parsed(db_col_text(st, 5)), "version",
                          (json_int_t)db_col_int(st, 6), "mine", db_col_int(st, 2) == u->id,
                          "editable", db_col_int(st, 2) == u->id || (u->perms & PERM_ADMIN));
    if (kind == SAVED_REPORT) {
        json_object_set_new(o, "schedule", json_string(db_col_text(st, 7)));
        json_object_set_new(o, "recipients", parsed(db_col_text(st, 8)));
    }
    db_finish(st);
    json_object_set_new(o, "shared", shares_of(db, k, id));
    *out = o;
    return OP_OK;
}

/* ---- checks ------------------------------------------------------------ */

static void field_error(json_t *errors, const char *field, const char *text)
{
    if (!json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(text));
}

/* The shares of in.shared checked: roles names, branches ids with their
 * paths (looked up) into *paths. */
static int check_shares(struct db *db, const struct actor *u, json_t *shared, json_t *errors,
                        json_t *paths)
{
    if (!shared || json_is_null(shared))
        return 0;
    json_t *roles = json_object_get(shared, "roles"),
           *branches = json_object_get(shared, "branches");
    if (!json_is_object(shared) || (roles && !json_is_array(roles)) ||
        (branches && !json_is_array(branches)) ||
        json_array_size(roles) + json_array_size(branches) > MAX_SHARES) {
        field_error(errors, "shared", msg(u, "report.bad_share"));
        return 0;
    }
    size_t i;
    json_t *v;
    json_array_foreach(roles, i,
                       v) if (!json_is_string(v) || !perm_role_valid(json_string_value(v)))
        field_error(errors, "shared", msg(u, "report.bad_share"));
    json_array_foreach(branches, i, v)
    {
        if (!json_is_integer(v)) {
            field_error(errors, "shared", msg(u, "report.bad_share"));
            continue;
        }
        struct db_stmt *st = NULL;
        int rc = db_query_row(db, &st, "SELECT path FROM branches WHERE id = ?",
                              DB_ARGS(DB_INT(json_integer_value(v))));
        if (rc < 0)
            return rc;
        if (rc == 0)
            field_error(errors, "shared", msg(u, "report.bad_share"));
        else
            json_array_append_new(paths, json_string(db_col_text(st, 0)));
        db_finish(st);
    }
    return 0;
}

/* The dashboard's widgets checked: grid cells in range, each report one u
 * sees. */
static int check_layout(struct db *db, const struct actor *u, json_t *layout, json_t *errors)
{
    if (!json_is_array(layout) || json_array_size(layout) > MAX_WIDGETS) {
        field_error(errors, "layout", msg(u, "report.bad_layout"));
        return 0;
    }
    static const struct {
        const char *key;
        int64_t min, max;
    } cells[] = {{"x", 0, 11}, {"y", 0, 500}, {"w", 1, 12}, {"h", 1, 40}};
    size_t i;
    json_t *w;
    json_array_foreach(layout, i, w)
    {
        json_t *rid = json_object_get(w, "report_id");
        bool ok = json_is_object(w) && json_is_integer(rid) &&
                  json_is_string(json_object_get(w, "i")) &&
                  strlen(json_string_value(json_object_get(w, "i"))) <= 40;
        for (size_t c = 0; ok && c < sizeof(cells) / sizeof(cells[0]); c++) {
            json_t *v = json_object_get(w, cells[c].key);
            ok = json_is_integer(v) && json_integer_value(v) >= cells[c].min &&
                 json_integer_value(v) <= cells[c].max;
        }
        if (!ok) {
            field_error(errors, "layout", msg(u, "report.bad_layout"));
            continue;
        }
        json_t *seen = NULL;
        int rc = saved_get(db, u, SAVED_REPORT, json_integer_value(rid), &seen);
        json_decref(seen);
        if (rc == OP_NOT_FOUND)
            field_error(errors, "layout", msg(u, "report.widget_report"));
        else if (rc)
            return rc;
    }
    return 0;
}

static int check_report(struct db *db, const struct actor *u, json_t *in, json_t *errors)
{
    struct builder_error err = {0};
    int rc = builder_check(db, u, json_object_get(in, "definition"), &err);
    if (rc < 0)
        return rc;
    if (rc) {
        char text[256];
        snprintf(text, sizeof(text), "%s%s%s", msg(u, err.key), err.where[0] ? ": " : "",
                 err.where);
        field_error(errors, "definition", text);
    }
    json_t *sched = json_object_get(in, "schedule");
    const char *s = sched && !json_is_null(sched) ? json_string_value(sched) : "";
    if (!s || (*s && strcmp(s, "weekly") != 0 && strcmp(s, "monthly") != 0))
        field_error(errors, "schedule", msg(u, "report.bad_schedule"));
    json_t *to = json_object_get(in, "recipients");
    if (to && !json_is_null(to) && (!json_is_array(to) || json_array_size(to) > MAX_RECIPIENTS))
        field_error(errors, "recipients", msg(u, "report.bad_recipients"));
    size_t i;
    json_t *v;
    json_array_foreach(to, i, v) if (!json_is_string(v) || validate_email(json_string_value(v)))
        field_error(errors, "recipients", msg(u, "report.bad_recipients"));
    if (s && *s && json_array_size(to) == 0)
        field_error(errors, "recipients", msg(u, "report.no_recipients"));
    return 0;
}

/* ---- writes ------------------------------------------------------------ */

static int write_shares(struct db *db, const struct kind *k, int64_t id, json_t *shared,
                        json_t *paths)
{
    int rc = db_exec(db, "DELETE FROM report_shares WHERE kind = ? AND object_id = ?",
                     DB_ARGS(DB_TEXT(k->name), DB_INT(id)));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(shared, "roles"), i, v) if (!rc) rc =
        db_exec(db,
                "INSERT INTO report_shares (kind, object_id, role) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                DB_ARGS(DB_TEXT(k->name), DB_INT(id), DB_TEXT(json_string_value(v))));
    json_array_foreach(json_object_get(shared, "branches"), i, v) if (!rc) rc =
        db_exec(db,
                "INSERT INTO report_shares (kind, object_id, branch_id, branch_path) VALUES "
                "(?, ?, ?, ?) ON CONFLICT DO NOTHING",
                DB_ARGS(DB_TEXT(k->name), DB_INT(id), DB_INT(json_integer_value(v)),
                        DB_TEXT(json_string_value(json_array_get(paths, i)))));
    return rc;
}

/* The recipients' JSON text (an empty list when none). */
static char *recipients_text(json_t *in)
{
    json_t *to = json_object_get(in, "recipients");
    return json_is_array(to) ? json_dumps(to, JSON_COMPACT) : xstrdup("[]");
}

int saved_put(struct db *db, const struct actor *u, enum saved_kind kind, int64_t id, json_t *in,
              json_t *errors, int64_t *id_out)
{
    const struct kind *k = &KINDS[kind];
    json_t *cur = NULL;
    if (id) {
        int rc = saved_get(db, u, kind, id, &cur);
        if (rc)
            return rc;
        if (!json_is_true(json_object_get(cur, "editable"))) {
            json_decref(cur);
            return OP_CONFLICT;
        }
        json_int_t version;
        rc = op_check_version(in, cur, u->lang, errors, &version);
        if (rc) {
            json_decref(cur);
            return rc;
        }
    }
    if (!json_object_get(in, "name") && cur)
        json_object_set(in, "name", json_object_get(cur, "name"));
    const char *name = json_string_value(json_object_get(in, "name"));
    if (!name || !*name || utf8_len(name) > NAME_MAX_CHARS)
        field_error(errors, "name", msg(u, "report.bad_name_text"));
    json_t *body = json_object_get(in, k->body);
    if (!body && cur)
        json_object_set(in, k->body, body = json_object_get(cur, k->body));
    json_t *paths = json_array();
    json_t *shared = json_object_get(in, "shared");
    if (!shared && cur)
        json_object_set(in, "shared", shared = json_object_get(cur, "shared"));
    int rc = check_shares(db, u, shared, errors, paths);
    if (!rc && kind == SAVED_REPORT) {
        if (cur && !json_object_get(in, "schedule"))
            json_object_set(in, "schedule", json_object_get(cur, "schedule"));
        if (cur && !json_object_get(in, "recipients"))
            json_object_set(in, "recipients", json_object_get(cur, "recipients"));
        rc = check_report(db, u, in, errors);
    } else if (!rc) {
        rc = check_layout(db, u, body, errors);
    }
    json_decref(cur);
    if (!rc && json_object_size(errors))
        rc = OP_INVALID;
    if (rc) {
        json_decref(paths);
        return rc;
    }
    char *text = json_dumps(body, JSON_COMPACT);
    char *to = recipients_text(in);
    json_t *sch = json_object_get(in, "schedule");
    const char *schedule = json_is_string(sch) ? json_string_value(sch) : "";
    int64_t now = clock_now();
    rc = db_begin(db);
    if (!rc && !id && kind == SAVED_REPORT)
        rc = db_query_id(db,
                         "INSERT INTO saved_reports (name, definition, owner_id, schedule, "
                         "recipients, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                         "RETURNING id",
                         DB_ARGS(DB_TEXT(name), DB_TEXT(text), DB_INT(u->id), DB_TEXT(schedule),
                                 DB_TEXT(to), DB_INT(now), DB_INT(now)),
                         &id);
    else if (!rc && !id)
        rc = db_query_id(
            db,
            "INSERT INTO report_dashboards (name, layout, owner_id, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
            DB_ARGS(DB_TEXT(name), DB_TEXT(text), DB_INT(u->id), DB_INT(now), DB_INT(now)), &id);
    else if (!rc && kind == SAVED_REPORT)
        rc = db_exec(db,
                     "UPDATE saved_reports SET name = ?, definition = ?, schedule = ?, "
                     "recipients = ?, version = version + 1, updated_at = ? WHERE id = ?",
                     DB_ARGS(DB_TEXT(name), DB_TEXT(text), DB_TEXT(schedule), DB_TEXT(to),
                             DB_INT(now), DB_INT(id)));
    else if (!rc)
        rc = db_exec(db,
                     "UPDATE report_dashboards SET name = ?, layout = ?, version = version + 1, "
                     "updated_at = ? WHERE id = ?",
                     DB_ARGS(DB_TEXT(name), DB_TEXT(text), DB_INT(now), DB_INT(id)));
    if (!rc)
        rc = write_shares(db, k, id, shared, paths);
    if (!rc)
        rc = actor_audit(db, u, "report.save", k->name, id, json_pack("{s:s}", "name", name));
    free(text);
    free(to);
    json_decref(paths);
    *id_out = id;
    return db_end(db, rc);
}

int saved_delete(struct db *db, const struct actor *u, enum saved_kind kind, int64_t id)
{
    const struct kind *k = &KINDS[kind];
    json_t *cur = NULL;
    int rc = saved_get(db, u, kind, id, &cur);
    if (rc)
        return rc;
    bool editable = json_is_true(json_object_get(cur, "editable"));
    json_decref(cur);
    if (!editable)
        return OP_CONFLICT;
    char sql[96];
    snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = ?", k->table);
    rc = db_begin(db);
    if (!rc)
        rc = db_exec(db, sql, DB_ARGS(DB_INT(id)));
    if (!rc)
        rc = db_exec(db, "DELETE FROM report_shares WHERE kind = ? AND object_id = ?",
                     DB_ARGS(DB_TEXT(k->name), DB_INT(id)));
    if (!rc)
        rc = actor_audit(db, u, "report.delete", k->name, id, NULL);
    return db_end(db, rc);
}

/* ---- scheduled mails ------------------------------------------------------ */

char *saved_mail_body(const char *name, json_t *result)
{
    struct strbuf b;
    strbuf_init(&b, 1u << 20);
    strbuf_addf(&b, "%s\n\n", name);
    json_t *cols = json_object_get(result, "columns"), *c, *row;
    size_t i, n;
    json_array_foreach(cols, i, c)
        strbuf_addf(&b, "%s%s", i ? "\t" : "", json_string_value(json_object_get(c, "label")));
    strbuf_addch(&b, '\n');
    json_array_foreach(json_object_get(result, "rows"), n, row)
    {
        json_array_foreach(cols, i, c)
        {
            json_t *v = json_object_get(row, json_string_value(json_object_get(c, "key")));
            if (i)
                strbuf_addch(&b, '\t');
            if (json_is_string(v))
                strbuf_addstr(&b, json_string_value(v));
            else if (json_is_integer(v))
                strbuf_addf(&b, "%lld", (long long)json_integer_value(v));
            else if (json_is_real(v))
                strbuf_addf(&b, "%.2f", json_real_value(v));
        }
        strbuf_addch(&b, '\n');
    }
    return strbuf_detach(&b, NULL);
}

/* The owner of a report as an actor (their role's rights, branch, language). */
static int owner_actor(struct db *db, int64_t id, struct actor *a)
{
    struct db_stmt *st = NULL;
    int rc = db_query_row(db, &st,
                          "SELECT u.id, u.login, u.name, u.role, COALESCE(u.branch_id, 0), "
                          "COALESCE(b.path, ''), u.lang FROM users u LEFT JOIN branches b ON "
                          "b.id = u.branch_id WHERE u.id = ? AND u.status = 'active'",
                          DB_ARGS(DB_INT(id)));
    if (rc <= 0)
        return rc;
    memset(a, 0, sizeof(*a));
    a->id = db_col_int(st, 0);
    snprintf(a->login, sizeof(a->login), "%s", db_col_text(st, 1));
    snprintf(a->name, sizeof(a->name), "%s", db_col_text(st, 2));
    snprintf(a->role, sizeof(a->role), "%s", db_col_text(st, 3));
    a->branch_id = db_col_int(st, 4);
    snprintf(a->branch_path, sizeof(a->branch_path), "%s", db_col_text(st, 5));
    snprintf(a->lang, sizeof(a->lang), "%s", db_col_text(st, 6));
    a->perms = perm_for_role(a->role);
    db_finish(st);
    return 1;
}

/* The first day (unix time at +08:00 midnight) of the period now is in. */
static int64_t period_start(const char *schedule, int64_t now)
{
    struct date d = date_of_time(now);
    int64_t day = date_to_days(d);
    if (strcmp(schedule, "weekly") == 0)
        day -= (day + 3) % 7;
    else
        day = date_to_days((struct date){d.year, d.month, 1});
    return date_start_time(date_from_days(day));
}

static int mail_one(struct db *db, int64_t id, const char *name, const char *def_text,
                    const char *schedule, const char *to_text, int64_t owner)
{
    struct actor a;
    int rc = owner_actor(db, owner, &a);
    if (rc <= 0)
        return rc; /* an owner gone or disabled: nothing is mailed */
    char subject[32];
    snprintf(subject, sizeof(subject), "%lld", (long long)id);
    int64_t due = period_start(schedule, clock_now());
    json_t *def = json_loads(def_text, 0, NULL), *to = json_loads(to_text, 0, NULL), *res = NULL;
    struct builder_error err = {0};
    rc = builder_run(db, &a, def, &res, &err);
    if (rc > 0) {
        log_warn("report %lld is not mailed: %s", (long long)id, err.key ? err.key : "too many");
        rc = 0;
    }
    char *body = !rc && res ? saved_mail_body(name, res) : NULL;
    if (!rc && body) {
        rc = db_begin(db);
        int claimed = rc ? rc : scheduler_claim(db, "report.mail", subject, due);
        rc = claimed < 0 ? claimed : 0;
        size_t i;
        json_t *v;
        char key[96];
        json_array_foreach(to, i, v) if (claimed == 1 && !rc)
        {
            snprintf(key, sizeof(key), "report:%lld:%lld:%zu", (long long)id, (long long)due, i);
            rc = outbox_enqueue(db, "email", json_string_value(v), name, body, key);
        }
        rc = db_end(db, rc);
    }
    free(body);
    json_decref(res);
    json_decref(def);
    json_decref(to);
    return rc;
}

int saved_mail_due(struct db *db)
{
    struct db_stmt *st = db_query(db,
                                  "SELECT id, name, definition, schedule, recipients, owner_id "
                                  "FROM saved_reports WHERE schedule <> '' ORDER BY id",
                                  DB_NOARGS);
    json_t *due = json_array();
    while (st && db_step(st) == 1)
        json_array_append_new(due,
                              json_pack("[I,s,s,s,s,I]", (json_int_t)db_col_int(st, 0),
                                        db_col_text(st, 1), db_col_text(st, 2), db_col_text(st, 3),
                                        db_col_text(st, 4), (json_int_t)db_col_int(st, 5)));
    db_finish(st);
    size_t i;
    json_t *r;
    int rc = st ? 0 : DB_ERROR;
    json_array_foreach(due, i, r)
    {
        char subject[32];
        snprintf(subject, sizeof(subject), "%lld",
                 (long long)json_integer_value(json_array_get(r, 0)));
        /* Cheap check first: a report already mailed this period is not run. */
        int64_t done = 0;
        int q = db_query_int(
            db,
            "SELECT 1 FROM job_runs WHERE kind = 'report.mail' AND subject = ? "
            "AND due_at = ?",
            DB_ARGS(DB_TEXT(subject),
                    DB_INT(period_start(json_string_value(json_array_get(r, 3)), clock_now()))),
            &done);
        if (q != 0)
            continue;
        int one = mail_one(
            db, json_integer_value(json_array_get(r, 0)), json_string_value(json_array_get(r, 1)),
            json_string_value(json_array_get(r, 2)), json_string_value(json_array_get(r, 3)),
            json_string_value(json_array_get(r, 4)), json_integer_value(json_array_get(r, 5)));
        if (one < 0)
            rc = one;
    }
    json_decref(due);
    return rc;
}
