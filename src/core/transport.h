/*
 * transport.h - choosing how an outbox message leaves the building: SMTP for
 * e-mail and an HTTP gateway for SMS when configured (src/core/deliver.c
 * does the talking), otherwise "not configured" and the dev mailbox.
 */
#ifndef HY_TRANSPORT_H
#define HY_TRANSPORT_H

#include <stddef.h>

#define TRANSPORT_NOT_CONFIGURED 1

void transport_configure(void);
/* 0 = delivered, TRANSPORT_NOT_CONFIGURED, negative = failed (err says why). */
int transport_send(const char *channel, const char *recipient, const char *subject,
                   const char *body, const char *idempotency_key, char *err, size_t errlen);

#endif
