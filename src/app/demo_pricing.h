/*
 * demo_pricing.h - demo contract prices for `hongyan demo`: the default
 * price list comes with migration 0029; this gives the first demo
 * enterprises contract rules so their 合同价格 tab and their waybills'
 * 计费明细 show something real.
 */
#ifndef HY_DEMO_PRICING_H
#define HY_DEMO_PRICING_H

struct db;

/* Contract rules for the first n enterprises (by id), through the billing
 * operations as the system. 0 or <0. */
int demo_pricing(struct db *db, int n);

#endif
