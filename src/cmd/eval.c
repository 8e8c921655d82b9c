// eval.c — `loopt eval --model CKPT --data FILE`: accuracy of a trained model at several
// depths, as CSV on stdout (iters,cell_acc,exact_acc,mean_loops,loops_median,loops_p90,
// puzzles_per_s), one row per --iters value, each written as soon as it is done — the
// test-time scaling curve in one command; with --tries a row per (tries, iters), the depth x
// breadth grid, with columns for each selection rule (breadth.c). Answers are the model's own,
// as in `loopt solve` (with a halting rule, through the same continuous batching); the exact
// solver / BFS only supplies the reference when the file has no solutions.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/args.h"
#include "loopt/blas.h"
#include "loopt/breadth.h"
#include "loopt/check.h"
#include "loopt/cmd.h"
#include "loopt/config.h"
#include "loopt/log.h"
#include "loopt/model.h"
#include "loopt/modelio.h"
#include "loopt/modelpath.h"
#include "loopt/progress.h"
#include "loopt/runner.h"
#include "loopt/runopts.h"
#include "loopt/task.h"
#include "loopt/timer.h"
#include "loopt/scheme.h"

static const char *USAGE =
    "usage: loopt eval [--model CKPT] --data FILE [--iters 1,2,4,8,16,32,64] [--threads T]\n"
    "                  [--batch B] [--fixed | --halt RULE [--set halting.KEY=V]...] [--limit N]\n"
    "                  [--tries 1,4,16 [--select model|valid|confident]] [--report-every N]\n"
    "                  [--ema|--raw] [--quiet]\n"
    "\n"
    "Solves every puzzle of FILE at each --iters value and prints a CSV on stdout, a row as soon\n"
    "as it is done (rows in --iters order):\n"
    "  iters,cell_acc,exact_acc,mean_loops,loops_median,loops_p90,puzzles_per_s\n"
    "Sudoku: cell_acc is the fraction of the puzzles' blank cells predicted equal to the solution\n"
    "(from the file, else found by the exact solver); exact_acc the fraction of answers equal to the\n"
    "file's solution (or, without one, valid completions of the givens). Maze: cell_acc over all\n"
    "cells against the file's answer (else one BFS shortest path; ties make it a lower bound);\n"
    "exact_acc the fraction whose path is a valid shortest S-G path. mean_loops, loops_median and\n"
    "loops_p90 are the mean, median and 90th percentile over the puzzles of each one's loops per\n"
    "cell (below --iters with a halting rule). With a halting rule a puzzle that stops frees its\n"
    "batch row for the next one (continuous batching, as in solve), and puzzles_per_s is the\n"
    "depth's wall time; with --fixed (or halting none) on scheme loop one pass serves every depth,\n"
    "each continuing the shallower one's loops, so the rows come together at the end and a depth's\n"
    "puzzles_per_s counts the forwards' time up to it. A progress line goes to stderr when it is a\n"
    "terminal and the work runs longer than a second ($LOOPT_PROGRESS_DELAY seconds, when set).\n"
    "With --tries LIST holding a value above 1 (test-time breadth, as in solve --tries: each\n"
    "puzzle runs as K symmetric variants and one answer is picked) there is a row per\n"
    "(tries, iters), --tries order outside, --iters order inside, and the columns are\n"
    "  iters,cell_acc,exact_acc,mean_loops,loops_median,loops_p90,puzzles_per_s,tries,select,\n"
    "  exact_model,exact_valid,exact_confident,any_valid\n"
    "cell_acc and exact_acc are the --select rule's (named in select), exact_RULE each rule's,\n"
    "any_valid the fraction of puzzles some variant answered well formed, as valid judges it\n"
    "(Sudoku: a valid grid, what valid can reach; maze: an S-G path, shortest or not);\n"
    "mean_loops and its median and p90 are per variant (a puzzle costs tries times that), and\n"
    "puzzles_per_s counts puzzles, not variants. --tries 1 alone keeps the plain columns.\n"
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
    "  --tries LIST   comma-separated breadths (default 1): variants run per puzzle (solve --tries)\n"
    "  --select RULE  the rule of cell_acc and exact_acc with --tries: valid (default), model or\n"
    "                 confident (as in solve)\n"
    "  --report-every N  each time N more puzzles of a row are scored, a line on stderr with the\n"
    "                 row's counts so far (even with --quiet): `eval: so far, --iters L[, --tries K]:\n"
    "                 n/N puzzles, exact E (...)`, so a long run stopped early still measured the\n"
    "                 puzzles it finished (a row's puzzles are scored in file order without\n"
    "                 halting; with it, in the order they stop)\n"
    "  --ema, --raw   EMA weights when saved (default), or the raw weights\n"
    "  --quiet        no log lines on stderr\n";

