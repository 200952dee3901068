/*
 * openapi.c - see openapi.h.
 */
#include "app/openapi.h"

#include "auth/perm.h"
#include "core/perms.h"
#include "http/http.h"
#include "http/router.h"
#include "app/openapi_schema.h"
#include "record/entity.h"

#include <ctype.h>
#include <stdio.h>
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

/* The entity a route serves, when it is an entity's list, create, one
 * record or edit ("/customers", "/customers/{id}"): *one tells which. */
static const struct entity *entity_of(const char *path, bool *one)
{
    for (size_t i = 0; entity_at(i); i++) {
        const struct entity *e = entity_at(i);
        size_t n = strlen(e->collection);
        if (path[0] != '/' || strncmp(path + 1, e->collection, n) != 0)
            continue;
        const char *rest = path + 1 + n;
        if (!*rest) {
            *one = false;
            return e;
        }
        if (rest[0] == '/' && rest[1] == '{' && strchr(rest, '}') && !strchr(rest, '}')[1]) {
            *one = true;
            return e;
        }
    }
    return NULL;
}

static json_t *ref(const char *name)
{
    char buf[96];
    snprintf(buf, sizeof(buf), "#/components/schemas/%s", name);
    return json_pack("{s:s}", "$ref", buf);
}

static json_t *json_content(json_t *schema, json_t *example)
{
    return json_pack("{s:{s:o,s:o}}", "application/json", "schema", schema, "example", example);
}

/* {"<name>": record} or {"items": [record]}, with their examples. */
static json_t *entity_answer(const struct entity *e, bool list)
{
    char name[64];
    openapi_entity_name(e, false, name, sizeof(name));
    const char *key = list ? "items" : e->name;
    json_t *inner = list ? json_pack("{s:s,s:o}", "type", "array", "items", ref(name)) : ref(name);
    json_t *schema = json_pack("{s:s,s:[s],s:{s:o}}", "type", "object", "required", key,
                               "properties", key, inner);
    json_t *one = openapi_entity_example(e, false);
    json_t *example = json_pack("{s:o}", key, list ? json_pack("[o]", one) : one);
    return json_content(schema, example);
}

static json_t *param(const char *name, const char *in, bool required, const char *type,
                     const char *description)
{
    return json_pack("{s:s,s:s,s:b,s:{s:s},s:s}", "name", name, "in", in, "required", required,
                     "schema", "type", type, "description", description);
}

/* Path parameters from the route's {names}; an entity list's query. */
static json_t *parameters(const struct route *route, const struct entity *e, bool one)
{
    json_t *params = json_array();
    for (const char *p = strchr(route->path, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (!end)
            break;
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)(end - p - 1), p + 1);
        size_t n = strlen(name);
        bool id = strcmp(name, "id") == 0 || (n > 3 && strcmp(name + n - 3, "_id") == 0);
        json_array_append_new(params, param(name, "path", true, id ? "integer" : "string",
                                            id ? "The record's id" : "See the summary"));
    }
    if (e && !one && strcmp(route->method, "GET") == 0) {
        json_array_append_new(params, param("q", "query", false, "string", "Quick search"));
        json_array_append_new(params, param("filter", "query", false, "string",
                                            "A filter tree (JSON) of the filter language"));
        json_array_append_new(params, param("sort", "query", false, "string",
                                            "A sortable field, '-' first for descending"));
        json_array_append_new(params, param("cursor", "query", false, "string",
                                            "The next page's cursor from the previous answer"));
        json_array_append_new(params,
                              param("limit", "query", false, "integer", "Rows a page (1-200)"));
    }
    if (strcmp(route->method, "POST") == 0)
        json_array_append_new(
            params, param("Idempotency-Key", "header", false, "string",
                          "Retry safely: the first answer to this key is replayed for 24 hours"));
    return params;
}

