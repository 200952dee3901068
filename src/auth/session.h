/*
 * session.h - sessions kept in the database, cookies and API keys.
 *
 * A session token is 32 random bytes; only its BLAKE2b hash is stored, so a
 * copy of the database lets nobody sign in. Every state-changing request
 * made with the cookie must echo the session's CSRF token in a header.
 */
#ifndef HY_SESSION_H
#define HY_SESSION_H

#include "auth/actor.h"
#include "http/http.h"

#include <stdbool.h>
#include <stdint.h>

#define SESSION_COOKIE       "hy_session"
#define SESSION_IDLE_SECONDS (8 * 3600)      /* signed out after 8 idle hours */
#define SESSION_MAX_SECONDS  (7 * 24 * 3600) /* and after a week in any case */

enum session_via { SESSION_NONE, SESSION_COOKIE_AUTH, SESSION_API_KEY, SESSION_PORTAL };

/* Find the caller of r from the session cookie and fill r->actor (API
 * keys: auth/api_keys.h; the gate tries a bearer key first). Answers how the caller signed in
 * (SESSION_NONE for anonymous), or a negative DB_* on database failure. */
int session_resolve(struct req *r, enum session_via *via);

/* Create a session for user_id; writes the token and CSRF token (both
 * NUL-terminated, < 64 bytes) and sets the cookie on the reply r makes
 * next... call session_set_cookie after replying. */
int session_create(struct db *db, int64_t user_id, const char *ip, char *token, char *csrf,
                   int64_t *session_id);
/* Add the Set-Cookie header for token (NULL clears the cookie) to r's reply. */
void session_set_cookie(struct req *r, const char *token);
/* The same for cookie name (HttpOnly, SameSite=Strict, Secure behind TLS),
 * kept max_age seconds (0: for the browser session). */
void session_set_named_cookie(struct req *r, const char *name, const char *token, int max_age);
/* Delete the sessions of user_id except keep_session_id (0 keeps none), and
 * raise users.credentials_version: whatever else grants the user access
 * without a session (a calendar feed URL) and was made before stops working. */
int session_revoke_user(struct db *db, int64_t user_id, int64_t keep_session_id);
int session_delete(struct db *db, int64_t session_id);
/* Remove expired sessions (scheduler). */
int session_prune(struct db *db);

/* Load user_id into u (role, branch, permissions); 1 found, 0 not, <0 error. */
int session_load_user(struct db *db, int64_t user_id, struct actor *u);

/* Hex BLAKE2b-256 of s into out (65 bytes). */
void session_hash_token(const char *s, char *out);
/* Fill out with n random bytes in base64url (no padding). */
void session_random_token(char *out, size_t outlen, size_t nbytes);

#endif
