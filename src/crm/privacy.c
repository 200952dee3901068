/*
 * privacy.c - the data of a person's access report (see privacy.h). Each
 * section is one bounded query; the PDF (privacy_pdf.c) draws the same
 * object.
 */
#include "crm/privacy.h"

#include "auth/session.h"
#include "base/clock.h"
#include "core/listing.h"
#include "core/op.h"
#include "crm/customer.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "record/entity.h"
#include "record/tags.h"

#include <stdio.h>
#include <string.h>

/* The most rows a section lists (a person with more gets the newest). */
#define SECTION_ROWS 1000
/* How many of the latest exports are tested against the person. */
#define EXPORTS_TESTED 200

static json_t *rows(struct db *db, const char *sql, const struct db_val *args, int nargs)
{
    json_t *a = listing_rows(db_query(db, sql, args, nargs), NULL, NULL);
    return a ? a : json_array();
}

/* Custom values with their field's labels: [{"key","label","label_en","value"}]. */
static json_t *custom_fields(struct db *db, json_t *custom)
{
    json_t *out = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(custom, key, v)
    {
        struct db_stmt *st = NULL;
        int rc = db_query_row(db, &st,
                              "SELECT label, label_en FROM custom_fields WHERE entity = "
                              "'customer' AND key = ?",
                              DB_ARGS(DB_TEXT(key)));
        json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:O}", "key", key, "label",
                                             rc == 1 ? db_col_text(st, 0) : key, "label_en",
                                             rc == 1 ? db_col_text(st, 1) : key, "value", v));
        db_finish(st);
    }
    return out;
}

/* Whether the export audited in detail (its q, filter and segment as they
 * were) finds customer id today, with the exporter's scope of today. -1
 * when that cannot be told (the exporter is gone, a filter no longer
 * compiles). */
static int export_matches(struct db *db, int64_t user_id, json_t *detail, int64_t id)
{
    struct actor u;
    if (session_load_user(db, user_id, &u) != 1)
        return -1;
    const struct entity *e = &entity_customer;
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_addf(&b, "SELECT 1 FROM %s WHERE c.id = ? AND ", e->export->from);
    sqlbuf_bind(&b, DB_INT(id));
    const char *field = NULL, *key = NULL;
    json_t *p = json_pack("{s:O?,s:O?}", "q", json_object_get(detail, "q"), "filter",
                          json_object_get(detail, "filter"));
    int rc = e->search(db, &u, p, &b, &field, &key);
    json_t *seg = json_object_get(detail, "segment");
    if (!rc && json_is_object(seg)) {
        sqlbuf_add(&b, " AND ");
        rc = e->search(db, &u, seg, &b, &field, &key);
    }
    int64_t one = 0;
    int found = rc ? -1 : db_query_int(db, b.sql, b.args, b.nargs, &one);
    json_decref(p);
    sqlbuf_release(&b);
    return found < 0 ? -1 : found;
}

/* The latest customer exports whose recorded conditions find the person
 * today (the rows of an export are not recorded: docs/privacy.md). */
static json_t *exports(struct db *db, int64_t id)
{
    json_t *all = rows(db,
                       "SELECT a.id, a.at, a.user_id, a.login, u.name AS user_name, a.object_id "
                       "AS export_id, a.detail FROM audit_log a LEFT JOIN users u ON "
                       "u.id = a.user_id WHERE a.action = 'export.create' ORDER BY a.id DESC "
                       "LIMIT ?",
                       DB_ARGS(DB_INT(EXPORTS_TESTED)));
    json_t *out = json_array(), *x;
    size_t i;
    json_array_foreach(all, i, x)
    {
        json_t *detail = json_object_get(x, "detail");
        const char *entity = json_string_value(json_object_get(detail, "entity"));
        if (!entity || (strcmp(entity, "customer") != 0 && strcmp(entity, "customers") != 0))
            continue;
        if (export_matches(db, json_integer_value(json_object_get(x, "user_id")), detail, id) != 1)
            continue;
        json_t *o = json_pack(
            "{s:O,s:O,s:O,s:O,s:O,s:O,s:O}", "export_id", json_object_get(x, "export_id"), "at",
            json_object_get(x, "at"), "login", json_object_get(x, "login"), "user_name",
            json_object_get(x, "user_name"), "format", json_object_get(detail, "format"), "count",
            json_object_get(detail, "count"), "columns", json_object_get(detail, "columns"));
        json_object_set_new(
            o, "downloads",
            rows(db,
                 "SELECT a.at, a.login FROM audit_log a WHERE a.action = "
                 "'export.download' AND a.object_type = 'export' AND "
                 "a.object_id = ? ORDER BY a.id",
                 DB_ARGS(DB_TEXT(json_string_value(json_object_get(x, "export_id"))))));
        json_array_append_new(out, o);
    }
    json_decref(all);
    return out;
}

