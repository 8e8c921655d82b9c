// block.c — the shared block of L transformer layers, forward and backward side by side: the
// token mixer (attention over all positions or the 3x3 neighbourhood, or the MLP across
// positions) and the SwiGLU MLP, post- or pre-norm. Every scheme applies it; it knows no scheme.
#include "block.h"

#include <string.h>

#include "loopt/attention.h"
#include "dwconv.h"
#include "loopt/check.h"
#include "ops.h"
#include "tokenmix.h"

// Post-norm (default, as TRM/HRM):  r1 = x + Wo·attn(x);   n1 = norm(r1);
//                                   r2 = n1 + mlp(n1);     n2 = norm(r2);   out = n2
// Pre-norm:                         n1 = norm(x);  r1 = x + Wo·attn(n1);
//                                   n2 = norm(r1); r2 = r1 + mlp(n2);        out = r2

// One layer's slices: its activations in ring slot `slot`, and its weights (and gradients, when
// training) in weight set `part`. NULL where this config has no such tensor (norm gains without
// model.norm_gain, attention projections with the mlp mixer, ...).
typedef struct {
    float *n1, *rstd1, *qkv, *att, *atty, *r1, *n2, *rstd2, *fch, *fcg, *r2;      // activations
    const float *g1, *g2, *wqkv, *wo, *wfc, *wproj, *wrel, *wtfc, *wtproj;         // weights
    float *dg1, *dg2, *dwqkv, *dwo, *dwfc, *dwproj, *dwrel, *dwtfc, *dwtproj;     // gradients
    float *fcc;                                     // convswiglu: c (activation)
    const float *wconv, *bconv;                     // its weights
    float *dwconv, *dbconv;                         // their gradients
} Layer;

#define SLICE(p, i, width) ((p) ? (p) + (size_t)(i) * (width) : NULL)

static Layer layer_at(const Model *m, int slot, int part, int l) {
    size_t N = (size_t)m->B * m->T, C = m->C, F = m->F, NC = N * C, FT = 2 * (size_t)m->Ft * m->T;
    size_t al = (size_t)slot * m->La + (size_t)l % m->La;   // the layer's buffers in the ring of activations
    size_t aq = (size_t)slot * m->Lq + (size_t)l % m->Lq;   // its qkv buffer
    size_t lp = (size_t)part * m->L + l;      // the layer in the weight tensors
    const ParamTensors *w = &m->params, *d = &m->grads;
    const ActTensors *a = &m->acts;
    return (Layer){
        .n1 = a->n1 + al * NC, .rstd1 = a->rstd1 + al * N, .qkv = a->qkv + aq * 3 * NC,
        .att = a->att + al * m->att_size, .atty = a->atty + al * NC, .r1 = a->r1 + al * NC,
        .n2 = a->n2 + al * NC, .rstd2 = a->rstd2 + al * N, .fch = a->fch + al * N * 2 * F,
        .fcg = a->fcg + al * N * F, .r2 = a->r2 + al * NC,
        .g1 = SLICE(w->ln1g, lp, C), .g2 = SLICE(w->ln2g, lp, C), .wqkv = SLICE(w->wqkv, lp, 3 * C * C),
        .wo = SLICE(w->wo, lp, C * C), .wfc = SLICE(w->wfc, lp, 2 * F * C), .wproj = SLICE(w->wproj, lp, C * F),
        .wrel = SLICE(w->wrel, lp, (size_t)m->NH * LOCAL_K), .wtfc = SLICE(w->wtfc, lp, FT),
        .wtproj = SLICE(w->wtproj, lp, FT / 2),
        .dg1 = SLICE(d->ln1g, lp, C), .dg2 = SLICE(d->ln2g, lp, C), .dwqkv = SLICE(d->wqkv, lp, 3 * C * C),
        .dwo = SLICE(d->wo, lp, C * C), .dwfc = SLICE(d->wfc, lp, 2 * F * C), .dwproj = SLICE(d->wproj, lp, C * F),
        .dwrel = SLICE(d->wrel, lp, (size_t)m->NH * LOCAL_K), .dwtfc = SLICE(d->wtfc, lp, FT),
        .dwtproj = SLICE(d->wtproj, lp, FT / 2),
        .fcc = SLICE(a->fcc, al, N * F),
        .wconv = SLICE(w->wconv, lp, F * m->Kc), .bconv = SLICE(w->bconv, lp, F),
        .dwconv = SLICE(d->wconv, lp, F * m->Kc), .dbconv = SLICE(d->bconv, lp, F),
    };
}

