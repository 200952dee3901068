/*
 * mail_parse.c - see mail_parse.h. GMime does the MIME work (structure,
 * transfer encodings, RFC 2047 / 2231 words, charsets); this file chooses
 * what the mailbox keeps of it and checks attachments.
 */
#include "mail/mail_parse.h"

#include "base/xmalloc.h"

#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

/* The body text kept; longer mail is cut (at a character boundary). */
#define MAX_TEXT (1024 * 1024)

void mail_parse_init(void)
{
    g_mime_init();
}

/* A GLib string as ours, valid UTF-8, "" for NULL; g_free's the input
 * when owned. */
static char *utf8_dup(const char *s, bool owned)
{
    if (!s)
        return xstrdup("");
    char *valid = g_utf8_make_valid(s, -1);
    char *out = xstrdup(valid);
    g_free(valid);
    if (owned)
        g_free((char *)s);
    return out;
}

static void lower_ascii(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* ---- attachments: what may be kept ---- */

static const char *const allowed_ext[] = {"pdf", "jpg",  "jpeg", "png",  "gif", "bmp", "webp",
                                          "tif", "tiff", "heic", "txt",  "csv", "doc", "docx",
                                          "xls", "xlsx", "ppt",  "pptx", "odt", "ods", "rtf",
                                          "zip", "rar",  "7z",   "eml",  "ofd", NULL};
static const char *const program_ext[] = {"exe", "com", "bat", "cmd", "scr", "msi", "dll",
                                          "js",  "vbs", "vbe", "ps1", "sh",  "jar", "apk",
                                          "lnk", "hta", "cpl", "pif", "wsf", NULL};
/* A type without a file name: the extension it stands for. */
static const char *const type_ext[][2] = {{"application/pdf", "pdf"}, {"image/jpeg", "jpg"},
                                          {"image/png", "png"},       {"image/gif", "gif"},
                                          {"text/plain", "txt"},      {"text/csv", "csv"},
                                          {"message/rfc822", "eml"},  {NULL, NULL}};

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

/* The reason to refuse an attachment, or NULL to keep it. */
static const char *refusal(const char *name, const char *type, const unsigned char *data,
                           size_t size, size_t max)
{
    char ext[16] = "";
    const char *dot = strrchr(name, '.');
    if (dot && strlen(dot + 1) < sizeof(ext)) {
        snprintf(ext, sizeof(ext), "%s", dot + 1);
        lower_ascii(ext);
    } else if (!dot) {
        for (int i = 0; type_ext[i][0]; i++)
            if (strcmp(type_ext[i][0], type) == 0)
                snprintf(ext, sizeof(ext), "%s", type_ext[i][1]);
    }
    /* A program by its name or by its first bytes (a PE or ELF file, a
     * script), whatever it is called. */
    if (in_list(program_ext, ext) || strcmp(type, "application/x-msdownload") == 0 ||
        (data && size >= 2 && data[0] == 'M' && data[1] == 'Z') ||
        (data && size >= 4 &&
         memcmp(data,
                "\x7f"
                "ELF",
                4) == 0) ||
        (data && size >= 2 && data[0] == '#' && data[1] == '!'))
        return "executable";
    if (!in_list(allowed_ext, ext))
        return "type";
    if (size > max)
        return "size";
    return NULL;
}

/* ---- walking the parts ---- */

struct walk {
    struct mail_parsed *out;
    size_t max_attachment;
    size_t cap; /* of out->att */
    char *html; /* the first HTML body part, g_malloc'd */
};

static void add_attachment(struct walk *w, const char *name, const char *type, GByteArray *bytes)
{
    struct mail_parsed *p = w->out;
    if (p->natt == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 4;
        p->att = xrealloc(p->att, w->cap * sizeof(*p->att));
    }
    struct mail_attachment *a = &p->att[p->natt++];
    memset(a, 0, sizeof(*a));
    a->name = utf8_dup(name, false);
    a->type = xstrdup(type);
    a->size = bytes ? bytes->len : 0;
    a->refused = refusal(a->name, a->type, bytes ? bytes->data : NULL, a->size, w->max_attachment);
    /* Refused bytes are not kept: only the record of them. */
    if (!a->refused && bytes) {
        a->data = xmalloc(a->size ? a->size : 1);
        if (a->size) /* an empty GByteArray has no data at all */
            memcpy(a->data, bytes->data, a->size);
    }
}

/* The decoded bytes of obj (a leaf part, or a whole message part). */
static GByteArray *content_of(GMimeObject *obj)
{
    GMimeStream *mem = g_mime_stream_mem_new();
    if (GMIME_IS_PART(obj)) {
        GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(obj));
        if (dw)
            g_mime_data_wrapper_write_to_stream(dw, mem);
    } else if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        if (inner)
            g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
    }
    GByteArray *bytes = g_byte_array_new();
    GByteArray *src = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    g_byte_array_append(bytes, src->data, src->len);
    g_object_unref(mem);
    return bytes;
}

