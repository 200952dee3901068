/*
 * users.h - staff accounts: the admin endpoints and the pieces the command
 * line and the auth endpoints share.
 */
#ifndef HY_USERS_H
#define HY_USERS_H

#include "http/http.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

/* The API view of user id into *out; phone and e-mail masked unless clear.
 * 1 when found, 0 when there is no such user, negative DB_E* on error. */
int users_json_by_id(struct db *db, int64_t id, bool clear, json_t **out);

/* Create a staff account (command line and API share it). branch_id 0 =
 * none. On success *id is set; DB_CONSTRAINT when the login is taken. */
int users_create(struct db *db, const char *login, const char *name, const char *role,
                 int64_t branch_id, const char *phone, const char *email, const char *password,
                 int64_t *id);

/* Whether user id is active and works in the branch whose path is path or
 * one above it (path NULL: anywhere): who may look after a record kept
 * there (a customer's or an enterprise's account manager). 1 yes, 0 no
 * (or no such user), negative DB_E* on error. */
int users_fits_branch(struct db *db, int64_t id, const char *path);

/* Staff numbers: 2–32 of [A-Za-z0-9._-]. */
bool users_login_valid(const char *login);

extern const struct route users_routes[];

#endif
