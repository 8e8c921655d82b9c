// solve.c — `loopt solve [--model CKPT] FILE|-`: run a trained looped transformer on puzzles
// and print its answers, one record per input entry, in input order (a skipped entry keeps its
// place with a placeholder record). A neural solve is a neural solve: the answer is the
// model's argmax at every cell (givens included, never forced), and the exact solver is never
// consulted; with --tries K it is picked among K symmetric variants' answers (breadth.c), by a
// vote or by checking finished grids, never by search. Inference keeps one loop slot of
// activations, so memory does not grow with --iters. Mazes are batched by runs of equal size;
// a rope model takes any size.
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
    "usage: loopt solve [--model CKPT] [--iters N] [--fixed | --halt RULE [--set halting.KEY=V]...]\n"
    "                   [--tries K [--select model|valid|confident]] [--threads T] [--batch B]\n"
    "                   [--format text|json] [--mark] [--strict] [--trace] [--ema|--raw]\n"
    "                   [--out X.png] [--quiet] FILE|-\n"
    "\n"
    "Runs the model on every puzzle of FILE ('-' = stdin) and prints its answers on stdout, in\n"
    "input order. The task is the model's: Sudoku models read 81-char lines, 9-line grids and the\n"
    "puzzle,solution / Sudoku-Extreme CSVs (solutions are ignored); maze models read text grids,\n"
    "the Maze-Hard CSV or a PNG. The answer is the model's prediction at every cell: givens are\n"
    "not forced and no exact solver is involved.\n"
    "One record per input entry: record N answers entry N of FILE (an 81-char line, CSV row,\n"
    "9-line grid, maze grid or PNG; blank lines, comments and headers are not entries), so for a\n"
    "file of one puzzle a line, output line N answers input line N.\n"
    "  text: Sudoku: 81 chars per puzzle ('.' where the model predicts blank). Maze: the predicted\n"
    "        grid (path cells 'o'; walls, S and G as predicted), then a blank line.\n"
    "  json: one object per line: {\"line\": L, \"answer\": \"...\", \"valid\": true|false,\n"
    "        [\"why\": reason,] \"loops\": mean loops per cell[, \"cell_loops\": [per-cell loops]]}\n"
    "        (cell_loops with halting.kind act; a maze answer has its rows joined by \\n); with\n"
    "        --tries K > 1 also \"tries\": K, \"tries_agree\": variants that gave this answer,\n"
    "        \"tries_valid\": variants whose answer was well formed (as valid judges it),\n"
    "        \"picked_by\": the rule that picked it (valid falls back to model); loops are the\n"
    "        mean over the variants.\n"
    "An entry that cannot be solved (malformed, or a maze size the model cannot take) is reported\n"
    "as FILE:LINE: reason (skipped) on stderr and keeps its place with a placeholder record:\n"
    "  text: the line `# skipped: line L: reason` (for mazes followed by a blank line, like a grid)\n"
    "  json: {\"line\": L, \"error\": \"reason\"}\n"
    "The others are still solved. A summary (valid answers, loops, speed) goes to stderr, and a\n"
    "progress line (puzzles done, rate, ETA) while it runs, when stderr is a terminal and the\n"
    "work runs longer than a second ($LOOPT_PROGRESS_DELAY seconds, when set).\n"
    "Exit status: 0 every entry answered, valid or not (a depth sweep at low --iters under\n"
    "`set -e` keeps going; --strict to fail on wrong answers); 1 some entry was skipped, or\n"
    "--strict and some answer is invalid; 2 bad usage, an unreadable file, no puzzle at all, or\n"
    "input that looks like another task's than the model's.\n"
    "FILE may be a pipe, FIFO or process substitution (solve <(loopt gen sudoku --n 3)): every\n"
    "input is read once, whole, before the first answer (batches group puzzles of equal size).\n"
    "\n"
    "  --model CKPT   checkpoint written by loopt train (default: sudoku.safetensors, or\n"
    "                 maze.safetensors when the input is mazes, looked for in this order in\n"
    "                 ./data/models/, in data/models/ next to the loopt binary, and in\n"
    "                 ../share/loopt/models/ next to it, where `make install` puts them)\n"
    "  --iters N      loops to run (default: the training depth recursion.loops; may exceed it —\n"
    "                 test-time scaling); for trm/hrm, supervision steps (default n_sup), each of\n"
    "                 T cycles, and with halting bce a puzzle stops at its first step with q > 0.\n"
    "                 With halting act, N is the maximum and each cell still\n"
    "                 halts on its own; the answer is the halting-weighted mix of the loop states.\n"
    "  --fixed        turn halting off for this run: every cell runs exactly N loops and the\n"
    "                 answer is read from the last loop's state (not the halting mix)\n"
    "  --tries K      test-time breadth: run K variants of each puzzle as K rows of the batch,\n"
    "                 each halting on its own, map each answer back and pick one (default 1: the\n"
    "                 puzzle alone; docs/breadth.md). Sudoku: digits relabelled, rows/columns\n"
    "                 permuted within bands/stacks, bands/stacks permuted, transposed, drawn with\n"
    "                 a fixed seed; mazes: the 8 rotations and mirror images of a square maze (4\n"
    "                 mirrorings of another), in turn, then the same with S and G swapped (16\n"
    "                 in all; 8), repeating past them. The first variant is the puzzle itself.\n"
    "  --select RULE  how --tries picks the answer: valid (default: of the variants whose answer\n"
    "                 is well formed - a full grid keeping the givens with no repeat; a maze's\n"
    "                 S-G path, the shortest of them winning - the most confident, else as\n"
    "                 model; no search: a maze path is not compared with the maze's shortest,\n"
    "                 only with the other variants' paths), model (per cell,\n"
    "                 the class with the most softmax probability summed over the variants), or\n"
    "                 confident (the variant with the highest sum of log probabilities)\n"
    INFER_ARGS_HELP
    "  --format F     text (default) or json\n"
    "  --mark         text: mark each answer ` valid` or ` invalid: reason` (Sudoku: at the end of\n"
    "                 its line; maze: on a line of its own after the grid); json always has \"valid\"\n"
    "  --strict       exit 1 when any answer is invalid\n"
    "  --trace        also print each puzzle's predicted grid after loops 1..N on stderr (runs\n"
    "                 the model N times per batch: use it on a few puzzles)\n"
    "  --ema, --raw   use the EMA weights when the checkpoint has them (default), or the raw ones\n"
    "  --out X.png    maze models: also draw each answer as a PNG (X.png for a one-entry file,\n"
    "                 X-K.png for entry K of several, counting from 0; none for a skipped entry);\n"
    "                 its folder must take new files: checked before the model runs\n"
    "  --quiet        no log lines on stderr (malformed-input reports still print)\n";

