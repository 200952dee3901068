/*
 * sqlbuf.h - building one SQL statement and its bound values together.
 *
 * SQL text comes only from the program (literals, whitelisted column
 * expressions); every value from outside is appended as a '?' with a bound
 * db_val. Strings the builder computes (LIKE patterns, range bounds) are
 * owned by the buffer and freed with it.
 */
#ifndef HY_SQLBUF_H
#define HY_SQLBUF_H

#include "db/db.h"

#include <stddef.h>

struct sqlbuf {
    char *sql;
    size_t len, cap;
    struct db_val *args;
    int nargs, cap_args;
    char **owned;
    int nowned, cap_owned;
};

void sqlbuf_init(struct sqlbuf *b);
void sqlbuf_release(struct sqlbuf *b);
/* Append program text (never user input). */
void sqlbuf_add(struct sqlbuf *b, const char *sql);
void sqlbuf_addf(struct sqlbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append a bound value (the caller writes the '?'). Text is borrowed: it
 * must outlive the statement; sqlbuf_bind_text_copy keeps a copy. */
void sqlbuf_bind(struct sqlbuf *b, struct db_val v);
void sqlbuf_bind_text_copy(struct sqlbuf *b, const char *s);
/* Append the contents of another buffer (text and values). */
void sqlbuf_append(struct sqlbuf *b, const struct sqlbuf *other);

/* "%s%" LIKE pattern for a prefix / "%s%" for contains, with % _ \ escaped
 * (use with ESCAPE '\'). Owned by b; returns it for binding. */
const char *sqlbuf_like(struct sqlbuf *b, const char *s, bool prefix_only);
/* The same pattern for the caller to free. */
char *sqlbuf_like_pattern(const char *s, bool prefix_only);

#endif
