/*
 * webhook_send.c - one delivery attempt of an outbox row of channel
 * 'webhook' (see webhook.h and the row shape in core/outbox.h): the body
 * POSTed as it is through the SSRF-safe client, with the event, delivery
 * and timestamp headers and, for a subscription, the signature; the
 * answer (status, duration, error) logged in webhook_attempts. A 2xx
 * answer is success; anything else, a redirect included (never followed),
 * is a failure the outbox retries with its backoff.
 */
#include "notify/webhook.h"

#include "base/clock.h"
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

void webhook_sign(const char *secret, long long timestamp, const char *body, char *out,
                  size_t outlen)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    char ts[24];
    snprintf(ts, sizeof(ts), "%lld.", timestamp);
    crypto_auth_hmacsha256_init(&state, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&state, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&state, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&state, mac);
    char hex[2 * sizeof(mac) + 1];
    sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
    snprintf(out, outlen, "sha256=%s", hex);
}

/* Where a row goes: a subscription's URL and opened secret, or the URL the
 * row names (unsigned). 0, or -1 with err set. */
static int target(struct db *db, const char *recipient, char **url, char **secret, char *err,
                  size_t errlen)
{
    *url = *secret = NULL;
    if (strncmp(recipient, "http://", 7) == 0 || strncmp(recipient, "https://", 8) == 0) {
        *url = xstrdup(recipient);
        return 0;
    }
    char *end;
    long long id = strtoll(recipient, &end, 10);
    struct db_stmt *st;
    int rc = *end || end == recipient
                 ? 0
                 : db_query_row(db, &st,
                                "SELECT url, secret_sealed FROM webhook_subscriptions WHERE id = ?",
                                DB_ARGS(DB_INT(id)));
    if (rc != 1) {
        snprintf(err, errlen,
                 rc < 0 ? "database error reading the subscription"
                        : "the subscription no longer exists");
        return -1;
    }
    const struct datakey *k = datakey_current();
    *url = xstrdup(db_col_text(st, 0));
    *secret = k ? datakey_open(k, db_col_text(st, 1)) : NULL;
    db_finish(st);
    if (!*secret) {
        snprintf(err, errlen, "the subscription's secret cannot be opened with the data key");
        free(*url);
        *url = NULL;
        return -1;
    }
    return 0;
}

static int64_t elapsed_ms(const struct timespec *from)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - from->tv_sec) * 1000 + (now.tv_nsec - from->tv_nsec) / 1000000;
}

static void log_attempt(struct db *db, int64_t outbox_id, long status, int64_t ms, const char *err)
{
    db_exec(
        db,
        "INSERT INTO webhook_attempts (outbox_id, attempt, status_code, duration_ms, error, at) "
        "SELECT id, attempts + 1, ?, ?, ?, ? FROM outbox WHERE id = ?",
        DB_ARGS(DB_INT_OR_NULL(status > 0, status), DB_INT(ms), DB_TEXT(err && *err ? err : NULL),
                DB_INT(clock_now()), DB_INT(outbox_id)));
}

static int post(const char *url, const char *secret, const char *type, int64_t outbox_id,
                const char *body, long *status, char *err, size_t errlen)
{
    /* The receiver compares it with its own clock: the wall clock's. */
    long long ts = (long long)time(NULL);
    char h_event[160], h_delivery[64], h_ts[64], h_sig[128] = "";
    snprintf(h_event, sizeof(h_event), "X-Hongyan-Event: %s", type);
    snprintf(h_delivery, sizeof(h_delivery), "X-Hongyan-Delivery: %lld", (long long)outbox_id);
    snprintf(h_ts, sizeof(h_ts), "X-Hongyan-Timestamp: %lld", ts);
    if (secret) {
        char sig[80];
        webhook_sign(secret, ts, body, sig, sizeof(sig));
        snprintf(h_sig, sizeof(h_sig), "X-Hongyan-Signature: %s", sig);
    }
    const char *headers[] = {"Content-Type: application/json; charset=utf-8",
                             "User-Agent: Hongyan-Webhook/1",
                             "Expect:",
                             h_event,
                             h_delivery,
                             h_ts,
                             secret ? h_sig : NULL,
                             NULL};
    struct http_out_request req = {.url = url, .headers = headers, .body = body};
    struct http_out_response resp;
    int rc = http_out_send(&req, &resp, err, errlen);
    *status = resp.status;
    if (rc == 0 && (resp.status < 200 || resp.status > 299)) {
        snprintf(err, errlen,
                 resp.status >= 300 && resp.status < 400
                     ? "receiver answered http %ld (redirects are not followed)"
                     : "receiver answered http %ld",
                 resp.status);
        rc = -1;
    }
    http_out_response_release(&resp);
    return rc ? -1 : 0;
}

static int send_webhook(struct db *db, const char *recipient, const char *subject, const char *body,
                        const char *key, char *err, size_t errlen)
{
    /* The outbox's key is "hongyan-outbox-<id>": the delivery id. */
    const char *dash = strrchr(key, '-');
    int64_t outbox_id = dash ? strtoll(dash + 1, NULL, 10) : 0;
    const char *type = subject && *subject ? subject : "webhook";
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long status = 0;
    char *url = NULL, *secret = NULL;
    int rc;
    if (strpbrk(type, "\r\n") || strlen(type) > 100) {
        snprintf(err, errlen, "the event type is not a header value");
        rc = -1;
    } else {
        rc = target(db, recipient, &url, &secret, err, errlen);
        if (!rc)
            rc = post(url, secret, type, outbox_id, body, &status, err, errlen);
    }
    log_attempt(db, outbox_id, status, elapsed_ms(&start), rc ? err : NULL);
    if (secret)
        sodium_memzero(secret, strlen(secret));
    free(secret);
    free(url);
    return rc;
}

static const struct transport_channel webhook_channel = {"webhook", 0, send_webhook};

void webhook_channel_register(void)
{
    transport_register(&webhook_channel);
}
