/*
 * deliver.c - e-mail (SMTP) and SMS (HTTP gateway) transports over libcurl,
 * the MIME builder for the e-mail, and configuration from the environment
 * (see deliver.h for the contracts).
 */
#include "core/deliver.h"

#include "base/utf8.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "core/http_out.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---------------------------------------------------------- */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

/*
 * curl_global_init must run once before any handle; doing it lazily here
 * keeps the module self-contained. libsodium is only used for base64, which
 * needs no initialisation, but sodium_init is cheap and makes that moot.
 */
static void global_init(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || sodium_init() < 0) {
        fprintf(stderr, "hongyan: deliver: library initialisation failed\n");
        abort();
    }
}

static bool has_crlf(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

/* Printable ASCII without spaces and angle brackets: safe inside <...> and headers. */
static bool is_token(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>')
            return false;
    }
    return true;
}

/* curl_slist_append that aborts on out-of-memory instead of dropping the list. */
static struct curl_slist *slist_add(struct curl_slist *list, const char *s)
{
    struct curl_slist *l = curl_slist_append(list, s);
    if (!l) {
        fprintf(stderr, "hongyan: out of memory\n");
        abort();
    }
    return l;
}

/* A curl handle for url, limited to protocols, that never raises signals
 * (it runs on worker threads), gives up after timeout seconds and describes
 * errors into errbuf (CURL_ERROR_SIZE); NULL, with err set, when curl
 * cannot make one. */
static CURL *curl_open(const char *url, const char *protocols, long timeout, char *errbuf,
                       char *err, size_t errlen)
{
    pthread_once(&global_once, global_init);
    CURL *curl = curl_easy_init();
    if (!curl) {
        set_err(err, errlen, "cannot create curl handle");
        return NULL;
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    return curl;
}

/* Append base64 (original alphabet, padded) of data[0..n) to f. */
static void put_base64(FILE *f, const unsigned char *data, size_t n)
{
    size_t b64_len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = xmalloc(b64_len);
    sodium_bin2base64(b64, b64_len, data, n, sodium_base64_VARIANT_ORIGINAL);
    fputs(b64, f);
    free(b64);
}

/* ---- message construction --------------------------------------------- */

/*
 * Subject as RFC 2047 encoded-words. Each word carries at most 39 bytes
 * (52 base64 characters, 64 with the =?UTF-8?B?...?= wrapper), cut on
 * UTF-8 character boundaries as RFC 2047 section 5 requires, so that
 * "Subject: " plus a word stays under 78 columns; words after the first go
 * on folded continuation lines.
 */
static void put_subject(FILE *f, const char *subject)
{
    const size_t max_chunk = 39;
    size_t n = strlen(subject);
    size_t pos = 0;

    fputs("Subject:", f);
    if (n == 0) {
        fputs("\r\n", f);
        return;
    }
    while (pos < n) {
        /* The chunk must not end inside a multi-byte character. */
        size_t take = utf8_cut(subject + pos, n - pos, max_chunk);
        fputs(pos == 0 ? " =?UTF-8?B?" : "\r\n =?UTF-8?B?", f);
        put_base64(f, (const unsigned char *)subject + pos, take);
        fputs("?=", f);
        pos += take;
    }
    fputs("\r\n", f);
}

/* Body in canonical form (CRLF line ends, RFC 2045 2.10), base64, 76-column lines. */
static void put_body(FILE *f, const char *body)
{
    size_t n = strlen(body);
    /* Worst case every byte is a lone LF that becomes CRLF. */
    unsigned char *canon = xmalloc(2 * n + 1);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (body[i] == '\r') {
            canon[m++] = '\r';
            canon[m++] = '\n';
            if (i + 1 < n && body[i + 1] == '\n')
                i++;
        } else if (body[i] == '\n') {
            canon[m++] = '\r';
            canon[m++] = '\n';
        } else {
            canon[m++] = (unsigned char)body[i];
        }
    }
    size_t b64_len = sodium_base64_ENCODED_LEN(m, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = xmalloc(b64_len);
    sodium_bin2base64(b64, b64_len, canon, m, sodium_base64_VARIANT_ORIGINAL);
    size_t len = strlen(b64);
    for (size_t i = 0; i < len; i += 76) {
        fwrite(b64 + i, 1, len - i < 76 ? len - i : 76, f);
        fputs("\r\n", f);
    }
    free(b64);
    free(canon);
}

/* RFC 5322 date in UTC; names spelled out so the locale cannot change them. */
static void put_date(FILE *f, time_t date)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&date, &tm);
    fprintf(f, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday], tm.tm_mday,
            months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The checks of a message's parts (see deliver_build_email): true when
 * they pass, else false with err set. */
