/*
 * record_module.c - the record module: what works for every registered
 * entity (dictionaries, custom fields, tags, segments, import, export,
 * metadata).
 */
#include "record/record_module.h"

#include "record/dictionaries.h"
#include "record/export.h"
#include "record/fields.h"
#include "record/form_layout.h"
#include "record/import.h"
#include "record/meta_api.h"
#include "record/segments.h"
#include "record/tags.h"

static const struct route *const routes[] = {
    dictionaries_routes, fields_routes,  tags_routes,         meta_routes, segments_routes,
    exports_routes,      imports_routes, form_layouts_routes, NULL};

static const struct module_job jobs[] = {
    {"import", import_run},
    {"export", export_run},
    {NULL, NULL},
};

const struct module record_module = {.name = "record", .routes = routes, .jobs = jobs};
