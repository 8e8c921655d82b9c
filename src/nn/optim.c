// optim.c — AdamW, lr schedule, clipping, EMA. One buffer each for m, v and the EMA.
#include "loopt/optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/check.h"

void optim_init(Optimizer *o, const Model *model, const TrainConfig *tc) {
    memset(o, 0, sizeof *o);
    o->n = model->num_params;
    o->m = xcalloc(o->n, sizeof(float));
    o->v = xcalloc(o->n, sizeof(float));
    o->decay = xcalloc(o->n, 1);
    // the decay column of the parameter table (model.h): matrices and embeddings decay (1),
    // fixed buffers are not trained at all (OPT_FIXED)
    size_t off = 0;
    for (int i = 0; i < NUM_PARAM_TENSORS; i++) {
        if (PARAMS[i].decay) memset(o->decay + off, PARAMS[i].decay > 0 ? 1 : OPT_FIXED, model->param_sizes[i]);
        off += model->param_sizes[i];
    }
    if (tc->ema > 0.0f) {
        o->ema = xmalloc(o->n * sizeof(float));
        memcpy(o->ema, model->params_memory, o->n * sizeof(float));
    }
}

void optim_free(Optimizer *o) {
    free(o->m); free(o->v); free(o->ema); free(o->decay);
    memset(o, 0, sizeof *o);
}

float optim_lr(const TrainConfig *tc, long step, long total) {
    if (tc->warmup > 0 && step < tc->warmup) return tc->lr * (float)(step + 1) / (float)tc->warmup;
    if (tc->lr_schedule == SCHED_CONSTANT || total <= tc->warmup) return tc->lr;
    double t = (double)(step - tc->warmup) / (double)(total - tc->warmup);
    if (t > 1.0) t = 1.0;
    double floor = tc->min_lr_frac;
    return (float)(tc->lr * (floor + (1.0 - floor) * 0.5 * (1.0 + cos(3.14159265358979323846 * t))));
}

// The sum of squares in NORM_CHUNKS fixed chunks, added in order: the same bits on any number
// of threads (an OpenMP reduction adds in thread order), so the clipping scale, and training
// with it, does not depend on train.threads.
#define NORM_CHUNKS 64
double grad_norm(const float *grads, size_t n) {
    double part[NORM_CHUNKS];
    size_t chunk = (n + NORM_CHUNKS - 1) / NORM_CHUNKS;
    #pragma omp parallel for if (n > 32768)
    for (int c = 0; c < NORM_CHUNKS; c++) {
        size_t lo = (size_t)c * chunk, hi = lo + chunk < n ? lo + chunk : n;
        double s = 0.0;
        for (size_t i = lo; i < hi; i++) s += (double)grads[i] * grads[i];
        part[c] = s;
    }
    double s = 0.0;
    for (int c = 0; c < NORM_CHUNKS; c++) s += part[c];
    return sqrt(s);
}

double optim_step(Optimizer *o, Model *model, const TrainConfig *tc) {
    float *p = model->params_memory, *g = model->grads_memory;
    double norm = grad_norm(g, o->n);
    float scale = 1.0f;
    if (tc->clip > 0.0f && norm > tc->clip) scale = (float)(tc->clip / norm);
    float lr = optim_lr(tc, o->step, tc->steps);
    o->step++;
    float b1 = tc->beta1, b2 = tc->beta2, eps = tc->eps, wd = tc->weight_decay;
    float c1 = 1.0f - powf(b1, (float)o->step), c2 = 1.0f - powf(b2, (float)o->step);
    #pragma omp parallel for
    for (size_t i = 0; i < o->n; i++) {
        // a fixed buffer: its gradient is 0, so its moments stay 0 and the step would be
        // p -= lr · 0 — skipping it is the same bits, and says it is not trained
        if (o->decay[i] == OPT_FIXED) continue;
        float gi = g[i] * scale;
        o->m[i] = b1 * o->m[i] + (1.0f - b1) * gi;
        o->v[i] = b2 * o->v[i] + (1.0f - b2) * gi * gi;
        float mh = o->m[i] / c1, vh = o->v[i] / c2;
        p[i] -= lr * (mh / (sqrtf(vh) + eps) + (o->decay[i] ? wd * p[i] : 0.0f));
    }
    if (o->ema) {
        // EMA warm-up: early on, the average would be mostly the random init; let the decay
        // grow as (1 + t) / (10 + t) until it reaches train.ema
        float d = fminf(tc->ema, (1.0f + (float)o->step) / (10.0f + (float)o->step));
        #pragma omp parallel for
        for (size_t i = 0; i < o->n; i++) o->ema[i] = d * o->ema[i] + (1.0f - d) * p[i];
    }
    return norm;
}

