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
    char *detail_text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    json_decref(detail);
    char oid[24];
    snprintf(oid, sizeof(oid), "%lld", (long long)object_id);
    int64_t user_id = r ? r->actor_id : 0;
    if (!login && r)
        login = r->actor_login;
    int rc = db_exec(db,
                     "INSERT INTO audit_log (at, user_id, login, action, object_type, object_id, "
                     "ip, request_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     DB_ARGS(DB_INT(clock_now()), DB_INT_OR_NULL(user_id, user_id), DB_TEXT(login),
                             DB_TEXT(action), DB_TEXT(object_type),
                             DB_TEXT(object_type ? oid : NULL), DB_TEXT(r ? r->ip : "cli"),
                             DB_TEXT(r ? r->request_id : NULL), DB_TEXT(detail_text)));
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
    const char *action = req_query(r, "action");
    const char *user = req_query(r, "user_id");
    const char *from = req_query(r, "from");
    const char *to = req_query(r, "to");
    if (action && *action)
        listing_where_text(&l, "action = ?", action);
    if (user && *user)
        listing_where_int(&l, "user_id = ?", strtoll(user, NULL, 10));
    int64_t t;
    if (from && *from) {
        if (clock_parse_date(from, &t)) {
            listing_fail(&l, "from", "field.date");
            return;
        }
        listing_where_int(&l, "at >= ?", t);
    }
    if (to && *to) {
        if (clock_parse_date(to, &t)) {
            listing_fail(&l, "to", "field.date");
            return;
        }
        listing_where_int(&l, "at < ?", t + 86400);
    }
    listing_run_with(&l,
                     "id, at, user_id, login, action, object_type, object_id, ip, request_id, "
                     "detail",
                     "audit_log", NULL);
}

const struct route audit_routes[] = {
    {"GET", "/api/v1/audit-log", audit_list, PERM_ADMIN, 0, "List audit log entries"},
    {0},
};

bool audit_commit(struct req *r, int rc)
{
    if (!rc)
        rc = db_commit(r->db);
    if (rc) {
        db_rollback(r->db);
        reply_db_error(r, rc);
        return false;
    }
    return true;
}

void audit_delete(struct req *r, const char *sql, const struct db_val *args, int nargs,
                  const char *action, const char *object_type, int64_t id)
{
    int rc = db_begin(r->db);
    if (!rc)
        rc = db_exec(r->db, sql, args, nargs);
    if (!rc && db_changes(r->db) == 0) {
        db_rollback(r->db);
        reply_error(r, 404, "not_found");
        return;
    }
    if (!rc)
        rc = audit_write(r->db, r, NULL, action, object_type, id, NULL);
    if (audit_commit(r, rc))
        reply_ok(r);
}
