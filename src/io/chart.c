// chart.c — a line chart drawn pixel by pixel (chart.h): a built-in 5x8 bitmap font, lines and
// markers, axes with "nice" ticks (x on a log2 scale for loop counts), a legend in the emptiest
// corner, written with stb_image_write (image_write_rgb), so a machine without gnuplot can still
// show the test-time scaling curve. `loopt plot` reads the data and fills a Chart.
#include "loopt/chart.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/check.h"
#include "loopt/image.h"

// ---- pixels, text, lines, markers --------------------------------------------------------

// 5x8 glyphs for ASCII 32..126: 8 rows, low 5 bits of each (bit 4 = leftmost pixel). Row 6 is
// the baseline row, row 7 holds descenders.
static const uint8_t FONT[95][8] = {
    {0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00}, // ' '
    {0x04,0x04,0x04,0x04,0x04,0x00,0x04,0x00}, // '!'
    {0x0a,0x0a,0x00,0x00,0x00,0x00,0x00,0x00}, // '"'
    {0x0a,0x0a,0x1f,0x0a,0x1f,0x0a,0x0a,0x00}, // '#'
    {0x04,0x0f,0x14,0x0e,0x05,0x1e,0x04,0x00}, // '$'
    {0x18,0x19,0x02,0x04,0x08,0x13,0x03,0x00}, // '%'
    {0x0c,0x12,0x14,0x08,0x15,0x12,0x0d,0x00}, // '&'
    {0x04,0x04,0x00,0x00,0x00,0x00,0x00,0x00}, // "'"
    {0x02,0x04,0x08,0x08,0x08,0x04,0x02,0x00}, // '('
    {0x08,0x04,0x02,0x02,0x02,0x04,0x08,0x00}, // ')'
    {0x00,0x04,0x15,0x0e,0x15,0x04,0x00,0x00}, // '*'
    {0x00,0x04,0x04,0x1f,0x04,0x04,0x00,0x00}, // '+'
    {0x00,0x00,0x00,0x00,0x00,0x04,0x04,0x08}, // ','
    {0x00,0x00,0x00,0x1f,0x00,0x00,0x00,0x00}, // '-'
    {0x00,0x00,0x00,0x00,0x00,0x0c,0x0c,0x00}, // '.'
    {0x01,0x02,0x02,0x04,0x08,0x08,0x10,0x00}, // '/'
    {0x0e,0x11,0x13,0x15,0x19,0x11,0x0e,0x00}, // '0'
    {0x04,0x0c,0x04,0x04,0x04,0x04,0x0e,0x00}, // '1'
    {0x0e,0x11,0x01,0x02,0x04,0x08,0x1f,0x00}, // '2'
    {0x1f,0x02,0x04,0x02,0x01,0x11,0x0e,0x00}, // '3'
    {0x02,0x06,0x0a,0x12,0x1f,0x02,0x02,0x00}, // '4'
    {0x1f,0x10,0x1e,0x01,0x01,0x11,0x0e,0x00}, // '5'
    {0x06,0x08,0x10,0x1e,0x11,0x11,0x0e,0x00}, // '6'
    {0x1f,0x01,0x02,0x04,0x08,0x08,0x08,0x00}, // '7'
    {0x0e,0x11,0x11,0x0e,0x11,0x11,0x0e,0x00}, // '8'
    {0x0e,0x11,0x11,0x0f,0x01,0x02,0x0c,0x00}, // '9'
    {0x00,0x0c,0x0c,0x00,0x0c,0x0c,0x00,0x00}, // ':'
    {0x00,0x0c,0x0c,0x00,0x0c,0x0c,0x04,0x08}, // ';'
    {0x02,0x04,0x08,0x10,0x08,0x04,0x02,0x00}, // '<'
    {0x00,0x00,0x1f,0x00,0x1f,0x00,0x00,0x00}, // '='
    {0x08,0x04,0x02,0x01,0x02,0x04,0x08,0x00}, // '>'
    {0x0e,0x11,0x01,0x02,0x04,0x00,0x04,0x00}, // '?'
    {0x0e,0x11,0x01,0x0d,0x15,0x15,0x0e,0x00}, // '@'
    {0x0e,0x11,0x11,0x1f,0x11,0x11,0x11,0x00}, // 'A'
    {0x1e,0x11,0x11,0x1e,0x11,0x11,0x1e,0x00}, // 'B'
    {0x0e,0x11,0x10,0x10,0x10,0x11,0x0e,0x00}, // 'C'
    {0x1c,0x12,0x11,0x11,0x11,0x12,0x1c,0x00}, // 'D'
    {0x1f,0x10,0x10,0x1e,0x10,0x10,0x1f,0x00}, // 'E'
    {0x1f,0x10,0x10,0x1e,0x10,0x10,0x10,0x00}, // 'F'
    {0x0e,0x11,0x10,0x17,0x11,0x11,0x0f,0x00}, // 'G'
    {0x11,0x11,0x11,0x1f,0x11,0x11,0x11,0x00}, // 'H'
    {0x0e,0x04,0x04,0x04,0x04,0x04,0x0e,0x00}, // 'I'
    {0x07,0x02,0x02,0x02,0x02,0x12,0x0c,0x00}, // 'J'
    {0x11,0x12,0x14,0x18,0x14,0x12,0x11,0x00}, // 'K'
    {0x10,0x10,0x10,0x10,0x10,0x10,0x1f,0x00}, // 'L'
    {0x11,0x1b,0x15,0x15,0x11,0x11,0x11,0x00}, // 'M'
    {0x11,0x11,0x19,0x15,0x13,0x11,0x11,0x00}, // 'N'
    {0x0e,0x11,0x11,0x11,0x11,0x11,0x0e,0x00}, // 'O'
    {0x1e,0x11,0x11,0x1e,0x10,0x10,0x10,0x00}, // 'P'
    {0x0e,0x11,0x11,0x11,0x15,0x12,0x0d,0x00}, // 'Q'
    {0x1e,0x11,0x11,0x1e,0x14,0x12,0x11,0x00}, // 'R'
    {0x0f,0x10,0x10,0x0e,0x01,0x01,0x1e,0x00}, // 'S'
    {0x1f,0x04,0x04,0x04,0x04,0x04,0x04,0x00}, // 'T'
    {0x11,0x11,0x11,0x11,0x11,0x11,0x0e,0x00}, // 'U'
    {0x11,0x11,0x11,0x11,0x11,0x0a,0x04,0x00}, // 'V'
    {0x11,0x11,0x11,0x15,0x15,0x15,0x0a,0x00}, // 'W'
    {0x11,0x11,0x0a,0x04,0x0a,0x11,0x11,0x00}, // 'X'
    {0x11,0x11,0x0a,0x04,0x04,0x04,0x04,0x00}, // 'Y'
    {0x1f,0x01,0x02,0x04,0x08,0x10,0x1f,0x00}, // 'Z'
    {0x0e,0x08,0x08,0x08,0x08,0x08,0x0e,0x00}, // '['
    {0x10,0x08,0x08,0x04,0x02,0x02,0x01,0x00}, // backslash
    {0x0e,0x02,0x02,0x02,0x02,0x02,0x0e,0x00}, // ']'
    {0x04,0x0a,0x11,0x00,0x00,0x00,0x00,0x00}, // '^'
    {0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x1f}, // '_'
    {0x08,0x04,0x00,0x00,0x00,0x00,0x00,0x00}, // '`'
    {0x00,0x00,0x0e,0x01,0x0f,0x11,0x0f,0x00}, // 'a'
    {0x10,0x10,0x1e,0x11,0x11,0x11,0x1e,0x00}, // 'b'
    {0x00,0x00,0x0e,0x10,0x10,0x11,0x0e,0x00}, // 'c'
    {0x01,0x01,0x0f,0x11,0x11,0x11,0x0f,0x00}, // 'd'
    {0x00,0x00,0x0e,0x11,0x1f,0x10,0x0e,0x00}, // 'e'
    {0x06,0x09,0x08,0x1c,0x08,0x08,0x08,0x00}, // 'f'
    {0x00,0x00,0x0f,0x11,0x11,0x0f,0x01,0x0e}, // 'g'
    {0x10,0x10,0x16,0x19,0x11,0x11,0x11,0x00}, // 'h'
    {0x04,0x00,0x0c,0x04,0x04,0x04,0x0e,0x00}, // 'i'
    {0x02,0x00,0x06,0x02,0x02,0x02,0x12,0x0c}, // 'j'
    {0x10,0x10,0x12,0x14,0x18,0x14,0x12,0x00}, // 'k'
    {0x0c,0x04,0x04,0x04,0x04,0x04,0x0e,0x00}, // 'l'
    {0x00,0x00,0x1a,0x15,0x15,0x15,0x15,0x00}, // 'm'
    {0x00,0x00,0x16,0x19,0x11,0x11,0x11,0x00}, // 'n'
    {0x00,0x00,0x0e,0x11,0x11,0x11,0x0e,0x00}, // 'o'
    {0x00,0x00,0x1e,0x11,0x11,0x1e,0x10,0x10}, // 'p'
    {0x00,0x00,0x0f,0x11,0x11,0x0f,0x01,0x01}, // 'q'
    {0x00,0x00,0x16,0x19,0x10,0x10,0x10,0x00}, // 'r'
    {0x00,0x00,0x0f,0x10,0x0e,0x01,0x1e,0x00}, // 's'
    {0x08,0x08,0x1c,0x08,0x08,0x09,0x06,0x00}, // 't'
    {0x00,0x00,0x11,0x11,0x11,0x13,0x0d,0x00}, // 'u'
    {0x00,0x00,0x11,0x11,0x11,0x0a,0x04,0x00}, // 'v'
    {0x00,0x00,0x11,0x11,0x15,0x15,0x0a,0x00}, // 'w'
    {0x00,0x00,0x11,0x0a,0x04,0x0a,0x11,0x00}, // 'x'
    {0x00,0x00,0x11,0x11,0x11,0x0f,0x01,0x0e}, // 'y'
    {0x00,0x00,0x1f,0x02,0x04,0x08,0x1f,0x00}, // 'z'
    {0x02,0x04,0x04,0x08,0x04,0x04,0x02,0x00}, // '{'
    {0x04,0x04,0x04,0x04,0x04,0x04,0x04,0x00}, // '|'
    {0x08,0x04,0x04,0x02,0x04,0x04,0x08,0x00}, // '}'
    {0x00,0x00,0x08,0x15,0x02,0x00,0x00,0x00}, // '~'

};

