/*
 * tabular.c - the streaming CSV reader (libcsv + iconv) and the CSV / XLSX
 * (libxlsxwriter) writers; see tabular.h.
 *
 * Reader data flow: the file is read in TABULAR_CHUNK chunks; each chunk is
 * handed to libcsv in PIECE-byte pieces, whose callbacks append the fields
 * (still in the file's encoding) to a record and push complete records onto
 * a small queue; tabular_next_row pops one record and decodes it to UTF-8.
 * Memory is therefore one chunk, libcsv's field buffer (kept under
 * TABULAR_FIELD_MAX + PIECE, see feed()) and the records of one piece.
 */
#include "core/tabular.h"

#include "base/strbuf.h"
#include "base/utf8.h"
#include "base/xmalloc.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xlsxwriter.h>

/* Bytes given to csv_parse at a time: libcsv accumulates a field in its own
 * buffer, so between two pieces we can cap that buffer. */
#define PIECE 4096
/* Encoding detection looks at up to SNIFF_CHUNKS chunks, stopping once it
 * has seen SNIFF_SEQS non-ASCII sequences. */
#define SNIFF_CHUNKS 16
#define SNIFF_SEQS   4096

static const char utf8_bom[] = "\xEF\xBB\xBF";
static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Caps of the buffers (base/strbuf.h), from the limits above so that no
 * file within them reaches one: a record holds at most TABULAR_COLS_MAX
 * fields of TABULAR_FIELD_MAX bytes and a NUL each; decoding GBK makes at
 * most three bytes of one; the raw line is cut once past TABULAR_RAW_MAX,
 * after a field that may be quoted (twice its length). */
#define REC_BYTES_MAX  ((size_t)TABULAR_COLS_MAX * (TABULAR_FIELD_MAX + 1))
#define ROW_BYTES_MAX  (3 * REC_BYTES_MAX)
#define RAW_BYTES_MAX  (TABULAR_RAW_MAX + 6 * (size_t)TABULAR_FIELD_MAX + 16)
#define CELL_BYTES_MAX TABULAR_XLSX_CELL_MAX
#define NAME_BYTES_MAX 256

/* ---- UTF-8 ------------------------------------------------------------- */

static bool all_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/* Append s to out, replacing invalid sequences by U+FFFD; true if all valid. */
static bool utf8_copy_lossy(struct strbuf *out, const char *s, size_t n)
{
    if (utf8_valid(s, n)) { /* the usual case: one copy, not one per character */
        strbuf_add(out, s, n);
        return true;
    }
    const unsigned char *p = (const unsigned char *)s;
    bool ok = true;
    for (size_t i = 0; i < n;) {
        int k = utf8_seq((const char *)p + i, n - i);
        if (k <= 0) {
            strbuf_add(out, replacement, 3);
            ok = false;
            i++;
            continue;
        }
        strbuf_add(out, s + i, (size_t)k);
        i += (size_t)k;
    }
    return ok;
}

/* ---- the reader -------------------------------------------------------- */

enum encoding { ENC_UTF8, ENC_GBK };

/* A record as libcsv delivered it: fields in the file's encoding, each
 * followed by a NUL, starting at off[i]. */
struct rec {
    struct strbuf data;
    size_t *off;
    size_t n, cap;   /* fields stored */
    size_t nfields;  /* fields seen (more than stored past TABULAR_COLS_MAX) */
    long long_field; /* first field over TABULAR_FIELD_MAX, -1 when none */
    int64_t line;
};

/* A decoded row and the storage behind its struct tabular_row. */
struct rowbuf {
    struct strbuf data;
    size_t *off;
    const char **cells;
    size_t cap;
    struct strbuf raw;
    char msg[160];
    struct tabular_row row;
};

struct tabular_reader {
    FILE *fp;
    struct csv_parser csv;
    bool csv_ready;
    char *chunk;
    size_t chunk_len, chunk_pos;
    bool file_eof; /* fread has seen the end */
    bool done;     /* csv_fini has run: the queue holds the last records */
    int64_t bytes_read, bytes_total;

    enum encoding enc;
    bool decided;
    iconv_t cd;

    /* record under construction, fed by the libcsv callbacks */
    struct rec cur;
    bool overflow; /* the field being parsed went past TABULAR_FIELD_MAX */
    int last_end;  /* the character that ended the previous libcsv row */
    int64_t line;

    /* complete records waiting for tabular_next_row */
    struct rec *q;
    size_t qhead, qlen, qcap;

