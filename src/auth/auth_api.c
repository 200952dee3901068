/*
 * auth_api.c - signing in and out, the current user, password change, and
 * the forgotten-password flow (a one-time code through the outbox).
 *
 * Unknown staff numbers and wrong passwords get the same answer in the
 * same time; failures are counted per login text (known or not), five lock
 * it for 15 minutes. Codes are 6 digits, valid 10 minutes, single use,
 * void after 5 wrong tries, and rate limited per login and per address.
 */
#include "auth/auth_api.h"

#include "auth/users.h"
#include "auth/password_policy.h"
#include "auth/otp.h"
#include "auth/perm.h"
#include "auth/pwhash.h"
#include "auth/session.h"
#include "base/clock.h"
#include "base/log.h"
#include "core/audit.h"
#include "core/outbox.h"
#include "db/db.h"
#include "http/form.h"
#include "http/http.h"
#include "http/server.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define LOCK_THRESHOLD 5
#define LOCK_SECONDS   (15 * 60)
#define CODE_SECONDS   (10 * 60)

/* Passwords are taken as typed: no trimming, which form_str would do. */
static const char *raw_password(struct form *f, const char *key)
{
    json_t *v = json_object_get(f->in, key);
    if (!v || !json_is_string(v) || json_string_length(v) == 0) {
        form_fail(f, key, "field.required");
        return NULL;
    }
    if (json_string_length(v) > 1024 || strlen(json_string_value(v)) != json_string_length(v)) {
        form_fail(f, key, "password.too_long");
        return NULL;
    }
    return json_string_value(v);
}

static void lower_login(const char *login, char *out, size_t outlen)
{
    size_t i = 0;
    for (; login[i] && i + 1 < outlen; i++)
        out[i] = (char)tolower((unsigned char)login[i]);
    out[i] = '\0';
}

/* The session answer shared by login, me and password change. */
static void reply_session(struct req *r, int64_t user_id, const char *csrf, unsigned status)
{
    json_t *user;
    int rc = users_json_by_id(r->db, user_id, false, &user);
    if (rc != 1) { /* the session's own user is gone: no 404 to give */
        reply_db_error(r, rc < 0 ? rc : DB_ERROR);
        return;
    }
    bool must = json_is_true(json_object_get(user, "must_change_password"));
    json_t *perms = json_array();
    perm_names(perm_for_role(json_string_value(json_object_get(user, "role"))), perms);
    reply_json(r, status,
               json_pack("{s:o,s:s,s:b,s:o}", "user", user, "csrf_token", csrf,
                         "must_change_password", must, "permissions", perms));
}

/* Take one attempt of key's budget before the password is checked: in one
 * transaction, refuse when the login is locked or LOCK_THRESHOLD attempts
 * are already under way in the window, else count this one. Counting
 * before checking is what keeps parallel guesses to the threshold: the
 * count and the check are one step. Answers 1 (may try; *attempt is its
 * number), 0 (locked: answer 429) or a negative DB_*. */
static int take_attempt(struct req *r, const char *key, const char *login, int64_t now,
                        int64_t *attempt)
{
    int rc = db_begin(r->db);
    if (rc)
        return rc;
    int64_t locked_until = 0;
    int found = db_query_int(r->db, "SELECT locked_until FROM login_failures WHERE login = ?",
                             DB_ARGS(DB_TEXT(key)), &locked_until);
    if (found < 0)
        rc = found;
    bool locked = found == 1 && locked_until > now;
    if (!rc && !locked)
        rc = db_exec(r->db,
                     "INSERT INTO login_failures (login, count, first_at) VALUES (?, 1, ?) "
                     "ON CONFLICT (login) DO UPDATE SET "
                     "count = CASE WHEN login_failures.first_at > ? THEN login_failures.count + 1 "
                     "ELSE 1 END, "
                     "first_at = CASE WHEN login_failures.first_at > ? THEN "
                     "login_failures.first_at ELSE excluded.first_at END",
                     DB_ARGS(DB_TEXT(key), DB_INT(now), DB_INT(now - LOCK_SECONDS),
                             DB_INT(now - LOCK_SECONDS)));
    if (!rc && !locked &&
        db_query_int(r->db, "SELECT count FROM login_failures WHERE login = ?",
                     DB_ARGS(DB_TEXT(key)), attempt) < 0)
        rc = DB_ERROR;
    if (!rc && !locked && *attempt > LOCK_THRESHOLD)
        locked = true;
    if (!rc && locked)
        rc = audit_write(r->db, r, login, "auth.login_locked", NULL, 0, NULL);
    if (!rc)
        rc = db_commit(r->db);
    if (rc) {
        db_rollback(r->db);
        return rc;
    }
    return locked ? 0 : 1;
}

