// gen.c — `loopt gen sudoku|maze`: generate puzzles (optionally with solutions) to stdout.
// Deterministic for a given seed: one Rng stream, drawn in order, feeds every puzzle (with
// --minimal: one stream per puzzle, made on all threads, written in order). --exclude drops
// puzzles equivalent to a listed one (sudoku_canon.h). Data goes to stdout; the summary and
// progress go to stderr. Ctrl-C (SIGINT, SIGTERM, SIGHUP) ends it after a whole record: the
// output is then a prefix of the uninterrupted one, every line complete (exit 1).
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/args.h"
#include "loopt/blas.h"
#include "loopt/check.h"
#include "loopt/cmd.h"
#include "loopt/log.h"
#include "loopt/stop.h"
#include "loopt/maze.h"
#include "loopt/rng.h"
#include "loopt/sudoku.h"
#include "loopt/sudoku_canon.h"
#include "loopt/sudoku_hard.h"
#include "loopt/timer.h"

static const char *USAGE =
    "usage: loopt gen sudoku --n N [--seed S] [--givens A-B] [--rating R-S] [--minimal]\n"
    "                        [--level L] [--exclude PATH] [--solutions | --rated] [--threads T]\n"
    "                        [--quiet]\n"
    "       loopt gen maze --n N [--size H[xW]] [--seed S] [--min-path L] [--no-cycles]\n"
    "                      [--cycle-odds N] [--solutions] [--quiet]\n"
    "\n"
    "Generate N puzzles on stdout, the same ones for the same seed.\n"
    "\n"
    "sudoku: one 81-char line per puzzle ('.' = blank); every puzzle has exactly one solution.\n"
    "  --givens A-B   number of givens, 17 <= A <= B <= 81 (default 25-35, with --minimal\n"
    "                 22-26; `A-` = A-81); random removal seldom gets below ~21 givens, so keep\n"
    "                 B above that\n"
    "  --rating R-S   keep only puzzles whose solver backtrack count (dead ends of the exact\n"
    "                 solver, a difficulty measure; 0 = no guessing needed) is in [R, S];\n"
    "                 `R-` = R or more. With --minimal the generator climbs to it\n"
    "  --minimal      minimal puzzles: no given can be removed keeping one solution (one\n"
    "                 random stream per puzzle, so not the puzzles of the same seed without it)\n"
    "  --level L      --minimal with a named rating range: easy (0), medium (1-9), hard\n"
    "                 (10-29), hardest (30 or more: the generator's hardest level)\n"
    "  --exclude PATH drop every puzzle equivalent, under the Sudoku symmetries and digit\n"
    "                 relabelling, to one in PATH (a puzzle file, or a folder of them) and\n"
    "                 make another in its place; the count dropped goes to stderr\n"
    "  --solutions    write `puzzle,solution` CSV lines (no header) instead\n"
    "  --rated        write the Sudoku-Extreme CSV `source,question,answer,rating` (header;\n"
    "                 rating = the backtrack count above), e.g. to relate loops to difficulty\n"
    "  --threads T    threads for --minimal and --exclude (default 0 = all cores; the output\n"
    "                 is the same for any T)\n"
    "maze: text grids ('#' wall, ' ' open, 'S' start, 'G' goal), one blank line after each.\n"
    "  --size H[xW]   grid size, 5..4096 each (default 30, as Maze-Hard)\n"
    "  --min-path L   shortest S-G path at least L steps (default 0 = any)\n"
    "  --no-cycles    loop-free mazes: the open cells form a tree, so the S-G path is the only\n"
    "                 one (default: a few extra walls knocked down make cycles)\n"
    "  --cycle-odds N each wall the maze's spanning tree left between two of its cells falls\n"
    "                 with odds 1 in N (default 25; lower: more cycles, more routes to choose\n"
    "                 the shortest among)\n"
    "  --solutions    square mazes: the Maze-Hard CSV `source,question,answer,rating` (header,\n"
    "                 rows of H*W chars, rating = shortest path length); other sizes: the\n"
    "                 answer grids as text (the shortest path marked 'o')\n"
    "common:\n"
    "  --n N          number of puzzles (required)\n"
    "  --seed S       random seed (default 1)\n"
    "  --quiet        no summary on stderr\n";

