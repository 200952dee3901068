/*
 * approval_module.c - the approvals module: its endpoints, the guard of
 * large personal-data exports, and the sweep that reminds approvers and
 * escalates past a step's deadline (every scheduler round: when nothing
 * is due it is one probe of the (status, due_at) index).
 */
#include "approval/approval_module.h"

#include "approval/approval.h"
#include "approval/approval_int.h"
#include "base/log.h"

extern const struct route approval_flows_routes[];

static const struct route *const routes[] = {approvals_routes, approval_flows_routes, NULL};

static int sweep(struct db *db)
{
    int rc = approval_sweep(db);
    if (rc < 0)
        log_warn("approval sweep failed (%d); it runs again in a second", rc);
    return rc < 0 ? rc : 0;
}

static const struct module_periodic periodic[] = {
    {"approval.sweep", 1, sweep},
    {NULL, 0, NULL},
};

const struct module approval_module = {
    .name = "approval", .routes = routes, .periodic = periodic, .init = approval_export_init};
