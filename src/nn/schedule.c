// schedule.c — the per-row schedule of training steps, for every scheme. A batch row holds one
// sample. Scheme "loop": every step is the whole recursion on fresh samples. Schemes trm/hrm
// (deep supervision across steps): a sample stays in its row for up to recursion.n_sup steps,
// carrying its (y, z) from step to step, and leaves when its halting head says stop (after
// its exploration minimum) or at n_sup; then the row takes a fresh sample.
//
// The progressive loss (train.progressive = α > 0, scheme loop; DeepThinking, Bansal et al.
// 2022): besides the K-loop loss, each step draws n ~ U[0, K) and k ~ U[1, min(K − n, W)],
// runs n loops as a constant prefix and k with gradient, and adds that loss:
//     L = (1 − α) · L(K loops) + α · L(n + k loops, gradient through the last k)
// so each loop learns to improve whatever state it is given, not to count to K.
#include "loopt/schedule.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/check.h"
#include "loopt/halting.h"

void schedule_init(Schedule *s, const Model *m, int n_sup, float progressive, uint64_t seed) {
    CHECK(progressive == 0.0f || m->rc.scheme == SCHEME_LOOP, "the progressive loss runs with scheme loop");
    memset(s, 0, sizeof *s);
    s->B = m->B;
    s->n_sup = n_sup;
    s->progressive = progressive;
    s->seed = seed;
    s->recur = m->rc.scheme != SCHEME_LOOP;
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
    recur_reset(m, b);
    s->fresh[b] = 0;
    s->done[b] = 0;
    int n_sup = s->n_sup;
    s->min_steps[b] = n_sup > 1 && rng_uniform(halt_rng) < m->hc.explore_prob
                      ? 2 + (int)rng_below(halt_rng, (uint32_t)(n_sup - 1)) : 1;
}

void schedule_progressive_draw(const Schedule *s, const Model *m, int loops, long step, int *n, int *k) {
    Rng r;
    rng_seed(&r, s->seed ^ (0x70726f67ULL + (uint64_t)step * 0x9e3779b97f4a7c15ULL));
    *n = (int)rng_below(&r, (uint32_t)loops);
    int kmax = loops - *n < m->W ? loops - *n : m->W;
    *k = 1 + (int)rng_below(&r, (uint32_t)kmax);
}

// The progressive term's forward and backward at step `step`. Returns its (scaled) loss.
static double progressive_term(Schedule *s, Model *m, const int *tokens, const int *targets, int loops,
                               long step) {
    int n, k;
    schedule_progressive_draw(s, m, loops, step, &n, &k);
    ForwardOpts o = {.loops = n + k, .halting = HALT_DEFAULT, .window = k, .loss_scale = s->progressive};
    double loss = model_forward_opts(m, tokens, targets, &o);
    if (isfinite(loss)) model_backward(m);
    return loss;
}

double schedule_loss_grad(Schedule *s, Model *m, const int *tokens, const int *targets, int loops, long step) {
    double loss = 0.0;
    if (s->recur) {
        for (int b = 0; b < s->B; b++) m->last_step[b] = s->done[b] + 1 >= s->n_sup;   // halting q's target
        loss = recur_step(m, tokens, targets);
    } else if (s->progressive > 0.0f) {
        // the progressive term first: the full-depth forward after it leaves the model's
        // logits, losses and loops as a plain step does (for the training metrics)
        loss = progressive_term(s, m, tokens, targets, loops, step);
        if (!isfinite(loss)) return loss;
        ForwardOpts o = {.loops = loops, .halting = HALT_DEFAULT, .loss_scale = 1.0f - s->progressive};
        loss += model_forward_opts(m, tokens, targets, &o);
    } else {
        loss = model_forward(m, tokens, targets, loops);
    }
    if (isfinite(loss)) model_backward(m);
    return loss;
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

