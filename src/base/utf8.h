/*
 * utf8.h - the one UTF-8 decoder: every scan of UTF-8 text in Hongyan goes
 * through these functions, which are built on ICU's U8_* macros
 * (unicode/utf8.h). Well-formed means what Unicode and ICU 60+ say: no
 * overlong forms, no surrogates, nothing past U+10FFFF.
 *
 * An ill-formed sequence is taken as ICU takes it: one step over its
 * maximal valid subpart (so "\xE4\xB8" followed by 'a' is one bad step and
 * then 'a'). Strings are (pointer, byte length); nothing allocates and every
 * function is thread-safe.
 */
#ifndef HY_UTF8_H
#define HY_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Length (1..4) of the well-formed sequence at s[0..n), n > 0; 0 when it is
 * ill-formed; -1 when s[0..n) is a well-formed but cut-short start of one
 * (a reader that gets text in chunks keeps those bytes for the next chunk).
 */
int utf8_seq(const char *s, size_t n);

/* The code point at s[*i] (*i < n), moving *i past it; -1 for an
 * ill-formed sequence, which *i steps over. */
int32_t utf8_next(const char *s, size_t *i, size_t n);

/* Byte offset of the code point after the one at s[i] (i < n). */
size_t utf8_fwd(const char *s, size_t i, size_t n);

/* Byte offset of the code point number `chars` (from 0) of s[0..n), n when
 * s has no more than that: the length of the first `chars` characters. */
size_t utf8_offset(const char *s, size_t n, size_t chars);

/* True when all of s[0..n) is well-formed. */
bool utf8_valid(const char *s, size_t n);

/* Number of code points in s[0..n) if it is well-formed, else -1. */
long utf8_count(const char *s, size_t n);

/* Number of characters of s[0..n) (an ill-formed sequence counts as one). */
size_t utf8_chars(const char *s, size_t n);

/* utf8_chars() of a NUL-terminated string. */
size_t utf8_len(const char *s);

/* The longest prefix of s[0..n) that is at most max bytes and does not end
 * inside a sequence (s[0..n) well-formed; n when n <= max). */
size_t utf8_cut(const char *s, size_t n, size_t max);

/* s without its leading and trailing spaces, copied into out (outlen > 0),
 * cut at a character boundary when it does not fit. Returns its length. */
size_t utf8_trim_copy(const char *s, char *out, size_t outlen);

#endif
