/*
 * webhook_api.h - the HTTP endpoints of outgoing webhooks (webhook_api.c).
 */
#ifndef HY_WEBHOOK_API_H
#define HY_WEBHOOK_API_H

#include "http/http.h"

extern const struct route webhook_routes[];

#endif
