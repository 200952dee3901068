/*
 * gate.c - the authentication gate the HTTP layer calls before every API
 * handler (see http_gate_fn in http/http.h).
 */
#include "auth/gate.h"

#include "auth/actor.h"
#include "auth/api_keys.h"
#include "auth/perm.h"
#include "auth/portal_session.h"
#include "auth/session.h"
#include "http/http.h"

#include <sodium.h>
#include <string.h>

/* The checks every API request passes, in this order: session (cookie or
 * API key) → 401 without one on a non-public route → CSRF header for a
 * cookie-authenticated state change → forced password change → the
 * route's permission bits against the role's. */
/* The caller: an integration's bearer key, else the session cookie. */
static int identify(struct req *r, enum session_via *via)
{
    const char *auth = req_header(r, "Authorization");
    if (!auth || strncmp(auth, "Bearer ", 7) != 0) {
        int rc = session_resolve(r, via);
        /* A staff cookie wins; else a contact of the portal may be calling. */
        if (rc < 0 || r->actor)
            return rc;
        rc = portal_session_resolve(r);
        if (rc == 1)
            *via = SESSION_PORTAL;
        return rc < 0 ? rc : 0;
    }
    *via = SESSION_NONE;
    actor_attach(r, NULL);
    int rc = api_key_resolve(r, auth + 7);
    if (rc == 1)
        *via = SESSION_API_KEY;
    return rc < 0 ? rc : 0;
}

static bool gate(struct req *r)
{
    enum session_via via = SESSION_NONE;
    int rc = identify(r, &via);
    if (rc < 0) {
        reply_db_error(r, rc);
        return false;
    }
    const struct route *route = r->route;
    if (route->perm == PERM_PUBLIC)
        return true;
    struct actor *a = r->actor;
    if (!a) {
        reply_error(r, 401, "unauthorized");
        return false;
    }
    if ((via == SESSION_COOKIE_AUTH || via == SESSION_PORTAL) && r->method != HTTP_GET &&
        r->method != HTTP_HEAD) {
        const char *token = req_header(r, "X-CSRF-Token");
        size_t n = strlen(a->csrf);
        if (!token || strlen(token) != n || sodium_memcmp(token, a->csrf, n) != 0) {
            reply_error(r, 403, "csrf_failed");
            return false;
        }
    }
    if (a->must_change_password && !(route->flags & ROUTE_ALLOW_MUST_CHANGE)) {
        reply_error(r, 403, "password_change_required");
        return false;
    }
    bool admitted = (route->flags & ROUTE_ANY_PERM) ? (a->perms & route->perm) != 0
                                                    : (a->perms & route->perm) == route->perm;
    if (!admitted) {
        reply_error(r, 403, "forbidden");
        return false;
    }
    /* A key: only the routes its scopes name, within its rate. */
    if (a->api_key_id && !api_key_admit(r))
        return false;
    return true;
}

void gate_install(void)
{
    http_set_gate(gate);
}
