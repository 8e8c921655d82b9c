// schedule.h — which batch rows take a fresh sample before a training step, the forward and
// backward of one training step for any scheme (and the progressive loss), and the
// bookkeeping after it (src/nn/schedule.c).
#ifndef LOOPT_SCHEDULE_H
#define LOOPT_SCHEDULE_H

#include <stdint.h>
#include "loopt/model.h"
#include "loopt/rng.h"

typedef struct {
    int B, n_sup, recur;
    float progressive;   // train.progressive: the progressive loss's weight α (0: off)
    uint64_t seed;       // its (n, k) stream's seed (train.seed)
    int *done;        // (B) trm/hrm: supervision steps the row's sample has had
    int *min_steps;   // (B) trm/hrm: exploration, the sample may not halt before this step
    uint8_t *fresh;   // (B) trm/hrm: 1 = the row takes a fresh sample before the next step
} Schedule;

// For model m (allocated for training: its batch), recursion.n_sup, train.progressive and
// train.seed.
void schedule_init(Schedule *s, const Model *m, int n_sup, float progressive, uint64_t seed);
void schedule_free(Schedule *s);
// 1 if row b takes a fresh sample before the next step (scheme loop: every row, every step).
int schedule_wants_sample(const Schedule *s, int b);
// Row b has been given a fresh sample: its carried state starts over (draws halt_rng).
void schedule_start_row(Schedule *s, Model *m, int b, Rng *halt_rng);
// The forward and backward of one training step, the family's Scheme.train_step (gradients
// accumulate into m->grads): scheme loop all `loops` loops (with train.progressive, also the
// progressive term: loop.c); trm/hrm one supervision step. Returns the loss; when it is not
// finite, no backward has run for that forward (the caller skips or stops). Afterwards the
// model holds the full-depth forward's logits, ce_loss and loops, as after a plain step.
double schedule_loss_grad(Schedule *s, Model *m, const int *tokens, const int *targets, int loops, long step);
// After the optimizer step: used (B, S) = the loops each position ran (trm/hrm: the step each
// sample is at); which samples leave their rows (halted, or n_sup reached).
void schedule_after_step(Schedule *s, const Model *m, int *used, int S);

#endif