#define MAX_ITERS 100000
#define MAX_ITERS_LIST 256

// "1,2,4" -> list for option opt; each in [1, max]. Returns the count. An empty value
// anywhere ("2,", ",2", "2,,4", ",") is refused, as a value that is no count is.
static int parse_list(const char *opt, const char *val, int *out, int max) {
    char buf[4096];
    if (strlen(val) >= sizeof buf) die(EXIT_USAGE, "%s: list too long", opt);
    strcpy(buf, val);
    int n = 0;
    for (char *tok = buf, *comma; ; tok = comma + 1) {
        comma = strchr(tok, ',');
        if (comma) *comma = '\0';
        if (!*tok)
            die(EXIT_USAGE, "%s: expected a comma-separated list of counts, got '%s' (value %d is empty)", opt, val,
                n + 1);
        if (n == MAX_ITERS_LIST) die(EXIT_USAGE, "%s: at most %d values", opt, MAX_ITERS_LIST);
        out[n++] = (int)arg_long(opt, tok, 1, max);
        if (!comma) break;
    }
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
    int tries[MAX_ITERS_LIST], n_tries, select;   // --tries, --select
    long limit, report_every;
} EvalArgs;

static void parse_args(int argc, char **argv, EvalArgs *e) {
    *e = (EvalArgs){.in = INFER_ARGS_INIT, .iters = {1, 2, 4, 8, 16, 32, 64}, .n_iters = 7, .tries = {1},
                    .n_tries = 1, .select = SELECT_VALID};
    for (int i = 1; i < argc; i++) {
        const char *v, *a = argv[i];
        if (arg_is_help(a)) { fputs(USAGE, stdout); exit(EXIT_OK); }
        else if (infer_arg(argc, argv, &i, &e->in, USAGE, "eval")) continue;
        else if (arg_value(argc, argv, &i, "--data", &v)) e->data = v;
        else if (arg_value(argc, argv, &i, "--iters", &v)) e->n_iters = parse_list("--iters", v, e->iters, MAX_ITERS);
        else if (arg_value(argc, argv, &i, "--tries", &v))
            e->n_tries = parse_list("--tries", v, e->tries, BREADTH_MAX_TRIES);
        else if (arg_value(argc, argv, &i, "--select", &v)) e->select = arg_enum("--select", v, SELECT_NAMES);
        else if (arg_value(argc, argv, &i, "--limit", &v)) e->limit = arg_long("--limit", v, 1, 1000000000L);
        else if (arg_value(argc, argv, &i, "--report-every", &v))
            e->report_every = arg_long("--report-every", v, 1, 1000000000L);
        else if (a[0] == '-' && a[1]) unknown_option(USAGE, "eval", a);
        else usage_error(USAGE, "eval: unexpected argument '%s' (the puzzles go in --data FILE)", a);
    }
    if (!e->data) usage_error(USAGE, "eval: missing --data FILE");
}

// What one depth of the sweep counted (each selection rule's answers; with --tries 1 they are
// all the one answer).
typedef struct {
    long cell_ok[NUM_SELECT], exact[NUM_SELECT];
    long any_valid;  // puzzles some variant answered well formed (BreadthAnswer.n_valid)
    double secs;
    double *loops;   // (puzzles) each puzzle's mean loops per cell, in the order scored
    int n;           // puzzles scored
} DepthScore;

