// loop.c — the recursion: embed the puzzle once, apply the shared block again and again,
// read the answer out with the head. Scheme "loop": after each loop the halting rule
// (halting.c) turns the block output into the next state and says who still runs — "none"
// (ALBERT / looped block: a fixed number of loops), "act" (Universal Transformer per position).
//
// Activations live in a ring of W slots: loop k writes slot (k-1) % W, so after the forward
// the last W loops are still there and only they receive gradient (truncated backprop);
// earlier loops were run forward only. Inference uses W = 1: memory does not grow with loops.
#include "loopt/model.h"

#include <string.h>

#include "loopt/check.h"
#include "loopt/halting.h"
#include "loss.h"
#include "ops.h"

// emb rows [b0, b0 + nb) (nb*T, C) = wte[tok] + Σ_axes wcoord[coord]; memory-token rows = wmem.
static void embed_rows(Model *m, int b0, int nb) {
    int T = m->T, C = m->C, M = m->M;
    float *emb = m->acts.emb + (size_t)b0 * T * C;
    embedding_forward(emb, m->tokens + (size_t)b0 * T, m->params.wte, nb * T, C);
    for (int b = 0; b < nb; b++)
        if (M) memcpy(emb + (size_t)b * T * C, m->params.wmem, (size_t)M * C * sizeof(float));
    if (m->mc.positions == POS_COORDS && m->A)
        coord_embed_forward(emb, m->coord_ids, m->params.wcoord, nb, T, m->A, C);
}

void model_embed_forward(Model *m) { embed_rows(m, 0, m->B); }

void model_embed_backward(Model *m, const float *demb) {
    int B = m->B, T = m->T, C = m->C, M = m->M;
    if (m->mc.positions == POS_COORDS && m->A)
        coord_embed_backward(m->grads.wcoord, demb, m->coord_ids, B, T, m->A, C);
    for (int b = 0; b < B; b++) {
        const float *db = demb + (size_t)b * T * C;
        if (M) axpy(m->grads.wmem, 1.0f, db, M * C);
        embedding_backward(m->grads.wte, db + (size_t)M * C, m->tokens + (size_t)b * T + M, T - M, C);
    }
}

// Deep supervision (train.deep_supervision, not with a mixing rule): the loss is the mean of
// the head's loss on every loop of the kept window, so each loop learns to hold an answer.
static int deep_supervision(const Model *m) {
    return m->deep_supervision && !halt_rule(m->halt)->mixes;
}

// Whether the head's loss includes the hint head's (train.hints, model_set_hints).
static int hinted(const Model *m) { return m->Hn && m->hints_set; }

// logits (N, Vout) = wout · [rms](out); with targets also probs and losses, and with hints the
// hint head's: hlogits (N, Hn) = whint · [rms](out). Returns Σ loss + train.hints · Σ hint loss.
double model_head_forward(Model *m, const float *out, int with_targets) {
    int N = m->B * m->T, C = m->C;
    const float *hin = out;
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

// Backward of head_forward (whose caches must be current): dout (N, C) += scale · d loss / d out.
void model_head_backward(Model *m, const float *out, float *dout, float scale) {
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

void model_set_batch(Model *m, const int *tokens, const int *targets) {
    int B = m->B, T = m->T, M = m->M, S = m->shape.seq_len;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            m->tokens[b * T + t] = t < M ? 0 : tokens[b * S + t - M];
            m->targets[b * T + t] = (t < M || !targets) ? -1 : targets[b * S + t - M];
        }
}

void model_set_hints(Model *m, const int *hints) {
    CHECK(!hints || (m->Hn && m->hints), "model_set_hints: the model has no hint head, or is not training");
    m->hints_set = hints != NULL;
    if (!hints) return;
    int B = m->B, T = m->T, M = m->M, S = m->shape.seq_len;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) m->hints[b * T + t] = t < M ? -1 : hints[b * S + t - M];
}

double model_forward(Model *m, const int *tokens, const int *targets, int loops) {
    ForwardOpts o = {.loops = loops, .halting = HALT_DEFAULT};
    return model_forward_opts(m, tokens, targets, &o);
}

static double loop_forward(Model *m, const int *tokens, const int *targets, int loops);