static json_t *request_body(const struct route *route, const struct entity *e)
{
    if (route->flags & ROUTE_UPLOAD)
        return json_pack("{s:b,s:{s:{s:{s:s},s:s}}}", "required", 1, "content",
                         "application/x-ndjson", "schema", "type", "string", "example",
                         "{\"line\":1}\n");
    if (e) {
        char name[64];
        openapi_entity_name(e, true, name, sizeof(name));
        return json_pack("{s:b,s:o}", "required", 1, "content",
                         json_content(ref(name), openapi_entity_example(e, true)));
    }
    return json_pack("{s:b,s:o}", "required", 0, "content",
                     json_content(json_pack("{s:s}", "type", "object"), json_object()));
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
    /* The tag: the path's first segment ("customers", "waybills:batch" →
     * "waybills", "openapi.json" → "openapi"). */
    char tag[64];
    snprintf(tag, sizeof(tag), "%s", path + 1);
    tag[strcspn(tag, "/:.")] = '\0';
    bool one = false;
    const struct entity *e = entity_of(path, &one);
    bool get = strcmp(route->method, "GET") == 0;
    bool create = e && !one && strcmp(route->method, "POST") == 0;
    bool edit =
        e && one && (strcmp(route->method, "PATCH") == 0 || strcmp(route->method, "PUT") == 0);
    bool served = e && (get || create || edit);
    json_t *responses = json_object();
    if (served)
        json_object_set_new(
            responses, create ? "201" : "200",
            json_pack("{s:s,s:o}", "description", "OK", "content", entity_answer(e, get && !one)));
    else
        json_object_set_new(
            responses, "2XX",
            json_pack("{s:s,s:o}", "description", "Success", "content",
                      json_content(json_pack("{s:s}", "type", "object"), json_object())));
    json_object_set_new(responses, "default",
                        json_pack("{s:s,s:o}", "description", "An error (docs/api.md)", "content",
                                  json_content(ref("Error"), openapi_error_example())));
    /* Unique and stable: the method and the path in identifier characters. */
    char op_id[160];
    int n = snprintf(op_id, sizeof(op_id), "%s%s", method, path);
    for (int k = 0; k < n && k < (int)sizeof(op_id) - 1; k++)
        if (!isalnum((unsigned char)op_id[k]))
            op_id[k] = '_';
    json_t *op = json_pack("{s:s,s:s,s:s,s:[s],s:o}", "operationId", op_id, "summary",
                           route->summary ? route->summary : "", "x-permission",
                           perm_label(route->perm), "tags", tag, "responses", responses);
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
    json_t *params = parameters(route, e, one);
    if (json_array_size(params))
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);
    if (strcmp(route->method, "POST") == 0 || strcmp(route->method, "PUT") == 0 ||
        strcmp(route->method, "PATCH") == 0)
        json_object_set_new(op, "requestBody", request_body(route, create || edit ? e : NULL));
    json_object_set_new(item, method, op);
}

/* The schemas the operations point at: the error shape and each entity's
 * record and input. */
static json_t *schemas(void)
{
    json_t *out = json_object();
    json_object_set_new(out, "Error", openapi_error_schema());
    for (size_t i = 0; entity_at(i); i++) {
        const struct entity *e = entity_at(i);
        char name[64];
        openapi_entity_name(e, false, name, sizeof(name));
        json_object_set_new(out, name, openapi_entity_schema(e));
        openapi_entity_name(e, true, name, sizeof(name));
        json_object_set_new(out, name, openapi_entity_input_schema(e));
    }
    return out;
}

json_t *openapi_document(void)
{
    json_t *paths = json_object();
    router_foreach(add_route, paths);
    return json_pack(
        "{s:s,s:{s:s,s:s,s:s},s:[{s:s}],s:o,s:{s:o,s:{s:{s:s,s:s,s:s},s:{s:s,s:s}}}}", "openapi",
        "3.1.0", "info", "title", "Hongyan (鸿雁) customer management API", "version", "1",
        "description",
        "Conventions: errors {error: {code, message, fields}} in the caller's language "
        "(Accept-Language), cursor paging, version numbers on edits. Integrations call with "
        "Authorization: Bearer hyk_… (API keys with scopes, a rate a minute) and may send "
        "Idempotency-Key on POST. Outgoing webhooks: docs/webhooks.md.",
        "servers", "url", "/api/v1", "paths", paths, "components", "schemas", schemas(),
        "securitySchemes", "cookie", "type", "apiKey", "in", "cookie", "name", "hy_session",
        "bearer", "type", "http", "scheme", "bearer");
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
