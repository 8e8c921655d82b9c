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
    "                  [--batch B] [--fixed | --halt RULE [--set halting.KEY=V]...] [--limit N]\n"
    "                  [--ema|--raw] [--quiet]\n"
    "\n"
    "Solves every puzzle of FILE at each --iters value and prints a CSV on stdout:\n"
    "  iters,cell_acc,exact_acc,mean_loops,puzzles_per_s\n"
    "Sudoku: cell_acc is the fraction of the puzzles' blank cells predicted equal to the solution\n"
    "(from the file, else found by the exact solver); exact_acc the fraction of answers equal to the\n"
    "file's solution (or, without one, valid completions of the givens). Maze: cell_acc over all\n"
    "cells against the file's answer (else one BFS shortest path; ties make it a lower bound);\n"
    "exact_acc the fraction whose path is a valid shortest S-G path. mean_loops is the mean loops\n"
    "per cell (below --iters only with halting act); puzzles_per_s is wall time of the forwards.\n"
    "Malformed entries (and mazes of a size the model cannot take) are reported as\n"
    "FILE:LINE: reason (skipped), left out of every count, and make the exit status 1.\n"
    "FILE may be a pipe or FIFO: it is read once, whole, before the first forward pass.\n"
    "\n"
    "  --model CKPT   checkpoint written by loopt train (default: sudoku.safetensors, or\n"
    "                 maze.safetensors when the input is mazes, looked for in this order in\n"
    "                 ./data/models/, in data/models/ next to the loopt binary, and in\n"
    "                 ../share/loopt/models/ next to it, where `make install` puts them)\n"
    "  --data FILE    puzzles ('-' = stdin), any format `loopt solve` reads; solutions optional\n"
    "  --iters LIST   comma-separated loop counts (default 1,2,4,8,16,32,64); with halting act each\n"
    "                 is the maximum\n"
    "  --fixed        halting off: every cell runs exactly N loops, answer from the last state\n"
    INFER_ARGS_HELP
    "  --limit N      only the first N entries of FILE (skipped ones included)\n"
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
// solver, BFS) computed into *refs. items[i] belongs to entry i; a placeholder's item has no q.
static Item *eval_items(const Task *task, const PuzzleSet *set, const char *name, uint8_t **refs) {
    size_t cells = 0, off = 0;
    for (int i = 0; i < set->n; i++) if (!set->p[i].a) cells += (size_t)set->p[i].h * set->p[i].w;   // 0 for placeholders
    *refs = xmalloc(cells ? cells : 1);
    Item *items = xmalloc(sizeof(Item) * (size_t)set->n);
    for (int i = 0; i < set->n; i++) {
        const Puzzle *p = &set->p[i];
        Item *it = &items[i];
        *it = (Item){p->h, p->w, p->q, p->a, 1, p->line};
        if (p->a || !p->q) continue;
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

typedef struct {
    InferArgs in;   // the options solve shares
    const char *data;
    int iters[MAX_ITERS_LIST], n_iters;
    long limit;
} EvalArgs;

static void parse_args(int argc, char **argv, EvalArgs *e) {
    *e = (EvalArgs){.in = INFER_ARGS_INIT, .iters = {1, 2, 4, 8, 16, 32, 64}, .n_iters = 7};
    for (int i = 1; i < argc; i++) {
        const char *v, *a = argv[i];
        if (arg_is_help(a)) { fputs(USAGE, stdout); exit(EXIT_OK); }
        else if (infer_arg(argc, argv, &i, &e->in, USAGE, "eval")) continue;
        else if (arg_value(argc, argv, &i, "--data", &v)) e->data = v;
        else if (arg_value(argc, argv, &i, "--iters", &v)) e->n_iters = parse_iters(v, e->iters);
        else if (arg_value(argc, argv, &i, "--limit", &v)) e->limit = arg_long("--limit", v, 1, 1000000000L);
        else if (a[0] == '-' && a[1]) unknown_option(USAGE, "eval", a);
        else usage_error(USAGE, "eval: unexpected argument '%s' (the puzzles go in --data FILE)", a);
    }
    if (!e->data) usage_error(USAGE, "eval: missing --data FILE");
}

// What one depth of the sweep counted over all batches.
typedef struct {
    long cell_ok, exact;
    double loops_sum, secs;
} DepthScore;

// Score the runner's loaded batch (answers in r->pred) into *d; items parallels the set's
// entries; ans holds r->S bytes of scratch.
static void score_batch(const Task *task, const Runner *r, const Item *items, DepthScore *d, uint8_t *ans) {
    int S = r->S;
    char why[256];
    for (int b = 0; b < r->n; b++) {
        const Item *it = &items[r->idx[b]];
        const int *p = r->pred + (size_t)b * S, *l = r->loops + (size_t)b * S;
        for (int t = 0; t < S; t++) ans[t] = (uint8_t)p[t];
        double ls = 0.0;
        for (int t = 0; t < S; t++) ls += l[t];
        d->loops_sum += ls / S;
        if (it->ref)
            for (int t = 0; t < S; t++)
                if (task_scored(task, it->q[t])) d->cell_ok += ans[t] == it->ref[t];
        if (task->answer_unique && it->ref && it->ref_given) d->exact += memcmp(ans, it->ref, (size_t)S) == 0;
        else d->exact += task->check(it->q, ans, it->h, it->w, why, sizeof why);
    }
}

// Every depth of e->iters on every batch: batches outside, depths inside. With fixed looping
// (halting none, scheme loop) each depth continues the previous one's loops (the forward option
// resume_loop), so the sweep costs only its deepest run; each depth's secs counts the time of
// all the loops up to it. Returns the number of scored cells.
static long eval_all(const EvalArgs *e, Model *m, const Config *cfg, const PuzzleSet *set, const Item *items,
                     int B, int s_max, int run_halt, DepthScore *score) {
    const Task *task = task_get(cfg->task);
    int order[MAX_ITERS_LIST];   // depths ascending
    for (int k = 0; k < e->n_iters; k++) {
        int j = k;
        while (j > 0 && e->iters[order[j - 1]] > e->iters[k]) { order[j] = order[j - 1]; j--; }
        order[j] = k;
    }
    int resume = run_halt == HALT_NONE && m->rc.scheme == SCHEME_LOOP;
    long cell_n = 0;
    Runner r;
    runner_init(&r, m, cfg, B, s_max);
    uint8_t *ans = xmalloc((size_t)s_max);
    for (int i0 = 0;;) {
        i0 = runner_load(&r, set->p, set->n, i0);
        if (r.n == 0) break;
        for (int b = 0; b < r.n; b++) {
            const Item *it = &items[r.idx[b]];
            if (it->ref) for (int t = 0; t < r.S; t++) cell_n += task_scored(task, it->q[t]);
        }
        double t_run = 0.0;   // forward time of this batch so far (the loops of shallower depths)
        for (int o = 0; o < e->n_iters; o++) {
            int k = order[o], prev = o > 0 ? e->iters[order[o - 1]] : 0;
            int same = resume && prev == e->iters[k];   // a repeated depth: nothing more to run
            ForwardOpts fo = {.loops = e->iters[k], .halting = e->in.halting,
                              .resume_loop = resume && prev > 0 && !same ? prev : 0};
            double t0 = now_seconds();
            if (!same) runner_forward(&r, &fo);
            t_run = (fo.resume_loop || same ? t_run : 0.0) + now_seconds() - t0;   // continued: add
            score[k].secs += t_run;
            score_batch(task, &r, items, &score[k], ans);
        }
    }
    free(ans);
    runner_free(&r);
    return cell_n;
}

int cmd_eval(int argc, char **argv) {
    EvalArgs e;
    parse_args(argc, argv, &e);
    const char *name = path_label(e.data);
    Config cfg;
    Model m;
    int nthreads = infer_load(&e.in.model_path, e.data, name, e.in.threads, e.in.use_ema, &cfg, &m);
    int run_halt = infer_halting(&m, e.in.halting, "--halt");
    infer_set_halting(&cfg, &m, e.in.sets, e.in.n_sets);
    const Task *task = task_get(cfg.task);

    PuzzleSet set;   // puzzles and references
    int n_bad = infer_read(task, e.data, name, e.in.model_path, &m, &cfg, e.limit, &set), n = puzzle_set_count(&set);
    uint8_t *refs;   // the references computed for puzzles the file gave none
    Item *items = eval_items(task, &set, name, &refs);
    if (n == 0) die(EXIT_USAGE, "%s: no puzzles the model can take", name);
    int s_max = puzzle_set_max_cells(&set);
    int B = infer_batch_size(e.in.batch, s_max, m.M, n);
    log_info("eval: %s on %s: %d puzzles, %s model, %zu parameters, trained %d loops; batch %d, %d threads%s%s",
             e.in.model_path, name, n, task->name, m.num_params, config_depth(&cfg), B, nthreads,
             e.in.halting == HALT_NONE ? ", halting off (--fixed)" : e.in.halting != HALT_DEFAULT ? ", halting " : "",
             e.in.halting != HALT_NONE && e.in.halting != HALT_DEFAULT ? HALT_NAMES[e.in.halting] : "");

    DepthScore score[MAX_ITERS_LIST] = {0};
    long cell_n = eval_all(&e, &m, &cfg, &set, items, B, s_max, run_halt, score);
    printf("iters,cell_acc,exact_acc,mean_loops,puzzles_per_s\n");
    for (int k = 0; k < e.n_iters; k++)
        printf("%d,%.4f,%.4f,%.2f,%.1f\n", e.iters[k], cell_n ? (double)score[k].cell_ok / cell_n : 0.0,
               (double)score[k].exact / n, score[k].loops_sum / n, score[k].secs > 0 ? n / score[k].secs : 0.0);
    fflush(stdout);
    if (ferror(stdout)) die(EXIT_RUNTIME, "eval: write error on stdout");
    if (n_bad) warnf("%s: %d entr%s skipped (reported above)", name, n_bad, n_bad == 1 ? "y" : "ies");

    free(items); free(refs);
    puzzle_set_free(&set);
    model_free(&m);
    return n_bad ? EXIT_RUNTIME : EXIT_OK;
}
