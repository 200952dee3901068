/*
 * heavy.h - how many heavy requests (ROUTE_HEAVY: filtered lists and
 * searches, exports, bulk changes) each user has in flight, so one user
 * cannot take every worker thread and leave the others, /health included,
 * waiting behind them.
 */
#ifndef HY_HEAVY_H
#define HY_HEAVY_H

#include <stdbool.h>
#include <stdint.h>

/* Count one more heavy request of user; false (nothing counted) when the
 * user already has limit in flight. limit 0: no limit. Thread-safe. */
bool heavy_enter(int64_t user, unsigned limit);
/* The request counted by heavy_enter ended. */
void heavy_leave(int64_t user);
/* Heavy requests in flight, all users together (for /metrics). */
unsigned heavy_in_flight(void);

#endif
