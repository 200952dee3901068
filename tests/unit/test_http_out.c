/*
 * test_http_out.c - the SSRF guard of src/core/http_out.c: which addresses
 * are internal (every IPv4 and IPv6 spelling of them), what the allow-list
 * opens and what it never opens, and that a request to a refused host is
 * not made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/http_out.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

static void test_public_addresses(void **state)
{
    (void)state;
    const char *pub[] = {"8.8.8.8",      "203.119.129.1",  "100.63.255.255",
                         "100.128.0.1",  "172.15.255.255", "172.32.0.1",
                         "2400:3200::1", "::ffff:8.8.8.8", "2002:0808:0808::1"};
    for (size_t i = 0; i < sizeof(pub) / sizeof(pub[0]); i++) {
        if (http_out_classify_text(pub[i]) != ADDR_PUBLIC)
            fail_msg("%s should be public", pub[i]);
    }
}

static void test_internal_addresses(void **state)
{
    (void)state;
    struct {
        const char *addr;
        enum http_out_class want;
    } cases[] = {
        {"127.0.0.1", ADDR_LOOPBACK},
        {"127.255.0.9", ADDR_LOOPBACK},
        {"::1", ADDR_LOOPBACK},
        {"::ffff:127.0.0.1", ADDR_LOOPBACK}, /* IPv4-mapped */
        {"64:ff9b::7f00:1", ADDR_LOOPBACK},  /* NAT64 */
        {"2002:7f00:1::1", ADDR_LOOPBACK},   /* 6to4 */
        {"10.1.2.3", ADDR_PRIVATE},
        {"172.16.0.1", ADDR_PRIVATE},
        {"172.31.255.255", ADDR_PRIVATE},
        {"192.168.1.1", ADDR_PRIVATE},
        {"100.64.0.1", ADDR_PRIVATE}, /* CGNAT */
        {"100.127.255.254", ADDR_PRIVATE},
        {"::ffff:10.0.0.1", ADDR_PRIVATE},
        {"::ffff:192.168.0.10", ADDR_PRIVATE},
        {"fd12:3456::1", ADDR_PRIVATE}, /* ULA */
        {"fc00::1", ADDR_PRIVATE},
        {"::8.8.8.8", ADDR_PRIVATE}, /* IPv4-compatible, deprecated */
        {"198.18.0.1", ADDR_PRIVATE},
        {"240.0.0.1", ADDR_PRIVATE},
        {"255.255.255.255", ADDR_PRIVATE},
        {"169.254.169.254", ADDR_LINK_LOCAL}, /* cloud metadata */
        {"169.254.0.1", ADDR_LINK_LOCAL},
        {"::ffff:169.254.169.254", ADDR_LINK_LOCAL},
        {"fe80::1", ADDR_LINK_LOCAL},
        {"febf::1", ADDR_LINK_LOCAL},
        {"224.0.0.1", ADDR_MULTICAST},
        {"239.255.255.250", ADDR_MULTICAST},
        {"ff02::1", ADDR_MULTICAST},
        {"0.0.0.0", ADDR_UNSPECIFIED},
        {"0.1.2.3", ADDR_UNSPECIFIED},
        {"::", ADDR_UNSPECIFIED},
        {"::ffff:0.0.0.0", ADDR_UNSPECIFIED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = http_out_classify_text(cases[i].addr);
        if (got != (int)cases[i].want)
            fail_msg("%s: class %d, want %d", cases[i].addr, got, (int)cases[i].want);
    }
    assert_int_equal(http_out_classify_text("localhost"), -1);
    assert_int_equal(http_out_classify_text("10.0.0.256"), -1);
}

static bool permitted(const char *text)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, text, &s4->sin_addr) == 1)
        s4->sin_family = AF_INET;
    else if (inet_pton(AF_INET6, text, &s6->sin6_addr) == 1)
        s6->sin6_family = AF_INET6;
    else
        fail_msg("bad test address %s", text);
    return http_out_permitted((struct sockaddr *)&ss);
}