// dst row j = src row rows[j] (j < n, rows ascending, so dst may be src: rows[j] >= j).
static void gather_rows(float *dst, const float *src, const int *rows, int n, int width) {
    for (int j = 0; j < n; j++)
        if (dst + (size_t)j * width != src + (size_t)rows[j] * width)
            memmove(dst + (size_t)j * width, src + (size_t)rows[j] * width, width * sizeof(float));
}

// The inverse: dst row rows[j] = src row j, last first so that dst may be src.
static void scatter_rows(float *dst, const float *src, const int *rows, int n, int width) {
    for (int j = n - 1; j >= 0; j--)
        if (dst + (size_t)rows[j] * width != src + (size_t)j * width)
            memmove(dst + (size_t)rows[j] * width, src + (size_t)j * width, width * sizeof(float));
}

// The token mixer, r1 (n, C) = mixer(ain): attention with its projections (qkv, rope, scores
// over all positions or the local 3x3 neighbourhood, wo), or the MLP across positions.
// rows: NULL (ain holds all N positions, n = N) or the n running positions of a skipping
// forward (block_forward_rows): ain holds their rows only; q, k, v are computed for them and
// scattered into qkv, where the other positions keep the rows of their last running loop.
static void mixer_forward(Model *m, const Layer *y, const float *ain, const int *rows, int n) {
    int B = m->B, T = m->T, C = m->C, NH = m->NH;
    if (m->mc.mixer == MIXER_MLP) {
        tokenmix_forward(y->r1, y->att, y->att + (size_t)B * C * 2 * m->Ft, ain, y->wtfc, y->wtproj, B, T, C, m->Ft);
        return;
    }
    float *qkv = rows ? m->acts.run_qkv : y->qkv;                 // (n, 3C)
    linear_forward(qkv, ain, y->wqkv, n, C, 3 * C);
    if (!rows && m->mc.positions == POS_ROPE) rope_forward(qkv, m->rope_pos, B, T, C, NH, m->A, m->mc.rope_base);
    if (rows) {
        for (int j = 0; j < n; j++) {
            float *q = qkv + (size_t)j * 3 * C;
            if (m->mc.positions == POS_ROPE)   // one position: (B, T) = (1, 1) at its coordinates
                rope_forward(q, m->rope_pos + (size_t)(rows[j] % T) * m->A, 1, 1, C, NH, m->A, m->mc.rope_base);
            memcpy(y->qkv + (size_t)rows[j] * 3 * C, q, 3 * C * sizeof(float));
        }
    }
    if (m->mc.mixer == MIXER_LOCAL) local_attention_forward(y->atty, y->att, y->qkv, m->nbr, y->wrel, B, T, C, NH);
    else attention_forward(y->atty, y->att, y->qkv, B, T, C, NH);
    if (rows) gather_rows(y->atty, y->atty, rows, n, C);   // every query ran; keep the running ones
    linear_forward(y->r1, y->atty, y->wo, n, C, C);
}

