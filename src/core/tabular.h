/*
 * tabular.h - streaming tabular files: a CSV reader (UTF-8 or GBK/GB18030,
 * as Excel in China saves them) for imports, and one writer interface over
 * CSV and XLSX for exports.
 *
 * Both directions run in constant memory whatever the file size: the reader
 * holds one 64 KiB chunk and the rows parsed from a few KiB of it, the XLSX
 * writer uses libxlsxwriter's constant_memory mode (rows go to a temporary
 * file next to the output as they are written).
 *
 * Every cell either writer emits goes through tabular_neutralise: a cell a
 * spreadsheet would run as a formula is written with a leading "'". This is
 * not optional; exports of customer data must never carry live formulas.
 */
#ifndef HY_TABULAR_H
#define HY_TABULAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- reading ---------------------------------------------------------- */

#define TABULAR_CHUNK     (64 * 1024) /* bytes read from the file at a time */
#define TABULAR_FIELD_MAX (64 * 1024) /* longest field accepted, in file bytes */
#define TABULAR_COLS_MAX  16384       /* widest header accepted (Excel's limit) */
#define TABULAR_RAW_MAX   4096        /* tabular_row.raw is cut (with "…") past this */

enum {
    TABULAR_EROW = -1,   /* this row is refused (row->error says why); call again for the next */
    TABULAR_EFATAL = -2, /* I/O or decoder failure; tabular_error() says why; reading is over */
};

/* Why a row was refused, for callers that map it to a translated message. */
enum tabular_row_error {
    TABULAR_ROW_OK = 0,
    TABULAR_ROW_TOO_MANY_COLUMNS, /* more cells than the header has */
    TABULAR_ROW_FIELD_TOO_LONG,   /* a field longer than TABULAR_FIELD_MAX */
    TABULAR_ROW_BAD_ENCODING,     /* bytes that are not valid in the file's encoding */
};

/*
 * One record. Everything it points to belongs to the reader and stays valid
 * until the next tabular_next_row() or tabular_close().
 */
struct tabular_row {
    /* UTF-8, NUL-terminated. Data rows are padded with "" up to the header's
     * width, so cells[i] is valid for every header column i; empty cells
     * past the header's width are dropped (Excel writes such trailing
     * commas), and a row refused for too many columns has them all. */
    const char *const *cells;
    size_t ncells;
    /* 1-based record number as a spreadsheet numbers rows: the header is 1,
     * blank lines count, a quoted field spanning lines is still one record. */
    int64_t line;
    /* The row rendered back as one CSV line in UTF-8 (invalid bytes shown as
     * U+FFFD, cut after TABULAR_RAW_MAX bytes), for error reports. */
    const char *raw;
    /* Set when tabular_next_row answered TABULAR_EROW, else 0 / -1 / NULL. */
    enum tabular_row_error error_code;
    int error_column; /* 0-based column the error is about, -1 when none */
    /* Stable i18n key ("import.too_many_columns", "import.field_too_long",
     * "import.bad_encoding") and an English sentence naming the row. */
    const char *error_key;
    const char *error;
};

struct tabular_reader;

/*
 * Open the CSV file at path and read its header (the first non-blank
 * record). The encoding is decided here: a UTF-8 BOM means UTF-8 (the BOM is
 * dropped); otherwise the non-ASCII bytes of the first chunks (up to 1 MiB)
 * are checked: valid UTF-8 means UTF-8, anything else GB18030 (a superset
 * of GBK) - except that a few bad bytes among many valid UTF-8 sequences
 * (at least 10 to 1) still mean UTF-8, so that one damaged cell in a UTF-8
 * file is refused as that row's error instead of garbling the whole file.
 * A file whose first MiB is plain ASCII is taken as UTF-8 until its first
 * non-ASCII field decides. UTF-16 files are refused.
 *
 * Fields are parsed by libcsv: quoted fields may hold commas, quotes ("")
 * and line breaks; CRLF, LF and CR line ends all work; unquoted fields lose
 * leading and trailing spaces and tabs (quoted ones are kept exactly);
 * blank lines and rows whose cells are all empty are skipped.
 *
 * NULL on failure with a lowercase message in err (unreadable file, empty
 * file, UTF-16, a header that is itself invalid), for the log, and the
 * i18n key of what to tell the user in *err_key (when not NULL; import.*
 * keys, "internal" for a failure that is not the file's).
 */
struct tabular_reader *tabular_open_csv(const char *path, char *err, size_t errlen,
                                        const char **err_key);

/* The header row; valid until tabular_close(). */
const struct tabular_row *tabular_header(const struct tabular_reader *r);

/* "utf-8" or "gbk" (GBK and GB18030 files alike). */
const char *tabular_encoding(const struct tabular_reader *r);

