/*
 * pdf.c - the PDF document writer (see pdf.h): cairo's PDF surface written
 * into memory, pango layouts for the text (shaping, fallback, wrapping).
 * A preview draws the same calls on an image surface and keeps page 1 as
 * a PNG, so the preview cannot drift from the document.
 */
#include "core/pdf.h"

#include "base/strbuf.h"
#include "base/xmalloc.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The page in points (A4 portrait unless pdf_new_opts says otherwise),
 * and the text block inside the margins. */
#define PAGE_W   (p->page_w)
#define PAGE_H   (p->page_h)
#define MARGIN_X 50.0
#define TOP      56.0
#define BOTTOM   (PAGE_H - 64.0)
#define TEXT_W   (PAGE_W - 2 * MARGIN_X)
/* Pixels a point in a preview: A4 comes out about 740 pixels wide. */
#define PREVIEW_SCALE 1.25
/* Images are decoded by cairo; one past this is refused (pdf_png_check). */
#define PNG_MAX_SIDE 4000
#define CELL_PAD     4.0
#define MAX_COLS     12
/* A report far past any real one is refused rather than filling memory. */
#define PDF_MAX_BYTES (64u << 20)

#define FONT "Noto Sans CJK SC"
enum font { FONT_BODY, FONT_NOTE, FONT_HEAD, FONT_TITLE, FONT_CELLH, FONT_CELL, NFONTS };
static const char *const font_names[NFONTS] = {
    [FONT_BODY] = FONT " 9.5",      [FONT_NOTE] = FONT " 8",       [FONT_HEAD] = FONT " Bold 12.5",
    [FONT_TITLE] = FONT " Bold 18", [FONT_CELLH] = FONT " Bold 9", [FONT_CELL] = FONT " 9",
};

struct pdf {
    cairo_surface_t *surface;
    cairo_t *cr;
    double page_w, page_h;
    bool preview; /* an image surface: page 1 goes to png */
    bool measure; /* only counting pages: text measured, nothing drawn */
    /* one pango context and the fonts parsed once: a 200-page table
     * makes tens of thousands of layouts */
    PangoContext *pctx;
    PangoFontDescription *fonts[NFONTS];
    struct strbuf png; /* the preview's page 1 */
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

static cairo_status_t png_sink(void *closure, const unsigned char *data, unsigned int length)
{
    struct pdf *p = closure;
    return strbuf_add(&p->png, data, length) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

struct png_src {
    const unsigned char *data;
    size_t len, at;
};

static cairo_status_t png_read(void *closure, unsigned char *data, unsigned int length)
{
    struct png_src *s = closure;
    if (s->len - s->at < length)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(data, s->data + s->at, length);
    s->at += length;
    return CAIRO_STATUS_SUCCESS;
}

/* The PNG decoded, or NULL when it is none (or too large a picture). */
static cairo_surface_t *png_decode(const void *data, size_t len)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (!data || len < sizeof(sig) || memcmp(data, sig, sizeof(sig)) != 0)
        return NULL;
    struct png_src src = {data, len, 0};
    cairo_surface_t *img = cairo_image_surface_create_from_png_stream(png_read, &src);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS ||
        cairo_image_surface_get_width(img) > PNG_MAX_SIDE ||
        cairo_image_surface_get_height(img) > PNG_MAX_SIDE) {
        cairo_surface_destroy(img);
        return NULL;
    }
    return img;
}

int pdf_png_check(const void *data, size_t len, int *w, int *h)
{
    cairo_surface_t *img = png_decode(data, len);
    if (!img)
        return -1;
    *w = cairo_image_surface_get_width(img);
    *h = cairo_image_surface_get_height(img);
    cairo_surface_destroy(img);
    return 0;
}

/* A preview page starts white (an image surface starts transparent). */
static void blank(struct pdf *p)
{
    if (!p->preview)
        return;
    cairo_save(p->cr);
    cairo_set_source_rgb(p->cr, 1, 1, 1);
    cairo_paint(p->cr);
    cairo_restore(p->cr);
}

/* The page just drawn is over: a preview keeps page 1. */
static void page_done(struct pdf *p)
{
    if (p->measure)
        return;
    if (p->preview) {
        if (p->page == 1) {
            cairo_surface_flush(p->surface);
            cairo_surface_write_to_png_stream(p->surface, png_sink, p);
        }
        blank(p);
    } else {
        cairo_show_page(p->cr);
    }
}

/* A layout of text in font, wrapped at width points (the caller unrefs). */
static PangoLayout *layout(struct pdf *p, const char *text, enum font font, double width)
{
    if (!p->pctx) {
        p->pctx = pango_cairo_create_context(p->cr);
        for (int i = 0; i < NFONTS; i++)
            p->fonts[i] = pango_font_description_from_string(font_names[i]);
    }
    PangoLayout *l = pango_layout_new(p->pctx);
    pango_layout_set_font_description(l, p->fonts[font]);
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
    if (p->measure)
        return;
    cairo_set_source_rgb(p->cr, grey, grey, grey);
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
}

static void footer(struct pdf *p)
{
    char num[64];
    if (p->measure)
        return;
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
    page_done(p);
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
    struct pdf *p = pdf_new_opts(title, footer_text, NULL);
    pdf_title(p, title);
    return p;
}