static void test_allow_list(void **state)
{
    (void)state;
    assert_int_equal(http_out_allow(NULL), 0);
    assert_false(permitted("127.0.0.1"));
    assert_false(permitted("10.20.0.5"));
    assert_true(permitted("8.8.8.8"));

    assert_int_equal(http_out_allow("127.0.0.1/32, 10.20.0.0/16,fd00::/8"), 0);
    assert_true(permitted("127.0.0.1"));
    assert_false(permitted("127.0.0.2"));
    assert_true(permitted("10.20.255.1"));
    assert_false(permitted("10.21.0.1"));
    assert_true(permitted("fd12::1"));
    assert_false(permitted("::1"));

    /* Never opened, whatever the list says. */
    assert_int_equal(http_out_allow("169.254.0.0/16,0.0.0.0/0,::/0"), 0);
    assert_false(permitted("169.254.169.254"));
    assert_false(permitted("fe80::1"));
    assert_false(permitted("224.0.0.1"));
    assert_false(permitted("0.0.0.0"));
    assert_true(permitted("192.168.0.1"));

    /* A malformed list changes nothing. */
    assert_int_equal(http_out_allow("127.0.0.1/32"), 0);
    assert_int_equal(http_out_allow("10.0.0.0/33"), -1);
    assert_int_equal(http_out_allow("example.com"), -1);
    assert_int_equal(http_out_allow("10.0.0.0/"), -1);
    assert_true(permitted("127.0.0.1"));
    assert_false(permitted("10.0.0.1"));
    assert_int_equal(http_out_allow(""), 0);
}

static int http_out_check_url_t(const char *url, char *err, size_t errlen)
{
    return http_out_check_url(url, NULL, err, errlen);
}

static void test_check_url(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(http_out_allow(NULL), 0);
    assert_int_equal(http_out_check_url_t("ftp://example.com/x", err, sizeof(err)), HTTP_OUT_EURL);
    assert_int_equal(http_out_check_url_t("file:///etc/passwd", err, sizeof(err)), HTTP_OUT_EURL);
    assert_int_equal(http_out_check_url_t("not a url", err, sizeof(err)), HTTP_OUT_EURL);
    assert_int_equal(http_out_check_url_t("http://127.0.0.1:9/x", err, sizeof(err)),
                     HTTP_OUT_EBLOCKED);
    assert_non_null(strstr(err, "127.0.0.1"));
    assert_int_equal(http_out_check_url_t("http://[::ffff:127.0.0.1]/", err, sizeof(err)),
                     HTTP_OUT_EBLOCKED);
    assert_int_equal(
        http_out_check_url_t("http://169.254.169.254/latest/meta-data/", err, sizeof(err)),
        HTTP_OUT_EBLOCKED);
    /* The name resolves to loopback: refused after resolution. */
    assert_int_equal(http_out_check_url_t("http://localhost:9/", err, sizeof(err)),
                     HTTP_OUT_EBLOCKED);
    assert_non_null(strstr(err, "localhost"));
    /* Decimal spelling of 127.0.0.1: curl normalises it, still refused. */
    assert_int_equal(http_out_check_url_t("http://2130706433/", err, sizeof(err)),
                     HTTP_OUT_EBLOCKED);

    assert_int_equal(http_out_allow("127.0.0.1/32"), 0);
    bool internal = false;
    assert_int_equal(http_out_check_url("http://127.0.0.1:9/x", &internal, err, sizeof(err)),
                     HTTP_OUT_OK);
    assert_true(internal);
    assert_int_equal(http_out_check_url_t("http://169.254.169.254/", err, sizeof(err)),
                     HTTP_OUT_EBLOCKED);
    assert_int_equal(http_out_allow(NULL), 0);
}

static void test_send_refused_before_connecting(void **state)
{
    (void)state;
    char err[256] = "";
    struct http_out_response resp;
    struct http_out_request req = {.url = "http://127.0.0.1:1/", .body = "{}"};
    assert_int_equal(http_out_allow(NULL), 0);
    assert_int_equal(http_out_send(&req, &resp, err, sizeof(err)), HTTP_OUT_EBLOCKED);
    assert_int_equal(resp.status, 0);
    assert_null(resp.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public_addresses),
        cmocka_unit_test(test_internal_addresses),
        cmocka_unit_test(test_allow_list),
        cmocka_unit_test(test_check_url),
        cmocka_unit_test(test_send_refused_before_connecting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