double model_forward_opts(Model *m, const int *tokens, const int *targets, const ForwardOpts *o) {
    CHECK(m->acts_memory, "model_forward before model_alloc");
    CHECK(o->loops >= 1, "loops must be >= 1, got %d", o->loops);
    HaltKind halt = o->halting == HALT_DEFAULT ? m->hc.kind : (HaltKind)o->halting;
    CHECK(halt_rule(halt)->head_rows == 0 || halt == m->hc.kind,
          "halting \"%s\" needs its own trained head; this model has \"%s\"", HALT_NAMES[halt],
          HALT_NAMES[m->hc.kind]);
    CHECK(o->resume_loop == 0 || (halt == HALT_NONE && m->rc.scheme == SCHEME_LOOP && o->resume_loop < o->loops
                                  && m->loops_run == o->resume_loop && m->halt == HALT_NONE),
          "resume_loop %d: the last forward must have run that many fixed loops", o->resume_loop);
    CHECK(o->window >= 0 && o->window <= (m->rc.scheme == SCHEME_LOOP ? m->W : 0),
          "window %d: scheme loop only, at most the %d loops allocated", o->window, m->W);
    CHECK(o->loss_scale >= 0.0f && (o->loss_scale == 0.0f || o->loss_scale == 1.0f || m->rc.scheme == SCHEME_LOOP),
          "loss_scale: scheme loop only");
    m->fwd = *o;
    m->halt = halt;
    if (m->rc.scheme != SCHEME_LOOP) return recur_forward(m, tokens, targets, o->loops);
    return loop_forward(m, tokens, targets, o->loops);
}

static double loop_forward(Model *m, const int *tokens, const int *targets, int loops) {
    int B = m->B, T = m->T, C = m->C;
    int N = B * T, W = m->W;                          // ring slots
    int Wg = m->fwd.window ? m->fwd.window : W;       // loops with gradient (the last ones)
    size_t NC = (size_t)N * C;
    const HaltRule *rule = halt_rule(m->halt);
    int act = rule->mixes;
    model_set_batch(m, tokens, targets);
    model_embed_forward(m);

    // loops: u_1 = e; u_k = h_{k-1} + e (input injection) or h_{k-1}
    m->ponder_sum = 0.0;
    m->deep_sum = 0.0;
    int k_last = loops, k0 = 1;
    if (m->fwd.resume_loop > 0)
        k0 = m->fwd.resume_loop + 1;   // h of loop resume_loop is still in its ring slot
    if (m->fwd.prefix == PREFIX_REPLAY && m->fwd.prefix_loop > 0) {
        k0 = m->fwd.prefix_loop + 1;
        memcpy(m->acts.h + (size_t)((k0 - 2) % W) * NC, m->acts.pre_h, NC * sizeof(float));
        if (act) {
            memcpy(m->acts.mix, m->acts.pre_mix, NC * sizeof(float));
            memcpy(m->acts.cum, m->acts.pre_cum, N * sizeof(float));
            m->ponder_sum = m->prefix_ponder;
        }
    }
    for (int k = k0; k <= loops; k++) {
        int slot = (k - 1) % W;
        float *u = m->acts.u + (size_t)slot * NC;
        const float *h_prev = k > 1 ? m->acts.h + (size_t)((k - 2) % W) * NC : NULL;
        if (k == 1) memcpy(u, m->acts.emb, NC * sizeof(float));
        else if (m->mc.input_injection) add_forward(u, h_prev, m->acts.emb, (int)NC);
        else memcpy(u, h_prev, NC * sizeof(float));
        const float *y = block_forward(m, slot, 0, u);
        float *h = m->acts.h + (size_t)slot * NC;
        for (int b = 0; b < B; b++) m->row_k[b] = k;
        int running = rule->loop_step(m, k, loops, slot, y, h_prev, h);
        if (running == 0) { k_last = k; break; }
        if (targets && deep_supervision(m) && k < loops && k > loops - Wg)   // the last loop below
            m->deep_sum += model_head_forward(m, h, 1);
        if (m->fwd.prefix == PREFIX_SAVE && k == m->fwd.prefix_loop) {
            memcpy(m->acts.pre_h, h, NC * sizeof(float));
            if (act) {
                memcpy(m->acts.pre_mix, m->acts.mix, NC * sizeof(float));
                memcpy(m->acts.pre_cum, m->acts.cum, N * sizeof(float));
                m->prefix_ponder = m->ponder_sum;
            }
        }
    }
    m->loops_run = k_last;
    m->window_start = k_last - Wg + 1 > 1 ? k_last - Wg + 1 : 1;
    m->ponder = act ? m->ponder_sum / N : (double)k_last;

    // head on the output: the halting mix (act) or the last state
    const float *out = act ? m->acts.mix : m->acts.h + (size_t)((k_last - 1) % W) * NC;
    m->loss = m->ce_loss = 0.0;
    m->n_targets = 0;
    if (targets)
        for (int i = 0; i < N; i++) m->n_targets += m->targets[i] >= 0;
    double sum = model_head_forward(m, out, targets != NULL);
    if (!targets) return 0.0;
    m->ce_loss = m->n_targets ? sum / m->n_targets : 0.0;
    m->loss = m->ce_loss + (act ? m->hc.ponder_cost * m->ponder : 0.0);
    if (deep_supervision(m)) m->loss = (m->deep_sum + sum) / m->n_targets / (k_last - m->window_start + 1);
    if (m->fwd.loss_scale > 0.0f) m->loss *= m->fwd.loss_scale;
    return m->loss;
}