// A signal only raises stop_requested (stop.h); the generators stop before their next record.
// After an interrupt: the records written are whole (flushed here), the exit is 1.
static int stop_interrupted(long made, long n, const char *what) {
    stdout_check();
    warnf("gen: interrupted after %ld of %ld %s: the output holds those, each whole", made, n, what);
    return EXIT_RUNTIME;
}

// Progress on stderr at most once a second, so fast runs print only the summary.
typedef struct { double t0, last; } Progress;

static void progress_tick(Progress *p, long done, long total, const char *what) {
    double t = now_seconds();
    if (t - p->last < 1.0) return;
    p->last = t;
    log_progress(done, total, t - p->t0, what);
}

typedef struct {
    long n;
    uint64_t seed;
    long gmin, gmax, rlo, rhi;
    int solutions;            // 1 `puzzle,solution` lines; 2 the rated CSV `loopt,puzzle,solution,rating`
    int minimal;
    const char *exclude;      // or NULL
    CanonSet ex;              // the forms of exclude's puzzles
    long made;                // puzzles written (fewer than n after an interrupt)
} SudokuGen;

static void write_sudoku(const SudokuGen *g, const uint8_t *p, const uint8_t *s, long rating) {
    char line[2 * SUDOKU_CELLS + 48];
    size_t len = g->solutions == 2 ? (size_t)sprintf(line, "loopt,") : 0;
    for (int i = 0; i < SUDOKU_CELLS; i++) line[len++] = p[i] ? (char)('0' + p[i]) : '.';
    if (g->solutions) {
        line[len++] = ',';
        for (int i = 0; i < SUDOKU_CELLS; i++) line[len++] = (char)('0' + s[i]);
    }
    if (g->solutions == 2) len += (size_t)sprintf(line + len, ",%ld", rating);
    line[len++] = '\n';
    xfwrite(line, 1, len, stdout, "<stdout>");
}

// 1 if --exclude holds a puzzle equivalent to p.
static int excluded(const SudokuGen *g, const uint8_t *p) {
    if (!g->exclude) return 0;
    uint8_t canon[SUDOKU_CELLS];
    sudoku_canon(p, canon);
    return canon_set_find(&g->ex, canon) >= 0;
}

// The original generator: one Rng stream drawn in order feeds every puzzle (so the same seed
// gives the same file as ever); --rating and --exclude filter.
static void gen_sudoku_stream(SudokuGen *g, long *tries, long *dropped) {
    Rng rng;
    rng_seed(&rng, g->seed);
    uint8_t p[SUDOKU_CELLS], s[SUDOKU_CELLS];
    Progress pr = {now_seconds(), now_seconds()};
    long made = 0;
    while (made < g->n && !stop_requested) {
        long rating;
        sudoku_generate(&rng, (int)g->gmin, (int)g->gmax, p, s, &rating);
        (*tries)++;
        if (rating < g->rlo || rating > g->rhi) {
            // A rating range that almost never occurs would otherwise spin forever.
            if (*tries >= 100000 && *tries > 1000 * (made + 1))
                die(EXIT_USAGE, "gen: only %ld of %ld puzzles had a rating in %ld-%ld after %ld tries; "
                    "widen --rating (or change --givens)", made, g->n, g->rlo, g->rhi, *tries);
            continue;
        }
        if (excluded(g, p)) { (*dropped)++; continue; }
        write_sudoku(g, p, s, rating);
        made++;
        progress_tick(&pr, made, g->n, "sudoku");
    }
    log_progress_end();
    g->made = made;
}

