/*
 * users.c - staff accounts: list, create, edit, disable / enable, reset
 * password, unlock (admin only). Disabling and resetting revoke the user's
 * sessions at once; resetting and unlocking end a sign-in lockout; every
 * change is audited.
 */
#include "auth/users.h"

#include "auth/password_policy.h"
#include "auth/perm.h"
#include "auth/pwhash.h"
#include "auth/session.h"
#include "base/clock.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "core/audit.h"
#include "core/listing.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "http/form.h"
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER_COLUMNS                                                                               \
    "u.id, u.login, u.name, u.role, u.branch_id, b.name AS branch_name, u.phone, u.email, "        \
    "u.status, u.must_change_password, u.lang, u.last_login_at, u.version, u.created_at, "         \
    "u.updated_at, lf.locked_until"
/* Failed sign-ins are counted per lower-cased login text (auth_api.c). */
#define USER_FROM                                                                                  \
    "users u LEFT JOIN branches b ON b.id = u.branch_id LEFT JOIN login_failures lf ON "           \
    "lf.login = lower(u.login)"

bool users_login_valid(const char *login)
{
    return validate_chars(login, 2, 32, VALIDATE_ALNUM ".-_");
}

static json_t *mask_email(const char *email)
{
    char *m = email_mask(email);
    json_t *v = json_string(m);
    free(m);
    return v;
}

/* A lockout shows while it lasts: locked_until (ISO, +08:00) or null. */
static void present_lock(json_t *o)
{
    json_t *until = json_object_get(o, "locked_until");
    if (json_is_integer(until) && json_integer_value(until) > clock_now()) {
        char iso[32];
        clock_format_iso(json_integer_value(until), iso, sizeof(iso));
        json_object_set_new(o, "locked_until", json_string(iso));
    } else {
        json_object_set_new(o, "locked_until", json_null());
    }
}

static json_t *user_row(struct db_stmt *st, struct req *r, bool clear)
{
    json_t *o = listing_row_json(st, r);
    present_lock(o);
    if (!clear) {
        const char *phone = json_string_value(json_object_get(o, "phone"));
        if (phone) {
            char *m = phone_mask(phone);
            json_object_set_new(o, "phone", json_string(m));
            free(m);
        }
        const char *email = json_string_value(json_object_get(o, "email"));
        if (email)
            json_object_set_new(o, "email", mask_email(email));
    }
    return o;
}

static json_t *user_row_masked(struct db_stmt *st, struct req *r)
{
    return user_row(st, r, false);
}

static json_t *user_row_clear(struct db_stmt *st, struct req *r)
{
    return user_row(st, r, true);
}

int users_json_by_id(struct db *db, int64_t id, bool clear, json_t **out)
{
    return listing_one(db, NULL, out, clear ? user_row_clear : user_row_masked,
                       "SELECT " USER_COLUMNS " FROM " USER_FROM " WHERE u.id = ?",
                       DB_ARGS(DB_INT(id)));
}

int users_create(struct db *db, const char *login, const char *name, const char *role,
                 int64_t branch_id, const char *phone, const char *email, const char *password,
                 int64_t *id)
{
    char hash[PWHASH_LEN];
    if (pwhash_make(password, hash))
        return DB_ERROR;
    int64_t now = clock_now();
    int rc = db_exec(db,
                     "INSERT INTO users (login, name, role, branch_id, phone, email, "
                     "password_hash, must_change_password, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                     DB_ARGS(DB_TEXT(login), DB_TEXT(name), DB_TEXT(role),
                             DB_INT_OR_NULL(branch_id > 0, branch_id), DB_TEXT(phone),
                             DB_TEXT(email), DB_TEXT(hash), DB_INT(now), DB_INT(now)));
    if (rc)
        return rc;
    return db_query_id(db, "SELECT id FROM users WHERE login = ?", DB_ARGS(DB_TEXT(login)), id);
}

static void list(struct req *r)
{
    struct listing l;
    if (listing_begin(&l, r))
        return;
    /* LIKE wildcards typed by the user are matched literally. */
    const char *q = req_query(r, "q");
    char *like = q && *q ? sqlbuf_like_pattern(q, false) : NULL;
    if (like)
        listing_where_text2(&l, "u.name LIKE ? ESCAPE '\\' OR u.login LIKE ? ESCAPE '\\'", like);
    listing_filter_text(&l, "role", "u.role = ?");
    listing_filter_int(&l, "branch_id", "u.branch_id = ?");
    listing_filter_text(&l, "status", "u.status = ?");
    const char *locked = req_query(r, "locked");
    if (locked && strcmp(locked, "1") == 0)
        listing_where_int(&l, "lf.locked_until > ?", clock_now());
    listing_run_with(&l, USER_COLUMNS, USER_FROM, user_row_masked);
    free(like);
}

