/*
 * pdf.h - a small document writer for PDF reports (access reports,
 * later monthly statements and print templates), on cairo and pango with
 * the Noto Sans CJK fonts, so Chinese text shapes and wraps properly.
 *
 * A document is A4 portrait, written top to bottom: a title, headings,
 * paragraphs and tables flow onto new pages as they fill; every page ends
 * with the footer text and its page number. Text is UTF-8 and plain (no
 * markup is interpreted, so user text cannot change the layout).
 *
 *     struct pdf *p = pdf_new("个人信息报告", "鸿雁 Hongyan");
 *     pdf_heading(p, "基本信息");
 *     pdf_paragraph(p, "…");
 *     static const double w[] = {0.3, 0.7};
 *     pdf_table_begin(p, 2, w, (const char *[]){"字段", "内容"});
 *     pdf_table_row(p, (const char *[]){"姓名", "张三"});
 *     pdf_table_end(p);
 *     char *data; size_t len;
 *     if (pdf_finish(p, &data, &len) == 0) { ...; free(data); }
 *
 * Functions other than pdf_finish cannot fail: a problem (the size cap,
 * a cairo error) is remembered and reported by pdf_finish.
 */
#ifndef HY_PDF_H
#define HY_PDF_H

#include <stdbool.h>
#include <stddef.h>

struct pdf;

/* A new document; title is drawn at the top of the first page and stored
 * as the PDF's title; footer (may be NULL) is drawn on every page beside
 * the page number. */
struct pdf *pdf_new(const char *title, const char *footer);
/* How a document is set up (pdf_new_opts): A4 or A5, portrait or
 * landscape; a preview is drawn the same way on an image and pdf_finish
 * answers page 1 as a PNG instead of the PDF; measure lays the text out
 * without drawing it, for the pass that counts the pages (pdf_pages),
 * never finished (pdf_free). */
struct pdf_opts {
    bool a5, landscape, preview, measure;
};
/* A new document without the title drawn (pdf_title, pdf_letterhead
 * draw what starts it); title is the PDF's title. o may be NULL. */
struct pdf *pdf_new_opts(const char *title, const char *footer, const struct pdf_opts *o);
/* The big title line. */
void pdf_title(struct pdf *p, const char *text);
/* A letterhead: the logo (a PNG, or NULL) at the left, the name in bold
 * beside it with lines (may hold newlines) under it in small grey. */
void pdf_letterhead(struct pdf *p, const void *logo, size_t len, const char *name,
                    const char *lines);
/* A PNG scaled to fit max_w x max_h points, at the left (align < 0),
 * centre (0) or right (> 0). Not a readable PNG: nothing drawn. */
void pdf_image(struct pdf *p, const void *png, size_t len, double max_w, double max_h, int align);
/* 0 with its size when data is a PNG cairo reads (at most 4000 pixels a
 * side), else -1. */
int pdf_png_check(const void *data, size_t len, int *w, int *h);
/* A section heading (kept with at least one line of what follows). */
void pdf_heading(struct pdf *p, const char *text);
/* A paragraph of running text, wrapped to the page width. */
void pdf_paragraph(struct pdf *p, const char *text);
/* A small grey line of text (notes, the generation time). */
void pdf_note(struct pdf *p, const char *text);
/* Start a table of ncols (at most 12) columns whose widths are fractions
 * of the text width (summing to 1), with a header row (ncols texts) that
 * is repeated at the top of each page the table runs onto. */
void pdf_table_begin(struct pdf *p, int ncols, const double *widths, const char *const *header);
/* One row: ncols texts (NULL draws an empty cell), wrapped in their cells. */
void pdf_table_row(struct pdf *p, const char *const *cells);
void pdf_table_end(struct pdf *p);
/* Continue on a new page. */
void pdf_page_break(struct pdf *p);
/* Finish the document into *data (malloc'd, the caller frees) and *len;
 * frees p. 0, or -1 when the document could not be made (nothing set). */
int pdf_finish(struct pdf *p, char **data, size_t *len);
/* The number of pages so far (after everything is written: the
 * document's). A writer that wants "第 N 页 / 共 M 页" lays the document
 * out once to count, drops it, and writes it again after
 * pdf_set_total_pages (before anything is written). */
int pdf_pages(const struct pdf *p);
void pdf_set_total_pages(struct pdf *p, int total);
/* Drop a document without finishing it. */
void pdf_free(struct pdf *p);

#endif
