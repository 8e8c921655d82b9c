// plot.c — `loopt plot CSV --out curve.png`: a line chart of a CSV with a header (the output
// of `loopt eval`, or several of them with an extra first column such as `label` or `size`):
// one curve per --y column and per value of the --group column, x on a log2 axis when every x
// is a power of two (loop counts), y in [0, 1] unless the data leave it. It also draws a
// training log (JSON lines, `loopt train`'s train.jsonl: loss against step by default, the
// evaluation lines as curves of their own). Drawn pixel by pixel
// with a built-in 5x8 bitmap font and written with stb_image_write (image_write_rgb), so a
// machine without gnuplot can still show the test-time scaling curve.
#include <cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/args.h"
#include "loopt/check.h"
#include "loopt/cmd.h"
#include "loopt/image.h"
#include "loopt/log.h"

static const char *USAGE =
    "usage: loopt plot CSV --out OUT.png [--x COLUMN] [--y COL1,COL2,...] [--group COLUMN]\n"
    "                  [--title TEXT] [--width W] [--height H] [--quiet]\n"
    "       loopt plot RUN/train.jsonl --out OUT.png [--x KEY] [--y KEY1,KEY2,...] [--title TEXT] ...\n"
    "\n"
    "Draw a line chart of CSV (\"-\" = stdin) as a PNG: one curve per --y column, and with\n"
    "--group one per distinct value of that column (same colour per value, one line style per\n"
    "--y column). CSV has a header line naming the columns (e.g. `loopt eval` output: iters,\n"
    "cell_acc,exact_acc,mean_loops,loops_median,loops_p90,puzzles_per_s); blank lines, lines\n"
    "starting with '#' and repeats of the header (concatenated outputs) are skipped; fields may\n"
    "be \"quoted\".\n"
    "The x axis is log2 when every x is a power of two (1, 2, 4, ...), else linear; the y axis\n"
    "is [0, 1] unless a value lies outside. A malformed line is an error: FILE:LINE: reason,\n"
    "exit 2.\n"
    "A file whose first character is '{' is read as a training log (JSON lines: one object per\n"
    "line, `loopt train`'s DIR/train.jsonl): --x and --y name keys (default step and loss, the\n"
    "x axis linear); a line without a --y key (or with null) adds no point to that curve, and\n"
    "the evaluation lines (\"eval\": true) make curves of their own, e.g. `--y exact` draws\n"
    "\"exact\" (training batches) and \"eval exact\" (held-out split). A last line cut short\n"
    "(a run killed while writing it) is skipped with a warning.\n"
    "\n"
    "  --out PATH      the PNG to write (\"-\" = stdout); required\n"
    "  --x COLUMN      the x column (default iters; training log: step)\n"
    "  --y LIST        comma-separated y columns (default exact_acc,cell_acc; training log: loss)\n"
    "  --group COLUMN  one curve per distinct value of COLUMN (e.g. label, size); not for a log\n"
    "  --title TEXT    title above the chart (default: the CSV's file name; a log's path)\n"
    "  --width W       image width in pixels, 240..4096 (default 640)\n"
    "  --height H      image height in pixels, 180..4096 (default 400)\n"
    "  --quiet         no log line on stderr\n";

#define MAX_FIELDS 256
#define MAX_Y 16
#define MAX_SERIES 32
#define MAX_CSV_BYTES (64u << 20)

// ---- the CSV ------------------------------------------------------------------------------

