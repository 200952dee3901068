/*
 * test_deliver.c - unit tests for src/core/deliver.c: the MIME builder
 * (headers, RFC 2047 subject, base64 body, injection rejection), config
 * from the environment, and both transports against tiny servers on
 * 127.0.0.1 started by the test (an HTTP endpoint for SMS, an SMTP
 * endpoint speaking just enough of the protocol for libcurl).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/xmalloc.h"
#include "core/deliver.h"
#include "core/http_out.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- helpers ---------------------------------------------------------- */

/* Decode base64 (ignoring CR/LF) into a NUL-terminated string the caller frees. */
static char *b64_decode(const char *b64, size_t len)
{
    char *out = malloc(len + 1);
    size_t out_len = 0;
    assert_int_equal(sodium_base642bin((unsigned char *)out, len, b64, len, "\r\n", &out_len, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    out[out_len] = '\0';
    return out;
}

/* The header block (up to the blank line) and the body of a message. */
static void split_message(const char *msg, char **headers, const char **body)
{
    const char *sep = strstr(msg, "\r\n\r\n");
    assert_non_null(sep);
    *headers = strndup(msg, (size_t)(sep - msg) + 2);
    *body = sep + 4;
}

/* Value of the (unfolded) header name in headers, or NULL; caller frees. */
static char *header(const char *headers, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = headers; *p;) {
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            /* Unfold: continuation lines start with a space. */
            char *out = malloc(strlen(v) + 1);
            size_t n = 0;
            while (*v) {
                if (v[0] == '\r' && v[1] == '\n') {
                    if (v[2] != ' ' && v[2] != '\t')
                        break;
                    v += 2;
                    continue;
                }
                out[n++] = *v++;
            }
            out[n] = '\0';
            return out;
        }
        const char *eol = strstr(p, "\r\n");
        if (!eol)
            break;
        p = eol + 2;
    }
    return NULL;
}

/* Decode a sequence of =?UTF-8?B?...?= words separated by spaces. */
static char *decode_words(const char *v)
{
    char *out = calloc(1, strlen(v) + 1);
    const char *p = v;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        assert_int_equal(strncmp(p, "=?UTF-8?B?", 10), 0);
        p += 10;
        const char *end = strstr(p, "?=");
        assert_non_null(end);
        char *part = b64_decode(p, (size_t)(end - p));
        /* Each word must be whole UTF-8 on its own (RFC 2047 section 5). */
        json_t *js = json_string(part); /* NULL for invalid UTF-8 */
        assert_non_null(js);
        json_decref(js);
        size_t used = strlen(out);
        snprintf(out + used, strlen(v) + 1 - used, "%s", part);
        free(part);
        p = end + 2;
    }
    return out;
}

static char *build(const char *to, const char *subject, const char *body, const char *id, char *err)
{
    return deliver_build_email("noreply@post.example.cn", to, subject, body, id, 1700000000, err,
                               256);
}

/* ---- builder ---------------------------------------------------------- */