#define MAX_ITERS 100000

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

// A skipped entry's record, in its place: text, one line that no answer can be (and for mazes
// the blank line that ends every grid record); json, an error object.
static void print_skipped(const Task *task, const Puzzle *it, int json) {
    if (json) {
        printf("{\"line\": %d, \"error\": ", it->line);
        json_string(stdout, it->why);
        printf("}\n");
    } else {
        printf("# skipped: line %d: %s\n%s", it->line, it->why, task->text_one_line ? "" : "\n");
    }
}

// One answer on stdout: the task's text (with --mark its validity), or a JSON object (with
// per-cell loops under act; with --tries, what the variants said).
static void print_answer(const Task *task, const Puzzle *it, const uint8_t *a, int ok, const char *why,
                         const BreadthAnswer *ba, int select, int json, int act, int mark, char *text) {
    if (!json && !mark) { task->write(stdout, a, it->h, it->w); return; }
    if (!json) {
        task->text(text, a, it->h, it->w);
        printf(task->text_one_line ? "%s %s%s\n" : "%s\n%s%s\n\n", text, ok ? "valid" : "invalid: ", ok ? "" : why);
        return;
    }
    int S = it->h * it->w;
    task->text(text, a, it->h, it->w);
    printf("{\"line\": %d, \"answer\": ", it->line);
    json_string(stdout, text);
    printf(", \"valid\": %s", ok ? "true" : "false");
    if (!ok) { printf(", \"why\": "); json_string(stdout, why); }
    printf(", \"loops\": %.3f", ba->loops);
    if (ba->K > 1)
        printf(", \"tries\": %d, \"tries_agree\": %d, \"tries_valid\": %d, \"picked_by\": \"%s\"", ba->K,
               ba->agree[select], ba->n_valid,
               SELECT_NAMES[select == SELECT_VALID && ba->from[select] < 0 ? SELECT_MODEL : select]);
    if (act) {
        printf(", \"cell_loops\": [");
        for (int t = 0; t < S; t++) printf(t ? ",%g" : "%g", ba->cell_loops[t]);
        putchar(']');
    }
    printf("}\n");
}

