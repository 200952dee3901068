/*
 * http_out.c - outgoing HTTP safe against SSRF (see http_out.h): the
 * address classifier, the allow-list, and the request on libcurl with the
 * checked address pinned.
 */
#include "core/http_out.h"

#include "base/log.h"
#include "base/xmalloc.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_ALLOW     32
#define MAX_ADDRS     8
#define DEFAULT_CAP   (64 * 1024)
#define ADDR_TEXT_LEN INET6_ADDRSTRLEN

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

/* ---- the classifier ---------------------------------------------------- */

static bool in4(uint32_t a, uint32_t net, int bits)
{
    uint32_t mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
    return (a & mask) == (net & mask);
}

static enum http_out_class classify4(uint32_t a)
{
    if (in4(a, 0x00000000, 8))
        return ADDR_UNSPECIFIED; /* 0.0.0.0/8: "this network" */
    if (in4(a, 0x7f000000, 8))
        return ADDR_LOOPBACK;
    if (in4(a, 0xa9fe0000, 16))
        return ADDR_LINK_LOCAL; /* 169.254/16, the cloud metadata address included */
    if (in4(a, 0xe0000000, 4))
        return ADDR_MULTICAST;
    if (in4(a, 0x0a000000, 8) || in4(a, 0xac100000, 12) || in4(a, 0xc0a80000, 16) ||
        in4(a, 0x64400000, 10) /* CGNAT */ || in4(a, 0xc0000000, 24) /* IETF protocol */ ||
        in4(a, 0xc0000200, 24) || in4(a, 0xc6336400, 24) ||
        in4(a, 0xcb007100, 24) /* documentation */ || in4(a, 0xc6120000, 15) /* benchmarks */ ||
        in4(a, 0xf0000000, 4) /* reserved and broadcast */)
        return ADDR_PRIVATE;
    return ADDR_PUBLIC;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static enum http_out_class classify6(const unsigned char *b)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};
    if (all_zero(b, 16))
        return ADDR_UNSPECIFIED;
    if (all_zero(b, 15) && b[15] == 1)
        return ADDR_LOOPBACK;
    /* Forms that carry an IPv4 address are what that address is. */
    if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0)
        return classify4(be32(b + 12));
    if (all_zero(b, 12)) /* IPv4-compatible ::a.b.c.d (deprecated) */
        return classify4(be32(b + 12)) == ADDR_PUBLIC ? ADDR_PRIVATE : classify4(be32(b + 12));
    if (b[0] == 0x20 && b[1] == 0x02) /* 6to4 2002:a.b.c.d::/48 */
        return classify4(be32(b + 2));
    if (b[0] == 0xff)
        return ADDR_MULTICAST;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        return ADDR_LINK_LOCAL;
    if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0))
        return ADDR_PRIVATE; /* ULA fc00::/7, site-local fec0::/10 */
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
        return ADDR_PRIVATE; /* documentation 2001:db8::/32 */
    if (b[0] == 0x01 && all_zero(b + 1, 7))
        return ADDR_PRIVATE; /* discard 100::/64 */
    return ADDR_PUBLIC;
}

enum http_out_class http_out_classify(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return classify4(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
    if (sa->sa_family == AF_INET6)
        return classify6(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr);
    return ADDR_UNSPECIFIED;
}

/* text as a socket address; false when it is no address literal. */
static bool parse_addr(const char *text, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, text, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        return true;
    }
    return false;
}

int http_out_classify_text(const char *text)
{
    struct sockaddr_storage ss;
    return parse_addr(text, &ss) ? (int)http_out_classify((struct sockaddr *)&ss) : -1;
}

/* ---- the allow-list ---------------------------------------------------- */

struct cidr {
    int family, bits;
    unsigned char net[16];
};

/* Written at start-up only, read by any thread afterwards. */
static struct cidr allow[MAX_ALLOW];
static int n_allow;

static bool cidr_parse(const char *text, struct cidr *c)
{
    char buf[64];
    size_t n = strlen(text);
    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, text, n + 1);
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    struct sockaddr_storage ss;
    if (!parse_addr(buf, &ss))
        return false;
    c->family = ss.ss_family;
    int max = c->family == AF_INET ? 32 : 128;
    memcpy(c->net,
           c->family == AF_INET ? (const void *)&((struct sockaddr_in *)&ss)->sin_addr
                                : (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr,
           c->family == AF_INET ? 4 : 16);
    c->bits = max;
    if (slash) {
        char *end;
        errno = 0;
        long bits = strtol(slash + 1, &end, 10);
        if (errno || end == slash + 1 || *end || bits < 0 || bits > max)
            return false;
        c->bits = (int)bits;
    }
    return true;
}

