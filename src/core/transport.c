/*
 * transport.c - see transport.h. (Wired to deliver.c once it lands.)
 */
#include "core/transport.h"

void transport_configure(void)
{
}

int transport_send(const char *channel, const char *recipient, const char *subject,
                   const char *body, const char *idempotency_key, char *err, size_t errlen)
{
    (void)channel;
    (void)recipient;
    (void)subject;
    (void)body;
    (void)idempotency_key;
    (void)err;
    (void)errlen;
    return TRANSPORT_NOT_CONFIGURED;
}
