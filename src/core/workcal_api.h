/*
 * workcal_api.h - the business calendar's endpoints, see workcal_api.c.
 */
#ifndef HY_WORKCAL_API_H
#define HY_WORKCAL_API_H

#include "http/http.h"

extern const struct route workcal_routes[];

#endif