static void test_build_headers(void **state)
{
    (void)state;
    char err[256] = "";
    char *msg = build("zhang.san@example.cn", "您的对账单已生成", "第一行\n第二行\r\n.\n",
                      "outbox-42@hongyan.example.cn", err);
    assert_non_null(msg);
    char *h;
    const char *body;
    split_message(msg, &h, &body);

    char *v;
    assert_non_null(v = header(h, "Date"));
    assert_string_equal(v, "Tue, 14 Nov 2023 22:13:20 +0000");
    free(v);
    assert_non_null(v = header(h, "From"));
    assert_string_equal(v, "noreply@post.example.cn");
    free(v);
    assert_non_null(v = header(h, "To"));
    assert_string_equal(v, "zhang.san@example.cn");
    free(v);
    assert_non_null(v = header(h, "Message-ID"));
    assert_string_equal(v, "<outbox-42@hongyan.example.cn>");
    free(v);
    assert_non_null(v = header(h, "MIME-Version"));
    assert_string_equal(v, "1.0");
    free(v);
    assert_non_null(v = header(h, "Content-Type"));
    assert_string_equal(v, "text/plain; charset=UTF-8");
    free(v);
    assert_non_null(v = header(h, "Content-Transfer-Encoding"));
    assert_string_equal(v, "base64");
    free(v);
    assert_non_null(v = header(h, "Subject"));
    char *subject = decode_words(v);
    assert_string_equal(subject, "您的对账单已生成");
    free(subject);
    free(v);

    /* Headers are pure ASCII. */
    for (const char *p = h; *p; p++)
        assert_true((unsigned char)*p < 0x80);

    /* Body: base64 of the CRLF-normalised text, lines of at most 76. */
    for (const char *p = body; *p;) {
        const char *eol = strstr(p, "\r\n");
        assert_non_null(eol);
        assert_true(eol - p <= 76);
        p = eol + 2;
    }
    char *decoded = b64_decode(body, strlen(body));
    assert_string_equal(decoded, "第一行\r\n第二行\r\n.\r\n");
    free(decoded);
    free(h);
    free(msg);
}

static void test_build_long_subject_folds(void **state)
{
    (void)state;
    char err[256] = "";
    char subject[1024] = "";
    size_t len = 0;
    for (int i = 0; i < 40; i++) /* 1-, 3- and 4-byte boundaries mixed */
        len += (size_t)snprintf(subject + len, sizeof(subject) - len, "%s", i % 3 ? "邮" : "a鸿");
    snprintf(subject + len, sizeof(subject) - len, "%s", "😀 end");
    char *msg = build("a@b.cn", subject, "x", "id@h", err);
    assert_non_null(msg);
    /* No line of the message is longer than 78 characters. */
    for (const char *p = msg; *p;) {
        const char *eol = strstr(p, "\r\n");
        assert_non_null(eol);
        assert_true(eol - p <= 78);
        p = eol + 2;
    }
    char *h;
    const char *body;
    split_message(msg, &h, &body);
    char *v = header(h, "Subject");
    char *decoded = decode_words(v);
    assert_string_equal(decoded, subject);
    free(decoded);
    free(v);
    free(h);
    free(msg);
}

static void test_build_empty_subject_and_body(void **state)
{
    (void)state;
    char err[256] = "";
    char *msg = build("a@b.cn", "", "", "id@h", err);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "\r\nSubject:\r\n"));
    assert_non_null(strstr(msg, "\r\n\r\n"));
    free(msg);
}

