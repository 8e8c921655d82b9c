// halting.c — ACT halting per position: the forward step of one loop and its backward.
// See halting.h for the equations.
#include "loopt/halting.h"

#include <math.h>
#include <string.h>

int act_forward_step(Model *m, int k, int K, int slot, const float *y, const float *h_prev, float *h) {
    int N = m->B * m->T, C = m->C;
    float *p = m->acts.halt_p + (size_t)slot * N;     // (N)
    float *w = m->acts.halt_w + (size_t)slot * N;     // (N)
    float *run = m->acts.halt_run + (size_t)slot * N; // (N)
    float *cum = m->acts.cum;                         // (N)
    float *mix = m->acts.mix;                         // (N, C)
    const float *wh = m->params.whalt;                // (C)
    float bh = m->params.bhalt[0];
    float thr = m->hc.threshold;
    int running = 0;
    double ponder = 0.0;
    #pragma omp parallel for reduction(+:running, ponder)
    for (int i = 0; i < N; i++) {
        const float *yi = y + (size_t)i * C;
        float *hi = h + (size_t)i * C;
        int active = m->halt_frozen ? k <= m->n_halt[i] : (k == 1 || m->n_halt[i] == 0);
        if (!active) {   // halted earlier: frozen state, no weight
            p[i] = 0.0f; w[i] = 0.0f; run[i] = 0.0f;
            if (hi != h_prev + (size_t)i * C) memcpy(hi, h_prev + (size_t)i * C, C * sizeof(float));
            continue;
        }
        if (k == 1) { cum[i] = 0.0f; if (!m->halt_frozen) m->n_halt[i] = 0; }
        float z = bh;
        for (int c = 0; c < C; c++) z += wh[c] * yi[c];
        float pi = 1.0f / (1.0f + expf(-z));
        int halts = m->halt_frozen ? k == m->n_halt[i] : (cum[i] + pi >= thr || k == K);
        float wi = halts ? 1.0f - cum[i] : pi;
        p[i] = pi; w[i] = wi; run[i] = 1.0f;
        cum[i] += wi;
        if (halts) { m->n_halt[i] = k; ponder += k + wi; } else running++;
        float *mi = mix + (size_t)i * C;
        if (k == 1) for (int c = 0; c < C; c++) mi[c] = wi * yi[c];
        else        for (int c = 0; c < C; c++) mi[c] += wi * yi[c];
        if (hi != yi) memcpy(hi, yi, C * sizeof(float));
    }
    m->ponder_sum += ponder;
    return running;
}

void act_backward_prepare(Model *m) {
    int N = m->B * m->T, C = m->C;
    #pragma omp parallel for
    for (int i = 0; i < N; i++) {
        int n = m->n_halt[i];
        double d = 0.0;
        if (n >= m->window_start) {
            const float *yN = m->acts.h + ((size_t)((n - 1) % m->W) * N + i) * C;
            const float *dm = m->gacts.dmix + (size_t)i * C;
            for (int c = 0; c < C; c++) d += (double)dm[c] * yN[c];
        }
        m->gacts.hq[i] = (float)d;
    }
}

void act_backward_step(Model *m, int k, int slot, float ponder_scale) {
    int N = m->B * m->T, C = m->C;
    const float *p = m->acts.halt_p + (size_t)slot * N;
    const float *w = m->acts.halt_w + (size_t)slot * N;
    const float *run = m->acts.halt_run + (size_t)slot * N;
    const float *y = m->acts.h + (size_t)slot * N * C;   // y_k = h_k for running positions
    const float *wh = m->params.whalt;
    float *dwh = m->grads.whalt;
    float *dy = m->gacts.dy, *dh = m->gacts.dstate;
    const float *dmix = m->gacts.dmix, *hq = m->gacts.hq;
    double dbh = 0.0;
    // The halting unit's weight gradient is a reduction over positions; keep it serial over
    // positions but vectorised over channels (N*C is small next to the block's GEMMs).
    for (int i = 0; i < N; i++) {
        float *dyi = dy + (size_t)i * C, *dhi = dh + (size_t)i * C;
        const float *dmi = dmix + (size_t)i * C, *yi = y + (size_t)i * C;
        if (run[i] == 0.0f) {           // frozen: gradient passes to h_{k-1} untouched
            memset(dyi, 0, C * sizeof(float));
            continue;
        }
        for (int c = 0; c < C; c++) { dyi[c] = dhi[c] + w[i] * dmi[c]; dhi[c] = 0.0f; }
        if (k < m->n_halt[i]) {
            // d loss / d p_k = dmix·y_k (its own weight) − dmix·y_N − τ/N (both via R = 1 − Σ p)
            double dp = -(double)hq[i] - ponder_scale;
            for (int c = 0; c < C; c++) dp += (double)dmi[c] * yi[c];
            float dz = (float)(dp * p[i] * (1.0 - p[i]));
            for (int c = 0; c < C; c++) { dyi[c] += dz * wh[c]; dwh[c] += dz * yi[c]; }
            dbh += dz;
        }
    }
    m->grads.bhalt[0] += (float)dbh;
}
