// infer.h — what `loopt solve` and `loopt eval` share when running a trained model on puzzle
// files: the default checkpoint path, the batch size, the maze-size check for learned-coordinate
// models, and re-pointing the model at another grid size.
#ifndef LOOPT_INFER_H
#define LOOPT_INFER_H

#include <stddef.h>

#include "loopt/config.h"
#include "loopt/model.h"
#include "loopt/task.h"

// The checkpoints used when --model is not given, by the task the input looks like: in
// INFER_DEFAULT_DIR of the current directory or of the binary's folder (a source tree), or in
// INFER_INSTALL_DIR relative to the binary's folder (where `make install` puts them).
#define INFER_DEFAULT_DIR "data/models"
#define INFER_INSTALL_DIR "../share/loopt/models"

// The default checkpoint for `task` ("sudoku" or "maze"), <task>.safetensors looked up in this
// order: ./INFER_DEFAULT_DIR, BINDIR/INFER_DEFAULT_DIR, BINDIR/INFER_INSTALL_DIR, with BINDIR
// the running binary's folder (/proc/self/exe); the path is written into buf of len bytes.
// Exits 2 naming the places and with a hint on how to get a model when none has it.
const char *infer_default_model(const char *task, char *buf, size_t len);

// Set the threads, then load the checkpoint at *model_path into *cfg and *m for inference (EMA
// weights when use_ema and saved). *model_path NULL: the default model of the task that the
// input `path` (`name` in messages; "-" = stdin, copied so it can still be read) looks like
// (task_of_input: exit 2 when it looks like no task), and *model_path is pointed at it
// (static storage). Returns the thread count.
int infer_load(const char **model_path, const char *path, const char *name, int threads, int use_ema,
               Config *cfg, Model *m);

// Which weights of the checkpoint at path a run with use_ema (--ema / --raw) has loaded, in a
// few words for the log line ("EMA weights", "exported EMA weights", ...); what `loopt info`
// says on its ema line (model_weights_kind).
const char *infer_weights(const char *path, int use_ema);

// The halting rule a run executes: `halting` from --halt / --fixed (HALT_DEFAULT: the model's
// own). A rule with a learned head runs only on a model trained with it: otherwise exit 2 with
// a message naming `opt` and the parameter-free alternatives.
int infer_halting(const Model *m, int halting, const char *opt);

// --set halting.KEY=VALUE (the rules' parameters: patience, confidence, kl_eps, threshold, skip)
// applied to the loaded model's halting config for this run; the rule itself is --halt's. Any
// other key, or a value out of range, exits 2 naming it.
#define INFER_MAX_SETS 16
void infer_set_halting(Config *cfg, Model *m, const char *const *sets, int n_sets);

// The options solve and eval share: --model, --threads, --batch, --fixed, --halt, --set,
// --ema / --raw, --quiet.
typedef struct {
    const char *model_path;             // NULL: the default model of the input's task
    int halting;                        // HALT_DEFAULT: the model's own; HALT_NONE with --fixed
    int threads, batch, use_ema;
    const char *sets[INFER_MAX_SETS];   // --set halting.KEY=V
    int n_sets;
    char halt_opt[48];                  // the --fixed / --halt RULE that set halting ("": none)
} InferArgs;
#define INFER_ARGS_INIT {.halting = HALT_DEFAULT, .use_ema = 1}
// Their lines of --help (after each command's own --fixed line).
#define INFER_ARGS_HELP \
    "  --halt RULE    the halting rule to run instead of the model's own: none (= --fixed), or a\n" \
    "                 parameter-free one, which works on any model: converge (a puzzle stops once\n" \
    "                 its answer has held for halting.patience loops) or kl (once successive\n" \
    "                 loops' output distributions differ by KL < halting.kl_eps at every cell);\n" \
    "                 docs/schemes.md\n" \
    "  --set halting.KEY=V  a halting parameter for this run: patience, confidence (converge's\n" \
    "                 floor on every cell's top probability), kl_eps, threshold (act), skip\n" \
    "                 (act: halted cells skip their projections and FFN; default true)\n" \
    "  --threads T    CPU threads (default 0 = all cores)\n" \
    "  --batch B      puzzles per forward pass (default 64 for Sudoku, fewer for large mazes)\n"
// If argv[*i] is one of those options, read it (and its value, advancing *i) into *a and
// return 1; a bad value is a usage error naming `cmd` with `usage`. Else 0.
int infer_arg(int argc, char **argv, int *i, InferArgs *a, const char *usage, const char *cmd);

// Puzzles per forward pass: `batch` when the user gave one (> 0), else 8192 tokens' worth for
// sequences of s_max cells plus M extra positions, clamped to [1, 64]; never more than n
// puzzles (when n > 0).
int infer_batch_size(int batch, int s_max, int M, int n);

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

// Continuous batching (scheme loop): the puzzles from items[i] on that have the size of the
// first one (up to the first puzzle of another size; placeholders passed over) run through the
// B rows, each row taking the next puzzle as soon as the halting rule of o (o->loops at most)
// says its answer is final; in the tail, when no puzzle is left to load and at most half the
// rows still run, those rows are moved together and only they run. emit(ctx, entry, pred,
// loops, conf) gets each answer (pred, loops: S ints; conf: S floats after runner_want_conf,
// else NULL) in input order. Returns the entry to continue from (n when done).
typedef void (*RunnerEmit)(void *ctx, int entry, const int *pred, const int *loops, const float *conf);
int runner_stream(Runner *r, const Puzzle *items, int n, int i, const ForwardOpts *o, RunnerEmit emit, void *ctx);
void runner_free(Runner *r);

#endif
