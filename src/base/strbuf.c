/*
 * strbuf.c - see strbuf.h.
 */
#include "base/strbuf.h"

#include "base/xmalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *sb, size_t cap)
{
    *sb = (struct strbuf)STRBUF_INIT(cap);
}

int strbuf_grow(struct strbuf *sb, size_t extra)
{
    if (extra > sb->cap || sb->len > sb->cap - extra) {
        sb->failed = true;
        return -1;
    }
    size_t need = sb->len + extra + 1;
    if (need <= sb->alloc)
        return 0;
    size_t alloc = sb->alloc ? sb->alloc : 64;
    while (alloc < need)
        alloc = alloc > SIZE_MAX / 2 ? need : alloc * 2;
    if (alloc > sb->cap + 1)
        alloc = sb->cap + 1 > need ? sb->cap + 1 : need;
    sb->buf = xrealloc(sb->buf, alloc);
    if (!sb->alloc)
        sb->buf[0] = '\0';
    sb->alloc = alloc;
    return 0;
}

int strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
    if (strbuf_grow(sb, n))
        return -1;
    if (n)
        memcpy(sb->buf + sb->len, data, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
    return 0;
}

int strbuf_addstr(struct strbuf *sb, const char *s)
{
    return strbuf_add(sb, s, strlen(s));
}

int strbuf_addch(struct strbuf *sb, char c)
{
    return strbuf_add(sb, &c, 1);
}

int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || strbuf_grow(sb, (size_t)n))
        return -1;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
    return 0;
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
    if (!sb->buf && len == 0)
        return;
    sb->len = len;
    sb->buf[len] = '\0';
}

void strbuf_reset(struct strbuf *sb)
{
    strbuf_setlen(sb, 0);
    sb->failed = false;
}

const char *strbuf_str(const struct strbuf *sb)
{
    return sb->buf ? sb->buf : "";
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
    char *s = sb->buf ? sb->buf : xstrdup("");
    if (len)
        *len = sb->len;
    strbuf_init(sb, sb->cap);
    return s;
}

void strbuf_release(struct strbuf *sb)
{
    free(sb->buf);
    strbuf_init(sb, sb->cap);
}
