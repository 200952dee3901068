/*
 * openapi.h - GET /api/v1/health and GET /api/v1/openapi.json, the latter
 * built from the registered route tables so it cannot drift from them.
 */
#ifndef HY_OPENAPI_H
#define HY_OPENAPI_H

#include "core/module.h"
#include "http/http.h"

#include <jansson.h>

/* The OpenAPI 3 document of every registered route. */
json_t *openapi_document(void);

extern const struct route system_routes[];

/* The application's own module: health and the API document. */
extern const struct module app_module;

#endif
