/*
 * fuzz_mail.c - libFuzzer target for reading incoming mail
 * (src/mail/mail_parse.c, mail_text.c): any bytes as a message from the
 * service mailbox, parsed with the checks the mailbox applies, its HTML
 * made plain text, its subject searched for a ticket reference.
 *
 * Beyond "no crash, no leak, no undefined behaviour": every text the
 * parser answers is valid UTF-8 (it goes into the database and JSON as
 * is), and every attachment it keeps has no refusal and its bytes.
 */
#include "base/utf8.h"
#include "mail/mail_parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    mail_parse_init();
    return 0;
}

static void check_utf8(const char *s)
{
    if (!s)
        return;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        int len = utf8_seq(s + i, n - i);
        if (len <= 0)
            abort();
        i += (size_t)len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mail_parsed p;
    if (mail_parse((const char *)data, size, 64, false, &p) == 0) {
        check_utf8(p.message_id);
        check_utf8(p.from_addr);
        check_utf8(p.from_name);
        check_utf8(p.to_addrs);
        check_utf8(p.subject);
        check_utf8(p.in_reply_to);
        check_utf8(p.refs);
        check_utf8(p.body_text);
        for (size_t i = 0; i < p.natt; i++) {
            check_utf8(p.att[i].name);
            if (!p.att[i].refused && !p.att[i].data)
                abort();
        }
        char ref[14];
        mail_thread_ref(p.subject, ref);
        mail_parsed_release(&p);
    }
    /* the same bytes as an HTML part (made valid UTF-8 first, as the
     * parser hands it over) */
    char *html = malloc(size + 1);
    if (!html)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < size;) {
        int len = utf8_seq((const char *)data + i, size - i);
        if (len <= 0 || memchr(data + i, 0, (size_t)len)) {
            i++;
            continue;
        }
        memcpy(html + n, data + i, (size_t)len);
        n += (size_t)len;
        i += (size_t)len;
    }
    html[n] = '\0';
    char *text = mail_html_to_text(html);
    check_utf8(text);
    free(text);
    free(html);
    return 0;
}
