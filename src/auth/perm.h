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

#define PERM_PUBLIC          0u
#define PERM_SIGNED_IN       (1u << 0)
#define PERM_CUSTOMERS_READ  (1u << 1)
#define PERM_CUSTOMERS_WRITE (1u << 2)
#define PERM_INTERACTIONS    (1u << 3)
#define PERM_TASKS           (1u << 4)
#define PERM_ENTERPRISES     (1u << 5)
#define PERM_REPORTS         (1u << 6)
#define PERM_REVEAL          (1u << 7) /* see unmasked phone / ID numbers */
#define PERM_MERGE           (1u << 8) /* merge duplicate profiles, team views */
#define PERM_ADMIN           (1u << 9)

/* The permission bits of a role name; 0 for an unknown role. */
unsigned perm_for_role(const char *role);
bool perm_role_valid(const char *role);
/* Append the permission names of bits to a JSON array (for /auth/me). */
struct json_t;
void perm_names(unsigned bits, struct json_t *array);

#endif