    size_t width; /* header cells */
    struct rowbuf header, row;
    char err[256];
    const char *err_key; /* i18n key of err for the user */
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void rec_reset(struct rec *rec)
{
    strbuf_setlen(&rec->data, 0);
    rec->n = 0;
    rec->nfields = 0;
    rec->long_field = -1;
}

static void rec_free(struct rec *rec)
{
    strbuf_release(&rec->data);
    free(rec->off);
}

/* libcsv field callback: append the field to the record being built. */
static void on_field(void *s, size_t len, void *data)
{
    struct tabular_reader *r = data;
    struct rec *rec = &r->cur;
    size_t i = rec->nfields++;
    if (r->overflow || len > TABULAR_FIELD_MAX) {
        /* feed() already dropped the start of this field; drop the rest. */
        r->overflow = false;
        if (rec->long_field < 0)
            rec->long_field = (long)i;
        len = 0;
    }
    if (rec->n >= TABULAR_COLS_MAX)
        return;
    if (rec->n == rec->cap) {
        rec->cap = rec->cap ? rec->cap * 2 : 16;
        rec->off = xrealloc(rec->off, rec->cap * sizeof(*rec->off));
    }
    rec->off[rec->n++] = rec->data.len;
    strbuf_add(&rec->data, s, len);
    strbuf_addch(&rec->data, '\0');
}

/* libcsv row callback: count the record and queue it unless blank. */
static void on_row(int c, void *data)
{
    struct tabular_reader *r = data;
    struct rec *rec = &r->cur;
    /* CSV_REPALL_NL reports the LF of a CRLF as an empty row of its own. */
    bool crlf_tail = rec->nfields == 0 && c == '\n' && r->last_end == '\r';
    r->last_end = c;
    if (crlf_tail)
        return;
    r->line++;
    bool blank = rec->long_field < 0;
    for (size_t i = 0; blank && i < rec->n; i++)
        blank = rec->data.buf[rec->off[i]] == '\0';
    if (blank) {
        rec_reset(rec);
        return;
    }
    rec->line = r->line;
    if (r->qlen == r->qcap) {
        size_t cap = r->qcap ? r->qcap * 2 : 16;
        r->q = xrealloc(r->q, cap * sizeof(*r->q));
        memset(r->q + r->qcap, 0, (cap - r->qcap) * sizeof(*r->q));
        for (size_t i = r->qcap; i < cap; i++)
            strbuf_init(&r->q[i].data, REC_BYTES_MAX);
        r->qcap = cap;
    }
    /* Swap buffers with the queue slot, so steady state allocates nothing. */
    struct rec tmp = r->q[r->qlen];
    r->q[r->qlen++] = *rec;
    *rec = tmp;
    rec_reset(rec);
}

/* Read the next chunk; 0 at end of file, -1 on a read error. */
static int read_chunk(struct tabular_reader *r)
{
    r->chunk_pos = 0;
    r->chunk_len = fread(r->chunk, 1, TABULAR_CHUNK, r->fp);
    if (r->chunk_len < TABULAR_CHUNK) {
        if (ferror(r->fp)) {
            set_err(r->err, sizeof(r->err), "cannot read the file: %s", strerror(errno));
            r->err_key = "import.file_unreadable";
            return -1;
        }
        r->file_eof = true;
    }
    return 0;
}

/* Parse the next piece of input, queueing the records it completes.
 * 0 on success (r->done once the input is exhausted), -1 on failure. */
static int feed(struct tabular_reader *r)
{
    if (r->chunk_pos == r->chunk_len) {
        if (r->file_eof) {
            csv_fini(&r->csv, on_field, on_row, r);
            r->done = true;
            return 0;
        }
        if (read_chunk(r))
            return -1;
        return 0;
    }
    size_t n = r->chunk_len - r->chunk_pos;
    if (n > PIECE)
        n = PIECE;
    size_t used = csv_parse(&r->csv, r->chunk + r->chunk_pos, n, on_field, on_row, r);
    if (used != n) {
        set_err(r->err, sizeof(r->err), "csv parser failed: %s", csv_strerror(csv_error(&r->csv)));
        r->err_key = "import.bad_csv";
        return -1;
    }
    r->chunk_pos += n;
    r->bytes_read += (int64_t)n;
    /* libcsv has no length limit of its own: past TABULAR_FIELD_MAX forget
     * what it buffered of the field (the struct is public in csv.h) and let
     * on_field flag the row. Parsing state (inside quotes or not) is kept,
     * so the record still ends where it should. */
    if (r->csv.entry_pos > TABULAR_FIELD_MAX) {
        r->csv.entry_pos = 0;
        r->csv.spaces = 0;
        r->overflow = true;
    }
    return 0;
}

/* Decide between UTF-8 and GBK from the first chunks holding non-ASCII
 * bytes, then rewind to where parsing starts. 0 or -1 with r->err set. */
static int sniff(struct tabular_reader *r)
{
    unsigned char head[3] = {0};
    size_t nhead = fread(head, 1, sizeof(head), r->fp);
    long start = 0;
    if (nhead >= 2 &&
        ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF))) {
        set_err(r->err, sizeof(r->err),
                "utf-16 files are not supported; save the file as CSV (UTF-8)");
        r->err_key = "import.utf16";
        return -1;
    }
    /* A text file has no NUL byte: an image, a spreadsheet (zip) or UTF-16
     * without its byte-order mark has many, and would otherwise be read as
     * GBK. The first chunk decides; a NUL further on fails its row. */
    if (fseek(r->fp, 0, SEEK_SET))
        goto io_error;
    size_t got0 = fread(r->chunk, 1, TABULAR_CHUNK, r->fp);
    if (got0 == 0 && ferror(r->fp))
        goto io_error;
    if (memchr(r->chunk, '\0', got0)) {
        set_err(r->err, sizeof(r->err), "the file is not text (a NUL byte near its start)");
        r->err_key = "import.not_text";
        return -1;
    }
    if (nhead == 3 && memcmp(head, utf8_bom, 3) == 0) {
        r->enc = ENC_UTF8;
        r->decided = true;
        start = 3;
        goto rewind;
    }
    if (fseek(r->fp, 0, SEEK_SET))
        goto io_error;
    /* Count valid multi-byte UTF-8 sequences and bytes that cannot be
     * UTF-8. GBK text makes a valid UTF-8 sequence only now and then (a
     * lead byte C2-DF followed by a trail byte 80-BF), so it shows many bad
     * bytes for few good sequences; a UTF-8 file with a damaged cell shows
     * the reverse, and its damaged rows are refused one by one later. */
    size_t tail = 0, good = 0, bad = 0; /* tail: a sequence cut by the chunk's end */
    for (int c = 0; c < SNIFF_CHUNKS && good + bad < SNIFF_SEQS; c++) {
        size_t got = fread(r->chunk + tail, 1, TABULAR_CHUNK - tail, r->fp);
        if (got == 0 && ferror(r->fp))
            goto io_error;
        bool eof = got < TABULAR_CHUNK - tail;
        size_t n = tail + got;
        const unsigned char *p = (const unsigned char *)r->chunk;
        size_t i = 0;
        tail = 0;
        while (i < n) {
            if (p[i] < 0x80) {
                i++;
                continue;
            }
            int k = utf8_seq((const char *)p + i, n - i);
            if (k == -1 && !eof) {
                tail = n - i;
                memmove(r->chunk, p + i, tail);
                break;
            }
            if (k <= 0) {
                bad++;
                i++;
            } else {
                good++;
                i += (size_t)k;
            }
        }
        if (eof)
            break;
    }
    r->decided = good + bad > 0;
    r->enc = bad == 0 || good >= 10 * bad ? ENC_UTF8 : ENC_GBK;
