/*
 * demo_enterprises.h - demo VIP enterprises for `hongyan demo` (after
 * demo.c has made branches and staff).
 */
#ifndef HY_DEMO_ENTERPRISES_H
#define HY_DEMO_ENTERPRISES_H

struct db;

/* Create about n enterprises with contacts, departments and tags, each
 * through the operations the API uses; 0 or a negative DB_* error. */
int demo_enterprises(struct db *db, int n);

#endif
