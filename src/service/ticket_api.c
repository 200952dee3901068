/*
 * ticket_api.c - the HTTP endpoints of service tickets: the list (sorted
 * by the time left, nearest deadline first), one ticket with its
 * timeline, logging one (staff at the counter or phone, or an
 * enterprise's own system with an API key bound to it), status changes,
 * replies and notes, assignment, claim, attachments, and the 值班 switch.
 * Parse, call the operation of ticket.c, reply.
 */
#include "service/ticket.h"

#include "base/clock.h"
#include "base/xmalloc.h"
#include "core/audit.h"
#include "core/files.h"
#include "core/listing.h"
#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"
#include "http/form.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The deadline a ticket runs against now: the first response until it is
 * given, then the resolution; none once resolved (sorted last). */
#define DUE_EXPR                                                                                   \
    "(CASE WHEN t.status IN ('resolved', 'closed') THEN 9000000000000 "                            \
    "WHEN t.first_response_at IS NULL THEN t.first_response_due_at "                               \
    "ELSE t.resolution_due_at END)"

#define TICKET_COLUMNS                                                                             \
    "t.id, t.ticket_no, t.type, COALESCE(dt.label, t.type) AS type_label, t.priority, "            \
    "t.subject, t.status, t.channel, t.tier, t.calendar, t.enterprise_id, e.name AS "              \
    "enterprise_name, t.contact_id, k.name AS contact_name, t.customer_id, c.name AS "             \
    "customer_name, t.assignee_id, u.name AS assignee_name, t.branch_id, b.name AS branch_name, "  \
    "t.first_response_due_at, t.first_response_at, t.resolution_due_at, t.resolved_at, "           \
    "t.closed_at, t.paused_at, t.first_response_breached_at, t.resolution_breached_at, "           \
    "t.reopen_count, t.csat, t.nps, t.version, t.created_at, t.updated_at, " DUE_EXPR " AS due"

#define TICKET_FROM                                                                                \
    "tickets t LEFT JOIN enterprises e ON e.id = t.enterprise_id "                                 \
    "LEFT JOIN enterprise_contacts k ON k.id = t.contact_id "                                      \
    "LEFT JOIN customers c ON c.id = t.customer_id LEFT JOIN users u ON u.id = t.assignee_id "     \
    "LEFT JOIN branches b ON b.id = t.branch_id "                                                  \
    "LEFT JOIN dictionary_items dt ON dt.dict_code = 'ticket_type' AND dt.value = t.type"

/* A ticket as the API shows it: the deadline running now (due_at), the
 * seconds left on it (frozen while waiting for the customer; negative
 * once passed) and whether a target was missed. */
static json_t *ticket_row(struct db_stmt *st, struct req *r)
{
    json_t *o = listing_row_json(st, r);
    json_t *due = json_object_get(o, "due");
    int64_t d = json_is_integer(due) ? json_integer_value(due) : 0;
    bool open = d && d < 9000000000000LL;
    json_t *paused = json_object_get(o, "paused_at");
    int64_t from = clock_now();
    if (json_is_string(paused))
        clock_parse_iso(json_string_value(paused), &from);
    if (open) {
        char iso[32];
        clock_format_iso(d, iso, sizeof(iso));
        json_object_set_new(o, "due_at", json_string(iso));
        json_object_set_new(o, "remaining_seconds", json_integer(d - from));
    } else {
        json_object_set_new(o, "due_at", json_null());
        json_object_set_new(o, "remaining_seconds", json_null());
    }
    json_object_del(o, "due");
    bool breached = !json_is_null(json_object_get(o, "first_response_breached_at")) ||
                    !json_is_null(json_object_get(o, "resolution_breached_at")) ||
                    (open && d < from);
    json_object_set_new(o, "breached", json_boolean(breached));
    return o;
}

/* A lookup that found nothing (rc 0: 404) or failed (rc < 0); false
 * having replied, true when rc is 1. */
static bool found(struct req *r, int rc)
{
    if (rc == 1)
        return true;
    if (rc == 0)
        reply_error(r, 404, "not_found");
    else
        reply_db_error(r, rc);
    return false;
}

/* The ticket page of reply_ticket after an operation, or what the
 * operation refused: a conflict with its own message (errors["message"],
 * the field's in errors["status"] when it names one), else op_reply. */
static void answer(struct req *r, int rc, json_t *errors, int64_t id, unsigned status);

static bool one_of(const char *v, const char *const *set)
{
    for (size_t i = 0; v && set[i]; i++)
        if (strcmp(v, set[i]) == 0)
            return true;
    return false;
}

