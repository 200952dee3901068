/*
 * perm.h - roles and permissions.
 *
 * A route declares the permission bits it needs; a signed-in user holds the
 * bits of their role. PERM_PUBLIC routes need no sign-in at all. Scoping by
 * branch (which records a user may see) is separate and lives in the domain
 * queries, because it depends on the record, not the route.
 */
#ifndef HY_PERM_H
#define HY_PERM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/perms.h"

/* The permission bits of a role name; 0 for an unknown role. */
unsigned perm_for_role(const char *role);
bool perm_role_valid(const char *role);
/* The i-th role name (clerk, manager, supervisor, admin), NULL past the
 * last; perm_role_index is its inverse (-1 for an unknown role). */
const char *perm_role_at(size_t i);
int perm_role_index(const char *role);
/* Append the permission names of bits to a JSON array (for /auth/me). */
struct json_t;
void perm_names(unsigned bits, struct json_t *array);
/* The name of one permission bit ("customers.merge"); NULL for another value. */
const char *perm_name(unsigned bit);

#endif
