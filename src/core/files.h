/*
 * files.h - where Hongyan keeps files it makes or receives (uploaded
 * imports, import reports, exports): one directory, beside the SQLite
 * database by default, set with --files / HONGYAN_FILES.
 */
#ifndef HY_FILES_H
#define HY_FILES_H

/* Set and create the directory; 0 on success. */
int files_init(const char *dir);
const char *files_dir(void);
/* "<dir>/<name>" (caller frees). */
char *files_path(const char *name);

#endif
