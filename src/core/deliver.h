/*
 * deliver.h - outgoing transports: e-mail over SMTP and SMS through an HTTP
 * gateway, both with libcurl. No database here: the outbox scheduler owns
 * retries and bookkeeping and calls these once per attempt.
 *
 * Every send carries the outbox row's stable id (the e-mail's Message-ID,
 * the SMS request's "id" and Idempotency-Key) so that a resend after a
 * crash between "sent" and "marked as sent" can be de-duplicated by the
 * receiver.
 *
 * Errors: functions return 0 or a negative enum deliver_error, and write a
 * lowercase, human-readable reason (no credentials) into err[errlen].
 * Thread-safe: each call uses its own curl handle; libcurl's global state
 * is initialised once on first use.
 */
#ifndef HY_DELIVER_H
#define HY_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum deliver_error {
    DELIVER_OK = 0,
    DELIVER_EINVAL = -1,     /* bad argument: header injection, bad address... */
    DELIVER_ECONFIG = -2,    /* transport not configured */
    DELIVER_ETRANSPORT = -3, /* connection, TLS, protocol or timeout failure */
    DELIVER_EREJECTED = -4,  /* the server answered and refused (SMTP 5xx, HTTP non-2xx) */
};

/* STARTTLS handling for smtp:// URLs (smtps:// is always implicit TLS). */
enum smtp_starttls {
    SMTP_STARTTLS_REQUIRED = 0, /* default: never send credentials or mail in clear */
    SMTP_STARTTLS_TRY = 1,      /* upgrade when offered */
    SMTP_STARTTLS_OFF = 2,      /* plain SMTP, e.g. a relay on localhost */
};

struct smtp_config {
    char *url;  /* smtp://host:587 or smtps://host:465 */
    char *user; /* NULL: no authentication */
    char *password;
    char *from; /* bare address, e.g. noreply@post.example.cn */
    enum smtp_starttls starttls;
    long timeout_s; /* whole transfer; 0 means 30 */
};

struct sms_config {
    char *url;      /* gateway endpoint, http:// or https:// */
    char *token;    /* NULL: no Authorization header */
    long timeout_s; /* 0 means 10 */
};

/*
 * Fill *cfg from HONGYAN_SMTP_URL, HONGYAN_SMTP_USER, HONGYAN_SMTP_PASSWORD,
 * HONGYAN_SMTP_FROM and HONGYAN_SMTP_STARTTLS ("required" (default), "try"
 * or "off"). Unset or empty variables leave fields NULL. Call at start-up,
 * before threads (getenv races with setenv). Returns 0, or DELIVER_ECONFIG
 * for an unknown HONGYAN_SMTP_STARTTLS value (cfg is still filled).
 * Release with smtp_config_release().
 */
int smtp_config_from_env(struct smtp_config *cfg);
void smtp_config_release(struct smtp_config *cfg);
/* True when e-mail can be sent: a URL and a From address are set. */
bool smtp_config_present(const struct smtp_config *cfg);

/* Fill *cfg from HONGYAN_SMS_URL and HONGYAN_SMS_TOKEN; see smtp_config_from_env. */
int sms_config_from_env(struct sms_config *cfg);
void sms_config_release(struct sms_config *cfg);
/* True when SMS can be sent: a URL is set. */
bool sms_config_present(const struct sms_config *cfg);

/*
 * Build the RFC 5322 message deliver_email() sends, with CRLF line ends:
 * Date (from date, in UTC), From, To, Subject (RFC 2047 base64 encoded-words
 * in UTF-8, folded so no line exceeds 78 characters), Message-ID
 * (<message_id>), MIME-Version, Content-Type text/plain; charset=UTF-8,
 * Content-Transfer-Encoding base64, Auto-Submitted: auto-generated; then the
 * body, line ends normalised to CRLF, base64 in 76-character lines.
 *
 * Pure: no I/O, no clock. Returns NULL (with err filled) when from or to is
 * not a valid address, contains CR or LF (header injection), subject
 * contains CR or LF or is not UTF-8, body is not UTF-8, or message_id is
 * empty or not of the form left@right in printable ASCII without "<>" or
 * spaces. Otherwise returns a string the caller frees.
 */
char *deliver_build_email(const char *from, const char *to, const char *subject,
                          const char *body_utf8, const char *message_id, time_t date, char *err,
                          size_t errlen);

/*
 * Send one e-mail to one recipient. Builds the message with
 * deliver_build_email() (current time) and submits it with libcurl.
 * Returns 0 when the server accepted it, else a deliver_error.
 */
int deliver_email(const struct smtp_config *cfg, const char *to, const char *subject,
                  const char *body_utf8, const char *message_id, char *err, size_t errlen);

/*
 * Send one e-mail with a file attached: the text as the first part and
 * the file at path (sent as name, with content type type) as the second
 * of a multipart/mixed message built with libcurl's MIME API, both base64;
 * the headers as deliver_build_email writes them (the same checks). The
 * file is read while sending, not loaded whole. 0 or a deliver_error
 * (DELIVER_EINVAL when the file cannot be read).
 */
int deliver_email_attached(const struct smtp_config *cfg, const char *to, const char *subject,
                           const char *body_utf8, const char *message_id, const char *path,
                           const char *name, const char *type, char *err, size_t errlen);

/*
 * Send one SMS: POST {"phone","text","id"} as JSON to cfg->url with
 * "Authorization: Bearer <token>" when a token is set and
 * "Idempotency-Key: <idempotency_key>". The phone is normalised with
 * validate_mobile() first. Redirects are not followed; only http and https
 * are allowed. 2xx is success; any other status is DELIVER_EREJECTED with
 * the status (and the start of the response body) in err.
 */
int deliver_sms(const struct sms_config *cfg, const char *phone, const char *text,
                const char *idempotency_key, char *err, size_t errlen);

#endif
