/*
 * audit.c - writing and reading the audit log (see audit.h).
 */
#include "core/audit.h"

#include "core/perms.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "core/listing.h"
#include "db/db.h"
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int audit_write(struct db *db, struct req *r, const char *login, const char *action,
                const char *object_type, int64_t object_id, json_t *detail)
{
    if (!login && r)
        login = r->actor_login;
    return audit_write_as(db, r ? r->actor_id : 0, login, r ? r->ip : "cli",
                          r ? r->request_id : NULL, action, object_type, object_id, detail);
}

int audit_write_as(struct db *db, int64_t user_id, const char *login, const char *ip,
                   const char *request_id, const char *action, const char *object_type,
                   int64_t object_id, json_t *detail)
{
    char *detail_text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    json_decref(detail);
    char oid[24];
    snprintf(oid, sizeof(oid), "%lld", (long long)object_id);
    int rc =
        db_exec(db,
                "INSERT INTO audit_log (at, user_id, login, action, object_type, object_id, "
                "ip, request_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                DB_ARGS(DB_INT(clock_now()), DB_INT_OR_NULL(user_id, user_id), DB_TEXT(login),
                        DB_TEXT(action), DB_TEXT(object_type), DB_TEXT(object_type ? oid : NULL),
                        DB_TEXT(ip), DB_TEXT(request_id), DB_TEXT(detail_text)));
    free(detail_text);
    if (rc)
        log_error("audit: cannot record %s", action);
    return rc;
}

/* GET /audit-log?action=&user_id=&from=&to=&limit=&cursor= */
static void audit_list(struct req *r)
{
    struct listing l;
    if (listing_begin(&l, r))
        return;
    listing_filter_text(&l, "action", "action = ?");
    listing_filter_int(&l, "user_id", "user_id = ?");
    if (listing_filter_days(&l, "from", "to", "at"))
        return;
    listing_run_with(&l,
                     "id, at, user_id, login, action, object_type, object_id, ip, request_id, "
                     "detail",
                     "audit_log", NULL);
}

/* The route table audit_routes[], made from audit.routes. */
#include "core/audit.routes.h"

bool audit_begin(struct req *r)
{
    int rc = db_begin(r->db);
    if (rc)
        reply_db_error(r, rc);
    return rc == 0;
}

bool audit_missed(struct req *r, int rc, const char *exists_sql, const struct db_val *args,
                  int nargs)
{
    if (rc || db_changes(r->db) > 0)
        return false;
    db_rollback(r->db);
    int64_t one;
    int found = exists_sql ? db_query_int(r->db, exists_sql, args, nargs, &one) : 0;
    if (found < 0)
        reply_db_error(r, found);
    else if (found)
        reply_error(r, 409, "stale_version");
    else
        reply_error(r, 404, "not_found");
    return true;
}

/* Commit when rc is 0; else, or when the commit fails, roll back and
 * answer: a refused UNIQUE value as 409 naming field when field is set. */
static bool commit_or_reply(struct req *r, int rc, const char *field, const char *msg_key)
{
    rc = db_end(r->db, rc);
    if (!rc)
        return true;
    if (rc == DB_CONSTRAINT && field)
        reply_conflict(r, field, msg_key);
    else
        reply_db_error(r, rc);
    return false;
}

bool audit_commit(struct req *r, int rc)
{
    return commit_or_reply(r, rc, NULL, NULL);
}

bool audit_end_unique(struct req *r, int rc, const char *field, const char *msg_key,
                      const char *action, const char *object_type, int64_t object_id,
                      json_t *detail)
{
    if (!rc)
        rc = audit_write(r->db, r, NULL, action, object_type, object_id, detail);
    else
        json_decref(detail);
    return commit_or_reply(r, rc, field, msg_key);
}

bool audit_end(struct req *r, int rc, const char *action, const char *object_type,
               int64_t object_id, json_t *detail)
{
    return audit_end_unique(r, rc, NULL, NULL, action, object_type, object_id, detail);
}

bool audit_change(struct req *r, int64_t id, const char *exists_sql, const char *sql,
                  const struct db_val *args, int nargs, const char *action, const char *object_type,
                  json_t *detail)
{
    if (!audit_begin(r)) {
        json_decref(detail);
        return false;
    }
    int rc = db_exec(r->db, sql, args, nargs);
    if (audit_missed(r, rc, exists_sql, DB_ARGS(DB_INT(id)))) {
        json_decref(detail);
        return false;
    }
    return audit_end(r, rc, action, object_type, id, detail);
}

void audit_delete(struct req *r, const char *sql, const struct db_val *args, int nargs,
                  const char *action, const char *object_type, int64_t id)
{
    if (audit_change(r, id, NULL, sql, args, nargs, action, object_type, NULL))
        reply_ok(r);
}
