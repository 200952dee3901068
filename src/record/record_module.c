/*
 * record_module.c - the record module: what works for every registered
 * entity (dictionaries, custom fields, tags).
 */
#include "record/record_module.h"

#include "record/dictionaries.h"
#include "record/fields.h"
#include "record/meta_api.h"
#include "record/tags.h"

static const struct route *const routes[] = {dictionaries_routes, fields_routes, tags_routes,
                                             meta_routes, NULL};

const struct module record_module = {
    .name = "record",
    .routes = routes,
};
