/*
 * imap.c - see imap.h. curl makes the connection and signs in; the
 * commands and their answers are read here, line by line, with literals
 * ("{123}" then 123 bytes) taken whole.
 */
#include "mail/imap.h"

#include "base/xmalloc.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void set_err(struct imap *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(struct imap *im, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(im->err, sizeof(im->err), fmt, ap);
    va_end(ap);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int imap_open(struct imap *im, const struct imap_settings *s)
{
    memset(im, 0, sizeof(*im));
    im->sock = -1;
    im->timeout_s = s->timeout_s > 0 ? s->timeout_s : 30;
    im->max_reply = s->max_reply;
    strbuf_init(&im->in, s->max_reply + 65536);
    /* Thread-safe and counted since curl 7.84: the outbox does the same. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        set_err(im, "cannot initialise curl");
        return IMAP_ECONNECT;
    }
    CURL *curl = curl_easy_init();
    if (!curl) {
        set_err(im, "cannot create curl handle");
        return IMAP_ECONNECT;
    }
    im->curl = curl;
    char curl_err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, s->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "imap,imaps");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, im->timeout_s < 10 ? im->timeout_s : 10L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L);
    /* Also bounds the LOGOUT curl says at imap_close (120 s by default). */
    curl_easy_setopt(curl, CURLOPT_SERVER_RESPONSE_TIMEOUT, im->timeout_s);
    curl_easy_setopt(curl, CURLOPT_USERNAME, s->user ? s->user : "");
    curl_easy_setopt(curl, CURLOPT_PASSWORD, s->password ? s->password : "");
    if (strncmp(s->url, "imap://", 7) == 0)
        curl_easy_setopt(curl, CURLOPT_USE_SSL,
                         s->starttls == 0   ? (long)CURLUSESSL_ALL
                         : s->starttls == 1 ? (long)CURLUSESSL_TRY
                                            : (long)CURLUSESSL_NONE);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
    if (rc != CURLE_OK) {
        set_err(im, "%s%s%s", curl_easy_strerror(rc), curl_err[0] ? ": " : "", curl_err);
        return rc == CURLE_LOGIN_DENIED ? IMAP_ELOGIN : IMAP_ECONNECT;
    }
    curl_socket_t sock;
    if (curl_easy_getinfo(curl, CURLINFO_ACTIVESOCKET, &sock) != CURLE_OK ||
        sock == CURL_SOCKET_BAD) {
        set_err(im, "no connection after sign-in");
        return IMAP_ECONNECT;
    }
    im->sock = (int)sock;
    return IMAP_OK;
}

void imap_close(struct imap *im)
{
    if (im->curl)
        curl_easy_cleanup(im->curl); /* says LOGOUT */
    strbuf_release(&im->in);
    im->curl = NULL;
    im->sock = -1;
}

/* Wait until the socket is ready for events, up to the deadline. */
static int wait_sock(struct imap *im, short events, int64_t deadline)
{
    int64_t left = deadline - now_ms();
    if (left <= 0) {
        set_err(im, "no answer from the server within %ld s", im->timeout_s);
        return IMAP_EPROTOCOL;
    }
    struct pollfd p = {.fd = im->sock, .events = events};
    if (poll(&p, 1, (int)left) < 0) {
        set_err(im, "poll failed");
        return IMAP_ECONNECT;
    }
    return IMAP_OK;
}

static int send_all(struct imap *im, const char *data, size_t len, int64_t deadline)
{
    while (len > 0) {
        size_t sent = 0;
        CURLcode rc = curl_easy_send(im->curl, data, len, &sent);
        if (rc == CURLE_AGAIN) {
            int w = wait_sock(im, POLLOUT, deadline);
            if (w)
                return w;
            continue;
        }
        if (rc != CURLE_OK) {
            set_err(im, "send: %s", curl_easy_strerror(rc));
            return IMAP_ECONNECT;
        }
        data += sent;
        len -= sent;
    }
    return IMAP_OK;
}

/* Receive more bytes into im->in. */
static int receive(struct imap *im, int64_t deadline)
{
    for (;;) {
        char buf[16384];
        size_t n = 0;
        CURLcode rc = curl_easy_recv(im->curl, buf, sizeof(buf), &n);
        if (rc == CURLE_AGAIN) {
            int w = wait_sock(im, POLLIN, deadline);
            if (w)
                return w;
            continue;
        }
        if (rc != CURLE_OK || n == 0) {
            set_err(im, "the server closed the connection%s%s", rc ? ": " : "",
                    rc ? curl_easy_strerror(rc) : "");
            return IMAP_ECONNECT;
        }
        /* Drop what was read before growing. */
        if (im->pos > 0) {
            memmove(im->in.buf, im->in.buf + im->pos, im->in.len - im->pos);
            strbuf_setlen(&im->in, im->in.len - im->pos);
            im->pos = 0;
        }
        if (strbuf_add(&im->in, buf, n)) {
            set_err(im, "an answer larger than %zu bytes", im->max_reply);
            return IMAP_ETOOBIG;
        }
        return IMAP_OK;
    }
}

/* The next line (without CRLF) into *line / *len, pointing into im->in
 * (valid until the next receive). */
static int next_line(struct imap *im, const char **line, size_t *len, int64_t deadline)
{
    for (;;) {
        const char *start = im->in.buf ? im->in.buf + im->pos : NULL;
        size_t avail = im->in.len - im->pos;
        const char *nl = start ? memchr(start, '\n', avail) : NULL;
        if (nl) {
            *line = start;
            *len = (size_t)(nl - start);
            if (*len > 0 && start[*len - 1] == '\r')
                (*len)--;
            im->pos += (size_t)(nl - start) + 1;
            return IMAP_OK;
        }
        int rc = receive(im, deadline);
        if (rc)
            return rc;
    }
}