/* A failed attempt (already counted by take_attempt): the one that reaches
 * the threshold locks the login for LOCK_SECONDS. */
static int record_failure(struct req *r, const char *key, const char *login, int64_t now,
                          int64_t count)
{
    int rc = db_begin(r->db);
    if (rc)
        return rc;
    if (count >= LOCK_THRESHOLD)
        rc = db_exec(r->db,
                     "UPDATE login_failures SET count = 0, first_at = ?, locked_until = ? "
                     "WHERE login = ?",
                     DB_ARGS(DB_INT(now), DB_INT(now + LOCK_SECONDS), DB_TEXT(key)));
    if (!rc)
        rc = audit_write(r->db, r, login, "auth.login_failed", NULL, 0,
                         count >= LOCK_THRESHOLD ? json_pack("{s:b}", "locked", 1) : NULL);
    return db_end(r->db, rc);
}

static void login(struct req *r)
{
    struct form f;
    form_init(&f, r);
    const char *login = form_str(&f, "login", true, 64);
    const char *password = raw_password(&f, "password");
    if (!form_done(&f))
        return;
    char key[80];
    int64_t now = clock_now();
    lower_login(login, key, sizeof(key));

    int64_t attempt = 0;
    int rc = take_attempt(r, key, login, now, &attempt);
    if (rc < 0) {
        reply_db_error(r, rc);
        return;
    }
    if (rc == 0) {
        reply_error(r, 429, "account_locked");
        return;
    }

    int64_t user_id = 0;
    char hash[PWHASH_LEN] = "";
    bool active = false;
    struct db_stmt *st;
    rc = db_query_row(r->db, &st, "SELECT id, password_hash, status FROM users WHERE login = ?",
                      DB_ARGS(DB_TEXT(login)));
    if (rc < 0) {
        reply_db_error(r, rc);
        return;
    }
    if (rc == 1) {
        user_id = db_col_int(st, 0);
        snprintf(hash, sizeof(hash), "%s", db_col_text(st, 1));
        active = strcmp(db_col_text(st, 2), "active") == 0;
    }
    db_finish(st);

    bool ok;
    if (user_id)
        ok = pwhash_verify(hash, password) && active;
    else
        ok = (pwhash_dummy_verify(password), false);
    if (!ok) {
        rc = record_failure(r, key, login, now, attempt);
        if (rc) {
            reply_db_error(r, rc);
            return;
        }
        reply_error(r, 401, "invalid_credentials");
        return;
    }

    char token[64], csrf[64];
    int64_t session_id;
    rc = db_begin(r->db);
    if (!rc)
        rc = db_exec(r->db, "DELETE FROM login_failures WHERE login = ?", DB_ARGS(DB_TEXT(key)));
    if (!rc)
        rc = session_create(r->db, user_id, r->ip, token, csrf, &session_id);
    if (!rc)
        rc = db_exec(r->db, "UPDATE users SET last_login_at = ? WHERE id = ?",
                     DB_ARGS(DB_INT(now), DB_INT(user_id)));
    if (!rc) {
        struct actor u = {0};
        session_load_user(r->db, user_id, &u);
        actor_attach(r, &u);
        rc = audit_write(r->db, r, NULL, "auth.login", "user", user_id, NULL);
    }
    if (!audit_commit(r, rc))
        return;
    reply_session(r, user_id, csrf, 200);
    session_set_cookie(r, token);
}

static void logout(struct req *r)
{
    if (r->actor->session_id) {
        session_delete(r->db, r->actor->session_id);
        audit_write(r->db, r, NULL, "auth.logout", "user", r->actor->id, NULL);
    }
    reply_ok(r);
    session_set_cookie(r, NULL);
}

static void me(struct req *r)
{
    reply_session(r, r->actor->id, r->actor->csrf, 200);
}

static void me_update(struct req *r)
{
    struct form f;
    form_init(&f, r);
    const char *lang = form_str(&f, "lang", false, 8);
    if (lang && strcmp(lang, "zh-CN") != 0 && strcmp(lang, "en") != 0)
        form_fail(&f, "lang", "field.lang");
    if (!form_done(&f))
        return;
    if (lang) {
        int rc = db_exec(r->db, "UPDATE users SET lang = ?, updated_at = ? WHERE id = ?",
                         DB_ARGS(DB_TEXT(lang), DB_INT(clock_now()), DB_INT(r->actor->id)));
        if (rc) {
            reply_db_error(r, rc);
            return;
        }
    }
    json_t *user;
    int rc = users_json_by_id(r->db, r->actor->id, false, &user);
    if (rc != 1) {
        reply_db_error(r, rc < 0 ? rc : DB_ERROR);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "user", user));
}