static void test_build_rejects_injection(void **state)
{
    (void)state;
    char err[256];
    struct {
        const char *to, *subject, *body, *id;
    } bad[] = {
        {"a@b.cn\r\nBcc: victim@evil.cn", "s", "b", "id@h"},
        {"a@b.cn\nBcc: victim@evil.cn", "s", "b", "id@h"},
        {"a@b.cn", "hello\r\nBcc: victim@evil.cn", "b", "id@h"},
        {"a@b.cn", "hello\rX-Evil: 1", "b", "id@h"},
        {"a@b.cn", "hello\n", "b", "id@h"},
        {"a@b.cn, victim@evil.cn", "s", "b", "id@h"},
        {"Victim <v@evil.cn>", "s", "b", "id@h"},
        {"not-an-address", "s", "b", "id@h"},
        {"", "s", "b", "id@h"},
        {"a@b.cn", "bad \xff utf8", "b", "id@h"},
        {"a@b.cn", "s", "bad \xc0\xaf utf8", "id@h"},
        {"a@b.cn", "s", "b", ""},
        {"a@b.cn", "s", "b", "no-at-sign"},
        {"a@b.cn", "s", "b", "two@at@signs"},
        {"a@b.cn", "s", "b", "has space@h"},
        {"a@b.cn", "s", "b", "id@h>\r\nBcc: x@evil.cn"},
        {"a@b.cn", "s", "b", "<id@h>"},
        {"a@b.cn", "s", "b", "@h"},
        {"a@b.cn", "s", "b", "id@"},
        {"a@b.cn", NULL, "b", "id@h"},
        {"a@b.cn", "s", NULL, "id@h"},
        {"a@b.cn", "s", "b", NULL},
        {NULL, "s", "b", "id@h"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        char *msg = build(bad[i].to, bad[i].subject, bad[i].body, bad[i].id, err);
        if (msg)
            print_error("case %zu was accepted\n", i);
        assert_null(msg);
        assert_true(err[0] != '\0');
    }
    err[0] = '\0';
    assert_null(build("a@b.cn\r\nBcc: v@evil.cn", "s", "b", "id@h", err));
    assert_non_null(strstr(err, "injection"));
    /* A bad From is rejected too. */
    assert_null(deliver_build_email("x@y.cn\r\nBcc: v@e.cn", "a@b.cn", "s", "b", "id@h", 0, err,
                                    sizeof(err)));
    /* err may be NULL. */
    assert_null(deliver_build_email("x", "a@b.cn", "s", "b", "id@h", 0, NULL, 0));
}

/* ---- configuration ---------------------------------------------------- */

static void test_config_env(void **state)
{
    (void)state;
    struct smtp_config smtp;
    struct sms_config sms;

    unsetenv("HONGYAN_SMTP_URL");
    unsetenv("HONGYAN_SMTP_USER");
    unsetenv("HONGYAN_SMTP_PASSWORD");
    unsetenv("HONGYAN_SMTP_STARTTLS");
    setenv("HONGYAN_SMTP_FROM", "", 1);
    assert_int_equal(smtp_config_from_env(&smtp), 0);
    assert_false(smtp_config_present(&smtp));
    assert_null(smtp.from);
    assert_int_equal(smtp.starttls, SMTP_STARTTLS_REQUIRED);
    smtp_config_release(&smtp);

    setenv("HONGYAN_SMTP_URL", "smtp://mail.example.cn:587", 1);
    setenv("HONGYAN_SMTP_USER", "hongyan", 1);
    setenv("HONGYAN_SMTP_PASSWORD", "s3cret", 1);
    setenv("HONGYAN_SMTP_FROM", "noreply@example.cn", 1);
    setenv("HONGYAN_SMTP_STARTTLS", "off", 1);
    assert_int_equal(smtp_config_from_env(&smtp), 0);
    assert_true(smtp_config_present(&smtp));
    assert_string_equal(smtp.url, "smtp://mail.example.cn:587");
    assert_string_equal(smtp.user, "hongyan");
    assert_string_equal(smtp.password, "s3cret");
    assert_int_equal(smtp.starttls, SMTP_STARTTLS_OFF);
    smtp_config_release(&smtp);
    assert_null(smtp.url);
    assert_false(smtp_config_present(&smtp));
    assert_false(smtp_config_present(NULL));

    setenv("HONGYAN_SMTP_STARTTLS", "maybe", 1);
    assert_int_equal(smtp_config_from_env(&smtp), DELIVER_ECONFIG);
    smtp_config_release(&smtp);
    unsetenv("HONGYAN_SMTP_STARTTLS");

    unsetenv("HONGYAN_SMS_URL");
    assert_int_equal(sms_config_from_env(&sms), 0);
    assert_false(sms_config_present(&sms));
    sms_config_release(&sms);
    setenv("HONGYAN_SMS_URL", "https://sms.example.cn/send", 1);
    setenv("HONGYAN_SMS_TOKEN", "tok", 1);
    assert_int_equal(sms_config_from_env(&sms), 0);
    assert_true(sms_config_present(&sms));
    assert_string_equal(sms.token, "tok");
    sms_config_release(&sms);
}

/* ---- local test servers ----------------------------------------------- */

enum server_kind { SERVER_HTTP, SERVER_SMTP };

struct server {
    enum server_kind kind;
    int listen_fd;
    int port;
    pthread_t thread;
    int status;      /* HTTP status to answer; for SMTP the RCPT TO reply code */
    bool hang;       /* HTTP: never answer */
    char req[32768]; /* HTTP request, or SMTP commands and data as received */
    size_t req_len;
};

static void record(struct server *s, const char *data, size_t n)
{
    if (n > sizeof(s->req) - 1 - s->req_len)
        n = sizeof(s->req) - 1 - s->req_len;
    memcpy(s->req + s->req_len, data, n);
    s->req_len += n;
    s->req[s->req_len] = '\0';
}

static void send_str(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* Read one byte with a 5 s limit, so a broken client cannot hang the test. */
static int read_byte(int fd, char *c)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 5000) <= 0)
        return -1;
    return recv(fd, c, 1, 0) == 1 ? 0 : -1;
}