// Split one line (no newline) into fields in place: commas separate, a field may be
// "quoted" ("" inside is a quote). Surrounding spaces of unquoted fields are trimmed.
// Returns the number of fields, or -1 with *why set.
static int split_csv(char *line, char **fields, const char **why) {
    int n = 0;
    char *r = line;
    for (;;) {
        if (n == MAX_FIELDS) { *why = "more than 256 fields"; return -1; }
        while (*r == ' ' || *r == '\t') r++;
        char *w = r, *start = r;
        if (*r == '"') {
            start = w = ++r;
            for (;;) {
                if (*r == '\0') { *why = "unterminated quoted field"; return -1; }
                if (*r == '"' && r[1] == '"') { *w++ = '"'; r += 2; }
                else if (*r == '"') { r++; break; }
                else *w++ = *r++;
            }
            while (*r == ' ' || *r == '\t') r++;
            if (*r != ',' && *r != '\0') { *why = "text after a closing quote"; return -1; }
        } else {
            while (*r != ',' && *r != '\0') r++;
            w = r;
            while (w > start && (w[-1] == ' ' || w[-1] == '\t')) w--;
        }
        char sep = *r;
        *w = '\0';
        fields[n++] = start;
        if (sep == '\0') return n;
        r++;
    }
}

// A finite number filling the whole field, else 0.
static int parse_num(const char *s, double *v) {
    char *end;
    if (*s == '\0') return 0;
    *v = strtod(s, &end);
    return *end == '\0' && isfinite(*v);
}

typedef struct { double x, y; } Pt;
typedef struct {
    char *group;    // the --group value (NULL without --group)
    int yi;         // which --y column (index into the --y list)
    int color, style;
    Pt *pts;
    int n, cap;
    char label[96];
} Series;

typedef struct {
    Series s[MAX_SERIES];
    int n;
    int n_groups;
    long points;
} Chart;

static Series *series_for(Chart *c, const char *group, int yi, int n_y, const char *path, int line, const char *gcol) {
    for (int i = 0; i < c->n; i++)
        if (c->s[i].yi == yi && (!group || !strcmp(c->s[i].group, group))) return &c->s[i];
    if (c->n == MAX_SERIES)
        die(EXIT_USAGE, "%s:%d: more than %d curves (%d --y column%s x the values of --group %s)", path, line,
            MAX_SERIES, n_y, n_y == 1 ? "" : "s", gcol ? gcol : "-");
    Series *s = &c->s[c->n++];
    memset(s, 0, sizeof *s);
    s->yi = yi;
    if (group) {
        s->group = xstrdup(group);
        int seen = 0;   // colour = index of the group value in order of first appearance
        for (int i = 0; i < c->n - 1 && !seen; i++)
            if (!strcmp(c->s[i].group, group)) { s->color = c->s[i].color; seen = 1; }
        if (!seen) s->color = c->n_groups++;
        s->style = yi;
    } else {
        s->color = yi;
        s->style = 0;
    }
    return s;
}

static int cmp_pt(const void *a, const void *b) {
    double d = ((const Pt *)a)->x - ((const Pt *)b)->x;
    return (d > 0) - (d < 0);
}

// Column index of `name` in the header, or die naming the columns there are.
static int column(char **hdr, int n, const char *name, const char *opt, const char *path, int line) {
    for (int i = 0; i < n; i++)
        if (!strcmp(hdr[i], name)) return i;
    char cols[1024] = "";
    for (int i = 0; i < n && strlen(cols) < sizeof cols - 80; i++) {
        if (i) strcat(cols, ",");
        strncat(cols, hdr[i], 64);
    }
    die(EXIT_USAGE, "%s:%d: %s %s: no such column in the header (columns: %s)", path, line, opt, name, cols);
}

// ---- drawing ------------------------------------------------------------------------------

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

// ---- the options --------------------------------------------------------------------------

// The command line. ynames point into ybuf, so a PlotArgs is passed by pointer, never copied.
typedef struct {
    const char *in, *out, *xcol, *gcol, *title, *ylist;   // xcol, ylist, title: NULL until input_defaults
    int w, h;                  // image size in pixels
    int jsonl;                 // the input is a training log (JSON lines), not a CSV
    const char *ynames[MAX_Y];
    int n_y;
    char ybuf[1024];
} PlotArgs;

