/*
 * robot_send.c - one delivery attempt of an outbox row to a DingTalk or
 * WeCom group robot (see robot.h), through the SSRF-safe client.
 *
 * DingTalk ("加签"): the webhook address gets &timestamp=<ms>&sign=<s>,
 * s = urlencode(base64(HMAC-SHA256(secret, "<ms>\n<secret>"))); the robot
 * refuses a timestamp more than an hour off, so it is the wall clock's, not
 * the movable test clock's. WeCom: the key rides in the address
 * (?key=KEY). Both answer HTTP 200 with {"errcode":0,...} on success; any
 * other status or errcode is a failure the outbox retries, with the
 * robot's errmsg as the reason shown to the admin.
 */
#include "notify/robot.h"

#include "base/datakey.h"
#include "base/xmalloc.h"
#include "core/http_out.h"
#include "core/transport.h"
#include "db/db.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* RFC 3986 unreserved characters stay, everything else is %XX. */
static void url_encode(const char *in, char *out, size_t outlen)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && o + 4 < outlen; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
}

void robot_dingtalk_sign(const char *secret, long long timestamp_ms, char *out, size_t outlen)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    char *text = xasprintf("%lld\n%s", timestamp_ms, secret);
    crypto_auth_hmacsha256_init(&state, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&state, (const unsigned char *)text, strlen(text));
    crypto_auth_hmacsha256_final(&state, mac);
    sodium_memzero(text, strlen(text));
    free(text);
    char b64[sodium_base64_ENCODED_LEN(sizeof(mac), sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof(b64), mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
    url_encode(b64, out, outlen);
}

char *robot_payload(const char *kind, const char *body)
{
    json_t *in = json_loads(body, 0, NULL);
    const char *title = json_string_value(json_object_get(in, "title"));
    const char *text = json_string_value(json_object_get(in, "text"));
    json_t *mobiles = json_object_get(in, "mobiles");
    json_t *out = NULL;
    if (!title || !text || !json_is_array(mobiles))
        goto done;
    if (strcmp(kind, "dingtalk") == 0) {
        /* A mention shows only when the text names the mobile too. */
        char *full = xstrdup(text);
        size_t i;
        json_t *m;
        json_array_foreach(mobiles, i, m)
        {
            char *more = xasprintf("%s%s@%s", full, i ? " " : "\n\n", json_string_value(m));
            free(full);
            full = more;
        }
        out = json_pack("{s:s,s:{s:s,s:s},s:{s:O,s:b}}", "msgtype", "markdown", "markdown", "title",
                        title, "text", full, "at", "atMobiles", mobiles, "isAtAll", 0);
        free(full);
    } else if (json_array_size(mobiles) > 0) {
        out = json_pack("{s:s,s:{s:s,s:O}}", "msgtype", "text", "text", "content", text,
                        "mentioned_mobile_list", mobiles);
    } else {
        out = json_pack("{s:s,s:{s:s}}", "msgtype", "markdown", "markdown", "content", text);
    }
done:
    json_decref(in);
    char *s = out ? json_dumps(out, JSON_COMPACT) : NULL;
    json_decref(out);
    return s;
}

/* The robot's address for this attempt: DingTalk's signed, WeCom's with
 * its key (unless the address has one). Caller frees. */
static char *signed_url(const char *kind, const char *url, const char *secret)
{
    const char *sep = strchr(url, '?') ? "&" : "?";
    char enc[256];
    if (strcmp(kind, "dingtalk") == 0) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        long long ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
        robot_dingtalk_sign(secret, ms, enc, sizeof(enc));
        return xasprintf("%s%stimestamp=%lld&sign=%s", url, sep, ms, enc);
    }
    if (strstr(url, "key="))
        return xstrdup(url);
    url_encode(secret, enc, sizeof(enc));
    return xasprintf("%s%skey=%s", url, sep, enc);
}