static void reply_user(struct req *r, unsigned status, int64_t id, const char *extra_key,
                       const char *extra)
{
    json_t *user;
    int rc = users_json_by_id(r->db, id, true, &user);
    if (rc != 1) {
        rc < 0 ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
        return;
    }
    json_t *body = json_pack("{s:o}", "user", user);
    if (extra_key)
        json_object_set_new(body, extra_key, json_string(extra));
    reply_json(r, status, body);
}

static void get(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    reply_user(r, 200, id, NULL, NULL);
}

/* Validate the fields create and update share. 0, or negative DB_E* when
 * the database could not say whether the branch exists. */
static int read_common(struct form *f, struct req *r, const char **role, int64_t *branch_id,
                       const char **phone, const char **email, char *phone_norm)
{
    int rc = 0;
    *role = form_str(f, "role", false, 16);
    if (*role && !perm_role_valid(*role))
        form_fail(f, "role", "field.unknown_role");
    if (form_int(f, "branch_id", false, branch_id) == 1) {
        int64_t found;
        rc = db_query_int(r->db, "SELECT id FROM branches WHERE id = ?",
                          DB_ARGS(DB_INT(*branch_id)), &found);
        if (rc == 0)
            form_fail(f, "branch_id", "field.unknown_branch");
    }
    *phone = form_str(f, "phone", false, 20);
    if (*phone) {
        if (validate_mobile(*phone, phone_norm))
            form_fail(f, "phone", "field.phone");
        else
            *phone = phone_norm;
    }
    *email = form_str(f, "email", false, 254);
    if (*email && validate_email(*email))
        form_fail(f, "email", "field.email");
    return rc < 0 ? rc : 0;
}

/* read_common, answering the database error itself: false then. */
static bool read_common_ok(struct form *f, struct req *r, const char **role, int64_t *branch_id,
                           const char **phone, const char **email, char *phone_norm)
{
    int rc = read_common(f, r, role, branch_id, phone, email, phone_norm);
    if (rc) {
        form_release(f);
        reply_db_error(r, rc);
    }
    return rc == 0;
}

static void create(struct req *r)
{
    struct form f;
    form_init(&f, r);
    const char *login = form_str(&f, "login", true, 32);
    const char *name = form_str(&f, "name", true, 64);
    const char *role, *phone, *email;
    int64_t branch_id = 0;
    char phone_norm[12];
    if (login && !users_login_valid(login))
        form_fail(&f, "login", "field.login_format");
    if (!read_common_ok(&f, r, &role, &branch_id, &phone, &email, phone_norm))
        return;
    if (!role)
        form_fail(&f, "role", "field.required");
    const char *password = form_str(&f, "password", false, 128);
    if (!form_done(&f))
        return;
    if (!audit_begin(r))
        return;
    char *generated = password ? NULL : password_generate();
    int64_t id = 0;
    int rc = users_create(r->db, login, name, role, branch_id, phone, email,
                          password ? password : generated, &id);
    if (audit_end_unique(r, rc, "login", "field.login_taken", "user.create", "user", id,
                         json_pack("{s:s,s:s,s:I}", "login", login, "role", role, "branch_id",
                                   (json_int_t)branch_id)))
        reply_user(r, 201, id, "initial_password", password ? password : generated);
    free(generated);
}

static void update(struct req *r)
{
    struct form f;
    int64_t id;
    if (!form_init_id(&f, r, 0, &id))
        return;
    const char *name = form_str(&f, "name", false, 64);
    const char *role, *phone, *email;
    int64_t branch_id = 0, version = 0;
    char phone_norm[12];
    if (!read_common_ok(&f, r, &role, &branch_id, &phone, &email, phone_norm))
        return;
    form_int(&f, "version", true, &version);
    if (!form_done(&f))
        return;
    /* Absent fields keep their value; an explicit "" clears phone / e-mail. */
    bool set_phone = form_has(&f, "phone"), set_email = form_has(&f, "email");
    /* A new role or branch takes effect on the user's next request: sessions
     * load both afresh every time, so there is nothing to revoke. */
    if (audit_change(
            r, id, "SELECT 1 FROM users WHERE id = ?",
            "UPDATE users SET name = COALESCE(?, name), role = COALESCE(?, role), "
            "branch_id = COALESCE(?, branch_id), phone = CASE WHEN ? = 1 THEN ? ELSE phone END, "
            "email = CASE WHEN ? = 1 THEN ? ELSE email END, "
            "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
            DB_ARGS(DB_TEXT(name), DB_TEXT(role), DB_INT_OR_NULL(branch_id > 0, branch_id),
                    DB_INT(set_phone), DB_TEXT(phone), DB_INT(set_email), DB_TEXT(email),
                    DB_INT(clock_now()), DB_INT(id), DB_INT(version)),
            "user.update", "user", json_deep_copy(r->json)))
        reply_user(r, 200, id, NULL, NULL);
}