static const char *const statuses[] = {"new",      "assigned", "in_progress", "waiting_customer",
                                       "resolved", "closed",   "reopened",    NULL};

static void add_int_param(struct req *r, struct sqlbuf *w, const char *param, const char *sql,
                          bool *bad)
{
    const char *v = req_query(r, param);
    if (!v || !*v)
        return;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (*end || errno || n <= 0) {
        *bad = true;
        reply_invalid(r, json_pack("{s:s}", param, req_msg(r, "field.invalid")));
        return;
    }
    sqlbuf_add(w, sql);
    sqlbuf_bind(w, DB_INT(n));
}

static void list(struct req *r)
{
    const char *status = req_query(r, "status"), *view = req_query(r, "view");
    const char *type = req_query(r, "type"), *priority = req_query(r, "priority");
    const char *breached = req_query(r, "breached"), *q = req_query(r, "q");
    const char *limit_s = req_query(r, "limit"), *cursor_s = req_query(r, "cursor");
    bool bad = false;
    struct sqlbuf w, s;
    sqlbuf_init(&w);
    sqlbuf_init(&s);
    json_t *cursor = NULL;
    int64_t limit = 20;
    if (limit_s && *limit_s) {
        char *end;
        limit = strtoll(limit_s, &end, 10);
        if (*end || limit < 1 || limit > 200) {
            reply_invalid(r, json_pack("{s:s}", "limit", req_msg(r, "field.invalid")));
            goto out;
        }
    }
    if (cursor_s && *cursor_s) {
        cursor = listing_cursor_decode(cursor_s, strlen(cursor_s));
        if (!cursor || json_array_size(cursor) != 2) {
            reply_invalid(r, json_pack("{s:s}", "cursor", req_msg(r, "field.invalid")));
            goto out;
        }
    }
    ticket_visible_sql(r->actor, &w);
    if (status && *status) {
        if (strcmp(status, "open") == 0) {
            sqlbuf_add(&w, " AND t.status NOT IN ('resolved', 'closed')");
        } else if (one_of(status, statuses)) {
            sqlbuf_add(&w, " AND t.status = ?");
            sqlbuf_bind(&w, DB_TEXT(status));
        } else {
            reply_invalid(r, json_pack("{s:s}", "status", req_msg(r, "field.invalid")));
            goto out;
        }
    }
    if (view && strcmp(view, "mine") == 0) {
        sqlbuf_add(&w, " AND t.assignee_id = ?");
        sqlbuf_bind(&w, DB_INT(r->actor->id));
    } else if (view && strcmp(view, "queue") == 0) {
        /* My queue: unclaimed tickets of my own branch. */
        sqlbuf_add(&w, " AND t.assignee_id IS NULL AND t.status IN ('new', 'reopened') AND "
                       "t.branch_id = ?");
        sqlbuf_bind(&w, DB_INT(r->actor->branch_id));
    } else if (view && *view && strcmp(view, "all") != 0) {
        reply_invalid(r, json_pack("{s:s}", "view", req_msg(r, "field.invalid")));
        goto out;
    }
    if (type && *type) {
        sqlbuf_add(&w, " AND t.type = ?");
        sqlbuf_bind(&w, DB_TEXT(type));
    }
    if (priority && *priority) {
        sqlbuf_add(&w, " AND t.priority = ?");
        sqlbuf_bind(&w, DB_TEXT(priority));
    }
    if (q && *q) {
        sqlbuf_add(&w, " AND (t.ticket_no = ? OR t.subject LIKE ?)");
        sqlbuf_bind(&w, DB_TEXT(q));
        char *like = xasprintf("%%%s%%", q);
        sqlbuf_bind_text_copy(&w, like);
        free(like);
    }
    if (breached && strcmp(breached, "true") == 0)
        sqlbuf_add(&w, " AND (t.first_response_breached_at IS NOT NULL OR "
                       "t.resolution_breached_at IS NOT NULL)");
    add_int_param(r, &w, "enterprise_id", " AND t.enterprise_id = ?", &bad);
    if (!bad)
        add_int_param(r, &w, "customer_id", " AND t.customer_id = ?", &bad);
    if (!bad)
        add_int_param(r, &w, "assignee_id", " AND t.assignee_id = ?", &bad);
    if (bad)
        goto out;
    json_t *body = json_object();
    int64_t total = 0;
    int rc = listing_count(r->db, "tickets t", &w, &total);
    if (rc < 0) {
        json_decref(body);
        reply_db_error(r, rc);
        goto out;
    }
    json_object_set_new(body, "total", json_integer(total));
    sqlbuf_add(&s, "SELECT " TICKET_COLUMNS ", " DUE_EXPR " AS k FROM " TICKET_FROM " WHERE ");
    sqlbuf_append(&s, &w);
    if (cursor)
        listing_cursor_after(&s, DUE_EXPR, "t.id", false, cursor);
    sqlbuf_addf(&s, " ORDER BY " DUE_EXPR ", t.id LIMIT %lld", (long long)limit + 1);
    listing_keyed_page(body, db_query(r->db, s.sql, s.args, s.nargs), r, limit, ticket_row);
    reply_json(r, 200, body);
out:
    json_decref(cursor);
    sqlbuf_release(&w);
    sqlbuf_release(&s);
}