static bool message_ok(const char *from, const char *to, const char *subject, const char *body_utf8,
                       const char *message_id, char *err, size_t errlen)
{
    const char *at;

    if (!from || !to || !subject || !body_utf8 || !message_id) {
        set_err(err, errlen, "missing argument");
        return false;
    }
    /* Checked before the address rules so the reason names the attack. */
    if (has_crlf(from) || has_crlf(to) || has_crlf(subject)) {
        set_err(err, errlen, "line break in a header value (header injection)");
        return false;
    }
    if (validate_email(from) != 0 || strpbrk(from, " \t")) {
        set_err(err, errlen, "invalid sender address");
        return false;
    }
    if (validate_email(to) != 0 || strpbrk(to, " \t")) {
        set_err(err, errlen, "invalid recipient address");
        return false;
    }
    if (!utf8_valid(subject, strlen(subject)) || !utf8_valid(body_utf8, strlen(body_utf8))) {
        set_err(err, errlen, "subject or body is not valid utf-8");
        return false;
    }
    at = strchr(message_id, '@');
    if (!is_token(message_id) || !at || at == message_id || !at[1] || strchr(at + 1, '@')) {
        set_err(err, errlen, "message id must look like left@right");
        return false;
    }
    return true;
}

static FILE *memstream(char **buf, size_t *len)
{
    FILE *f = open_memstream(buf, len);
    if (!f) {
        fprintf(stderr, "hongyan: out of memory building e-mail\n");
        abort();
    }
    return f;
}

static void memstream_close(FILE *f)
{
    if (fclose(f) != 0) {
        fprintf(stderr, "hongyan: out of memory building e-mail\n");
        abort();
    }
}

/* Date, From, To, Subject and Message-ID, CRLF after each. */
static void put_headers(FILE *f, const char *from, const char *to, const char *subject,
                        const char *message_id, time_t date)
{
    put_date(f, date);
    fprintf(f, "From: %s\r\n", from);
    fprintf(f, "To: %s\r\n", to);
    put_subject(f, subject);
    fprintf(f, "Message-ID: <%s>\r\n", message_id);
}

char *deliver_build_email(const char *from, const char *to, const char *subject,
                          const char *body_utf8, const char *message_id, time_t date, char *err,
                          size_t errlen)
{
    if (!message_ok(from, to, subject, body_utf8, message_id, err, errlen))
        return NULL;
    char *msg = NULL;
    size_t msg_len = 0;
    FILE *f = memstream(&msg, &msg_len);
    put_headers(f, from, to, subject, message_id, date);
    fputs("MIME-Version: 1.0\r\n"
          "Content-Type: text/plain; charset=UTF-8\r\n"
          "Content-Transfer-Encoding: base64\r\n"
          /* RFC 3834: tells auto-responders not to answer system mail. */
          "Auto-Submitted: auto-generated\r\n"
          "\r\n",
          f);
    put_body(f, body_utf8);
    memstream_close(f);
    return msg;
}

/* ---- configuration ---------------------------------------------------- */

static char *env_dup(const char *name)
{
    const char *v = getenv(name);
    return (v && *v) ? xstrdup(v) : NULL;
}

