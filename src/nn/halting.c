// halting.c — every halting rule, one row each of HALT_RULES: its head's size, its step after
// each loop (scheme loop) or supervision step (trm/hrm), its loss term and their backward.
// The loop (loop.c) and the two-state schemes (twostate.c) call rules only through this table.
//   none  fixed looping: every loop runs; a state passes straight on.
//   act   Graves ACT per position (halting.h has the equations).
//   bce   TRM's head on the answer y: q = whalt·y[0] + bhalt learns "the whole grid is right".
//   q     HRM's two rows [q_halt | q_continue]: q_halt as bce, q_continue learns σ of the next
//         step's best value (twostate.c runs that step; q_target turns it into the target).
//   converge  parameter-free: a puzzle stops once its answer has held for halting.patience loops
//             (each of them with every cell's top probability >= halting.confidence).
//   kl        parameter-free (Huginn): a puzzle stops once KL(p_k || p_k-1) < halting.kl_eps at
//             every cell.
// A new rule: a row here, a name in config.h's HALT_KINDS, a test (docs/schemes.md: equations).
#include "loopt/halting.h"

#include <math.h>
#include <string.h>

#include "head.h"
#include "loopt/check.h"

#define HALT_LOSS_WEIGHT 0.5f   // loss = CE + 0.5 · (BCE(q_halt, whole grid right) [+ BCE(q_continue, target)])

// ---- none ----------------------------------------------------------------------------------

static int none_loop_step(Model *m, int k, int K, int slot, const float *y, const float *h_prev, float *h) {
    int B = m->B, T = m->T;
    memcpy(h, y, (size_t)B * T * m->C * sizeof(float));
    for (int b = 0; b < B; b++) {
        int kb = m->row_k[b];
        for (int t = 0; t < T; t++) m->n_halt[b * T + t] = kb;
        m->row_done[b] = kb >= K;
    }
    return B * T;   // nobody stops: the loop runs to K
}

static void none_loop_backward_step(Model *m, int k, int slot, float ponder_scale) {
    size_t NC = (size_t)m->B * m->T * m->C;
    memcpy(m->gacts.dy, m->gacts.dstate, NC * sizeof(float));
    memset(m->gacts.dstate, 0, NC * sizeof(float));
}

// ---- act -----------------------------------------------------------------------------------

static int act_forward_step(Model *m, int k_batch, int K, int slot, const float *y, const float *h_prev, float *h) {
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
        int k = m->row_k[i / m->T];   // this position's loop (a stream's rows differ)
        int active = m->fwd.frozen ? k <= m->n_halt[i] : (k == 1 || m->n_halt[i] == 0);
        if (!active) {   // halted earlier: frozen state, no weight
            p[i] = 0.0f; w[i] = 0.0f; run[i] = 0.0f;
            if (hi != h_prev + (size_t)i * C) memcpy(hi, h_prev + (size_t)i * C, C * sizeof(float));
            continue;
        }
        if (k == 1) { cum[i] = 0.0f; if (!m->fwd.frozen) m->n_halt[i] = 0; }
        float z = bh;
        for (int c = 0; c < C; c++) z += wh[c] * yi[c];
        float pi = 1.0f / (1.0f + expf(-z));
        int halts = m->fwd.frozen ? k == m->n_halt[i] : (cum[i] + pi >= thr || k == K);
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
    for (int b = 0; b < m->B; b++) {   // a row is done when all its positions have halted
        int done = 1;
        for (int t = 0; t < m->T; t++) done &= m->n_halt[b * m->T + t] > 0;
        m->row_done[b] = (uint8_t)done;
    }
    return running;
}

// act's output, ponder and loss term: the halting-weighted mix, mean (N + R), τ · ponder.
static const float *act_output(const Model *m) { return m->acts.mix; }
static double act_ponder(const Model *m) { return m->ponder_sum / (m->B * m->T); }
static double act_loss_term(const Model *m) { return m->hc.ponder_cost * m->ponder; }

