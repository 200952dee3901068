/*
 * embedded.h - the built web UI compiled into the binary.
 *
 * scripts/embed-assets.mjs turns web/dist into build/gen/assets_embedded.c,
 * which defines the table below; static.c holds weak empty definitions, so
 * the unit tests (and a binary built without the web UI) link without it.
 * Paths are sorted by strcmp for bsearch.
 */
#ifndef HY_EMBEDDED_H
#define HY_EMBEDDED_H

#include <stddef.h>

struct embedded_asset {
    const char *path; /* "/index.html", "/assets/x-1a2b.js" */
    const unsigned char *data;
    size_t len;
    const unsigned char *gz; /* gzip of data, or NULL when not worth it */
    size_t gz_len;
    const char *etag; /* quoted strong validator of data */
};

extern const struct embedded_asset *embedded_assets;
extern size_t embedded_asset_count;

#endif
