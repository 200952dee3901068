/*
 * customer_import.h - the customer's import hooks (record/entity.h, struct
 * entity_import), named by its descriptor (crm/customer_entity.c).
 */
#ifndef HY_CUSTOMER_IMPORT_H
#define HY_CUSTOMER_IMPORT_H

#include "record/entity.h"

extern const struct entity_import customer_import;

#endif
