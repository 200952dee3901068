/*
 * sqlbuf.c - see sqlbuf.h.
 */
#include "db/sqlbuf.h"

#include "base/xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sqlbuf_init(struct sqlbuf *b)
{
    memset(b, 0, sizeof(*b));
    b->cap = 256;
    b->sql = xmalloc(b->cap);
    b->sql[0] = '\0';
}

void sqlbuf_release(struct sqlbuf *b)
{
    for (int i = 0; i < b->nowned; i++)
        free(b->owned[i]);
    free(b->owned);
    free(b->args);
    free(b->sql);
    memset(b, 0, sizeof(*b));
}

void sqlbuf_add(struct sqlbuf *b, const char *sql)
{
    size_t n = strlen(sql);
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap)
            b->cap *= 2;
        b->sql = xrealloc(b->sql, b->cap);
    }
    memcpy(b->sql + b->len, sql, n + 1);
    b->len += n;
}

void sqlbuf_addf(struct sqlbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    sqlbuf_add(b, s);
    free(s);
}

void sqlbuf_bind(struct sqlbuf *b, struct db_val v)
{
    if (b->nargs == b->cap_args) {
        b->cap_args = b->cap_args ? b->cap_args * 2 : 8;
        b->args = xrealloc(b->args, sizeof(*b->args) * (size_t)b->cap_args);
    }
    b->args[b->nargs++] = v;
}

static const char *own(struct sqlbuf *b, char *s)
{
    if (b->nowned == b->cap_owned) {
        b->cap_owned = b->cap_owned ? b->cap_owned * 2 : 4;
        b->owned = xrealloc(b->owned, sizeof(*b->owned) * (size_t)b->cap_owned);
    }
    b->owned[b->nowned++] = s;
    return s;
}

void sqlbuf_bind_text_copy(struct sqlbuf *b, const char *s)
{
    sqlbuf_bind(b, DB_TEXT(s ? own(b, xstrdup(s)) : NULL));
}

void sqlbuf_append(struct sqlbuf *b, const struct sqlbuf *other)
{
    sqlbuf_add(b, other->sql);
    for (int i = 0; i < other->nargs; i++) {
        struct db_val v = other->args[i];
        if (v.type == DBV_TEXT)
            v.s = own(b, xstrdup(v.s));
        sqlbuf_bind(b, v);
    }
}

const char *sqlbuf_like(struct sqlbuf *b, const char *s, bool prefix_only)
{
    return own(b, sqlbuf_like_pattern(s, prefix_only));
}

char *sqlbuf_like_pattern(const char *s, bool prefix_only)
{
    size_t n = strlen(s);
    char *p = xmalloc(n * 2 + 3), *q = p;
    if (!prefix_only)
        *q++ = '%';
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            *q++ = '\\';
        *q++ = *s;
    }
    *q++ = '%';
    *q = '\0';
    return p;
}