// One run of the sweep: the model, the puzzles and what the rows share.
typedef struct {
    const EvalArgs *e;
    Model *m;
    const Task *task;
    const PuzzleSet *set;
    const Item *items;    // items[i] belongs to entry i
    const Breadth *br;    // the variants run (--tries K: K per entry)
    int wide;             // the --tries columns (some --tries value above 1)
    Runner r;
    int n, run_halt;      // puzzles; the halting rule run
    long cell_n;          // scored cells over all puzzles (the cell_acc denominator)
    uint8_t *ans;         // (s_max) scratch
    Progress prog;
} Eval;

// Score entry `entry`'s answers (each rule's, and the loops) into *d.
static void score_one(const Eval *ev, int entry, const BreadthAnswer *ba, DepthScore *d) {
    const Item *it = &ev->items[entry];
    const Task *task = ev->task;
    int S = it->h * it->w;
    uint8_t *ans = ev->ans;
    d->loops[d->n++] = ba->loops;
    d->any_valid += ba->n_valid > 0;
    for (int r = 0; r < NUM_SELECT; r++) {
        for (int t = 0; t < S; t++) ans[t] = (uint8_t)ba->pred[r][t];
        if (it->ref)
            for (int t = 0; t < S; t++)
                if (task_scored(task, it->q[t])) d->cell_ok[r] += ans[t] == it->ref[t];
        d->exact[r] += task_right(task, it->q, it->ref_given ? it->ref : NULL, ans, it->h, it->w);
    }
}

// One CSV row, on stdout at once (a Ctrl-C later leaves the rows done so far).
static void print_row(Eval *ev, int iters, DepthScore *d) {
    double mean, median, p90;
    int sel = ev->e->select;
    infer_loop_stats(d->loops, d->n, &mean, &median, &p90);
    progress_before_output(&ev->prog);
    printf("%d,%.4f,%.4f,%.2f,%.2f,%.2f,%.1f", iters, ev->cell_n ? (double)d->cell_ok[sel] / ev->cell_n : 0.0,
           (double)d->exact[sel] / ev->n, mean, median, p90, d->secs > 0 ? ev->n / d->secs : 0.0);
    if (ev->wide) {
        printf(",%d,%s", ev->br->K, SELECT_NAMES[sel]);
        for (int r = 0; r < NUM_SELECT; r++) printf(",%.4f", (double)d->exact[r] / ev->n);
        printf(",%.4f", (double)d->any_valid / ev->n);
    }
    putchar('\n');
    fflush(stdout);
    if (ferror(stdout)) die(EXIT_RUNTIME, "eval: write error on stdout");
}

// What the answers of one depth are scored into (a BreadthEmit's context), and the progress
// line's words (label empty: no progress from here).
typedef struct {
    Eval *ev;
    DepthScore *d;
    int iters;              // the row's depth (--report-every's lines)
    char label[64];
    double frac0, frac_w;   // the work before this depth, and this depth's share (for the ETA)
} Scorer;

// --report-every: the counts of a row so far, on stderr (the progress line erased first).
static void report_so_far(Eval *ev, int iters, const DepthScore *d) {
    double mean, median, p90;
    int sel = ev->e->select;
    infer_loop_stats(d->loops, d->n, &mean, &median, &p90);
    progress_before_log(&ev->prog);
    fprintf(stderr, "eval: so far, --iters %d", iters);
    if (ev->wide) fprintf(stderr, ", --tries %d", ev->br->K);
    fprintf(stderr, ": %d/%d puzzles, exact %.4f", d->n, ev->n, (double)d->exact[sel] / d->n);
    if (ev->wide) {
        fprintf(stderr, " by %s (", SELECT_NAMES[sel]);
        for (int r = 0; r < NUM_SELECT; r++)
            fprintf(stderr, "%s%s %.4f", r ? ", " : "", SELECT_NAMES[r], (double)d->exact[r] / d->n);
        fprintf(stderr, "), any_valid %.4f", (double)d->any_valid / d->n);
    }
    fprintf(stderr, ", mean loops %.2f\n", mean);
    fflush(stderr);
}

