/*
 * auth_module.c - the auth module: sign-in, staff, branches, and the
 * housekeeping of expired sessions, rate-limit events and reset codes.
 */
#include "auth/auth_module.h"

#include "auth/api_keys.h"
#include "auth/auth_api.h"
#include "auth/branches.h"
#include "auth/portal_session.h"
#include "auth/session.h"
#include "auth/users.h"
#include "base/clock.h"
#include "db/db.h"

/* Every 5 minutes: rows past their use. Failures are retried next time. */
static int housekeeping(struct db *db)
{
    int64_t now = clock_now();
    int rc = session_prune(db);
    if (!rc)
        rc = portal_session_prune(db);
    if (!rc)
        rc = db_exec(db, "DELETE FROM rate_events WHERE at < ?", DB_ARGS(DB_INT(now - 86400)));
    if (!rc)
        rc = db_exec(db, "DELETE FROM reset_codes WHERE expires_at < ?",
                     DB_ARGS(DB_INT(now - 86400)));
    return rc;
}

static const struct route *const routes[] = {auth_routes, users_routes, branches_routes,
                                             api_keys_routes, NULL};

static const struct module_periodic periodic[] = {
    {"auth.housekeeping", 300, housekeeping},
    {NULL, 0, NULL},
};

const struct module auth_module = {.name = "auth", .routes = routes, .periodic = periodic};
