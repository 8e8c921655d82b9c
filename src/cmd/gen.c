// gen.c — `loopt gen sudoku|maze`: generate puzzles (optionally with solutions) to stdout.
// Deterministic for a given seed: one Rng stream, drawn in order, feeds every puzzle. Data
// goes to stdout; the summary and progress go to stderr.
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/args.h"
#include "loopt/check.h"
#include "loopt/cmd.h"
#include "loopt/log.h"
#include "loopt/maze.h"
#include "loopt/rng.h"
#include "loopt/sudoku.h"
#include "loopt/timer.h"

static const char *USAGE =
    "usage: loopt gen sudoku --n N [--seed S] [--givens A-B] [--rating R-S] [--solutions | --rated]\n"
    "                        [--quiet]\n"
    "       loopt gen maze --n N [--size H[xW]] [--seed S] [--min-path L] [--solutions] [--quiet]\n"
    "\n"
    "Generate N puzzles on stdout, the same ones for the same seed.\n"
    "\n"
    "sudoku: one 81-char line per puzzle ('.' = blank); every puzzle has exactly one solution.\n"
    "  --givens A-B   number of givens, 17 <= A <= B <= 81 (default 25-35); random removal\n"
    "                 seldom gets below ~21 givens, so keep B above that\n"
    "  --rating R-S   keep only puzzles whose solver backtrack count (dead ends of the exact\n"
    "                 solver, a difficulty measure; 0 = no guessing needed) is in [R, S]\n"
    "  --solutions    write `puzzle,solution` CSV lines (no header) instead\n"
    "  --rated        write the Sudoku-Extreme CSV `source,question,answer,rating` (header;\n"
    "                 rating = the backtrack count above), e.g. to relate loops to difficulty\n"
    "maze: text grids ('#' wall, ' ' open, 'S' start, 'G' goal), one blank line after each.\n"
    "  --size H[xW]   grid size, 5..256 each (default 30, as Maze-Hard)\n"
    "  --min-path L   shortest S-G path at least L steps (default 0 = any)\n"
    "  --solutions    square mazes: the Maze-Hard CSV `source,question,answer,rating` (header,\n"
    "                 rows of H*W chars, rating = shortest path length); other sizes: the\n"
    "                 answer grids as text (the shortest path marked 'o')\n"
    "common:\n"
    "  --n N          number of puzzles (required)\n"
    "  --seed S       random seed (default 1)\n"
    "  --quiet        no summary on stderr\n";

// Progress on stderr at most once a second, so fast runs print only the summary.
typedef struct { double t0, last; } Progress;

static void progress_tick(Progress *p, long done, long total, const char *what) {
    double t = now_seconds();
    if (t - p->last < 1.0) return;
    p->last = t;
    log_progress(done, total, t - p->t0, what);
}

// solutions: 1 `puzzle,solution` lines; 2 the rated CSV `loopt,puzzle,solution,rating`.
static void gen_sudoku(long n, uint64_t seed, long gmin, long gmax, long rlo, long rhi, int solutions) {
    Rng rng;
    rng_seed(&rng, seed);
    uint8_t p[SUDOKU_CELLS], s[SUDOKU_CELLS];
    char line[2 * SUDOKU_CELLS + 48];
    if (solutions == 2) printf("source,question,answer,rating\n");
    Progress pr = {now_seconds(), now_seconds()};
    long made = 0, tries = 0;
    while (made < n) {
        long rating;
        sudoku_generate(&rng, (int)gmin, (int)gmax, p, s, &rating);
        tries++;
        if (rating < rlo || rating > rhi) {
            // A rating range that almost never occurs would otherwise spin forever.
            if (tries >= 100000 && tries > 1000 * (made + 1))
                die(EXIT_USAGE, "gen: only %ld of %ld puzzles had a rating in %ld-%ld after %ld tries; "
                    "widen --rating (or change --givens)", made, n, rlo, rhi, tries);
            continue;
        }
        size_t len = solutions == 2 ? (size_t)sprintf(line, "loopt,") : 0;
        for (int i = 0; i < SUDOKU_CELLS; i++) line[len++] = p[i] ? (char)('0' + p[i]) : '.';
        if (solutions) {
            line[len++] = ',';
            for (int i = 0; i < SUDOKU_CELLS; i++) line[len++] = (char)('0' + s[i]);
        }
        if (solutions == 2) len += (size_t)sprintf(line + len, ",%ld", rating);
        line[len++] = '\n';
        xfwrite(line, 1, len, stdout, "<stdout>");
        made++;
        progress_tick(&pr, made, n, "sudoku");
    }
    log_progress_end();
    log_info("gen sudoku: %ld puzzles, givens %ld-%ld, seed %llu, %ld tries, %.2f s", n, gmin, gmax,
             (unsigned long long)seed, tries, now_seconds() - pr.t0);
}

