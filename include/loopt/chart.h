// chart.h — a line chart drawn pixel by pixel (a built-in 5x8 bitmap font, tab10 colours, solid
// and dashed lines, four marker shapes, a legend) and written as a PNG (image.c): what `loopt
// plot` draws its curves with (io/chart.c).
#ifndef LOOPT_CHART_H
#define LOOPT_CHART_H

#include <stddef.h>

#define CHART_MAX_SERIES 32

typedef struct { double x, y; } ChartPoint;

// One curve: its points (any order: drawing sorts them by x), its colour (an index into the
// palette, mod 10), its style (dashed when odd; marker shape style % 4: filled square, hollow
// square, diamond, cross) and its legend text.
typedef struct {
    ChartPoint *pts;
    int n, cap;
    int color, style;
    char label[96];
} ChartSeries;

typedef struct {
    ChartSeries s[CHART_MAX_SERIES];
    int n;
} Chart;

// What surrounds the curves. The x axis is log2 when every x is a power of two and they are
// not all one value (unless linear_x), else linear; y is [0, 1] unless a value lies outside.
typedef struct {
    const char *title;    // above the chart, cut with ".." to the image width
    const char *xlabel;   // under the x axis (" (log2 scale)" appended on a log2 axis)
    const char *ylabel;   // up the left edge (at most 255 characters)
    int linear_x;
    int w, h;             // image size, pixels
} ChartOpts;

// A new empty curve (c->s[c->n++], zeroed); NULL when the chart has CHART_MAX_SERIES.
ChartSeries *chart_add(Chart *c);
void chart_push(ChartSeries *s, double x, double y);
// Draw c (every curve's points sorted by x here) and write it to path ("-" = stdout) as a PNG.
// Returns 1, with *log2_x set to whether the x axis is log2; 0 with the reason in why, writing
// nothing, when the chart cannot be drawn: an axis whose values span more than a double holds
// (1e308 and -1e308), or differ by too little for their size to get distinct ticks, or an
// image too small for the plot area.
int chart_write(Chart *c, const ChartOpts *o, const char *path, int *log2_x, char *why, size_t len);
void chart_free(Chart *c);

#endif