/*
 * The next data row: 1 = row ready, 0 = end of file, TABULAR_EROW = this
 * row is refused (row->line, row->raw and the error fields are set; the
 * reader has moved past it, so call again), TABULAR_EFATAL = reading cannot
 * go on (tabular_error() says why).
 */
int tabular_next_row(struct tabular_reader *r, struct tabular_row *row);

/* The message of the last TABULAR_EFATAL, "" when none. */
const char *tabular_error(const struct tabular_reader *r);
/* Its i18n key for the user (see tabular_open_csv); NULL when none. */
const char *tabular_error_key(const struct tabular_reader *r);

/* Progress: file bytes consumed so far, and the file's size. */
int64_t tabular_bytes_read(const struct tabular_reader *r);
int64_t tabular_bytes_total(const struct tabular_reader *r);

/* Close the file and free the reader (NULL is fine). */
void tabular_close(struct tabular_reader *r);

/* ---- writing ---------------------------------------------------------- */

enum tabular_format { TABULAR_CSV, TABULAR_XLSX };

#define TABULAR_XLSX_ROWS     1048576 /* rows per worksheet, header included */
#define TABULAR_XLSX_CELL_MAX 32767   /* longest XLSX cell; longer text is cut */

struct tabular_writer;

/*
 * Create path (truncating it) for fmt. CSV: UTF-8 with a BOM so that Excel
 * opens it right, RFC 4180 quoting, CRLF line ends. XLSX: one worksheet
 * named sheet_name (NULL: "Sheet1"; characters Excel refuses become '_',
 * cut to 31 characters) in constant-memory mode with its temporary files in
 * path's directory; when a sheet reaches TABULAR_XLSX_ROWS the rows go on in
 * "<sheet_name> 2", "<sheet_name> 3", … each starting with the header again.
 *
 * The first row written is the header: bold and frozen in XLSX.
 * NULL on failure with a message in err.
 */
struct tabular_writer *tabular_writer_open(const char *path, enum tabular_format fmt,
                                           const char *sheet_name, char *err, size_t errlen);

/*
 * Column widths in characters (XLSX only; ignored for CSV), for columns
 * 0..n-1. Call before the first row. A width <= 0 keeps Excel's default.
 */
void tabular_writer_set_widths(struct tabular_writer *w, const double *widths, size_t n);

/*
 * Numeric columns, for columns 0..n-1 (amounts): in data rows, a cell of
 * such a column that is a plain decimal (tabular_is_number) is written as a
 * number, in XLSX as a number cell, and is not neutralised (a negative
 * amount stays -50.00, not '-50.00); any other cell is text as usual.
 */
void tabular_writer_set_numeric(struct tabular_writer *w, const bool *numeric, size_t n);

/* "-12.5", "7": an optional minus, digits, an optional fraction; nothing
 * else (no exponent, no plus, at most 20 characters). */
bool tabular_is_number(const char *cell);

/*
 * Write one row of n UTF-8 cells (a NULL cell is written empty). Each cell
 * is neutralised (tabular_neutralise); XLSX cells longer than
 * TABULAR_XLSX_CELL_MAX bytes are cut at a character boundary.
 * 0 on success, negative on a write error (the writer is then unusable
 * except for tabular_writer_close).
 */
int tabular_write_row(struct tabular_writer *w, const char *const *cells, size_t n);

/* Rows per XLSX worksheet, header included (default and maximum
 * TABULAR_XLSX_ROWS); lower only to test the continuation sheets. */
void tabular_writer_set_sheet_rows(struct tabular_writer *w, uint32_t rows);

/* Rows written so far, header included. */
int64_t tabular_writer_rows(const struct tabular_writer *w);

/*
 * Flush and close the file, free w (NULL is fine). 0 when every byte reached
 * the file, negative when a write or the final flush failed (the file is
 * then incomplete and should be deleted).
 */
int tabular_writer_close(struct tabular_writer *w);

/* ---- formula-injection neutralisation ---------------------------------- */

/*
 * True when a spreadsheet could read cell as a formula or command: its first
 * byte is '=', '+', '-', '@', TAB (0x09) or CR (0x0D) (OWASP "CSV
 * injection"). Negative numbers such as "-12.5" match too and therefore
 * export as text "'-12.5"; that is accepted, since a number that might be a
 * formula cannot be told from one that is.
 */
bool tabular_needs_neutralising(const char *cell);

/*
 * cell as it must be written: cell itself when it is safe, else "'" + cell
 * in buf (grown with xrealloc as needed; *buf may start NULL, caller frees).
 */
const char *tabular_neutralise(const char *cell, char **buf, size_t *bufcap);

#endif
