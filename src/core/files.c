/*
 * files.c - see files.h.
 */
#include "core/files.h"

#include "base/log.h"
#include "base/xmalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *dir;

int files_init(const char *d)
{
    free(dir);
    dir = xstrdup(d);
    if (mkdir(dir, 0700) && errno != EEXIST) {
        log_error("cannot create the files directory %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

const char *files_dir(void)
{
    return dir ? dir : "data/files";
}

char *files_path(const char *name)
{
    return xasprintf("%s/%s", files_dir(), name);
}