/* Check new_password against the policy; records a field message. */
static bool policy_ok(struct form *f, const char *login, const char *password, const char *old)
{
    int reason = password_policy_check(login, password, old);
    if (reason == 0)
        return true;
    char key[64];
    snprintf(key, sizeof(key), "password.%s", password_policy_key(reason));
    form_fail(f, "new_password", key);
    return false;
}

static int set_password(struct req *r, int64_t user_id, const char *hash)
{
    return db_exec(
        r->db,
        "UPDATE users SET password_hash = ?, must_change_password = 0, "
        "password_changed_at = ?, updated_at = ?, version = version + 1 WHERE id = ?",
        DB_ARGS(DB_TEXT(hash), DB_INT(clock_now()), DB_INT(clock_now()), DB_INT(user_id)));
}

static void change_password(struct req *r)
{
    struct form f;
    form_init(&f, r);
    const char *old = raw_password(&f, "old_password");
    const char *new = raw_password(&f, "new_password");
    if (!form_done(&f))
        return;
    char hash[PWHASH_LEN] = "";
    struct db_stmt *st;
    int found = db_query_row(r->db, &st, "SELECT password_hash FROM users WHERE id = ?",
                             DB_ARGS(DB_INT(r->actor->id)));
    if (found < 0) {
        reply_db_error(r, found);
        return;
    }
    if (found)
        snprintf(hash, sizeof(hash), "%s", db_col_text(st, 0));
    db_finish(st);
    form_init(&f, r);
    if (!pwhash_verify(hash, old))
        form_fail(&f, "old_password", "field.old_password");
    else
        policy_ok(&f, r->actor->login, new, old);
    if (!form_done(&f))
        return;
    char newhash[PWHASH_LEN];
    if (pwhash_make(new, newhash)) {
        reply_error(r, 500, "internal");
        return;
    }
    int rc = db_begin(r->db);
    if (!rc)
        rc = set_password(r, r->actor->id, newhash);
    if (!rc)
        rc = session_revoke_user(r->db, r->actor->id, r->actor->session_id);
    if (!rc)
        rc = audit_write(r->db, r, NULL, "auth.password_change", "user", r->actor->id, NULL);
    if (!audit_commit(r, rc))
        return;
    reply_session(r, r->actor->id, r->actor->csrf, 200);
}

/* Count events of key in the last window seconds, then record one. */
static int rate_count(struct db *db, const char *key, int64_t window, int64_t *count)
{
    return db_query_int(db, "SELECT COUNT(*) FROM rate_events WHERE key = ? AND at > ?",
                        DB_ARGS(DB_TEXT(key), DB_INT(clock_now() - window)), count) < 0
               ? DB_ERROR
               : 0;
}

static void code_hash(int64_t user_id, const char *code, char *out)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%lld:%s", (long long)user_id, code);
    session_hash_token(buf, out);
}

