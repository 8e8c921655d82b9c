// plot.c — `loopt plot CSV --out curve.png`: a line chart of a CSV with a header (the output
// of `loopt eval`, or several of them with an extra first column such as `label` or `size`):
// one curve per --y column and per value of the --group column. It also draws a training log
// (JSON lines, `loopt train`'s train.jsonl: loss against step by default, the evaluation lines
// as curves of their own). This file reads the input into curves; io/chart.c draws them.
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/args.h"
#include "loopt/chart.h"
#include "loopt/check.h"
#include "loopt/cmd.h"
#include "loopt/csv.h"
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
#define MAX_CSV_BYTES (64u << 20)

// ---- the curves ---------------------------------------------------------------------------

// The chart being filled, and for each of its curves the --group value it draws (NULL without
// --group; "train" or "eval" for a training log) and its --y column (an index into the list).
typedef struct {
    Chart ch;
    char *group[CHART_MAX_SERIES];
    int yi[CHART_MAX_SERIES];
    int n_groups;
    long points;
} Curves;

static ChartSeries *series_for(Curves *c, const char *group, int yi, int n_y, const char *path, int line,
                               const char *gcol) {
    Chart *ch = &c->ch;
    for (int i = 0; i < ch->n; i++)
        if (c->yi[i] == yi && (!group || !strcmp(c->group[i], group))) return &ch->s[i];
    ChartSeries *s = chart_add(ch);
    if (!s)
        die(EXIT_USAGE, "%s:%d: more than %d curves (%d --y column%s x the values of --group %s)", path, line,
            CHART_MAX_SERIES, n_y, n_y == 1 ? "" : "s", gcol ? gcol : "-");
    int k = ch->n - 1;
    c->yi[k] = yi;
    c->group[k] = NULL;
    if (group) {
        c->group[k] = xstrdup(group);
        int seen = 0;   // colour = index of the group value in order of first appearance
        for (int i = 0; i < k && !seen; i++)
            if (!strcmp(c->group[i], group)) { s->color = ch->s[i].color; seen = 1; }
        if (!seen) s->color = c->n_groups++;
        s->style = yi;
    } else {
        s->color = yi;
        s->style = 0;
    }
    return s;
}

static void add_point(Curves *c, ChartSeries *s, double x, double y) {
    chart_push(s, x, y);
    c->points++;
}

// ---- the CSV ------------------------------------------------------------------------------

// Split one line (no newline) into fields in place (csv.h, blanks trimmed): fields[i] point
// into the line. Returns the number of fields, or -1 with *why set.
static int split_fields(char *line, char **fields, const char **why) {
    CsvField f[MAX_FIELDS + 1];
    int n = csv_split(line, strlen(line), f, MAX_FIELDS, 1, why);
    if (n > MAX_FIELDS) { *why = "more than 256 fields"; return -1; }
    for (int i = 0; i < n; i++) fields[i] = csv_cut(line, &f[i]);
    return n;
}

// A finite number filling the whole field, else 0.
static int parse_num(const char *s, double *v) {
    char *end;
    if (*s == '\0') return 0;
    *v = strtod(s, &end);
    return *end == '\0' && isfinite(*v);
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
    h->raw = xstrdup(ln);   // before split_fields cuts ln into fields
    h->line = lineno;
    h->n = split_fields(ln, names, &why);
    if (h->n < 0) die(EXIT_USAGE, "%s:%d: header: %s", a->in, lineno, why);
    h->xi = column(names, h->n, a->xcol, "--x", a->in, lineno);
    for (int k = 0; k < a->n_y; k++) h->yi[k] = column(names, h->n, a->ynames[k], "--y", a->in, lineno);
    h->gi = a->gcol ? column(names, h->n, a->gcol, "--group", a->in, lineno) : -1;
}

// One data line: a point on the curve of each --y column (for the line's --group value).
static void read_row(Curves *c, const Header *h, char *ln, int lineno, const PlotArgs *a) {
    char *fields[MAX_FIELDS];
    const char *why, *in = a->in;
    int nf = split_fields(ln, fields, &why);
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
        add_point(c, series_for(c, h->gi >= 0 ? fields[h->gi] : NULL, k, a->n_y, in, lineno, a->gcol), x, y);
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
static void read_csv(Curves *c, char *buf, const PlotArgs *a) {
    Header h = {0};
    int lineno = 0, nl;
    for (char *p = buf; *p;) {
        char *ln = next_line(&p, &nl);
        lineno++;
        const char *t = ln;
        while (*t == ' ' || *t == '\t') t++;
        if (*t == '\0' || *t == '#') continue;
        if (!h.raw) read_header(&h, ln, lineno, a);
        else if (strcmp(ln, h.raw)) read_row(c, &h, ln, lineno, a);
    }
    if (!h.raw) die(EXIT_USAGE, "%s: no header line (empty file)", a->in);
    if (c->points == 0) die(EXIT_USAGE, "%s: no data rows after the header (line %d)", a->in, h.line);
    free(h.raw);
}

// The number under `key` of a log line into *v: 1; absent or null (NaN in the log): 0; any
// other value, or a number out of a double's range (1e999: infinite, as the CSV reader refuses
// it): exit 2 naming the line.
static int json_num(const cJSON *j, const char *key, double *v, const char *in, int lineno) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, key);
    if (!x || cJSON_IsNull(x)) return 0;
    if (!cJSON_IsNumber(x)) die(EXIT_USAGE, "%s:%d: \"%s\": expected a number", in, lineno, key);
    if (!isfinite(x->valuedouble))
        die(EXIT_USAGE, "%s:%d: \"%s\": expected a finite number, got one out of range (%g)", in, lineno, key,
            x->valuedouble);
    *v = x->valuedouble;
    return 1;
}

