// huginn.c — scheme "huginn", the recurrent-depth transformer of Geiping et al. 2025 ("Scaling
// up test-time compute with latent reasoning"): a prelude of unshared blocks embeds the puzzle
// once into e, a core block is looped from a noise state, taking e at every loop through a
// concatenation adapter, and a coda of unshared blocks reads the last state out to the head.
// docs/schemes.md has the equations.
//
//   e   = prelude(x)                      x: the embedded puzzle (acts.emb)
//   s_0 ~ TruncNormal(0, noise_std², ±3 noise_std)   per entry, (N, C)
//   u_k = wadapt · [s_{k-1} ; e]          = W_s s_{k-1} + W_e e   (Linear 2C -> C, no bias)
//   s_k = core(u_k)                       k = 1 .. r
//   logits = wout · [rms](coda(s_r))
//
// Weights: the block tensors hold 1 + prelude + coda weight sets of model.n_layers layers
// each: part 0 the core, parts 1 .. P the prelude's blocks in order, then the coda's. Ring
// slots (training): the core's loops use slots 0 .. Wc-1 as scheme loop does (loop k in
// (k-1) % Wc, Wc = recursion.window, or the depth cap when it is 0), the prelude's blocks the
// next `prelude` slots and the coda's the last `coda`; every block application copies its input
// into acts.u of its slot, which the backward reads. Inference: one slot for everything.
//
// Training: the depth r of each step is drawn from (train.seed, step) (huginn_draw_depth) and
// gradient flows through the last `recursion.window` loops; s_0 of batch row b is drawn from
// (train.seed, step, b). Any other forward (gradcheck, eval, solve) draws s_0 of a puzzle from
// its tokens alone, so a puzzle's s_0 (and its answer, up to BLAS rounding) depends neither on
// the batch it came in nor on thread counts.
// Exits at inference: fixed loops, or a parameter-free rule of halting.c (converge, kl) read
// after every loop on the coda's answer; no continuous batching (Scheme.streams = 0: the
// model_stream_* functions are scheme loop's, in loop.c).
#include "huginn.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "block.h"
#include "embed.h"
#include "head.h"
#include "loopt/blas.h"
#include "loopt/check.h"
#include "loopt/halting.h"
#include "loopt/scheme.h"
#include "ops.h"

#define NOISE_TRUNC 3.0f                 // s_0 entries are redrawn outside ±3 std (Huginn's a, b)
#define TAG_DEPTH  0x687567696e2d64ULL   // stream tags: "hugin-d", "-t" (training noise), "-p" (puzzle)
#define TAG_TRAIN  0x687567696e2d74ULL
#define TAG_PUZZLE 0x687567696e2d70ULL

// ---- the parts and their slots --------------------------------------------------------------

static int n_prelude(const Model *m) { return m->rc.hg_prelude; }
static int n_coda(const Model *m) { return m->rc.hg_coda; }
// The core's ring of slots: all but the prelude's and coda's in training, the one slot at inference.
static int core_slots(const Model *m) { return m->training ? m->W - n_prelude(m) - n_coda(m) : 1; }
static int prelude_slot(const Model *m, int i) { return m->training ? core_slots(m) + i : 0; }
static int coda_slot(const Model *m, int j) { return m->training ? core_slots(m) + n_prelude(m) + j : 0; }

int huginn_max_depth(const RecursionConfig *rc) { return rc->hg_max_depth ? rc->hg_max_depth : 4 * rc->loops; }

// ---- the streams: the sampled depth and the initial state -----------------------------------