rewind:
    if (fseek(r->fp, start, SEEK_SET))
        goto io_error;
    r->bytes_read = start;
    return 0;
io_error:
    set_err(r->err, sizeof(r->err), "cannot read the file: %s", strerror(errno));
    r->err_key = "import.file_unreadable";
    return -1;
}

static int open_gbk(struct tabular_reader *r)
{
    if (r->cd != (iconv_t)-1)
        return 0;
    r->cd = iconv_open("UTF-8", "GB18030");
    if (r->cd == (iconv_t)-1) {
        set_err(r->err, sizeof(r->err), "cannot start the GB18030 decoder: %s", strerror(errno));
        r->err_key = "internal";
        return -1;
    }
    return 0;
}

/* Append the GB18030 bytes s[0..n) to out as UTF-8, invalid bytes replaced
 * by U+FFFD; true if all were valid. */
static bool gbk_copy_lossy(iconv_t cd, struct strbuf *out, const char *s, size_t n)
{
    bool ok = true;
    char *in = (char *)s;
    size_t inleft = n;
    iconv(cd, NULL, NULL, NULL, NULL);
    while (inleft > 0) {
        /* GB18030 -> UTF-8 at most doubles; U+FFFD for one byte triples. */
        if (strbuf_grow(out, inleft * 3 + 4))
            return false; /* past the row's cap: cannot be within the limits */
        char *o = out->buf + out->len;
        size_t oleft = out->alloc - out->len - 1;
        size_t rc = iconv(cd, &in, &inleft, &o, &oleft);
        strbuf_setlen(out, (size_t)(o - out->buf));
        if (rc != (size_t)-1)
            break;
        if (errno == E2BIG)
            continue;
        /* EILSEQ or EINVAL (a sequence cut short by the field's end). 0x80
         * alone is the euro sign in Windows code page 936, which Excel uses
         * for "GBK"; GB18030 moved it elsewhere. */
        if ((unsigned char)*in == 0x80) {
            strbuf_add(out, "\xE2\x82\xAC", 3);
        } else {
            strbuf_add(out, replacement, 3);
            ok = false;
        }
        in++;
        inleft--;
    }
    return ok;
}