// ---- the command ---------------------------------------------------------------------------

typedef struct {
    InferArgs in;   // the options eval shares
    const char *path, *out_png;
    int iters, json, trace, mark, strict;
    int tries, select;   // --tries K, --select rule
} SolveArgs;

static void parse_args(int argc, char **argv, SolveArgs *s) {
    *s = (SolveArgs){.in = INFER_ARGS_INIT, .tries = 1, .select = SELECT_VALID};
    for (int i = 1; i < argc; i++) {
        const char *v, *a = argv[i];
        if (arg_is_help(a)) { fputs(USAGE, stdout); exit(EXIT_OK); }
        else if (infer_arg(argc, argv, &i, &s->in, USAGE, "solve")) continue;
        else if (arg_value(argc, argv, &i, "--iters", &v)) s->iters = (int)arg_long("--iters", v, 1, MAX_ITERS);
        else if (arg_value(argc, argv, &i, "--tries", &v)) s->tries = (int)arg_long("--tries", v, 1, BREADTH_MAX_TRIES);
        else if (arg_value(argc, argv, &i, "--select", &v)) s->select = arg_enum("--select", v, SELECT_NAMES);
        else if (arg_value(argc, argv, &i, "--format", &v)) {
            if (!strcmp(v, "json")) s->json = 1;
            else if (!strcmp(v, "text")) s->json = 0;
            else usage_error(USAGE, "solve: --format: expected text or json, got '%s'", v);
        }
        else if (arg_value(argc, argv, &i, "--out", &v)) s->out_png = v;
        else if (arg_flag(argv, i, "--trace")) s->trace = 1;
        else if (arg_flag(argv, i, "--mark")) s->mark = 1;
        else if (arg_flag(argv, i, "--strict")) s->strict = 1;
        else if (a[0] == '-' && a[1]) unknown_option(USAGE, "solve", a);
        else if (!s->path) s->path = a;
        else usage_error(USAGE, "solve: one puzzle file at a time (got '%s' and '%s')", s->path, a);
    }
    if (!s->path) usage_error(USAGE, "solve: which puzzles? (FILE or - for stdin)");
    if (s->trace && s->tries > 1) usage_error(USAGE, "solve: --trace shows one run per puzzle: use it without --tries");
}

// What the answers of one run share, for emit_answer.
typedef struct {
    const SolveArgs *s;
    const Task *task;
    const PuzzleSet *set;
    int act;              // halting act: per-cell loops in json
    uint8_t *a;           // (s_max) the answer's cells
    char *text;           // its text
    int next;             // the next entry to print (placeholders before an answer go first)
    long valid;
    double *loops;        // (puzzles) each answer's mean loops per cell, in the order answered
    int n_answers, n_puzzles;
    Progress prog;        // puzzles done on stderr (a terminal only)
} Answers;

