/*
 * xmalloc.h - allocation that never returns NULL.
 *
 * Out of memory is not a condition Hongyan tries to recover from: every
 * allocator here aborts the process with a message instead of returning NULL,
 * so callers never thread NULL checks through their code.
 */
#ifndef HY_XMALLOC_H
#define HY_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a freshly allocated string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