/* Append field s[0..n) to out as UTF-8; false if it held invalid bytes. */
static bool decode_field(struct tabular_reader *r, struct strbuf *out, const char *s, size_t n,
                         bool *fatal)
{
    if (all_ascii(s, n)) {
        strbuf_add(out, s, n);
        return true;
    }
    if (!r->decided) {
        r->decided = true;
        r->enc = utf8_valid(s, n) ? ENC_UTF8 : ENC_GBK;
    }
    if (r->enc == ENC_UTF8)
        return utf8_copy_lossy(out, s, n);
    if (open_gbk(r)) {
        *fatal = true;
        return false;
    }
    return gbk_copy_lossy(r->cd, out, s, n);
}

/* Render cells as one CSV line into raw, cut after TABULAR_RAW_MAX bytes. */
static void render_raw(struct strbuf *raw, const char *const *cells, size_t n)
{
    strbuf_reset(raw);
    strbuf_grow(raw, 0); /* "" rather than NULL for an empty line */
    for (size_t i = 0; i < n && raw->len <= TABULAR_RAW_MAX; i++) {
        const char *c = cells[i];
        if (i)
            strbuf_addch(raw, ',');
        if (!strpbrk(c, ",\"\r\n")) {
            strbuf_add(raw, c, strlen(c));
            continue;
        }
        strbuf_addch(raw, '"');
        for (; *c; c++) {
            if (*c == '"')
                strbuf_addch(raw, '"');
            strbuf_addch(raw, *c);
        }
        strbuf_addch(raw, '"');
    }
    if (raw->len > TABULAR_RAW_MAX) {
        strbuf_setlen(raw, utf8_cut(raw->buf, raw->len, TABULAR_RAW_MAX));
        strbuf_add(raw, "…", strlen("…"));
    }
}

static void row_error(struct rowbuf *rb, enum tabular_row_error code, long column, const char *key,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void row_error(struct rowbuf *rb, enum tabular_row_error code, long column, const char *key,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rb->msg, sizeof(rb->msg), fmt, ap);
    va_end(ap);
    rb->row.error_code = code;
    rb->row.error_column = (int)column;
    rb->row.error_key = key;
    rb->row.error = rb->msg;
}

/*
 * Decode rec into rb. Data rows (pad) get "" cells up to the header width,
 * and lose trailing empty cells past it. 1 = fine, TABULAR_EROW = refused
 * (rb->row says why), TABULAR_EFATAL = decoder failure.
 */
