/*
 * portal_session.h - sessions of enterprise contacts signed in to the
 * contact portal: their own cookie and table, apart from staff sessions,
 * short-lived, CSRF-protected like staff requests.
 *
 * A portal session names a contact and the mobile it signed in with; it
 * resolves only while that contact exists with that mobile in an
 * enterprise that is not deleted, so deleting the contact (or changing
 * its mobile, or deleting the enterprise) revokes it at once.
 */
#ifndef HY_PORTAL_SESSION_H
#define HY_PORTAL_SESSION_H

#include "http/http.h"

#include <stdint.h>

#define PORTAL_COOKIE       "hy_portal"
#define PORTAL_IDLE_SECONDS (30 * 60)  /* signed out after 30 idle minutes */
#define PORTAL_MAX_SECONDS  (8 * 3600) /* and after 8 hours in any case */

/* Fill r->actor from the portal cookie: a contact actor (id 0,
 * contact_id, enterprise_id, perms PERM_PORTAL). 1 found, 0 none,
 * negative DB_*. */
int portal_session_resolve(struct req *r);

/* A new session for contact_id signed in with mobile; token and csrf
 * (each < 64 bytes) receive the cookie value and the CSRF token. */
int portal_session_create(struct db *db, int64_t contact_id, const char *mobile, const char *ip,
                          char *token, char *csrf);
/* The Set-Cookie header of token (NULL clears it) on r's reply. */
void portal_session_set_cookie(struct req *r, const char *token);
int portal_session_delete(struct db *db, int64_t session_id);
/* Remove expired portal sessions and codes (scheduler). */
int portal_session_prune(struct db *db);

#endif
