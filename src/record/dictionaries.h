/*
 * dictionaries.h - admin-editable value lists (business types, customer
 * levels, channels, regions, …). Forms read them; admins edit them.
 */
#ifndef HY_DICTIONARIES_H
#define HY_DICTIONARIES_H

#include "http/http.h"

#include <stdbool.h>

struct db;

/* True when value is an enabled item of dictionary code. */
bool dictionaries_has(struct db *db, const char *code, const char *value);

extern const struct route dictionaries_routes[];

#endif
