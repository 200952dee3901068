/*
 * router.c - see router.h. Linear matching over pre-split segments: with a
 * few hundred routes this costs well under a microsecond and keeps the
 * table order meaningful (first match wins).
 */
#include "http/router.h"

#include "base/xmalloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ROUTES   512
#define MAX_SEGMENTS 12

struct compiled {
    const struct route *route;
    unsigned method_bit;
    int nseg;
    const char *seg[MAX_SEGMENTS];
    size_t seglen[MAX_SEGMENTS];
    bool is_param[MAX_SEGMENTS];
};

static struct compiled routes[MAX_ROUTES];
static int nroutes;

unsigned router_method_bit(const char *m)
{
    static const struct {
        const char *name;
        unsigned bit;
    } methods[] = {{"GET", HTTP_GET}, {"HEAD", HTTP_HEAD},   {"POST", HTTP_POST},
                   {"PUT", HTTP_PUT}, {"PATCH", HTTP_PATCH}, {"DELETE", HTTP_DELETE}};
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcmp(methods[i].name, m) == 0)
            return methods[i].bit;
    return 0;
}

/* Split "/a/b/c" into segments; -1 when there are too many. */
static int split(const char *path, const char **seg, size_t *len)
{
    int n = 0;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        if (n == MAX_SEGMENTS)
            return -1;
        const char *start = p;
        while (*p && *p != '/')
            p++;
        seg[n] = start;
        len[n] = (size_t)(p - start);
        n++;
    }
    return n;
}

void router_add(const struct route *table)
{
    for (const struct route *r = table; r->path; r++) {
        if (nroutes == MAX_ROUTES)
            abort(); /* a programming error, caught by the first test run */
        struct compiled *c = &routes[nroutes++];
        c->route = r;
        c->method_bit = router_method_bit(r->method);
        c->nseg = split(r->path, c->seg, c->seglen);
        if (c->nseg < 0 || !c->method_bit)
            abort();
        for (int i = 0; i < c->nseg; i++)
            c->is_param[i] = c->seg[i][0] == '{';
    }
}

void router_reset(void)
{
    nroutes = 0;
}

enum router_result router_match(const char *method, const char *path, const struct route **out,
                                struct req *r, unsigned *allow)
{
    const char *seg[MAX_SEGMENTS];
    size_t len[MAX_SEGMENTS];
    int n = split(path, seg, len);
    unsigned bit = router_method_bit(method);
    *allow = 0;
    if (n < 0)
        return ROUTER_NOT_FOUND;
    for (int i = 0; i < nroutes; i++) {
        const struct compiled *c = &routes[i];
        if (c->nseg != n)
            continue;
        bool match = true;
        for (int s = 0; s < n && match; s++)
            if (!c->is_param[s])
                match = c->seglen[s] == len[s] && memcmp(c->seg[s], seg[s], len[s]) == 0;
        if (!match)
            continue;
        /* HEAD is answered by GET routes. */
        if (c->method_bit != bit && !(bit == HTTP_HEAD && c->method_bit == HTTP_GET)) {
            *allow |= c->method_bit;
            continue;
        }
        *out = c->route;
        if (r) {
            size_t total = 0;
            for (int s = 0; s < n; s++)
                if (c->is_param[s])
                    total += len[s] + 1;
            free(r->param_buf);
            r->param_buf = xmalloc(total + 1);
            char *p = r->param_buf;
            r->nparams = 0;
            for (int s = 0; s < n && r->nparams < REQ_MAX_PARAMS; s++) {
                if (!c->is_param[s])
                    continue;
                memcpy(p, seg[s], len[s]);
                p[len[s]] = '\0';
                r->params[r->nparams++] = p;
                p += len[s] + 1;
            }
        }
        return ROUTER_FOUND;
    }
    return *allow ? ROUTER_BAD_METHOD : ROUTER_NOT_FOUND;
}

void router_foreach(void (*fn)(const struct route *route, void *ctx), void *ctx)
{
    for (int i = 0; i < nroutes; i++)
        fn(routes[i].route, ctx);
}
