/*
 * mail_parse.h - an RFC 5322 message as the mailbox stores it, parsed
 * with GMime 3 (docs/decisions/0009-gmime.md): headers decoded to UTF-8
 * (RFC 2047, GB2312 / GBK / GB18030 and the other charsets iconv knows),
 * the text body (text/plain preferred, else the HTML part made plain),
 * and the attachments with their bytes, checked by type and size.
 *
 * No database and no files here: pure functions over bytes, so the unit
 * tests and the fuzzer can drive them.
 */
#ifndef HY_MAIL_PARSE_H
#define HY_MAIL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mail_attachment {
    char *name; /* decoded file name, "" when none */
    char *type; /* content type, lower case ("application/pdf") */
    unsigned char *data;
    size_t size;
    const char *refused; /* NULL, or "type", "executable", "size" */
};

struct mail_parsed {
    char *message_id, *from_addr, *from_name, *to_addrs, *subject, *in_reply_to, *refs;
    char *body_text;
    bool body_from_html;
    bool automatic;  /* Auto-Submitted other than "no", or Precedence bulk/junk/list */
    int64_t sent_at; /* 0 when no Date */
    struct mail_attachment *att;
    size_t natt;
};

/* Once, before threads. */
void mail_parse_init(void);

/* Parse len bytes of raw. Attachments larger than max_attachment bytes are
 * kept without their data and refused "size"; names and types outside the
 * allowed list are refused "type", programs "executable". headers_only:
 * raw is only the header block (a message over the size cap). 0, or -1
 * when raw is not a message at all. Release with mail_parsed_release. */
int mail_parse(const char *raw, size_t len, size_t max_attachment, bool headers_only,
               struct mail_parsed *out);
void mail_parsed_release(struct mail_parsed *p);

/* The plain text of an HTML document (UTF-8 in, UTF-8 out, caller frees):
 * tags removed, script and style dropped, block ends as line breaks,
 * entities decoded, runs of line breaks made one. */
char *mail_html_to_text(const char *html);

/* The ticket reference a subject carries, "[工单 T202612030001]" or
 * "[T202612030001]" (also in 【】): "T" and 12 digits into out (14 bytes);
 * false when there is none. */
bool mail_thread_ref(const char *subject, char out[14]);

#endif