// --minimal: puzzle k comes from its own stream (seed, k), so blocks of puzzles are made on
// all threads and written in order: the same file for any thread count (or block size). A
// puzzle --exclude drops is replaced from the same stream.
static void gen_sudoku_minimal(SudokuGen *g, int threads, long *tries, long *dropped) {
    SudokuSpec spec = {(int)g->gmin, (int)g->gmax, g->rlo, g->rhi};
    int block = 16 * threads;   // enough per thread to even out slow puzzles, short enough for progress
    uint8_t *p = xmalloc((size_t)block * SUDOKU_CELLS), *s = xmalloc((size_t)block * SUDOKU_CELLS);
    long *rating = xmalloc(sizeof(long) * (size_t)block * 3), *starts = rating + block, *drops = starts + block;
    Progress pr = {now_seconds(), now_seconds()};
    g->made = 0;
    for (long base = 0; base < g->n && !stop_requested; base += block) {
        int m = (int)(g->n - base < block ? g->n - base : block);
        #pragma omp parallel for schedule(dynamic, 1)
        for (int j = 0; j < m; j++) {
            starts[j] = drops[j] = 0;
            rating[j] = -1;   // not made (an interrupt before it began)
            if (stop_requested) continue;
            Rng r;
            rng_seed(&r, g->seed + 0x9E3779B97F4A7C15ULL * (uint64_t)(base + j + 1));
            uint8_t *pj = p + (size_t)j * SUDOKU_CELLS, *sj = s + (size_t)j * SUDOKU_CELLS;
            for (;;) {
                starts[j] += sudoku_generate_minimal(&r, &spec, pj, sj, &rating[j]);
                if (!excluded(g, pj)) break;
                drops[j]++;
            }
        }
        for (int j = 0; j < m; j++) {
            if (rating[j] < 0) break;   // interrupted: the puzzles made before the first one not made
            write_sudoku(g, p + (size_t)j * SUDOKU_CELLS, s + (size_t)j * SUDOKU_CELLS, rating[j]);
            *tries += starts[j];
            *dropped += drops[j];
            g->made++;
        }
        progress_tick(&pr, base + m, g->n, "sudoku");
    }
    log_progress_end();
    free(p);
    free(s);
    free(rating);
}

static int gen_sudoku(SudokuGen *g, int threads) {
    double t0 = now_seconds();
    if (g->gmin <= 17)
        warnf("gen: --givens allows 17: nearly every 17-given puzzle is already known (the public "
              "17-clue list holds 49,158), so such a training puzzle is likely a benchmark one: use "
              "--exclude with that list");
    if (g->minimal && (g->gmax < 20 || g->gmin > 28))
        warnf("gen: minimal puzzles with %ld-%ld givens are rare (almost all have 20-28, docs/sudoku_data.md): "
              "this may take minutes, and fail", g->gmin, g->gmax);
    canon_set_init(&g->ex);
    if (g->exclude) {
        canon_set_load(&g->ex, g->exclude, (int)g->gmin, (int)g->gmax);
        log_info("gen sudoku: excluding %ld puzzles with %ld-%ld givens (%ld up to symmetry; %ld others read) "
                 "from %s, %.1f s", g->ex.n_read - g->ex.n_other_givens, g->gmin, g->gmax, g->ex.n,
                 g->ex.n_other_givens, g->exclude, now_seconds() - t0);
    }
    if (g->solutions == 2) printf("source,question,answer,rating\n");
    double t1 = now_seconds();
    long tries = 0, dropped = 0;
    if (g->minimal) gen_sudoku_minimal(g, threads, &tries, &dropped);
    else gen_sudoku_stream(g, &tries, &dropped);
    if (stop_requested) { canon_set_free(&g->ex); return stop_interrupted(g->made, g->n, "puzzles"); }
    double dt = now_seconds() - t1;
    if (g->minimal) {
        char rating[48];
        sudoku_rating_text(rating, sizeof rating, g->rlo, g->rhi);
        log_info("gen sudoku: %ld minimal puzzles, givens %ld-%ld, rating %s, seed %llu, %ld grids, %.2f s "
                 "(%.1f puzzles/s)", g->n, g->gmin, g->gmax, rating, (unsigned long long)g->seed, tries, dt,
                 dt > 0 ? g->n / dt : 0.0);
    } else {
        log_info("gen sudoku: %ld puzzles, givens %ld-%ld, seed %llu, %ld tries, %.2f s", g->n, g->gmin, g->gmax,
                 (unsigned long long)g->seed, tries, dt);
    }
    if (g->exclude)
        log_info("gen sudoku: dropped %ld puzzle%s equivalent to one in %s (each replaced)", dropped,
                 dropped == 1 ? "" : "s", g->exclude);
    canon_set_free(&g->ex);
    return EXIT_OK;
}

