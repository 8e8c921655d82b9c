// head.c — the answer out of the model: the output head logits = wout · [rms](state) with its
// loss (and the hint head's, train.hints) and their backward, and the readouts of the last
// forward (the argmax answer, the loops each position ran). Every scheme reads out through here.
#include "head.h"

#include <string.h>

#include "loss.h"
#include "ops.h"

// Whether the head's loss includes the hint head's (train.hints, model_set_hints).
static int hinted(const Model *m) { return m->Hn && m->hints_set; }

double head_forward(Model *m, const float *out, int with_targets) {
    int N = m->B * m->T, C = m->C;
    const float *hin = out;   // (N, C) the head's input
    if (m->mc.norm == NORM_PRE) {
        rmsnorm_forward(m->acts.lnf, m->acts.rstdf, out, m->params.lnfg, N, C, NORM_EPS);
        hin = m->acts.lnf;
    }
    linear_forward(m->acts.logits, hin, m->params.wout, N, C, m->Vout);
    if (!with_targets) return 0.0;
    double sum = crossentropy_forward(m->acts.losses, m->acts.probs, m->acts.logits, m->targets, N,
                                      m->Vout, m->loss_kind);
    if (!hinted(m)) return sum;
    linear_forward(m->acts.hlogits, hin, m->params.whint, N, C, m->Hn);
    return sum + m->hint_weight * crossentropy_forward(m->acts.hlosses, m->acts.hprobs, m->acts.hlogits,
                                                       m->hints, N, m->Hn, m->loss_kind);
}

void head_backward(Model *m, const float *out, float *dout, float scale) {
    int N = m->B * m->T, C = m->C;
    GradTensors *g = &m->gacts;
    float *dl = g->dlogits;                                  // (N, Vout)
    memset(dl, 0, (size_t)N * m->Vout * sizeof(float));
    crossentropy_backward(dl, m->acts.probs, m->acts.logits, m->targets, N, m->Vout, scale, m->loss_kind);
    float *dhl = g->dhlogits;                                // (N, Hn)
    if (hinted(m)) {
        memset(dhl, 0, (size_t)N * m->Hn * sizeof(float));
        crossentropy_backward(dhl, m->acts.hprobs, m->acts.hlogits, m->hints, N, m->Hn,
                              scale * m->hint_weight, m->loss_kind);
    }
    int pre = m->mc.norm == NORM_PRE;
    float *din = pre ? g->dx : dout;                         // d [rms](out); dx is free between block backwards
    const float *hin = pre ? m->acts.lnf : out;
    linear_backward(din, m->grads.wout, dl, hin, m->params.wout, N, C, m->Vout, pre ? GRAD_SET : GRAD_ADD);
    if (hinted(m)) linear_backward(din, m->grads.whint, dhl, hin, m->params.whint, N, C, m->Hn, GRAD_ADD);
    if (pre) rmsnorm_backward(dout, m->grads.lnfg, din, out, m->params.lnfg, m->acts.rstdf, N, C, GRAD_ADD);
}

void model_predict(const Model *m, int *out) {
    int T = m->T, M = m->M, S = m->shape.seq_len, V = m->Vout;
    for (int b = 0; b < m->B; b++)
        argmax_rows(out + (size_t)b * S, m->acts.logits + ((size_t)b * T + M) * V, S, V);
}

void model_loops_used(const Model *m, int *out) {
    int T = m->T, M = m->M, S = m->shape.seq_len;
    for (int b = 0; b < m->B; b++)
        for (int t = 0; t < S; t++) out[b * S + t] = m->n_halt[b * T + M + t];
}
