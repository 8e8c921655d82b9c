// eval.c — `loopt eval --model CKPT --data FILE`: accuracy of a trained model at several
// depths, as CSV on stdout (iters,cell_acc,exact_acc,mean_loops,puzzles_per_s), one row per
// --iters value — the test-time scaling curve in one command. Answers are the model's own
// (as in `loopt solve`); the exact solver / BFS only supplies the reference when the file has
// no solutions.
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
    "usage: loopt eval [--model CKPT] --data FILE [--iters 1,2,4,8,16,32,64] [--threads T]\n"
    "                  [--batch B] [--fixed | --halt RULE] [--limit N] [--ema|--raw] [--quiet]\n"
    "\n"
    "Solves every puzzle of FILE at each --iters value and prints a CSV on stdout:\n"
    "  iters,cell_acc,exact_acc,mean_loops,puzzles_per_s\n"
    "Sudoku: cell_acc is the fraction of the puzzles' blank cells predicted equal to the solution\n"
    "(from the file, else found by the exact solver); exact_acc the fraction of answers equal to the\n"
    "file's solution (or, without one, valid completions of the givens). Maze: cell_acc over all\n"
    "cells against the file's answer (else one BFS shortest path; ties make it a lower bound);\n"
    "exact_acc the fraction whose path is a valid shortest S-G path. mean_loops is the mean loops\n"
    "per cell (below --iters only with halting act); puzzles_per_s is wall time of the forwards.\n"
    "Malformed entries are reported as FILE:LINE: reason, skipped, and make the exit status 1.\n"
    "\n"
    "  --model CKPT   checkpoint written by loopt train (default: data/models/sudoku.safetensors,\n"
    "                 or data/models/maze.safetensors when the input is mazes, in the current\n"
    "                 directory, else next to the loopt binary)\n"
    "  --data FILE    puzzles ('-' = stdin), any format `loopt solve` reads; solutions optional\n"
    "  --iters LIST   comma-separated loop counts (default 1,2,4,8,16,32,64); with halting act each\n"
    "                 is the maximum\n"
    "  --fixed        halting off: every cell runs exactly N loops, answer from the last state\n"
    "  --halt RULE    the halting rule to run instead of the model's own: none (= --fixed), or a\n"
    "                 parameter-free one, which works on any model: converge (a puzzle stops once\n"
    "                 its answer has held for halting.patience loops; docs/schemes.md)\n"
    "  --threads T    CPU threads (default 0 = all cores)\n"
    "  --batch B      puzzles per forward pass (default 64 for Sudoku, fewer for large mazes)\n"
    "  --limit N      only the first N puzzles\n"
    "  --ema, --raw   EMA weights when saved (default), or the raw weights\n"
    "  --quiet        no log lines on stderr\n";

#define MAX_ITERS 100000
#define MAX_ITERS_LIST 256

// "1,2,4" -> list; each in [1, MAX_ITERS]. Returns the count.
static int parse_iters(const char *val, int *out) {
    char buf[4096];
    if (strlen(val) >= sizeof buf) die(EXIT_USAGE, "--iters: list too long");
    strcpy(buf, val);
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (n == MAX_ITERS_LIST) die(EXIT_USAGE, "--iters: at most %d values", MAX_ITERS_LIST);
        out[n++] = (int)arg_long("--iters", tok, 1, MAX_ITERS);
    }
    if (n == 0) die(EXIT_USAGE, "--iters: expected a comma-separated list of loop counts, got '%s'", val);
    return n;
}

// One puzzle with its reference answer.
typedef struct {
    int h, w;
    const uint8_t *q;     // (h*w) input tokens
    const uint8_t *ref;   // (h*w) reference answer (NULL: none — Sudoku without a solution)
    int ref_given;        // 1 if ref came from the file (exact = equality), 0 if computed
    int line;
} Item;

// The items of `set` with their references: the file's answers, else the task's own (exact
// solver, BFS) computed into *refs.
static Item *eval_items(const Task *task, const PuzzleSet *set, const char *name, uint8_t **refs) {
    size_t cells = 0, off = 0;
    for (int i = 0; i < set->n; i++) if (!set->p[i].a) cells += (size_t)set->p[i].h * set->p[i].w;
    *refs = xmalloc(cells ? cells : 1);
    Item *items = xmalloc(sizeof(Item) * (size_t)set->n);
    for (int i = 0; i < set->n; i++) {
        const Puzzle *p = &set->p[i];
        Item *it = &items[i];
        *it = (Item){p->h, p->w, p->q, p->a, 1, p->line};
        if (p->a) continue;
        it->ref_given = 0;
        if (task->reference(p->q, p->h, p->w, *refs + off)) {
            it->ref = *refs + off;
            off += (size_t)p->h * p->w;
        } else {
            warnf("%s:%d: puzzle has no solution: counted as wrong", name, it->line);
        }
    }
    return items;
}

