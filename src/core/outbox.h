/*
 * outbox.h - every outgoing message (e-mail, SMS, DingTalk and WeCom robot
 * messages, webhooks) is a row written in the same transaction as
 * the change that caused it, and delivered afterwards by the scheduler
 * with retries and exponential backoff; a channel with a per-minute cap
 * (core/transport.h) defers what exceeds it without counting an attempt.
 *
 * Delivery guarantees: a message is never lost (the row exists as soon as
 * its cause is committed); a message is claimed with a lease before it is
 * sent, so two processes never send it at once; with no transport
 * configured it lands in the dev mailbox in the same transaction that marks
 * it sent (exactly once). Through SMTP or an SMS gateway a crash between
 * "sent" and "marked" can repeat a send after the lease runs out; the
 * message carries its outbox id (Message-ID / idempotency key) so the
 * receiving side can drop the repeat.
 *
 * Rows of channel 'webhook' (delivered by notify/webhook_send.c; any module
 * may queue one with outbox_enqueue):
 *   recipient  a webhook subscription's id in decimal ("12"): POSTed to its
 *              URL and signed with its secret (X-Hongyan-Signature); or an
 *              absolute http(s) URL: POSTed there unsigned;
 *   subject    the event type, sent as X-Hongyan-Event ("ticket.created");
 *              no line breaks, at most 100 bytes;
 *   body       the JSON document sent as it is, by convention
 *              {"id","type","occurred_at","data"} (docs/webhooks.md);
 *   dedupe_key e.g. "rule:<rule id>:<event id>" so a repeated cause queues
 *              one call.
 * The address goes through core/http_out (SSRF guard, no redirects); a 2xx
 * answer is delivered, anything else is retried with the backoff below.
 */
#ifndef HY_OUTBOX_H
#define HY_OUTBOX_H

#include "http/http.h"

#include <stdint.h>

struct db;

#define OUTBOX_MAX_ATTEMPTS 8

/* Queue a message inside the caller's transaction. dedupe_key (may be NULL)
 * makes a second enqueue for the same event a no-op. */
int outbox_enqueue(struct db *db, const char *channel, const char *recipient, const char *subject,
                   const char *body, const char *dedupe_key);
/* An e-mail's attachment: a file in the files directory (core/files.h)
 * named file (a plain name, no '/'), sent as name with content type type.
 * The row holds the reference, never the bytes; the file is a snapshot of
 * what goes out and is removed once the message is sent or given up. */
struct outbox_attachment {
    const char *file, *name, *type;
};
/* outbox_enqueue with an attachment (NULL: none), the new row's id into
 * *id (0 when the dedupe key made it a no-op). */
int outbox_enqueue_with(struct db *db, const char *channel, const char *recipient,
                        const char *subject, const char *body, const char *dedupe_key,
                        const struct outbox_attachment *att, int64_t *id);
/* Deliver the messages that are due; answers how many were handled. */
int outbox_run(struct db *db);
/* Deliver until the outbox has no due message (or the scheduler stops):
 * the core module's periodic work, on every scheduler pass. */
int outbox_drain(struct db *db);
/* Read transport settings from the environment (once, at start). */
void outbox_configure(void);

extern const struct route outbox_routes[];

#endif