// Split the comma-separated --y list into a->ynames.
static void split_ylist(PlotArgs *a, const char *ylist) {
    if (strlen(ylist) >= sizeof a->ybuf) usage_error(USAGE, "plot: --y list too long");
    strcpy(a->ybuf, ylist);
    a->n_y = 0;
    char *save = NULL;
    for (char *tok = strtok_r(a->ybuf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (a->n_y == MAX_Y) usage_error(USAGE, "plot: --y: at most %d columns", MAX_Y);
        a->ynames[a->n_y++] = tok;
    }
    if (a->n_y == 0) usage_error(USAGE, "plot: --y needs at least one column name");
}

// Fill *a from argv; a usage error exits 2 here. Returns 1 when --help was printed (exit 0).
static int parse_args(PlotArgs *a, int argc, char **argv) {
    const char *val;
    long W = 640, H = 400;
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        if (arg_is_help(argv[i])) { fputs(USAGE, stdout); return 1; }
        else if (arg_value(argc, argv, &i, "--out", &val)) a->out = val;
        else if (arg_value(argc, argv, &i, "--x", &val)) a->xcol = val;
        else if (arg_value(argc, argv, &i, "--y", &val)) a->ylist = val;
        else if (arg_value(argc, argv, &i, "--group", &val)) a->gcol = val;
        else if (arg_value(argc, argv, &i, "--title", &val)) a->title = val;
        else if (arg_value(argc, argv, &i, "--width", &val)) W = arg_long("--width", val, 240, IMAGE_MAX_SIDE);
        else if (arg_value(argc, argv, &i, "--height", &val)) H = arg_long("--height", val, 180, IMAGE_MAX_SIDE);
        else if (arg_flag(argv, i, "--quiet")) log_quiet = 1;
        else if (argv[i][0] == '-' && argv[i][1] != '\0') unknown_option(USAGE, "plot", argv[i]);
        else if (a->in) usage_error(USAGE, "plot: more than one input CSV ('%s' and '%s')", a->in, argv[i]);
        else a->in = argv[i];
    }
    if (!a->in) usage_error(USAGE, "plot: missing the input CSV");
    if (!a->out) usage_error(USAGE, "plot: missing --out OUT.png");
    if (a->xcol && !*a->xcol) usage_error(USAGE, "plot: --x needs a column name");
    if (a->gcol && !*a->gcol) usage_error(USAGE, "plot: --group needs a column name");
    if (a->ylist) split_ylist(a, a->ylist);   // its errors now, before the input is read
    a->w = (int)W, a->h = (int)H;
    return 0;
}

// The defaults that depend on what the input is (CSV or training log), once it is known. The
// title: a CSV's file name without its directory, a log's path (its file name is always
// train.jsonl).
static void input_defaults(PlotArgs *a, int jsonl) {
    a->jsonl = jsonl;
    if (jsonl && a->gcol)
        usage_error(USAGE, "plot: --group: not for a training log (%s): its curves are the training lines and "
                    "the evaluation lines", a->in);
    if (!a->xcol) a->xcol = jsonl ? "step" : "iters";
    if (!a->ylist) split_ylist(a, jsonl ? "loss" : "exact_acc,cell_acc");
    if (!a->title) {
        const char *slash = strrchr(a->in, '/');
        a->title = !strcmp(a->in, "-") ? "stdin" : slash && !jsonl ? slash + 1 : a->in;
    }
}

// ---- reading the curves -------------------------------------------------------------------

// The header line and the columns the chart reads from it.
typedef struct {
    char *raw;                // the header as read, to skip its repeats; NULL until found
    int line, n;              // its line number and number of fields
    int xi, gi, yi[MAX_Y];    // columns of --x, of --group (-1 without), of each --y
} Header;

