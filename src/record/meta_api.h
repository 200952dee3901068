/*
 * meta_api.h - the metadata endpoint (GET /api/v1/meta/entities): the
 * registered entities and their fields, for the UI's forms and dialogs.
 */
#ifndef HY_META_API_H
#define HY_META_API_H

#include "http/http.h"

extern const struct route meta_routes[];

#endif
