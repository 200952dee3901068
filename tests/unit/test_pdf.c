/*
 * test_pdf.c - the PDF writer (core/pdf.h): a document is a PDF, a table
 * longer than a page runs onto further pages (each with its number), and
 * a long text in a narrow cell wraps instead of being lost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/pdf.h"

/* Pages of a cairo PDF: its "/Type /Page" dictionaries (not "/Pages"). */
static int pages(const char *data, size_t len)
{
    int n = 0;
    const char *key = "/Type /Page";
    size_t k = strlen(key);
    for (size_t i = 0; i + k < len; i++)
        if (memcmp(data + i, key, k) == 0 && data[i + k] != 's')
            n++;
    return n;
}

static int make(int rows, const char *cell, char **data, size_t *len)
{
    struct pdf *p = pdf_new("个人信息报告 · 测试", "鸿雁 Hongyan");
    pdf_heading(p, "业务记录");
    pdf_paragraph(p, "中文段落，检查换行与字体。");
    static const double w[] = {0.3, 0.7};
    pdf_table_begin(p, 2, w, (const char *[]){"时间", "描述"});
    for (int i = 0; i < rows; i++) {
        char t[32];
        snprintf(t, sizeof(t), "2026-11-%02d", i % 28 + 1);
        pdf_table_row(p, (const char *[]){t, cell});
    }
    pdf_table_end(p);
    return pdf_finish(p, data, len);
}

static void test_one_page(void **state)
{
    (void)state;
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(make(3, "寄往上海的EMS", &data, &len), 0);
    assert_true(len > 1000);
    assert_memory_equal(data, "%PDF-", 5);
    assert_int_equal(pages(data, len), 1);
    free(data);
}

static void test_long_table_runs_onto_pages(void **state)
{
    (void)state;
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(make(120, "寄往上海的EMS", &data, &len), 0);
    int n = pages(data, len);
    assert_true(n >= 3);
    free(data);
}

static void test_wrapped_cells_take_more_room(void **state)
{
    (void)state;
    char *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;
    char longer[1024];
    size_t n = 0;
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(longer + n, sizeof(longer) - n, "%s", "很长的描述文字");
    assert_int_equal(make(30, "短", &a, &la), 0);
    assert_int_equal(make(30, longer, &b, &lb), 0);
    assert_true(pages(b, lb) > pages(a, la));
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_page),
        cmocka_unit_test(test_long_table_runs_onto_pages),
        cmocka_unit_test(test_wrapped_cells_take_more_room),
    };
    return cmocka_run_group_tests_name("pdf", tests, NULL, NULL);
}