// The first line that is neither blank nor a comment: find the columns or die naming them.
static void read_header(Header *h, char *ln, int lineno, const PlotArgs *a) {
    char *names[MAX_FIELDS];
    const char *why;
    h->raw = xstrdup(ln);   // before split_csv cuts ln into fields
    h->line = lineno;
    h->n = split_csv(ln, names, &why);
    if (h->n < 0) die(EXIT_USAGE, "%s:%d: header: %s", a->in, lineno, why);
    h->xi = column(names, h->n, a->xcol, "--x", a->in, lineno);
    for (int k = 0; k < a->n_y; k++) h->yi[k] = column(names, h->n, a->ynames[k], "--y", a->in, lineno);
    h->gi = a->gcol ? column(names, h->n, a->gcol, "--group", a->in, lineno) : -1;
}

static void series_push(Series *s, Pt p) {
    if (s->n == s->cap) { s->cap = s->cap ? 2 * s->cap : 16; s->pts = xrealloc(s->pts, s->cap * sizeof(Pt)); }
    s->pts[s->n++] = p;
}

// One data line: a point on the curve of each --y column (for the line's --group value).
static void read_row(Chart *ch, const Header *h, char *ln, int lineno, const PlotArgs *a) {
    char *fields[MAX_FIELDS];
    const char *why, *in = a->in;
    int nf = split_csv(ln, fields, &why);
    if (nf < 0) die(EXIT_USAGE, "%s:%d: %s", in, lineno, why);
    if (nf != h->n)
        die(EXIT_USAGE, "%s:%d: %d field%s, but the header (line %d) has %d", in, lineno, nf, nf == 1 ? "" : "s",
            h->line, h->n);
    double x, y;
    if (!parse_num(fields[h->xi], &x))
        die(EXIT_USAGE, "%s:%d: column %s: expected a number, got '%.40s'", in, lineno, a->xcol, fields[h->xi]);
    for (int k = 0; k < a->n_y; k++) {
        if (!parse_num(fields[h->yi[k]], &y))
            die(EXIT_USAGE, "%s:%d: column %s: expected a number, got '%.40s'", in, lineno, a->ynames[k],
                fields[h->yi[k]]);
        Series *s = series_for(ch, h->gi >= 0 ? fields[h->gi] : NULL, k, a->n_y, in, lineno, a->gcol);
        series_push(s, (Pt){x, y});
        ch->points++;
    }
}

// The next line of the buffer at *p, cut in place (without its \r\n); *p moves past it, *nl
// says whether it ended in a newline.
static char *next_line(char **p, int *nl) {
    char *ln = *p, *end = strchr(ln, '\n');
    *nl = end != NULL;
    if (end) { *end = '\0'; *p = end + 1; } else *p += strlen(ln);
    size_t len = strlen(ln);
    if (len && ln[len - 1] == '\r') ln[len - 1] = '\0';
    return ln;
}

// The CSV in buf into *ch. Blank lines, '#' comments and repeats of the header (concatenated
// outputs) are skipped; the first malformed line is an error naming FILE:LINE.
static void read_csv(Chart *ch, char *buf, const PlotArgs *a) {
    Header h = {0};
    int lineno = 0, nl;
    for (char *p = buf; *p;) {
        char *ln = next_line(&p, &nl);
        lineno++;
        const char *t = ln;
        while (*t == ' ' || *t == '\t') t++;
        if (*t == '\0' || *t == '#') continue;
        if (!h.raw) read_header(&h, ln, lineno, a);
        else if (strcmp(ln, h.raw)) read_row(ch, &h, ln, lineno, a);
    }
    if (!h.raw) die(EXIT_USAGE, "%s: no header line (empty file)", a->in);
    if (ch->points == 0) die(EXIT_USAGE, "%s: no data rows after the header (line %d)", a->in, h.line);
    free(h.raw);
}

// The number under `key` of a log line into *v: 1; absent or null (NaN in the log): 0; any
// other value: exit 2 naming the line.
static int json_num(const cJSON *j, const char *key, double *v, const char *in, int lineno) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, key);
    if (!x || cJSON_IsNull(x)) return 0;
    if (!cJSON_IsNumber(x)) die(EXIT_USAGE, "%s:%d: \"%s\": expected a number", in, lineno, key);
    *v = x->valuedouble;
    return 1;
}