int cmd_eval(int argc, char **argv) {
    const char *model_path = NULL, *data = NULL;
    int iters[MAX_ITERS_LIST] = {1, 2, 4, 8, 16, 32, 64}, n_iters = 7;
    int halting = HALT_DEFAULT, threads = 0, batch = 0, use_ema = 1;
    long limit = 0;
    for (int i = 1; i < argc; i++) {
        const char *v, *a = argv[i];
        if (arg_is_help(a)) { fputs(USAGE, stdout); return EXIT_OK; }
        else if (arg_value(argc, argv, &i, "--model", &v)) model_path = v;
        else if (arg_value(argc, argv, &i, "--data", &v)) data = v;
        else if (arg_value(argc, argv, &i, "--iters", &v)) n_iters = parse_iters(v, iters);
        else if (arg_value(argc, argv, &i, "--threads", &v)) threads = (int)arg_long("--threads", v, 0, 4096);
        else if (arg_value(argc, argv, &i, "--batch", &v)) batch = (int)arg_long("--batch", v, 1, 65536);
        else if (arg_value(argc, argv, &i, "--limit", &v)) limit = arg_long("--limit", v, 1, 1000000000L);
        else if (arg_flag(argv, i, "--fixed")) halting = HALT_NONE;
        else if (arg_value(argc, argv, &i, "--halt", &v)) halting = arg_enum("--halt", v, HALT_NAMES);
        else if (arg_flag(argv, i, "--ema")) use_ema = 1;
        else if (arg_flag(argv, i, "--raw")) use_ema = 0;
        else if (arg_flag(argv, i, "--quiet")) log_quiet = 1;
        else if (a[0] == '-' && a[1]) usage_error(USAGE, "eval: unknown option '%s'", a);
        else usage_error(USAGE, "eval: unexpected argument '%s' (the puzzles go in --data FILE)", a);
    }
    if (!data) usage_error(USAGE, "eval: missing --data FILE");
    const char *name = strcmp(data, "-") ? data : "<stdin>";
    Config cfg;
    Model m;
    int nthreads = infer_load(&model_path, data, name, threads, use_ema, &cfg, &m);
    int run_halt = infer_halting(&m, halting, "--halt");
    const Task *task = task_get(cfg.task);

    // puzzles and references
    PuzzleSet set;
    int n_bad = infer_read(task, data, name, &m, &cfg, limit, &set), n = set.n;
    uint8_t *refs;   // the references computed for puzzles the file gave none
    Item *items = eval_items(task, &set, name, &refs);
    if (n == 0) die(EXIT_USAGE, "%s: no puzzles the model can take", name);
    int s_max = 0;
    for (int i = 0; i < n; i++) if (items[i].h * items[i].w > s_max) s_max = items[i].h * items[i].w;
    int B = infer_batch_size(batch, s_max, m.M, n);
    log_info("eval: %s on %s: %d puzzles, %s model, %zu parameters, trained %d loops; batch %d, %d threads%s%s",
             model_path, name, n, task->name, m.num_params, config_depth(&cfg), B, nthreads,
             halting == HALT_NONE ? ", halting off (--fixed)" : halting != HALT_DEFAULT ? ", halting " : "",
             halting != HALT_NONE && halting != HALT_DEFAULT ? HALT_NAMES[halting] : "");

    int *coords = NULL, cur_h, cur_w;
    task->train_size(&cfg, &cur_h, &cur_w);   // the size the model was built for
    model_alloc(&m, B, 1, 0);
    int *tok = xmalloc(sizeof(int) * (size_t)B * s_max);
    int *pred = xmalloc(sizeof(int) * (size_t)B * s_max);
    int *lu = xmalloc(sizeof(int) * (size_t)B * s_max);
    uint8_t *ans = xmalloc((size_t)s_max);
    char why[256];
    // Batches outside, depths inside: with fixed looping (halting none) each depth continues the
    // previous one's loops (the forward option resume_loop), so the sweep costs only its deepest run.
    // Each row's puzzles_per_s counts the time of all the loops up to its depth.
    int *order = xmalloc(sizeof(int) * (size_t)n_iters);   // depths ascending
    for (int k = 0; k < n_iters; k++) {
        int j = k;
        while (j > 0 && iters[order[j - 1]] > iters[k]) { order[j] = order[j - 1]; j--; }
        order[j] = k;
    }
    long *cell_ok = xcalloc((size_t)n_iters, sizeof(long)), *exact = xcalloc((size_t)n_iters, sizeof(long));
    double *loops_sum = xcalloc((size_t)n_iters, sizeof(double)), *secs = xcalloc((size_t)n_iters, sizeof(double));
    long cell_n = 0;
    int resume = run_halt == HALT_NONE && m.rc.scheme == SCHEME_LOOP;
    for (int i0 = 0; i0 < n;) {
        const Item *first = &items[i0];
        int nb = 1, S = first->h * first->w;
        while (nb < B && i0 + nb < n && items[i0 + nb].h == first->h && items[i0 + nb].w == first->w) nb++;
        if (first->h != cur_h || first->w != cur_w) {
            infer_set_size(&m, &cfg, B, first->h, first->w, &coords);
            cur_h = first->h; cur_w = first->w;
        }
        for (int b = 0; b < B; b++) {   // a short batch is padded with its first puzzle
            const uint8_t *q = items[i0 + (b < nb ? b : 0)].q;
            for (int t = 0; t < S; t++) tok[(size_t)b * S + t] = q[t];
        }
        for (int b = 0; b < nb; b++) {
            const Item *it = &items[i0 + b];
            if (it->ref) for (int t = 0; t < S; t++) cell_n += task_scored(task, it->q[t]);
        }
        double t_run = 0.0;   // forward time of this batch so far (the loops of shallower depths)
        for (int o = 0; o < n_iters; o++) {
            int k = order[o];
            int prev = o > 0 ? iters[order[o - 1]] : 0;
            int same = resume && prev == iters[k];   // a repeated depth: nothing more to run
            double t0 = now_seconds();
            ForwardOpts fo = {.loops = iters[k], .halting = halting,
                              .resume_loop = resume && prev > 0 && !same ? prev : 0};
            if (!same) model_forward_opts(&m, tok, NULL, &fo);
            double dt = now_seconds() - t0;
            t_run = (fo.resume_loop || same ? t_run : 0.0) + dt;   // continued: add; from scratch: restart
            secs[k] += t_run;
            model_predict(&m, pred);
            model_loops_used(&m, lu);
            for (int b = 0; b < nb; b++) {
                const Item *it = &items[i0 + b];
                const int *p = pred + (size_t)b * S, *l = lu + (size_t)b * S;
                for (int t = 0; t < S; t++) ans[t] = (uint8_t)p[t];
                double ls = 0.0;
                for (int t = 0; t < S; t++) ls += l[t];
                loops_sum[k] += ls / S;
                if (it->ref)
                    for (int t = 0; t < S; t++)
                        if (task_scored(task, it->q[t])) cell_ok[k] += ans[t] == it->ref[t];
                if (task->answer_unique && it->ref && it->ref_given) exact[k] += memcmp(ans, it->ref, (size_t)S) == 0;
                else exact[k] += task->check(it->q, ans, it->h, it->w, why, sizeof why);
            }
        }
        i0 += nb;
    }
    printf("iters,cell_acc,exact_acc,mean_loops,puzzles_per_s\n");
    for (int k = 0; k < n_iters; k++)
        printf("%d,%.4f,%.4f,%.2f,%.1f\n", iters[k], cell_n ? (double)cell_ok[k] / cell_n : 0.0,
               (double)exact[k] / n, loops_sum[k] / n, secs[k] > 0 ? n / secs[k] : 0.0);
    fflush(stdout);
    free(order); free(cell_ok); free(exact); free(loops_sum); free(secs);
    if (ferror(stdout)) die(EXIT_RUNTIME, "eval: write error on stdout");
    if (n_bad) warnf("%s: %d entr%s skipped (reported above)", name, n_bad, n_bad == 1 ? "y" : "ies");

    free(coords); free(tok); free(pred); free(lu); free(ans); free(items); free(refs);
    puzzle_set_free(&set);
    model_free(&m);
    return n_bad ? EXIT_RUNTIME : EXIT_OK;
}
