/*
 * static.c - see static.h.
 */
#include "http/static.h"

#include "base/xmalloc.h"

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
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; "
                                "style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
                                "frame-ancestors 'none'; base-uri 'self'; form-action 'self'");
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
