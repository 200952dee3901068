/*
 * branches.h - the organisation tree (province → city → branch) that staff
 * and customers belong to, and its admin endpoints.
 */
#ifndef HY_BRANCHES_H
#define HY_BRANCHES_H

#include "http/http.h"

#include <stdint.h>

struct db;

/* Create a branch under parent_id (0 for a province); sets *id. */
int branches_create(struct db *db, const char *code, const char *name, const char *level,
                    int64_t parent_id, int64_t *id);
/* The id of the branch with code; 1 found, 0 not, <0 error. */
int branches_find_code(struct db *db, const char *code, int64_t *id);

extern const struct route branches_routes[];

#endif
