/*
 * session.c - see session.h.
 */
#include "auth/session.h"

#include "auth/actor.h"
#include "auth/perm.h"
#include "base/clock.h"
#include "base/log.h"
#include "db/db.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void session_hash_token(const char *s, char *out)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)s, strlen(s), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

void session_random_token(char *out, size_t outlen, size_t nbytes)
{
    unsigned char buf[64];
    if (nbytes > sizeof(buf))
        nbytes = sizeof(buf);
    randombytes_buf(buf, nbytes);
    sodium_bin2base64(out, outlen, buf, nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

/* The user's columns, from column `at` of st's row on. */
#define USER_COLUMNS                                                                               \
    "u.id, u.login, u.name, u.role, COALESCE(u.branch_id, 0), COALESCE(b.path, ''), u.lang, "      \
    "u.must_change_password"

static void read_user(struct db_stmt *st, int at, struct actor *u)
{
    u->id = db_col_int(st, at);
    copy(u->login, sizeof(u->login), db_col_text(st, at + 1));
    copy(u->name, sizeof(u->name), db_col_text(st, at + 2));
    copy(u->role, sizeof(u->role), db_col_text(st, at + 3));
    u->branch_id = db_col_int(st, at + 4);
    copy(u->branch_path, sizeof(u->branch_path), db_col_text(st, at + 5));
    copy(u->lang, sizeof(u->lang), db_col_text(st, at + 6));
    u->must_change_password = db_col_int(st, at + 7) != 0;
    u->perms = perm_for_role(u->role);
}

int session_load_user(struct db *db, int64_t user_id, struct actor *u)
{
    struct db_stmt *st = NULL;
    int rc = db_query_row(db, &st,
                          "SELECT " USER_COLUMNS " FROM users u "
                          "LEFT JOIN branches b ON b.id = u.branch_id "
                          "WHERE u.id = ? AND u.status = 'active'",
                          DB_ARGS(DB_INT(user_id)));
    if (rc != 1)
        return rc;
    read_user(st, 0, u);
    db_finish(st);
    return 1;
}

static int resolve_cookie(struct req *r, const char *token)
{
    char hash[65];
    session_hash_token(token, hash);
    int64_t now = clock_now();
    /* Session and user in one statement: one round trip per request on
     * PostgreSQL, and a disabled user or a deleted session is out at once
     * on every server (nothing is cached). */
    struct db_stmt *st = NULL;
    int rc = db_query_row(r->db, &st,
                          "SELECT s.id, s.csrf_token, s.last_seen_at, " USER_COLUMNS
                          " FROM sessions s JOIN users u ON u.id = s.user_id "
                          "LEFT JOIN branches b ON b.id = u.branch_id "
                          "WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen_at > ? "
                          "AND u.status = 'active'",
                          DB_ARGS(DB_TEXT(hash), DB_INT(now), DB_INT(now - SESSION_IDLE_SECONDS)));
    if (rc != 1)
        return rc;
    struct actor u = {0};
    int64_t session_id = db_col_int(st, 0);
    copy(u.csrf, sizeof(u.csrf), db_col_text(st, 1));
    int64_t last_seen = db_col_int(st, 2);
    read_user(st, 3, &u);
    db_finish(st);
    u.session_id = session_id;
    actor_attach(r, &u);
    /* Touch at most once a minute: the idle timer needs no more precision
     * and a write per request would serialise readers behind the writer.
     * Skipped while another writer holds the lock (a bulk import can hold
     * it for a minute): a later request touches it instead of waiting. */
    if (now - last_seen > 60)
        db_exec_if_free(r->db, "UPDATE sessions SET last_seen_at = ? WHERE id = ?",
                        DB_ARGS(DB_INT(now), DB_INT(session_id)));
    return 1;
}

int session_resolve(struct req *r, enum session_via *via)
{
    *via = SESSION_NONE;
    actor_attach(r, NULL);
    const char *token = req_cookie(r, SESSION_COOKIE);
    if (!token || !*token || strlen(token) > 128)
        return 0;
    int rc = resolve_cookie(r, token);
    if (rc < 0)
        return rc;
    if (rc == 1)
        *via = SESSION_COOKIE_AUTH;
    return 0;
}

int session_create(struct db *db, int64_t user_id, const char *ip, char *token, char *csrf,
                   int64_t *session_id)
{
    char hash[65];
    int64_t now = clock_now();
    session_random_token(token, 64, 32);
    session_random_token(csrf, 64, 32);
    session_hash_token(token, hash);
    int rc = db_exec(db,
                     "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, "
                     "last_seen_at, expires_at, ip) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     DB_ARGS(DB_TEXT(hash), DB_INT(user_id), DB_TEXT(csrf), DB_INT(now),
                             DB_INT(now), DB_INT(now + SESSION_MAX_SECONDS), DB_TEXT(ip)));
    if (rc)
        return rc;
    return db_query_int(db, "SELECT id FROM sessions WHERE token_hash = ?", DB_ARGS(DB_TEXT(hash)),
                        session_id) == 1
               ? DB_OK
               : DB_ERROR;
}

void session_set_named_cookie(struct req *r, const char *name, const char *token, int max_age)
{
    char cookie[256], age[32] = "";
    /* Secure is added when the request came through TLS (a proxy says so). */
    const char *proto = req_header(r, "X-Forwarded-Proto");
    const char *secure = proto && strcmp(proto, "https") == 0 ? "; Secure" : "";
    if (!token)
        snprintf(age, sizeof(age), "; Max-Age=0");
    else if (max_age > 0)
        snprintf(age, sizeof(age), "; Max-Age=%d", max_age);
    snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name,
             token ? token : "", age, secure);
    reply_header(r, "Set-Cookie", cookie);
}

void session_set_cookie(struct req *r, const char *token)
{
    session_set_named_cookie(r, SESSION_COOKIE, token, 0);
}

int session_revoke_user(struct db *db, int64_t user_id, int64_t keep_session_id)
{
    int rc = db_exec(db, "DELETE FROM sessions WHERE user_id = ? AND id <> ?",
                     DB_ARGS(DB_INT(user_id), DB_INT(keep_session_id)));
    if (!rc)
        rc = db_exec(db,
                     "UPDATE users SET credentials_version = credentials_version + 1 WHERE id = ?",
                     DB_ARGS(DB_INT(user_id)));
    return rc;
}

int session_delete(struct db *db, int64_t session_id)
{
    return db_exec(db, "DELETE FROM sessions WHERE id = ?", DB_ARGS(DB_INT(session_id)));
}

int session_prune(struct db *db)
{
    int64_t now = clock_now();
    return db_exec(db, "DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?",
                   DB_ARGS(DB_INT(now), DB_INT(now - SESSION_IDLE_SECONDS)));
}
