// schedule.c — the per-row schedule of training steps, for every recursion family. A batch row
// holds one sample. A family without carried states (scheme loop): every step is the whole
// recursion on fresh samples. A family that carries states (trm/hrm: deep supervision across
// steps): a sample stays in its row for up to recursion.n_sup steps, carrying its (y, z) from
// step to step, and leaves when its halting head says stop (after its exploration minimum) or
// at n_sup; then the row takes a fresh sample. The step itself is the family's (train_step).
#include "loopt/schedule.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/check.h"
#include "loopt/halting.h"
#include "loopt/scheme.h"

void schedule_init(Schedule *s, const Model *m, int n_sup, float progressive, uint64_t seed) {
    CHECK(progressive == 0.0f || (m->scheme->fwd_opts & FWD_WINDOW), "the progressive loss runs with scheme loop");
    memset(s, 0, sizeof *s);
    s->B = m->B;
    s->n_sup = n_sup;
    s->progressive = progressive;
    s->seed = seed;
    s->recur = m->scheme->reset_row != NULL;
    s->done = xcalloc((size_t)s->B, sizeof(int));
    s->min_steps = xcalloc((size_t)s->B, sizeof(int));
    s->fresh = xmalloc((size_t)s->B);
    memset(s->fresh, 1, (size_t)s->B);
}

void schedule_free(Schedule *s) {
    free(s->done); free(s->min_steps); free(s->fresh);
    memset(s, 0, sizeof *s);
}

int schedule_wants_sample(const Schedule *s, int b) { return !s->recur || s->fresh[b]; }

// Exploration (halting.explore_prob): now and then a sample may not halt before a random step
// in [2, n_sup], so the halting head also sees what later steps would have given.
void schedule_start_row(Schedule *s, Model *m, int b, Rng *halt_rng) {
    if (!s->recur) return;
    m->scheme->reset_row(m, b);
    s->fresh[b] = 0;
    s->done[b] = 0;
    int n_sup = s->n_sup;
    s->min_steps[b] = n_sup > 1 && rng_uniform(halt_rng) < m->hc.explore_prob
                      ? 2 + (int)rng_below(halt_rng, (uint32_t)(n_sup - 1)) : 1;
}

double schedule_loss_grad(Schedule *s, Model *m, const int *tokens, const int *targets, int loops, long step) {
    if (s->recur)
        for (int b = 0; b < s->B; b++) m->last_step[b] = s->done[b] + 1 >= s->n_sup;   // halting q's target
    TrainStep ts = {.loops = loops, .step = step, .progressive = s->progressive, .seed = s->seed};
    return m->scheme->train_step(m, tokens, targets, &ts);
}

void schedule_after_step(Schedule *s, const Model *m, int *used, int S) {
    model_loops_used(m, used);
    if (!s->recur) return;
    const HaltRule *rule = halt_rule(m->hc.kind);
    for (int b = 0; b < s->B; b++) {   // "loops": the supervision step each sample is at
        s->done[b]++;
        for (int j = 0; j < S; j++) used[(size_t)b * S + j] = s->done[b];
        int halt = rule->sup_halts && rule->sup_halts(m, b) && s->done[b] >= s->min_steps[b];
        s->fresh[b] = halt || s->done[b] >= s->n_sup;
    }
}

