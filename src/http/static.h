/*
 * static.h - serving the built web UI (Vite output) from a directory, or
 * from the copy compiled into the binary (http/embedded.h).
 */
#ifndef HY_STATIC_H
#define HY_STATIC_H

#include <stdbool.h>

struct MHD_Response;

/* Build the response for path under dir into *out and answer its status.
 * Hashed files under /assets/ are cached for a year; index.html is always
 * revalidated. A path that is not a file gets index.html (the single-page
 * app routes it), except under /assets/, which answers 404. *out stays
 * NULL when nothing could be served (the status says why). */
unsigned static_serve(const char *dir, const char *path, struct MHD_Response **out);

/* Whether the binary carries the web UI (scripts/embed-assets.mjs). */
bool static_embedded_available(void);

/* The same as static_serve() from the UI compiled into the binary. The
 * text files go out gzip-compressed to clients whose Accept-Encoding
 * admits it; a request whose If-None-Match is the file's ETag gets 304. */
unsigned static_serve_embedded(const char *path, const char *accept_encoding,
                               const char *if_none_match, struct MHD_Response **out);

#endif
