/*
 * subject.h - what a business record or a task is about when it is not a
 * customer: an enterprise (大客户) of the vip module. crm knows no
 * enterprise rule: the module that fills this in has checked that the
 * actor may write to its record, and says how the record is scoped.
 */
#ifndef HY_SUBJECT_H
#define HY_SUBJECT_H

#include <stdint.h>

struct db;

struct crm_subject {
    int64_t enterprise_id;
    const char *branch_path; /* the enterprise's: records and tasks scope by it */
    int64_t owner_id;        /* tasks: the assignee when none is given; 0: the actor */
    const char *type_dict;   /* records: the dictionary of "type" */
    /* In the record's transaction, once its row is written (the contacts
     * who took part); NULL for none. 0 or a negative DB_* / OP_*. */
    int (*also)(struct db *db, int64_t record_id, void *ctx);
    void *ctx;
};

#endif
