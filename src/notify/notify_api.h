/*
 * notify_api.h - the notification channels' endpoints (notify_api.c).
 */
#ifndef HY_NOTIFY_API_H
#define HY_NOTIFY_API_H

#include "http/http.h"

extern const struct route notify_routes[];

#endif