static int load_row(struct tabular_reader *r, struct rec *rec, struct rowbuf *rb, bool pad)
{
    bool fatal = false;
    long bad_col = -1, nul_col = -1;
    size_t n = rec->n;
    if (pad)
        while (n > r->width && rec->data.buf[rec->off[n - 1]] == '\0' && rec->nfields == rec->n)
            n--;
    size_t ncells = pad && n < r->width ? r->width : n;
    if (rb->cap < ncells + 1) {
        rb->cap = ncells + 1;
        rb->off = xrealloc(rb->off, rb->cap * sizeof(*rb->off));
        rb->cells = xrealloc(rb->cells, rb->cap * sizeof(*rb->cells));
    }
    strbuf_setlen(&rb->data, 0);
    for (size_t i = 0; i < n; i++) {
        const char *s = rec->data.buf + rec->off[i];
        size_t len = (i + 1 < rec->n ? rec->off[i + 1] : rec->data.len) - rec->off[i] - 1;
        rb->off[i] = rb->data.len;
        if (!decode_field(r, &rb->data, s, len, &fatal) && bad_col < 0)
            bad_col = (long)i;
        if (nul_col < 0 && memchr(s, '\0', len))
            nul_col = (long)i;
        if (fatal)
            return TABULAR_EFATAL;
        strbuf_addch(&rb->data, '\0');
    }
    for (size_t i = 0; i < n; i++)
        rb->cells[i] = rb->data.buf + rb->off[i];
    for (size_t i = n; i < ncells; i++)
        rb->cells[i] = "";
    rb->cells[ncells] = NULL;

    memset(&rb->row, 0, sizeof(rb->row));
    rb->row.cells = rb->cells;
    rb->row.ncells = ncells;
    rb->row.line = rec->line;
    rb->row.error_column = -1;
    render_raw(&rb->raw, rb->cells, ncells);
    rb->row.raw = rb->raw.buf;

    long long line = (long long)rec->line;
    if (rec->long_field >= 0) {
        row_error(rb, TABULAR_ROW_FIELD_TOO_LONG, rec->long_field, "import.field_too_long",
                  "row %lld: column %ld is longer than %d bytes", line, rec->long_field + 1,
                  TABULAR_FIELD_MAX);
        return TABULAR_EROW;
    }
    if (nul_col >= 0) {
        /* A NUL would cut the cell short wherever it is read as a string. */
        row_error(rb, TABULAR_ROW_BAD_ENCODING, nul_col, "import.nul_in_cell",
                  "row %lld: column %ld holds a NUL byte", line, nul_col + 1);
        return TABULAR_EROW;
    }
    if (bad_col >= 0) {
        row_error(rb, TABULAR_ROW_BAD_ENCODING, bad_col, "import.bad_encoding",
                  "row %lld: column %ld holds bytes that are not valid %s", line, bad_col + 1,
                  r->enc == ENC_GBK ? "GBK/GB18030" : "UTF-8");
        return TABULAR_EROW;
    }
    if (pad && (n > r->width || rec->nfields > rec->n)) {
        row_error(rb, TABULAR_ROW_TOO_MANY_COLUMNS, (long)r->width, "import.too_many_columns",
                  "row %lld: %zu columns, the header has %zu", line, rec->nfields, r->width);
        return TABULAR_EROW;
    }
    return 1;
}

/* Pop the next queued record, parsing more input as needed.
 * 1 = *out set, 0 = end of input, -1 = failure (r->err set). */
static int next_rec(struct tabular_reader *r, struct rec **out)
{
    for (;;) {
        if (r->qhead < r->qlen) {
            *out = &r->q[r->qhead++];
            return 1;
        }
        r->qhead = r->qlen = 0;
        if (r->done)
            return 0;
        if (feed(r))
            return -1;
    }
}

struct tabular_reader *tabular_open_csv(const char *path, char *err, size_t errlen,
                                        const char **err_key)
{
    struct tabular_reader *r = xcalloc(1, sizeof(*r));
    struct stat sb;
    struct rec *rec;
    const char *key = "import.file_unreadable";
    r->cd = (iconv_t)-1;
    r->cur.long_field = -1;
    strbuf_init(&r->cur.data, REC_BYTES_MAX);
    strbuf_init(&r->header.data, ROW_BYTES_MAX);
    strbuf_init(&r->row.data, ROW_BYTES_MAX);
    strbuf_init(&r->header.raw, RAW_BYTES_MAX);
    strbuf_init(&r->row.raw, RAW_BYTES_MAX);
    r->chunk = xmalloc(TABULAR_CHUNK);
    r->fp = fopen(path, "rb");
    if (!r->fp) {
        int e = errno;
        set_err(err, errlen, "cannot open '%s': %s", path, strerror(e));
        if (e == ENOENT)
            key = "import.file_missing";
        goto fail;
    }
    if (fstat(fileno(r->fp), &sb) || !S_ISREG(sb.st_mode)) {
        set_err(err, errlen, "'%s' is not a regular file", path);
        goto fail;
    }
    r->bytes_total = (int64_t)sb.st_size;
    if (csv_init(&r->csv, CSV_REPALL_NL | CSV_APPEND_NULL)) {
        set_err(err, errlen, "cannot start the csv parser");
        key = "internal";
        goto fail;
    }
    r->csv_ready = true;
    csv_set_blk_size(&r->csv, PIECE);
    int rc = sniff(r);
    if (!rc && r->decided && r->enc == ENC_GBK)
        rc = open_gbk(r);
    if (!rc)
        rc = next_rec(r, &rec);
    if (rc < 0) {
        set_err(err, errlen, "%s", r->err);
        key = r->err_key;
        goto fail;
    }
    if (rc == 0) {
        set_err(err, errlen, "the file is empty");
        key = "import.file_empty";
        goto fail;
    }
    if (rec->nfields > TABULAR_COLS_MAX) {
        set_err(err, errlen, "the header has more than %d columns", TABULAR_COLS_MAX);
        key = "import.header_too_wide";
        goto fail;
    }
    rc = load_row(r, rec, &r->header, false);
    if (rc == TABULAR_EFATAL) {
        set_err(err, errlen, "%s", r->err);
        key = r->err_key;
        goto fail;
    }
    if (rc != 1) {
        set_err(err, errlen, "the header row is invalid: %s", r->header.msg);
        key = "import.header_invalid";
        goto fail;
    }
    r->width = r->header.row.ncells;
    return r;
fail:
    if (err_key)
        *err_key = key ? key : "import.file_unreadable";
    tabular_close(r);
    return NULL;
}

