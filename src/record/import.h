/*
 * import.h - importing records of any entity with import hooks (record/
 * entity.h) from CSV (UTF-8 or GBK): upload, column mapping, dry run,
 * duplicate handling, progress and a report of bad rows. The endpoints are
 * in import_api.c, the job in import_pipeline.c.
 */
#ifndef HY_IMPORT_H
#define HY_IMPORT_H

#include "core/jobs.h"
#include "http/http.h"

/* The job function (kind "import"). */
int import_run(struct job *job);

extern const struct route imports_routes[];

#endif
