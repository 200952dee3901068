/*
 * demo_customers.h - demo customers, business records and tasks for
 * `hongyan demo` (after core/demo.c has made branches and staff).
 */
#ifndef HY_DEMO_CUSTOMERS_H
#define HY_DEMO_CUSTOMERS_H

struct db;

/* Create about n customers in one transaction; 0 or a negative DB_* error. */
int demo_customers(struct db *db, int n);

#endif
