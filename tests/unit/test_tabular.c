/*
 * test_tabular.c - unit tests for src/core/tabular.c: CSV round trips
 * (quotes, commas, line breaks, Chinese), UTF-8 / BOM / GBK detection,
 * refused rows (too many columns, invalid bytes, a field over the cap)
 * with the reader going on, formula neutralisation in CSV and XLSX, XLSX
 * continuation sheets, and constant memory over 200,000 rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/tabular.h"

#include <iconv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static char dir[] = "/tmp/hy_tabular_XXXXXX";

/* ---- helpers ---------------------------------------------------------- */

static char *path_for(const char *name)
{
    static char buf[8][256];
    static int i;
    char *p = buf[i++ % 8];
    snprintf(p, 256, "%s/%s", dir, name);
    return p;
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* The whole file in a NUL-terminated buffer the caller frees. */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    fclose(f);
    if (n)
        *n = (size_t)len;
    return buf;
}

/* utf8 converted to GB18030, in a buffer the caller frees. */
static char *to_gbk(const char *utf8, size_t *n)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t inleft = strlen(utf8), outcap = inleft * 2 + 1, outleft = outcap;
    char *out = malloc(outcap), *in = (char *)utf8, *o = out;
    assert_true(iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1);
    iconv_close(cd);
    *n = outcap - outleft;
    return out;
}

static struct tabular_reader *open_ok(const char *path)
{
    char err[256] = "";
    struct tabular_reader *r = tabular_open_csv(path, err, sizeof(err), NULL);
    if (!r)
        fail_msg("open %s: %s", path, err);
    return r;
}

