/*
 * pdf.c - the PDF document writer (see pdf.h): cairo's PDF surface written
 * into memory, pango layouts for the text (shaping, fallback, wrapping).
 */
#include "core/pdf.h"

#include "base/strbuf.h"
#include "base/xmalloc.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A4 in points, and the text block inside the margins. */
#define PAGE_W   595.276
#define PAGE_H   841.89
#define MARGIN_X 50.0
#define TOP      56.0
#define BOTTOM   (PAGE_H - 64.0)
#define TEXT_W   (PAGE_W - 2 * MARGIN_X)
#define CELL_PAD 4.0
#define MAX_COLS 12
/* A report far past any real one is refused rather than filling memory. */
#define PDF_MAX_BYTES (64u << 20)

#define FONT       "Noto Sans CJK SC"
#define FONT_BODY  FONT " 9.5"
#define FONT_NOTE  FONT " 8"
#define FONT_HEAD  FONT " Bold 12.5"
#define FONT_TITLE FONT " Bold 18"
#define FONT_CELLH FONT " Bold 9"
#define FONT_CELL  FONT " 9"

struct pdf {
    cairo_surface_t *surface;
    cairo_t *cr;
    struct strbuf out;
    char *footer;
    double y;
    int page;
    int total_pages; /* > 0: the footer says "第 N 页 / 共 M 页" */
    bool in_table;
    int ncols;
    double widths[MAX_COLS];
    char *header[MAX_COLS];
};