static int read_line(int fd, char *line, size_t cap)
{
    size_t n = 0;
    char c;
    while (read_byte(fd, &c) == 0) {
        if (n + 1 < cap)
            line[n++] = c;
        if (c == '\n') {
            line[n] = '\0';
            return 0;
        }
    }
    return -1;
}

static void serve_http(struct server *s, int fd)
{
    char c;
    size_t header_end = 0;
    while (!header_end && read_byte(fd, &c) == 0) {
        record(s, &c, 1);
        if (s->req_len >= 4 && memcmp(s->req + s->req_len - 4, "\r\n\r\n", 4) == 0)
            header_end = s->req_len;
    }
    const char *cl = strcasestr(s->req, "\r\nContent-Length:");
    size_t want = cl ? strtoul(cl + 17, NULL, 10) : 0;
    while (s->req_len - header_end < want && read_byte(fd, &c) == 0)
        record(s, &c, 1);
    if (s->hang) {
        while (read_byte(fd, &c) == 0) /* until the client gives up */
            ;
        return;
    }
    char reply[256];
    const char *body = s->status == 200 ? "{\"ok\":true}" : "{\"error\":\"quota\nexceeded\"}";
    snprintf(reply, sizeof(reply),
             "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
             "Connection: close\r\n\r\n%s",
             s->status, strlen(body), body);
    send_str(fd, reply);
}

static void serve_smtp(struct server *s, int fd)
{
    char line[4096];
    send_str(fd, "220 localhost ESMTP test\r\n");
    while (read_line(fd, line, sizeof(line)) == 0) {
        record(s, line, strlen(line));
        if (strncasecmp(line, "EHLO", 4) == 0) {
            send_str(fd, "250-localhost\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n");
        } else if (strncasecmp(line, "AUTH", 4) == 0) {
            /* Without an initial response the credentials follow a 334. */
            if (strcasecmp(line, "AUTH PLAIN\r\n") == 0) {
                send_str(fd, "334 \r\n");
                if (read_line(fd, line, sizeof(line)) != 0)
                    return;
                record(s, line, strlen(line));
            }
            send_str(fd, "235 2.7.0 ok\r\n");
        } else if (strncasecmp(line, "MAIL FROM", 9) == 0) {
            send_str(fd, "250 ok\r\n");
        } else if (strncasecmp(line, "RCPT TO", 7) == 0) {
            send_str(fd, s->status == 250 ? "250 ok\r\n" : "550 5.1.1 no such user\r\n");
        } else if (strncasecmp(line, "DATA", 4) == 0) {
            send_str(fd, "354 go ahead\r\n");
            while (read_line(fd, line, sizeof(line)) == 0) {
                record(s, line, strlen(line));
                if (strcmp(line, ".\r\n") == 0)
                    break;
            }
            send_str(fd, "250 queued\r\n");
        } else if (strncasecmp(line, "QUIT", 4) == 0) {
            send_str(fd, "221 bye\r\n");
            return;
        } else {
            send_str(fd, "502 not implemented\r\n");
        }
    }
}