// The training log in buf into *ch: each line a point on the curve of each --y key it has, on
// the training curves or, for "eval": true lines, the evaluation ones (group "eval").
static void read_log(Chart *ch, char *buf, const PlotArgs *a) {
    int lineno = 0, nl;
    for (char *p = buf; *p;) {
        char *ln = next_line(&p, &nl);
        lineno++;
        if (ln[strspn(ln, " \t")] == '\0') continue;
        cJSON *j = cJSON_Parse(ln);
        if (!cJSON_IsObject(j)) {
            cJSON_Delete(j);
            if (nl) die(EXIT_USAGE, "%s:%d: not a JSON object (a training log has one per line)", a->in, lineno);
            warnf("%s:%d: the last line is cut short (a run killed while writing it?): skipped", a->in, lineno);
            break;
        }
        double x, y;
        if (!json_num(j, a->xcol, &x, a->in, lineno))
            die(EXIT_USAGE, "%s:%d: no number under \"%s\" (--x)", a->in, lineno, a->xcol);
        const char *group = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "eval")) ? "eval" : "train";
        for (int k = 0; k < a->n_y; k++) {
            if (!json_num(j, a->ynames[k], &y, a->in, lineno)) continue;
            series_push(series_for(ch, group, k, a->n_y, a->in, lineno, NULL), (Pt){x, y});
            ch->points++;
        }
        cJSON_Delete(j);
    }
    if (ch->points == 0)
        die(EXIT_USAGE, "%s: no line has a number under --y %s%s (a training log's keys: step, loss, cell, exact, "
            "lr, samples_per_s, loops, elapsed_s)", a->in, a->ynames[0], a->n_y > 1 ? ",..." : "");
}

// Read the input into *ch: a training log when its first character is '{', else a CSV.
static void read_chart(Chart *ch, PlotArgs *a) {
    char *buf = read_file(a->in, MAX_CSV_BYTES, NULL);
    memset(ch, 0, sizeof *ch);
    input_defaults(a, buf[strspn(buf, " \t\r\n")] == '{');
    if (a->jsonl) read_log(ch, buf, a);
    else read_csv(ch, buf, a);
    free(buf);
}

// Legend labels: the --y column, the --group value, or both when there are several --y columns.
static void label_series(Chart *ch, const PlotArgs *a) {
    for (int i = 0; i < ch->n; i++) {
        Series *s = &ch->s[i];
        if (a->jsonl) snprintf(s->label, sizeof s->label, "%s%s", strcmp(s->group, "eval") ? "" : "eval ",
                               a->ynames[s->yi]);
        else if (!s->group) snprintf(s->label, sizeof s->label, "%s", a->ynames[s->yi]);
        else if (a->n_y == 1) snprintf(s->label, sizeof s->label, "%s", s->group);
        else snprintf(s->label, sizeof s->label, "%s %s", s->group, a->ynames[s->yi]);
    }
}

// ---- the frame ----------------------------------------------------------------------------

// Where the chart lies in the image and how data map to pixels.
typedef struct {
    Axis ax, ay;
    int w, h;                       // image size
    int s, ts, lh;                  // font scale, title scale, line height of small text
    int left, right, top, bottom;   // the plot area, pixels
    double xlo, xhi, ylo, yhi;      // the data range it shows, margins included (x in log2 units on a log axis)
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
        Series *s = &ch->s[i];
        qsort(s->pts, s->n, sizeof(Pt), cmp_pt);
        for (int k = 0; k < s->n; k++) {
            xmin = fmin(xmin, s->pts[k].x), xmax = fmax(xmax, s->pts[k].x);
            ymin = fmin(ymin, s->pts[k].y), ymax = fmax(ymax, s->pts[k].y);
            all_pow2 &= is_pow2(s->pts[k].x);
        }
    }
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

