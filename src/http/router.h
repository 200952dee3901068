/*
 * router.h - matching a method and path against the registered route tables.
 *
 * Tables are registered once at start-up, before any request thread runs;
 * matching afterwards only reads them, so it needs no locks.
 */
#ifndef HY_ROUTER_H
#define HY_ROUTER_H

#include "http/http.h"

enum router_result { ROUTER_FOUND, ROUTER_NOT_FOUND, ROUTER_BAD_METHOD };

/* Register a table ending with an entry whose path is NULL. */
void router_add(const struct route *table);
/* Forget every table (tests). */
void router_reset(void);
/* Match; on ROUTER_FOUND *out is the route and r->params hold the {…}
 * segments; on ROUTER_BAD_METHOD *allow has the methods the path takes. */
enum router_result router_match(const char *method, const char *path, const struct route **out,
                                struct req *r, unsigned *allow);
/* Visit every route in registration order. */
void router_foreach(void (*fn)(const struct route *route, void *ctx), void *ctx);
/* HTTP_* bit for a method name, 0 when unknown. */
unsigned router_method_bit(const char *method);

#endif
