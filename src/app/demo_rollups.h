/*
 * demo_rollups.h - a year of shipping figures for the demo enterprises,
 * so that 统计分析 has months to show (`hongyan demo`).
 */
#ifndef HY_DEMO_ROLLUPS_H
#define HY_DEMO_ROLLUPS_H

struct db;

/* Back-dated waybill rollups (the figures the dashboards and the 360 page
 * read; no waybills) for the demo enterprises that are not prospects,
 * over the last `days` days; the first `skip` enterprises (which get real
 * waybills for their last `recent` days from the simulator) only before
 * that. Most ship steadily and grow, some fall off (churn), some stopped
 * weeks ago (dormant). 0 or a negative DB_*. */
int demo_rollups(struct db *db, int days, int skip, int recent);

#endif
