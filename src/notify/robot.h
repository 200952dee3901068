/*
 * robot.h - DingTalk and WeCom group robots: the admin's settings
 * (robot.c: webhook address and secret sealed with the data key, never
 * shown again; the branch and kinds a robot serves) and their delivery
 * through the outbox (robot_send.c: DingTalk's signature, both payloads,
 * "errcode 0 or it failed", 20 messages a minute per robot).
 */
#ifndef HY_ROBOT_H
#define HY_ROBOT_H

#include "auth/actor.h"
#include "base/datakey.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* Both robots accept 20 messages a minute each (their documentation). */
#define ROBOT_PER_MINUTE 20

/*
 * Operations (core/op.h): own transaction, audit without secrets.
 * robot_save: create (id 0, *out_id set) or edit robot id from in: "name",
 * "kind" (dingtalk, wecom), "url" (http(s); https unless the host is
 * allow-listed; never an internal address), "secret" (DingTalk signing
 * secret, WeCom key), "enabled", "branch_id" (null: every branch),
 * "kinds" (notification kinds; empty: all), "version" (edit). An edit
 * without "url" or "secret" keeps the stored one. Audit
 * "notify.robot.create" / "notify.robot.update".
 */
int robot_save(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *out_id,
               json_t *errors);
/* Remove robot id; its undelivered messages end as dead ("robot removed").
 * Audit "notify.robot.delete". */
int robot_delete(struct db *db, const struct actor *a, int64_t id);
/* Queue a test message to robot id (enabled or not), @-mentioning a's bound
 * mobile; *outbox_id is the message. Audit "notify.robot.test". */
int robot_test(struct db *db, const struct actor *a, int64_t id, int64_t *outbox_id);

/* Re-seal every robot's address and secret from key `from` to key `to`
 * (hongyan rotate-key), in one transaction; robots already under `to` are
 * skipped. *done: how many were re-sealed. 0 or a negative DB_* (also when
 * a value opens under neither key). */
int robot_rotate(struct db *db, const struct datakey *from, const struct datakey *to,
                 int64_t *done);

/* The address as shown: every query value replaced by ••••. Caller frees. */
char *robot_url_shown(const char *url);

/* DingTalk's signature of timestamp_ms with secret: Base64 of
 * HMAC-SHA256(key = secret, "timestamp\nsecret"), URL-encoded, into out. */
void robot_dingtalk_sign(const char *secret, long long timestamp_ms, char *out, size_t outlen);
/* The JSON a robot is sent for an outbox body {"title","text","mobiles"}
 * (caller frees; NULL when the body is not that). DingTalk: markdown with
 * "at":{"atMobiles","isAtAll":false} and each mobile @-named in the text.
 * WeCom: markdown; with mobiles to mention a text message with
 * mentioned_mobile_list instead (WeCom's markdown cannot mention). */
char *robot_payload(const char *kind, const char *body);

/* Register the two outbox channels (module init). */
void robot_channels_register(void);

#endif