static void expect_row(struct tabular_reader *r, int64_t line, size_t n, const char *const *cells)
{
    struct tabular_row row;
    int rc = tabular_next_row(r, &row);
    if (rc != 1)
        fail_msg("line %lld: rc %d (%s)", (long long)line, rc, rc == TABULAR_EROW ? row.error : "");
    assert_int_equal(row.line, line);
    assert_int_equal(row.ncells, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(row.cells[i], cells[i]);
}

static void expect_eof(struct tabular_reader *r)
{
    struct tabular_row row;
    assert_int_equal(tabular_next_row(r, &row), 0);
    assert_int_equal(tabular_bytes_read(r), tabular_bytes_total(r));
}

/* ---- reading and writing CSV -------------------------------------------- */

static const char *const tricky[][5] = {
    {"姓名", "备注", "地址", "空", "引号"},
    {"张三", "a,b", "广东省广州市\r\n天河区", "", "他说\"你好\""},
    {"李四", "line1\nline2", " padded ", "", "\"\""},
    {"王五", "tab\tinside", "ends with tab\t", "x", "'quoted'"},
};

static void test_csv_round_trip(void **state)
{
    (void)state;
    const char *path = path_for("round.csv");
    char err[256];
    struct tabular_writer *w = tabular_writer_open(path, TABULAR_CSV, NULL, err, sizeof(err));
    assert_non_null(w);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(tabular_write_row(w, tricky[i], 5), 0);
    assert_int_equal(tabular_writer_rows(w), 4);
    assert_int_equal(tabular_writer_close(w), 0);

    size_t n;
    char *text = slurp(path, &n);
    assert_memory_equal(text, "\xEF\xBB\xBF\xE5\xA7\x93", 6); /* BOM, then 姓 */
    assert_non_null(
        strstr(text, "张三,\"a,b\",\"广东省广州市\r\n天河区\",,\"他说\"\"你好\"\"\"\r\n"));
    free(text);

    struct tabular_reader *r = open_ok(path);
    assert_string_equal(tabular_encoding(r), "utf-8");
    const struct tabular_row *h = tabular_header(r);
    assert_int_equal(h->ncells, 5);
    assert_int_equal(h->line, 1);
    assert_string_equal(h->cells[0], "姓名"); /* BOM not part of the first cell */
    /* the multi-line record is line 2; the next starts at record 3 */
    for (size_t i = 1; i < 4; i++)
        expect_row(r, (int64_t)i + 1, 5, tricky[i]);
    expect_eof(r);
    tabular_close(r);
}

static void test_bom_stripped(void **state)
{
    (void)state;
    const char *path = path_for("bom.csv");
    const char data[] = "\xEF\xBB\xBF"
                        "name,phone\nzhang,138\n";
    write_file(path, data, sizeof(data) - 1);
    struct tabular_reader *r = open_ok(path);
    assert_string_equal(tabular_encoding(r), "utf-8");
    assert_string_equal(tabular_header(r)->cells[0], "name");
    expect_row(r, 2, 2, (const char *const[]){"zhang", "138"});
    expect_eof(r);
    tabular_close(r);
}

static void test_gbk_detected(void **state)
{
    (void)state;
    const char *path = path_for("gbk.csv");
    size_t n;
    char *gbk = to_gbk("姓名,手机号\r\n张三,13812341234\r\n\"欧阳, 娜娜\",13900001111\r\n", &n);
    write_file(path, gbk, n);
    free(gbk);
    struct tabular_reader *r = open_ok(path);
    assert_string_equal(tabular_encoding(r), "gbk");
    const struct tabular_row *h = tabular_header(r);
    assert_int_equal(h->ncells, 2);
    assert_string_equal(h->cells[0], "姓名");
    assert_string_equal(h->cells[1], "手机号");
    expect_row(r, 2, 2, (const char *const[]){"张三", "13812341234"});
    expect_row(r, 3, 2, (const char *const[]){"欧阳, 娜娜", "13900001111"});
    expect_eof(r);
    tabular_close(r);
}

static void test_blank_lines_and_line_numbers(void **state)
{
    (void)state;
    const char *path = path_for("blank.csv");
    const char data[] = "\r\na,b,c\r\n\r\n1,2\r\n,,\r\n  x  , \"y\" ,z\r\n\r\n\r\n";
    write_file(path, data, sizeof(data) - 1);
    struct tabular_reader *r = open_ok(path);
    assert_int_equal(tabular_header(r)->line, 2);
    /* short rows are padded to the header's width */
    expect_row(r, 4, 3, (const char *const[]){"1", "2", ""});
    /* ",," is skipped; unquoted blanks trimmed, quoted kept */
    expect_row(r, 6, 3, (const char *const[]){"x", "y", "z"});
    expect_eof(r);
    tabular_close(r);

    /* a file ending without a line break, LF and lone CR line ends */
    path = path_for("ends.csv");
    const char data2[] = "a,b\n1,2\r3,4\n5,6";
    write_file(path, data2, sizeof(data2) - 1);
    r = open_ok(path);
    expect_row(r, 2, 2, (const char *const[]){"1", "2"});
    expect_row(r, 3, 2, (const char *const[]){"3", "4"});
    expect_row(r, 4, 2, (const char *const[]){"5", "6"});
    expect_eof(r);
    tabular_close(r);
}

static void test_too_many_columns(void **state)
{
    (void)state;
    const char *path = path_for("wide.csv");
    const char data[] = "a,b\n1,2\n1,2,3\n4,5,,\n6,7\n";
    write_file(path, data, sizeof(data) - 1);
    struct tabular_reader *r = open_ok(path);
    struct tabular_row row;
    expect_row(r, 2, 2, (const char *const[]){"1", "2"});
    assert_int_equal(tabular_next_row(r, &row), TABULAR_EROW);
    assert_int_equal(row.line, 3);
    assert_int_equal(row.error_code, TABULAR_ROW_TOO_MANY_COLUMNS);
    assert_string_equal(row.error_key, "import.too_many_columns");
    assert_non_null(strstr(row.error, "row 3"));
    assert_string_equal(row.raw, "1,2,3");
    /* trailing empty cells past the header are not an error */
    expect_row(r, 4, 2, (const char *const[]){"4", "5"});
    expect_row(r, 5, 2, (const char *const[]){"6", "7"});
    expect_eof(r);
    tabular_close(r);
}

static void test_invalid_bytes(void **state)
{
    (void)state;
    /* A UTF-8 file with one damaged cell: detected as UTF-8 (plenty of
     * good sequences), the damaged row refused, the reader going on. */
    const char *path = path_for("bad-utf8.csv");
    const char data[] =
        "姓名,手机号,地址\n张三,138,广州市天河区\n李\xFF四,139,x\n王五,137,深圳市\n";
    write_file(path, data, sizeof(data) - 1);
    struct tabular_reader *r = open_ok(path);
    assert_string_equal(tabular_encoding(r), "utf-8");
    struct tabular_row row;
    expect_row(r, 2, 3, (const char *const[]){"张三", "138", "广州市天河区"});
    assert_int_equal(tabular_next_row(r, &row), TABULAR_EROW);
    assert_int_equal(row.line, 3);
    assert_int_equal(row.error_code, TABULAR_ROW_BAD_ENCODING);
    assert_int_equal(row.error_column, 0);
    assert_non_null(strstr(row.error, "row 3"));
    assert_string_equal(row.raw, "李\xEF\xBF\xBD四,139,x"); /* U+FFFD in place of the bad byte */
    expect_row(r, 4, 3, (const char *const[]){"王五", "137", "深圳市"});
    expect_eof(r);
    tabular_close(r);

    /* A GBK file with a byte pair that is not GB18030. */
    path = path_for("bad-gbk.csv");
    size_t n;
    char *gbk = to_gbk("姓名,手机号\n张三,138\n@@,139\n李四,137\n", &n);
    char *at = strstr(gbk, "@@");
    at[0] = (char)0x81;
    at[1] = (char)0x20; /* a lead byte without a trail byte */
    write_file(path, gbk, n);
    free(gbk);
    r = open_ok(path);
    assert_string_equal(tabular_encoding(r), "gbk");
    expect_row(r, 2, 2, (const char *const[]){"张三", "138"});
    assert_int_equal(tabular_next_row(r, &row), TABULAR_EROW);
    assert_int_equal(row.line, 3);
    assert_int_equal(row.error_code, TABULAR_ROW_BAD_ENCODING);
    assert_non_null(strstr(row.error, "GBK"));
    expect_row(r, 4, 2, (const char *const[]){"李四", "137"});
    expect_eof(r);
    tabular_close(r);

    /* UTF-16 is refused with a message */
    path = path_for("utf16.csv");
    write_file(path,
               "\xFF\xFE"
               "a\0,\0b\0",
               8);
    char err[256];
    assert_null(tabular_open_csv(path, err, sizeof(err), NULL));
    assert_non_null(strstr(err, "utf-16"));
    /* as are missing and empty files */
    assert_null(tabular_open_csv(path_for("missing.csv"), err, sizeof(err), NULL));
    write_file(path_for("empty.csv"), "\r\n\r\n", 4);
    assert_null(tabular_open_csv(path_for("empty.csv"), err, sizeof(err), NULL));
    assert_string_equal(err, "the file is empty");
}

/* Each way a file cannot be opened comes with the i18n key the user sees. */
static void test_open_error_keys(void **state)
{
    (void)state;
    char err[256];
    const char *key = NULL;
    assert_null(tabular_open_csv(path_for("missing-too.csv"), err, sizeof(err), &key));
    assert_string_equal(key, "import.file_missing");
    write_file(path_for("blank.csv"), "\n\n", 2);
    assert_null(tabular_open_csv(path_for("blank.csv"), err, sizeof(err), &key));
    assert_string_equal(key, "import.file_empty");
    write_file(path_for("utf16-too.csv"), "\xFE\xFF\0a", 4);
    assert_null(tabular_open_csv(path_for("utf16-too.csv"), err, sizeof(err), &key));
    assert_string_equal(key, "import.utf16");
    assert_null(tabular_open_csv(dir, err, sizeof(err), &key)); /* a directory */
    assert_string_equal(key, "import.file_unreadable");
}

static void test_long_field(void **state)
{
    (void)state;
    const char *path = path_for("long.csv");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("a,b\n1,\"", f);
    for (int i = 0; i < 100000; i++) /* 300 KB of Chinese, line breaks and commas */
        fputs(i % 1000 == 0 ? "\n,\"\"" : "长", f);
    fputs("\"\n2,ok\n3,", f);
    for (int i = 0; i < 70000; i++) /* unquoted, over the cap too */
        fputc('x', f);
    fputs("\n4,fine\n", f);
    fclose(f);

    struct tabular_reader *r = open_ok(path);
    struct tabular_row row;
    assert_int_equal(tabular_next_row(r, &row), TABULAR_EROW);
    assert_int_equal(row.line, 2);
    assert_int_equal(row.error_code, TABULAR_ROW_FIELD_TOO_LONG);
    assert_int_equal(row.error_column, 1);
    assert_true(strlen(row.raw) <= TABULAR_RAW_MAX + 3);
    expect_row(r, 3, 2, (const char *const[]){"2", "ok"});
    assert_int_equal(tabular_next_row(r, &row), TABULAR_EROW);
    assert_int_equal(row.line, 4);
    assert_int_equal(row.error_code, TABULAR_ROW_FIELD_TOO_LONG);
    expect_row(r, 5, 2, (const char *const[]){"4", "fine"});
    expect_eof(r);
    tabular_close(r);
}

/* ---- neutralisation ----------------------------------------------------- */

static const char *const dangerous[] = {"=1+2", "+1", "-12.5", "@SUM(A1)", "\tx", "\rx"};

static void test_needs_neutralising(void **state)
{
    (void)state;
    for (size_t i = 0; i < 6; i++)
        assert_true(tabular_needs_neutralising(dangerous[i]));
    assert_false(tabular_needs_neutralising(""));
    assert_false(tabular_needs_neutralising(NULL));
    assert_false(tabular_needs_neutralising("12"));
    assert_false(tabular_needs_neutralising("a=b"));
    assert_false(tabular_needs_neutralising(" =1"));
    assert_false(tabular_needs_neutralising("张三"));
    char *buf = NULL;
    size_t cap = 0;
    assert_string_equal(tabular_neutralise("=1+2", &buf, &cap), "'=1+2");
    assert_string_equal(tabular_neutralise("ok", &buf, &cap), "ok");
    assert_string_equal(tabular_neutralise(NULL, &buf, &cap), "");
    free(buf);
}

static void test_csv_neutralised(void **state)
{
    (void)state;
    const char *path = path_for("inject.csv");
    char err[256];
    struct tabular_writer *w = tabular_writer_open(path, TABULAR_CSV, NULL, err, sizeof(err));
    assert_non_null(w);
    assert_int_equal(tabular_write_row(w, (const char *const[]){"a", "b", "c", "d", "e", "f"}, 6),
                     0);
    assert_int_equal(tabular_write_row(w, dangerous, 6), 0);
    assert_int_equal(tabular_writer_close(w), 0);

    char *text = slurp(path, NULL);
    assert_non_null(strstr(text, "'=1+2,'+1,'-12.5,'@SUM(A1),'\tx,\"'\rx\"\r\n"));
    free(text);
    struct tabular_reader *r = open_ok(path);
    expect_row(r, 2, 6,
               (const char *const[]){"'=1+2", "'+1", "'-12.5", "'@SUM(A1)", "'\tx", "'\rx"});
    expect_eof(r);
    tabular_close(r);
}

static bool have_unzip(void)
{
    return system("command -v unzip >/dev/null 2>&1") == 0;
}

/* `unzip -p xlsx member` into a buffer the caller frees. */
static char *unzip_member(const char *xlsx, const char *member)
{
    char cmd[512], *out = path_for("member.xml");
    snprintf(cmd, sizeof(cmd), "unzip -p '%s' '%s' > '%s'", xlsx, member, out);
    assert_int_equal(system(cmd), 0);
    return slurp(out, NULL);
}

static void test_xlsx_neutralised(void **state)
{
    (void)state;
    const char *path = path_for("inject.xlsx");
    char err[256];
    struct tabular_writer *w = tabular_writer_open(path, TABULAR_XLSX, "客户", err, sizeof(err));
    assert_non_null(w);
    tabular_writer_set_widths(w, (const double[]){12, 20, 0, 8, 8, 8}, 6);
    assert_int_equal(tabular_write_row(w, (const char *const[]){"a", "b", "c", "d", "e", "f"}, 6),
                     0);
    assert_int_equal(tabular_write_row(w, dangerous, 6), 0);
    assert_int_equal(tabular_write_row(w, (const char *const[]){"张三", NULL, "x"}, 3), 0);
    assert_int_equal(tabular_writer_close(w), 0);

    size_t n;
    char *data = slurp(path, &n);
    assert_true(n > 100);
    assert_memory_equal(data, "PK", 2);
    free(data);
    if (!have_unzip())
        return; /* tabular_neutralise is tested on its own above */
    char *sheet = unzip_member(path, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(sheet, ">'=1+2<"));
    assert_non_null(strstr(sheet, ">'+1<"));
    assert_non_null(strstr(sheet, ">'-12.5<"));
    assert_non_null(strstr(sheet, ">'@SUM(A1)<"));
    assert_null(strstr(sheet, ">=1+2<"));
    assert_null(strstr(sheet, "<f>")); /* no formulas at all */
    assert_non_null(strstr(sheet, "张三"));
    assert_non_null(strstr(sheet, "<pane ")); /* frozen header */
    assert_non_null(strstr(sheet, "width=\"20"));
    free(sheet);
    char *book = unzip_member(path, "xl/workbook.xml");
    assert_non_null(strstr(book, "name=\"客户\""));
    free(book);
}

static void test_xlsx_continuation_sheets(void **state)
{
    (void)state;
    const char *path = path_for("sheets.xlsx");
    char err[256];
    struct tabular_writer *w =
        tabular_writer_open(path, TABULAR_XLSX, "Data:2026/11", err, sizeof(err));
    assert_non_null(w);
    tabular_writer_set_sheet_rows(w, 3); /* header + 2 rows per sheet */
    assert_int_equal(tabular_write_row(w, (const char *const[]){"编号", "姓名"}, 2), 0);
    for (int i = 0; i < 5; i++) {
        char no[16];
        snprintf(no, sizeof(no), "row%d", i);
        assert_int_equal(tabular_write_row(w, (const char *const[]){no, "x"}, 2), 0);
    }
    assert_int_equal(tabular_writer_close(w), 0);
    if (!have_unzip())
        return;
    char *book = unzip_member(path, "xl/workbook.xml");
    assert_non_null(strstr(book, "name=\"Data_2026_11\""));
    assert_non_null(strstr(book, "name=\"Data_2026_11 2\""));
    assert_non_null(strstr(book, "name=\"Data_2026_11 3\""));
    free(book);
    char *s3 = unzip_member(path, "xl/worksheets/sheet3.xml");
    assert_non_null(strstr(s3, "编号")); /* header repeated */
    assert_non_null(strstr(s3, "row4"));
    assert_null(strstr(s3, "row3"));
    free(s3);
}

static void test_writer_errors(void **state)
{
    (void)state;
    char err[256];
    assert_null(tabular_writer_open("/nonexistent/dir/x.csv", TABULAR_CSV, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "cannot create"));
    assert_null(
        tabular_writer_open("/nonexistent/dir/x.xlsx", TABULAR_XLSX, NULL, err, sizeof(err)));
    if (access("/dev/full", W_OK) == 0) {
        /* the final flush fails: close must say so */
        struct tabular_writer *w =
            tabular_writer_open("/dev/full", TABULAR_CSV, NULL, err, sizeof(err));
        assert_non_null(w);
        assert_int_equal(tabular_write_row(w, (const char *const[]){"a"}, 1), 0);
        assert_true(tabular_writer_close(w) < 0);
    }
}

/* ---- memory stays flat -------------------------------------------------- */

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void test_large_file_constant_memory(void **state)
{
    (void)state;
    enum { ROWS = 200000 };
    const char *path = path_for("large.csv");
    char err[256];
    long before = max_rss_kb();
    struct tabular_writer *w = tabular_writer_open(path, TABULAR_CSV, NULL, err, sizeof(err));
    assert_non_null(w);
    assert_int_equal(
        tabular_write_row(w, (const char *const[]){"编号", "姓名", "手机号", "地址"}, 4), 0);
    char no[32], phone[32];
    for (int i = 0; i < ROWS; i++) {
        snprintf(no, sizeof(no), "GD-GZ-01-%06d", i);
        snprintf(phone, sizeof(phone), "138%08d", i);
        const char *cells[] = {no, "张三", phone, "广东省广州市天河区, 体育西路 \"1\" 号"};
        assert_int_equal(tabular_write_row(w, cells, 4), 0);
    }
    assert_int_equal(tabular_writer_close(w), 0);

    struct tabular_reader *r = open_ok(path);
    struct tabular_row row;
    int64_t n = 0;
    int rc;
    while ((rc = tabular_next_row(r, &row)) == 1) {
        if (n % 50000 == 0) {
            snprintf(no, sizeof(no), "GD-GZ-01-%06d", (int)n);
            assert_string_equal(row.cells[0], no);
            assert_string_equal(row.cells[3], "广东省广州市天河区, 体育西路 \"1\" 号");
        }
        n++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, ROWS);
    assert_int_equal(tabular_bytes_read(r), tabular_bytes_total(r));
    assert_true(tabular_bytes_total(r) > 10 * 1000 * 1000);
    tabular_close(r);
    long growth = max_rss_kb() - before;
    print_message("200000 rows: peak RSS grew by %ld KiB\n", growth);
    assert_true(growth < 20 * 1024);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Plain decimals only: what a numeric column writes as a number. */
static void test_is_number(void **state)
{
    (void)state;
    const char *yes[] = {"0", "7", "-50.00", "12.5", "9999999999999.99"};
    const char *no[] = {"", "-", "+1", "1e5", "1.", ".5", "-1+1", "=1", "12,5", "1 2", NULL};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        assert_true(tabular_is_number(yes[i]));
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        assert_false(tabular_is_number(no[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_round_trip),
        cmocka_unit_test(test_bom_stripped),
        cmocka_unit_test(test_gbk_detected),
        cmocka_unit_test(test_blank_lines_and_line_numbers),
        cmocka_unit_test(test_too_many_columns),
        cmocka_unit_test(test_invalid_bytes),
        cmocka_unit_test(test_open_error_keys),
        cmocka_unit_test(test_long_field),
        cmocka_unit_test(test_needs_neutralising),
        cmocka_unit_test(test_csv_neutralised),
        cmocka_unit_test(test_xlsx_neutralised),
        cmocka_unit_test(test_xlsx_continuation_sheets),
        cmocka_unit_test(test_writer_errors),
        cmocka_unit_test(test_large_file_constant_memory),
        cmocka_unit_test(test_is_number),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
