/*
 * demo.h - demo data for `hongyan demo` and `make run`: an organisation of
 * one province, two cities and four branches, and a staff member of each
 * role. Later modules add their own demo records here.
 */
#ifndef HY_DEMO_H
#define HY_DEMO_H

#include <stdint.h>

struct db;

#define DEMO_PASSWORD "hongyan2026"

/* Fill db; answers 0, 1 when demo data was already there, <0 on error. */
int demo_fill(struct db *db);
/* xorshift64* over *seed: a number below n, the same sequence every run
 * (deterministic, good enough for made-up people and firms). */
unsigned demo_rnd(uint64_t *seed, unsigned n);

#endif