// Backward of mixer_forward: dr1 (N, C) → gacts.dain (N, C), the mixer's weight gradients.
static void mixer_backward(Model *m, const Layer *y, const float *ain, const float *dr1) {
    int B = m->B, T = m->T, C = m->C, NH = m->NH, N = B * T;
    size_t NC = (size_t)N * C;
    GradTensors *g = &m->gacts;
    if (m->mc.mixer == MIXER_MLP) {
        memset(g->dain, 0, NC * sizeof(float));
        size_t BCF = (size_t)B * C * m->Ft;
        tokenmix_backward(g->dain, y->dwtfc, y->dwtproj, g->datt, g->datt + BCF, dr1, ain, y->att,
                          y->att + 2 * BCF, y->wtfc, y->wtproj, B, T, C, m->Ft);
        return;
    }
    linear_backward(g->datty, y->dwo, dr1, y->atty, y->wo, N, C, C, GRAD_SET);
    if (m->mc.mixer == MIXER_LOCAL) {
        memset(g->dqkv, 0, 3 * NC * sizeof(float));   // scattered into neighbours: accumulates
        local_attention_backward(g->dqkv, y->dwrel, g->datt, g->datty, y->qkv, y->att, m->nbr, B, T, C, NH);
    } else {
        attention_backward(g->dqkv, g->datt, g->datty, y->qkv, y->att, B, T, C, NH, GRAD_SET);
    }
    if (m->mc.positions == POS_ROPE) rope_backward(g->dqkv, m->rope_pos, B, T, C, NH, m->A, m->mc.rope_base);
    linear_backward(g->dain, y->dwqkv, g->dqkv, ain, y->wqkv, N, C, 3 * C, GRAD_SET);
}

// The block on n rows of x: all N positions (rows NULL), or the running ones (block_forward_rows).
static const float *block_run(Model *m, int slot, int part, const float *x, const int *rows, int n) {
    int C = m->C, F = m->F, pre = m->mc.norm == NORM_PRE;
    for (int l = 0; l < m->L; l++) {
        Layer y = layer_at(m, slot, part, l);
        const float *ain = x;
        if (pre) { rmsnorm_forward(y.n1, y.rstd1, x, y.g1, n, C, NORM_EPS); ain = y.n1; }
        mixer_forward(m, &y, ain, rows, n);
        const float *min;   // r1 += x, then the mlp's input norm
        if (pre) { residual_rmsnorm_forward(y.n2, y.rstd2, y.r1, x, y.g2, n, C, NORM_EPS); min = y.n2; }
        else     { residual_rmsnorm_forward(y.n1, y.rstd1, y.r1, x, y.g1, n, C, NORM_EPS); min = y.n1; }
        linear_forward(y.fch, min, y.wfc, n, C, 2 * F);
        swiglu_forward(y.fcg, y.fch, n, F);
        const float *down = y.fcg;   // the down-projection's input: h = SiLU(gate) ⊙ up, or
        if (m->Kc) {                 // convswiglu: SiLU(c), c = the token convolution of h
            CHECK(!rows, "convswiglu reads neighbouring positions: the block runs on all of them");
            dwconv_forward(y.fcc, y.fcg, y.wconv, y.bconv, m->ctap, m->B, m->T, F, m->Kc);
            silu_forward(m->acts.fcs, y.fcc, n * F);
            down = m->acts.fcs;
        }
        linear_forward(y.r2, down, y.wproj, n, F, C);
        if (pre) add_forward(y.r2, y.r2, y.r1, n * C);
        else residual_rmsnorm_forward(y.n2, y.rstd2, y.r2, y.n1, y.g2, n, C, NORM_EPS);   // r2 += n1, n2 = norm(r2)
        x = pre ? y.r2 : y.n2;
    }
    return x;
}

const float *block_forward(Model *m, int slot, int part, const float *x) {
    return block_run(m, slot, part, x, NULL, m->B * m->T);
}

// ---- the block on the running positions only (halting act, inference; halting.skip) --------
// A halted position's state is frozen, so it needs neither its projections nor its FFN: the
// running positions' rows are gathered into a compact (n, C) block that every per-position op
// runs on. Only attention sees all positions, a halted one through the q/k/v row its last
// loop left in qkv (an inference allocation has one ring slot: nothing overwrites it; the
// caller runs a position one loop past its halt, so that loop's input is its frozen state).
// With one layer per loop this is exact, the frozen state giving the same k, v again; with
// more, a halted position's deeper k, v are those of its last loop rather than recomputed from
// its neighbours' newer states (docs/schemes.md measures what that changes).

