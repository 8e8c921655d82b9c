// runner.h — the batch runner that `solve` and `eval` run their puzzles through: reading a run's
// input for the model, continuous or lock-step batching, the loop statistics of the answers
// (runner.c).
#ifndef LOOPT_RUNNER_H
#define LOOPT_RUNNER_H

#include <stddef.h>

#include "loopt/config.h"
#include "loopt/model.h"
#include "loopt/task.h"

// Whether the model can take an h x w grid: always for Sudoku, rope and local-mixer models; a
// maze model with learned coordinates (model.positions = coords) only up to data.maze_size on
// each side, one with the mlp mixer only at its training size (h*w cells). When not, returns 0
// with the reason (`maze is HxW but ...`) in why.
int infer_size_ok(const Model *m, const Config *cfg, int h, int w, char *why, size_t len);

// Read the entries of `path` (`name` in messages) for the model's task into *set, in input
// order: exit 2 when the input looks like another task's (task_expect_input, naming
// model_path); malformed entries are reported and kept as placeholders (Puzzle.q == NULL);
// only the first `limit` entries are kept (0: all), and of those the puzzles the model cannot
// take (infer_size_ok) are reported (`name:line: reason (skipped)`) and turned into
// placeholders. Returns the number of entries skipped (malformed ones anywhere in the file,
// too-large ones among those kept); puzzle_set_count(set) is the number left to run.
int infer_read(const Task *task, const char *path, const char *name, const char *model_path, const Model *m,
               const Config *cfg, long limit, PuzzleSet *set);

// The loop statistics of n puzzles' mean loops per cell (sorted here), as solve's summary and
// eval's rows give them: mean, median, 90th percentile (nearest rank). All 0 when n is 0.
void infer_loop_stats(double *loops, int n, double *mean, double *median, double *p90);

// ---- the batch runner: `solve` and `eval` run their puzzles through one ----------------------
// A batch takes consecutive puzzles of equal size (so answers come out in input order),
// passing over placeholders (skipped entries: the puzzles around them batch as if they were
// not there); a short batch is padded with copies of its first puzzle. The model is re-pointed
// at each new grid size (mazes; a rope or local-mixer model takes any size).

typedef struct {
    Model *m;
    const Config *cfg;
    int B;                 // puzzles per forward pass
    int s_max;             // cells of the largest puzzle it was allocated for
    int h, w;              // grid size the model is set to
    int *coords;           // task_shape scratch
    int *tok, *pred, *loops;   // (B, s_max): tokens in; argmax and loops used per cell out
    float *conf;           // (B, s_max) the argmax's softmax probability; NULL: not computed
    const Puzzle *items;   // the entries runner_load was given
    int *idx;              // (B) the loaded batch: items[idx[0..n)], ascending
    int n, S;              // its puzzles and cells per puzzle
} Runner;

// Allocate for batches of B puzzles of at most s_max cells; the model gets one loop slot of
// activations (inference).
void runner_init(Runner *r, Model *m, const Config *cfg, int B, int s_max);
// From now on also give each answer's confidence: at every cell the softmax probability of the
// predicted class (r->conf; the conf argument of RunnerEmit, else NULL). `solve --tries` votes
// with it.
void runner_want_conf(Runner *r);
// Load the next batch from items[i] on (of n entries): up to B puzzles of the size of the first
// puzzle at or after i, passing over placeholders. Returns the entry to continue from (n when
// done); r->n is 0 when no puzzle was left.
int runner_load(Runner *r, const Puzzle *items, int n, int i);
// Puzzle b of the loaded batch.
static inline const Puzzle *runner_puzzle(const Runner *r, int b) { return &r->items[r->idx[b]]; }
// Run the loaded batch with options o; r->pred and r->loops get the answers and loops used
// (and r->conf their confidence, after runner_want_conf).
void runner_forward(Runner *r, const ForwardOpts *o);

// Continuous batching (a family whose Scheme.streams is 1): the puzzles from items[i] on that have the size of the
// first one (up to the first puzzle of another size; placeholders passed over) run through the
// B rows, each row taking the next puzzle as soon as the halting rule of o (o->loops at most)
// says its answer is final; in the tail, when no puzzle is left to load and at most half the
// rows still run, those rows are moved together and only they run. emit(ctx, entry, pred,
// loops, conf) gets each answer (pred, loops: S ints; conf: S floats after runner_want_conf,
// else NULL) in input order. Returns the entry to continue from (n when done).
typedef void (*RunnerEmit)(void *ctx, int entry, const int *pred, const int *loops, const float *conf);
int runner_stream(Runner *r, const Puzzle *items, int n, int i, const ForwardOpts *o, RunnerEmit emit, void *ctx);

// Every puzzle of items[0..n) with options o, each answer to emit in input order (as above):
// continuous batching when the family streams (Scheme.streams), else batches in lock step
// (runner_load + runner_forward, o->loops each). stdout is flushed after each run of
// equal-size puzzles (streaming) or each batch (lock step), so that the answers emit prints
// reach a pipe as they are done. The callers that need lock step whatever the scheme (solve
// --trace, eval's depth sweep) call runner_load / runner_forward themselves.
void runner_run(Runner *r, const Puzzle *items, int n, const ForwardOpts *o, RunnerEmit emit, void *ctx);
void runner_free(Runner *r);

#endif