static void forgot(struct req *r)
{
    struct form f;
    form_init(&f, r);
    const char *login = form_str(&f, "login", true, 64);
    const char *channel = form_str(&f, "channel", true, 8);
    if (channel && strcmp(channel, "sms") != 0 && strcmp(channel, "email") != 0)
        form_fail(&f, "channel", "field.channel");
    if (!form_done(&f))
        return;
    char lkey[80], key[128], ipkey[128];
    lower_login(login, lkey, sizeof(lkey));
    snprintf(key, sizeof(key), "forgot:%s", lkey);
    snprintf(ipkey, sizeof(ipkey), "forgot-ip:%s", r->ip);
    int64_t minute = 0, hour = 0, by_ip = 0;
    if (rate_count(r->db, key, 60, &minute) || rate_count(r->db, key, 3600, &hour) ||
        rate_count(r->db, ipkey, 3600, &by_ip)) {
        reply_error(r, 500, "internal");
        return;
    }
    if (minute >= 1 || hour >= 5 || by_ip >= 30) {
        reply_error(r, 429, "rate_limited");
        return;
    }

    int64_t now = clock_now();
    int64_t user_id = 0;
    char contact[256] = "";
    struct db_stmt *st;
    int found =
        db_query_row(r->db, &st,
                     strcmp(channel, "sms") == 0
                         ? "SELECT id, phone FROM users WHERE login = ? AND status = 'active'"
                         : "SELECT id, email FROM users WHERE login = ? AND status = 'active'",
                     DB_ARGS(DB_TEXT(login)));
    if (found < 0) {
        reply_db_error(r, found);
        return;
    }
    if (found) {
        user_id = db_col_int(st, 0);
        snprintf(contact, sizeof(contact), "%s", db_col_text(st, 1));
    }
    db_finish(st);

    int rc = db_begin(r->db);
    if (!rc)
        rc = db_exec(r->db, "INSERT INTO rate_events (key, at) VALUES (?, ?), (?, ?)",
                     DB_ARGS(DB_TEXT(key), DB_INT(now), DB_TEXT(ipkey), DB_INT(now)));
    if (!rc && user_id && contact[0]) {
        char code[8], hash[65], body[512];
        snprintf(code, sizeof(code), "%06u", (unsigned)randombytes_uniform(1000000));
        code_hash(user_id, code, hash);
        snprintf(body, sizeof(body), req_msg(r, "reset_code.body"), code);
        rc = db_exec(r->db,
                     "UPDATE reset_codes SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
                     DB_ARGS(DB_INT(now), DB_INT(user_id)));
        if (!rc)
            rc = db_exec(
                r->db,
                "INSERT INTO reset_codes (user_id, code_hash, expires_at, created_at) "
                "VALUES (?, ?, ?, ?)",
                DB_ARGS(DB_INT(user_id), DB_TEXT(hash), DB_INT(now + CODE_SECONDS), DB_INT(now)));
        if (!rc)
            rc = outbox_enqueue(r->db, channel, contact, req_msg(r, "reset_code.subject"), body,
                                NULL);
        if (!rc)
            rc = audit_write(r->db, r, login, "auth.reset_code_sent", "user", user_id,
                             json_pack("{s:s}", "channel", channel));
    }
    if (!audit_commit(r, rc))
        return;
    reply_json(r, 200, json_pack("{s:b,s:s}", "sent", 1, "message", req_msg(r, "forgot.sent")));
}

static void reset(struct req *r)
{
    struct form f;
    form_init(&f, r);
    const char *login = form_str(&f, "login", true, 64);
    const char *code = form_str(&f, "code", true, 6);
    const char *password = raw_password(&f, "new_password");
    if (login && password)
        policy_ok(&f, login, password, NULL);
    if (!form_done(&f))
        return;

    int64_t user_id = 0;
    int rc = db_query_int(r->db, "SELECT id FROM users WHERE login = ? AND status = 'active'",
                          DB_ARGS(DB_TEXT(login)), &user_id);
    if (rc < 0) {
        reply_db_error(r, rc);
        return;
    }
    char newhash[PWHASH_LEN];
    if (pwhash_make(password, newhash)) {
        reply_error(r, 500, "internal");
        return;
    }

    bool matched = false;
    rc = db_begin(r->db);
    if (rc) {
        reply_db_error(r, rc);
        return;
    }
    char given[65];
    code_hash(user_id, code, given);
    int spent = otp_spend(r->db, OTP_RESET, DB_INT(user_id), given);
    if (spent < 0) {
        db_rollback(r->db);
        reply_db_error(r, spent);
        return;
    }
    matched = spent == 1;
    if (matched) {
        rc = set_password(r, user_id, newhash);
        if (!rc)
            rc = session_revoke_user(r->db, user_id, 0);
        if (!rc)
            rc = audit_write(r->db, r, login, "auth.password_reset", "user", user_id,
                             json_pack("{s:s}", "via", "code"));
    }
    if (!audit_commit(r, rc))
        return;
    if (!matched) {
        form_init(&f, r);
        form_fail(&f, "code", "field.code");
        form_done(&f);
        return;
    }
    reply_ok(r);
}

/* POST /_test/clock (test mode only): move the server's clock. */
static void test_clock(struct req *r)
{
    struct form f;
    form_init(&f, r);
    int64_t advance = 0, t;
    int has_adv = form_int(&f, "advance_seconds", false, &advance);
    const char *now = form_str(&f, "now", false, 40);
    if (now && clock_parse_iso(now, &t))
        form_fail(&f, "now", "field.invalid");
    if (!form_done(&f))
        return;
    if (has_adv == 1)
        clock_advance(advance);
    if (now)
        clock_set(t);
    char iso[32];
    clock_format_iso(clock_now(), iso, sizeof(iso));
    reply_json(r, 200, json_pack("{s:s}", "now", iso));
}

/* The route table auth_routes[], made from auth_api.routes. */
#include "auth/auth_api.routes.h"
