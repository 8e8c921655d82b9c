// loop.c — scheme "loop": embed the puzzle once, apply the shared block again and again, read
// the answer out with the head. After each loop the halting rule (halting.c) turns the block
// output into the next state and says who still runs — "none" (ALBERT / looped block: a fixed
// number of loops), "act" (Universal Transformer per position), "converge", "kl".
//
// Activations live in a ring of W slots: loop k writes slot (k-1) % W, so after the forward
// the last W loops are still there and only they receive gradient (truncated backprop);
// earlier loops were run forward only. Inference uses W = 1: memory does not grow with loops.
// Also here: the family's training step (with the progressive loss) and continuous batching.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "block.h"
#include "embed.h"
#include "head.h"
#include "loopt/check.h"
#include "loopt/halting.h"
#include "loopt/scheme.h"
#include "loss.h"
#include "ops.h"

// Deep supervision (train.deep_supervision, not with a rule that has its own output): the loss
// is the mean of the head's loss on every loop of the kept window, so each loop learns to hold
// an answer.
static int deep_supervision(const Model *m) {
    return m->deep_supervision && !halt_rule(m->halt)->output;
}

// m->fwd.loops loops (the maximum under halting); loop k's input u_k (N, C) in ring slot (k-1) % W:
// u_1 = e; u_k = h_{k-1} + e (input injection) or h_{k-1}.
static double loop_forward(Model *m, const int *tokens, const int *targets) {
    int B = m->B, T = m->T, C = m->C, loops = m->fwd.loops;
    int N = B * T, W = m->W;                          // ring slots
    int Wg = m->fwd.window ? m->fwd.window : W;       // loops with gradient (the last ones)
    size_t NC = (size_t)N * C;
    const HaltRule *rule = halt_rule(m->halt);
    embed_set_batch(m, tokens, targets);
    embed_forward(m);

    m->ponder_sum = 0.0;
    m->deep_sum = 0.0;
    int k_last = loops, k0 = 1;
    if (m->fwd.resume_loop > 0)
        k0 = m->fwd.resume_loop + 1;   // h of loop resume_loop is still in its ring slot
    if (m->fwd.prefix == PREFIX_REPLAY && m->fwd.prefix_loop > 0) {
        k0 = m->fwd.prefix_loop + 1;
        memcpy(m->acts.h + (size_t)((k0 - 2) % W) * NC, m->acts.pre_h, NC * sizeof(float));
        if (rule->prefix_restore) rule->prefix_restore(m);
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
            m->deep_sum += head_forward(m, h, 1);
        if (m->fwd.prefix == PREFIX_SAVE && k == m->fwd.prefix_loop) {
            memcpy(m->acts.pre_h, h, NC * sizeof(float));
            if (rule->prefix_save) rule->prefix_save(m);
        }
    }
    m->loops_run = k_last;
    m->window_start = k_last - Wg + 1 > 1 ? k_last - Wg + 1 : 1;
    m->prefix_len = m->window_start - 1;
    m->ponder = rule->ponder ? rule->ponder(m) : (double)k_last;

    // head on the output: the rule's own (act: the halting mix) or the last state
    const float *out = rule->output ? rule->output(m) : m->acts.h + (size_t)((k_last - 1) % W) * NC;
    m->loss = m->ce_loss = 0.0;
    m->n_targets = 0;
    if (targets)
        for (int i = 0; i < N; i++) m->n_targets += m->targets[i] >= 0;
    double sum = head_forward(m, out, targets != NULL);
    if (!targets) return 0.0;
    m->ce_loss = m->n_targets ? sum / m->n_targets : 0.0;
    m->loss = m->ce_loss;
    if (rule->loss_term) m->loss += rule->loss_term(m);
    if (deep_supervision(m)) m->loss = (m->deep_sum + sum) / m->n_targets / (k_last - m->window_start + 1);
    if (m->fwd.loss_scale > 0.0f) m->loss *= m->fwd.loss_scale;
    return m->loss;
}

static void loop_backward(Model *m) {
    int N = m->B * m->T, C = m->C, W = m->W;
    size_t NC = (size_t)N * C;
    const HaltRule *rule = halt_rule(m->halt);
    int deep = deep_supervision(m);
    GradTensors *g = &m->gacts;
    int k_last = m->loops_run;
    float loss_scale = m->fwd.loss_scale > 0.0f ? m->fwd.loss_scale : 1.0f;
    float scale = loss_scale / (float)m->n_targets;
    if (deep) scale /= (float)(k_last - m->window_start + 1);   // the mean over supervised loops

    memset(g->demb, 0, NC * sizeof(float));
    memset(g->dstate, 0, NC * sizeof(float));
    if (rule->loop_backward_prepare) rule->loop_backward_prepare(m, scale);   // act: the head on its mix
    float ponder_scale = loss_scale * m->hc.ponder_cost / (float)N;
    for (int k = k_last; k >= m->window_start; k--) {
        int slot = (k - 1) % W;
        const float *u = m->acts.u + (size_t)slot * NC;
        const float *h = m->acts.h + (size_t)slot * NC;
        if (!rule->output && (k == k_last || deep)) {   // the head reads h_k: d h_k += head gradient
            if (k != k_last) head_forward(m, h, 1);
            head_backward(m, h, g->dstate, scale);
        }
        rule->loop_backward_step(m, k, slot, ponder_scale);   // dstate -> dy (+ passthrough)
        const float *du = block_backward(m, slot, 0, u, g->dy);
        axpy(g->dstate, 1.0f, du, (int)NC);                   // u_k = h_{k-1} + ...
        if (k == 1 || m->mc.input_injection) axpy(g->demb, 1.0f, du, (int)NC);
    }
    embed_backward(m, g->demb);
    // deep supervision recomputed the head on earlier loops: restore the last loop's logits
    if (deep && m->window_start < k_last) head_forward(m, m->acts.h + (size_t)((k_last - 1) % W) * NC, 1);
}

