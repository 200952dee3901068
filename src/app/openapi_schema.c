/*
 * openapi_schema.c - see openapi_schema.h.
 */
#include "app/openapi_schema.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* The JSON types a field's value takes in an answer. Lists format times
 * as text but some answers keep Unix seconds, and money and yes/no are
 * answered in either form by different endpoints: the schema says what
 * the server may send, not one of them. */
static json_t *type_of(enum field_type t, bool nullable)
{
    json_t *types = json_array();
    switch (t) {
    case FT_NUMBER:
        json_array_append_new(types, json_string("number"));
        break;
    case FT_MONEY:
        json_array_append_new(types, json_string("number"));
        json_array_append_new(types, json_string("string"));
        break;
    case FT_BOOLEAN:
        json_array_append_new(types, json_string("boolean"));
        json_array_append_new(types, json_string("integer"));
        break;
    case FT_INT:
    case FT_BRANCH:
    case FT_REF:
        json_array_append_new(types, json_string("integer"));
        break;
    case FT_TIME:
        json_array_append_new(types, json_string("string"));
        json_array_append_new(types, json_string("integer"));
        break;
    case FT_MULTISELECT:
    case FT_ARRAY:
    case FT_TAGS:
        json_array_append_new(types, json_string("array"));
        break;
    default:
        json_array_append_new(types, json_string("string"));
        break;
    }
    if (nullable)
        json_array_append_new(types, json_string("null"));
    return types;
}

static json_t *example_of(const struct entity_field *f)
{
    switch (f->type) {
    case FT_NUMBER:
        return json_integer(3);
    case FT_MONEY:
        return json_string("1280.00");
    case FT_BOOLEAN:
        return json_true();
    case FT_INT:
    case FT_BRANCH:
    case FT_REF:
        return json_integer(1);
    case FT_TIME:
        return json_string("2026-12-01T09:30:00+08:00");
    case FT_DATE:
        return json_string("2026-12-01");
    case FT_PHONE:
        return json_string("13800138000");
    case FT_EMAIL:
        return json_string("zhang.san@post.example.cn");
    case FT_MULTISELECT:
    case FT_ARRAY:
    case FT_TAGS:
        return json_array();
    case FT_SELECT:
        return json_string(f->options && f->options[0][0] ? f->options[0][0] : "a");
    default:
        return json_string(f->label ? f->label : "text");
    }
}

/* A field a person fills in (not the program's, not internal, not tags). */
static bool fillable(const struct entity_field *f)
{
    return !(f->flags & (EF_AUTO | EF_INTERNAL)) && f->type != FT_TAGS && f->expr;
}

static json_t *field_schema(const struct entity_field *f, bool nullable)
{
    char desc[256];
    snprintf(desc, sizeof(desc), "%s (%s)", f->label_en ? f->label_en : f->key,
             f->label ? f->label : f->key);
    json_t *s = json_pack("{s:o,s:s}", "type", type_of(f->type, nullable), "description", desc);
    if (f->flags & EF_AUTO)
        json_object_set_new(s, "readOnly", json_true());
    if (f->type == FT_DATE)
        json_object_set_new(s, "format", json_string("date"));
    if (f->type == FT_EMAIL)
        json_object_set_new(s, "format", json_string("email"));
    return s;
}

json_t *openapi_entity_schema(const struct entity *e)
{
    json_t *props = json_object();
    json_object_set_new(props, "id", json_pack("{s:s,s:b}", "type", "integer", "readOnly", 1));
    for (const struct entity_field *f = e->fields; f->key; f++) {
        if ((f->flags & EF_INTERNAL) || strcmp(f->key, "id") == 0)
            continue;
        /* An answer may leave a field out or send null (masked, not set). */
        json_object_set_new(props, f->key, field_schema(f, true));
    }
    char desc[160];
    snprintf(desc, sizeof(desc), "%s (%s), as answered", e->label_en, e->label);
    return json_pack("{s:s,s:s,s:[s],s:o}", "type", "object", "description", desc, "required", "id",
                     "properties", props);
}

json_t *openapi_entity_input_schema(const struct entity *e)
{
    json_t *props = json_object(), *required = json_array();
    for (const struct entity_field *f = e->fields; f->key; f++) {
        if (!fillable(f))
            continue;
        bool req = (f->flags & EF_REQUIRED) != 0;
        json_object_set_new(props, f->key, field_schema(f, !req));
        if (req)
            json_array_append_new(required, json_string(f->key));
    }
    char desc[160];
    snprintf(desc, sizeof(desc), "%s (%s): what a create or an edit sends", e->label_en, e->label);
    return json_pack("{s:s,s:s,s:o,s:o}", "type", "object", "description", desc, "required",
                     required, "properties", props);
}

json_t *openapi_entity_example(const struct entity *e, bool input)
{
    json_t *ex = json_object();
    if (!input)
        json_object_set_new(ex, "id", json_integer(1));
    for (const struct entity_field *f = e->fields; f->key; f++) {
        if ((f->flags & EF_INTERNAL) || strcmp(f->key, "id") == 0)
            continue;
        if (input && !fillable(f))
            continue;
        json_object_set_new(ex, f->key, example_of(f));
    }
    return ex;
}

void openapi_entity_name(const struct entity *e, bool input, char *out, size_t n)
{
    snprintf(out, n, "%s%s", e->name, input ? "Input" : "");
    if (out[0])
        out[0] = (char)toupper((unsigned char)out[0]);
}

json_t *openapi_error_schema(void)
{
    return json_pack(
        "{s:s,s:s,s:[s],s:{s:{s:s,s:[s,s],s:{s:{s:s},s:{s:s,s:s},s:{s:s,s:{s:s}}}}}}", "type",
        "object", "description",
        "Every error: a stable code, a message in the caller's language (Accept-Language: zh-CN "
        "default, en), and per-field messages for a refused form",
        "required", "error", "properties", "error", "type", "object", "required", "code", "message",
        "properties", "code", "type", "string", "message", "type", "string", "description",
        "for people", "fields", "type", "object", "additionalProperties", "type", "string");
}

json_t *openapi_error_example(void)
{
    return json_pack("{s:{s:s,s:s,s:{s:s}}}", "error", "code", "validation_failed", "message",
                     "请检查填写的内容", "fields", "name", "必填");
}