static int gen_maze(long n, uint64_t seed, int h, int w, int min_path, int cycle_odds, int solutions) {
    Rng rng;
    rng_seed(&rng, seed);
    size_t cells = (size_t)h * (size_t)w;
    uint8_t *q = xmalloc(cells), *a = xmalloc(cells);
    char *row = xmalloc(2 * cells + 64);
    int csv = solutions && h == w;
    if (csv) printf("source,question,answer,rating\n");
    Progress pr = {now_seconds(), now_seconds()};
    long k = 0;
    for (; k < n && !stop_requested; k++) {
        int len = maze_generate_ex(&rng, h, w, min_path, cycle_odds, q, a);
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
    free(q); free(a); free(row);
    if (stop_requested) return stop_interrupted(k, n, "mazes");
    char odds[48] = "";
    if (!cycle_odds) snprintf(odds, sizeof odds, ", no cycles");
    else if (cycle_odds != MAZE_CYCLE_ODDS) snprintf(odds, sizeof odds, ", cycle odds 1 in %d", cycle_odds);
    log_info("gen maze: %ld mazes %dx%d, min path %d%s, seed %llu, %.2f s", n, h, w, min_path, odds,
             (unsigned long long)seed, now_seconds() - pr.t0);
    return EXIT_OK;
}

// "30" or "30x40" into h, w (each 5..MAZE_MAX_SIDE, the largest grid the readers take).
static void parse_size(const char *val, int *h, int *w) {
    char buf[64];
    if (strlen(val) >= sizeof buf) usage_error(USAGE, "--size: expected H or HxW, got '%s'", val);
    strcpy(buf, val);
    char *x = strchr(buf, 'x');
    if (!x) x = strchr(buf, 'X');
    if (x) *x = '\0';
    *h = (int)arg_long("--size", buf, 5, MAZE_MAX_SIDE);
    *w = x ? (int)arg_long("--size", x + 1, 5, MAZE_MAX_SIDE) : *h;
}

// --level NAME: the index of its level in SUDOKU_LEVELS.
static int parse_level(const char *val) {
    const char *names[8];
    int n = 0;
    for (; SUDOKU_LEVELS[n].name; n++) names[n] = SUDOKU_LEVELS[n].name;
    names[n] = NULL;
    return arg_enum("--level", val, names);
}

int cmd_gen(int argc, char **argv) {
    if (argc < 2) usage_error(USAGE, "gen: which task? (sudoku or maze)");
    if (arg_is_help(argv[1])) { fputs(USAGE, stdout); return EXIT_OK; }
    const char *task = argv[1];
    int is_sudoku = strcmp(task, "sudoku") == 0, is_maze = strcmp(task, "maze") == 0;
    if (!is_sudoku && !is_maze) usage_error(USAGE, "gen: unknown task '%s' (expected sudoku or maze)", task);

    long n = -1, min_path = 0, threads = 0;
    SudokuGen g = {.gmin = 25, .gmax = 35, .rlo = 0, .rhi = LONG_MAX, .seed = 1};
    int h = 30, w = 30, level = -1, givens_set = 0, rating_set = 0, cycles = 1;
    long cycle_odds = MAZE_CYCLE_ODDS;
    int odds_set = 0;
    const char *val;
    static const char *const with_value[] = {"--n", "--seed", "--givens", "--rating", "--size", "--min-path",
                                             "--level", "--exclude", "--threads", "--cycle-odds", NULL};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        for (int k = 0; with_value[k]; k++) {  // a missing value gets the pointer to --help too
            if (strcmp(a, with_value[k]) == 0 && i + 1 >= argc)
                usage_error(USAGE, "gen %s: option %s needs a value", task, a);
        }
        if (arg_is_help(a)) { fputs(USAGE, stdout); return EXIT_OK; }
        else if (arg_value(argc, argv, &i, "--n", &val)) n = arg_long("--n", val, 1, 1000000000L);
        else if (arg_value(argc, argv, &i, "--seed", &val)) g.seed = arg_u64("--seed", val);
        else if (arg_flag(argv, i, "--solutions")) g.solutions = g.solutions ? g.solutions : 1;
        else if (is_sudoku && arg_flag(argv, i, "--rated")) g.solutions = 2;
        else if (arg_flag(argv, i, "--quiet")) log_quiet = 1;
        else if (is_sudoku && arg_value(argc, argv, &i, "--givens", &val)) {
            arg_range("--givens", val, 17, SUDOKU_CELLS, &g.gmin, &g.gmax);
            givens_set = 1;
        } else if (is_sudoku && arg_value(argc, argv, &i, "--rating", &val)) {
            arg_range("--rating", val, 0, LONG_MAX, &g.rlo, &g.rhi);
            rating_set = 1;
        } else if (is_sudoku && arg_flag(argv, i, "--minimal")) g.minimal = 1;
        else if (is_sudoku && arg_value(argc, argv, &i, "--level", &val)) level = parse_level(val);
        else if (is_sudoku && arg_value(argc, argv, &i, "--exclude", &val)) g.exclude = val;
        else if (is_sudoku && arg_value(argc, argv, &i, "--threads", &val)) threads = arg_long("--threads", val, 0, 1024);
        else if (is_maze && arg_value(argc, argv, &i, "--size", &val)) parse_size(val, &h, &w);
        else if (is_maze && arg_value(argc, argv, &i, "--min-path", &val))
            min_path = arg_long("--min-path", val, 0, (long)MAZE_MAX_SIDE * MAZE_MAX_SIDE);
        else if (is_maze && arg_flag(argv, i, "--no-cycles")) cycles = 0;
        else if (is_maze && arg_value(argc, argv, &i, "--cycle-odds", &val)) {
            cycle_odds = arg_long("--cycle-odds", val, 1, 1000000);
            odds_set = 1;
        }
        else unknown_option(USAGE, is_sudoku ? "gen sudoku" : "gen maze", a);
    }
    if (n < 0) usage_error(USAGE, "gen %s: --n N is required", task);
    g.n = n;
    stop_on_signals();
    int rc;
    if (is_sudoku) {
        if (level >= 0) {
            if (rating_set) usage_error(USAGE, "gen sudoku: --level and --rating both set the rating; give one");
            g.rlo = SUDOKU_LEVELS[level].lo;
            g.rhi = SUDOKU_LEVELS[level].hi;
            g.minimal = 1;
        }
        if (g.minimal && !givens_set) { g.gmin = 22; g.gmax = 26; }
        rc = gen_sudoku(&g, threads_set((int)threads));
    } else {
        if (min_path >= (long)h * w) usage_error(USAGE, "gen maze: --min-path %ld cannot fit in %dx%d", min_path, h, w);
        if (odds_set && !cycles) usage_error(USAGE, "gen maze: --cycle-odds sets how many cycles, --no-cycles says none; give one");
        rc = gen_maze(n, g.seed, h, w, (int)min_path, cycles ? (int)cycle_odds : 0, g.solutions);
    }
    xfclose(stdout, "<stdout>");
    return rc;
}