const struct tabular_row *tabular_header(const struct tabular_reader *r)
{
    return &r->header.row;
}

const char *tabular_encoding(const struct tabular_reader *r)
{
    return r->enc == ENC_GBK ? "gbk" : "utf-8";
}

int tabular_next_row(struct tabular_reader *r, struct tabular_row *row)
{
    struct rec *rec;
    if (r->err[0])
        return TABULAR_EFATAL;
    int rc = next_rec(r, &rec);
    if (rc <= 0)
        return rc < 0 ? TABULAR_EFATAL : 0;
    rc = load_row(r, rec, &r->row, true);
    if (rc != TABULAR_EFATAL)
        *row = r->row.row;
    return rc;
}

const char *tabular_error(const struct tabular_reader *r)
{
    return r->err;
}

const char *tabular_error_key(const struct tabular_reader *r)
{
    return r->err[0] ? (r->err_key ? r->err_key : "import.file_unreadable") : NULL;
}

int64_t tabular_bytes_read(const struct tabular_reader *r)
{
    return r->bytes_read;
}

int64_t tabular_bytes_total(const struct tabular_reader *r)
{
    return r->bytes_total;
}

static void rowstrbuf_release(struct rowbuf *rb)
{
    strbuf_release(&rb->data);
    strbuf_release(&rb->raw);
    free(rb->off);
    free(rb->cells);
}

void tabular_close(struct tabular_reader *r)
{
    if (!r)
        return;
    if (r->fp)
        fclose(r->fp);
    if (r->csv_ready)
        csv_free(&r->csv);
    if (r->cd != (iconv_t)-1)
        iconv_close(r->cd);
    rec_free(&r->cur);
    for (size_t i = 0; i < r->qcap; i++)
        rec_free(&r->q[i]);
    free(r->q);
    rowstrbuf_release(&r->header);
    rowstrbuf_release(&r->row);
    free(r->chunk);
    free(r);
}

/* ---- neutralisation ---------------------------------------------------- */

bool tabular_needs_neutralising(const char *cell)
{
    if (!cell)
        return false;
    switch (cell[0]) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
        return true;
    default:
        return false;
    }
}

const char *tabular_neutralise(const char *cell, char **buf, size_t *bufcap)
{
    if (!cell)
        return "";
    if (!tabular_needs_neutralising(cell))
        return cell;
    size_t n = strlen(cell);
    if (*bufcap < n + 2) {
        *bufcap = n + 2;
        *buf = xrealloc(*buf, *bufcap);
    }
    (*buf)[0] = '\'';
    memcpy(*buf + 1, cell, n + 1);
    return *buf;
}

/* ---- writers ----------------------------------------------------------- */

#define SHEET_NAME_MAX 31 /* characters, Excel's limit */

struct tabular_writer {
    enum tabular_format fmt;
    FILE *fp; /* CSV */

    lxw_workbook *wb; /* XLSX */
    lxw_worksheet *ws;
    lxw_format *bold;
    char *tmpdir;
    char *sheet_base;
    int sheet_no;
    uint32_t sheet_rows; /* rows on the current sheet */
    uint32_t max_rows;   /* rows per sheet */
    char **header;       /* kept to repeat on continuation sheets */
    size_t nheader;
    double *widths;
    size_t nwidths;
    bool *numeric; /* columns whose number cells are numbers */
    size_t nnumeric;

    int64_t rows;
    bool failed;
    char *nbuf; /* neutralised cell */
    size_t nbufcap;
    struct strbuf cut; /* a cell cut to TABULAR_XLSX_CELL_MAX */
};

/* Write one CSV cell, quoting it when it holds a comma, quote or line
 * break, or starts or ends with blanks (which CSV readers may trim). */