// The axis labels: x names its column and scale, y lists the --y columns that fit.
static void axis_labels(Labels *lb, const PlotArgs *a, const Axis *ax) {
    lb->ylabel[0] = '\0';
    for (int k = 0; k < a->n_y; k++) {
        if (strlen(lb->ylabel) + strlen(a->ynames[k]) + 3 >= sizeof lb->ylabel) break;
        if (k) strcat(lb->ylabel, ", ");
        strcat(lb->ylabel, a->ynames[k]);
    }
    snprintf(lb->xlabel, sizeof lb->xlabel, "%s%s", a->xcol, ax->log2 ? " (log2 scale)" : "");
}

// Font scales, margins (room for the title, the widest y tick label and the axis labels) and the
// data range of the plot area. The font grows with the image: scale 1 up to 900x560.
static void layout(Frame *f, Labels *lb, const char *title, int w, int h) {
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
    if (f->right - f->left < 80 || f->bottom - f->top < 60)
        die(EXIT_USAGE, "plot: --width/--height too small for the chart");
    // A margin of 3% on x so that end markers clear the frame, 2% on y.
    double xm = (f->ax.hi - f->ax.lo) * 0.03, ym = (ay->hi - ay->lo) * 0.02;
    f->xlo = f->ax.lo - xm, f->xhi = f->ax.hi + xm;
    f->ylo = ay->lo - ym, f->yhi = ay->hi + ym;
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
        const Series *sr = &ch->s[i];
        Rgb c = PALETTE[sr->color % 10];
        int phase = 0;
        for (int k = 1; k < sr->n; k++)
            line(im, px_x(f, sr->pts[k - 1].x), px_y(f, sr->pts[k - 1].y), px_x(f, sr->pts[k].x),
                 px_y(f, sr->pts[k].y), lt, c, sr->style % 2, &phase);
    }
    for (int i = 0; i < ch->n; i++) {
        const Series *sr = &ch->s[i];
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
    char labs[MAX_SERIES][128];
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
            const Series *sr = &ch->s[i];
            Rgb c = PALETTE[sr->color % 10];
            int phase = 0;
            line(im, bx + pad, mid, bx + pad + sample, mid, lt, c, sr->style % 2, &phase);
            marker(im, bx + pad + sample / 2, mid, mr, sr->style, c);
        }
        text(im, bx + pad + sample + pad, y, labs[i], s, TEXT, 0);
    }
}

// ---- the command --------------------------------------------------------------------------

int cmd_plot(int argc, char **argv) {
    PlotArgs a;
    if (parse_args(&a, argc, argv)) return EXIT_OK;
    Chart ch;
    read_chart(&ch, &a);
    label_series(&ch, &a);

    Frame f = {0};
    Labels lb;
    choose_axes(&f, &ch, a.jsonl);
    axis_labels(&lb, &a, &f.ax);
    layout(&f, &lb, a.title, a.w, a.h);

    Img im = {xmalloc((size_t)f.w * f.h * 3), f.w, f.h};
    memset(im.px, 255, (size_t)f.w * f.h * 3);
    draw_axes(&im, &f);
    draw_labels(&im, &f, &lb);
    draw_curves(&im, &f, &ch);
    draw_legend(&im, &f, &ch);

    image_write_rgb(a.out, im.px, f.w, f.h);
    log_info("plot: wrote %s: %d curve%s, %ld points, %dx%d pixels, x %s", strcmp(a.out, "-") ? a.out : "stdout",
             ch.n, ch.n == 1 ? "" : "s", ch.points, f.w, f.h, f.ax.log2 ? "log2" : "linear");
    for (int i = 0; i < ch.n; i++) { free(ch.s[i].pts); free(ch.s[i].group); }
    free(im.px);
    return EXIT_OK;
}
