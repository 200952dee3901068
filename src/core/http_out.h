/*
 * http_out.h - the one way Hongyan makes an outgoing HTTP request (SMS
 * gateway, DingTalk and WeCom robots, later webhooks), safe against
 * server-side request forgery: an address an administrator typed must not
 * let the server reach its own loopback, the intranet or the cloud's
 * metadata service.
 *
 * A request goes out only when: the scheme is http or https; every address
 * the host resolves to is public (http_out_classify) or inside the
 * allow-list (HONGYAN_OUTBOUND_ALLOW, CIDRs); the connection is made to the
 * address that was checked (pinned with CURLOPT_RESOLVE, and checked again
 * in the socket callback, so a DNS answer that changes between the check
 * and the connect cannot slip through). Redirects are never followed, no
 * proxy from the environment is used, connect and total time are bounded,
 * and an answer larger than the cap is cut and refused.
 *
 * Link-local (169.254.0.0/16 with the metadata address 169.254.169.254,
 * fe80::/10), unspecified and multicast addresses are refused even when the
 * allow-list covers them.
 */
#ifndef HY_HTTP_OUT_H
#define HY_HTTP_OUT_H

#include <stdbool.h>
#include <stddef.h>

struct sockaddr;

enum http_out_error {
    HTTP_OUT_OK = 0,
    HTTP_OUT_EURL = -1,       /* not an http(s) URL, or no host */
    HTTP_OUT_EBLOCKED = -2,   /* the host is (or resolves to) a refused address */
    HTTP_OUT_ETRANSPORT = -3, /* DNS, connection, TLS or timeout failure */
    HTTP_OUT_ETOOBIG = -4,    /* the answer is larger than the cap */
};

/* What an address is, for the SSRF check. */
enum http_out_class {
    ADDR_PUBLIC = 0,
    ADDR_LOOPBACK,
    ADDR_PRIVATE, /* RFC 1918, CGNAT 100.64/10, IPv6 ULA fc00::/7, other reserved ranges */
    ADDR_LINK_LOCAL,
    ADDR_MULTICAST,
    ADDR_UNSPECIFIED,
};

/* Classify an IPv4 or IPv6 socket address; IPv4-mapped, IPv4-compatible,
 * NAT64 and 6to4 IPv6 forms are classified by the IPv4 address they carry.
 * Pure. */
enum http_out_class http_out_classify(const struct sockaddr *sa);
/* Classify an address literal ("10.0.0.1", "::ffff:127.0.0.1"); -1 when
 * text is not one. */
int http_out_classify_text(const char *text);

/* Replace the allow-list with the comma-separated CIDRs of list (bare
 * addresses mean one host; NULL or "" empties it). 0, or -1 (list
 * unchanged) when an entry is malformed. Call at start-up, before threads. */
int http_out_allow(const char *list);
/* Read HONGYAN_OUTBOUND_ALLOW (start-up); logs and ignores a malformed one. */
void http_out_configure(void);
/* True when a connection to sa may be made: public, or allowed by the list
 * and not link-local, multicast or unspecified. */
bool http_out_permitted(const struct sockaddr *sa);

/* Check a URL without sending anything: scheme, host, and every address it
 * resolves to. HTTP_OUT_OK, or an error with a lowercase reason in err.
 * *internal (may be NULL) tells whether the host is reached only thanks to
 * the allow-list (an intranet gateway) rather than being public. */
int http_out_check_url(const char *url, bool *internal, char *err, size_t errlen);

struct http_out_request {
    const char *url;
    const char *const *headers; /* NULL-terminated "Name: value" lines, or NULL */
    const char *body;           /* POSTed when not NULL, else GET */
    long connect_timeout_s;     /* 0: 5 */
    long timeout_s;             /* whole request; 0: 10 */
    size_t max_response;        /* 0: 64 KiB */
};

struct http_out_response {
    long status;
    char *body; /* NUL-terminated, control characters kept; the caller releases */
    size_t len;
};

/* Make the request. HTTP_OUT_OK when an HTTP answer came (any status; see
 * resp->status), else an error with a lowercase reason (no credentials, no
 * query string) in err. resp is always initialised; release it with
 * http_out_response_release. Thread-safe. */
int http_out_send(const struct http_out_request *req, struct http_out_response *resp, char *err,
                  size_t errlen);
void http_out_response_release(struct http_out_response *resp);

#endif
