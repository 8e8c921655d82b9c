// modelio.h — saving and loading a model (and its training state) as a safetensors checkpoint.
// Tensors: the raw weights under their parameter names (PARAMS in model.h, with their logical
// shapes, e.g. wqkv (L, 3C, C)), "ema.<name>" for the EMA weights, "adam_m.<name>" and
// "adam_v.<name>" for the optimizer moments, "rng.data"/"rng.halt" (U32) for the RNG streams.
// __metadata__: "format" = "loopt-1", "config" = the resolved config JSON, "step", "elapsed_s",
// "task", "loops"; an export (weights only) also "weights" = "ema" or "raw": which weights of
// the run it holds; a run started with --init-from also "prior_stages", "prior_steps" and
// "prior_elapsed_s": the runs its weights came from, summed down the chain. A training
// checkpoint also "log_sums" (JSON: the training log's running sums since its last step line,
// so that the first line after a resume averages the same batches as a straight run) and "log"
// (the absolute path of the run's training log, so a resume knows its own log from another
// run's). Every number is validated on load: a value that is not a number of its range is exit
// 2 naming the file and the key. Checkpoints without the newer keys load as before (no sums:
// the first log line after a resume covers the steps since the resume; no log: only
// train.jsonl beside the checkpoint is known as the run's own).
#ifndef LOOPT_MODELIO_H
#define LOOPT_MODELIO_H

#include "loopt/ckpt.h"
#include "loopt/config.h"
#include "loopt/model.h"
#include "loopt/optim.h"
#include "loopt/rng.h"

#define LOOPT_FORMAT "loopt-1"

// The training log's sums over the steps since its last step line (trainlog.h: a step line's
// loss, cell, exact and loops are their means).
typedef struct {
    double loss;              // summed batch losses
    long batches;             // ... over this many steps
    long cells, cells_right;  // scored cells, and those right
    long puzzles, exact;      // puzzles, and those exactly right
    double loops;             // loops summed over every cell
} LogSums;

typedef struct {
    long step;          // optimizer steps done
    double elapsed_s;   // training wall time so far
    int prior_stages;   // the runs before this one (--init-from, transitively); 0: none
    long prior_steps;   // their optimizer steps, summed
    double prior_elapsed_s;   // their training wall time, summed
    Rng data_rng;       // data / augmentation stream
    Rng halt_rng;       // halting exploration stream
    LogSums log_sums;   // the log's running sums at the save
    char log_path[600]; // the run's training log, absolute ("": none recorded, or stdout)
} TrainState;

// Write atomically (temp file + fsync + rename). o and ts may be NULL (weights only).
// Returns 1, or 0 with the reason (the previous file at path, if any, is intact).
int model_save(const char *path, const Model *m, const Config *cfg, const Optimizer *o,
               const TrainState *ts, char *why, size_t whylen);

// A weights-only checkpoint (`loopt export`: o NULL) recording which weights of the run m holds:
// weights = "ema" (the EMA weights) or "raw".
int model_save_weights(const char *path, const Model *m, const Config *cfg, const TrainState *ts,
                       const char *weights, char *why, size_t whylen);

// Which weights a checkpoint holds, from its tensors and metadata: what `loopt info` reports and
// solve/eval say they run.
typedef enum {
    WEIGHTS_WITH_EMA,     // a training checkpoint with the EMA weights beside the raw ones
    WEIGHTS_RAW,          // a training checkpoint of a run without EMA (train.ema 0)
    WEIGHTS_EXPORT_EMA,   // an export of the run's EMA weights (__metadata__.weights = "ema")
    WEIGHTS_EXPORT_RAW,   // an export of the raw weights (--raw, or a run without EMA)
    WEIGHTS_EXPORT_OLD,   // an export from before "weights" was recorded: the EMA weights when
                          // its run kept an EMA, unless exported with --raw
} WeightsKind;
WeightsKind model_weights_kind(const Ckpt *c);

// Builds *m (model_init) for cfg. The shape of the model depends on the task, which this
// layer does not know: the caller passes the builder (model_load in taskmodel.h is the usual one).
typedef void ModelBuild(Model *m, const Config *cfg);

// Read a checkpoint: *cfg gets its config, *m is built by build(m, cfg) and filled with the raw
// weights, or the EMA weights when use_ema and the file has them. If o is not NULL it is
// initialised and filled with the saved moments and EMA (resume); ts likewise.
// Any problem (not a loopt checkpoint, a newer format, a tensor of the wrong shape) exits 2
// with a message naming the file.
void model_load_with(const char *path, ModelBuild *build, Config *cfg, Model *m, int use_ema,
                     Optimizer *o, TrainState *ts);

// Fine-tuning (`loopt train --init-from CKPT`): fill the freshly initialised *m, tensor by
// tensor, from the checkpoint at path where a parameter's name and shape match: the EMA
// weights ("ema.<name>") when the file has them, else the raw weights. The model's tensors
// the file lacks keep their init ("added"); the file's weights this model has not, or whose
// shape differs, are left out ("dropped"). The file need not come from the same config, task
// or loopt version: any safetensors file with F32 tensors named as in PARAMS (model.h) works.
// Exits 2 naming the file when it cannot be read or no tensor matches.
typedef struct {
    TrainState from;                  // the file's progress (step, elapsed, prior_*; no RNG state)
    int n_loaded, n_added, n_dropped;
    char *loaded, *added, *dropped;   // comma-separated names; dropped ones say why
    int from_ema;                     // 1: the EMA weights were loaded
} InitReport;
void model_init_from(const char *path, Model *m, InitReport *rep);
void init_report_free(InitReport *rep);

// The training progress a checkpoint's __metadata__ records (step, elapsed_s, prior_*, log_sums,
// log) into *ts; absent keys read 0 (or "") and the RNG streams are left as they are. A value
// that is not a number of its range (step: an integer in [0, 1e12]; times: finite, >= 0) exits
// 2 with `path: __metadata__.KEY: expected ..., got "VALUE"`.
void train_state_meta(const Ckpt *c, TrainState *ts);

#endif