// The training log in buf into *ch: each line a point on the curve of each --y key it has, on
// the training curves or, for "eval": true lines, the evaluation ones (group "eval").
static void read_log(Curves *c, char *buf, const PlotArgs *a) {
    int lineno = 0, nl;
    for (char *p = buf; *p;) {
        char *ln = next_line(&p, &nl);
        lineno++;
        if (ln[strspn(ln, " \t")] == '\0') continue;
        const char *end = NULL;
        cJSON *j = cJSON_ParseWithOpts(ln, &end, 0);
        if (cJSON_IsObject(j) && end[strspn(end, " \t")] != '\0')
            die(EXIT_USAGE, "%s:%d: text after the JSON object: '%.40s' (a training log has one object per line)",
                a->in, lineno, end);
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
            add_point(c, series_for(c, group, k, a->n_y, a->in, lineno, NULL), x, y);
        }
        cJSON_Delete(j);
    }
    if (c->points == 0)
        die(EXIT_USAGE, "%s: no line has a number under --y %s%s (a training log's keys: step, loss, cell, exact, "
            "lr, samples_per_s, loops, elapsed_s)", a->in, a->ynames[0], a->n_y > 1 ? ",..." : "");
}

// Read the input into *ch: a training log when its first character is '{', else a CSV.
static void read_curves(Curves *c, PlotArgs *a) {
    char *buf = read_file(a->in, MAX_CSV_BYTES, NULL);
    memset(c, 0, sizeof *c);
    input_defaults(a, buf[strspn(buf, " \t\r\n")] == '{');
    if (a->jsonl) read_log(c, buf, a);
    else read_csv(c, buf, a);
    free(buf);
}

// Legend labels: the --y column, the --group value, or both when there are several --y columns.
static void label_series(Curves *c, const PlotArgs *a) {
    for (int i = 0; i < c->ch.n; i++) {
        ChartSeries *s = &c->ch.s[i];
        const char *group = c->group[i];
        int yi = c->yi[i];
        if (a->jsonl) snprintf(s->label, sizeof s->label, "%s%s", strcmp(group, "eval") ? "" : "eval ",
                               a->ynames[yi]);
        else if (!group) snprintf(s->label, sizeof s->label, "%s", a->ynames[yi]);
        else if (a->n_y == 1) snprintf(s->label, sizeof s->label, "%s", group);
        else snprintf(s->label, sizeof s->label, "%s %s", group, a->ynames[yi]);
    }
}

// The y axis label: the --y names that fit, comma-separated.
static void y_label(char *buf, size_t len, const PlotArgs *a) {
    buf[0] = '\0';
    for (int k = 0; k < a->n_y; k++) {
        if (strlen(buf) + strlen(a->ynames[k]) + 3 >= len) break;
        if (k) strcat(buf, ", ");
        strcat(buf, a->ynames[k]);
    }
}

// ---- the command --------------------------------------------------------------------------

int cmd_plot(int argc, char **argv) {
    PlotArgs a;
    if (parse_args(&a, argc, argv)) return EXIT_OK;
    Curves c;
    read_curves(&c, &a);
    label_series(&c, &a);

    char ylabel[256], why[256];
    y_label(ylabel, sizeof ylabel, &a);
    ChartOpts o = {.title = a.title, .xlabel = a.xcol, .ylabel = ylabel, .linear_x = a.jsonl, .w = a.w, .h = a.h};
    int log2_x;
    if (!chart_write(&c.ch, &o, a.out, &log2_x, why, sizeof why)) die(EXIT_USAGE, "%s: %s", a.in, why);
    log_info("plot: wrote %s: %d curve%s, %ld points, %dx%d pixels, x %s", strcmp(a.out, "-") ? a.out : "stdout",
             c.ch.n, c.ch.n == 1 ? "" : "s", c.points, a.w, a.h, log2_x ? "log2" : "linear");
    for (int i = 0; i < c.ch.n; i++) free(c.group[i]);
    chart_free(&c.ch);
    return EXIT_OK;
}
