// optim.h — AdamW with decoupled weight decay, the learning-rate schedule (linear warm-up,
// then cosine to min_lr_frac or constant), global-norm gradient clipping, and an EMA of the
// weights (used for evaluation, saved beside the raw weights).
#ifndef LOOPT_OPTIM_H
#define LOOPT_OPTIM_H

#include <stddef.h>
#include "loopt/config.h"
#include "loopt/model.h"

enum { OPT_FIXED = 2 };   // Optimizer.decay: an entry AdamW leaves alone

typedef struct {
    size_t n;            // number of parameters
    float *m;            // (n) Adam first moment
    float *v;            // (n) Adam second moment
    float *ema;          // (n) EMA of the weights, NULL when train.ema = 0
    uint8_t *decay;      // (n) 1 where weight decay applies (weight matrices, not norms/biases);
                         //     OPT_FIXED: a fixed buffer (model.h's decay column -1), not trained
    long step;           // optimizer steps taken
} Optimizer;

void optim_init(Optimizer *o, const Model *model, const TrainConfig *tc);
void optim_free(Optimizer *o);
// Learning rate at step `step` (0-based) of `total`.
float optim_lr(const TrainConfig *tc, long step, long total);
// Global L2 norm of the gradients (double accumulation).
double grad_norm(const float *grads, size_t n);
// One AdamW step on the model's params from its grads: clips by train.clip, applies the
// schedule, updates the EMA. Returns the gradient norm before clipping.
double optim_step(Optimizer *o, Model *model, const TrainConfig *tc);

#endif