typedef struct { uint8_t *px; int w, h; } Img;
typedef struct { uint8_t r, g, b; } Rgb;

static const Rgb BLACK = {0, 0, 0}, WHITE = {255, 255, 255}, GRID = {225, 225, 225}, FRAME = {150, 150, 150},
                 TEXT = {30, 30, 30};
// tab10: distinct on screen and in print.
static const Rgb PALETTE[10] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},  {148, 103, 189},
                                {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};

static void put(Img *im, int x, int y, Rgb c) {
    if (x < 0 || y < 0 || x >= im->w || y >= im->h) return;
    uint8_t *p = im->px + ((size_t)y * im->w + x) * 3;
    p[0] = c.r, p[1] = c.g, p[2] = c.b;
}

static void fill(Img *im, int x0, int y0, int x1, int y1, Rgb c) {   // inclusive corners
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) put(im, x, y, c);
}

static void hline(Img *im, int x0, int x1, int y, Rgb c) { fill(im, x0, y, x1, y, c); }
static void vline(Img *im, int x, int y0, int y1, Rgb c) { fill(im, x, y0, x, y1, c); }

// Width in pixels of text at font scale s (6 px advance per char, less the last gap).
static int text_w(const char *t, int s) {
    int n = (int)strlen(t);
    return n ? (6 * n - 1) * s : 0;
}

