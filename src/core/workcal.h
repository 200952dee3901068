/*
 * workcal.h - the business calendar: working hours on working days,
 * weekends and public holidays off, make-up working days on. SLA clocks
 * of "business" policies run on it.
 */
#ifndef HY_WORKCAL_H
#define HY_WORKCAL_H

#include <stdint.h>

struct db;

/* The instant that is `secs` seconds of working time after `start` (Unix
 * seconds) on the business calendar. secs <= 0 answers start. Returns 0
 * or a negative DB_* error. */
int workcal_add(struct db *db, int64_t start, int64_t secs, int64_t *due);
/* Working seconds in [a, b) (0 when b <= a). Returns 0 or a negative DB_*
 * error. */
int workcal_between(struct db *db, int64_t a, int64_t b, int64_t *secs);

#endif
