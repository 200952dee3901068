/*
 * simulate.h - a feed of waybills and tracking events for the demo
 * enterprises (docs/waybills-api.md, "Command line").
 */
#ifndef HY_SIMULATE_H
#define HY_SIMULATE_H

struct db;

/* A few months (days) of waybills for the first `enterprises` enterprises,
 * written through the ingest the batch endpoints use, with the journeys of
 * the last week. 0 (also when there are no enterprises) or negative DB_*. */
int simulate_history(struct db *db, int enterprises, int days);

/* Post about rate events a second to the server at url (no trailing
 * slash) with API key key, for `seconds` seconds (0: until *stop turns
 * nonzero, stop may be NULL). The enterprises are read from db. 0, or -1
 * when a timed run could not post. */
int simulate_run(struct db *db, const char *url, const char *key, long rate, long seconds,
                 volatile int *stop);

#endif
