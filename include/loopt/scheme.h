// scheme.h — the recursion families, one row each of the registry in scheme.c, like the Task
// table: how a family turns the embedded puzzle into the state the head reads, what it needs
// allocated, and how it trains. A family is one file filling one row (loop.c; trm.c and hrm.c
// over the two-state recursion of twostate.c); the engine's callers reach a family only through
// model_forward/model_backward/model_stream_* (model.h), schedule.c and this row's data.
// docs/engine.md, "Adding a recursion family", lists what a new one touches.
#ifndef LOOPT_SCHEME_H
#define LOOPT_SCHEME_H

#include <stddef.h>
#include <stdint.h>
#include "loopt/config.h"
#include "loopt/model.h"

// The ForwardOpts a family honours beyond loops, halting and the gradcheck fields.
enum {
    FWD_RESUME = 1,   // resume_loop: continue the last fixed-loop forward (eval's depth sweep)
    FWD_WINDOW = 2,   // window: gradient through the last `window` loops only
    FWD_SCALE = 4,    // loss_scale (the progressive loss's weights)
};

// One training step's recipe, from the schedule (schedule.c) to the family.
typedef struct {
    int loops;           // the training depth (config_depth)
    long step;           // the optimizer step about to be taken
    float progressive;   // train.progressive α (0: off); only families with FWD_WINDOW take it
    uint64_t seed;       // train.seed: the progressive loss's (n, k) stream
} TrainStep;

// A two-state family's cycle (twostate.c): `updates` block applications — updates − 1 of the
// reasoning state z, then one of the answer y —, the last `grad_updates` of them with gradient
// in training, `cycles` cycles per supervision step.
typedef struct { int updates, grad_updates, cycles; } Cycles;

struct Scheme {
    const char *name;   // its recursion.scheme value (SCHEME_NAMES)
    int halts;          // HS_* bits: the halting rules it takes (config.h's HALT_KINDS column)
    int streams;        // 1: continuous batching at inference (model_stream_*: a row whose
                        //    answer is final takes the next puzzle); 0: batches in lock step
    unsigned fwd_opts;  // FWD_* bits
    // The training depth: loops, or supervision steps (config_depth; `--iters` counts the same).
    int (*depth)(const RecursionConfig *rc);
    // Weight sets of the block (the block tensors hold P·L layers): 1, or 2 for separate levels.
    int (*weight_sets)(const RecursionConfig *rc);
    // Ring slots of activations for model_alloc's `window` request (inference: 1).
    int (*slots)(const Model *m, int window, int training);
    // Refuse a config it cannot run: die(EXIT_USAGE) naming the key, `name` the config's file.
    void (*validate)(const Config *c, const char *name);
    // The depth and gradient in words, for train's summary.
    void (*describe)(const RecursionConfig *rc, char *buf, size_t len);
    // One forward under m->fwd (model_forward_opts has checked the options); returns the loss.
    double (*forward)(Model *m, const int *tokens, const int *targets);
    // Backward of the last forward with targets; accumulates into m->grads.
    void (*backward)(Model *m);
    // One training step's forward and backward (schedule_loss_grad). Returns the loss; when it
    // is not finite no backward has run for it.
    double (*train_step)(Model *m, const int *tokens, const int *targets, const TrainStep *ts);
    // Families that carry states between training steps (trm, hrm; NULL for the others): row b
    // starts a fresh sample. Their rows keep a sample for up to recursion.n_sup steps.
    void (*reset_row)(Model *m, int b);
    // Two-state families: their cycle (NULL for the others).
    Cycles (*cycles)(const RecursionConfig *rc);
    // 1: the embedded input enters the loop through a concatenation adapter (the parameter
    // wadapt, Linear 2C -> C) and the family keeps the hg_* buffers of ACT_TABLE (huginn).
    int adapter;
};

// The row of recursion.scheme `kind`.
const Scheme *scheme_get(SchemeKind kind);

// Scheme loop's progressive loss (loop.c): the (n, k) of step `step` — n loops without
// gradient, then k with, k <= the W slots allocated — from a stream of `seed` and the step, so
// a resumed run draws the same.
void loop_progressive_draw(const Model *m, uint64_t seed, int loops, long step, int *n, int *k);

#endif