struct pdf *pdf_new_opts(const char *title, const char *footer_text, const struct pdf_opts *o)
{
    struct pdf *p = xcalloc(1, sizeof(*p));
    strbuf_init(&p->out, PDF_MAX_BYTES);
    strbuf_init(&p->png, PDF_MAX_BYTES);
    bool a5 = o && o->a5, landscape = o && o->landscape;
    double w = a5 ? 419.528 : 595.276, h = a5 ? 595.276 : 841.89;
    p->page_w = landscape ? h : w;
    p->page_h = landscape ? w : h;
    p->preview = o && o->preview;
    p->measure = o && o->measure;
    if (p->preview) {
        p->surface =
            cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)(p->page_w * PREVIEW_SCALE + 0.5),
                                       (int)(p->page_h * PREVIEW_SCALE + 0.5));
        p->cr = cairo_create(p->surface);
        cairo_scale(p->cr, PREVIEW_SCALE, PREVIEW_SCALE);
        /* Unhinted metrics, as in the PDF: the lines break where the
         * document's do, so the preview's page is the document's. */
        cairo_font_options_t *fo = cairo_font_options_create();
        cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
        cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
        cairo_set_font_options(p->cr, fo);
        cairo_font_options_destroy(fo);
        blank(p);
    } else {
        p->surface = cairo_pdf_surface_create_for_stream(sink, p, p->page_w, p->page_h);
        cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE, title ? title : "");
        cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, "Hongyan");
        p->cr = cairo_create(p->surface);
    }
    p->footer = xstrdup(footer_text ? footer_text : "");
    p->page = 1;
    p->y = TOP;
    return p;
}

void pdf_title(struct pdf *p, const char *title)
{
    PangoLayout *l = layout(p, title, FONT_TITLE, TEXT_W);
    ensure(p, height(l));
    draw(p, l, MARGIN_X, p->y, 0.1);
    p->y += height(l) + 6;
    g_object_unref(l);
}

void pdf_image(struct pdf *p, const void *png, size_t len, double max_w, double max_h, int align)
{
    cairo_surface_t *img = png_decode(png, len);
    if (!img)
        return;
    double iw = cairo_image_surface_get_width(img), ih = cairo_image_surface_get_height(img);
    double s = max_w / iw < max_h / ih ? max_w / iw : max_h / ih;
    double w = iw * s, h = ih * s;
    ensure(p, h);
    double x = align < 0 ? MARGIN_X : align > 0 ? PAGE_W - MARGIN_X - w : (PAGE_W - w) / 2;
    cairo_save(p->cr);
    cairo_translate(p->cr, x, p->y);
    cairo_scale(p->cr, s, s);
    cairo_set_source_surface(p->cr, img, 0, 0);
    cairo_paint(p->cr);
    cairo_restore(p->cr);
    cairo_surface_destroy(img);
    p->y += h + 4;
}

void pdf_letterhead(struct pdf *p, const void *logo, size_t len, const char *name,
                    const char *lines)
{
    cairo_surface_t *img = png_decode(logo, len);
    double lw = 0, lh = 0;
    if (img) {
        double iw = cairo_image_surface_get_width(img), ih = cairo_image_surface_get_height(img);
        double s = 44.0 / ih < 120.0 / iw ? 44.0 / ih : 120.0 / iw;
        lw = iw * s;
        lh = ih * s;
        cairo_save(p->cr);
        cairo_translate(p->cr, MARGIN_X, p->y);
        cairo_scale(p->cr, s, s);
        cairo_set_source_surface(p->cr, img, 0, 0);
        cairo_paint(p->cr);
        cairo_restore(p->cr);
        cairo_surface_destroy(img);
    }
    double x = MARGIN_X + (lw > 0 ? lw + 10 : 0), w = TEXT_W - (x - MARGIN_X);
    PangoLayout *l = layout(p, name, FONT_HEAD, w);
    draw(p, l, x, p->y, 0.1);
    double h = height(l);
    g_object_unref(l);
    if (lines && *lines) {
        l = layout(p, lines, FONT_NOTE, w);
        draw(p, l, x, p->y + h + 2, 0.4);
        h += height(l) + 2;
        g_object_unref(l);
    }
    p->y += (h > lh ? h : lh) + 6;
    cairo_set_source_rgb(p->cr, 0.8, 0.8, 0.8);
    cairo_set_line_width(p->cr, 0.5);
    cairo_move_to(p->cr, MARGIN_X, p->y);
    cairo_line_to(p->cr, PAGE_W - MARGIN_X, p->y);
    cairo_stroke(p->cr);
    p->y += 10;
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

static void text_block(struct pdf *p, const char *text, enum font font, double grey)
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
    for (int i = 0; i < p->ncols && p->measure; i++)
        g_object_unref(ls[i]);
    for (int i = 0; i < p->ncols && !p->measure; i++) {
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
    if (p->pctx)
        g_object_unref(p->pctx);
    for (int i = 0; i < NFONTS; i++)
        if (p->fonts[i])
            pango_font_description_free(p->fonts[i]);
    cairo_destroy(p->cr);
    cairo_surface_destroy(p->surface);
    strbuf_release(&p->out);
    strbuf_release(&p->png);
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
    page_done(p);
    cairo_surface_finish(p->surface);
    struct strbuf *b = p->preview ? &p->png : &p->out;
    bool ok = cairo_surface_status(p->surface) == CAIRO_STATUS_SUCCESS &&
              cairo_status(p->cr) == CAIRO_STATUS_SUCCESS && !b->failed && b->len;
    if (ok)
        *data = strbuf_detach(b, len);
    pdf_free(p);
    return ok ? 0 : -1;
}
