/*
 * openapi.c - see openapi.h.
 */
#include "app/openapi.h"

#include "auth/perm.h"
#include "core/perms.h"
#include "http/http.h"
#include "http/router.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *perm_label(unsigned perm)
{
    /* The strongest right a route asks for names it, by auth/perm.c's names. */
    static const unsigned strongest_first[] = {PERM_ADMIN,       PERM_REPORTS, PERM_VIP_WRITE,
                                               PERM_ENTERPRISES, PERM_MERGE,   PERM_CAMPAIGNS,
                                               PERM_REVEAL};
    if (perm == PERM_PUBLIC)
        return "public";
    for (size_t i = 0; i < sizeof(strongest_first) / sizeof(strongest_first[0]); i++)
        if (perm & strongest_first[i])
            return perm_name(strongest_first[i]);
    return "signed-in";
}

static void add_route(const struct route *route, void *ctx)
{
    json_t *paths = ctx;
    if (route->flags & ROUTE_TEST_ONLY)
        return;
    const char *path = route->path + strlen("/api/v1");
    json_t *item = json_object_get(paths, path);
    if (!item) {
        item = json_object();
        json_object_set_new(paths, path, item);
    }
    char method[8];
    size_t i = 0;
    for (; route->method[i] && i + 1 < sizeof(method); i++)
        method[i] = (char)tolower((unsigned char)route->method[i]);
    method[i] = '\0';
    json_t *op = json_pack("{s:s,s:s,s:{s:{s:s}}}", "summary", route->summary ? route->summary : "",
                           "x-permission", perm_label(route->perm), "responses", "default",
                           "description", "See the error shape in the API conventions");
    /* Every permission the route needs, by name (the roles' names in
     * /auth/me): clients and the authorization test read them. */
    json_t *perms = json_array();
    perm_names(route->perm, perms);
    json_object_set_new(op, "x-permissions", perms);
    /* One of them suffices (ROUTE_ANY_PERM: staff or an API key scope). */
    if (route->flags & ROUTE_ANY_PERM)
        json_object_set_new(op, "x-permissions-any", json_true());
    if (route->perm != PERM_PUBLIC)
        json_object_set_new(op, "security", json_pack("[{s:[]},{s:[]}]", "cookie", "bearer"));
    json_t *params = json_array();
    for (const char *p = strchr(route->path, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (!end)
            break;
        json_array_append_new(params, json_pack("{s:s%,s:s,s:b,s:{s:s}}", "name", p + 1,
                                                (size_t)(end - p - 1), "in", "path", "required", 1,
                                                "schema", "type", "string"));
    }
    if (json_array_size(params))
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);
    json_object_set_new(item, method, op);
}

json_t *openapi_document(void)
{
    json_t *paths = json_object();
    router_foreach(add_route, paths);
    return json_pack(
        "{s:s,s:{s:s,s:s,s:s},s:[{s:s}],s:o,s:{s:{s:{s:s,s:s,s:s},s:{s:s,s:s}}}}", "openapi",
        "3.0.3", "info", "title", "Hongyan (鸿雁) customer management API", "version", "1",
        "description", "Conventions: docs/api.md in the design documents", "servers", "url",
        "/api/v1", "paths", paths, "components", "securitySchemes", "cookie", "type", "apiKey",
        "in", "cookie", "name", "hy_session", "bearer", "type", "http", "scheme", "bearer");
}

static void health(struct req *r)
{
    reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

/* GET /_bench/static?bytes=N (test mode): a fixed JSON body of about N
 * bytes, the baseline the benchmarks compare real endpoints against. It
 * goes through the same dispatch (route, session lookup, reply) minus the
 * endpoint's own work. */
static void bench_static(struct req *r)
{
    const char *b = req_query(r, "bytes");
    long n = b ? strtol(b, NULL, 10) : 1000;
    if (n < 16 || n > 1000000)
        n = 1000;
    char *pad = malloc((size_t)n + 1);
    if (!pad)
        abort();
    memset(pad, 'x', (size_t)n);
    pad[n] = '\0';
    json_t *body = json_pack("{s:s}", "padding", pad);
    free(pad);
    reply_json(r, 200, body);
}

static void openapi(struct req *r)
{
    reply_json(r, 200, openapi_document());
}

/* The route table system_routes[], made from openapi.routes. */
#include "app/openapi.routes.h"

static const struct route *const app_routes[] = {system_routes, NULL};

const struct module app_module = {.name = "app", .routes = app_routes};
