/*
 * auth_api.h - the /auth endpoints (see auth_api.c).
 */
#ifndef HY_AUTH_API_H
#define HY_AUTH_API_H

#include "http/http.h"

extern const struct route auth_routes[];

#endif
