/*
 * openapi_schema.h - the schemas of /api/v1/openapi.json that come from the
 * server's own definitions: a record's from its entity descriptor
 * (record/entity.h: field types, required, set by the program), the error
 * shape of http/server.c's replies, and an example of each built from the
 * same descriptor, so the document cannot drift from what the server
 * checks and answers.
 */
#ifndef HY_OPENAPI_SCHEMA_H
#define HY_OPENAPI_SCHEMA_H

#include "record/entity.h"

#include <jansson.h>
#include <stdbool.h>

/* A record as answered ("Customer"): every field that is not internal,
 * nullable unless required, the program's fields read-only. */
json_t *openapi_entity_schema(const struct entity *e);
/* What a create sends ("CustomerInput"): the fields people fill in, the
 * required ones required. */
json_t *openapi_entity_input_schema(const struct entity *e);
/* An example of either (input: only what a form fills in). */
json_t *openapi_entity_example(const struct entity *e, bool input);
/* The component name of e's schema: "Customer" / "CustomerInput" into out. */
void openapi_entity_name(const struct entity *e, bool input, char *out, size_t n);

/* {"error": {"code", "message", "fields"?}} and its example. */
json_t *openapi_error_schema(void);
json_t *openapi_error_example(void);

#endif