// Text with its top-left corner at (x, y); rot: drawn bottom to top (the y axis label), (x, y)
// is then the bottom-left corner of the rotated text.
static void text(Img *im, int x, int y, const char *t, int s, Rgb c, int rot) {
    for (int k = 0; t[k]; k++) {
        unsigned ch = (unsigned char)t[k];
        const uint8_t *g = FONT[(ch >= 32 && ch < 127 ? ch : '?') - 32];
        for (int row = 0; row < 8; row++)
            for (int col = 0; col < 5; col++) {
                if (!(g[row] >> (4 - col) & 1)) continue;
                int gx = (6 * k + col) * s, gy = row * s;
                if (rot) fill(im, x + gy, y - gx - s + 1, x + gy + s - 1, y - gx, c);
                else fill(im, x + gx, y + gy, x + gx + s - 1, y + gy + s - 1, c);
            }
    }
}

// Copy src into dst (size n), cut to at most max_px pixels wide at scale s with "..".
static void fit_text(char *dst, size_t n, const char *src, int max_px, int s) {
    snprintf(dst, n, "%s", src);
    for (int len = (int)strlen(dst); len > 0 && text_w(dst, s) > max_px; len--)
        snprintf(dst, n, "%.*s..", len - 1, src);
}

// A thick line from (x0,y0) to (x1,y1): a t x t brush along Bresenham. Dashed when `dash`:
// *phase counts pixels along the polyline, so the pattern runs on across segments.
static void line(Img *im, int x0, int y0, int x1, int y1, int t, Rgb c, int dash, int *phase) {
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1, dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1, err = dx + dy;
    int on = 6 * t, period = 10 * t;
    for (;;) {
        if (!dash || (*phase % period) < on) fill(im, x0 - t / 2, y0 - t / 2, x0 - t / 2 + t - 1, y0 - t / 2 + t - 1, c);
        (*phase)++;
        if (x0 == x1 && y0 == y1) break;
        int e2 = 2 * err;
        if (e2 >= dy) { err += dy; x0 += sx; }
        if (e2 <= dx) { err += dx; y0 += sy; }
    }
}

