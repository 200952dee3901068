/*
 * strbuf.h - the one growable string buffer, with a size cap (the idea of
 * git's strbuf and curl's dynbuf).
 *
 * A buffer is initialised with the most bytes it may hold. An append that
 * would pass the cap is refused whole: the text already there stays as it
 * was, the call returns -1 and sb->failed remembers it, so a writer can
 * append a whole document and check once at the end. Memory comes from
 * xmalloc (out-of-memory aborts), so the cap is the only way to fail.
 *
 * sb->buf is NULL until the first append, then always NUL-terminated (the
 * NUL is not counted in len nor against the cap); the bytes may hold NULs
 * of their own. Lifecycle: strbuf_init (or STRBUF_INIT), appends,
 * strbuf_detach (the caller owns the text) or strbuf_release.
 */
#ifndef HY_STRBUF_H
#define HY_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
    char *buf;
    size_t len;   /* bytes held, without the NUL */
    size_t alloc; /* bytes allocated, the NUL included */
    size_t cap;   /* the most len may reach */
    bool failed;  /* an append was refused for the cap */
};

#define STRBUF_INIT(max)                                                                           \
    {                                                                                              \
        NULL, 0, 0, (max), false                                                                   \
    }

void strbuf_init(struct strbuf *sb, size_t cap);

/* Room for `extra` more bytes and the NUL after them; -1 (and failed) when
 * len + extra would pass the cap. For writers that fill buf directly and
 * then call strbuf_setlen(). */
int strbuf_grow(struct strbuf *sb, size_t extra);

/* Append; 0, or -1 and nothing appended when the cap refuses it. */
int strbuf_add(struct strbuf *sb, const void *data, size_t n);
int strbuf_addstr(struct strbuf *sb, const char *s);
int strbuf_addch(struct strbuf *sb, char c);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Set the length to len (at most what was grown) and write the NUL. */
void strbuf_setlen(struct strbuf *sb, size_t len);
/* Empty the text, keeping the memory and the cap; clears failed. */
void strbuf_reset(struct strbuf *sb);
/* The text, "" while nothing was appended. Valid until the next call. */
const char *strbuf_str(const struct strbuf *sb);

/* The text (never NULL; "" when empty), which the caller frees; *len gets
 * its length when len is not NULL. The buffer is left empty, cap kept. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
/* Free the memory; the buffer is left empty, cap kept. */
void strbuf_release(struct strbuf *sb);

#endif