const float *block_forward_rows(Model *m, float *x, const int *rows, int n) {
    CHECK(m->acts.run_qkv && m->W == 1 && !m->training, "block_forward_rows needs an inference allocation for halting act");
    gather_rows(x, x, rows, n, m->C);                          // x (n, C): the running rows
    float *out = (float *)block_run(m, 0, 0, x, rows, n);      // (n, C)
    scatter_rows(out, out, rows, n, m->C);                     // (N, C), valid at rows only
    return out;
}

float *block_backward(Model *m, int slot, int part, const float *x0, const float *dout) {
    int N = m->B * m->T, C = m->C, F = m->F, pre = m->mc.norm == NORM_PRE;
    size_t NC = (size_t)N * C;
    GradTensors *g = &m->gacts;
    float *dcur = g->dx;      // gradient w.r.t. the current layer's output, then its input
    float *dnext = g->dx2;
    if (dcur != dout) memcpy(dcur, dout, NC * sizeof(float));
    for (int l = m->L - 1; l >= 0; l--) {
        Layer y = layer_at(m, slot, part, l);
        // the layer's input x: the previous layer's output, or the block input for l = 0
        const float *x = x0;
        if (l > 0) { Layer below = layer_at(m, slot, part, l - 1); x = pre ? below.r2 : below.n2; }
        // output norm (post) -> dr2
        float *dr2 = g->dr2;
        if (pre) memcpy(dr2, dcur, NC * sizeof(float));
        else rmsnorm_backward(dr2, y.dg2, dcur, y.r2, y.g2, y.rstd2, N, C, GRAD_SET);
        // mlp: r2 = base + wproj·swiglu(wfc·min)
        const float *min = pre ? y.n2 : y.n1;
        if (m->Kc) {   // convswiglu: r2 = base + wproj·SiLU(c), c = conv(h): dfcg → dfcc → dfcg = dh
            silu_forward(m->acts.fcs, y.fcc, N * F);   // the forward's SiLU(c), recomputed
            linear_backward(g->dfcg, y.dwproj, dr2, m->acts.fcs, y.wproj, N, F, C, GRAD_SET);
            silu_backward(g->dfcc, g->dfcg, y.fcc, N * F, GRAD_SET);
            dwconv_backward(g->dfcg, y.dwconv, y.dbconv, g->dfcc, y.fcg, y.wconv, m->ctap, m->cinv,
                            m->B, m->T, F, m->Kc, GRAD_SET);
        } else {
            linear_backward(g->dfcg, y.dwproj, dr2, y.fcg, y.wproj, N, F, C, GRAD_SET);
        }
        swiglu_backward(g->dfch, g->dfcg, y.fch, N, F, GRAD_SET);
        linear_backward(g->dmin, y.dwfc, g->dfch, min, y.wfc, N, C, 2 * F, GRAD_SET);
        // dr1: through the residual base and the mlp input's norm
        float *dr1 = dnext;   // reuse the pong buffer: dnext becomes the layer-input grad below
        if (pre) {
            memcpy(dr1, dr2, NC * sizeof(float));                                         // base = r1
            rmsnorm_backward(dr1, y.dg2, g->dmin, y.r1, y.g2, y.rstd2, N, C, GRAD_ADD);   // min = norm(r1)
        } else {
            add_forward(g->dmin, g->dmin, dr2, (int)NC);                                  // dn1 = dmin + dbase
            rmsnorm_backward(dr1, y.dg1, g->dmin, y.r1, y.g1, y.rstd1, N, C, GRAD_SET);   // n1 = norm(r1)
        }
        const float *ain = pre ? y.n1 : x;
        mixer_backward(m, &y, ain, dr1);
        // dx = dr1 (residual) + d(ain)/dx
        float *dx = dr1;
        if (pre) rmsnorm_backward(dx, y.dg1, g->dain, x, y.g1, y.rstd1, N, C, GRAD_ADD);
        else add_forward(dx, dx, g->dain, (int)NC);
        // swap: dx (in dnext) is the gradient of the next layer down's output
        dnext = dcur;
        dcur = dx;
    }
    return dcur;
}