void model_backward(Model *m) {
    CHECK(m->training && m->grads_memory, "model_backward needs a model allocated for training");
    CHECK(m->n_targets > 0, "model_backward needs a forward with targets");
    if (m->rc.scheme != SCHEME_LOOP) { recur_backward(m); return; }
    int N = m->B * m->T, C = m->C, W = m->W;
    size_t NC = (size_t)N * C;
    const HaltRule *rule = halt_rule(m->halt);
    int act = rule->mixes, deep = deep_supervision(m);
    GradTensors *g = &m->gacts;
    int k_last = m->loops_run;
    float loss_scale = m->fwd.loss_scale > 0.0f ? m->fwd.loss_scale : 1.0f;
    float scale = loss_scale / (float)m->n_targets;
    if (deep) scale /= (float)(k_last - m->window_start + 1);   // the mean over supervised loops

    memset(g->demb, 0, NC * sizeof(float));
    memset(g->dstate, 0, NC * sizeof(float));
    if (act) {   // the head reads the mix: its gradient dmix feeds every loop's weight
        memset(g->dmix, 0, NC * sizeof(float));
        model_head_backward(m, m->acts.mix, g->dmix, scale);
    }
    if (rule->loop_backward_prepare) rule->loop_backward_prepare(m);
    float ponder_scale = loss_scale * m->hc.ponder_cost / (float)N;
    for (int k = k_last; k >= m->window_start; k--) {
        int slot = (k - 1) % W;
        const float *u = m->acts.u + (size_t)slot * NC;
        const float *h = m->acts.h + (size_t)slot * NC;
        if (!act && (k == k_last || deep)) {   // the head reads h_k: d h_k += head gradient
            if (k != k_last) model_head_forward(m, h, 1);
            model_head_backward(m, h, g->dstate, scale);
        }
        rule->loop_backward_step(m, k, slot, ponder_scale);   // dstate -> dy (+ passthrough)
        const float *du = block_backward(m, slot, 0, u, g->dy);
        axpy(g->dstate, 1.0f, du, (int)NC);                   // u_k = h_{k-1} + ...
        if (k == 1 || m->mc.input_injection) axpy(g->demb, 1.0f, du, (int)NC);
    }
    model_embed_backward(m, g->demb);
    // deep supervision recomputed the head on earlier loops: restore the last loop's logits
    if (deep && m->window_start < k_last) model_head_forward(m, m->acts.h + (size_t)((k_last - 1) % W) * NC, 1);
}

// ---- continuous batching (scheme loop, inference) -----------------------------------------
// Each row holds its own puzzle at its own loop (row_k); the block runs on every row at once,
// and a row whose answer is final is read out and takes the next puzzle — as LLM servers
// refill finished sequences. A row's computation never reads another row (attention mixes
// positions of one puzzle only), so its answer does not depend on its neighbours.

void model_stream_start(Model *m, int halting, int loops) {
    CHECK(m->acts_memory && !m->training && m->W == 1, "model_stream_start needs an inference allocation");
    CHECK(m->rc.scheme == SCHEME_LOOP, "continuous batching runs scheme loop only");
    HaltKind halt = halting == HALT_DEFAULT ? m->hc.kind : (HaltKind)halting;
    CHECK(halt_rule(halt)->head_rows == 0 || halt == m->hc.kind, "halting \"%s\" needs its own trained head",
          HALT_NAMES[halt]);
    CHECK(loops >= 1, "loops must be >= 1, got %d", loops);
    m->fwd = (ForwardOpts){.loops = loops, .halting = halting};
    m->halt = halt;
    m->ponder_sum = 0.0;
    m->B = m->B_cap;
    m->qkv_stale = 0;
    for (int b = 0; b < m->B; b++) { m->row_k[b] = 0; m->row_done[b] = 0; }
}

void model_stream_load(Model *m, int b, const int *tokens) {
    CHECK(b >= 0 && b < m->B, "row %d out of range", b);
    int T = m->T, M = m->M;
    for (int t = 0; t < T; t++) {
        m->tokens[(size_t)b * T + t] = t < M ? 0 : tokens[t - M];
        m->targets[(size_t)b * T + t] = -1;
    }
    embed_rows(m, b, 1);
    m->row_k[b] = 0;
    m->row_done[b] = 0;
}

