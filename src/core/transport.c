/*
 * transport.c - see transport.h. Settings are read once at start (from
 * HONGYAN_SMTP_* / HONGYAN_SMS_*) and only read afterwards, by the
 * scheduler thread.
 */
#include "core/transport.h"

#include "base/log.h"
#include "core/deliver.h"

#include <stdio.h>
#include <string.h>

static struct smtp_config smtp;
static struct sms_config sms;
static bool have_smtp, have_sms;

void transport_configure(void)
{
    have_smtp = smtp_config_from_env(&smtp) == 0 && smtp_config_present(&smtp);
    have_sms = sms_config_from_env(&sms) == 0 && sms_config_present(&sms);
    log_info("outgoing e-mail: %s; SMS: %s", have_smtp ? "SMTP" : "dev mailbox",
             have_sms ? "gateway" : "dev mailbox");
}

int transport_send(const char *channel, const char *recipient, const char *subject,
                   const char *body, const char *idempotency_key, char *err, size_t errlen)
{
    if (strcmp(channel, "email") == 0) {
        if (!have_smtp)
            return TRANSPORT_NOT_CONFIGURED;
        char message_id[128];
        /* The id is stable per outbox row, so a repeat after a crash can be
         * recognised by the receiving side. */
        snprintf(message_id, sizeof(message_id), "%s@hongyan.local", idempotency_key);
        return deliver_email(&smtp, recipient, subject, body, message_id, err, errlen) ? -1 : 0;
    }
    if (strcmp(channel, "sms") == 0) {
        if (!have_sms)
            return TRANSPORT_NOT_CONFIGURED;
        return deliver_sms(&sms, recipient, body, idempotency_key, err, errlen) ? -1 : 0;
    }
    snprintf(err, errlen, "no transport for channel '%s'", channel);
    return TRANSPORT_NOT_CONFIGURED;
}