static void visit(GMimeObject *parent, GMimeObject *part, gpointer data)
{
    (void)parent;
    struct walk *w = data;
    if (GMIME_IS_MULTIPART(part))
        return;
    GMimeContentType *ct = g_mime_object_get_content_type(part);
    char *type = ct ? g_mime_content_type_get_mime_type(ct) : g_strdup("application/octet-stream");
    lower_ascii(type);
    if (GMIME_IS_MESSAGE_PART(part)) {
        GByteArray *bytes = content_of(part);
        add_attachment(w, "message.eml", "message/rfc822", bytes);
        g_byte_array_unref(bytes);
        g_free(type);
        return;
    }
    if (!GMIME_IS_PART(part)) {
        g_free(type);
        return;
    }
    const char *name = g_mime_part_get_filename(GMIME_PART(part));
    bool attachment = g_mime_part_is_attachment(GMIME_PART(part)) || (name && *name);
    if (!attachment && GMIME_IS_TEXT_PART(part)) {
        struct mail_parsed *p = w->out;
        if (strcmp(type, "text/plain") == 0 && !p->body_text) {
            p->body_text = utf8_dup(g_mime_text_part_get_text(GMIME_TEXT_PART(part)), true);
            g_free(type);
            return;
        }
        if (strcmp(type, "text/html") == 0 && !w->html)
            w->html = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
        /* A second plain or HTML part without a name is another rendering
         * of the same text (multipart/alternative), not an attachment. */
        if (strcmp(type, "text/plain") == 0 || strcmp(type, "text/html") == 0) {
            g_free(type);
            return;
        }
    }
    GByteArray *bytes = content_of(part);
    add_attachment(w, name ? name : "", type, bytes);
    g_byte_array_unref(bytes);
    g_free(type);
}

/* ---- headers ---- */

static char *first_id(GMimeObject *obj, const char *header)
{
    const char *raw = g_mime_object_get_header(obj, header);
    if (!raw)
        return NULL;
    char *id = g_mime_utils_decode_message_id(raw);
    if (!id || !*id) {
        g_free(id);
        return NULL;
    }
    return utf8_dup(id, true);
}

static char *reference_ids(GMimeObject *obj)
{
    const char *raw = g_mime_object_get_header(obj, "References");
    if (!raw)
        return NULL;
    GMimeReferences *refs = g_mime_references_parse(NULL, raw);
    if (!refs)
        return NULL;
    GString *joined = g_string_new("");
    for (int i = 0; i < g_mime_references_length(refs); i++) {
        if (joined->len)
            g_string_append_c(joined, ' ');
        g_string_append(joined, g_mime_references_get_message_id(refs, i));
    }
    g_mime_references_free(refs);
    char *out = joined->len ? utf8_dup(joined->str, false) : NULL;
    g_string_free(joined, TRUE);
    return out;
}