// Gradcheck's prefix: the mix so far, the cumulative p and the ponder sum after loop prefix_loop.
static void act_prefix_save(Model *m) {
    size_t N = (size_t)m->B * m->T;
    memcpy(m->acts.pre_mix, m->acts.mix, N * m->C * sizeof(float));
    memcpy(m->acts.pre_cum, m->acts.cum, N * sizeof(float));
    m->prefix_ponder = m->ponder_sum;
}

static void act_prefix_restore(Model *m) {
    size_t N = (size_t)m->B * m->T;
    memcpy(m->acts.mix, m->acts.pre_mix, N * m->C * sizeof(float));
    memcpy(m->acts.cum, m->acts.pre_cum, N * sizeof(float));
    m->ponder_sum = m->prefix_ponder;
}

// The head reads the mix: its gradient dmix feeds every loop's weight; hq (N) = dmix · y_N, the
// remainder's share.
static void act_backward_prepare(Model *m, float scale) {
    int N = m->B * m->T, C = m->C;
    memset(m->gacts.dmix, 0, (size_t)N * C * sizeof(float));
    head_backward(m, m->acts.mix, m->gacts.dmix, scale);
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

static void act_backward_step(Model *m, int k, int slot, float ponder_scale) {
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

// ---- converge: parameter-free, per puzzle ------------------------------------------------
// After each loop the head reads the block output; a puzzle stops once its answer (the argmax
// at every position) has stayed the same for halting.patience loops, and its state is frozen
// from then on. It needs no head, so it works on any model, including ones trained with
// "none". Training loops a fixed number of times (there is no decision to learn).

// The top class of logits l (V) and, where p_top is not NULL, its softmax probability.
static int top_class(const float *l, int V, float *p_top) {
    int a = 0;
    for (int v = 1; v < V; v++) if (l[v] > l[a]) a = v;
    if (!p_top) return a;
    float sum = 0.0f;
    for (int v = 0; v < V; v++) sum += expf(l[v] - l[a]);
    *p_top = 1.0f / sum;
    return a;
}

static int converge_loop_step(Model *m, int k_batch, int K, int slot, const float *y, const float *h_prev, float *h) {
    if (m->training) return none_loop_step(m, k_batch, K, slot, y, h_prev, h);
    int B = m->B, T = m->T, C = m->C, V = m->Vout, M = m->M;
    size_t TC = (size_t)T * C;
    float *prev = m->acts.halt_scratch;                  // (B, T, V): [0] the previous loop's answer
    float *held = prev + (size_t)B * T * V;              // (B) loops the puzzle's answer has held
    head_forward(m, y, 0);                               // logits (N, V) of this loop's output
    int running = 0, conf = m->hc.confidence > 0.0f;   // confidence 0: no softmax needed
    for (int b = 0; b < B; b++) {
        int k = m->row_k[b];
        if (k > 1 && held[b] >= m->hc.patience) {   // stopped earlier: the state stays
            memcpy(h + b * TC, h_prev + b * TC, TC * sizeof(float));
            m->row_done[b] = 1;
            continue;
        }
        memcpy(h + b * TC, y + b * TC, TC * sizeof(float));
        int same = k > 1;
        for (int t = M; t < T; t++) {
            float p_top = 1.0f;
            int a = top_class(m->acts.logits + ((size_t)b * T + t) * V, V, conf ? &p_top : NULL);
            float *pv = prev + ((size_t)b * T + t) * V;   // a row's scratch is (T, V), as kl's
            same &= pv[0] == (float)a && p_top >= m->hc.confidence;
            pv[0] = (float)a;
        }
        held[b] = same ? held[b] + 1.0f : 0.0f;
        for (int t = 0; t < T; t++) m->n_halt[b * T + t] = k;
        running += held[b] < m->hc.patience;
        m->row_done[b] = held[b] >= m->hc.patience || k >= K;
    }
    return running * T;
}

// ---- kl: parameter-free, per puzzle (Huginn) -----------------------------------------------
// After each loop the head's distribution p_k at every position; a puzzle stops at the first
// loop k >= 2 where KL(p_k || p_{k-1}) = Σ_v p_k,v (log p_k,v - log p_{k-1},v) < halting.kl_eps
// at each of its positions (Geiping et al. 2025 exit per token; a puzzle is done when all its
// cells are). Like converge: no head, any model, the state frozen from the stop on.

static int kl_loop_step(Model *m, int k_batch, int K, int slot, const float *y, const float *h_prev, float *h) {
    if (m->training) return none_loop_step(m, k_batch, K, slot, y, h_prev, h);
    int B = m->B, T = m->T, C = m->C, V = m->Vout, M = m->M;
    size_t TC = (size_t)T * C;
    float *logp = m->acts.halt_scratch;                  // (B, T, V) the previous loop's log p
    float *stopped = logp + (size_t)B * T * V;           // (B) 1 once the puzzle stopped
    head_forward(m, y, 0);                               // logits (N, V) of this loop's output
    int running = 0;
    for (int b = 0; b < B; b++) {
        int k = m->row_k[b];
        if (k > 1 && stopped[b] != 0.0f) {   // stopped earlier: the state stays
            memcpy(h + b * TC, h_prev + b * TC, TC * sizeof(float));
            m->row_done[b] = 1;
            continue;
        }
        memcpy(h + b * TC, y + b * TC, TC * sizeof(float));
        double kl_max = 0.0;
        for (int t = M; t < T; t++) {
            const float *l = m->acts.logits + ((size_t)b * T + t) * V;
            float *lp = logp + ((size_t)b * T + t) * V;
            float mx = l[0];
            for (int v = 1; v < V; v++) mx = l[v] > mx ? l[v] : mx;
            double sum = 0.0;
            for (int v = 0; v < V; v++) sum += exp((double)(l[v] - mx));
            double lse = mx + log(sum), kl = 0.0;
            for (int v = 0; v < V; v++) {
                double cur = l[v] - lse;
                if (k > 1) kl += exp(cur) * (cur - lp[v]);
                lp[v] = (float)cur;
            }
            kl_max = kl > kl_max ? kl : kl_max;
        }
        stopped[b] = k > 1 && kl_max < m->hc.kl_eps;
        for (int t = 0; t < T; t++) m->n_halt[b * T + t] = k;
        running += stopped[b] == 0.0f;
        m->row_done[b] = stopped[b] != 0.0f || k >= K;
    }
    return running * T;
}

// ---- bce and q: a head on the answer state of trm/hrm --------------------------------------

// q_halt (and q_continue for q) into acts.qhalt rows 0 (1) from y's position 0.
static void qhead_logits(Model *m, const float *y) {
    int B = m->B, T = m->T, C = m->C, rows = halt_rule(m->hc.kind)->head_rows;
    for (int b = 0; b < B; b++)
        for (int r = 0; r < rows; r++) {
            const float *yb = y + (size_t)b * T * C, *w = m->params.whalt + (size_t)r * C;
            float q = m->params.bhalt[r];
            for (int c = 0; c < C; c++) q += w[c] * yb[c];
            m->acts.qhalt[r * B + b] = q;
        }
}

static int bce_halts(const Model *m, int b) { return m->acts.qhalt[b] > 0.0f; }
static int q_halts(const Model *m, int b) { return m->acts.qhalt[b] > m->acts.qhalt[m->B + b]; }

static double bce(double q, double t) { return fmax(q, 0.0) - q * t + log1p(exp(-fabs(q))); }
static float sigmoidf(float q) { return 1.0f / (1.0f + expf(-q)); }

// 1 if every target position of sample b is predicted right by the current logits.
static int sample_right(const Model *m, int b) {
    int T = m->T, V = m->Vout;
    for (int t = 0; t < T; t++) {
        int tg = m->targets[b * T + t];
        if (tg < 0) continue;
        const float *l = m->acts.logits + ((size_t)b * T + t) * V;
        for (int v = 0; v < V; v++) if (l[v] > l[tg]) return 0;
    }
    return 1;
}

// The head's loss term (after qhead_logits and the answer head): Σ_b BCE over its rows, scaled.
static double qhead_loss(Model *m) {
    int B = m->B, q = m->halt == HALT_Q;
    double hl = 0.0;
    for (int b = 0; b < B; b++) {
        hl += bce(m->acts.qhalt[b], sample_right(m, b));
        if (q) hl += bce(m->acts.qhalt[B + b], m->acts.qhalt[2 * B + b]);
    }
    return HALT_LOSS_WEIGHT * hl / B;
}

// dy (N, C) += d head_loss / d y; the head's parameter gradients accumulate.
static void qhead_backward(Model *m, const float *y, float *dy) {
    int B = m->B, T = m->T, C = m->C, rows = halt_rule(m->hc.kind)->head_rows;
    for (int b = 0; b < B; b++)
        for (int r = 0; r < rows; r++) {
            float target = r == 0 ? (float)sample_right(m, b) : m->acts.qhalt[2 * B + b];
            float dq = HALT_LOSS_WEIGHT / B * (sigmoidf(m->acts.qhalt[r * B + b]) - target);
            const float *yb = y + (size_t)b * T * C, *w = m->params.whalt + (size_t)r * C;
            float *dyb = dy + (size_t)b * T * C, *dw = m->grads.whalt + (size_t)r * C;
            for (int c = 0; c < C; c++) {
                dyb[c] += dq * w[c];
                dw[c] += dq * yb[c];
            }
            m->grads.bhalt[r] += dq;
        }
}

// q: the target of q_continue from the logits of the step after this one (row 2):
// σ(q_halt') at the sample's last allowed step, else σ(max(q_halt', q_continue')).
static void q_target(Model *m) {
    int B = m->B;
    for (int b = 0; b < B; b++) {
        float qh = m->acts.qhalt[b], qc = m->acts.qhalt[B + b];
        m->acts.qhalt[2 * B + b] = sigmoidf(m->last_step[b] ? qh : fmaxf(qh, qc));
    }
}

// ---- the table -----------------------------------------------------------------------------

// Indexed by halting.kind (config.h's HALT_KINDS names them).
static const HaltRule HALT_RULES[NUM_HALT_KINDS] = {
    [HALT_NONE] = {.loop_step = none_loop_step, .loop_backward_step = none_loop_backward_step},
    [HALT_ACT]  = {.head_rows = 1, .skips = 1, .loop_step = act_forward_step, .output = act_output,
                   .ponder = act_ponder, .loss_term = act_loss_term, .prefix_save = act_prefix_save,
                   .prefix_restore = act_prefix_restore, .loop_backward_prepare = act_backward_prepare,
                   .loop_backward_step = act_backward_step},
    [HALT_BCE]  = {.head_rows = 1, .sup_logits = qhead_logits, .sup_loss = qhead_loss,
                   .sup_backward = qhead_backward, .sup_halts = bce_halts},
    [HALT_CONVERGE] = {.loop_step = converge_loop_step, .loop_backward_step = none_loop_backward_step},
    [HALT_KL]   = {.loop_step = kl_loop_step, .loop_backward_step = none_loop_backward_step},
    [HALT_Q]    = {.head_rows = 2, .sup_logits = qhead_logits, .sup_loss = qhead_loss,
                   .sup_backward = qhead_backward, .sup_halts = q_halts, .sup_target = q_target},
};

const HaltRule *halt_rule(HaltKind kind) {
    CHECK(kind >= 0 && kind < NUM_HALT_KINDS, "no halting rule %d", (int)kind);
    const HaltRule *r = &HALT_RULES[kind];
    CHECK(r->loop_step || r->sup_logits, "halting.kind \"%s\" has no row in halting.c", HALT_NAMES[kind]);
    return r;
}