/* n raw bytes (a literal) appended to out. */
static int take_bytes(struct imap *im, size_t n, struct strbuf *out, int64_t deadline)
{
    while (n > 0) {
        size_t avail = im->in.len - im->pos;
        if (avail == 0) {
            int rc = receive(im, deadline);
            if (rc)
                return rc;
            continue;
        }
        size_t take = avail < n ? avail : n;
        if (strbuf_add(out, im->in.buf + im->pos, take)) {
            set_err(im, "an answer larger than %zu bytes", im->max_reply);
            return IMAP_ETOOBIG;
        }
        im->pos += take;
        n -= take;
    }
    return IMAP_OK;
}

/* The size of a literal announced at the end of line ("{123}" or
 * "{123+}"), -1 when the line announces none. */
static int64_t literal_size(const char *line, size_t len)
{
    if (len < 3 || line[len - 1] != '}')
        return -1;
    size_t i = len - 1;
    if (i > 0 && line[i - 1] == '+')
        i--;
    size_t end = i;
    while (i > 0 && line[i - 1] >= '0' && line[i - 1] <= '9')
        i--;
    if (i == 0 || i == end || line[i - 1] != '{' || end - i > 12)
        return -1;
    return strtoll(line + i, NULL, 10);
}

int imap_command(struct imap *im, struct imap_reply *reply, const char *fmt, ...)
{
    memset(reply, 0, sizeof(*reply));
    strbuf_init(&reply->text, im->max_reply + 65536);
    char cmd[1024], tag[16];
    snprintf(tag, sizeof(tag), "H%u", ++im->tag);
    int n = snprintf(cmd, sizeof(cmd), "%s ", tag);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(cmd + n, sizeof(cmd) - (size_t)n - 2, fmt, ap);
    va_end(ap);
    if (m < 0 || (size_t)(n + m) >= sizeof(cmd) - 2 || strpbrk(cmd, "\r\n")) {
        set_err(im, "command too long or with a line break");
        return IMAP_EPROTOCOL;
    }
    memcpy(cmd + n + m, "\r\n", 3);
    int64_t deadline = now_ms() + im->timeout_s * 1000;
    int rc = send_all(im, cmd, strlen(cmd), deadline);
    if (rc)
        return rc;
    size_t taglen = strlen(tag);
    for (;;) {
        const char *line;
        size_t len;
        if ((rc = next_line(im, &line, &len, deadline)))
            return rc;
        if (len > taglen && strncmp(line, tag, taglen) == 0 && line[taglen] == ' ') {
            const char *st = line + taglen + 1;
            if (len - taglen - 1 >= 2 && strncmp(st, "OK", 2) == 0)
                return IMAP_OK;
            set_err(im, "%.*s", (int)(len < 200 ? len : 200), line);
            return IMAP_EPROTOCOL;
        }
        /* An untagged line, perhaps with literals: copy it, and each
         * literal and the rest of the line after it. */
        for (;;) {
            if (strbuf_add(&reply->text, line, len) || strbuf_add(&reply->text, "\r\n", 2)) {
                set_err(im, "an answer larger than %zu bytes", im->max_reply);
                return IMAP_ETOOBIG;
            }
            int64_t lit = literal_size(line, len);
            if (lit < 0)
                break;
            if ((size_t)lit > im->max_reply) {
                set_err(im, "a literal of %" PRId64 " bytes, over the cap", lit);
                return IMAP_ETOOBIG;
            }
            size_t off = reply->text.len;
            if ((rc = take_bytes(im, (size_t)lit, &reply->text, deadline)))
                return rc;
            if (!reply->has_literal) {
                reply->has_literal = true;
                reply->lit_off = off;
                reply->lit_len = (size_t)lit;
            }
            if ((rc = next_line(im, &line, &len, deadline)))
                return rc;
        }
    }
}

void imap_reply_release(struct imap_reply *reply)
{
    strbuf_release(&reply->text);
    memset(reply, 0, sizeof(*reply));
}

int64_t imap_uidvalidity(const char *text)
{
    const char *p = text ? strstr(text, "[UIDVALIDITY ") : NULL;
    return p ? strtoll(p + 13, NULL, 10) : 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t *imap_search_uids(const char *text, int64_t above, size_t *n)
{
    *n = 0;
    size_t cap = 16;
    int64_t *uids = xmalloc(cap * sizeof(*uids));
    for (const char *p = text; p && (p = strstr(p, "* SEARCH")) != NULL;) {
        p += 8;
        while (*p == ' ' || (*p >= '0' && *p <= '9')) {
            if (*p == ' ') {
                p++;
                continue;
            }
            char *end;
            long long v = strtoll(p, &end, 10);
            p = end;
            if (v <= above)
                continue;
            if (*n == cap) {
                cap *= 2;
                uids = xrealloc(uids, cap * sizeof(*uids));
            }
            uids[(*n)++] = v;
        }
    }
    qsort(uids, *n, sizeof(*uids), cmp_i64);
    return uids;
}

int64_t imap_fetch_size(const char *text, int64_t uid)
{
    for (const char *line = text; line && *line;) {
        const char *eol = strstr(line, "\r\n");
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        char buf[256];
        snprintf(buf, sizeof(buf), "%.*s", (int)(len < sizeof(buf) - 1 ? len : sizeof(buf) - 1),
                 line);
        const char *u = strstr(buf, "UID ");
        const char *s = strstr(buf, "RFC822.SIZE ");
        if (strncmp(buf, "* ", 2) == 0 && u && s && strtoll(u + 4, NULL, 10) == uid)
            return strtoll(s + 12, NULL, 10);
        line = eol ? eol + 2 : NULL;
    }
    return -1;
}
