// runopts.h — the options `solve` and `eval` share, their --help lines, and what they resolve to
// against the loaded model: the halting rule, its parameters for the run, the batch size
// (runopts.c).
#ifndef LOOPT_RUNOPTS_H
#define LOOPT_RUNOPTS_H

#include "loopt/config.h"
#include "loopt/model.h"

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

#endif