// Entry `entry`'s answer (the --select rule's of ba) to stdout, after the placeholders before it.
static void emit_answer(void *ctx, int entry, const BreadthAnswer *ba) {
    Answers *c = ctx;
    const SolveArgs *s = c->s;
    const Puzzle *it = &c->set->p[entry];
    progress_before_output(&c->prog);
    while (c->next < entry) print_skipped(c->task, &c->set->p[c->next++], s->json);
    c->next = entry + 1;
    int S = it->h * it->w;
    char why[256];
    const int *pred = ba->pred[s->select];
    for (int t = 0; t < S; t++) c->a[t] = (uint8_t)pred[t];
    int ok = c->task->check(it->q, c->a, it->h, it->w, why, sizeof why);
    c->valid += ok;
    c->loops[c->n_answers++] = ba->loops;
    print_answer(c->task, it, c->a, ok, why, ba, s->select, s->json, c->act, s->mark, c->text);
    if (s->out_png) write_png(c->task, s->out_png, entry, c->set->n, c->a, it->h, it->w);
    progress_update(&c->prog, "solve", c->n_answers, c->n_puzzles, -1.0);
}

// --trace: batches in lock step, loops 1..N each a fresh forward (exact, since the forward is
// deterministic), every puzzle's answer after each loop printed, over the variants of br; the
// answers into vote.
static void solve_trace(Runner *r, Answers *c, const Breadth *br, BreadthVote *vote, int iters, int run_halt) {
    int B = r->B;
    const PuzzleSet *vars = &br->vars;
    int *tr = xmalloc(sizeof(int) * (size_t)iters * B * (size_t)puzzle_set_max_cells(vars));
    for (int i0 = 0;;) {
        i0 = runner_load(r, vars->p, vars->n, i0);
        if (r->n == 0) break;
        int S = r->S;
        for (int k = 1; k <= iters; k++) {
            runner_forward(r, &(ForwardOpts){.loops = k, .halting = run_halt});
            memcpy(tr + (size_t)(k - 1) * B * S, r->pred, sizeof(int) * (size_t)B * S);
        }
        for (int b = 0; b < r->n; b++) {
            print_trace(c->task, runner_puzzle(r, b), tr + (size_t)b * S, iters, B, c->a, c->text);
            breadth_vote_add(vote, r->idx[b], r->pred + (size_t)b * S, r->loops + (size_t)b * S,
                             r->conf ? r->conf + (size_t)b * S : NULL);
        }
        fflush(stdout);
    }
    free(tr);
}

// Run every puzzle of set through the model and print the answers in input order, one record
// per entry; returns the number of valid ones and writes each puzzle's mean loops per cell into
// loops (room for every puzzle). A model that streams runs continuous batching: a puzzle that
// stops frees its row for the next one (runner.c runner_run). With --tries K each puzzle is K
// consecutive rows (its variants, breadth.c), and its answer is picked once all K are done.
static long solve_all(const SolveArgs *s, Model *m, const Config *cfg, const PuzzleSet *set, int B,
                      int s_max, int run_halt, double *loops) {
    Answers c = {.s = s, .task = task_get(cfg->task), .set = set, .act = run_halt == HALT_ACT, .loops = loops,
                 .n_puzzles = puzzle_set_count(set)};
    progress_start(&c.prog);
    c.prog.on &= !s->trace;   // --trace writes the loops to stderr
    if (s_max > 0) {   // some puzzle to run (else only placeholders)
        Breadth br;
        BreadthVote vote;
        breadth_init(&br, c.task, set, s->tries, "--tries");
        breadth_vote_init(&vote, &br, m->Vout, emit_answer, &c);
        Runner r;
        runner_init(&r, m, cfg, B, s_max);
        if (s->tries > 1) runner_want_conf(&r);
        c.a = xmalloc((size_t)s_max);
        c.text = xmalloc((size_t)s_max + (size_t)s_max / 2 + 64);
        if (s->trace) solve_trace(&r, &c, &br, &vote, s->iters, run_halt);
        else runner_run(&r, br.vars.p, br.vars.n, &(ForwardOpts){.loops = s->iters, .halting = run_halt},
                        breadth_vote_add, &vote);
        free(c.a); free(c.text);
        runner_free(&r);
        breadth_vote_free(&vote);
        breadth_free(&br);
    }
    progress_end(&c.prog);
    while (c.next < set->n) print_skipped(c.task, &set->p[c.next++], s->json);
    fflush(stdout);
    return c.valid;
}