static void *server_main(void *arg)
{
    struct server *s = arg;
    struct pollfd p = {.fd = s->listen_fd, .events = POLLIN};
    if (poll(&p, 1, 10000) <= 0)
        return NULL;
    int fd = accept(s->listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    if (s->kind == SERVER_HTTP)
        serve_http(s, fd);
    else
        serve_smtp(s, fd);
    close(fd);
    return NULL;
}

static struct server *server_start(enum server_kind kind, int status, bool hang)
{
    struct server *s = calloc(1, sizeof(*s));
    s->kind = kind;
    s->status = status;
    s->hang = hang;
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->listen_fd >= 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(listen(s->listen_fd, 4), 0);
    socklen_t len = sizeof(addr);
    assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&addr, &len), 0);
    s->port = ntohs(addr.sin_port);
    assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
    return s;
}

static void server_stop(struct server *s)
{
    pthread_join(s->thread, NULL);
    close(s->listen_fd);
    free(s);
}

/* ---- SMS -------------------------------------------------------------- */

static void test_sms_success(void **state)
{
    (void)state;
    struct server *srv = server_start(SERVER_HTTP, 200, false);
    char url[64], err[256] = "";
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/send", srv->port);
    struct sms_config cfg = {.url = url, .token = "t0ken-abc"};

    int rc = deliver_sms(&cfg, "+86 138 1234 1234", "您的邮件已到达，取件码 \"8848\"", "outbox-7",
                         err, sizeof(err));
    pthread_join(srv->thread, NULL);
    assert_int_equal(rc, 0);

    assert_non_null(strstr(srv->req, "POST /send HTTP/1.1\r\n"));
    assert_non_null(strcasestr(srv->req, "\r\nAuthorization: Bearer t0ken-abc\r\n"));
    assert_non_null(strcasestr(srv->req, "\r\nIdempotency-Key: outbox-7\r\n"));
    assert_non_null(strcasestr(srv->req, "\r\nContent-Type: application/json\r\n"));
    const char *body = strstr(srv->req, "\r\n\r\n") + 4;
    json_error_t jerr;
    json_t *j = json_loads(body, 0, &jerr);
    assert_non_null(j);
    assert_int_equal(json_object_size(j), 3);
    assert_string_equal(json_string_value(json_object_get(j, "phone")), "13812341234");
    assert_string_equal(json_string_value(json_object_get(j, "text")),
                        "您的邮件已到达，取件码 \"8848\"");
    assert_string_equal(json_string_value(json_object_get(j, "id")), "outbox-7");
    json_decref(j);
    close(srv->listen_fd);
    free(srv);
}

static void test_sms_no_token_no_auth_header(void **state)
{
    (void)state;
    struct server *srv = server_start(SERVER_HTTP, 204, false);
    char url[64], err[256] = "";
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/send", srv->port);
    struct sms_config cfg = {.url = url};
    assert_int_equal(deliver_sms(&cfg, "13812341234", "hi", "k1", err, sizeof(err)), 0);
    pthread_join(srv->thread, NULL);
    assert_null(strcasestr(srv->req, "Authorization:"));
    close(srv->listen_fd);
    free(srv);
}

static void test_sms_server_error(void **state)
{
    (void)state;
    struct server *srv = server_start(SERVER_HTTP, 500, false);
    char url[64], err[256] = "";
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/send", srv->port);
    struct sms_config cfg = {.url = url, .token = "secret-token"};
    int rc = deliver_sms(&cfg, "13812341234", "hi", "k2", err, sizeof(err));
    server_stop(srv);
    assert_int_equal(rc, DELIVER_EREJECTED);
    assert_non_null(strstr(err, "500"));
    assert_non_null(strstr(err, "quota"));
    assert_null(strchr(err, '\n'));           /* control characters scrubbed */
    assert_null(strstr(err, "secret-token")); /* credentials never in errors */
}

