/*
 * reseal.h - moving values sealed with the data key (base/datakey.h) to a
 * new key, for `hongyan rotate-key`: the robots' and the webhooks' secrets
 * are each a sealed column, re-sealed the same way.
 */
#ifndef HY_RESEAL_H
#define HY_RESEAL_H

#include "base/datakey.h"

#include <stdint.h>

struct db;

/* Inside the caller's transaction, re-seal table.column (program constants,
 * never input) of every row from key `from` to key `to`; a value already
 * under `to` is left (a second run does nothing). *done: the rows
 * re-sealed. 0, or a negative DB_* (DB_ERROR also when a value opens under
 * neither key). */
int reseal_column(struct db *db, const char *table, const char *column, const struct datakey *from,
                  const struct datakey *to, int64_t *done);

#endif
