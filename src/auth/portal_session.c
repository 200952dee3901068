/*
 * portal_session.c - see portal_session.h. Tokens are made and hashed as
 * staff session tokens are (session_random_token, session_hash_token).
 */
#include "auth/portal_session.h"

#include "auth/actor.h"
#include "auth/session.h"
#include "base/clock.h"
#include "core/perms.h"
#include "db/db.h"

#include <stdio.h>
#include <string.h>

int portal_session_resolve(struct req *r)
{
    const char *token = req_cookie(r, PORTAL_COOKIE);
    if (!token || !*token || strlen(token) > 128)
        return 0;
    char hash[65];
    session_hash_token(token, hash);
    int64_t now = clock_now();
    struct db_stmt *st;
    int rc = db_query_row(
        r->db, &st,
        "SELECT s.id, s.csrf_token, s.last_seen_at, k.id, k.enterprise_id, k.name, s.mobile "
        "FROM portal_sessions s JOIN enterprise_contacts k ON k.id = s.contact_id "
        "AND k.mobile = s.mobile JOIN enterprises e ON e.id = k.enterprise_id "
        "AND e.deleted_at IS NULL "
        "WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen_at > ?",
        DB_ARGS(DB_TEXT(hash), DB_INT(now), DB_INT(now - PORTAL_IDLE_SECONDS)));
    if (rc != 1)
        return rc;
    struct actor a = {0};
    a.session_id = db_col_int(st, 0);
    snprintf(a.csrf, sizeof(a.csrf), "%s", db_col_text(st, 1));
    int64_t last_seen = db_col_int(st, 2);
    a.contact_id = db_col_int(st, 3);
    a.enterprise_id = db_col_int(st, 4);
    snprintf(a.name, sizeof(a.name), "%s", db_col_text(st, 5));
    /* The audit log names the contact, never a made-up user. */
    snprintf(a.login, sizeof(a.login), "contact:%lld", (long long)a.contact_id);
    snprintf(a.role, sizeof(a.role), "contact");
    snprintf(a.lang, sizeof(a.lang), "zh-CN");
    a.perms = PERM_PORTAL;
    db_finish(st);
    actor_attach(r, &a);
    if (now - last_seen > 60)
        db_exec_if_free(r->db, "UPDATE portal_sessions SET last_seen_at = ? WHERE id = ?",
                        DB_ARGS(DB_INT(now), DB_INT(a.session_id)));
    return 1;
}

int portal_session_create(struct db *db, int64_t contact_id, const char *mobile, const char *ip,
                          char *token, char *csrf)
{
    char hash[65];
    int64_t now = clock_now();
    session_random_token(token, 64, 32);
    session_random_token(csrf, 64, 32);
    session_hash_token(token, hash);
    return db_exec(db,
                   "INSERT INTO portal_sessions (token_hash, contact_id, mobile, csrf_token, "
                   "created_at, last_seen_at, expires_at, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   DB_ARGS(DB_TEXT(hash), DB_INT(contact_id), DB_TEXT(mobile), DB_TEXT(csrf),
                           DB_INT(now), DB_INT(now), DB_INT(now + PORTAL_MAX_SECONDS),
                           DB_TEXT(ip)));
}

void portal_session_set_cookie(struct req *r, const char *token)
{
    session_set_named_cookie(r, PORTAL_COOKIE, token, PORTAL_MAX_SECONDS);
}

int portal_session_delete(struct db *db, int64_t session_id)
{
    return db_exec(db, "DELETE FROM portal_sessions WHERE id = ?", DB_ARGS(DB_INT(session_id)));
}

int portal_session_prune(struct db *db)
{
    int64_t now = clock_now();
    int rc = db_exec(db, "DELETE FROM portal_sessions WHERE expires_at <= ? OR last_seen_at <= ?",
                     DB_ARGS(DB_INT(now), DB_INT(now - PORTAL_IDLE_SECONDS)));
    if (!rc)
        rc = db_exec(db, "DELETE FROM portal_codes WHERE expires_at <= ?",
                     DB_ARGS(DB_INT(now - 86400)));
    return rc;
}