/* The ticket with its waybills, attachments and timeline (an API key does
 * not see internal notes). */
static void reply_ticket(struct req *r, unsigned status, int64_t id)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b,
               "SELECT " TICKET_COLUMNS ", t.description FROM " TICKET_FROM " WHERE t.id = ? AND ");
    sqlbuf_bind(&b, DB_INT(id));
    ticket_visible_sql(r->actor, &b);
    json_t *t = NULL;
    int rc = listing_one(r->db, r, &t, ticket_row, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    if (!found(r, rc))
        return;
    json_t *wb = listing_rows(
        db_query(r->db,
                 "SELECT tw.waybill_no, w.status FROM ticket_waybills tw LEFT JOIN waybills w "
                 "ON w.waybill_no = tw.waybill_no WHERE tw.ticket_id = ? ORDER BY tw.waybill_no",
                 DB_ARGS(DB_INT(id))),
        r, NULL);
    json_t *att = listing_rows(
        db_query(r->db,
                 "SELECT id, file_name, content_type, size, uploaded_by, created_at FROM "
                 "ticket_attachments WHERE ticket_id = ? ORDER BY id",
                 DB_ARGS(DB_INT(id))),
        r, NULL);
    json_t *tl = listing_rows(
        db_query(r->db,
                 "SELECT id, kind, body, detail, user_id, actor, created_at FROM ticket_entries "
                 "WHERE ticket_id = ? AND (kind <> 'note' OR ? = 0) ORDER BY id",
                 DB_ARGS(DB_INT(id), DB_INT(r->actor->api_key_id ? 1 : 0))),
        r, NULL);
    if (!wb || !att || !tl) {
        json_decref(t);
        json_decref(wb);
        json_decref(att);
        json_decref(tl);
        reply_error(r, 500, "internal");
        return;
    }
    json_object_set_new(t, "waybills", wb);
    json_object_set_new(t, "attachments", att);
    json_object_set_new(t, "timeline", tl);
    reply_json(r, status, json_pack("{s:o}", "ticket", t));
}

static void get(struct req *r)
{
    int64_t id;
    if (req_param_id_or_404(r, 0, &id))
        reply_ticket(r, 200, id);
}

static void create(struct req *r)
{
    struct form f;
    form_init(&f, r);
    struct ticket_new in = {0};
    bool key = r->actor->api_key_id != 0;
    if (key && !r->actor->enterprise_id) {
        /* A key filing tickets must be bound to its enterprise. */
        form_release(&f);
        reply_error_key(r, 403, "forbidden", "ticket.key_unbound");
        return;
    }
    in.channel = key ? "api" : form_str(&f, "channel", true, 16);
    in.type = form_str(&f, "type", true, 32);
    in.priority = form_str(&f, "priority", false, 16);
    in.subject = form_str(&f, "subject", true, 200);
    in.description = form_str(&f, "description", false, 5000);
    in.contact_mobile = form_str(&f, "contact_mobile", false, 20);
    form_int(&f, "enterprise_id", false, &in.enterprise_id);
    form_int(&f, "customer_id", false, &in.customer_id);
    form_int(&f, "contact_id", false, &in.contact_id);
    in.waybills = json_object_get(r->json, "waybills");
    if (key) {
        if (in.enterprise_id && in.enterprise_id != r->actor->enterprise_id) {
            /* Another enterprise's: as if it did not exist. */
            form_release(&f);
            reply_error(r, 404, "not_found");
            return;
        }
        in.enterprise_id = r->actor->enterprise_id;
        in.customer_id = 0;
    } else if (in.channel && strcmp(in.channel, "phone") != 0 &&
               strcmp(in.channel, "counter") != 0) {
        /* Staff log what reaches them by phone or at the counter; the other
         * channels make their tickets themselves. */
        form_fail(&f, "channel", "ticket.channel");
    }
    if (!form_done(&f))
        return;
    json_t *errors = json_object();
    int64_t id = 0;
    int rc = ticket_create(r->db, r->actor, &in, &id, errors);
    if (!op_reply(r, rc, errors))
        reply_ticket(r, 201, id);
    json_decref(errors);
}