static void gen_maze(long n, uint64_t seed, int h, int w, int min_path, int solutions) {
    Rng rng;
    rng_seed(&rng, seed);
    size_t cells = (size_t)h * (size_t)w;
    uint8_t *q = xmalloc(cells), *a = xmalloc(cells);
    char *row = xmalloc(2 * cells + 64);
    int csv = solutions && h == w;
    if (csv) printf("source,question,answer,rating\n");
    Progress pr = {now_seconds(), now_seconds()};
    for (long k = 0; k < n; k++) {
        int len = maze_generate(&rng, h, w, min_path, q, a);
        if (csv) {
            size_t m = 0;
            memcpy(row, "loopt,", 6); m = 6;
            for (size_t i = 0; i < cells; i++) row[m++] = MAZE_CHARS[q[i]];
            row[m++] = ',';
            for (size_t i = 0; i < cells; i++) row[m++] = MAZE_CHARS[a[i]];
            m += (size_t)snprintf(row + m, 32, ",%d\n", len);
            xfwrite(row, 1, m, stdout, "<stdout>");
        } else {
            maze_write(stdout, solutions ? a : q, h, w);
        }
        progress_tick(&pr, k + 1, n, "maze");
    }
    log_progress_end();
    log_info("gen maze: %ld mazes %dx%d, min path %d, seed %llu, %.2f s", n, h, w, min_path,
             (unsigned long long)seed, now_seconds() - pr.t0);
    free(q); free(a); free(row);
}

// "30" or "30x40" into h, w (each 5..256).
static void parse_size(const char *val, int *h, int *w) {
    char buf[64];
    if (strlen(val) >= sizeof buf) usage_error(USAGE, "--size: expected H or HxW, got '%s'", val);
    strcpy(buf, val);
    char *x = strchr(buf, 'x');
    if (!x) x = strchr(buf, 'X');
    if (x) *x = '\0';
    *h = (int)arg_long("--size", buf, 5, 256);
    *w = x ? (int)arg_long("--size", x + 1, 5, 256) : *h;
}

int cmd_gen(int argc, char **argv) {
    if (argc < 2) usage_error(USAGE, "gen: which task? (sudoku or maze)");
    if (arg_is_help(argv[1])) { fputs(USAGE, stdout); return EXIT_OK; }
    const char *task = argv[1];
    int is_sudoku = strcmp(task, "sudoku") == 0, is_maze = strcmp(task, "maze") == 0;
    if (!is_sudoku && !is_maze) usage_error(USAGE, "gen: unknown task '%s' (expected sudoku or maze)", task);

    long n = -1, gmin = 25, gmax = 35, rlo = 0, rhi = LONG_MAX, min_path = 0;
    uint64_t seed = 1;
    int solutions = 0, h = 30, w = 30;
    const char *val;
    static const char *const with_value[] = {"--n", "--seed", "--givens", "--rating", "--size", "--min-path", NULL};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        for (int k = 0; with_value[k]; k++) {  // a missing value gets the pointer to --help too
            if (strcmp(a, with_value[k]) == 0 && i + 1 >= argc)
                usage_error(USAGE, "gen %s: option %s needs a value", task, a);
        }
        if (arg_is_help(a)) { fputs(USAGE, stdout); return EXIT_OK; }
        else if (arg_value(argc, argv, &i, "--n", &val)) n = arg_long("--n", val, 1, 1000000000L);
        else if (arg_value(argc, argv, &i, "--seed", &val)) seed = arg_u64("--seed", val);
        else if (arg_flag(argv, i, "--solutions")) solutions = solutions ? solutions : 1;
        else if (is_sudoku && arg_flag(argv, i, "--rated")) solutions = 2;
        else if (arg_flag(argv, i, "--quiet")) log_quiet = 1;
        else if (is_sudoku && arg_value(argc, argv, &i, "--givens", &val))
            arg_range("--givens", val, 17, SUDOKU_CELLS, &gmin, &gmax);
        else if (is_sudoku && arg_value(argc, argv, &i, "--rating", &val))
            arg_range("--rating", val, 0, LONG_MAX, &rlo, &rhi);
        else if (is_maze && arg_value(argc, argv, &i, "--size", &val)) parse_size(val, &h, &w);
        else if (is_maze && arg_value(argc, argv, &i, "--min-path", &val))
            min_path = arg_long("--min-path", val, 0, 256L * 256L);
        else unknown_option(USAGE, is_sudoku ? "gen sudoku" : "gen maze", a);
    }
    if (n < 0) usage_error(USAGE, "gen %s: --n N is required", task);
    if (is_sudoku) gen_sudoku(n, seed, gmin, gmax, rlo, rhi, solutions);
    else {
        if (min_path >= (long)h * w) usage_error(USAGE, "gen maze: --min-path %ld cannot fit in %dx%d", min_path, h, w);
        gen_maze(n, seed, h, w, (int)min_path, solutions);
    }
    xfclose(stdout, "<stdout>");
    return EXIT_OK;
}