// ---- training: the progressive loss (DeepThinking, Bansal et al. 2022) ---------------------
// With train.progressive = α > 0, besides the K-loop loss each step draws n ~ U[0, K) and
// k ~ U[1, min(K − n, W)], runs n loops as a constant prefix and k with gradient, and adds
// that loss:  L = (1 − α) · L(K loops) + α · L(n + k loops, gradient through the last k)
// so each loop learns to improve whatever state it is given, not to count to K.

void loop_progressive_draw(const Model *m, uint64_t seed, int loops, long step, int *n, int *k) {
    Rng r;
    rng_seed(&r, seed ^ (0x70726f67ULL + (uint64_t)step * 0x9e3779b97f4a7c15ULL));
    *n = (int)rng_below(&r, (uint32_t)loops);
    int kmax = loops - *n < m->W ? loops - *n : m->W;
    *k = 1 + (int)rng_below(&r, (uint32_t)kmax);
}

// A forward of this family with options o and the model's halting rule (valid by construction).
static double run(Model *m, const int *tokens, const int *targets, ForwardOpts o) {
    o.halting = HALT_DEFAULT;
    m->fwd = o;
    m->halt = m->hc.kind;
    return loop_forward(m, tokens, targets);
}

// The progressive term first: the full-depth forward after it leaves the model's logits, losses
// and loops as a plain step does (for the training metrics).
static double loop_train_step(Model *m, const int *tokens, const int *targets, const TrainStep *ts) {
    double loss;
    if (ts->progressive > 0.0f) {
        int n, k;
        loop_progressive_draw(m, ts->seed, ts->loops, ts->step, &n, &k);
        loss = run(m, tokens, targets, (ForwardOpts){.loops = n + k, .window = k, .loss_scale = ts->progressive});
        if (!isfinite(loss)) return loss;
        loop_backward(m);
        loss += run(m, tokens, targets, (ForwardOpts){.loops = ts->loops, .loss_scale = 1.0f - ts->progressive});
    } else {
        loss = run(m, tokens, targets, (ForwardOpts){.loops = ts->loops});
    }
    if (isfinite(loss)) loop_backward(m);
    return loss;
}

// ---- continuous batching (scheme loop, inference) -----------------------------------------
// Each row holds its own puzzle at its own loop (row_k); the block runs on every row at once,
// and a row whose answer is final is read out and takes the next puzzle — as LLM servers
// refill finished sequences. A row's computation never reads another row (attention mixes
// positions of one puzzle only), so its answer does not depend on its neighbours.

void model_stream_start(Model *m, int halting, int loops) {
    CHECK(m->acts_memory && !m->training && m->W == 1, "model_stream_start needs an inference allocation");
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
    if (!halt_rule(m->halt)->skips || !m->run_rows) return -1;   // run_rows: halting.skip
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
    if (done) head_forward(m, rule->output ? rule->output(m) : h, 0);
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

// ---- the row ------------------------------------------------------------------------------

static int loop_depth(const RecursionConfig *rc) { return rc->loops; }
static int loop_weight_sets(const RecursionConfig *rc) { return 1; }
static int loop_slots(const Model *m, int window, int training) { return window; }
static void loop_validate(const Config *c, const char *name) {}

static void loop_describe(const RecursionConfig *rc, char *buf, size_t len) {
    if (rc->window && rc->window < rc->loops)
        snprintf(buf, len, "%d loops, gradient through the last %d", rc->loops, rc->window);
    else snprintf(buf, len, "%d loops, gradient through all", rc->loops);
}

const Scheme SCHEME_LOOP_ROW = {
    .name = "loop", .halts = HS_LOOP, .streams = 1, .fwd_opts = FWD_RESUME | FWD_WINDOW | FWD_SCALE,
    .depth = loop_depth, .weight_sets = loop_weight_sets, .slots = loop_slots, .validate = loop_validate,
    .describe = loop_describe, .forward = loop_forward, .backward = loop_backward,
    .train_step = loop_train_step,
};
