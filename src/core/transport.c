/*
 * transport.c - see transport.h. Settings are read once at start (from
 * HONGYAN_SMTP_* / HONGYAN_SMS_*) and only read afterwards, by the
 * scheduler thread.
 */
#include "core/transport.h"

#include "base/log.h"
#include "core/deliver.h"
#include "core/http_out.h"

#include <stdio.h>
#include <string.h>

static struct smtp_config smtp;
static struct sms_config sms;
static bool have_smtp, have_sms;

#define MAX_CHANNELS 8
static const struct transport_channel *channels[MAX_CHANNELS];
static int n_channels;

void transport_register(const struct transport_channel *c)
{
    if (n_channels < MAX_CHANNELS)
        channels[n_channels++] = c;
}

const struct transport_channel *transport_find(const char *name)
{
    for (int i = 0; i < n_channels; i++)
        if (strcmp(channels[i]->name, name) == 0)
            return channels[i];
    return NULL;
}

void transport_status(bool *smtp_on, bool *sms_on)
{
    *smtp_on = have_smtp;
    *sms_on = have_sms;
}

void transport_configure(void)
{
    http_out_configure();
    have_smtp = smtp_config_from_env(&smtp) == 0 && smtp_config_present(&smtp);
    have_sms = sms_config_from_env(&sms) == 0 && sms_config_present(&sms);
    log_info("outgoing e-mail: %s; SMS: %s", have_smtp ? "SMTP" : "dev mailbox",
             have_sms ? "gateway" : "dev mailbox");
}

int transport_send(struct db *db, const char *channel, const char *recipient, const char *subject,
                   const char *body, const char *idempotency_key, char *err, size_t errlen)
{
    return transport_send_with(db, channel, recipient, subject, body, NULL, idempotency_key, err,
                               errlen);
}

int transport_send_with(struct db *db, const char *channel, const char *recipient,
                        const char *subject, const char *body,
                        const struct transport_attachment *att, const char *idempotency_key,
                        char *err, size_t errlen)
{
    if (strcmp(channel, "email") == 0) {
        if (!have_smtp)
            return TRANSPORT_NOT_CONFIGURED;
        char message_id[128];
        /* The id is stable per outbox row, so a repeat after a crash can be
         * recognised by the receiving side. */
        snprintf(message_id, sizeof(message_id), "%s@hongyan.local", idempotency_key);
        if (att)
            return deliver_email_attached(&smtp, recipient, subject, body, message_id, att->path,
                                          att->name, att->type, err, errlen)
                       ? -1
                       : 0;
        return deliver_email(&smtp, recipient, subject, body, message_id, err, errlen) ? -1 : 0;
    }
    if (att) {
        snprintf(err, errlen, "channel '%s' takes no attachment", channel);
        return -1;
    }
    if (strcmp(channel, "sms") == 0) {
        if (!have_sms)
            return TRANSPORT_NOT_CONFIGURED;
        return deliver_sms(&sms, recipient, body, idempotency_key, err, errlen) ? -1 : 0;
    }
    const struct transport_channel *c = transport_find(channel);
    if (c)
        return c->send(db, recipient, subject, body, idempotency_key, err, errlen) ? -1 : 0;
    snprintf(err, errlen, "no transport for channel '%s'", channel);
    return TRANSPORT_NOT_CONFIGURED;
}