/* The record with its tags, custom values labelled. */
static json_t *profile(struct db *db, json_t *rec, int64_t id)
{
    json_t *tags = tags_for_objects(db, "customer", &id, 1);
    tags_put(rec, tags, id);
    json_decref(tags);
    json_object_set_new(rec, "custom_fields", custom_fields(db, json_object_get(rec, "custom")));
    return rec;
}

int privacy_report(struct db *db, const struct actor *a, int64_t id, const char *format,
                   json_t **out)
{
    json_t *rec = NULL;
    int rc = id > 0 ? customer_find(db, a, id, true, &rec) : 0;
    if (rc <= 0)
        return rc < 0 ? rc : OP_NOT_FOUND;
    rc = db_begin(db);
    if (!rc)
        rc = actor_audit(db, a, "customer.access_report", "customer", id,
                         json_pack("{s:s}", "format", format));
    rc = op_end(db, rc);
    if (rc) {
        json_decref(rec);
        return rc;
    }
    char now[32], oid[32];
    clock_format_iso(clock_now(), now, sizeof(now));
    snprintf(oid, sizeof(oid), "%lld", (long long)id);
    json_t *merged_into = json_object_get(rec, "merged_into");
    char into[32];
    snprintf(into, sizeof(into), "%lld",
             (long long)(json_is_integer(merged_into) ? json_integer_value(merged_into) : 0));
    json_t *r = json_object();
    json_object_set_new(r, "generated_at", json_string(now));
    json_object_set_new(r, "generated_by", json_string(a->login));
    json_object_set_new(r, "customer", profile(db, rec, id));
    json_object_set_new(
        r, "interactions",
        rows(db,
             "SELECT i.id, i.occurred_at, i.type, COALESCE(d.label, i.type) AS type_label, "
             "COALESCE(NULLIF(d.label_en, ''), i.type) AS type_label_en, i.description, "
             "i.tracking_no, i.destination, i.amount_fen, i.channel, u.name AS handled_by, "
             "b.name AS branch_name, i.created_at, i.deleted_at FROM interactions i LEFT JOIN "
             "dictionary_items d ON d.dict_code = 'business_type' AND d.value = i.type LEFT JOIN "
             "users u ON u.id = i.handled_by LEFT JOIN branches b ON b.id = i.branch_id "
             "WHERE i.customer_id = ? ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?",
             DB_ARGS(DB_INT(id), DB_INT(SECTION_ROWS))));
    json_object_set_new(r, "tasks",
                        rows(db,
                             "SELECT t.id, t.title, t.due_at, t.status, t.source, t.priority, "
                             "t.note, t.outcome, u.name AS assignee, t.created_at, "
                             "t.completed_at FROM tasks t LEFT JOIN users u ON "
                             "u.id = t.assignee_id WHERE t.customer_id = ? ORDER BY t.due_at "
                             "DESC, t.id DESC LIMIT ?",
                             DB_ARGS(DB_INT(id), DB_INT(SECTION_ROWS))));
    json_object_set_new(r, "history",
                        rows(db,
                             "SELECT at, login, field, old_value, new_value FROM change_log "
                             "WHERE entity = 'customer' AND object_id = ? ORDER BY id DESC "
                             "LIMIT ?",
                             DB_ARGS(DB_INT(id), DB_INT(SECTION_ROWS))));
    /* Who did what with the profile: reveals, reports, changes, tags. */
    json_object_set_new(r, "access",
                        rows(db,
                             "SELECT a.at, a.action, a.login, u.name AS user_name, a.ip, "
                             "a.detail FROM audit_log a LEFT JOIN users u ON u.id = a.user_id "
                             "WHERE a.object_type = 'customer' AND a.object_id = ? ORDER BY "
                             "a.id DESC LIMIT ?",
                             DB_ARGS(DB_TEXT(oid), DB_INT(SECTION_ROWS))));
    json_object_set_new(r, "merges",
                        rows(db,
                             "SELECT a.at, a.login, u.name AS user_name, a.object_id AS "
                             "kept_id, a.detail FROM audit_log a LEFT JOIN users u ON "
                             "u.id = a.user_id WHERE a.action = 'customer.merge' AND "
                             "a.object_type = 'customer' AND a.object_id IN (?, ?) ORDER BY a.id",
                             DB_ARGS(DB_TEXT(oid), DB_TEXT(into))));
    json_object_set_new(r, "exports", exports(db, id));
    /* No consent or marketing preferences are stored yet (docs/privacy.md). */
    json_object_set_new(r, "consent", json_null());
    json_object_set_new(r, "recorded",
                        json_pack("{s:b,s:b,s:b,s:b,s:s}", "reveals", 1, "changes", 1,
                                  "export_rows", 0, "views", 0, "exports",
                                  "conditions_matched_today"));
    *out = r;
    return 0;
}