// halting act with halting.skip: the positions that run the block this loop into m->run_rows;
// returns their count, or -1 when every position runs it. A position runs until it halts and
// one loop more: that loop's input is its frozen state, so the q, k, v it leaves in qkv are
// the ones every later loop would compute for it (its output is dropped: it has halted).
static int running_rows(Model *m) {
    if (!halt_rule(m->halt)->mixes || !m->hc.skip || !m->run_rows) return -1;
    if (m->qkv_stale) { m->qkv_stale = 0; return -1; }   // every cell refreshes its q, k, v
    int T = m->T, n = 0;
    for (int b = 0; b < m->B; b++) {
        int k = m->row_k[b];
        for (int t = 0; t < T; t++) {
            int halted = m->n_halt[b * T + t];   // the loop it halted at; 0 = still running
            if (k == 1 || halted == 0 || halted == k - 1) m->run_rows[n++] = b * T + t;
        }
    }
    return n;
}

int model_stream_step(Model *m) {
    int B = m->B, T = m->T, C = m->C;
    size_t TC = (size_t)T * C;
    const HaltRule *rule = halt_rule(m->halt);
    float *u = m->acts.u, *h = m->acts.h;   // one slot: h holds each row's state (B, T, C)
    for (int b = 0; b < B; b++) {
        int k = ++m->row_k[b];
        float *ub = u + b * TC;
        const float *eb = m->acts.emb + b * TC, *hb = h + b * TC;
        if (k == 1) memcpy(ub, eb, TC * sizeof(float));
        else if (m->mc.input_injection) add_forward(ub, hb, eb, (int)TC);
        else memcpy(ub, hb, TC * sizeof(float));
    }
    int n = running_rows(m);
    const float *y = n < 0 ? block_forward(m, 0, 0, u) : block_forward_rows(m, u, m->run_rows, n);
    rule->loop_step(m, 0, m->fwd.loops, 0, y, h, h);
    int done = 0;
    for (int b = 0; b < B; b++) done += m->row_done[b];
    if (done) model_head_forward(m, rule->mixes ? m->acts.mix : h, 0);
    return done;
}

// Per-row state of a stream: (row stride, base) pairs of every buffer a row carries.
static void move_rows(void *base, size_t stride, int to, int from) {
    memcpy((char *)base + (size_t)to * stride, (char *)base + (size_t)from * stride, stride);
}

void model_stream_move(Model *m, int to, int from) {
    CHECK(to >= 0 && from >= 0 && to < m->B && from < m->B, "rows %d, %d out of range", to, from);
    size_t T = (size_t)m->T, C = (size_t)m->C, V = (size_t)m->Vout;
    move_rows(m->tokens, T * sizeof(int), to, from);
    move_rows(m->targets, T * sizeof(int), to, from);
    move_rows(m->n_halt, T * sizeof(int), to, from);
    move_rows(m->acts.emb, T * C * sizeof(float), to, from);
    move_rows(m->acts.h, T * C * sizeof(float), to, from);
    move_rows(m->acts.mix, T * C * sizeof(float), to, from);
    move_rows(m->acts.cum, T * sizeof(float), to, from);
    move_rows(m->acts.halt_scratch, T * V * sizeof(float), to, from);
    float *per_row = m->acts.halt_scratch + (size_t)m->B * T * V;
    per_row[to] = per_row[from];
    m->row_k[to] = m->row_k[from];
    m->row_done[to] = m->row_done[from];
    m->qkv_stale = 1;   // the cached q, k, v of halted cells stayed in row `from`
}

void model_stream_rows(Model *m, int B) {
    CHECK(B >= 1 && B <= m->B_cap, "stream rows %d: at most the %d allocated", B, m->B_cap);
    size_t TV = (size_t)m->T * m->Vout;
    float *s = m->acts.halt_scratch;   // the per-row part sits after the (B, T, V) part: move it
    memmove(s + (size_t)B * TV, s + (size_t)m->B * TV, sizeof(float) * (size_t)(B < m->B ? B : m->B));
    if (B != m->B) m->qkv_stale = 1;   // each layer's slice of qkv starts elsewhere now
    m->B = B;
}

void model_stream_read(const Model *m, int b, int *pred, int *loops) {
    int T = m->T, M = m->M, S = m->shape.seq_len, V = m->Vout;
    argmax_rows(pred, m->acts.logits + ((size_t)b * T + M) * V, S, V);
    for (int t = 0; t < S; t++) loops[t] = m->n_halt[(size_t)b * T + M + t];
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
