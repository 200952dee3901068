/*
 * mail_text.c - the plain text of an HTML mail and the ticket reference of
 * a subject (see mail_parse.h).
 *
 * The HTML reader is a tag stripper, not a browser: mail bodies are
 * hostile input, and all the mailbox needs is readable text that is then
 * shown escaped. It keeps the text between tags, drops comments, script
 * and style, turns block ends into line breaks and decodes entities;
 * nothing it produces is ever interpreted as markup again.
 */
#include "mail/mail_parse.h"

#include "base/strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Beyond any mail the mailbox takes (the message cap is 25 MB). */
#define TEXT_CAP ((size_t)256 << 20)

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static void add_utf8(struct strbuf *sb, uint32_t cp)
{
    char b[4];
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        strbuf_addch(sb, (char)cp);
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        strbuf_add(sb, b, 2);
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        strbuf_add(sb, b, 3);
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        strbuf_add(sb, b, 4);
    }
}

/* The entity at s ('&'): its text appended, the bytes it took answered
 * (1 for a lone '&', written as itself). */
static size_t entity(const char *s, struct strbuf *sb)
{
    static const struct {
        const char *name;
        uint32_t cp;
    } named[] = {{"amp", '&'},      {"lt", '<'},       {"gt", '>'},        {"quot", '"'},
                 {"apos", '\''},    {"nbsp", ' '},     {"copy", 0xA9},     {"reg", 0xAE},
                 {"mdash", 0x2014}, {"ndash", 0x2013}, {"hellip", 0x2026}, {"yen", 0xA5},
                 {"middot", 0xB7},  {"ldquo", 0x201C}, {"rdquo", 0x201D},  {NULL, 0}};
    const char *end = strchr(s, ';');
    if (!end || end - s > 12) {
        strbuf_addch(sb, '&');
        return 1;
    }
    if (s[1] == '#') {
        bool hex = s[2] == 'x' || s[2] == 'X';
        const char *d = s + (hex ? 3 : 2);
        char *stop;
        unsigned long cp = strtoul(d, &stop, hex ? 16 : 10);
        if (stop != end || stop == d) {
            strbuf_addch(sb, '&');
            return 1;
        }
        add_utf8(sb, cp > 0x10FFFF ? 0xFFFD : (uint32_t)cp);
        return (size_t)(end - s) + 1;
    }
    for (int i = 0; named[i].name; i++) {
        size_t n = strlen(named[i].name);
        if ((size_t)(end - s - 1) == n && strncmp(s + 1, named[i].name, n) == 0) {
            add_utf8(sb, named[i].cp);
            return n + 2;
        }
    }
    strbuf_addch(sb, '&');
    return 1;
}

/* Tags whose end (or whose start, for br and hr) is a line break. */
static bool breaks_line(const char *name)
{
    static const char *const block[] = {
        "br", "p",  "div",   "li", "tr", "h1",         "h2",  "h3",    "h4",      "h5",
        "h6", "hr", "table", "ul", "ol", "blockquote", "pre", "title", "section", NULL};
    for (int i = 0; block[i]; i++)
        if (strcmp(block[i], name) == 0)
            return true;
    return false;
}

/* Past the tag that starts at s ('<'), quotes respected. */
static const char *tag_end(const char *s)
{
    char quote = 0;
    for (s++; *s; s++) {
        if (quote) {
            if (*s == quote)
                quote = 0;
        } else if (*s == '"' || *s == '\'') {
            quote = *s;
        } else if (*s == '>') {
            return s + 1;
        }
    }
    return s;
}

/* Past the closing tag of name (script, style) after s, or the end. */
static const char *skip_element(const char *s, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = s; (p = strchr(p, '<')) != NULL; p++)
        if (p[1] == '/' && strncasecmp(p + 2, name, n) == 0)
            return tag_end(p);
    return s + strlen(s);
}

/* Collapse what the stripper wrote: spaces around line breaks go, a run of
 * line breaks is one (a paragraph's end and the next one's start), none at
 * the ends. */
static char *tidy(const char *s)
{
    struct strbuf out;
    strbuf_init(&out, TEXT_CAP);
    int newlines = 0;
    bool space = false;
    for (; *s; s++) {
        if (*s == '\n') {
            newlines++;
            space = false;
            continue;
        }
        if (*s == ' ') {
            space = true;
            continue;
        }
        if (out.len) {
            if (newlines)
                strbuf_addch(&out, '\n');
            else if (space)
                strbuf_addch(&out, ' ');
        }
        newlines = 0;
        space = false;
        strbuf_addch(&out, *s);
    }
    return strbuf_detach(&out, NULL);
}

char *mail_html_to_text(const char *html)
{
    struct strbuf sb;
    strbuf_init(&sb, TEXT_CAP);
    const char *s = html;
    while (*s) {
        if (*s == '<') {
            if (strncmp(s, "<!--", 4) == 0) {
                const char *end = strstr(s + 4, "-->");
                s = end ? end + 3 : s + strlen(s);
                continue;
            }
            const char *p = s + 1;
            bool closing = *p == '/';
            if (closing)
                p++;
            char name[16];
            size_t n = 0;
            while (n + 1 < sizeof(name) && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                                            (*p >= '0' && *p <= '9'))) {
                name[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
                p++;
            }
            name[n] = '\0';
            if (n == 0 && !closing && *p != '!' && *p != '?') {
                strbuf_addch(&sb, '<'); /* a lone '<' in text */
                s++;
                continue;
            }
            s = tag_end(s);
            if (!closing && (strcmp(name, "script") == 0 || strcmp(name, "style") == 0 ||
                             strcmp(name, "head") == 0))
                s = skip_element(s, name);
            else if (breaks_line(name))
                strbuf_addch(&sb, '\n');
            else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)
                strbuf_addch(&sb, ' ');
            continue;
        }
        if (*s == '&') {
            s += entity(s, &sb);
            continue;
        }
        strbuf_addch(&sb, is_space(*s) ? ' ' : *s);
        s++;
    }
    char *raw = strbuf_detach(&sb, NULL);
    char *out = tidy(raw);
    free(raw);
    return out;
}

/* ---- the ticket reference ---- */

static bool ticket_no_at(const char *p, char out[14])
{
    if (*p != 'T')
        return false;
    for (int i = 1; i <= 12; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    memcpy(out, p, 13);
    out[13] = '\0';
    return true;
}

bool mail_thread_ref(const char *subject, char out[14])
{
    static const char *const open[] = {"[", "\xE3\x80\x90" /* 【 */, NULL};
    static const char *const close[] = {"]", "\xE3\x80\x91" /* 】 */, NULL};
    for (const char *s = subject; *s; s++) {
        for (int k = 0; open[k]; k++) {
            size_t ol = strlen(open[k]);
            if (strncmp(s, open[k], ol) != 0)
                continue;
            const char *p = s + ol;
            while (*p == ' ')
                p++;
            if (strncmp(p, "\xE5\xB7\xA5\xE5\x8D\x95" /* 工单 */, 6) == 0) {
                p += 6;
                while (*p == ' ' || *p == ':')
                    p++;
            }
            char no[14];
            if (!ticket_no_at(p, no))
                continue;
            p += 13;
            while (*p == ' ')
                p++;
            if (strncmp(p, close[k], strlen(close[k])) == 0) {
                memcpy(out, no, 14);
                return true;
            }
        }
    }
    return false;
}
