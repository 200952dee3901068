/*
 * builder_int.h - the report builder's sources (builder_sources.c) as the
 * compiler (builder.c) reads them: one row of a table each, naming its
 * FROM, what keeps a row live, its scope rule, the permission it needs and
 * its fields (a record/entity.h descriptor). Program text only.
 */
#ifndef HY_REPORT_BUILDER_INT_H
#define HY_REPORT_BUILDER_INT_H

#include "auth/actor.h"
#include "db/sqlbuf.h"
#include "record/entity.h"

#include <stdbool.h>
#include <stddef.h>

struct report_source {
    const char *key, *label, *label_en;
    const char *entity;       /* a registered entity's name, or NULL: own */
    const struct entity *own; /* the fields when entity is NULL */
    const char *from;         /* " FROM … " with the aliases the fields use */
    const char *live;         /* what keeps a row (program text) */
    void (*visible)(const struct actor *u, struct sqlbuf *b);
    unsigned perm;          /* besides PERM_REPORTS */
    const char *path;       /* the branch path of a row, for the tree */
    const char *day_field;  /* a field that is a day number column … */
    const char *day_column; /* … grouped by this column itself */
    const char *id, *title; /* a drilled row's id and words */
    const char *enterprise; /* a drilled row's enterprise, NULL: none */
};

/* The source named key, NULL when there is none. */
const struct report_source *report_source_named(const char *key);
/* The i-th source, NULL past the last. */
const struct report_source *report_source_at(size_t i);
/* Its fields' descriptor (the registered entity's, or its own). */
const struct entity *report_source_entity(const struct report_source *s);
/* Whether u holds the source's permission (and its entity is there). */
bool report_source_usable(const struct actor *u, const struct report_source *s);

#endif