// Marker of half-size r at (x, y): 0 filled square, 1 hollow square, 2 diamond, 3 cross.
static void marker(Img *im, int x, int y, int r, int shape, Rgb c) {
    switch (shape % 4) {
    case 0: fill(im, x - r, y - r, x + r, y + r, c); break;
    case 1:
        fill(im, x - r, y - r, x + r, y + r, c);
        fill(im, x - r + 2, y - r + 2, x + r - 2, y + r - 2, WHITE);
        break;
    case 2:
        for (int d = -r - 1; d <= r + 1; d++) hline(im, x - (r + 1 - abs(d)), x + (r + 1 - abs(d)), y + d, c);
        break;
    default: {
        int ph = 0;
        line(im, x - r, y - r, x + r, y + r, 2, c, 0, &ph);
        line(im, x - r, y + r, x + r, y - r, 2, c, 0, &ph);
    }
    }
}

// ---- axes ---------------------------------------------------------------------------------

typedef struct {
    int log2;             // x: log2 scale
    double lo, hi;        // data range on the axis (in log2 units for a log axis)
    double tick0, step;   // linear ticks: tick0, tick0+step, ... <= hi
    int decimals;         // tick label decimals
} Axis;

static double nice_step(double range, int want) {
    double raw = range / want, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

static void linear_axis(Axis *a, double lo, double hi, int want) {
    if (hi - lo < 1e-12) { double d = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1; lo -= d; hi += d; }
    a->step = nice_step(hi - lo, want);
    a->lo = floor(lo / a->step + 1e-9) * a->step;
    a->hi = ceil(hi / a->step - 1e-9) * a->step;
    a->tick0 = a->lo;
    a->decimals = a->step >= 1 ? 0 : (int)ceil(-log10(a->step) - 1e-9);
}

static int is_pow2(double x) {
    if (x < 1 || x > 1e15 || x != floor(x)) return 0;
    long long v = (long long)x;
    return (v & (v - 1)) == 0;
}

static void fmt_num(char *buf, size_t n, double v, int decimals) {
    if (fabs(v) < 1e-12) v = 0;
    if (fabs(v) >= 1e6 || (v != 0 && fabs(v) < 1e-4)) snprintf(buf, n, "%.3g", v);
    else snprintf(buf, n, "%.*f", decimals, v);
}

static int cmp_pt(const void *a, const void *b) {
    double d = ((const ChartPoint *)a)->x - ((const ChartPoint *)b)->x;
    return (d > 0) - (d < 0);
}

// ---- the frame ----------------------------------------------------------------------------

// Where the chart lies in the image and how data map to pixels.
typedef struct {
    Axis ax, ay;
    int w, h;                       // image size
    int s, ts, lh;                  // font scale, title scale, line height of small text
    int left, right, top, bottom;   // the plot area, pixels
    double xlo, xhi, ylo, yhi;      // the data range it shows, margins included (x in log2 units on a log axis)
    double xmin, xmax, ymin, ymax;  // the data's own range
} Frame;

// The texts around the plot area; the title already cut to the image width.
typedef struct { char title[256], xlabel[160], ylabel[256]; } Labels;

static int px_x(const Frame *f, double x) {
    return f->left + (int)lround(((f->ax.log2 ? log2(x) : (x)) - f->xlo) / (f->xhi - f->xlo) * (f->right - f->left));
}
static int px_y(const Frame *f, double y) {
    return f->bottom - (int)lround(((y) - f->ylo) / (f->yhi - f->ylo) * (f->bottom - f->top));
}

// Sort each curve by x (lines join neighbours) and choose the axes: x on a log2 scale when every
// x is a power of two and they are not all one value (unless linear_x: training steps); y [0, 1]
// unless a value lies outside.
static void choose_axes(Frame *f, Chart *ch, int linear_x) {
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    int all_pow2 = 1;
    for (int i = 0; i < ch->n; i++) {
        ChartSeries *s = &ch->s[i];
        qsort(s->pts, s->n, sizeof(ChartPoint), cmp_pt);
        for (int k = 0; k < s->n; k++) {
            xmin = fmin(xmin, s->pts[k].x), xmax = fmax(xmax, s->pts[k].x);
            ymin = fmin(ymin, s->pts[k].y), ymax = fmax(ymax, s->pts[k].y);
            all_pow2 &= is_pow2(s->pts[k].x);
        }
    }
    f->xmin = xmin, f->xmax = xmax, f->ymin = ymin, f->ymax = ymax;
    Axis *ax = &f->ax, *ay = &f->ay;
    if (all_pow2 && xmax > xmin && !linear_x) {
        ax->log2 = 1;
        ax->lo = log2(xmin), ax->hi = log2(xmax);
    } else {
        linear_axis(ax, xmin, xmax, 6);
    }
    if (ymin >= 0 && ymax <= 1) linear_axis(ay, 0, 1, 5);
    else linear_axis(ay, fmin(ymin, 0), fmax(ymax, ymin >= 0 ? 1 : ymax), 5);
}

// The axis labels: x names its column and scale, y is the caller's.
static void axis_labels(Labels *lb, const ChartOpts *o, const Axis *ax) {
    snprintf(lb->ylabel, sizeof lb->ylabel, "%s", o->ylabel);
    snprintf(lb->xlabel, sizeof lb->xlabel, "%s%s", o->xlabel, ax->log2 ? " (log2 scale)" : "");
}

// Font scales, margins (room for the title, the widest y tick label and the axis labels) and the
// data range of the plot area. The font grows with the image: scale 1 up to 900x560.
static int layout(Frame *f, Labels *lb, const char *title, int w, int h) {
    char buf[64];
    f->w = w, f->h = h;
    int s = f->s = 1 + (int)fmin((w - 1) / 900, (h - 1) / 560);
    f->ts = 2 * s, f->lh = 10 * s;
    if (text_w(title, f->ts) > w - 20) f->ts = s;   // a long title in small print, cut only if still too long
    fit_text(lb->title, sizeof lb->title, title, w - 20, f->ts);
    int ytick_w = 0;
    const Axis *ay = &f->ay;
    for (double v = ay->tick0; v <= ay->hi + ay->step * 1e-6; v += ay->step) {
        fmt_num(buf, sizeof buf, v, ay->decimals);
        ytick_w = (int)fmax(ytick_w, text_w(buf, s));
    }
    f->left = 8 + f->lh + 6 + ytick_w + 6, f->right = w - 16;
    f->top = 12 + 8 * f->ts + 12, f->bottom = h - (10 + 2 * f->lh + 8);
    if (f->right - f->left < 80 || f->bottom - f->top < 60) return 0;
    // A margin of 3% on x so that end markers clear the frame, 2% on y.
    double xm = (f->ax.hi - f->ax.lo) * 0.03, ym = (ay->hi - ay->lo) * 0.02;
    f->xlo = f->ax.lo - xm, f->xhi = f->ax.hi + xm;
    f->ylo = ay->lo - ym, f->yhi = ay->hi + ym;
    return 1;
}

// ---- drawing the chart --------------------------------------------------------------------

// One x tick: grid line, tick mark and label; the label is left out where it would overlap the
// previous one (*end: right end of the last label drawn) or run off the image.
static void x_tick(Img *im, const Frame *f, double v, const char *label, int *end) {
    int x = px_x(f, v), s = f->s;
    vline(im, x, f->top + 1, f->bottom - 1, GRID);
    vline(im, x, f->bottom, f->bottom + 4, BLACK);
    int tw = text_w(label, s);
    if (x - tw / 2 > *end + 6 * s && x + tw / 2 < f->w) {
        text(im, x - tw / 2, f->bottom + 7, label, s, TEXT, 0);
        *end = x + tw / 2;
    }
}

// Grid, ticks, tick labels and the frame: axes in black, the other two sides grey. A log2 x
// axis has a tick at every power of two in range.
static void draw_axes(Img *im, const Frame *f) {
    const Axis *ax = &f->ax, *ay = &f->ay;
    int s = f->s, end = -1000000;
    char buf[64];
    for (double v = ay->tick0; v <= ay->hi + ay->step * 1e-6; v += ay->step) {
        int y = px_y(f, v);
        hline(im, f->left + 1, f->right - 1, y, GRID);
        hline(im, f->left - 4, f->left, y, BLACK);
        fmt_num(buf, sizeof buf, v, ay->decimals);
        text(im, f->left - 6 - text_w(buf, s), y - 4 * s + (s > 1 ? 0 : 1), buf, s, TEXT, 0);
    }
    if (ax->log2) {
        for (int k = (int)ceil(ax->lo - 1e-9); k <= (int)floor(ax->hi + 1e-9); k++) {
            double v = ldexp(1, k);
            snprintf(buf, sizeof buf, "%.0f", v);
            x_tick(im, f, v, buf, &end);
        }
    } else {
        for (double v = ax->tick0; v <= ax->hi + ax->step * 1e-6; v += ax->step) {
            fmt_num(buf, sizeof buf, v, ax->decimals);
            x_tick(im, f, v, buf, &end);
        }
    }
    hline(im, f->left, f->right, f->top, FRAME);
    vline(im, f->right, f->top, f->bottom, FRAME);
    hline(im, f->left, f->right, f->bottom, BLACK);
    vline(im, f->left, f->top, f->bottom, BLACK);
}

// The x label under the tick labels, the y label up the left edge, the title on top.
static void draw_labels(Img *im, const Frame *f, const Labels *lb) {
    char buf[256];
    int s = f->s;
    fit_text(buf, sizeof buf, lb->xlabel, f->right - f->left, s);
    text(im, (f->left + f->right) / 2 - text_w(buf, s) / 2, f->bottom + 7 + f->lh + 4, buf, s, TEXT, 0);
    fit_text(buf, sizeof buf, lb->ylabel, f->bottom - f->top, s);
    text(im, 8, (f->top + f->bottom) / 2 + text_w(buf, s) / 2, buf, s, TEXT, 1);
    text(im, f->w / 2 - text_w(lb->title, f->ts) / 2, 12, lb->title, f->ts, BLACK, 0);
}

// Every curve's lines first, then the markers, so no line covers a marker.
static void draw_curves(Img *im, const Frame *f, const Chart *ch) {
    int lt = 2 * f->s, mr = 3 * f->s;   // line thickness, marker half-size
    for (int i = 0; i < ch->n; i++) {
        const ChartSeries *sr = &ch->s[i];
        Rgb c = PALETTE[sr->color % 10];
        int phase = 0;
        for (int k = 1; k < sr->n; k++)
            line(im, px_x(f, sr->pts[k - 1].x), px_y(f, sr->pts[k - 1].y), px_x(f, sr->pts[k].x),
                 px_y(f, sr->pts[k].y), lt, c, sr->style % 2, &phase);
    }
    for (int i = 0; i < ch->n; i++) {
        const ChartSeries *sr = &ch->s[i];
        for (int k = 0; k < sr->n; k++)
            marker(im, px_x(f, sr->pts[k].x), px_y(f, sr->pts[k].y), mr, sr->style, PALETTE[sr->color % 10]);
    }
}

// The corner of the plot area (lower right, upper left, lower left, upper right: the first of
// the best) where a bw x bh legend box covers the fewest pixels already drawn other than grid.
static void legend_corner(const Img *im, const Frame *f, int bw, int bh, int *bx, int *by) {
    int cx[4] = {f->right - 6 - bw, f->left + 6, f->left + 6, f->right - 6 - bw};
    int cy[4] = {f->bottom - 6 - bh, f->top + 6, f->bottom - 6 - bh, f->top + 6};
    int best = 0;
    long best_hits = -1;
    for (int q = 0; q < 4; q++) {
        long hits = 0;
        for (int y = cy[q]; y < cy[q] + bh; y++)
            for (int x = cx[q]; x < cx[q] + bw; x++) {
                const uint8_t *px = im->px + ((size_t)y * im->w + x) * 3;
                int plain = (px[0] == 255 && px[1] == 255 && px[2] == 255) ||
                            (px[0] == GRID.r && px[1] == GRID.g && px[2] == GRID.b);
                hits += !plain;
            }
        if (best_hits < 0 || hits < best_hits) best_hits = hits, best = q;
    }
    *bx = cx[best], *by = cy[best];
}

// The legend: a line sample and label per curve, as many as fit in the plot area's height (the
// last row then counts the rest), in the corner that hides the least of the curves.
static void draw_legend(Img *im, const Frame *f, const Chart *ch) {
    int s = f->s, lh = f->lh, lt = 2 * s, mr = 3 * s;
    int sample = 28 * s, pad = 6 * s, maxlab = (f->right - f->left) / 2 - sample - 3 * pad, shown = ch->n;
    while (shown > 1 && pad * 2 + shown * lh > f->bottom - f->top - 8) shown--;
    char labs[CHART_MAX_SERIES][128];
    int lw = 0;
    for (int i = 0; i < shown; i++) {
        if (i == shown - 1 && shown < ch->n) snprintf(labs[i], sizeof labs[i], "(%d more)", ch->n - shown + 1);
        else fit_text(labs[i], sizeof labs[i], ch->s[i].label, maxlab, s);
        lw = (int)fmax(lw, text_w(labs[i], s));
    }
    int bw = pad + sample + pad + lw + pad, bh = pad * 2 + shown * lh - 2 * s, bx, by;
    legend_corner(im, f, bw, bh, &bx, &by);
    fill(im, bx, by, bx + bw - 1, by + bh - 1, WHITE);
    hline(im, bx, bx + bw - 1, by, FRAME);
    hline(im, bx, bx + bw - 1, by + bh - 1, FRAME);
    vline(im, bx, by, by + bh - 1, FRAME);
    vline(im, bx + bw - 1, by, by + bh - 1, FRAME);
    for (int i = 0; i < shown; i++) {
        int y = by + pad + i * lh, mid = y + 3 * s;
        if (!(i == shown - 1 && shown < ch->n)) {
            const ChartSeries *sr = &ch->s[i];
            Rgb c = PALETTE[sr->color % 10];
            int phase = 0;
            line(im, bx + pad, mid, bx + pad + sample, mid, lt, c, sr->style % 2, &phase);
            marker(im, bx + pad + sample / 2, mid, mr, sr->style, c);
        }
        text(im, bx + pad + sample + pad, y, labs[i], s, TEXT, 0);
    }
}

// ---- the chart ----------------------------------------------------------------------------

ChartSeries *chart_add(Chart *c) {
    if (c->n == CHART_MAX_SERIES) return NULL;
    ChartSeries *s = &c->s[c->n++];
    memset(s, 0, sizeof *s);
    return s;
}

void chart_push(ChartSeries *s, double x, double y) {
    if (s->n == s->cap) { s->cap = s->cap ? 2 * s->cap : 16; s->pts = xrealloc(s->pts, s->cap * sizeof(ChartPoint)); }
    s->pts[s->n++] = (ChartPoint){x, y};
}

void chart_free(Chart *c) {
    for (int i = 0; i < c->n; i++) free(c->s[i].pts);
    c->n = 0;
}

// Whether axis a can be drawn with a margin of `margin` of its span on each side: its span and
// margins finite (values of 1e308 and -1e308 overflow them), and on a linear axis at most 1000
// ticks, each a new value (at 1e16 a step of 0.5 adds nothing: the tick loop would never end).
static int axis_drawable(const Axis *a, double margin) {
    double span = a->hi - a->lo, m = span * margin;
    if (!isfinite(span + 2 * m) || !isfinite(a->lo - m) || !isfinite(a->hi + m) || !(span > 0)) return 0;
    if (a->log2) return 1;
    double big = fmax(fabs(a->lo), fabs(a->hi));
    return isfinite(a->step) && a->step > 0 && span / a->step <= 1000 && big + a->step > big;
}

// 0 with why when an axis of f cannot be drawn (axis_drawable), naming the data's range.
static int axes_drawable(const Frame *f, char *why, size_t len) {
    const char *name[2] = {"x", "y"};
    const Axis *ax[2] = {&f->ax, &f->ay};
    double lo[2] = {f->xmin, f->ymin}, hi[2] = {f->xmax, f->ymax}, margin[2] = {0.03, 0.02};
    for (int k = 0; k < 2; k++) {
        if (axis_drawable(ax[k], margin[k])) continue;
        int wide = !isfinite(ax[k]->hi - ax[k]->lo) || !isfinite(hi[k] - lo[k]) || !isfinite(ax[k]->step);
        snprintf(why, len, wide ? "the %s values span %g to %g: too wide a range to draw (it overflows a double)"
                                : "the %s values (%.17g to %.17g) differ by too little for their size to draw an axis",
                 name[k], lo[k], hi[k]);
        return 0;
    }
    return 1;
}

int chart_write(Chart *c, const ChartOpts *o, const char *path, int *log2_x, char *why, size_t len) {
    Frame f = {0};
    Labels lb;
    choose_axes(&f, c, o->linear_x);
    if (!axes_drawable(&f, why, len)) return 0;
    axis_labels(&lb, o, &f.ax);
    if (!layout(&f, &lb, o->title, o->w, o->h)) {
        snprintf(why, len, "a %dx%d image is too small for the chart", o->w, o->h);
        return 0;
    }
    Img im = {xmalloc((size_t)f.w * f.h * 3), f.w, f.h};
    memset(im.px, 255, (size_t)f.w * f.h * 3);
    draw_axes(&im, &f);
    draw_labels(&im, &f, &lb);
    draw_curves(&im, &f, c);
    draw_legend(&im, &f, c);
    image_write_rgb(path, im.px, f.w, f.h);
    free(im.px);
    *log2_x = f.ax.log2;
    return 1;
}