int cmd_solve(int argc, char **argv) {
    SolveArgs s;
    parse_args(argc, argv, &s);
    if (s.out_png) check_writable("--out", s.out_png);   // before the work, not after the first maze
    const char *name = path_label(s.path);
    Config cfg;
    Model m;
    int nthreads = infer_load(&s.in.model_path, s.path, name, s.in.threads, s.in.use_ema, &cfg, &m);
    const Task *task = task_get(cfg.task);
    if (s.out_png && !task->write_png) usage_error(USAGE, "solve: --out draws mazes; this is a Sudoku model");
    int train_loops = config_depth(&cfg);
    if (!s.iters) s.iters = train_loops;
    int run_halt = infer_halting(&m, s.in.halting, "--halt");
    infer_set_halting(&cfg, &m, s.in.sets, s.in.n_sets);

    PuzzleSet set;   // the entries of the input: puzzles of the model's task and placeholders
    int n_bad = infer_read(task, s.path, name, s.in.model_path, &m, &cfg, 0, &set), n = puzzle_set_count(&set);
    int s_max = puzzle_set_max_cells(&set);
    if (s.tries > 1 && !task->variant)
        usage_error(USAGE, "solve: --tries %d: %s have no test-time transforms here (--tries 1 only)", s.tries, task->what);
    int B = infer_batch_size(s.in.batch, s_max, m.M, n * s.tries);
    char tries[96] = "";
    if (s.tries > 1) snprintf(tries, sizeof tries, ", %d tries each (select %s)", s.tries, SELECT_NAMES[s.select]);
    log_info("solve: %s: %s model, %zu parameters (%s), trained %d loops, halting %s; "
             "running %d loops%s%s%s%s, batch %d, %d threads", s.in.model_path, task->name,
             m.num_params, infer_weights(s.in.model_path, s.in.use_ema), train_loops,
             HALT_NAMES[cfg.halting.kind], s.iters,
             s.in.halting == HALT_NONE && cfg.halting.kind == HALT_ACT ? " (halting off: --fixed)"
             : run_halt == HALT_ACT ? " at most" : run_halt != HALT_NONE ? " at most (halting " : "",
             run_halt != HALT_NONE && run_halt != HALT_ACT ? HALT_NAMES[run_halt] : "",
             run_halt != HALT_NONE && run_halt != HALT_ACT ? ")" : "", tries,
             B, nthreads);

    double *loops = xmalloc(sizeof(double) * (size_t)(n > 0 ? n : 1)), t0 = now_seconds();
    long valid = solve_all(&s, &m, &cfg, &set, B, s_max, run_halt, loops);
    double dt = now_seconds() - t0, mean, median, p90;
    if (ferror(stdout)) die(EXIT_RUNTIME, "solve: write error on stdout");
    infer_loop_stats(loops, n, &mean, &median, &p90);
    log_info("solve: %d puzzles%s, %ld valid answers (%.1f%%), mean loops %.2f%s (median %.1f, 90th percentile "
             "%.1f), %.2f s (%.1f puzzles/s)", n, tries, valid, n ? 100.0 * valid / n : 0.0, mean,
             s.tries > 1 ? " per try" : "", median, p90, dt, dt > 0 ? n / dt : 0.0);
    free(loops);
    if (n_bad) warnf("%s: %d entr%s skipped (reported above)", name, n_bad, n_bad == 1 ? "y" : "ies");
    int strict_fail = s.strict && valid < n;
    if (strict_fail) warnf("%s: %ld of %d answers invalid (--strict)", name, n - valid, n);

    puzzle_set_free(&set);
    model_free(&m);
    return n_bad || strict_fail ? EXIT_RUNTIME : EXIT_OK;
}