static cairo_status_t sink(void *closure, const unsigned char *data, unsigned int length)
{
    struct pdf *p = closure;
    return strbuf_add(&p->out, data, length) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* A layout of text in font, wrapped at width points (the caller unrefs). */
static PangoLayout *layout(struct pdf *p, const char *text, const char *font, double width)
{
    PangoLayout *l = pango_cairo_create_layout(p->cr);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(l, text ? text : "", -1);
    return l;
}

static double height(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

static void draw(struct pdf *p, PangoLayout *l, double x, double y, double grey)
{
    cairo_set_source_rgb(p->cr, grey, grey, grey);
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
}

static void footer(struct pdf *p)
{
    char num[64];
    if (p->total_pages > 0)
        snprintf(num, sizeof(num), "第 %d 页 / 共 %d 页", p->page, p->total_pages);
    else
        snprintf(num, sizeof(num), "%d", p->page);
    PangoLayout *l = layout(p, p->footer, FONT_NOTE, TEXT_W - 120);
    draw(p, l, MARGIN_X, PAGE_H - 40, 0.45);
    g_object_unref(l);
    l = layout(p, num, FONT_NOTE, 120);
    pango_layout_set_alignment(l, PANGO_ALIGN_RIGHT);
    draw(p, l, PAGE_W - MARGIN_X - 120, PAGE_H - 40, 0.45);
    g_object_unref(l);
    cairo_set_source_rgb(p->cr, 0.8, 0.8, 0.8);
    cairo_set_line_width(p->cr, 0.5);
    cairo_move_to(p->cr, MARGIN_X, PAGE_H - 46);
    cairo_line_to(p->cr, PAGE_W - MARGIN_X, PAGE_H - 46);
    cairo_stroke(p->cr);
}

static void row(struct pdf *p, const char *const *cells, bool head);

static void new_page(struct pdf *p)
{
    footer(p);
    cairo_show_page(p->cr);
    p->page++;
    p->y = TOP;
    if (p->in_table)
        row(p, (const char *const *)p->header, true);
}

/* Room for h points on this page, else a new page. */
static void ensure(struct pdf *p, double h)
{
    if (p->y + h > BOTTOM && p->y > TOP)
        new_page(p);
}

struct pdf *pdf_new(const char *title, const char *footer_text)
{
    struct pdf *p = xcalloc(1, sizeof(*p));
    strbuf_init(&p->out, PDF_MAX_BYTES);
    p->surface = cairo_pdf_surface_create_for_stream(sink, p, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE, title ? title : "");
    cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, "Hongyan");
    p->cr = cairo_create(p->surface);
    p->footer = xstrdup(footer_text ? footer_text : "");
    p->page = 1;
    p->y = TOP;
    PangoLayout *l = layout(p, title, FONT_TITLE, TEXT_W);
    draw(p, l, MARGIN_X, p->y, 0.1);
    p->y += height(l) + 6;
    g_object_unref(l);
    return p;
}

void pdf_heading(struct pdf *p, const char *text)
{
    PangoLayout *l = layout(p, text, FONT_HEAD, TEXT_W);
    double h = height(l);
    p->y += 10;
    ensure(p, h + 40); /* never alone at the foot of a page */
    draw(p, l, MARGIN_X, p->y, 0.1);
    p->y += h + 2;
    cairo_set_source_rgb(p->cr, 0.25, 0.5, 0.9);
    cairo_set_line_width(p->cr, 1);
    cairo_move_to(p->cr, MARGIN_X, p->y);
    cairo_line_to(p->cr, PAGE_W - MARGIN_X, p->y);
    cairo_stroke(p->cr);
    p->y += 6;
    g_object_unref(l);
}

static void text_block(struct pdf *p, const char *text, const char *font, double grey)
{
    PangoLayout *l = layout(p, text, font, TEXT_W);
    double h = height(l);
    ensure(p, h);
    draw(p, l, MARGIN_X, p->y, grey);
    p->y += h + 4;
    g_object_unref(l);
}

void pdf_paragraph(struct pdf *p, const char *text)
{
    text_block(p, text, FONT_BODY, 0.1);
}

void pdf_note(struct pdf *p, const char *text)
{
    text_block(p, text, FONT_NOTE, 0.4);
}

/* One table row: each cell wrapped in its column, the row as tall as its
 * tallest cell; a body row that does not fit goes to the next page, under
 * the repeated header. */
static void row(struct pdf *p, const char *const *cells, bool head)
{
    PangoLayout *ls[MAX_COLS];
    double h = 0;
    for (int i = 0; i < p->ncols; i++) {
        double w = p->widths[i] * TEXT_W - 2 * CELL_PAD;
        ls[i] = layout(p, cells[i], head ? FONT_CELLH : FONT_CELL, w > 1 ? w : 1);
        double hi = height(ls[i]);
        h = hi > h ? hi : h;
    }
    h += 2 * CELL_PAD;
    if (!head)
        ensure(p, h);
    double x = MARGIN_X;
    for (int i = 0; i < p->ncols; i++) {
        double w = p->widths[i] * TEXT_W;
        if (head) {
            cairo_set_source_rgb(p->cr, 0.95, 0.96, 0.98);
            cairo_rectangle(p->cr, x, p->y, w, h);
            cairo_fill(p->cr);
        }
        cairo_set_source_rgb(p->cr, 0.8, 0.82, 0.85);
        cairo_set_line_width(p->cr, 0.5);
        cairo_rectangle(p->cr, x, p->y, w, h);
        cairo_stroke(p->cr);
        draw(p, ls[i], x + CELL_PAD, p->y + CELL_PAD, head ? 0.2 : 0.1);
        g_object_unref(ls[i]);
        x += w;
    }
    p->y += h;
}

void pdf_table_begin(struct pdf *p, int ncols, const double *widths, const char *const *header)
{
    pdf_table_end(p);
    p->ncols = ncols < 1 ? 1 : ncols > MAX_COLS ? MAX_COLS : ncols;
    for (int i = 0; i < p->ncols; i++) {
        p->widths[i] = widths[i];
        p->header[i] = xstrdup(header[i] ? header[i] : "");
    }
    p->in_table = true;
    ensure(p, 60); /* the header with a row or two */
    row(p, header, true);
}

void pdf_table_row(struct pdf *p, const char *const *cells)
{
    if (p->in_table)
        row(p, cells, false);
}

void pdf_table_end(struct pdf *p)
{
    if (!p->in_table)
        return;
    for (int i = 0; i < p->ncols; i++) {
        free(p->header[i]);
        p->header[i] = NULL;
    }
    p->in_table = false;
    p->y += 8;
}

void pdf_page_break(struct pdf *p)
{
    new_page(p);
}

void pdf_free(struct pdf *p)
{
    if (!p)
        return;
    pdf_table_end(p);
    cairo_destroy(p->cr);
    cairo_surface_destroy(p->surface);
    strbuf_release(&p->out);
    free(p->footer);
    free(p);
}

void pdf_set_total_pages(struct pdf *p, int total)
{
    p->total_pages = total;
}

int pdf_pages(const struct pdf *p)
{
    return p->page;
}

int pdf_finish(struct pdf *p, char **data, size_t *len)
{
    pdf_table_end(p);
    footer(p);
    cairo_show_page(p->cr);
    cairo_surface_finish(p->surface);
    bool ok = cairo_surface_status(p->surface) == CAIRO_STATUS_SUCCESS &&
              cairo_status(p->cr) == CAIRO_STATUS_SUCCESS && !p->out.failed && p->out.len;
    if (ok)
        *data = strbuf_detach(&p->out, len);
    pdf_free(p);
    return ok ? 0 : -1;
}
