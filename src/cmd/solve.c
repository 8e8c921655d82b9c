// solve.c — `loopt solve [--model CKPT] FILE|-`: run a trained looped transformer on puzzles
// and print its answers, one per puzzle, in input order. A neural solve is a neural solve: the
// answer is the model's argmax at every cell (givens included, never forced), and the exact
// solver is never consulted. Inference keeps one loop slot of activations, so memory does not
// grow with --iters. Mazes are batched by runs of equal size; a rope model takes any size.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/args.h"
#include "loopt/blas.h"
#include "loopt/check.h"
#include "loopt/cmd.h"
#include "loopt/config.h"
#include "loopt/dataset.h"
#include "loopt/infer.h"
#include "loopt/log.h"
#include "loopt/model.h"
#include "loopt/modelio.h"
#include "loopt/task.h"
#include "loopt/timer.h"

static const char *USAGE =
    "usage: loopt solve [--model CKPT] [--iters N] [--fixed | --halt RULE] [--threads T] [--batch B]\n"
    "                   [--format text|json] [--trace] [--ema|--raw] [--quiet] FILE|-\n"
    "\n"
    "Runs the model on every puzzle of FILE ('-' = stdin) and prints its answers on stdout, in\n"
    "input order. The task is the model's: Sudoku models read 81-char lines, 9-line grids and the\n"
    "puzzle,solution / Sudoku-Extreme CSVs (solutions are ignored); maze models read text grids,\n"
    "the Maze-Hard CSV or a PNG. The answer is the model's prediction at every cell: givens are\n"
    "not forced and no exact solver is involved.\n"
    "  text: Sudoku: 81 chars per puzzle ('.' where the model predicts blank). Maze: the predicted\n"
    "        grid (path cells 'o'; walls, S and G as predicted), then a blank line.\n"
    "  json: one object per line: {\"line\": L, \"answer\": \"...\", \"valid\": true|false,\n"
    "        [\"why\": reason,] \"loops\": mean loops per cell[, \"cell_loops\": [per-cell loops]]}\n"
    "        (cell_loops with halting.kind act; a maze answer has its rows joined by \\n).\n"
    "A malformed puzzle is reported as FILE:LINE: reason on stderr and skipped; the others are still\n"
    "solved; the exit status is then 1. A summary (valid answers, speed) goes to stderr.\n"
    "\n"
    "  --model CKPT   checkpoint written by loopt train (default: data/models/sudoku.safetensors,\n"
    "                 or data/models/maze.safetensors when the input is mazes, in the current\n"
    "                 directory, else next to the loopt binary)\n"
    "  --iters N      loops to run (default: the training depth recursion.loops; may exceed it —\n"
    "                 test-time scaling); for trm/hrm, supervision steps (default n_sup), each of\n"
    "                 T cycles, and with halting bce a puzzle stops at its first step with q > 0.\n"
    "                 With halting act, N is the maximum and each cell still\n"
    "                 halts on its own; the answer is the halting-weighted mix of the loop states.\n"
    "  --fixed        turn halting off for this run: every cell runs exactly N loops and the\n"
    "                 answer is read from the last loop's state (not the halting mix)\n"
    "  --halt RULE    the halting rule to run instead of the model's own: none (= --fixed), or a\n"
    "                 parameter-free one, which works on any model: converge (a puzzle stops once\n"
    "                 its answer has held for halting.patience loops; docs/schemes.md)\n"
    "  --threads T    CPU threads (default 0 = all cores)\n"
    "  --batch B      puzzles per forward pass (default 64 for Sudoku, fewer for large mazes)\n"
    "  --format F     text (default) or json\n"
    "  --trace        also print each puzzle's predicted grid after loops 1..N on stderr (runs\n"
    "                 the model N times per batch: use it on a few puzzles)\n"
    "  --ema, --raw   use the EMA weights when the checkpoint has them (default), or the raw ones\n"
    "  --out X.png    maze models: also draw each answer as a PNG (X.png for one maze, X-K.png for\n"
    "                 the K-th of several, counting from 0)\n"
    "  --quiet        no log lines on stderr (malformed-input reports still print)\n";