static void test_sms_timeout(void **state)
{
    (void)state;
    struct server *srv = server_start(SERVER_HTTP, 200, true);
    char url[64], err[256] = "";
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/send", srv->port);
    struct sms_config cfg = {.url = url, .timeout_s = 1};
    int rc = deliver_sms(&cfg, "13812341234", "hi", "k3", err, sizeof(err));
    server_stop(srv);
    assert_int_equal(rc, DELIVER_ETRANSPORT);
    assert_non_null(strcasestr(err, "timeout"));
}

static void test_sms_refused_connection(void **state)
{
    (void)state;
    /* Bind then close a port so nothing listens there. */
    struct server *srv = server_start(SERVER_HTTP, 200, false);
    int port = srv->port;
    shutdown(srv->listen_fd, SHUT_RDWR);
    server_stop(srv);
    char url[64], err[256] = "";
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/send", port);
    struct sms_config cfg = {.url = url};
    assert_int_equal(deliver_sms(&cfg, "13812341234", "hi", "k4", err, sizeof(err)),
                     DELIVER_ETRANSPORT);
}

static void test_sms_bad_arguments(void **state)
{
    (void)state;
    char err[256];
    struct sms_config none = {0};
    assert_int_equal(deliver_sms(&none, "13812341234", "hi", "k", err, sizeof(err)),
                     DELIVER_ECONFIG);
    struct sms_config cfg = {.url = "http://127.0.0.1:9/unused"};
    assert_int_equal(deliver_sms(&cfg, "12345", "hi", "k", err, sizeof(err)), DELIVER_EINVAL);
    assert_int_equal(deliver_sms(&cfg, NULL, "hi", "k", err, sizeof(err)), DELIVER_EINVAL);
    assert_int_equal(deliver_sms(&cfg, "13812341234", "bad \xff", "k", err, sizeof(err)),
                     DELIVER_EINVAL);
    assert_int_equal(deliver_sms(&cfg, "13812341234", NULL, "k", err, sizeof(err)), DELIVER_EINVAL);
    assert_int_equal(deliver_sms(&cfg, "13812341234", "hi", "k\r\nX-Evil: 1", err, sizeof(err)),
                     DELIVER_EINVAL);
    assert_int_equal(deliver_sms(&cfg, "13812341234", "hi", "", err, sizeof(err)), DELIVER_EINVAL);
    struct sms_config evil = {.url = "http://127.0.0.1:9/", .token = "a\r\nX-Evil: 1"};
    assert_int_equal(deliver_sms(&evil, "13812341234", "hi", "k", err, sizeof(err)),
                     DELIVER_ECONFIG);
    /* Only http and https. */
    struct sms_config file = {.url = "file:///etc/passwd"};
    assert_int_equal(deliver_sms(&file, "13812341234", "hi", "k", err, sizeof(err)),
                     DELIVER_ETRANSPORT);
}

/* ---- SMTP ------------------------------------------------------------- */

static void test_email_roundtrip(void **state)
{
    (void)state;
    struct server *srv = server_start(SERVER_SMTP, 250, false);
    char url[64], err[256] = "";
    snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", srv->port);
    struct smtp_config cfg = {.url = url,
                              .user = "hongyan",
                              .password = "pw",
                              .from = "noreply@post.example.cn",
                              .starttls = SMTP_STARTTLS_OFF};
    int rc = deliver_email(&cfg, "li.si@example.cn", "提醒：客户回访", "请于明天回访。\n",
                           "outbox-9@hongyan", err, sizeof(err));
    pthread_join(srv->thread, NULL);
    if (rc != 0)
        print_error("deliver_email: %s\n", err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(srv->req, "MAIL FROM:<noreply@post.example.cn>"));
    assert_non_null(strstr(srv->req, "RCPT TO:<li.si@example.cn>"));
    assert_non_null(strstr(srv->req, "AUTH PLAIN"));
    assert_non_null(strstr(srv->req, "\r\nMessage-ID: <outbox-9@hongyan>\r\n"));
    assert_non_null(strstr(srv->req, "\r\nContent-Transfer-Encoding: base64\r\n"));
    assert_non_null(strstr(srv->req, "\r\nSubject: =?UTF-8?B?"));
    /* The body arrives intact: base64 between the blank line and the final dot. */
    const char *body = strstr(srv->req, "\r\n\r\n");
    const char *dot = strstr(srv->req, "\r\n.\r\n");
    assert_non_null(body);
    assert_non_null(dot);
    char *text = b64_decode(body + 4, (size_t)(dot - body - 4));
    assert_string_equal(text, "请于明天回访。\r\n");
    free(text);
    close(srv->listen_fd);
    free(srv);
}

