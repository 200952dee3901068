/*
 * api_keys.h - API keys of integrations (feeds of waybills and events from
 * other systems; later webhooks and more, issue 20).
 *
 * A key is "hyk_" and 32 random bytes in base64url. Only its BLAKE2b hash
 * is stored (a fast hash is right for 32 random bytes: nothing to guess),
 * with its first characters to tell keys apart in the list. A key acts as
 * an integration, not as a person: the actor it makes holds only the
 * key's scopes (never a role's permissions, no branch), is audited as
 * "apikey:<name>" and needs no CSRF header. A revoked key is unknown.
 */
#ifndef HY_API_KEYS_H
#define HY_API_KEYS_H

#include "http/http.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct actor;

#define API_KEY_PREFIX     "hyk_"
#define API_KEY_PREFIX_LEN 12 /* characters kept in clear for the list */

/* The permission bits of a scope name ("waybills.write"), 0 for an unknown
 * one. */
unsigned api_key_scope_bits(const char *scope);

/* Resolve "Authorization: Bearer <key>" for r: 1 with the key's actor
 * attached (r->actor_id the key's id negated, so per-caller limits count
 * each key apart from every user), 0 for an unknown or revoked key,
 * negative DB_* on failure. Notes the use at most once a minute. */
int api_key_resolve(struct req *r, const char *key);

/* Requests a minute of a key created without a rate of its own. */
#define API_KEY_DEFAULT_RATE 600

/* The optional limits of a key; 0 in a field: none. */
struct api_key_limits {
    int64_t branch_id;       /* whose subtree a read scope sees */
    int64_t rate_per_minute; /* 0: API_KEY_DEFAULT_RATE */
    int64_t expires_at;      /* unix seconds; 0: never */
};

/* Every scope as [{"name","needs_branch","routes":["GET /api/v1/…"]}]. */
json_t *api_key_scopes_json(void);

/* For a request made with a key (after the route's permission bits
 * passed): true when one of the key's scopes names the route and the key
 * is within its rate; else replies 403, or 429 with Retry-After, and
 * answers false. */
bool api_key_admit(struct req *r);

/* Create a key named name with the JSON array of scope names scopes
 * (borrowed), acting for enterprise_id (0: none), with limits lim (NULL:
 * none), made by actor a (the command line's: user 0); the clear key into
 * key (keylen ≥ 64), the row's id into *id. Audit "apikey.create" as
 * actor a. 0 or negative DB_*. */
int api_key_create(struct db *db, const struct actor *a, const char *name, json_t *scopes,
                   int64_t enterprise_id, const struct api_key_limits *lim, char *key,
                   size_t keylen, int64_t *id);

extern const struct route api_keys_routes[];

#endif