static uint64_t mix64(uint64_t z) {   // splitmix64's finaliser: every input bit moves every output bit
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform_open(Rng *r) { return ((double)rng_u32(r) + 0.5) / 4294967296.0; }   // (0, 1)

// Poisson(λ) by Knuth's product of uniforms, with e^λ multiplied in by chunks of at most e^500
// so that nothing underflows (the chunked form of the algorithm): draws λ + 1 uniforms on average.
static int poisson(Rng *r, double lambda) {
    int k = 0;
    double p = 1.0, left = lambda;
    do {
        k++;
        p *= uniform_open(r);
        while (p < 1.0 && left > 0.0) {
            double s = left > 500.0 ? 500.0 : left;
            p *= exp(s);
            left -= s;
        }
    } while (p > 1.0);
    return k - 1;
}

int huginn_draw_depth(const RecursionConfig *rc, uint64_t seed, long step) {
    Rng r;
    rng_seed(&r, mix64(mix64(TAG_DEPTH ^ seed) ^ (uint64_t)step));
    double sigma = rc->hg_sigma, mu = log((double)rc->loops) - 0.5 * sigma * sigma;
    double z = sqrt(-2.0 * log(uniform_open(&r))) * cos(6.283185307179586 * uniform_open(&r));
    double lambda = exp(mu + sigma * z);
    int cap = huginn_max_depth(rc);
    // past 4 · cap, P(1 + Poisson(λ) < cap) is below 1e-100: the cap decides, and the draw stays short
    if (lambda > 4.0 * cap) lambda = 4.0 * cap;
    int depth = 1 + poisson(&r, lambda);
    return depth < cap ? depth : cap;
}

// n entries of TruncNormal(0, std², ±3 std) from the stream of `key` into s.
static void fill_noise(float *s, size_t n, float std, uint64_t key) {
    if (std == 0.0f) { memset(s, 0, n * sizeof(float)); return; }
    Rng r;
    rng_seed(&r, key);
    for (size_t i = 0; i < n; i++) {
        float z;
        do z = rng_normal(&r); while (fabsf(z) > NOISE_TRUNC);
        s[i] = std * z;
    }
}

// s_0 (N, C) of every batch row: in a training step from (seed, step, row); otherwise from the
// row's puzzle tokens (FNV-1a over the ids, memory tokens excluded) alone.
static void draw_state(Model *m, const TrainStep *ts) {
    int T = m->T, M = m->M, C = m->C;
    size_t TC = (size_t)T * C;
    for (int b = 0; b < m->B; b++) {
        uint64_t key;
        if (ts) {
            key = mix64(mix64(mix64(TAG_TRAIN ^ ts->seed) ^ (uint64_t)ts->step) ^ (uint64_t)b);
        } else {
            uint64_t h = 0xcbf29ce484222325ULL;
            for (int t = M; t < T; t++) h = (h ^ (uint32_t)m->tokens[(size_t)b * T + t]) * 0x100000001b3ULL;
            key = mix64(TAG_PUZZLE ^ h);
        }
        fill_noise(m->acts.hg_s0 + b * TC, TC, m->rc.hg_noise_std, key);
    }
}

// ---- forward --------------------------------------------------------------------------------

// The blocks of parts [part0, part0 + n) on x (N, C), block i in slot slot_of(i); each input is
// copied into acts.u of its slot, which backward reads. Returns the last output (x when n = 0).
static const float *stack_forward(Model *m, const float *x, int part0, int n, int (*slot_of)(const Model *, int)) {
    size_t NC = (size_t)m->B * m->T * m->C;
    for (int i = 0; i < n; i++) {
        float *u = m->acts.u + (size_t)slot_of(m, i) * NC;   // (N, C)
        memcpy(u, x, NC * sizeof(float));
        x = block_forward(m, slot_of(m, i), part0 + i, u);
    }
    return x;
}

// Backward of stack_forward: d (N, C), the gradient at its output → the gradient at its input
// (one of block_backward's buffers, or d itself when n = 0).
static const float *stack_backward(Model *m, const float *d, int part0, int n, int (*slot_of)(const Model *, int)) {
    size_t NC = (size_t)m->B * m->T * m->C;
    for (int i = n - 1; i >= 0; i--)
        d = block_backward(m, slot_of(m, i), part0 + i, m->acts.u + (size_t)slot_of(m, i) * NC, d);
    return d;
}

// The coda on the state s (N, C): its output into acts.hg_out.
static void coda_forward(Model *m, const float *s) {
    size_t NC = (size_t)m->B * m->T * m->C;
    const float *out = stack_forward(m, s, 1 + n_prelude(m), n_coda(m), coda_slot);
    memcpy(m->acts.hg_out, out, NC * sizeof(float));
}

// u_k (N, C) = W_s · s_prev + e · W_e^T, the second term computed once per forward (hg_ew).
static void adapter_forward(Model *m, float *u, const float *s_prev) {
    int N = m->B * m->T, C = m->C;
    memcpy(u, m->acts.hg_ew, (size_t)N * C * sizeof(float));
    gemm_ex(0, 1, N, C, C, 1.0f, s_prev, C, m->params.wadapt, 2 * C, 1.0f, u, C);   // W_s: columns [0, C)
}

// m->fwd.loops loops (the maximum under an exit); `ts` a training step's (noise from its seed
// and step) or NULL (noise from each puzzle).
static double huginn_run(Model *m, const int *tokens, const int *targets, const TrainStep *ts) {
    int B = m->B, T = m->T, C = m->C, N = B * T, loops = m->fwd.loops, Wc = core_slots(m);
    size_t NC = (size_t)N * C;
    int Wg = m->rc.window ? m->rc.window : Wc;           // loops with gradient (training)
    CHECK(!m->training || m->rc.window || loops <= Wc, "huginn: %d loops with gradient through all, but %d "
          "slots (recursion.huginn.max_depth)", loops, Wc);
    const HaltRule *rule = halt_rule(m->halt);
    int per_loop = !m->training && m->halt != HALT_NONE;   // an exit reads the answer after every loop
    int start = m->training && loops - Wg + 1 > 1 ? loops - Wg + 1 : 1;   // first loop with gradient
    embed_set_batch(m, tokens, targets);
    embed_forward(m);
    const float *e = stack_forward(m, m->acts.emb, 1, n_prelude(m), prelude_slot);   // (N, C)
    gemm_ex(0, 1, N, C, C, 1.0f, e, C, m->params.wadapt + C, 2 * C, 0.0f, m->acts.hg_ew, C);   // W_e
    if (m->training) memcpy(m->acts.hg_e, e, NC * sizeof(float));
    draw_state(m, ts);

    m->ponder_sum = 0.0;
    int k0 = 1, k_last = loops;
    if (m->fwd.resume_loop > 0) k0 = m->fwd.resume_loop + 1;   // s of that loop is still in slot 0
    if (m->fwd.prefix == PREFIX_REPLAY && m->fwd.prefix_loop > 0) {
        CHECK(m->fwd.prefix_loop == start - 1, "huginn: replay from loop %d, the window starts at %d",
              m->fwd.prefix_loop, start);
        k0 = start;   // from the state entering the window, saved in hg_enter
    }
    for (int k = k0; k <= loops; k++) {
        int slot = (k - 1) % Wc;
        float *u = m->acts.u + (size_t)slot * NC, *s = m->acts.h + (size_t)slot * NC;   // (N, C) each
        const float *s_prev = k == 1 ? m->acts.hg_s0
                            : k == k0 && k0 == start && m->fwd.prefix == PREFIX_REPLAY ? m->acts.hg_enter
                            : m->acts.h + (size_t)((k - 2) % Wc) * NC;
        adapter_forward(m, u, s_prev);
        memcpy(s, block_forward(m, slot, 0, u), NC * sizeof(float));
        for (int b = 0; b < B; b++) m->row_k[b] = k;
        if (m->training && k == start - 1) memcpy(m->acts.hg_enter, s, NC * sizeof(float));
        if (per_loop) {   // the rule reads the coda's answer and freezes it for each stopped puzzle
            const float *out = stack_forward(m, s, 1 + n_prelude(m), n_coda(m), coda_slot);
            if (rule->loop_step(m, k, loops, 0, out, m->acts.hg_out, m->acts.hg_out) == 0) { k_last = k; break; }
        } else {
            for (int i = 0; i < N; i++) m->n_halt[i] = k;
        }
    }
    m->loops_run = k_last;
    m->window_start = start;
    m->prefix_len = start - 1;
    m->ponder = rule->ponder ? rule->ponder(m) : (double)k_last;
    if (!per_loop) coda_forward(m, m->acts.h + (size_t)((k_last - 1) % Wc) * NC);

    m->loss = m->ce_loss = 0.0;
    m->n_targets = 0;
    if (targets)
        for (int i = 0; i < N; i++) m->n_targets += m->targets[i] >= 0;
    double sum = head_forward(m, m->acts.hg_out, targets != NULL);
    if (!targets) return 0.0;
    m->ce_loss = m->n_targets ? sum / m->n_targets : 0.0;
    m->loss = m->ce_loss;
    return m->loss;
}

static double huginn_forward(Model *m, const int *tokens, const int *targets) {
    return huginn_run(m, tokens, targets, NULL);
}

// ---- backward -------------------------------------------------------------------------------
// head → coda → the kept loops, newest first (u_k = W_s s_{k-1} + W_e e: dW_s += du_k^T s_{k-1},
// ds_{k-1} = du_k W_s, and Σ_k du_k collects W_e e's gradient) → W_e and e → prelude → embedding.

static void huginn_backward(Model *m) {
    int N = m->B * m->T, C = m->C, Wc = core_slots(m);
    size_t NC = (size_t)N * C;
    GradTensors *g = &m->gacts;
    int k_last = m->loops_run, start = m->window_start;
    memset(g->dstate, 0, NC * sizeof(float));
    head_backward(m, m->acts.hg_out, g->dstate, 1.0f / (float)m->n_targets);
    const float *d = stack_backward(m, g->dstate, 1 + n_prelude(m), n_coda(m), coda_slot);   // d s_r
    if (d != g->dstate) memcpy(g->dstate, d, NC * sizeof(float));
    float *du_sum = g->demb;                                  // (N, C) Σ_k du_k
    memset(du_sum, 0, NC * sizeof(float));
    for (int k = k_last; k >= start; k--) {
        int slot = (k - 1) % Wc;
        const float *s_prev = k == 1 ? m->acts.hg_s0 : k == start ? m->acts.hg_enter
                            : m->acts.h + (size_t)((k - 2) % Wc) * NC;
        const float *du = block_backward(m, slot, 0, m->acts.u + (size_t)slot * NC, g->dstate);
        axpy(du_sum, 1.0f, du, (int)NC);
        gemm_ex(1, 0, C, C, N, 1.0f, du, C, s_prev, C, 1.0f, m->grads.wadapt, 2 * C);         // dW_s
        if (k > start) gemm_ex(0, 0, N, C, C, 1.0f, du, C, m->params.wadapt, 2 * C, 0.0f, g->dstate, C);
    }
    gemm_ex(1, 0, C, C, N, 1.0f, du_sum, C, m->acts.hg_e, C, 1.0f, m->grads.wadapt + C, 2 * C);  // dW_e
    gemm_ex(0, 0, N, C, C, 1.0f, du_sum, C, m->params.wadapt + C, 2 * C, 0.0f, g->dmix, C);      // de
    embed_backward(m, stack_backward(m, g->dmix, 1, n_prelude(m), prelude_slot));
}

// ---- training: the sampled depth --------------------------------------------------------------

static double huginn_train_step(Model *m, const int *tokens, const int *targets, const TrainStep *ts) {
    CHECK(ts->progressive == 0.0f, "the progressive loss runs with scheme loop");
    m->fwd = (ForwardOpts){.loops = huginn_draw_depth(&m->rc, ts->seed, ts->step), .halting = HALT_DEFAULT};
    m->halt = m->hc.kind;
    double loss = huginn_run(m, tokens, targets, ts);
    if (isfinite(loss)) huginn_backward(m);
    return loss;
}

// ---- the row --------------------------------------------------------------------------------

static int huginn_depth(const RecursionConfig *rc) { return rc->loops; }
static int huginn_weight_sets(const RecursionConfig *rc) { return 1 + rc->hg_prelude + rc->hg_coda; }

static int huginn_slots(const Model *m, int window, int training) {
    if (!training) return 1;
    int core = m->rc.window ? m->rc.window : huginn_max_depth(&m->rc);
    return core + m->rc.hg_prelude + m->rc.hg_coda;
}

static void huginn_validate(const Config *c, const char *name) {
    const RecursionConfig *r = &c->recursion;
    const HaltRule *rule = halt_rule(c->halting.kind);
    if (rule->head_rows || rule->output)
        die(EXIT_USAGE, "%s: halting.kind: scheme \"huginn\" takes the parameter-free exits \"none\", \"converge\" "
            "and \"kl\" (Huginn's: KL between successive answers), not \"%s\"", name, HALT_NAMES[c->halting.kind]);
    if (r->hg_max_depth && r->hg_max_depth < r->loops)
        die(EXIT_USAGE, "%s: recursion.huginn.max_depth: expected 0 (4 x loops) or at least recursion.loops = %d, "
            "got %d", name, r->loops, r->hg_max_depth);
    if (!c->model.input_injection)
        die(EXIT_USAGE, "%s: model.input_injection: scheme \"huginn\" always takes the prelude's output through its "
            "adapter; expected true", name);
    if (c->train.deep_supervision)
        die(EXIT_USAGE, "%s: train.deep_supervision: scheme \"huginn\" trains on the coda's answer after the "
            "sampled depth; expected false", name);
    if (c->train.progressive > 0.0f)
        die(EXIT_USAGE, "%s: train.progressive: the progressive loss runs with scheme \"loop\"; huginn samples its "
            "depth per step instead (recursion.huginn.sigma); expected 0", name);
}

static void huginn_describe(const RecursionConfig *rc, char *buf, size_t len) {
    char grad[40];
    if (rc->window) snprintf(grad, sizeof grad, "the last %d", rc->window);
    else snprintf(grad, sizeof grad, "all");
    snprintf(buf, len, "prelude %d, core looped 1+Poisson(LogNormal) times (mean %d, sigma %g, cap %d; "
             "gradient through %s), coda %d, adapter concat 2C->C, noise std %g", rc->hg_prelude, rc->loops + 1,
             rc->hg_sigma, huginn_max_depth(rc), grad, rc->hg_coda, rc->hg_noise_std);
}

const Scheme SCHEME_HUGINN_ROW = {
    .name = "huginn", .halts = HS_LOOP, .streams = 0, .fwd_opts = FWD_RESUME,
    .depth = huginn_depth, .weight_sets = huginn_weight_sets, .slots = huginn_slots,
    .validate = huginn_validate, .describe = huginn_describe, .forward = huginn_forward,
    .backward = huginn_backward, .train_step = huginn_train_step, .adapter = 1,
};