/* Judge the robot's answer: 0 on HTTP 200 with errcode 0. */
static int judge(const char *kind, const struct http_out_response *resp, char *err, size_t errlen)
{
    const char *who = strcmp(kind, "dingtalk") == 0 ? "dingtalk" : "wecom";
    json_t *j = resp->body ? json_loads(resp->body, 0, NULL) : NULL;
    json_t *code = json_object_get(j, "errcode");
    int rc = 0;
    if (resp->status != 200) {
        snprintf(err, errlen, "%s answered http %ld", who, resp->status);
        rc = -1;
    } else if (!json_is_integer(code)) {
        snprintf(err, errlen, "%s answered without an errcode", who);
        rc = -1;
    } else if (json_integer_value(code) != 0) {
        const char *msg = json_string_value(json_object_get(j, "errmsg"));
        char clean[160] = "";
        /* The reason is shown in the UI and the log: no control characters. */
        for (size_t i = 0; msg && msg[i] && i + 1 < sizeof(clean); i++)
            clean[i] = (unsigned char)msg[i] < 0x20 ? ' ' : msg[i];
        snprintf(err, errlen, "%s errcode %lld: %s", who, (long long)json_integer_value(code),
                 clean);
        rc = -1;
    }
    json_decref(j);
    return rc;
}

static int send_to_robot(struct db *db, const char *kind, const char *recipient, const char *body,
                         char *err, size_t errlen)
{
    char *end;
    long long id = strtoll(recipient, &end, 10);
    struct db_stmt *st;
    int rc = *end ? 0
                  : db_query_row(db, &st,
                                 "SELECT url_sealed, secret_sealed, enabled FROM notify_robots "
                                 "WHERE id = ? AND kind = ?",
                                 DB_ARGS(DB_INT(id), DB_TEXT(kind)));
    if (rc < 0) {
        snprintf(err, errlen, "database error reading the robot");
        return -1;
    }
    if (rc == 0) {
        snprintf(err, errlen, "the robot no longer exists");
        return -1;
    }
    if (!db_col_int(st, 2)) {
        /* Disabled after the message was queued: an admin who switches a
         * robot off expects silence from it, so the attempt fails (and is
         * retried, should it be switched on again within the outbox's
         * retries) instead of sending. */
        db_finish(st);
        snprintf(err, errlen, "the robot is disabled");
        return -1;
    }
    const struct datakey *k = datakey_current();
    char *url = k ? datakey_open(k, db_col_text(st, 0)) : NULL;
    char *secret = k ? datakey_open(k, db_col_text(st, 1)) : NULL;
    db_finish(st);
    char *payload = robot_payload(kind, body);
    char *target = url && secret ? signed_url(kind, url, secret) : NULL;
    rc = -1;
    if (!target) {
        snprintf(err, errlen, "the robot's address or secret cannot be opened with the data key");
    } else if (!payload) {
        snprintf(err, errlen, "the message is not a robot message");
    } else {
        const char *headers[] = {"Content-Type: application/json; charset=utf-8", NULL};
        struct http_out_request req = {.url = target, .headers = headers, .body = payload};
        struct http_out_response resp;
        rc = http_out_send(&req, &resp, err, errlen);
        if (rc == 0)
            rc = judge(kind, &resp, err, errlen);
        http_out_response_release(&resp);
    }
    if (secret)
        sodium_memzero(secret, strlen(secret));
    if (target)
        sodium_memzero(target, strlen(target));
    free(secret);
    free(target);
    free(url);
    free(payload);
    return rc;
}

static int send_dingtalk(struct db *db, const char *recipient, const char *subject,
                         const char *body, const char *key, char *err, size_t errlen)
{
    (void)subject;
    (void)key; /* robots have no idempotency key; the outbox's lease is the guard */
    return send_to_robot(db, "dingtalk", recipient, body, err, errlen);
}

static int send_wecom(struct db *db, const char *recipient, const char *subject, const char *body,
                      const char *key, char *err, size_t errlen)
{
    (void)subject;
    (void)key;
    return send_to_robot(db, "wecom", recipient, body, err, errlen);
}

static const struct transport_channel dingtalk = {"dingtalk", ROBOT_PER_MINUTE, send_dingtalk};
static const struct transport_channel wecom = {"wecom", ROBOT_PER_MINUTE, send_wecom};

void robot_channels_register(void)
{
    transport_register(&dingtalk);
    transport_register(&wecom);
}