static bool automatic(GMimeObject *obj)
{
    const char *auto_submitted = g_mime_object_get_header(obj, "Auto-Submitted");
    if (auto_submitted) {
        while (*auto_submitted == ' ' || *auto_submitted == '\t')
            auto_submitted++;
        if (g_ascii_strncasecmp(auto_submitted, "no", 2) != 0)
            return true;
    }
    const char *prec = g_mime_object_get_header(obj, "Precedence");
    if (prec) {
        while (*prec == ' ' || *prec == '\t')
            prec++;
        return g_ascii_strncasecmp(prec, "bulk", 4) == 0 ||
               g_ascii_strncasecmp(prec, "junk", 4) == 0 ||
               g_ascii_strncasecmp(prec, "list", 4) == 0;
    }
    return false;
}

static void read_headers(GMimeMessage *msg, struct mail_parsed *p)
{
    GMimeObject *obj = GMIME_OBJECT(msg);
    const char *mid = g_mime_message_get_message_id(msg);
    p->message_id = mid && *mid ? utf8_dup(mid, false) : NULL;
    InternetAddressList *from = g_mime_message_get_from(msg);
    if (from && internet_address_list_length(from) > 0) {
        InternetAddress *ia = internet_address_list_get_address(from, 0);
        if (INTERNET_ADDRESS_IS_MAILBOX(ia))
            p->from_addr =
                utf8_dup(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)), false);
        p->from_name = utf8_dup(internet_address_get_name(ia), false);
    }
    if (!p->from_addr)
        p->from_addr = xstrdup("");
    if (!p->from_name)
        p->from_name = xstrdup("");
    lower_ascii(p->from_addr);
    InternetAddressList *to = g_mime_message_get_to(msg);
    p->to_addrs = utf8_dup(to ? internet_address_list_to_string(to, NULL, FALSE) : NULL, true);
    p->subject = utf8_dup(g_mime_message_get_subject(msg), false);
    p->in_reply_to = first_id(obj, "In-Reply-To");
    p->refs = reference_ids(obj);
    GDateTime *date = g_mime_message_get_date(msg);
    p->sent_at = date ? g_date_time_to_unix(date) : 0;
    p->automatic = automatic(obj);
}

/* Line ends as "\n" (mail has CRLF). */
static void unix_newlines(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++)
        if (!(r[0] == '\r' && r[1] == '\n'))
            *w++ = *r;
    *w = '\0';
}

/* Cut s to at most max bytes at a character boundary (s is valid UTF-8). */
static void cut_text(char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    s[max] = '\0';
}

int mail_parse(const char *raw, size_t len, size_t max_attachment, bool headers_only,
               struct mail_parsed *out)
{
    memset(out, 0, sizeof(*out));
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    g_object_unref(stream);
    /* Mail from Chinese clients often carries 8-bit GBK in headers with no
     * charset named: read what is not UTF-8 as GB18030, GBK's superset. */
    GMimeParserOptions *opts = g_mime_parser_options_new();
    const char *fallback[] = {"UTF-8", "GB18030", NULL};
    g_mime_parser_options_set_fallback_charsets(opts, fallback);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, opts);
    g_object_unref(parser);
    if (!msg) {
        g_mime_parser_options_free(opts);
        return -1;
    }
    read_headers(msg, out);
    struct walk w = {.out = out, .max_attachment = max_attachment};
    if (!headers_only)
        g_mime_message_foreach(msg, visit, &w);
    if (!out->body_text && w.html) {
        char *valid = g_utf8_make_valid(w.html, -1);
        out->body_text = mail_html_to_text(valid);
        out->body_from_html = true;
        g_free(valid);
    }
    g_free(w.html);
    if (!out->body_text)
        out->body_text = xstrdup("");
    unix_newlines(out->body_text);
    cut_text(out->body_text, MAX_TEXT);
    g_object_unref(msg);
    g_mime_parser_options_free(opts);
    return 0;
}

void mail_parsed_release(struct mail_parsed *p)
{
    free(p->message_id);
    free(p->from_addr);
    free(p->from_name);
    free(p->to_addrs);
    free(p->subject);
    free(p->in_reply_to);
    free(p->refs);
    free(p->body_text);
    for (size_t i = 0; i < p->natt; i++) {
        free(p->att[i].name);
        free(p->att[i].type);
        free(p->att[i].data);
    }
    free(p->att);
    memset(p, 0, sizeof(*p));
}