static void set_status(struct req *r)
{
    struct form f;
    int64_t id;
    if (!form_init_id(&f, r, 0, &id))
        return;
    const char *status = form_str(&f, "status", true, 24);
    const char *note = form_str(&f, "note", false, 2000);
    if (status && !one_of(status, statuses))
        form_fail(&f, "status", "ticket.status");
    if (!form_done(&f))
        return;
    json_t *errors = json_object();
    answer(r, ticket_set_status(r->db, r->actor, id, status, note, errors), errors, id, 200);
    json_decref(errors);
}

static void reply(struct req *r)
{
    struct form f;
    int64_t id;
    if (!form_init_id(&f, r, 0, &id))
        return;
    const char *body = form_str(&f, "body", true, 5000);
    bool internal = false;
    form_bool(&f, "internal", false, &internal);
    if (!form_done(&f))
        return;
    json_t *errors = json_object();
    answer(r, ticket_reply(r->db, r->actor, id, body, internal, errors), errors, id, 201);
    json_decref(errors);
}

static void answer(struct req *r, int rc, json_t *errors, int64_t id, unsigned status)
{
    if (rc == OP_CONFLICT) {
        json_t *e = json_pack("{s:s,s:O}", "code", "conflict", "message",
                              json_object_get(errors, "message"));
        if (json_object_get(errors, "status"))
            json_object_set_new(e, "fields",
                                json_pack("{s:O}", "status", json_object_get(errors, "status")));
        reply_json(r, 409, json_pack("{s:o}", "error", e));
    } else if (!op_reply(r, rc, errors)) {
        reply_ticket(r, status, id);
    }
}

static void assign(struct req *r)
{
    struct form f;
    int64_t id, user = 0;
    if (!form_init_id(&f, r, 0, &id))
        return;
    form_int(&f, "assignee_id", true, &user);
    if (!form_done(&f))
        return;
    json_t *errors = json_object();
    answer(r, ticket_assign(r->db, r->actor, id, user, false, errors), errors, id, 200);
    json_decref(errors);
}

static void claim(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    json_t *errors = json_object();
    answer(r, ticket_assign(r->db, r->actor, id, 0, true, errors), errors, id, 200);
    json_decref(errors);
}

/* ---- attachments ---- */

#define ATTACHMENT_MAX (10 * 1024 * 1024)

/* The types a ticket keeps, told by the file's first bytes, never by the
 * name alone: the extension must agree with them. */
static const struct {
    const char *ext, *type, *magic;
    size_t n;
} kinds[] = {
    {".png", "image/png", "\x89PNG\r\n\x1a\n", 8},
    {".jpg", "image/jpeg", "\xff\xd8\xff", 3},
    {".jpeg", "image/jpeg", "\xff\xd8\xff", 3},
    {".pdf", "application/pdf", "%PDF-", 5},
    {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "PK\x03\x04", 4},
    {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK\x03\x04", 4},
    {".txt", "text/plain; charset=utf-8", "", 0},
};

const char *ticket_attachment_kind(const char *name, const char *path)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return NULL;
    unsigned char head[8] = {0};
    FILE *fp = fopen(path, "rb");
    size_t got = fp ? fread(head, 1, sizeof(head), fp) : 0;
    if (fp)
        fclose(fp);
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcasecmp(dot, kinds[i].ext) != 0)
            continue;
        if (got < kinds[i].n || memcmp(head, kinds[i].magic, kinds[i].n) != 0)
            return NULL;
        if (kinds[i].n == 0 && memchr(head, 0, got))
            return NULL; /* text has no NUL bytes */
        return kinds[i].type;
    }
    return NULL;
}