#define MAX_ITERS 100000

// ---- batched inference ---------------------------------------------------------------------
// Batches take consecutive puzzles of equal size, so answers stream out in input order.

typedef struct {
    Model *m;
    const Config *cfg;
    const Task *task;
    int B;                // model batch (a short batch is padded with copies of its first puzzle)
    int halting;          // forward option: HALT_DEFAULT, or HALT_NONE with --fixed
    int h, w;             // grid size the model is set to
    int *coords;          // task_shape scratch
    int *tok, *pred, *loops;   // (B, S_max)
} Runner;

static void runner_init(Runner *r, Model *m, const Config *cfg, int B, int s_max, int halting) {
    memset(r, 0, sizeof *r);
    r->m = m; r->cfg = cfg; r->B = B; r->halting = halting;
    r->task = task_get(cfg->task);
    r->task->train_size(cfg, &r->h, &r->w);   // the size the model was built for
    size_t n = (size_t)B * s_max;
    r->tok = xmalloc(n * sizeof(int));
    r->pred = xmalloc(n * sizeof(int));
    r->loops = xmalloc(n * sizeof(int));
    model_alloc(m, B, 1, 0);
}

static void runner_free(Runner *r) { free(r->coords); free(r->tok); free(r->pred); free(r->loops); }

// Point the model at grids of h x w (mazes; a no-op for the size it already has).
static void runner_size(Runner *r, int h, int w) {
    if (h == r->h && w == r->w) return;
    infer_set_size(r->m, r->cfg, r->B, h, w, &r->coords);
    r->h = h; r->w = w;
}

// Load items[0..n) (n <= B, all of one size) as tokens, padding the batch.
static void runner_load(Runner *r, const Puzzle *items, int n) {
    int S = items[0].h * items[0].w;
    runner_size(r, items[0].h, items[0].w);
    for (int b = 0; b < r->B; b++) {
        const uint8_t *q = items[b < n ? b : 0].q;
        for (int t = 0; t < S; t++) r->tok[(size_t)b * S + t] = q[t];
    }
}

// Forward `loops` loops over the loaded batch; predictions into pred (and loops used).
static void runner_forward(Runner *r, int loops, int *pred, int want_loops) {
    ForwardOpts o = {.loops = loops, .halting = r->halting};
    model_forward_opts(r->m, r->tok, NULL, &o);
    model_predict(r->m, pred);
    if (want_loops) model_loops_used(r->m, r->loops);
}

// ---- output --------------------------------------------------------------------------------

static void json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c == '\n') fputs("\\n", f);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static void print_trace(const Task *task, const Puzzle *it, const int *trace, int iters, int B, uint8_t *a,
                        char *text) {
    int S = it->h * it->w;
    char why[256];
    fprintf(stderr, "trace: line %d, %d loops\n", it->line, iters);
    for (int k = 1; k <= iters; k++) {
        const int *p = trace + (size_t)(k - 1) * B * S;
        int changed = 0;
        for (int t = 0; t < S; t++) {
            changed += k > 1 && p[t] != trace[(size_t)(k - 2) * B * S + t];
            a[t] = (uint8_t)p[t];
        }
        int ok = task->check(it->q, a, it->h, it->w, why, sizeof why);
        task->text(text, a, it->h, it->w);
        char ch[32] = "  -";    // cells changed since the previous loop
        if (k > 1) snprintf(ch, sizeof ch, "%3d", changed);
        if (task->text_one_line) fprintf(stderr, "  loop %3d  %s  changed %s  %s%s\n", k, text, ch,
                                         ok ? "valid" : "invalid: ", ok ? "" : why);
        else fprintf(stderr, "  loop %3d  changed %s  %s%s\n%s\n", k, ch, ok ? "valid" : "invalid: ",
                     ok ? "" : why, text);
    }
}