int smtp_config_from_env(struct smtp_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->url = env_dup("HONGYAN_SMTP_URL");
    cfg->user = env_dup("HONGYAN_SMTP_USER");
    cfg->password = env_dup("HONGYAN_SMTP_PASSWORD");
    cfg->from = env_dup("HONGYAN_SMTP_FROM");
    cfg->starttls = SMTP_STARTTLS_REQUIRED;
    const char *tls = getenv("HONGYAN_SMTP_STARTTLS");
    if (!tls || !*tls || strcmp(tls, "required") == 0)
        return 0;
    if (strcmp(tls, "try") == 0) {
        cfg->starttls = SMTP_STARTTLS_TRY;
        return 0;
    }
    if (strcmp(tls, "off") == 0) {
        cfg->starttls = SMTP_STARTTLS_OFF;
        return 0;
    }
    return DELIVER_ECONFIG;
}

void smtp_config_release(struct smtp_config *cfg)
{
    free(cfg->url);
    free(cfg->user);
    if (cfg->password)
        sodium_memzero(cfg->password, strlen(cfg->password));
    free(cfg->password);
    free(cfg->from);
    memset(cfg, 0, sizeof(*cfg));
}

bool smtp_config_present(const struct smtp_config *cfg)
{
    return cfg && cfg->url && *cfg->url && cfg->from && *cfg->from;
}

int sms_config_from_env(struct sms_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->url = env_dup("HONGYAN_SMS_URL");
    cfg->token = env_dup("HONGYAN_SMS_TOKEN");
    return 0;
}

void sms_config_release(struct sms_config *cfg)
{
    free(cfg->url);
    if (cfg->token)
        sodium_memzero(cfg->token, strlen(cfg->token));
    free(cfg->token);
    memset(cfg, 0, sizeof(*cfg));
}

bool sms_config_present(const struct sms_config *cfg)
{
    return cfg && cfg->url && *cfg->url;
}

/* ---- SMTP ------------------------------------------------------------- */

struct upload {
    const char *data;
    size_t len, pos;
};

static size_t upload_read(char *buf, size_t size, size_t nitems, void *userp)
{
    struct upload *up = userp;
    size_t room = size * nitems;
    size_t n = up->len - up->pos < room ? up->len - up->pos : room;
    memcpy(buf, up->data + up->pos, n);
    up->pos += n;
    return n;
}

/* Submit to cfg's server for to: the message in msg (NULL: mime), curl's
 * headers in headers (with mime). 0 or a deliver_error. */
static int smtp_submit(const struct smtp_config *cfg, const char *to, const char *msg,
                       curl_mime *(*make_mime)(CURL *curl, void *arg), void *arg,
                       struct curl_slist *headers, char *err, size_t errlen)
{
    int result = 0;
    struct curl_slist *rcpt = NULL;
    char *mail_from = NULL, *rcpt_to = NULL;
    char curl_err[CURL_ERROR_SIZE] = "";
    curl_mime *mime = NULL;

    long timeout = cfg->timeout_s > 0 ? cfg->timeout_s : 30;
    CURL *curl = curl_open(cfg->url, "smtp,smtps", timeout, curl_err, err, errlen);
    if (!curl)
        return DELIVER_ETRANSPORT;
    /* Addresses were validated by message_ok: no spaces, brackets or line breaks. */
    mail_from = xasprintf("<%s>", cfg->from);
    rcpt_to = xasprintf("<%s>", to);
    rcpt = slist_add(NULL, rcpt_to);