bool ticket_attach_upload(struct req *r, int64_t id)
{
    const char *name = req_query(r, "name");
    if (!name || !*name || strlen(name) > 200 || strchr(name, '/') || strchr(name, '\\')) {
        reply_invalid(r, json_pack("{s:s}", "name", req_msg(r, "ticket.attachment_name")));
        return false;
    }
    if (r->upload_size > ATTACHMENT_MAX) {
        reply_invalid(r, json_pack("{s:s}", "file", req_msg(r, "ticket.attachment_size")));
        return false;
    }
    const char *type = r->upload_size > 0 ? ticket_attachment_kind(name, r->upload_path) : NULL;
    if (!type) {
        reply_invalid(r, json_pack("{s:s}", "file", req_msg(r, "ticket.attachment_type")));
        return false;
    }
    char stored[96], raw[40];
    snprintf(raw, sizeof(raw), "%lld", (long long)clock_now());
    snprintf(stored, sizeof(stored), "ticket-%lld-%s-%s", (long long)id, raw, r->request_id);
    char *path = files_path(stored);
    int rc = rename(r->upload_path, path) == 0 ? 0 : DB_ERROR;
    if (!rc) {
        free(r->upload_path);
        r->upload_path = NULL;
    }
    int64_t aid = 0;
    if (!rc)
        rc = db_begin(r->db);
    if (!rc)
        rc = db_query_id(r->db,
                         "INSERT INTO ticket_attachments (ticket_id, file_name, stored_name, "
                         "content_type, size, uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, "
                         "?) RETURNING id",
                         DB_ARGS(DB_INT(id), DB_TEXT(name), DB_TEXT(stored), DB_TEXT(type),
                                 DB_INT(r->upload_size),
                                 DB_INT_OR_NULL(r->actor_id > 0, r->actor_id), DB_INT(clock_now())),
                         &aid);
    if (!rc)
        rc = ticket_entry(r->db, r->actor, id, "attachment", name,
                          json_pack("{s:I,s:I}", "attachment_id", (json_int_t)aid, "size",
                                    (json_int_t)r->upload_size));
    if (!rc)
        rc = actor_audit(
            r->db, r->actor, "ticket.attach", "ticket", id,
            json_pack("{s:s,s:I}", "file_name", name, "size", (json_int_t)r->upload_size));
    rc = rc ? rc : db_end(r->db, 0);
    if (rc) {
        db_end(r->db, rc);
        remove(path);
        free(path);
        reply_db_error(r, rc);
        return false;
    }
    free(path);
    return true;
}

static void attach(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    char status[24];
    if (found(r, ticket_find(r->db, r->actor, id, status, sizeof(status))) &&
        ticket_attach_upload(r, id))
        reply_ticket(r, 201, id);
}

static void attachment(struct req *r)
{
    int64_t id, aid;
    if (!req_param_id_or_404(r, 0, &id) || !req_param_id_or_404(r, 1, &aid))
        return;
    char status[24];
    int rc = ticket_find(r->db, r->actor, id, status, sizeof(status));
    struct db_stmt *st = NULL;
    if (rc == 1)
        rc = db_query_row(r->db, &st,
                          "SELECT stored_name, content_type, file_name FROM ticket_attachments "
                          "WHERE id = ? AND ticket_id = ?",
                          DB_ARGS(DB_INT(aid), DB_INT(id)));
    if (!found(r, rc))
        return;
    char *path = files_path(db_col_text(st, 0));
    char type[128], name[256];
    snprintf(type, sizeof(type), "%s", db_col_text(st, 1));
    snprintf(name, sizeof(name), "%s", db_col_text(st, 2));
    db_finish(st);
    reply_file(r, path, type, name);
    free(path);
}

/* ---- 值班 ---- */

static void duty(struct req *r)
{
    listing_reply_query(
        r, NULL,
        "SELECT u.id, u.name, COALESCE(d.on_duty, 0) AS on_duty, CASE WHEN "
        "u.id = ? THEN 1 ELSE 0 END AS me FROM users u "
        "LEFT JOIN ticket_duty d ON d.user_id = u.id WHERE u.status = 'active' "
        "AND u.branch_id = ? AND (u.id = ? OR d.on_duty = 1) ORDER BY u.id",
        DB_ARGS(DB_INT(r->actor->id), DB_INT(r->actor->branch_id), DB_INT(r->actor->id)));
}

static void set_duty(struct req *r)
{
    struct form f;
    form_init(&f, r);
    bool on = false;
    form_bool(&f, "on_duty", true, &on);
    if (!form_done(&f))
        return;
    if (!audit_begin(r))
        return;
    int64_t now = clock_now();
    int rc = db_exec(r->db,
                     "INSERT INTO ticket_duty (user_id, on_duty, updated_at) VALUES (?, ?, ?) "
                     "ON CONFLICT (user_id) DO UPDATE SET on_duty = excluded.on_duty, "
                     "updated_at = excluded.updated_at",
                     DB_ARGS(DB_INT(r->actor_id), DB_INT(on ? 1 : 0), DB_INT(now)));
    if (!audit_end(r, rc, "ticket.duty", "user", r->actor_id, json_pack("{s:b}", "on_duty", on)))
        return;
    duty(r);
}

#include "service/ticket_api.routes.h"
