/*
 * utf8.c - UTF-8 through ICU's U8_* macros (see utf8.h).
 */
#include "base/utf8.h"

#include <string.h>

#include <unicode/utf8.h>

int utf8_seq(const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    int32_t len = n > 4 ? 4 : (int32_t)n, i = 0;
    UChar32 c;
    U8_NEXT(p, i, len, c);
    if (c >= 0)
        return i;
    /* U8_NEXT stops at the first byte that cannot continue the sequence;
     * when it ran out of bytes instead, the start was good but cut short. */
    return i == len && U8_IS_LEAD(p[0]) ? -1 : 0;
}

int32_t utf8_next(const char *s, size_t *i, size_t n)
{
    const uint8_t *p = (const uint8_t *)s + *i;
    int32_t len = n - *i > INT32_MAX ? INT32_MAX : (int32_t)(n - *i), k = 0;
    UChar32 c;
    U8_NEXT(p, k, len, c);
    *i += (size_t)k;
    return c < 0 ? -1 : c;
}

size_t utf8_fwd(const char *s, size_t i, size_t n)
{
    const uint8_t *p = (const uint8_t *)s + i;
    int32_t len = n - i > 4 ? 4 : (int32_t)(n - i), k = 0;
    U8_FWD_1(p, k, len);
    return i + (size_t)k;
}

size_t utf8_offset(const char *s, size_t n, size_t chars)
{
    size_t i = 0;
    for (size_t c = 0; c < chars && i < n; c++)
        i = utf8_fwd(s, i, n);
    return i;
}

bool utf8_valid(const char *s, size_t n)
{
    return utf8_count(s, n) >= 0;
}

long utf8_count(const char *s, size_t n)
{
    long count = 0;
    for (size_t i = 0; i < n; count++) {
        if ((unsigned char)s[i] < 0x80) { /* the usual case, without a call */
            i++;
            continue;
        }
        if (utf8_next(s, &i, n) < 0)
            return -1;
    }
    return count;
}

size_t utf8_chars(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i = utf8_fwd(s, i, n))
        count++;
    return count;
}

size_t utf8_len(const char *s)
{
    return utf8_chars(s, strlen(s));
}

size_t utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t i = max;
    while (i > 0 && U8_IS_TRAIL(s[i]))
        i--;
    return i;
}

size_t utf8_trim_copy(const char *s, char *out, size_t outlen)
{
    size_t a = 0, n = strlen(s);
    while (a < n && s[a] == ' ')
        a++;
    while (n > a && s[n - 1] == ' ')
        n--;
    size_t len = utf8_cut(s + a, n - a, outlen - 1);
    memcpy(out, s + a, len);
    out[len] = '\0';
    return len;
}
