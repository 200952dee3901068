/*
 * fuzz_csv.c - libFuzzer target for the CSV reader of imports
 * (src/core/tabular.c): the bytes as an uploaded file, its encoding
 * detected, the header and every row read to the end.
 *
 * Beyond "no crash, no leak, no undefined behaviour": every cell handed out
 * is valid UTF-8, a data row has at least the header's width, a refused row
 * says why, and the lines only go forward.
 */
#include "core/tabular.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool valid_utf8(const unsigned char *s)
{
    while (*s) {
        unsigned c = *s;
        size_t n = c < 0x80             ? 0
                   : (c & 0xE0) == 0xC0 ? 1
                   : (c & 0xF0) == 0xE0 ? 2
                   : (c & 0xF8) == 0xF0 ? 3
                                        : 9;
        if (n == 9 || (n == 1 && c < 0xC2))
            return false;
        s++;
        for (size_t i = 0; i < n; i++, s++)
            if ((*s & 0xC0) != 0x80)
                return false;
    }
    return true;
}

static void check_row(const struct tabular_row *row, const char *what)
{
    for (size_t i = 0; i < row->ncells; i++) {
        if (!row->cells[i] || !valid_utf8((const unsigned char *)row->cells[i])) {
            fprintf(stderr, "%s, line %lld: cell %zu is not UTF-8\n", what, (long long)row->line,
                    i);
            abort();
        }
    }
    if (!row->raw || !valid_utf8((const unsigned char *)row->raw)) {
        fprintf(stderr, "%s, line %lld: raw is not UTF-8\n", what, (long long)row->line);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The reader takes a path: the bytes go to an anonymous file. */
    int fd = memfd_create("fuzz_csv", 0);
    if (fd < 0)
        abort();
    if (size && write(fd, data, size) != (ssize_t)size)
        abort();
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    char err[256];
    const char *err_key = NULL;
    struct tabular_reader *r = tabular_open_csv(path, err, sizeof(err), &err_key);
    if (!r) {
        if (!err_key || !err[0]) {
            fprintf(stderr, "a refused file without a reason\n");
            abort();
        }
        close(fd);
        return 0;
    }
    const struct tabular_row *head = tabular_header(r);
    check_row(head, "header");
    size_t width = head->ncells;
    int64_t line = head->line;
    struct tabular_row row;
    for (;;) {
        int rc = tabular_next_row(r, &row);
        if (rc == 0 || rc == TABULAR_EFATAL)
            break;
        if (row.line <= line) {
            fprintf(stderr, "line %lld after line %lld\n", (long long)row.line, (long long)line);
            abort();
        }
        line = row.line;
        if (rc == TABULAR_EROW) {
            if (!row.error_key || !row.error || row.error_code == TABULAR_ROW_OK) {
                fprintf(stderr, "line %lld refused without a reason\n", (long long)row.line);
                abort();
            }
            continue;
        }
        if (rc != 1)
            abort();
        check_row(&row, "row");
        if (row.ncells < width) {
            fprintf(stderr, "line %lld: %zu cells under a header of %zu\n", (long long)row.line,
                    row.ncells, width);
            abort();
        }
    }
    tabular_close(r);
    close(fd);
    return 0;
}