// --out: the k-th of n answers as a PNG; with several mazes "x.png" becomes "x-K.png".
static void write_png(const Task *task, const char *out, int k, int n, const uint8_t *a, int h, int w) {
    char path[4200];
    const char *dot = strrchr(out, '.');
    if (n == 1) snprintf(path, sizeof path, "%s", out);
    else if (dot && dot != out) snprintf(path, sizeof path, "%.*s-%d%s", (int)(dot - out), out, k, dot);
    else snprintf(path, sizeof path, "%s-%d", out, k);
    task->write_png(path, a, h, w, 8);
}

// ---- the command ---------------------------------------------------------------------------

int cmd_solve(int argc, char **argv) {
    const char *model_path = NULL, *path = NULL, *out_png = NULL;
    int iters = 0, halting = HALT_DEFAULT, threads = 0, batch = 0, json = 0, trace = 0, use_ema = 1;
    for (int i = 1; i < argc; i++) {
        const char *v, *a = argv[i];
        if (arg_is_help(a)) { fputs(USAGE, stdout); return EXIT_OK; }
        else if (arg_value(argc, argv, &i, "--model", &v)) model_path = v;
        else if (arg_value(argc, argv, &i, "--iters", &v)) iters = (int)arg_long("--iters", v, 1, MAX_ITERS);
        else if (arg_value(argc, argv, &i, "--threads", &v)) threads = (int)arg_long("--threads", v, 0, 4096);
        else if (arg_value(argc, argv, &i, "--batch", &v)) batch = (int)arg_long("--batch", v, 1, 65536);
        else if (arg_value(argc, argv, &i, "--format", &v)) {
            if (!strcmp(v, "json")) json = 1;
            else if (!strcmp(v, "text")) json = 0;
            else usage_error(USAGE, "solve: --format: expected text or json, got '%s'", v);
        }
        else if (arg_value(argc, argv, &i, "--out", &v)) out_png = v;
        else if (arg_flag(argv, i, "--fixed")) halting = HALT_NONE;
        else if (arg_value(argc, argv, &i, "--halt", &v)) halting = arg_enum("--halt", v, HALT_NAMES);
        else if (arg_flag(argv, i, "--trace")) trace = 1;
        else if (arg_flag(argv, i, "--ema")) use_ema = 1;
        else if (arg_flag(argv, i, "--raw")) use_ema = 0;
        else if (arg_flag(argv, i, "--quiet")) log_quiet = 1;
        else if (a[0] == '-' && a[1]) usage_error(USAGE, "solve: unknown option '%s'", a);
        else if (!path) path = a;
        else usage_error(USAGE, "solve: one puzzle file at a time (got '%s' and '%s')", path, a);
    }
    if (!path) usage_error(USAGE, "solve: which puzzles? (FILE or - for stdin)");
    const char *name = strcmp(path, "-") ? path : "<stdin>";
    Config cfg;
    Model m;
    int nthreads = infer_load(&model_path, path, name, threads, use_ema, &cfg, &m);
    const Task *task = task_get(cfg.task);
    if (out_png && !task->write_png) usage_error(USAGE, "solve: --out draws mazes; this is a Sudoku model");
    int train_loops = config_depth(&cfg);
    if (!iters) iters = train_loops;
    int run_halt = infer_halting(&m, halting, "--halt");
    int act = run_halt == HALT_ACT;   // per-cell loops to report

    // read the puzzles of the model's task
    PuzzleSet set;
    int n_bad = infer_read(task, path, name, &m, &cfg, 0, &set), n = set.n;
    const Puzzle *items = set.p;
    int s_max = 0;
    for (int i = 0; i < n; i++) if (items[i].h * items[i].w > s_max) s_max = items[i].h * items[i].w;
    int B = infer_batch_size(batch, s_max, m.M, n);
    log_info("solve: %s: %s model, %zu parameters (%s), trained %d loops, halting %s; "
             "running %d loops%s, batch %d, %d threads", model_path, task->name,
             m.num_params, use_ema ? "EMA weights if saved" : "raw weights", train_loops, HALT_NAMES[cfg.halting.kind], iters,
             halting == HALT_NONE && cfg.halting.kind == HALT_ACT ? " (halting off: --fixed)"
             : run_halt == HALT_CONVERGE ? " at most (halting converge)" : act ? " at most" : "", B,
             nthreads);

    Runner r;
    long valid = 0;
    double loops_sum = 0.0;
    double t0 = now_seconds();
    if (n > 0) {
        runner_init(&r, &m, &cfg, B, s_max, run_halt);
        int *tr = trace ? xmalloc(sizeof(int) * (size_t)iters * B * s_max) : NULL;
        uint8_t *a = xmalloc((size_t)s_max);
        char *text = xmalloc((size_t)s_max + (size_t)s_max / 2 + 64);
        char why[256];
        for (int i0 = 0; i0 < n;) {
            int nb = 1;
            while (nb < B && i0 + nb < n && items[i0 + nb].h == items[i0].h && items[i0 + nb].w == items[i0].w) nb++;
            runner_load(&r, items + i0, nb);
            int S = items[i0].h * items[i0].w;
            const int *pred = r.pred;
            if (trace) {
                // loops 1..N, each a fresh forward: exact, since the forward is deterministic
                for (int k = 1; k <= iters; k++)
                    runner_forward(&r, k, tr + (size_t)(k - 1) * B * S, k == iters);
                pred = tr + (size_t)(iters - 1) * B * S;
            } else {
                runner_forward(&r, iters, r.pred, 1);
            }
            for (int b = 0; b < nb; b++) {
                const Puzzle *it = &items[i0 + b];
                const int *p = pred + (size_t)b * S, *lp = r.loops + (size_t)b * S;
                if (tr) print_trace(task, it, tr + (size_t)b * S, iters, B, a, text);
                for (int t = 0; t < S; t++) a[t] = (uint8_t)p[t];
                int ok = task->check(it->q, a, it->h, it->w, why, sizeof why);
                valid += ok;
                double lsum = 0.0;
                for (int t = 0; t < S; t++) lsum += lp[t];
                loops_sum += lsum / S;
                task->text(text, a, it->h, it->w);
                if (json) {
                    printf("{\"line\": %d, \"answer\": ", it->line);
                    json_string(stdout, text);
                    printf(", \"valid\": %s", ok ? "true" : "false");
                    if (!ok) { printf(", \"why\": "); json_string(stdout, why); }
                    printf(", \"loops\": %.3f", lsum / S);
                    if (act) {
                        printf(", \"cell_loops\": [");
                        for (int t = 0; t < S; t++) printf(t ? ",%d" : "%d", lp[t]);
                        putchar(']');
                    }
                    printf("}\n");
                } else {
                    task->write(stdout, a, it->h, it->w);
                }
                if (out_png) write_png(task, out_png, i0 + b, n, a, it->h, it->w);
            }
            fflush(stdout);
            i0 += nb;
        }
        free(tr); free(a); free(text);
        runner_free(&r);
    }
    double dt = now_seconds() - t0;
    if (ferror(stdout)) die(EXIT_RUNTIME, "solve: write error on stdout");
    log_info("solve: %d puzzles, %ld valid answers (%.1f%%), mean loops %.2f, %.2f s (%.1f puzzles/s)", n,
             valid, n ? 100.0 * valid / n : 0.0, n ? loops_sum / n : 0.0, dt, dt > 0 ? n / dt : 0.0);
    if (n_bad) warnf("%s: %d entr%s skipped (reported above)", name, n_bad, n_bad == 1 ? "y" : "ies");

    puzzle_set_free(&set);
    model_free(&m);
    return n_bad ? EXIT_RUNTIME : EXIT_OK;
}