    struct upload up = {msg, msg ? strlen(msg) : 0, 0};
    long use_ssl = cfg->starttls == SMTP_STARTTLS_OFF   ? CURLUSESSL_NONE
                   : cfg->starttls == SMTP_STARTTLS_TRY ? CURLUSESSL_TRY
                                                        : CURLUSESSL_ALL;
    curl_easy_setopt(curl, CURLOPT_USE_SSL, use_ssl);
    if (cfg->user) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, cfg->user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, cfg->password ? cfg->password : "");
    }
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    if (msg) {
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, upload_read);
        curl_easy_setopt(curl, CURLOPT_READDATA, &up);
        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up.len);
    } else {
        mime = make_mime(curl, arg);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    }
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, timeout < 10 ? timeout : 10L);

    CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
        set_err(err, errlen, "smtp: %s%s%s (server reply %ld)", curl_easy_strerror(rc),
                curl_err[0] ? ": " : "", curl_err, code);
        result = code >= 400 ? DELIVER_EREJECTED : DELIVER_ETRANSPORT;
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    curl_mime_free(mime); /* after the handle that used it; a no-op on NULL */
    free(mail_from);
    free(rcpt_to);
    return result;
}

int deliver_email(const struct smtp_config *cfg, const char *to, const char *subject,
                  const char *body_utf8, const char *message_id, char *err, size_t errlen)
{
    if (!smtp_config_present(cfg)) {
        set_err(err, errlen, "smtp is not configured");
        return DELIVER_ECONFIG;
    }
    char *msg =
        deliver_build_email(cfg->from, to, subject, body_utf8, message_id, time(NULL), err, errlen);
    if (!msg)
        return DELIVER_EINVAL;
    int rc = smtp_submit(cfg, to, msg, NULL, NULL, NULL, err, errlen);
    free(msg);
    return rc;
}

struct attached {
    const char *body, *path, *name, *type;
};

/* multipart/mixed: the text, then the file, each base64. */
static curl_mime *attached_mime(CURL *curl, void *arg)
{
    const struct attached *a = arg;
    curl_mime *mime = curl_mime_init(curl);
    curl_mimepart *text = curl_mime_addpart(mime);
    curl_mime_data(text, a->body, CURL_ZERO_TERMINATED);
    curl_mime_type(text, "text/plain; charset=UTF-8");
    curl_mime_encoder(text, "base64");
    curl_mimepart *file = curl_mime_addpart(mime);
    curl_mime_filedata(file, a->path);
    curl_mime_filename(file, a->name);
    curl_mime_type(file, a->type);
    curl_mime_encoder(file, "base64");
    return mime;
}

/* The headers of put_headers as curl's list, one entry a header: the
 * folded Subject is joined into one line (curl sends each entry as is). */
static struct curl_slist *header_list(const char *from, const char *to, const char *subject,
                                      const char *message_id)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = memstream(&text, &len);
    put_headers(f, from, to, subject, message_id, time(NULL));
    fputs("Auto-Submitted: auto-generated\r\n", f);
    memstream_close(f);
    struct curl_slist *list = NULL;
    char *line = text;
    for (char *end; (end = strstr(line, "\r\n")) != NULL;) {
        if (end[2] == ' ') { /* a folded continuation: join it */
            memmove(end, end + 2, strlen(end + 2) + 1);
            continue;
        }
        *end = '\0';
        list = slist_add(list, line);
        line = end + 2;
    }
    free(text);
    return list;
}

int deliver_email_attached(const struct smtp_config *cfg, const char *to, const char *subject,
                           const char *body_utf8, const char *message_id, const char *path,
                           const char *name, const char *type, char *err, size_t errlen)
{
    if (!smtp_config_present(cfg)) {
        set_err(err, errlen, "smtp is not configured");
        return DELIVER_ECONFIG;
    }
    if (!message_ok(cfg->from, to, subject, body_utf8, message_id, err, errlen))
        return DELIVER_EINVAL;
    if (!path || !name || !type || has_crlf(name) || has_crlf(type) || strchr(name, '"')) {
        set_err(err, errlen, "attachment name or type unfit for a header");
        return DELIVER_EINVAL;
    }
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        set_err(err, errlen, "attachment file cannot be read");
        return DELIVER_EINVAL;
    }
    fclose(probe);
    pthread_once(&global_once, global_init);
    struct curl_slist *headers = header_list(cfg->from, to, subject, message_id);
    struct attached a = {body_utf8, path, name, type};
    int rc = smtp_submit(cfg, to, NULL, attached_mime, &a, headers, err, errlen);
    curl_slist_free_all(headers);
    return rc;
}

