/*
 * demo.h - demo data for `hongyan demo` and `make run`: an organisation of
 * one province, two cities and four branches, and a staff member of each
 * role. Later modules add their own demo records here.
 */
#ifndef HY_DEMO_H
#define HY_DEMO_H

struct db;

#define DEMO_PASSWORD "hongyan2026"

/* Fill db; answers 0, 1 when demo data was already there, <0 on error. */
int demo_fill(struct db *db);

#endif