static void emit_score(void *ctx, int entry, const BreadthAnswer *ba) {
    Scorer *s = ctx;
    score_one(s->ev, entry, ba, s->d);
    long every = s->ev->e->report_every;
    if (every && s->d->n % every == 0 && s->d->n < s->ev->n) report_so_far(s->ev, s->iters, s->d);
    if (s->label[0])
        progress_update(&s->ev->prog, s->label, s->d->n, s->ev->n, s->frac0 + s->frac_w * s->d->n / s->ev->n);
}

// Fixed looping (halting none, scheme loop): batches outside, every depth inside, each depth
// continuing the previous one's loops (the forward option resume_loop), so the sweep costs only
// its deepest run; each depth's secs counts the time of all the loops up to it. The rows are
// done together, at the end. Each depth has its own vote: a batch may end between the variants
// of a puzzle.
static void eval_continued(Eval *ev, DepthScore *score) {
    const EvalArgs *e = ev->e;
    int order[MAX_ITERS_LIST];   // depths ascending
    for (int k = 0; k < e->n_iters; k++) {
        int j = k;
        while (j > 0 && e->iters[order[j - 1]] > e->iters[k]) { order[j] = order[j - 1]; j--; }
        order[j] = k;
    }
    Runner *r = &ev->r;
    const PuzzleSet *vars = &ev->br->vars;
    Scorer sc[MAX_ITERS_LIST];
    BreadthVote vote[MAX_ITERS_LIST];
    for (int k = 0; k < e->n_iters; k++) {
        sc[k] = (Scorer){.ev = ev, .d = &score[k], .iters = e->iters[k]};
        breadth_vote_init(&vote[k], ev->br, ev->m->Vout, emit_score, &sc[k]);
    }
    long done = 0;
    for (int i0 = 0;;) {
        i0 = runner_load(r, vars->p, vars->n, i0);
        if (r->n == 0) break;
        double t_run = 0.0;   // forward time of this batch so far (the loops of shallower depths)
        for (int o = 0; o < e->n_iters; o++) {
            int k = order[o], prev = o > 0 ? e->iters[order[o - 1]] : 0;
            int same = prev == e->iters[k];   // a repeated depth: nothing more to run
            ForwardOpts fo = {.loops = e->iters[k], .halting = HALT_NONE, .resume_loop = prev > 0 && !same ? prev : 0};
            double t0 = now_seconds();
            if (!same) runner_forward(r, &fo);
            t_run += now_seconds() - t0;
            score[k].secs += t_run;
            for (int b = 0; b < r->n; b++)
                breadth_vote_add(&vote[k], r->idx[b], r->pred + (size_t)b * r->S, r->loops + (size_t)b * r->S,
                                 r->conf ? r->conf + (size_t)b * r->S : NULL);
        }
        done += r->n;
        progress_update(&ev->prog, "eval", done, (long)ev->n * ev->br->K, -1.0);
    }
    for (int k = 0; k < e->n_iters; k++) {
        print_row(ev, e->iters[k], &score[k]);
        breadth_vote_free(&vote[k]);
    }
}

// One depth over every puzzle, its row printed when done: continuous batching when the model
// streams (a puzzle the halting rule stops frees its row for the next one, as in solve), else
// lock-step batches (runner_run). secs: the wall time of the whole depth.
static void eval_depth(Eval *ev, int iters, Scorer *sc) {
    const PuzzleSet *vars = &ev->br->vars;
    ForwardOpts o = {.loops = iters, .halting = ev->run_halt};
    BreadthVote vote;
    breadth_vote_init(&vote, ev->br, ev->m->Vout, emit_score, sc);
    progress_phase(&ev->prog);
    double t0 = now_seconds();
    runner_run(&ev->r, vars->p, vars->n, &o, breadth_vote_add, &vote);
    sc->d->secs = now_seconds() - t0;
    print_row(ev, iters, sc->d);
    breadth_vote_free(&vote);
}

