/*
 * transport.h - choosing how an outbox message leaves the building: SMTP for
 * e-mail and an HTTP gateway for SMS when configured (src/core/deliver.c
 * does the talking), otherwise "not configured" and the dev mailbox; and
 * the channels a higher module delivers itself (the DingTalk and WeCom
 * robots of src/notify/), registered at start-up.
 */
#ifndef HY_TRANSPORT_H
#define HY_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

struct db;

#define TRANSPORT_NOT_CONFIGURED 1

/* A channel delivered by a higher module. send: one attempt for the outbox
 * row's recipient, subject and body (key: the row's stable idempotency
 * key), reading what it needs through db (no transaction open); 0 when
 * delivered, negative with a lowercase reason in err (no credentials).
 * per_minute: at most this many sends to one recipient in any 60 seconds
 * (0: no limit); a message beyond it waits, neither failed nor dropped. */
struct transport_channel {
    const char *name; /* outbox.channel */
    int per_minute;
    int (*send)(struct db *db, const char *recipient, const char *subject, const char *body,
                const char *key, char *err, size_t errlen);
};

/* Read SMTP / SMS settings and the outgoing-HTTP allow-list (start-up). */
void transport_configure(void);
/* Add a channel (module init, before threads; at most a handful). */
void transport_register(const struct transport_channel *c);
/* The registered channel name, or NULL. */
const struct transport_channel *transport_find(const char *name);
/* Whether e-mail and SMS leave by SMTP / the gateway (else the dev mailbox). */
void transport_status(bool *smtp, bool *sms);
/* A file to attach to an e-mail: its path, the name it is sent as, its
 * content type. */
struct transport_attachment {
    const char *path, *name, *type;
};
/* transport_send with an attachment (NULL: none; e-mail only, another
 * channel refuses a message that has one). */
int transport_send_with(struct db *db, const char *channel, const char *recipient,
                        const char *subject, const char *body,
                        const struct transport_attachment *att, const char *idempotency_key,
                        char *err, size_t errlen);
/* 0 = delivered, TRANSPORT_NOT_CONFIGURED, negative = failed (err says why). */
int transport_send(struct db *db, const char *channel, const char *recipient, const char *subject,
                   const char *body, const char *idempotency_key, char *err, size_t errlen);

#endif
