/*
 * static.h - serving the built web UI (Vite output) from a directory.
 */
#ifndef HY_STATIC_H
#define HY_STATIC_H

struct MHD_Response;

/* Build the response for path under dir into *out and answer its status.
 * Hashed files under /assets/ are cached for a year; index.html is always
 * revalidated. A path that is not a file gets index.html (the single-page
 * app routes it), except under /assets/, which answers 404. *out stays
 * NULL when nothing could be served (the status says why). */
unsigned static_serve(const char *dir, const char *path, struct MHD_Response **out);

#endif