// Every depth of e->iters, each row on stdout as soon as it is done (in --iters order).
static void eval_all(Eval *ev, DepthScore *score) {
    const EvalArgs *e = ev->e;
    if (ev->run_halt == HALT_NONE && (ev->m->scheme->fwd_opts & FWD_RESUME)) { eval_continued(ev, score); return; }
    double work = 0.0, before = 0.0;   // loops at most, over the depths: the ETA's measure
    for (int k = 0; k < e->n_iters; k++) work += e->iters[k];
    for (int k = 0; k < e->n_iters; k++) {
        Scorer sc = {ev, &score[k], e->iters[k], "", before / work, e->iters[k] / work};
        char tries[32] = "";
        if (ev->wide) snprintf(tries, sizeof tries, ", --tries %d", ev->br->K);
        snprintf(sc.label, sizeof sc.label, "eval: --iters %d (%d of %d)%s", e->iters[k], k + 1, e->n_iters, tries);
        eval_depth(ev, e->iters[k], &sc);
        before += e->iters[k];
    }
}

// Scored cells over the puzzles with a reference (the cell_acc denominator).
static long scored_cells(const Task *task, const PuzzleSet *set, const Item *items) {
    long n = 0;
    for (int i = 0; i < set->n; i++)
        if (items[i].q && items[i].ref)
            for (int t = 0; t < items[i].h * items[i].w; t++) n += task_scored(task, items[i].q[t]);
    return n;
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
    int s_max = puzzle_set_max_cells(&set), K_max = 1;
    for (int k = 0; k < e.n_tries; k++) K_max = e.tries[k] > K_max ? e.tries[k] : K_max;
    if (K_max > 1 && !task->variant)
        usage_error(USAGE, "eval: --tries %d: %s have no test-time transforms here (--tries 1 only)", K_max, task->what);
    int B = infer_batch_size(e.in.batch, s_max, m.M, n * K_max);
    log_info("eval: %s on %s: %d puzzles, %s model, %zu parameters (%s), trained %d loops; batch %d, %d threads%s%s%s",
             e.in.model_path, name, n, task->name, m.num_params, infer_weights(e.in.model_path, e.in.use_ema),
             config_depth(&cfg), B, nthreads,
             e.in.halting == HALT_NONE ? ", halting off (--fixed)" : e.in.halting != HALT_DEFAULT ? ", halting " : "",
             e.in.halting != HALT_NONE && e.in.halting != HALT_DEFAULT ? HALT_NAMES[e.in.halting] : "",
             K_max > 1 ? ", breadth --tries (variants per puzzle) as given" : "");

    Eval ev = {.e = &e, .m = &m, .task = task, .set = &set, .items = items, .n = n, .run_halt = run_halt,
               .wide = K_max > 1, .cell_n = scored_cells(task, &set, items), .ans = xmalloc((size_t)s_max)};
    DepthScore score[MAX_ITERS_LIST] = {0};
    double *loops = xmalloc(sizeof(double) * (size_t)n * e.n_iters);   // (n_iters, n)
    printf("iters,cell_acc,exact_acc,mean_loops,loops_median,loops_p90,puzzles_per_s%s\n",
           ev.wide ? ",tries,select,exact_model,exact_valid,exact_confident,any_valid" : "");
    fflush(stdout);
    runner_init(&ev.r, &m, &cfg, B, s_max);
    if (ev.wide) runner_want_conf(&ev.r);
    progress_start(&ev.prog);
    for (int t = 0; t < e.n_tries; t++) {   // the breadths outside, the depths inside
        Breadth br;
        breadth_init(&br, task, &set, e.tries[t], "--tries");
        ev.br = &br;
        for (int k = 0; k < e.n_iters; k++) score[k] = (DepthScore){.loops = loops + (size_t)k * n};
        eval_all(&ev, score);
        breadth_free(&br);
    }
    progress_end(&ev.prog);
    runner_free(&ev.r);
    if (n_bad) warnf("%s: %d entr%s skipped (reported above)", name, n_bad, n_bad == 1 ? "y" : "ies");

    free(loops);
    free(ev.ans); free(items); free(refs);
    puzzle_set_free(&set);
    model_free(&m);
    return n_bad ? EXIT_RUNTIME : EXIT_OK;
}