static bool cidr_has(const struct cidr *c, const unsigned char *addr, int family)
{
    if (c->family != family)
        return false;
    int full = c->bits / 8, rest = c->bits % 8;
    if (memcmp(c->net, addr, (size_t)full) != 0)
        return false;
    if (!rest)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (c->net[full] & mask) == (addr[full] & mask);
}

int http_out_allow(const char *list)
{
    struct cidr parsed[MAX_ALLOW];
    int n = 0;
    char *copy = xstrdup(list ? list : "");
    char *save = NULL;
    int rc = 0;
    for (char *item = strtok_r(copy, ", \t", &save); item; item = strtok_r(NULL, ", \t", &save)) {
        if (n == MAX_ALLOW || !cidr_parse(item, &parsed[n])) {
            rc = -1;
            break;
        }
        n++;
    }
    free(copy);
    if (rc)
        return rc;
    memcpy(allow, parsed, sizeof(parsed[0]) * (size_t)n);
    n_allow = n;
    return 0;
}

void http_out_configure(void)
{
    const char *v = getenv("HONGYAN_OUTBOUND_ALLOW");
    if (http_out_allow(v) != 0)
        log_error("HONGYAN_OUTBOUND_ALLOW: not a list of CIDRs; only public addresses are reached");
    else if (n_allow)
        log_info("outgoing HTTP may also reach %d allow-listed network(s)", n_allow);
}

bool http_out_permitted(const struct sockaddr *sa)
{
    enum http_out_class k = http_out_classify(sa);
    if (k == ADDR_PUBLIC)
        return true;
    if (k == ADDR_LINK_LOCAL || k == ADDR_MULTICAST || k == ADDR_UNSPECIFIED)
        return false;
    const unsigned char *addr =
        sa->sa_family == AF_INET
            ? (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr
            : ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
    for (int i = 0; i < n_allow; i++)
        if (cidr_has(&allow[i], addr, sa->sa_family))
            return true;
    return false;
}

/* ---- URL check and resolution ------------------------------------------ */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "hongyan: http_out: libcurl initialisation failed\n");
        abort();
    }
}

/* A URL's parts that decide where it goes. */
struct target {
    char host[256]; /* without IPv6 brackets */
    long port;
    bool literal;                 /* host is an address */
    bool internal;                /* some address is not public (allow-listed) */
    char addr[ADDR_TEXT_LEN + 2]; /* the checked address to connect to, bracketed for IPv6 */
};

static int parse_url(const char *url, struct target *t, char *err, size_t errlen)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    int rc = HTTP_OUT_EURL;
    if (!u)
        abort();
    if (!url || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        set_err(err, errlen, "not a valid url");
        goto out;
    }
    if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        set_err(err, errlen, "only http and https urls are allowed");
        goto out;
    }
    size_t n = strlen(host);
    const char *h = host;
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        h = host + 1;
        n -= 2;
    }
    if (n == 0 || n >= sizeof(t->host)) {
        set_err(err, errlen, "the url has no usable host");
        goto out;
    }
    memcpy(t->host, h, n);
    t->host[n] = '\0';
    /* A zone id ("fe80::1%eth0") names an interface: never wanted here. */
    if (strchr(t->host, '%')) {
        set_err(err, errlen, "address %s is not allowed", t->host);
        rc = HTTP_OUT_EBLOCKED;
        goto out;
    }
    t->port = strtol(port, NULL, 10);
    rc = HTTP_OUT_OK;
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

static void addr_text(const struct sockaddr *sa, char *out, size_t n, bool bracket)
{
    char buf[ADDR_TEXT_LEN];
    const void *src = sa->sa_family == AF_INET
                          ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
                          : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
    inet_ntop(sa->sa_family, src, buf, sizeof(buf));
    snprintf(out, n, bracket && sa->sa_family == AF_INET6 ? "[%s]" : "%s", buf);
}

/* Resolve t->host and check every address (one refused address refuses the
 * host: a name that also points inside is not trusted); the first one is
 * the one to connect to. */
static int resolve(struct target *t, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    if (parse_addr(t->host, &ss)) {
        t->literal = true;
        if (!http_out_permitted((struct sockaddr *)&ss)) {
            set_err(err, errlen, "address %s is not allowed (internal or reserved)", t->host);
            return HTTP_OUT_EBLOCKED;
        }
        t->internal = http_out_classify((struct sockaddr *)&ss) != ADDR_PUBLIC;
        addr_text((struct sockaddr *)&ss, t->addr, sizeof(t->addr), true);
        return HTTP_OUT_OK;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(t->host, NULL, &hints, &res);
    if (gai != 0) {
        set_err(err, errlen, "cannot resolve host %s: %s", t->host, gai_strerror(gai));
        return HTTP_OUT_ETRANSPORT;
    }
    int rc = HTTP_OUT_OK, seen = 0;
    for (struct addrinfo *ai = res; ai && seen < MAX_ADDRS; ai = ai->ai_next, seen++) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
            continue;
        if (!http_out_permitted(ai->ai_addr)) {
            char a[ADDR_TEXT_LEN + 2];
            addr_text(ai->ai_addr, a, sizeof(a), false);
            set_err(err, errlen, "host %s resolves to %s, which is not allowed", t->host, a);
            rc = HTTP_OUT_EBLOCKED;
            break;
        }
        if (http_out_classify(ai->ai_addr) != ADDR_PUBLIC)
            t->internal = true;
        if (!t->addr[0])
            addr_text(ai->ai_addr, t->addr, sizeof(t->addr), true);
    }
    freeaddrinfo(res);
    if (rc == HTTP_OUT_OK && !t->addr[0]) {
        set_err(err, errlen, "host %s has no address", t->host);
        rc = HTTP_OUT_ETRANSPORT;
    }
    return rc;
}

