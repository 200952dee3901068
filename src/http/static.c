/*
 * static.c - see static.h.
 */
#include "http/static.h"

#include "base/xmalloc.h"
#include "http/embedded.h"

#include <fcntl.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *mime_type(const char *path)
{
    static const struct {
        const char *ext;
        const char *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".ico", "image/x-icon"},
        {".woff", "font/woff"},
        {".woff2", "font/woff2"},
        {".ttf", "font/ttf"},
        {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"},
    };
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return "application/octet-stream";
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* A request path is served only when every segment is a plain name: no
 * "..", no hidden files, no backslashes. */
static bool safe_path(const char *path)
{
    if (path[0] != '/' || strchr(path, '\\'))
        return false;
    for (const char *p = path; *p; p++)
        if (p[0] == '/' && p[1] == '.')
            return false;
    return true;
}

/* The same policy for the page from a directory or from the binary. */
static void add_page_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; "
                            "style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
                            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'");
}

static struct MHD_Response *file_response(const char *file, const char *cache_control, bool is_html)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return NULL;
    }
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    if (!resp) {
        close(fd);
        return NULL;
    }
    MHD_add_response_header(resp, "Content-Type", mime_type(file));
    MHD_add_response_header(resp, "Cache-Control", cache_control);
    if (is_html)
        add_page_headers(resp);
    return resp;
}

unsigned static_serve(const char *dir, const char *path, struct MHD_Response **out)
{
    *out = NULL;
    if (!dir || !safe_path(path))
        return 404;
    bool is_asset = strncmp(path, "/assets/", 8) == 0;
    if (strcmp(path, "/") != 0 && strcmp(path, "/index.html") != 0) {
        char *file = xasprintf("%s%s", dir, path);
        *out = file_response(file, is_asset ? "public, max-age=31536000, immutable" : "no-cache",
                             false);
        free(file);
        if (*out)
            return 200;
        if (is_asset)
            return 404;
    }
    char *index = xasprintf("%s/index.html", dir);
    *out = file_response(index, "no-cache", true);
    free(index);
    return *out ? 200 : 404;
}

/* ---- the web UI compiled into the binary (embedded.h) ---- */

/* Weak, empty: a binary linked without build/gen/assets_embedded.c (the
 * unit tests) has no embedded UI; the generated file's strong definitions
 * replace these. Not const: the compiler would fold a const weak value
 * into this file's code and never see the strong one. */
__attribute__((weak)) const struct embedded_asset *embedded_assets = NULL;
__attribute__((weak)) size_t embedded_asset_count = 0;

bool static_embedded_available(void)
{
    return embedded_asset_count > 0;
}

static int asset_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct embedded_asset *)elem)->path);
}

static const struct embedded_asset *embedded_find(const char *path)
{
    if (!embedded_assets)
        return NULL;
    return bsearch(path, embedded_assets, embedded_asset_count, sizeof(*embedded_assets),
                   asset_cmp);
}

/* Whether an Accept-Encoding header admits gzip: the token is listed and
 * not with q=0. A browser sends "gzip, deflate, br" or the like. */
static bool accepts_gzip(const char *accept)
{
    for (const char *p = accept; p && (p = strstr(p, "gzip")) != NULL; p += 4) {
        bool starts = p == accept || p[-1] == ' ' || p[-1] == ',';
        const char *e = p + 4;
        while (*e == ' ')
            e++;
        if (!starts || (*e && *e != ',' && *e != ';'))
            continue;
        if (*e == ';') {
            const char *q = strstr(e, "q=");
            const char *end = strchr(e, ',');
            if (q && (!end || q < end) && strtod(q + 2, NULL) <= 0.0)
                return false;
        }
        return true;
    }
    return false;
}

static struct MHD_Response *embedded_response(const struct embedded_asset *a, bool is_html,
                                              const char *accept_encoding,
                                              const char *if_none_match, unsigned *status)
{
    const char *cache =
        strncmp(a->path, "/assets/", 8) == 0 ? "public, max-age=31536000, immutable" : "no-cache";
    struct MHD_Response *resp;
    bool gz = a->gz && accepts_gzip(accept_encoding);
    if (if_none_match && strcmp(if_none_match, a->etag) == 0) {
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        *status = 304;
    } else {
        resp = MHD_create_response_from_buffer(
            gz ? a->gz_len : a->len, (void *)(gz ? a->gz : a->data), MHD_RESPMEM_PERSISTENT);
        *status = 200;
    }
    if (!resp)
        return NULL;
    MHD_add_response_header(resp, "Content-Type", mime_type(a->path));
    MHD_add_response_header(resp, "Cache-Control", cache);
    MHD_add_response_header(resp, "ETag", a->etag);
    if (a->gz)
        MHD_add_response_header(resp, "Vary", "Accept-Encoding");
    if (gz && *status == 200)
        MHD_add_response_header(resp, "Content-Encoding", "gzip");
    if (is_html)
        add_page_headers(resp);
    return resp;
}

unsigned static_serve_embedded(const char *path, const char *accept_encoding,
                               const char *if_none_match, struct MHD_Response **out)
{
    *out = NULL;
    if (!safe_path(path))
        return 404;
    unsigned status = 404;
    bool is_asset = strncmp(path, "/assets/", 8) == 0;
    if (strcmp(path, "/") != 0 && strcmp(path, "/index.html") != 0) {
        const struct embedded_asset *a = embedded_find(path);
        if (a) {
            *out = embedded_response(a, false, accept_encoding, if_none_match, &status);
            return *out ? status : 500;
        }
        if (is_asset)
            return 404;
    }
    const struct embedded_asset *index = embedded_find("/index.html");
    if (!index)
        return 404;
    *out = embedded_response(index, true, accept_encoding, if_none_match, &status);
    return *out ? status : 500;
}
