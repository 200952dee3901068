/*
 * enterprise.c - the enterprise record: reading and presenting it, who may
 * see it, and the operations that create, edit, delete and restore it
 * (see enterprise.h). Validation is in enterprise_check.c, list conditions
 * in enterprise_search.c, contacts and departments in contact.c and
 * department.c, the HTTP handlers in enterprise_api.c.
 */
#include "vip/enterprise_int.h"

#include "base/clock.h"
#include "base/pinyin.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "core/events.h"
#include "core/listing.h"
#include "core/op.h"
#include "crm/name_grams.h"
#include "crm/task.h"
#include "db/db.h"
#include "base/i18n.h"
#include "record/history.h"
#include "record/scope.h"
#include "record/tags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- who sees what ---- */

void enterprise_visible_sql(const struct actor *u, struct sqlbuf *b)
{
    sqlbuf_add(b, "(");
    scope_sql(u, "e.branch_path", b);
    /* An account manager (writes, no team right) sees the enterprises
     * they manage; a clerk (reads only) their branch's. */
    if ((u->perms & PERM_VIP_WRITE) && !(u->perms & ENTERPRISE_TEAM)) {
        sqlbuf_add(b, " AND e.owner_id = ?");
        sqlbuf_bind(b, DB_INT(u->id));
    }
    sqlbuf_add(b, ")");
}

int64_t enterprise_fen(const char *yuan)
{
    char *end;
    long long whole = strtoll(yuan, &end, 10), cents = 0;
    if (*end == '.' && end[1] >= '0' && end[1] <= '9') {
        cents = (end[1] - '0') * 10;
        if (end[2] >= '0' && end[2] <= '9')
            cents += end[2] - '0';
    }
    return (int64_t)(whole * 100 + cents);
}

/* ---- reading ---- */

json_t *enterprise_row(struct db_stmt *st, struct req *r)
{
    /* order_channels_json, value_added_json, custom_json: parsed, named
     * without the suffix */
    json_t *o = listing_row_unsuffixed(st, r);
    listing_format(o, "credit_limit_fen", "credit_limit", money_format);
    json_object_set_new(o, "deleted",
                        json_boolean(!json_is_null(json_object_get(o, "deleted_at"))));
    json_object_del(o, "deleted_at");
    return o;
}