int http_out_check_url(const char *url, bool *internal, char *err, size_t errlen)
{
    struct target t = {.port = 0};
    int rc = parse_url(url, &t, err, errlen);
    if (!rc)
        rc = resolve(&t, err, errlen);
    if (internal)
        *internal = t.internal;
    return rc;
}

/* ---- the request ------------------------------------------------------- */

struct sink {
    struct http_out_response *resp;
    size_t cap;
    bool too_big, blocked;
};

static size_t sink_write(char *data, size_t size, size_t nmemb, void *userp)
{
    struct sink *s = userp;
    size_t n = size * nmemb;
    if (s->resp->len + n > s->cap) {
        s->too_big = true;
        return 0; /* aborts the transfer */
    }
    s->resp->body = xrealloc(s->resp->body, s->resp->len + n + 1);
    memcpy(s->resp->body + s->resp->len, data, n);
    s->resp->len += n;
    s->resp->body[s->resp->len] = '\0';
    return n;
}

/* The last line of defence: whatever curl decided to connect to is checked
 * again here, so neither a changed DNS answer nor a bug in the pinning can
 * reach a refused address. */
static curl_socket_t open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct sink *s = clientp;
    (void)purpose;
    if (!http_out_permitted(&a->addr)) {
        s->blocked = true;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

int http_out_send(const struct http_out_request *req, struct http_out_response *resp, char *err,
                  size_t errlen)
{
    memset(resp, 0, sizeof(*resp));
    struct target t = {.port = 0};
    int rc = parse_url(req->url, &t, err, errlen);
    if (!rc)
        rc = resolve(&t, err, errlen);
    if (rc)
        return rc;

    pthread_once(&curl_once, curl_init_once);
    CURL *curl = curl_easy_init();
    if (!curl) {
        set_err(err, errlen, "cannot create curl handle");
        return HTTP_OUT_ETRANSPORT;
    }
    struct curl_slist *headers = NULL, *pin = NULL;
    for (const char *const *h = req->headers; h && *h; h++)
        if (!(headers = curl_slist_append(headers, *h)))
            abort();
    if (!t.literal) {
        char entry[sizeof(t.host) + sizeof(t.addr) + 24];
        snprintf(entry, sizeof(entry), "%s:%ld:%s", t.host, t.port, t.addr);
        if (!(pin = curl_slist_append(NULL, entry)))
            abort();
    }
    struct sink sink = {.resp = resp, .cap = req->max_response ? req->max_response : DEFAULT_CAP};
    char curl_err[CURL_ERROR_SIZE] = "";

    curl_easy_setopt(curl, CURLOPT_URL, req->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROXY, ""); /* no proxy from the environment */
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
                     req->connect_timeout_s > 0 ? req->connect_timeout_s : 5L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, req->timeout_s > 0 ? req->timeout_s : 10L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (pin)
        curl_easy_setopt(curl, CURLOPT_RESOLVE, pin);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    if (req->body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(req->body));
    }

    CURLcode cc = curl_easy_perform(curl);
    if (sink.blocked) {
        set_err(err, errlen, "host %s: the connection went to a refused address", t.host);
        rc = HTTP_OUT_EBLOCKED;
    } else if (sink.too_big) {
        set_err(err, errlen, "the answer of %s is larger than %zu bytes", t.host, sink.cap);
        rc = HTTP_OUT_ETOOBIG;
    } else if (cc != CURLE_OK) {
        set_err(err, errlen, "%s: %s%s%s", t.host, curl_easy_strerror(cc), curl_err[0] ? ": " : "",
                curl_err);
        rc = HTTP_OUT_ETRANSPORT;
    } else {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
    }
    curl_slist_free_all(headers);
    curl_slist_free_all(pin);
    curl_easy_cleanup(curl);
    if (rc)
        http_out_response_release(resp);
    return rc;
}

void http_out_response_release(struct http_out_response *resp)
{
    free(resp->body);
    memset(resp, 0, sizeof(*resp));
}
