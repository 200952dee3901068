/*
 * approval_int.h - what the files of src/approval/ share among themselves.
 */
#ifndef HY_APPROVAL_INT_H
#define HY_APPROVAL_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* The active users who decide step (kind "user" or "role" on the branch
 * line of path; the administrators when that finds nobody), never the
 * requester, appended to ids. 0 or <0. */
int approval_step_users(struct db *db, const json_t *step, const char *path, int64_t requester,
                        json_t *ids);
/* Tell user uid about request id (notify kind; the title's message key
 * in the user's language, then the flow's name). 0 or <0. */
int approval_tell(struct db *db, int64_t uid, int64_t id, const char *kind, const char *title_key,
                  const char *flow_name, const char *dedupe);
/* The flow's name (the key when it is gone). 0 or <0. */
int approval_flow_name(struct db *db, const char *key, char *out, size_t n);

/* The appliers and guards this module keeps for the record layer's
 * export (approval_export.c), registered by the module's init. */
void approval_export_init(void);

#endif