/* ---- SMS -------------------------------------------------------------- */

/* The first bytes of the gateway's answer, for the error message: no
 * control characters (the reason ends up in logs and the UI). */
static void snippet(const char *body, size_t len, char *out, size_t n)
{
    size_t i = 0;
    for (; body && i < len && i + 1 < n; i++) {
        unsigned char c = (unsigned char)body[i];
        out[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
    }
    out[i] = '\0';
}

/* The gateway's JSON body for one message (the caller frees it); NULL, with
 * *result and err set, when the configuration or the message is unfit. */
static char *sms_body(const struct sms_config *cfg, const char *phone, const char *text,
                      const char *idempotency_key, int *result, char *err, size_t errlen)
{
    char mobile[12];
    *result = DELIVER_ECONFIG;
    if (!sms_config_present(cfg)) {
        set_err(err, errlen, "sms gateway is not configured");
        return NULL;
    }
    if (cfg->token && has_crlf(cfg->token)) {
        set_err(err, errlen, "sms token contains a line break");
        return NULL;
    }
    *result = DELIVER_EINVAL;
    if (!phone || validate_mobile(phone, mobile) != 0) {
        set_err(err, errlen, "invalid mobile number");
        return NULL;
    }
    if (!idempotency_key || !is_token(idempotency_key)) {
        set_err(err, errlen, "idempotency key must be printable ascii without spaces");
        return NULL;
    }
    /* json_pack refuses invalid UTF-8, so this also validates the text. */
    json_t *json =
        text ? json_pack("{s:s, s:s, s:s}", "phone", mobile, "text", text, "id", idempotency_key)
             : NULL;
    if (!json) {
        set_err(err, errlen, "sms text missing or not valid utf-8");
        return NULL;
    }
    char *body = json_dumps(json, JSON_COMPACT);
    json_decref(json);
    if (!body) {
        fprintf(stderr, "hongyan: out of memory\n");
        abort();
    }
    *result = 0;
    return body;
}

int deliver_sms(const struct sms_config *cfg, const char *phone, const char *text,
                const char *idempotency_key, char *err, size_t errlen)
{
    int result = 0;
    char *auth = NULL;
    char *body = sms_body(cfg, phone, text, idempotency_key, &result, err, errlen);
    if (!body)
        return result;

    char *idem = xasprintf("Idempotency-Key: %s", idempotency_key);
    if (cfg->token)
        auth = xasprintf("Authorization: Bearer %s", cfg->token);
    const char *headers[] = {"Content-Type: application/json",
                             "Accept: application/json",
                             "Expect:", /* no 100-continue round trip */
                             idem,
                             auth,
                             NULL};
    /* Through the SSRF-safe client: it never follows a redirect, so a send
     * is never replayed elsewhere. */
    struct http_out_request req = {
        .url = cfg->url, .headers = headers, .body = body, .timeout_s = cfg->timeout_s};
    struct http_out_response resp;
    char why[256] = "";
    int rc = http_out_send(&req, &resp, why, sizeof(why));
    if (rc) {
        set_err(err, errlen, "sms gateway: %s", why);
        result = DELIVER_ETRANSPORT;
    } else if (resp.status < 200 || resp.status > 299) {
        char start[160];
        snippet(resp.body, resp.len, start, sizeof(start));
        set_err(err, errlen, "sms gateway returned http %ld%s%s", resp.status, start[0] ? ": " : "",
                start);
        result = DELIVER_EREJECTED;
    }
    http_out_response_release(&resp);
    free(body);
    free(idem);
    if (auth)
        sodium_memzero(auth, strlen(auth));
    free(auth);
    return result;
}
