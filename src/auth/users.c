/*
 * users.c - staff accounts: list, create, edit, disable / enable, reset
 * password (admin only). Disabling and resetting revoke the user's
 * sessions at once; every change is audited.
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
#include "http/form.h"
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER_COLUMNS                                                                               \
    "u.id, u.login, u.name, u.role, u.branch_id, b.name AS branch_name, u.phone, u.email, "        \
    "u.status, u.must_change_password, u.lang, u.last_login_at, u.version, u.created_at, "         \
    "u.updated_at"
#define USER_FROM "users u LEFT JOIN branches b ON b.id = u.branch_id"

bool users_login_valid(const char *login)
{
    size_t n = strlen(login);
    if (n < 2 || n > 32)
        return false;
    for (const char *p = login; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_'))
            return false;
    return true;
}

/* "wang@example.com" → "w***@example.com". */
static json_t *mask_email(const char *email)
{
    const char *at = strchr(email, '@');
    if (!at || at == email)
        return json_string("***");
    char *m = xasprintf("%c***%s", email[0], at);
    json_t *v = json_string(m);
    free(m);
    return v;
}

static json_t *user_row(struct db_stmt *st, struct req *r, bool clear)
{
    json_t *o = listing_row_json(st, r);
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

json_t *users_json_by_id(struct db *db, int64_t id, bool clear)
{
    struct db_stmt *st = db_query(db, "SELECT " USER_COLUMNS " FROM " USER_FROM " WHERE u.id = ?",
                                  DB_ARGS(DB_INT(id)));
    if (!st)
        return NULL;
    json_t *o = NULL;
    if (db_step(st) == 1)
        o = user_row(st, NULL, clear);
    db_finish(st);
    return o;
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
    return db_query_int(db, "SELECT id FROM users WHERE login = ?", DB_ARGS(DB_TEXT(login)), id) ==
                   1
               ? DB_OK
               : DB_ERROR;
}

static void list(struct req *r)
{
    struct listing l;
    if (listing_begin(&l, r))
        return;
    const char *q = req_query(r, "q");
    const char *role = req_query(r, "role");
    const char *branch = req_query(r, "branch_id");
    const char *status = req_query(r, "status");
    char *like = NULL;
    if (q && *q) {
        /* LIKE wildcards typed by the user are matched literally. */
        size_t n = strlen(q);
        like = xmalloc(n * 2 + 3);
        char *p = like;
        *p++ = '%';
        for (const char *s = q; *s; s++) {
            if (*s == '%' || *s == '_' || *s == '\\')
                *p++ = '\\';
            *p++ = *s;
        }
        *p++ = '%';
        *p = '\0';
        listing_where_text2(&l, "u.name LIKE ? ESCAPE '\\' OR u.login LIKE ? ESCAPE '\\'", like);
    }
    if (role && *role)
        listing_where_text(&l, "u.role = ?", role);
    if (branch && *branch)
        listing_where_int(&l, "u.branch_id = ?", strtoll(branch, NULL, 10));
    if (status && *status)
        listing_where_text(&l, "u.status = ?", status);
    listing_run_with(&l, USER_COLUMNS, USER_FROM, user_row_masked);
    free(like);
}

static void reply_user(struct req *r, unsigned status, int64_t id, const char *extra_key,
                       const char *extra)
{
    json_t *user = users_json_by_id(r->db, id, true);
    if (!user) {
        reply_error(r, 404, "not_found");
        return;
    }
    json_t *body = json_pack("{s:o}", "user", user);
    if (extra_key)
        json_object_set_new(body, extra_key, json_string(extra));
    reply_json(r, status, body);
}

static void get(struct req *r)
{
    int64_t id = req_param_id(r, 0);
    if (id < 0) {
        reply_error(r, 404, "not_found");
        return;
    }
    reply_user(r, 200, id, NULL, NULL);
}

/* Validate the fields create and update share. */
static void read_common(struct form *f, struct req *r, const char **role, int64_t *branch_id,
                        const char **phone, const char **email, char *phone_norm)
{
    *role = form_str(f, "role", false, 16);
    if (*role && !perm_role_valid(*role))
        form_fail(f, "role", "field.unknown_role");
    if (form_int(f, "branch_id", false, branch_id) == 1) {
        int64_t found;
        if (db_query_int(r->db, "SELECT id FROM branches WHERE id = ?", DB_ARGS(DB_INT(*branch_id)),
                         &found) != 1)
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
    read_common(&f, r, &role, &branch_id, &phone, &email, phone_norm);
    if (!role)
        form_fail(&f, "role", "field.required");
    const char *password = form_str(&f, "password", false, 128);
    if (!form_done(&f))
        return;
    char *generated = password ? NULL : password_generate();
    int64_t id = 0;
    int rc = db_begin(r->db);
    if (!rc)
        rc = users_create(r->db, login, name, role, branch_id, phone, email,
                          password ? password : generated, &id);
    if (!rc)
        rc = audit_write(r->db, r, NULL, "user.create", "user", id,
                         json_pack("{s:s,s:s,s:I}", "login", login, "role", role, "branch_id",
                                   (json_int_t)branch_id));
    if (!rc)
        rc = db_commit(r->db);
    if (rc) {
        db_rollback(r->db);
        free(generated);
        if (rc == DB_CONSTRAINT) {
            reply_conflict(r, "login", "field.login_taken");
            return;
        }
        reply_db_error(r, rc);
        return;
    }
    reply_user(r, 201, id, "initial_password", password ? password : generated);
    free(generated);
}

static void update(struct req *r)
{
    int64_t id = req_param_id(r, 0);
    if (id < 0) {
        reply_error(r, 404, "not_found");
        return;
    }
    struct form f;
    form_init(&f, r);
    const char *name = form_str(&f, "name", false, 64);
    const char *role, *phone, *email;
    int64_t branch_id = 0, version = 0;
    char phone_norm[12];
    read_common(&f, r, &role, &branch_id, &phone, &email, phone_norm);
    form_int(&f, "version", true, &version);
    if (!form_done(&f))
        return;
    /* Absent fields keep their value; an explicit "" clears phone / e-mail. */
    bool set_phone = form_has(&f, "phone"), set_email = form_has(&f, "email");
    int rc = db_begin(r->db);
    if (rc) {
        reply_db_error(r, rc);
        return;
    }
    rc = db_exec(r->db,
                 "UPDATE users SET name = COALESCE(?, name), role = COALESCE(?, role), "
                 "branch_id = COALESCE(?, branch_id), "
                 "phone = CASE WHEN ? = 1 THEN ? ELSE phone END, "
                 "email = CASE WHEN ? = 1 THEN ? ELSE email END, "
                 "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                 DB_ARGS(DB_TEXT(name), DB_TEXT(role), DB_INT_OR_NULL(branch_id > 0, branch_id),
                         DB_INT(set_phone), DB_TEXT(phone), DB_INT(set_email), DB_TEXT(email),
                         DB_INT(clock_now()), DB_INT(id), DB_INT(version)));
    if (!rc && db_changes(r->db) == 0) {
        db_rollback(r->db);
        int64_t exists;
        if (db_query_int(r->db, "SELECT id FROM users WHERE id = ?", DB_ARGS(DB_INT(id)),
                         &exists) == 1) {
            reply_error(r, 409, "stale_version");
            return;
        }
        reply_error(r, 404, "not_found");
        return;
    }
    /* A new role or branch takes effect on the user's next request: sessions
     * load both afresh every time, so there is nothing to revoke. */
    if (!rc)
        rc = audit_write(r->db, r, NULL, "user.update", "user", id, json_deep_copy(r->json));
    if (!audit_commit(r, rc))
        return;
    reply_user(r, 200, id, NULL, NULL);
}

static void set_status(struct req *r, const char *status, const char *action)
{
    int64_t id = req_param_id(r, 0);
    if (id < 0) {
        reply_error(r, 404, "not_found");
        return;
    }
    if (id == r->actor->id && strcmp(status, "disabled") == 0) {
        reply_error(r, 409, "conflict");
        return;
    }
    int rc = db_begin(r->db);
    if (!rc)
        rc = db_exec(r->db,
                     "UPDATE users SET status = ?, version = version + 1, updated_at = ? "
                     "WHERE id = ?",
                     DB_ARGS(DB_TEXT(status), DB_INT(clock_now()), DB_INT(id)));
    if (!rc && db_changes(r->db) == 0) {
        db_rollback(r->db);
        reply_error(r, 404, "not_found");
        return;
    }
    if (!rc && strcmp(status, "disabled") == 0)
        rc = session_revoke_user(r->db, id, 0);
    if (!rc)
        rc = audit_write(r->db, r, NULL, action, "user", id, NULL);
    if (!audit_commit(r, rc))
        return;
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

static void reset_password(struct req *r)
{
    int64_t id = req_param_id(r, 0);
    if (id < 0) {
        reply_error(r, 404, "not_found");
        return;
    }
    char *password = password_generate();
    char hash[PWHASH_LEN];
    if (pwhash_make(password, hash)) {
        free(password);
        reply_error(r, 500, "internal");
        return;
    }
    int rc = db_begin(r->db);
    if (!rc)
        rc = db_exec(r->db,
                     "UPDATE users SET password_hash = ?, must_change_password = 1, "
                     "version = version + 1, updated_at = ? WHERE id = ?",
                     DB_ARGS(DB_TEXT(hash), DB_INT(clock_now()), DB_INT(id)));
    if (!rc && db_changes(r->db) == 0) {
        db_rollback(r->db);
        free(password);
        reply_error(r, 404, "not_found");
        return;
    }
    if (!rc)
        rc = session_revoke_user(r->db, id, 0);
    if (!rc)
        rc = audit_write(r->db, r, NULL, "user.reset_password", "user", id, NULL);
    if (!rc)
        rc = db_commit(r->db);
    if (rc) {
        db_rollback(r->db);
        free(password);
        reply_db_error(r, rc);
        return;
    }
    reply_json(r, 200, json_pack("{s:s}", "initial_password", password));
    free(password);
}

const struct route users_routes[] = {
    {"GET", "/api/v1/users", list, PERM_ADMIN, 0, "List staff accounts"},
    {"POST", "/api/v1/users", create, PERM_ADMIN, 0, "Create a staff account"},
    {"GET", "/api/v1/users/{id}", get, PERM_ADMIN, 0, "One staff account"},
    {"PATCH", "/api/v1/users/{id}", update, PERM_ADMIN, 0, "Edit a staff account"},
    {"POST", "/api/v1/users/{id}/disable", disable, PERM_ADMIN, 0,
     "Disable an account and end its sessions"},
    {"POST", "/api/v1/users/{id}/enable", enable, PERM_ADMIN, 0, "Enable an account"},
    {"POST", "/api/v1/users/{id}/reset-password", reset_password, PERM_ADMIN, 0,
     "Set a new initial password that must be changed at next sign-in"},
    {0},
};