static void test_email_rejected_recipient(void **state)
{
    (void)state;
    struct server *srv = server_start(SERVER_SMTP, 550, false);
    char url[64], err[256] = "";
    snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", srv->port);
    struct smtp_config cfg = {
        .url = url, .from = "noreply@post.example.cn", .starttls = SMTP_STARTTLS_OFF};
    int rc = deliver_email(&cfg, "nobody@example.cn", "s", "b", "id@h", err, sizeof(err));
    server_stop(srv);
    assert_int_equal(rc, DELIVER_EREJECTED);
    assert_non_null(strstr(err, "550"));
}

static void test_email_starttls_required_by_default(void **state)
{
    (void)state;
    /* The test server offers no STARTTLS: the default must refuse to go on in clear. */
    struct server *srv = server_start(SERVER_SMTP, 250, false);
    char url[64], err[256] = "";
    snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", srv->port);
    struct smtp_config cfg = {.url = url, .from = "noreply@post.example.cn"};
    int rc = deliver_email(&cfg, "li.si@example.cn", "s", "b", "id@h", err, sizeof(err));
    server_stop(srv);
    assert_int_equal(rc, DELIVER_ETRANSPORT);
}

static void test_email_bad_arguments(void **state)
{
    (void)state;
    char err[256];
    struct smtp_config none = {0};
    assert_int_equal(deliver_email(&none, "a@b.cn", "s", "b", "id@h", err, sizeof(err)),
                     DELIVER_ECONFIG);
    struct smtp_config cfg = {.url = "smtp://127.0.0.1:9", .from = "x@y.cn"};
    assert_int_equal(
        deliver_email(&cfg, "a@b.cn\r\nRCPT TO:<v@evil.cn>", "s", "b", "id@h", err, sizeof(err)),
        DELIVER_EINVAL);
    assert_int_equal(deliver_email(&cfg, "a@b.cn", "s\nBcc: v@e.cn", "b", "id@h", err, sizeof(err)),
                     DELIVER_EINVAL);
}

int main(void)
{
    json_set_alloc_funcs(xmalloc, free); /* as the server does: OOM aborts */
    if (sodium_init() < 0)
        return 1;
    /* The stub gateways listen on loopback, which outgoing HTTP refuses
     * unless allow-listed, as a deployment's intranet gateway would be. */
    if (http_out_allow("127.0.0.1/32") != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_headers),
        cmocka_unit_test(test_build_long_subject_folds),
        cmocka_unit_test(test_build_empty_subject_and_body),
        cmocka_unit_test(test_build_rejects_injection),
        cmocka_unit_test(test_config_env),
        cmocka_unit_test(test_sms_success),
        cmocka_unit_test(test_sms_no_token_no_auth_header),
        cmocka_unit_test(test_sms_server_error),
        cmocka_unit_test(test_sms_timeout),
        cmocka_unit_test(test_sms_refused_connection),
        cmocka_unit_test(test_sms_bad_arguments),
        cmocka_unit_test(test_email_roundtrip),
        cmocka_unit_test(test_email_rejected_recipient),
        cmocka_unit_test(test_email_starttls_required_by_default),
        cmocka_unit_test(test_email_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
