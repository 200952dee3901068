/*
 * export.h - exporting the records of any registered entity (record/
 * entity.h) that its filters find (or all in scope) as CSV or XLSX with the
 * columns the user picks: streamed in constant memory by a background job,
 * masked unless the role may reveal, formula cells neutralised, every
 * export audited.
 */
#ifndef HY_EXPORT_H
#define HY_EXPORT_H

#include "core/jobs.h"
#include "http/http.h"

int export_run(struct job *job);

extern const struct route exports_routes[];

#endif