static void set_status(struct req *r, const char *status, const char *action)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    if (id == r->actor->id && strcmp(status, "disabled") == 0) {
        reply_error(r, 409, "conflict");
        return;
    }
    if (!audit_begin(r))
        return;
    int rc = db_exec(r->db,
                     "UPDATE users SET status = ?, version = version + 1, updated_at = ? "
                     "WHERE id = ?",
                     DB_ARGS(DB_TEXT(status), DB_INT(clock_now()), DB_INT(id)));
    if (audit_missed(r, rc, NULL, DB_NOARGS))
        return;
    if (!rc && strcmp(status, "disabled") == 0)
        rc = session_revoke_user(r->db, id, 0);
    if (audit_end(r, rc, action, "user", id, NULL))
        reply_user(r, 200, id, NULL, NULL);
}

static void disable(struct req *r)
{
    set_status(r, "disabled", "user.disable");
}

static void enable(struct req *r)
{
    set_status(r, "active", "user.enable");
}

/* End a sign-in lockout of user id (nothing when there is none). */
static int clear_lockout(struct db *db, int64_t id)
{
    return db_exec(db,
                   "DELETE FROM login_failures WHERE login = "
                   "(SELECT lower(login) FROM users WHERE id = ?)",
                   DB_ARGS(DB_INT(id)));
}

/* POST /users/{id}/unlock: the admin vouches for the person (who phoned
 * the help desk); the failed attempts are forgotten with the lock. */
static void unlock(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id) || !audit_begin(r))
        return;
    int rc = db_exec(r->db, "UPDATE users SET updated_at = ? WHERE id = ?",
                     DB_ARGS(DB_INT(clock_now()), DB_INT(id)));
    if (audit_missed(r, rc, NULL, DB_NOARGS))
        return;
    if (!rc)
        rc = clear_lockout(r->db, id);
    if (audit_end(r, rc, "user.unlock", "user", id, NULL))
        reply_user(r, 200, id, NULL, NULL);
}

static void reset_password(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    char *password = password_generate();
    char hash[PWHASH_LEN];
    if (pwhash_make(password, hash)) {
        free(password);
        reply_error(r, 500, "internal");
        return;
    }
    if (!audit_begin(r)) {
        free(password);
        return;
    }
    int rc = db_exec(r->db,
                     "UPDATE users SET password_hash = ?, must_change_password = 1, "
                     "version = version + 1, updated_at = ? WHERE id = ?",
                     DB_ARGS(DB_TEXT(hash), DB_INT(clock_now()), DB_INT(id)));
    if (audit_missed(r, rc, NULL, DB_NOARGS)) {
        free(password);
        return;
    }
    if (!rc)
        rc = session_revoke_user(r->db, id, 0);
    /* A new password from the admin is the way back in: a lockout from
     * the old one's guesses would keep it shut. */
    if (!rc)
        rc = clear_lockout(r->db, id);
    if (audit_end(r, rc, "user.reset_password", "user", id, NULL))
        reply_json(r, 200, json_pack("{s:s}", "initial_password", password));
    free(password);
}

/* The route table users_routes[], made from users.routes. */
int users_fits_branch(struct db *db, int64_t id, const char *path)
{
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT COALESCE(b.path, '') FROM users u LEFT JOIN branches b ON "
                          "b.id = u.branch_id WHERE u.id = ? AND u.status = 'active'",
                          DB_ARGS(DB_INT(id)));
    if (rc != 1)
        return rc;
    const char *home = db_col_text(st, 0);
    bool fits = !path || strncmp(path, home, strlen(home)) == 0;
    db_finish(st);
    return fits;
}

#include "auth/users.routes.h"