static void csv_put_cell(FILE *fp, const char *s)
{
    size_t n = strlen(s);
    bool quote = n && (strpbrk(s, ",\"\r\n") || s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' ||
                       s[n - 1] == '\t');
    if (!quote) {
        fwrite(s, 1, n, fp);
        return;
    }
    putc('"', fp);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            putc('"', fp);
        putc(*p, fp);
    }
    putc('"', fp);
}

/* Sheet names: Excel refuses []:*?/\ and a leading or trailing apostrophe,
 * and more than 31 characters. suffix (may be "") is kept whole. */
static char *sheet_name(const char *base, const char *suffix)
{
    size_t slen = strlen(suffix);
    struct strbuf b = STRBUF_INIT(NAME_BYTES_MAX);
    size_t chars = 0, max = SHEET_NAME_MAX - slen;
    const unsigned char *p = (const unsigned char *)base;
    while (*p && chars < max) {
        int k = utf8_seq((const char *)p, strlen((const char *)p));
        if (k <= 0) {
            strbuf_addch(&b, '_');
            p++;
        } else if (k == 1 && strchr("[]:*?/\\", *p)) {
            strbuf_addch(&b, '_');
            p++;
        } else {
            strbuf_add(&b, p, (size_t)k);
            p += k;
        }
        chars++;
    }
    if (b.len && b.buf[0] == '\'')
        b.buf[0] = '_';
    if (b.len && b.buf[b.len - 1] == '\'' && !slen)
        b.buf[b.len - 1] = '_';
    if (!b.len)
        strbuf_add(&b, "Sheet", 5);
    strbuf_add(&b, suffix, slen);
    return strbuf_detach(&b, NULL);
}

/* Start the next worksheet: widths, frozen header, header repeated. */
static int next_sheet(struct tabular_writer *w)
{
    char suffix[16] = "";
    w->sheet_no++;
    if (w->sheet_no > 1)
        snprintf(suffix, sizeof(suffix), " %d", w->sheet_no);
    char *name = sheet_name(w->sheet_base, suffix);
    w->ws = workbook_add_worksheet(w->wb, name);
    free(name);
    if (!w->ws)
        return -1;
    w->sheet_rows = 0;
    for (size_t i = 0; i < w->nwidths; i++)
        if (w->widths[i] > 0 &&
            worksheet_set_column(w->ws, (lxw_col_t)i, (lxw_col_t)i, w->widths[i], NULL))
            return -1;
    if (!w->header)
        return 0;
    worksheet_freeze_panes(w->ws, 1, 0);
    for (size_t i = 0; i < w->nheader; i++)
        if (worksheet_write_string(w->ws, 0, (lxw_col_t)i, w->header[i], w->bold))
            return -1;
    w->sheet_rows = 1;
    return 0;
}

struct tabular_writer *tabular_writer_open(const char *path, enum tabular_format fmt,
                                           const char *sheet, char *err, size_t errlen)
{
    struct tabular_writer *w = xcalloc(1, sizeof(*w));
    w->fmt = fmt;
    strbuf_init(&w->cut, CELL_BYTES_MAX);
    /* Create the file now, so that an unwritable path fails here rather
     * than after a million rows; libxlsxwriter rewrites it at close. */
    w->fp = fopen(path, "wb");
    if (!w->fp) {
        set_err(err, errlen, "cannot create '%s': %s", path, strerror(errno));
        goto fail;
    }
    if (fmt == TABULAR_CSV) {
        setvbuf(w->fp, NULL, _IOFBF, 64 * 1024);
        fwrite(utf8_bom, 1, 3, w->fp);
        return w;
    }
    fclose(w->fp);
    w->fp = NULL;
    const char *slash = strrchr(path, '/');
    w->tmpdir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    w->sheet_base = xstrdup(sheet && *sheet ? sheet : "Sheet1");
    w->max_rows = TABULAR_XLSX_ROWS;
    lxw_workbook_options opts = {.constant_memory = LXW_TRUE, .tmpdir = w->tmpdir};
    w->wb = workbook_new_opt(path, &opts);
    if (!w->wb) {
        set_err(err, errlen, "cannot start the xlsx writer for '%s'", path);
        goto fail;
    }
    w->bold = workbook_add_format(w->wb);
    format_set_bold(w->bold);
    return w;
fail:
    tabular_writer_close(w);
    return NULL;
}

void tabular_writer_set_widths(struct tabular_writer *w, const double *widths, size_t n)
{
    free(w->widths);
    w->widths = xmalloc((n ? n : 1) * sizeof(*widths));
    if (n)
        memcpy(w->widths, widths, n * sizeof(*widths));
    w->nwidths = n > LXW_COL_MAX ? LXW_COL_MAX : n;
}

