/*
 * demo_tickets.h - six months of service tickets for `hongyan demo`, so
 * that 服务工单, the enterprises' 服务工单 and 满意度 tabs and the service
 * figures of 统计分析 show a working service desk from the first sign-in.
 */
#ifndef HY_DEMO_TICKETS_H
#define HY_DEMO_TICKETS_H

struct db;

/* About n tickets of the demo enterprises that have a manager and a
 * contact, spread over the last 180 days and made through the ticket
 * operations with the clock set to each step's time: created, answered,
 * resolved and closed, rated by the contact; the last week's still open.
 * 0 or <0. */
int demo_tickets(struct db *db, int n);

#endif
