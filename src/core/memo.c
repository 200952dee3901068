/*
 * memo.c - see memo.h. One JSON object per thread, keyed "ns\x1fkey".
 */
#include "core/memo.h"

#include <string.h>

static _Thread_local json_t *memo;

void memo_begin(void)
{
    if (!memo)
        memo = json_object();
}

bool memo_active(void)
{
    return memo != NULL;
}

void memo_end(void)
{
    json_decref(memo);
    memo = NULL;
}

/* false when the key does not fit: not memoised (never a truncated key). */
static bool memo_key(char *buf, size_t n, const char *ns, const char *key, const char *sub)
{
    /* Asked once or more per imported row: no printf. */
    const char *parts[3] = {ns, key, sub ? sub : ""};
    size_t len = 0;
    for (int i = 0; i < 3; i++) {
        size_t k = strlen(parts[i]);
        if (len + k + 2 > n)
            return false;
        memcpy(buf + len, parts[i], k);
        len += k;
        buf[len++] = i < 2 ? '\x1f' : '\0';
    }
    return true;
}

json_t *memo_get(const char *ns, const char *key, const char *sub)
{
    if (!memo)
        return NULL;
    char k[512];
    return memo_key(k, sizeof(k), ns, key, sub) ? json_object_get(memo, k) : NULL;
}

void memo_put(const char *ns, const char *key, const char *sub, json_t *v)
{
    char k[512];
    if (memo && memo_key(k, sizeof(k), ns, key, sub))
        json_object_set_new(memo, k, v);
    else
        json_decref(v);
}
