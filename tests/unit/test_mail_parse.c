/*
 * test_mail_parse.c - unit tests for reading mail (src/mail/mail_parse.c,
 * mail_text.c): the ticket reference of a subject, HTML made plain text
 * (markup, script and entities gone, no invalid UTF-8 made), and GMime's
 * parse as the mailbox uses it: GB2312 encoded words, undeclared 8-bit GBK
 * headers, multipart/alternative (the plain part is the text, the HTML
 * one no attachment), programs refused by their first bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mail/mail_parse.h"
#include "mail/mailin.h"

#include <stdlib.h>
#include <string.h>

static void thread_ref(void **state)
{
    (void)state;
    char ref[14];
    assert_true(mail_thread_ref("回复：[工单 T202612030001] 包裹破损", ref));
    assert_string_equal(ref, "T202612030001");
    assert_true(mail_thread_ref("Re: [T202612030002] parcel", ref));
    assert_string_equal(ref, "T202612030002");
    assert_true(mail_thread_ref("【工单 T202612030003】", ref));
    assert_string_equal(ref, "T202612030003");
    /* too few or too many digits, no bracket, lower-case t */
    assert_false(mail_thread_ref("[工单 T20261203000]", ref));
    assert_false(mail_thread_ref("[T2026120300011]", ref));
    assert_false(mail_thread_ref("T202612030001", ref));
    assert_false(mail_thread_ref("[t202612030001]", ref));
    assert_false(mail_thread_ref("", ref));
}

/* A reply carries the reference once, so the customer's answer threads back. */
static void reply_subject(void **state)
{
    (void)state;
    char *s = mailin_reply_subject("T202612030001", "Re: 包裹破损");
    assert_string_equal(s, "[工单 T202612030001] Re: 包裹破损");
    char ref[14];
    assert_true(mail_thread_ref(s, ref));
    assert_string_equal(ref, "T202612030001");
    free(s);
    s = mailin_reply_subject("T202612030001", "回复：[工单 T202612030001] 包裹破损");
    assert_string_equal(s, "回复：[工单 T202612030001] 包裹破损");
    free(s);
    /* another ticket's reference is not this one's */
    s = mailin_reply_subject("T202612030002", "[T202612030001] 包裹破损");
    assert_string_equal(s, "[工单 T202612030002] [T202612030001] 包裹破损");
    free(s);
}

static void html_text(void **state)
{
    (void)state;
    char *t = mail_html_to_text("<html><head><title>t</title><style>p{}</style></head><body>"
                                "<p>您好，</p><p>运单&nbsp;<b>EA123456785CN</b> &amp; "
                                "&lt;x&gt; &#20013;&#x6587;</p><script>alert(1)</script>"
                                "<div>谢谢<br/>张先生</div><!-- <p>hidden</p> --></body></html>");
    assert_string_equal(t, "您好，\n运单 EA123456785CN & <x> 中文\n谢谢\n张先生");
    free(t);
    /* a lone '<', an unknown entity, a surrogate and a code point past
     * Unicode come out as text or U+FFFD, never as bytes that are not UTF-8 */
    t = mail_html_to_text("a < b &bogus; &#xD800; &#99999999;");
    assert_string_equal(t, "a < b &bogus; \xEF\xBF\xBD \xEF\xBF\xBD");
    free(t);
    /* quotes inside a tag do not end it; an unterminated script eats the rest */
    t = mail_html_to_text("<a title=\"x>y\">link</a><script>never");
    assert_string_equal(t, "link");
    free(t);
}

static void gb2312_and_gbk(void **state)
{
    (void)state;
    const char raw[] = "From: =?GB2312?B?1cXI/Q==?= <ZhangSan@Example.com>\r\n"
                       "To: service@hongyan.test\r\n"
                       /* 8-bit GBK, no charset named: 包裹延误 */
                       "Subject: \xb0\xfc\xb9\xfc\xd1\xd3\xce\xf3\r\n"
                       "Message-ID: <gbk-1@example.com>\r\n"
                       "References: <a@x> <b@x>\r\n"
                       "Date: Thu, 03 Dec 2026 10:00:00 +0800\r\n"
                       "MIME-Version: 1.0\r\n"
                       "Content-Type: text/plain; charset=GBK\r\n"
                       "Content-Transfer-Encoding: quoted-printable\r\n"
                       "\r\n"
                       "=B0=FC=B9=FC\r\n";
    struct mail_parsed p;
    assert_int_equal(mail_parse(raw, sizeof(raw) - 1, 1024, false, &p), 0);
    assert_string_equal(p.from_name, "张三");
    assert_string_equal(p.from_addr, "zhangsan@example.com");
    assert_string_equal(p.subject, "包裹延误");
    assert_string_equal(p.message_id, "gbk-1@example.com");
    assert_string_equal(p.refs, "a@x b@x");
    assert_null(p.in_reply_to);
    assert_string_equal(p.body_text, "包裹\n");
    assert_int_equal(p.sent_at, 1796263200);
    assert_false(p.automatic);
    assert_int_equal(p.natt, 0);
    mail_parsed_release(&p);
}

static void alternative_and_attachments(void **state)
{
    (void)state;
    const char raw[] = "From: a@example.com\r\n"
                       "Subject: parts\r\n"
                       "Auto-Submitted: auto-replied\r\n"
                       "MIME-Version: 1.0\r\n"
                       "Content-Type: multipart/mixed; boundary=\"m\"\r\n"
                       "\r\n"
                       "--m\r\n"
                       "Content-Type: multipart/alternative; boundary=\"a\"\r\n"
                       "\r\n"
                       "--a\r\n"
                       "Content-Type: text/plain; charset=UTF-8\r\n"
                       "\r\n"
                       "plain text\r\n"
                       "--a\r\n"
                       "Content-Type: text/html; charset=UTF-8\r\n"
                       "\r\n"
                       "<p>html text</p>\r\n"
                       "--a--\r\n"
                       "--m\r\n"
                       "Content-Type: image/png\r\n"
                       "Content-Disposition: attachment; filename=\"invoice.pdf\"\r\n"
                       "Content-Transfer-Encoding: base64\r\n"
                       "\r\n"
                       "TVqQAAMAAAAEAAAA\r\n" /* "MZ…": a program, whatever its name */
                       "--m\r\n"
                       "Content-Type: application/pdf\r\n"
                       "Content-Disposition: attachment; filename=\"big.pdf\"\r\n"
                       "\r\n"
                       "%PDF-1.4 more than sixteen bytes\r\n"
                       "--m--\r\n";
    struct mail_parsed p;
    assert_int_equal(mail_parse(raw, sizeof(raw) - 1, 16, false, &p), 0);
    /* the line break before a boundary belongs to the boundary */
    assert_string_equal(p.body_text, "plain text");
    assert_false(p.body_from_html);
    assert_true(p.automatic);
    assert_null(p.message_id);
    assert_int_equal(p.natt, 2);
    assert_string_equal(p.att[0].name, "invoice.pdf");
    assert_string_equal(p.att[0].refused, "executable");
    assert_null(p.att[0].data);
    assert_string_equal(p.att[1].name, "big.pdf");
    assert_string_equal(p.att[1].refused, "size");
    mail_parsed_release(&p);
}

int main(void)
{
    mail_parse_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(thread_ref),
        cmocka_unit_test(reply_subject),
        cmocka_unit_test(html_text),
        cmocka_unit_test(gb2312_and_gbk),
        cmocka_unit_test(alternative_and_attachments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