void tabular_writer_set_numeric(struct tabular_writer *w, const bool *numeric, size_t n)
{
    free(w->numeric);
    w->numeric = xmalloc((n ? n : 1) * sizeof(*numeric));
    if (n)
        memcpy(w->numeric, numeric, n * sizeof(*numeric));
    w->nnumeric = n;
}

bool tabular_is_number(const char *cell)
{
    const char *p = cell ? cell : "";
    if (*p == '-')
        p++;
    if (!(*p >= '0' && *p <= '9'))
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0' && strlen(cell) <= 20;
}

/* Whether cell i of a data row is written as a number: its column is
 * numeric and the cell is a plain decimal (which no spreadsheet runs). */
static bool as_number(const struct tabular_writer *w, size_t i, const char *cell)
{
    return i < w->nnumeric && w->numeric[i] && tabular_is_number(cell);
}

static int xlsx_write_row(struct tabular_writer *w, const char *const *cells, size_t n)
{
    if (n > LXW_COL_MAX)
        return -1;
    if (w->rows == 0) {
        /* The first row is the header: keep it to repeat on later sheets. */
        w->header = xcalloc(n ? n : 1, sizeof(*w->header));
        w->nheader = n;
        for (size_t i = 0; i < n; i++) {
            const char *c = tabular_neutralise(cells[i], &w->nbuf, &w->nbufcap);
            w->header[i] = xstrndup(c, utf8_cut(c, strlen(c), TABULAR_XLSX_CELL_MAX));
        }
        return next_sheet(w);
    }
    if (w->sheet_rows >= w->max_rows && next_sheet(w))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (as_number(w, i, cells[i])) {
            if (worksheet_write_number(w->ws, w->sheet_rows, (lxw_col_t)i, strtod(cells[i], NULL),
                                       NULL))
                return -1;
            continue;
        }
        const char *c = tabular_neutralise(cells[i], &w->nbuf, &w->nbufcap);
        size_t len = strlen(c);
        if (!len)
            continue;
        if (len > TABULAR_XLSX_CELL_MAX) {
            strbuf_setlen(&w->cut, 0);
            strbuf_add(&w->cut, c, utf8_cut(c, len, TABULAR_XLSX_CELL_MAX));
            c = w->cut.buf;
        }
        if (worksheet_write_string(w->ws, w->sheet_rows, (lxw_col_t)i, c, NULL))
            return -1;
    }
    w->sheet_rows++;
    return 0;
}

int tabular_write_row(struct tabular_writer *w, const char *const *cells, size_t n)
{
    if (w->failed)
        return -1;
    int rc = 0;
    if (w->fmt == TABULAR_CSV) {
        for (size_t i = 0; i < n; i++) {
            if (i)
                putc(',', w->fp);
            csv_put_cell(w->fp, w->rows && as_number(w, i, cells[i])
                                    ? cells[i]
                                    : tabular_neutralise(cells[i], &w->nbuf, &w->nbufcap));
        }
        fputs("\r\n", w->fp);
        rc = ferror(w->fp) ? -1 : 0;
    } else {
        rc = xlsx_write_row(w, cells, n);
    }
    if (rc) {
        w->failed = true;
        return -1;
    }
    w->rows++;
    return 0;
}

void tabular_writer_set_sheet_rows(struct tabular_writer *w, uint32_t rows)
{
    w->max_rows = rows >= 2 && rows <= TABULAR_XLSX_ROWS ? rows : TABULAR_XLSX_ROWS;
}

int64_t tabular_writer_rows(const struct tabular_writer *w)
{
    return w->rows;
}

int tabular_writer_close(struct tabular_writer *w)
{
    if (!w)
        return 0;
    int rc = w->failed ? -1 : 0;
    if (w->fp) {
        if (fflush(w->fp) || ferror(w->fp))
            rc = -1;
        if (fclose(w->fp))
            rc = -1;
    }
    if (w->wb) {
        /* An empty workbook still needs one sheet to be a valid file. */
        if (!w->ws && !workbook_add_worksheet(w->wb, NULL))
            rc = -1;
        if (workbook_close(w->wb) != LXW_NO_ERROR)
            rc = -1;
    }
    for (size_t i = 0; i < w->nheader; i++)
        free(w->header[i]);
    free(w->header);
    free(w->widths);
    free(w->numeric);
    free(w->tmpdir);
    free(w->sheet_base);
    free(w->nbuf);
    strbuf_release(&w->cut);
    free(w);
    return rc;
}
