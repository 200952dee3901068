/*
 * webhook.h - outgoing webhooks (issue 20, docs/webhooks.md): an admin
 * subscribes a URL to domain events; each matching event becomes one
 * outbox row of channel 'webhook' (at most one per subscription and
 * event), delivered by the outbox with its retries and backoff through the
 * SSRF-safe client (core/http_out.h), signed with the subscription's
 * secret, each attempt logged (webhook_attempts) and replayable.
 *
 * Rows of channel 'webhook' queued by other modules (the rule engine's
 * "call a webhook") are delivered the same way: see core/outbox.h for the
 * row shape.
 */
#ifndef HY_WEBHOOK_H
#define HY_WEBHOOK_H

#include "auth/actor.h"
#include "base/datakey.h"
#include "core/events.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

#define WEBHOOK_SECRET_PREFIX "whsec_"

/* Whether event kind matches pattern: equal, "*", or "prefix.*" for every
 * kind that starts with "prefix.". Pure. */
bool webhook_pattern_matches(const char *pattern, const char *kind);

/*
 * Operations (core/op.h): own transaction, audit without the secret.
 * webhook_save: create (id 0: *out_id set, the new clear secret into
 * secret[secretlen ≥ 64]) or edit subscription id from in: "url"
 * (http(s), not refused by core/http_out), "events" (non-empty array of
 * patterns), "description", "enabled", "version" (edit). Audit
 * "webhook.create" / "webhook.update".
 */
int webhook_save(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *out_id,
                 char *secret, size_t secretlen, json_t *errors);
/* Remove subscription id; its undelivered rows end as dead. Audit
 * "webhook.delete". */
int webhook_delete(struct db *db, const struct actor *a, int64_t id);
/* Queue delivery outbox_id (of channel 'webhook') again as a new outbox
 * row with the same event, type and body; *new_id is that row. Audit
 * "webhook.replay". */
int webhook_replay(struct db *db, const struct actor *a, int64_t outbox_id, int64_t *new_id);

/* Re-seal every subscription's secret from key `from` to key `to`
 * (hongyan rotate-key), in one transaction; *done: how many. 0 or a
 * negative DB_* (also when a secret opens under neither key). */
int webhook_rotate(struct db *db, const struct datakey *from, const struct datakey *to,
                   int64_t *done);

/* The signature header's value for body sent at timestamp: "sha256=" and
 * the hex HMAC-SHA256(secret, "<timestamp>.<body>") into out (≥ 72). */
void webhook_sign(const char *secret, long long timestamp, const char *body, char *out,
                  size_t outlen);

/* The domain-event consumer (notify module's handlers). */
int webhook_on_event(struct db *db, const struct domain_event *ev);
/* Register the outbox channel 'webhook' (module init). */
void webhook_channel_register(void);

#endif
