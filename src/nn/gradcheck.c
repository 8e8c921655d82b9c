// gradcheck.c — finite-difference check of the whole looped model's gradients.
#include "loopt/gradcheck.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/check.h"

// The forward options every later forward of the check uses (set by gradcheck_analytic).
static ForwardOpts frozen_opts(const Model *m, const ForwardOpts *base) {
    ForwardOpts o = *base;
    o.frozen = 1;
    if (m->prefix_len > 0) {              // replay the state entering the kept updates
        o.prefix = PREFIX_REPLAY;
        o.prefix_loop = m->prefix_len;
    }
    return o;
}

void gradcheck_analytic(Model *m, const int *tokens, const int *targets, const ForwardOpts *fo) {
    // 1. a plain forward fixes the halting decisions and the window
    model_forward_opts(m, tokens, targets, fo);
    ForwardOpts o = frozen_opts(m, fo);
    if (o.prefix == PREFIX_REPLAY) {      // save the state entering the window, then replay it
        ForwardOpts save = o;
        save.prefix = PREFIX_SAVE;
        model_forward_opts(m, tokens, targets, &save);
    }
    // 2. analytic gradients
    model_zero_grad(m);
    model_forward_opts(m, tokens, targets, &o);
    model_backward(m);
}

void gradcheck_model(Model *m, const int *tokens, const int *targets, const ForwardOpts *fo, int samples,
                     float step, Rng *r, GradcheckResult *res) {
    memset(res, 0, sizeof *res);
    gradcheck_analytic(m, tokens, targets, fo);
    ForwardOpts o = frozen_opts(m, fo);
    float *analytic = xmalloc(m->num_params * sizeof(float));
    memcpy(analytic, m->grads_memory, m->num_params * sizeof(float));
    // 3. central differences on sampled entries of every tensor
    double gmax_all = 0.0;
    for (size_t i = 0; i < m->num_params; i++) gmax_all = fmax(gmax_all, fabs(analytic[i]));
    size_t off = 0;
    for (int t = 0; t < NUM_PARAM_TENSORS; t++) {
        size_t n = m->param_sizes[t];
        res->max_rel[t] = -1.0;
        if (n == 0) continue;
        if (!param_trained(t)) { off += n; continue; }   // a fixed buffer: no gradient to check
        const float *ga = analytic + off;
        double gmax = 0.0;
        for (size_t i = 0; i < n; i++) gmax = fmax(gmax, fabs(ga[i]));
        double floor = fmax(1e-2 * gmax, 1e-2 * gmax_all) + 1e-6;
        int count = n < (size_t)samples ? (int)n : samples;
        double worst = 0.0;
        for (int s = 0; s < count; s++) {
            size_t i = n <= (size_t)samples ? (size_t)s : rng_below(r, (uint32_t)n);
            float *p = m->params_memory + off + i;
            float saved = *p;
            // five-point stencil: O(h^4) truncation error lets the step be large enough to
            // rise above float32 rounding noise in the forward pass
            double f[4];
            static const float mult[4] = {2.0f, 1.0f, -1.0f, -2.0f};
            for (int j = 0; j < 4; j++) {
                *p = saved + mult[j] * step;
                f[j] = model_forward_opts(m, tokens, targets, &o);
            }
            *p = saved;
            double fd = (-f[0] + 8.0 * f[1] - 8.0 * f[2] + f[3]) / (12.0 * step);
            double a = ga[i];
            double rel = fabs(a - fd) / fmax(fmax(fabs(a), fabs(fd)), floor);
            if (rel > worst) worst = rel;
        }
        // directional derivative along the claimed gradient itself, v = g / max|g|: the loss must
        // change at the rate g·v = |g|²/max|g|. The signal is the whole tensor's gradient, far
        // above the rounding noise, and a wrong entry anywhere in the tensor shows up.
        float *dir = xmalloc(n * sizeof(float));
        double gd = 0.0;
        for (size_t i = 0; i < n; i++) {
            dir[i] = gmax > 0 ? (float)(ga[i] / gmax) : 0.0f;
            gd += ga[i] * dir[i];
        }
        float *base = m->params_memory + off;
        float *saved_t = xmalloc(n * sizeof(float));
        memcpy(saved_t, base, n * sizeof(float));
        double f[4];
        static const float mult[4] = {2.0f, 1.0f, -1.0f, -2.0f};
        float dstep = 0.25f * step;   // every entry moves at once: a smaller step stays linear
        for (int j = 0; j < 4; j++) {
            for (size_t i = 0; i < n; i++) base[i] = saved_t[i] + mult[j] * dstep * dir[i];
            f[j] = model_forward_opts(m, tokens, targets, &o);
        }
        memcpy(base, saved_t, n * sizeof(float));
        double fdd = (-f[0] + 8.0 * f[1] - 8.0 * f[2] + f[3]) / (12.0 * dstep);
        res->dir_rel[t] = fabs(gd - fdd) / fmax(fmax(fabs(gd), fabs(fdd)), 1e-6);
        if (res->dir_rel[t] > worst) worst = res->dir_rel[t];
        free(dir);
        free(saved_t);
        res->max_rel[t] = worst;
        res->checked[t] = count;
        res->total += count;
        if (worst > res->worst) res->worst = worst;
        off += n;
    }
    free(analytic);
}
