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

/* Create a key named name with the JSON array of scope names scopes
 * (borrowed), acting for enterprise_id (0: none), made by user created_by
 * (0: the command line); the clear
 * key into key (keylen ≥ 64), the row's id into *id. Audit
 * "apikey.create" as actor a. 0 or negative DB_*. */
int api_key_create(struct db *db, const struct actor *a, const char *name, json_t *scopes,
                   int64_t enterprise_id, char *key, size_t keylen, int64_t *id);

extern const struct route api_keys_routes[];

#endif