int enterprise_find(struct db *db, const struct actor *u, int64_t id, bool deleted, json_t **out)
{
    struct sqlbuf b;
    scope_by_id_sql(&b, "SELECT " ENTERPRISE_COLUMNS " FROM " ENTERPRISE_FROM, "e", id, deleted, u,
                    enterprise_visible_sql);
    int rc = listing_one(db, NULL, out, enterprise_row, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    return rc;
}

int enterprise_visible(struct db *db, const struct actor *u, int64_t ent)
{
    json_t *rec = NULL;
    int rc = enterprise_find(db, u, ent, false, &rec);
    json_decref(rec);
    return rc;
}

void enterprise_present_page(struct db *db, json_t *items)
{
    /* One query for the tags of the whole page. */
    size_t n = json_array_size(items), i;
    int64_t *ids = xcalloc(n ? n : 1, sizeof(*ids));
    json_t *o;
    json_array_foreach(items, i, o) ids[i] = json_integer_value(json_object_get(o, "id"));
    json_t *tags = tags_for_objects(db, "enterprise", ids, n);
    json_array_foreach(items, i, o)
    {
        tags_put(o, tags, ids[i]);
        json_object_del(o, "branch_path");
    }
    json_decref(tags);
    free(ids);
}

json_t *enterprise_present(struct db *db, json_t *rec)
{
    json_t *o = json_deep_copy(rec), *page = json_pack("[O]", o);
    enterprise_present_page(db, page);
    json_decref(page);
    return o;
}

/* ---- writing ---- */

const char *enterprise_str(json_t *rec, const char *key)
{
    return json_string_value(json_object_get(rec, key));
}

struct db_val enterprise_int_or_null(json_t *rec, const char *key)
{
    json_t *v = json_object_get(rec, key);
    return DB_INT_OR_NULL(json_is_integer(v), json_integer_value(v));
}

static char *dump(json_t *rec, const char *key)
{
    json_t *v = json_object_get(rec, key);
    return v ? json_dumps(v, JSON_COMPACT) : xstrdup("[]");
}

/* The next enterprise number of a branch: "E-" and the branch code, as
 * customer numbers are the code and a sequence that is never reused. */
static int next_number(struct db *db, int64_t branch_id, char *out, size_t outlen)
{
    char code[64] = "", seq[96];
    struct db_stmt *st;
    int rc =
        db_query_row(db, &st, "SELECT code FROM branches WHERE id = ?", DB_ARGS(DB_INT(branch_id)));
    if (rc < 0)
        return rc;
    if (rc == 1) {
        snprintf(code, sizeof(code), "%s", db_col_text(st, 0));
        db_finish(st);
    }
    snprintf(seq, sizeof(seq), "enterprise_no:%s", code);
    int64_t n = 0;
    rc = db_query_int(db, "UPDATE sequences SET value = value + 1 WHERE name = ? RETURNING value",
                      DB_ARGS(DB_TEXT(seq)), &n);
    if (rc == 0)
        rc = db_query_int(db, "INSERT INTO sequences (name, value) VALUES (?, 1) RETURNING value",
                          DB_ARGS(DB_TEXT(seq)), &n);
    if (rc != 1)
        return rc < 0 ? rc : DB_ERROR;
    snprintf(out, outlen, "E-%s-%06lld", code, (long long)n);
    return 0;
}

/* The name-fragment entries of enterprise id (crm/name_grams.c cuts them
 * as it cuts customers' names). */
static int grams_write(struct db *db, int64_t id, const char *name)
{
    int rc = db_exec(db, "DELETE FROM enterprise_name_grams WHERE enterprise_id = ?",
                     DB_ARGS(DB_INT(id)));
    char grams[NAME_GRAMS_MAX][NAME_GRAM_SIZE];
    size_t n = rc ? 0 : name_grams_collect(name, grams);
    for (size_t i = 0; !rc && i < n; i++)
        rc = db_exec(db,
                     "INSERT INTO enterprise_name_grams (gram, enterprise_id) VALUES (?, ?) "
                     "ON CONFLICT DO NOTHING",
                     DB_ARGS(DB_TEXT(grams[i]), DB_INT(id)));
    return rc;
}

/* The columns an insert and an update both write, in this order. */
#define WRITTEN                                                                                    \
    "name, name_pinyin, name_initials, short_name, uscc, uscc_override_reason, industry, size, "   \
    "address, region, website, tier, status, acquired_on, owner_id, supervisor_id, credit_days, "  \
    "credit_limit_fen, billing_day, settlement, order_channels, price_sensitivity, timeliness, "   \
    "value_added, branch_id, branch_path, custom, updated_by, updated_at"

/* q made of sql, whose first placeholders are WRITTEN's, with those
 * values of rec bound (texts: what q borrows, the caller frees). */
static void written(struct sqlbuf *q, const char *sql, const struct actor *a, json_t *rec,
                    char **texts)
{
    sqlbuf_init(q);
    sqlbuf_add(q, sql);
    char *full = NULL, *initials = NULL;
    pinyin_name(enterprise_str(rec, "name"), &full, &initials);
    texts[0] = full;
    texts[1] = initials;
    texts[2] = dump(rec, "order_channels");
    texts[3] = dump(rec, "value_added");
    texts[4] = dump(rec, "custom");
    const char *limit = enterprise_str(rec, "credit_limit");
    struct db_val v[] = {
        DB_TEXT(enterprise_str(rec, "name")),
        DB_TEXT(full),
        DB_TEXT(initials),
        DB_TEXT(enterprise_str(rec, "short_name")),
        DB_TEXT(enterprise_str(rec, "uscc")),
        DB_TEXT(enterprise_str(rec, "uscc_override_reason")),
        DB_TEXT(enterprise_str(rec, "industry")),
        DB_TEXT(enterprise_str(rec, "size")),
        DB_TEXT(enterprise_str(rec, "address")),
        DB_TEXT(enterprise_str(rec, "region")),
        DB_TEXT(enterprise_str(rec, "website")),
        DB_TEXT(enterprise_str(rec, "tier")),
        DB_TEXT(enterprise_str(rec, "status")),
        DB_TEXT(enterprise_str(rec, "acquired_on")),
        enterprise_int_or_null(rec, "owner_id"),
        enterprise_int_or_null(rec, "supervisor_id"),
        enterprise_int_or_null(rec, "credit_days"),
        DB_INT_OR_NULL(limit != NULL, limit ? enterprise_fen(limit) : 0),
        enterprise_int_or_null(rec, "billing_day"),
        DB_TEXT(enterprise_str(rec, "settlement")),
        DB_TEXT(texts[2]),
        DB_TEXT(enterprise_str(rec, "price_sensitivity")),
        DB_TEXT(enterprise_str(rec, "timeliness")),
        DB_TEXT(texts[3]),
        enterprise_int_or_null(rec, "branch_id"),
        DB_TEXT(enterprise_str(rec, "branch_path")),
        DB_TEXT(texts[4]),
        DB_INT_OR_NULL(a->id, a->id),
        DB_INT(clock_now()),
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        sqlbuf_bind(q, v[i]);
}

static void free_texts(char **texts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
}

/* The bell of a manager who gains or loses enterprise id. */
static int notify_manager(struct db *db, const struct actor *a, json_t *who, int64_t id,
                          const char *name, bool gained)
{
    if (!json_is_integer(who) || json_integer_value(who) == a->id)
        return 0;
    char title[256], link[48];
    snprintf(title, sizeof(title), "%s%s",
             i18n_msg("zh-CN", gained ? "enterprise.assigned" : "enterprise.unassigned"), name);
    snprintf(link, sizeof(link), "/enterprises/%lld", (long long)id);
    return notification_add(db, json_integer_value(who),
                            gained ? "enterprise.assigned" : "enterprise.unassigned", title, NULL,
                            link);
}

/* A new account manager: audited, and both managers hear of it. */
static int note_reassign(struct db *db, const struct actor *a, int64_t id, json_t *cur, json_t *rec)
{
    json_t *from = cur ? json_object_get(cur, "owner_id") : json_null();
    json_t *to = json_object_get(rec, "owner_id");
    /* The system filling demo data rings no bells. */
    if (json_equal(from ? from : json_null(), to ? to : json_null()) || (!cur && a->system))
        return 0;
    int rc = cur ? actor_audit(db, a, "enterprise.reassign", "enterprise", id,
                               json_pack("{s:O,s:O}", "from", from ? from : json_null(), "to",
                                         to ? to : json_null()))
                 : 0;
    if (!rc && cur)
        rc = notify_manager(db, a, from, id, enterprise_str(rec, "name"), false);
    if (!rc)
        rc = notify_manager(db, a, to, id, enterprise_str(rec, "name"), true);
    return rc;
}

int enterprise_add(struct db *db, const struct actor *a, json_t *rec, int64_t *id)
{
    char no[96], *texts[5] = {0};
    int rc = next_number(db, json_integer_value(json_object_get(rec, "branch_id")), no, sizeof(no));
    if (rc)
        return rc;
    struct sqlbuf q;
    written(&q,
            "INSERT INTO enterprises (" WRITTEN ", customer_no, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            a, rec, texts);
    sqlbuf_bind_text_copy(&q, no);
    sqlbuf_bind(&q, DB_INT_OR_NULL(a->id, a->id));
    sqlbuf_bind(&q, DB_INT(clock_now()));
    rc = db_query_int(db, q.sql, q.args, q.nargs, id);
    rc = rc == 1 ? 0 : rc < 0 ? rc : DB_ERROR;
    sqlbuf_release(&q);
    free_texts(texts, 5);
    if (!rc)
        rc = grams_write(db, *id, enterprise_str(rec, "name"));
    if (!rc)
        rc = note_reassign(db, a, *id, NULL, rec);
    if (!rc)
        rc = events_publish(db, "enterprise.created", "enterprise", *id, a->id, NULL);
    return rc;
}

int enterprise_insert(struct db *db, const struct actor *a, json_t *in, int64_t *id, json_t *errors)
{
    json_t *rec = json_object(), *contacts = json_array();
    int rc = enterprise_check(db, a, in, NULL, rec, errors);
    /* Contacts come in the same request and the same transaction: any
     * bad one and nothing is written. */
    if (!rc)
        rc = contact_check_new(db, a, json_object_get(in, "contacts"), contacts, errors);
    rc = op_checked(rc, errors);
    if (!rc && !(rc = db_begin(db))) {
        rc = enterprise_add(db, a, rec, id);
        if (!rc)
            rc = contact_add_checked(db, a, *id, contacts);
        if (!rc)
            rc = tags_attach_created(db, a, "enterprise", *id, in, errors);
        rc = op_end(db, rc);
    }
    json_decref(rec);
    json_decref(contacts);
    return rc;
}

int enterprise_write(struct db *db, const struct actor *a, int64_t id, json_int_t version,
                     json_t *cur, json_t *rec)
{
    char *texts[5] = {0};
    struct sqlbuf q;
    written(&q,
            "UPDATE enterprises SET (" WRITTEN ") = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), version = version + 1 "
            "WHERE id = ? AND version = ?",
            a, rec, texts);
    sqlbuf_bind(&q, DB_INT(id));
    sqlbuf_bind(&q, DB_INT(version));
    int rc = db_exec(db, q.sql, q.args, q.nargs);
    if (!rc && db_changes(db) != 1)
        rc = OP_STALE;
    sqlbuf_release(&q);
    free_texts(texts, 5);
    if (!rc && strcmp(enterprise_str(cur, "name"), enterprise_str(rec, "name")) != 0)
        rc = grams_write(db, id, enterprise_str(rec, "name"));
    static const char *const skip[] = {"branch_path", "name_pinyin", "name_initials", NULL};
    struct req who;
    history_author(a, &who);
    if (!rc)
        rc = history_record(db, &who, "enterprise", id, cur, rec, skip);
    if (!rc)
        rc = note_reassign(db, a, id, cur, rec);
    if (!rc)
        rc = events_publish(db, "enterprise.changed", "enterprise", id, a->id, NULL);
    return rc;
}

int enterprise_update(struct db *db, const struct actor *a, int64_t id, json_t *in, json_t *errors)
{
    json_t *cur = NULL;
    int rc = enterprise_find(db, a, id, false, &cur);
    if (rc != 1)
        return rc < 0 ? rc : OP_NOT_FOUND;
    json_int_t version;
    json_t *rec = json_object();
    rc = op_check_version(in, cur, a->lang, errors, &version);
    if (!rc)
        rc = enterprise_check(db, a, in, cur, rec, errors);
    rc = op_checked(rc, errors);
    if (!rc && !(rc = db_begin(db))) {
        rc = enterprise_write(db, a, id, version, cur, rec);
        if (!rc)
            rc = actor_audit(db, a, "enterprise.update", "enterprise", id, NULL);
        rc = op_end(db, rc);
    }
    json_decref(cur);
    json_decref(rec);
    return rc;
}

/* Into the recycle bin (deleted) or out of it. */
static int move_bin(struct db *db, const struct actor *a, int64_t id, bool deleted)
{
    json_t *cur = NULL;
    int rc = enterprise_find(db, a, id, true, &cur);
    if (rc != 1)
        return rc < 0 ? rc : OP_NOT_FOUND;
    bool in_bin = json_is_true(json_object_get(cur, "deleted"));
    json_decref(cur);
    if (in_bin == deleted)
        return deleted ? OP_NOT_FOUND : OP_CONFLICT;
    if (!(rc = db_begin(db))) {
        rc =
            db_exec(db,
                    "UPDATE enterprises SET deleted_at = ?, updated_at = ?, version = version + 1 "
                    "WHERE id = ?",
                    DB_ARGS(DB_INT_OR_NULL(deleted, clock_now()), DB_INT(clock_now()), DB_INT(id)));
        if (!rc)
            rc = actor_audit(db, a, deleted ? "enterprise.delete" : "enterprise.restore",
                             "enterprise", id, NULL);
        if (!rc)
            rc = events_publish(db, deleted ? "enterprise.deleted" : "enterprise.restored",
                                "enterprise", id, a->id, NULL);
        rc = op_end(db, rc);
    }
    return rc;
}

int enterprise_delete(struct db *db, const struct actor *a, int64_t id)
{
    return move_bin(db, a, id, true);
}

int enterprise_restore(struct db *db, const struct actor *a, int64_t id)
{
    return move_bin(db, a, id, false);
}
