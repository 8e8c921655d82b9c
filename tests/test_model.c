// test_model.c — the whole looped model: gradients by finite differences for every scheme
// and option, the ring of loop slots (inference W = 1 equals training W = loops), ACT's
// halting extremes, and a tiny model overfitting 16 Sudoku puzzles (the training path is real).
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/blas.h"
#include "loopt/config.h"
#include "loopt/gradcheck.h"
#include "loopt/model.h"
#include "loopt/optim.h"
#include "loopt/schedule.h"
#include "loopt/scheme.h"
#include "loopt/sudoku.h"
#include "block.h"
#include "loopt/taskmodel.h"
#include "huginn.h"
#include "test.h"

static int coords[81 * 3];

static void tiny_config(Config *c, HaltKind halt) {
    config_defaults(c);
    c->model.d_model = 16;
    c->model.n_heads = 2;
    c->model.n_layers = 2;
    c->model.init_std = 0.2f;
    c->recursion.loops = 3;
    c->recursion.window = 0;
    c->halting.kind = halt;
    c->halting.bias_init = -1.0f;   // several loops really used before halting
    c->train.batch = 2;
}

static void random_batch(Rng *r, const TaskShape *s, int B, int *tok, int *tgt) {
    for (int i = 0; i < B * s->seq_len; i++) {
        tok[i] = (int)rng_below(r, (uint32_t)s->vocab);
        tgt[i] = (int)rng_below(r, (uint32_t)s->n_out);
    }
}

// A model of config c (init stream `seed`) and a random batch of 2 for it.
static void tiny_model(const Config *c, uint64_t seed, Model *m, int *tok, int *tgt) {
    TaskShape shape; task_shape(&shape, coords, c, 0, 0);
    Rng r; rng_seed(&r, seed);
    model_init(m, c, &shape, &r);
    random_batch(&r, &shape, 2, tok, tgt);
}

// Gradcheck one configuration with forward options fo; returns the worst relative error.
static double check_opts(const Config *c, const ForwardOpts *fo) {
    TaskShape shape;
    task_shape(&shape, coords, c, 0, 0);
    Rng r;
    rng_seed(&r, 7);
    Model m;
    model_init(&m, c, &shape, &r);
    // the halting unit starts at zero weights (and q's two rows equal): give it values, so its
    // gradient and everything downstream of it are checked away from that special point
    for (size_t i = 0; i < m.param_sizes[PARAM_whalt]; i++) m.params.whalt[i] = 0.3f * rng_normal(&r);
    for (size_t i = 0; i < m.param_sizes[PARAM_bhalt]; i++) m.params.bhalt[i] += 0.5f * (float)i;
    int W = c->recursion.window ? c->recursion.window : c->recursion.loops;
    model_alloc(&m, c->train.batch, W, 1);
    int n = c->train.batch * shape.seq_len;
    int *tok = malloc(n * sizeof(int)), *tgt = malloc(n * sizeof(int));
    random_batch(&r, &shape, c->train.batch, tok, tgt);
    int *hint = malloc(n * sizeof(int));   // train.hints: random classes and none (-1)
    for (int i = 0; i < n && m.Hn; i++) hint[i] = (int)rng_below(&r, (uint32_t)(m.Hn + 1)) - 1;
    if (m.Hn) model_set_hints(&m, hint);
    GradcheckResult res;
    gradcheck_model(&m, tok, tgt, fo, 12, 1e-2f, &r, &res);
    for (int t = 0; t < NUM_PARAM_TENSORS; t++)
        if (res.max_rel[t] >= 1e-2) test_fail(__FILE__, __LINE__, "tensor %s: max rel err %.3e", PARAMS[t].name, res.max_rel[t]);
    free(tok); free(tgt); free(hint);
    model_free(&m);
    return res.worst;
}

// Gradcheck one configuration as training runs it (its loops, its own halting rule).
static double check_config(const Config *c) {
    return check_opts(c, &(ForwardOpts){.loops = c->recursion.loops, .halting = HALT_DEFAULT});
}

TEST(model_d_ff_auto) {
    ModelConfig m = {0};
    m.d_model = 128;
    EXPECT(model_d_ff(&m) == 344);   // ceil(8*128/3) = 342 -> 344
    m.d_model = 16;
    EXPECT(model_d_ff(&m) == 48);    // ceil(42.67) = 43 -> 48
    m.d_model = 24;
    EXPECT(model_d_ff(&m) == 64);    // exactly 64
    m.d_ff = 100;
    EXPECT(model_d_ff(&m) == 100);
}

TEST(model_gradcheck_none) {
    threads_set(2);
    for (int L = 1; L <= 2; L++) {
        Config c; tiny_config(&c, HALT_NONE); c.model.n_layers = L;
        EXPECT(check_config(&c) < 1e-2);
    }
}

TEST(model_gradcheck_act) {
    for (int L = 1; L <= 2; L++) {
        Config c; tiny_config(&c, HALT_ACT); c.model.n_layers = L;
        EXPECT(check_config(&c) < 1e-2);
    }
}

TEST(model_gradcheck_memory_tokens) {
    for (int h = 0; h < 2; h++) {
        Config c; tiny_config(&c, h ? HALT_ACT : HALT_NONE); c.model.memory_tokens = 2;
        EXPECT(check_config(&c) < 1e-2);
    }
}

TEST(model_gradcheck_truncation_window) {
    for (int h = 0; h < 2; h++) {
        Config c; tiny_config(&c, h ? HALT_ACT : HALT_NONE);
        c.recursion.loops = 5; c.recursion.window = 2;
        EXPECT(check_config(&c) < 1e-2);
        c.recursion.window = 1;
        EXPECT(check_config(&c) < 1e-2);
    }
}

TEST(model_gradcheck_prenorm_gain_rope_noinject) {
    for (int h = 0; h < 2; h++) {
        Config c; tiny_config(&c, h ? HALT_ACT : HALT_NONE);
        c.model.norm = NORM_PRE; c.model.norm_gain = 1;
        EXPECT(check_config(&c) < 1e-2);
        tiny_config(&c, h ? HALT_ACT : HALT_NONE);
        c.model.positions = POS_ROPE;
        EXPECT(check_config(&c) < 1e-2);
        tiny_config(&c, h ? HALT_ACT : HALT_NONE);
        c.model.input_injection = 0;
        EXPECT(check_config(&c) < 1e-2);
    }
}

TEST(model_gradcheck_deep_supervision) {
    Config c; tiny_config(&c, HALT_NONE);
    c.train.deep_supervision = 1;
    EXPECT(check_config(&c) < 1e-2);
    c.model.norm = NORM_PRE;
    EXPECT(check_config(&c) < 1e-2);
    tiny_config(&c, HALT_NONE);
    c.train.deep_supervision = 1; c.recursion.loops = 5; c.recursion.window = 2;
    EXPECT(check_config(&c) < 1e-2);
}

// The local mixer on mazes (a 2-D grid, no positions): alone, with pre-norm and rope, and
// truncated with deep supervision.
TEST(model_gradcheck_local_mixer) {
    for (int h = 0; h < 2; h++) {
        Config c; tiny_config(&c, h ? HALT_ACT : HALT_NONE);
        c.task = TASK_MAZE; c.data.maze_size = 7;
        c.model.mixer = MIXER_LOCAL; c.model.positions = POS_NONE;
        EXPECT(check_config(&c) < 1e-2);
        c.model.norm = NORM_PRE; c.model.norm_gain = 1; c.model.positions = POS_ROPE;
        EXPECT(check_config(&c) < 1e-2);
    }
    Config c; tiny_config(&c, HALT_NONE);
    c.task = TASK_MAZE; c.data.maze_size = 7; c.model.mixer = MIXER_LOCAL; c.model.positions = POS_NONE;
    c.train.deep_supervision = 1; c.recursion.loops = 5; c.recursion.window = 2;
    EXPECT(check_config(&c) < 1e-2);
}

// TRM and HRM: gradient of what backprop touches (the last cycle's kept updates; the state
// entering them is held fixed by the prefix replay), for every option the schemes add.
static void recur_config(Config *c, SchemeKind scheme) {
    tiny_config(c, HALT_BCE);
    c->recursion.scheme = scheme;
    c->recursion.loops = 2;             // supervision steps: one without gradient, one with
    c->recursion.trm_n = 2; c->recursion.trm_T = 2;
    c->recursion.hrm_k = 2; c->recursion.hrm_N = 2;
}

TEST(model_gradcheck_trm) {
    Config c; recur_config(&c, SCHEME_TRM);
    EXPECT(check_config(&c) < 1e-2);
    c.recursion.trm_T = 1; c.recursion.loops = 1;   // from (yinit, zinit) straight into the kept cycle
    EXPECT(check_config(&c) < 1e-2);
    recur_config(&c, SCHEME_TRM);
    c.halting.kind = HALT_NONE; c.model.norm_gain = 1; c.model.memory_tokens = 1;
    EXPECT(check_config(&c) < 1e-2);
    recur_config(&c, SCHEME_TRM);
    c.task = TASK_MAZE; c.data.maze_size = 7; c.model.mixer = MIXER_LOCAL; c.model.positions = POS_NONE;
    EXPECT(check_config(&c) < 1e-2);
}

// URM's ConvSwiGLU (model.ffn): along the sequence and on the grid, kernels 1-3, memory tokens,
// pre-norm, ACT with a window, trm, the maze with the local mixer.
TEST(model_gradcheck_convswiglu) {
    for (int v = 0; v < 7; v++) {
        Config c; tiny_config(&c, v == 3 ? HALT_ACT : HALT_NONE);
        c.model.ffn = FFN_CONVSWIGLU;
        c.model.conv_kernel = v == 1 ? 3 : v == 5 ? 1 : 2;
        c.model.conv_axis = v == 2 || v == 4 || v == 6 ? CONV_GRID : CONV_SEQUENCE;
        if (v == 1 || v == 2) c.model.memory_tokens = 2;
        if (v == 2) { c.model.norm = NORM_PRE; c.model.norm_gain = 1; }
        if (v == 3) { c.recursion.loops = 4; c.recursion.window = 2; }
        if (v == 4) recur_config(&c, SCHEME_TRM), c.model.ffn = FFN_CONVSWIGLU, c.model.conv_axis = CONV_GRID;
        if (v == 6) { c.task = TASK_MAZE; c.data.maze_size = 7; c.model.mixer = MIXER_LOCAL; c.model.positions = POS_ROPE; }
        EXPECTF(check_config(&c) < 1e-2, "variant %d", v);
    }
}

// The check must see a wrong convolution gradient: one entry of wconv's gradient scaled by 1.5.
TEST(model_gradcheck_catches_wrong_convswiglu) {
    Config c; tiny_config(&c, HALT_NONE);
    c.model.ffn = FFN_CONVSWIGLU;
    Model m; int tok[162], tgt[162];
    tiny_model(&c, 3, &m, tok, tgt);
    model_alloc(&m, 2, 3, 1);
    model_zero_grad(&m);
    model_forward(&m, tok, tgt, 3);
    model_backward(&m);
    size_t i = 7;   // an entry of wconv: channel 3, tap 1 (the position itself)
    float *p = &m.params.wconv[i], saved = *p;
    *p = saved + 1e-2f; double lp = model_forward(&m, tok, tgt, 3);
    *p = saved - 1e-2f; double lm = model_forward(&m, tok, tgt, 3);
    *p = saved;
    double fd = (lp - lm) / 2e-2, g = m.grads.wconv[i];
    EXPECTF(fabs(1.5 * g - fd) / fmax(fabs(1.5 * g), fabs(fd)) > 0.2, "scaled gradient %g not told apart from fd %g", 1.5 * g, fd);
    EXPECTF(fabs(g - fd) / fmax(fabs(g), fabs(fd)) < 2e-2, "true gradient %g vs fd %g", g, fd);
    model_free(&m);
}

// The hint head (train.hints) on mazes: a plain loop, deep supervision through a window,
// pre-norm, act and trm. check_opts draws the hints after the batch (random classes); a model
// with a hint head and no hints set has the loss of the same model without the head.
static double check_hints(Config *c) {
    c->task = TASK_MAZE; c->data.maze_size = 7; c->model.mixer = MIXER_LOCAL; c->model.positions = POS_NONE;
    c->train.hints = 0.7f;
    return check_config(c);
}

TEST(model_gradcheck_hints) {
    Config c; tiny_config(&c, HALT_NONE);
    EXPECT(check_hints(&c) < 1e-2);
    c.train.deep_supervision = 1; c.recursion.loops = 5; c.recursion.window = 2;
    EXPECT(check_hints(&c) < 1e-2);
    tiny_config(&c, HALT_NONE); c.model.norm = NORM_PRE; c.model.norm_gain = 1;
    EXPECT(check_hints(&c) < 1e-2);
    tiny_config(&c, HALT_ACT);
    EXPECT(check_hints(&c) < 1e-2);
    recur_config(&c, SCHEME_TRM);
    EXPECT(check_hints(&c) < 1e-2);
}

TEST(model_hints_join_the_loss) {
    Config c; tiny_config(&c, HALT_NONE);
    c.task = TASK_MAZE; c.data.maze_size = 7; c.model.mixer = MIXER_LOCAL; c.model.positions = POS_NONE;
    Model plain, hinted; int tok[98], tgt[98], hint[98];
    tiny_model(&c, 21, &plain, tok, tgt);
    c.train.hints = 0.5f;
    tiny_model(&c, 21, &hinted, tok, tgt);   // the same weights but whint (the table's last tensor);
                                             // both run this call's batch
    EXPECT(hinted.Hn == 3 && hinted.param_sizes[PARAM_whint] == 3 * 16 && plain.param_sizes[PARAM_whint] == 0);
    model_alloc(&plain, 2, 3, 1);
    model_alloc(&hinted, 2, 3, 1);
    double l0 = model_forward(&plain, tok, tgt, 3);
    EXPECT(model_forward(&hinted, tok, tgt, 3) == l0);   // no hints set: no hint loss
    for (int i = 0; i < 98; i++) hint[i] = i % 4 - 1;     // -1 (none) and the three classes
    model_set_hints(&hinted, hint);
    double lh = model_forward(&hinted, tok, tgt, 3);
    EXPECT(lh > l0 + 0.1);   // 0.5 · 74 cells of about log 3 each, over 98 targets
    model_set_hints(&hinted, NULL);
    EXPECT(model_forward(&hinted, tok, tgt, 3) == l0);
    model_free(&plain);
    model_free(&hinted);
}

// The MLP token mixer (TRM-MLP) in the plain loop and in trm. Its fan-in is the sequence
// length (81), so a smaller init keeps the finite differences in their linear range.
TEST(model_gradcheck_mlp_mixer) {
    Config c; tiny_config(&c, HALT_NONE);
    c.model.mixer = MIXER_MLP; c.model.init_std = 0.05f;
    EXPECT(check_config(&c) < 1e-2);
    c.model.norm = NORM_PRE; c.model.memory_tokens = 2;
    EXPECT(check_config(&c) < 1e-2);
    recur_config(&c, SCHEME_TRM);
    c.model.mixer = MIXER_MLP; c.model.init_std = 0.05f;
    EXPECT(check_config(&c) < 1e-2);
}

TEST(model_gradcheck_hrm) {
    for (int shared = 0; shared < 2; shared++) {
        Config c; recur_config(&c, SCHEME_HRM);
        c.recursion.hrm_shared = shared;
        EXPECT(check_config(&c) < 1e-2);
        c.halting.kind = HALT_Q;   // Q-learning head: q_continue's target is held fixed
        EXPECT(check_config(&c) < 1e-2);
        c.halting.kind = HALT_BCE;
        c.recursion.hrm_k = 3; c.recursion.hrm_N = 1; c.recursion.loops = 1;
        EXPECT(check_config(&c) < 1e-2);
    }
}

// trm/hrm's initial states yinit, zinit are fixed buffers (model.h's decay column -1): the state
// entering the kept updates is a constant for backprop, so no gradient reaches them, and AdamW
// leaves them alone even when handed one; the other tensors train.
TEST(model_recur_init_states_fixed) {
    for (int s = 0; s < 2; s++) {
        Config c; recur_config(&c, s ? SCHEME_HRM : SCHEME_TRM);
        c.recursion.trm_T = 1; c.recursion.n_sup = 1;   // yinit, zinit enter the kept cycle directly
        EXPECT(!param_trained(PARAM_yinit) && !param_trained(PARAM_zinit) && param_trained(PARAM_wfc));
        Model m; int tok[162], tgt[162];
        tiny_model(&c, 9, &m, tok, tgt);
        model_alloc(&m, 2, 1, 1);
        Optimizer o; optim_init(&o, &m, &c.train);
        size_t C = (size_t)m.C;
        float y0[64], z0[64], w0 = m.params.wfc[3];
        memcpy(y0, m.params.yinit, C * sizeof(float));
        memcpy(z0, m.params.zinit, C * sizeof(float));
        for (int step = 0; step < 3; step++) {
            model_zero_grad(&m);
            model_forward(&m, tok, tgt, config_depth(&c));
            model_backward(&m);
            double gy = 0.0;
            for (size_t i = 0; i < C; i++) gy += fabs(m.grads.yinit[i]) + fabs(m.grads.zinit[i]);
            EXPECTF(gy == 0.0, "%s: yinit/zinit received a gradient (%g)", SCHEME_NAMES[c.recursion.scheme], gy);
            m.grads.yinit[0] = 1.0f;   // even a gradient handed to it does not move a fixed buffer
            optim_step(&o, &m, &c.train);
        }
        EXPECT(memcmp(y0, m.params.yinit, C * sizeof(float)) == 0);
        EXPECT(memcmp(z0, m.params.zinit, C * sizeof(float)) == 0);
        EXPECT(m.params.wfc[3] != w0);
        optim_free(&o);
        model_free(&m);
    }
}

// trm/hrm: the forward is the same with the kept slots (training) as with one (inference), and
// a halting logit far above zero stops every sample after its first supervision step.
TEST(model_recur_slots_and_halting) {
    for (int s = 0; s < 2; s++) {
        Config c; recur_config(&c, s ? SCHEME_HRM : SCHEME_TRM);
        c.halting.kind = HALT_NONE;
        c.recursion.loops = 3;
        Model m; int tok[162], tgt[162];
        tiny_model(&c, 13, &m, tok, tgt);
        model_alloc(&m, 2, 0, 1);
        EXPECT(m.W == (s ? 2 : 3));
        double lt = model_forward(&m, tok, tgt, 3);
        float *logits = malloc(m.act_sizes[ACT_logits] * sizeof(float));
        memcpy(logits, m.acts.logits, m.act_sizes[ACT_logits] * sizeof(float));
        model_alloc(&m, 2, 0, 0);
        EXPECT(m.W == 1);
        double li = model_forward(&m, tok, tgt, 3);
        EXPECT(li == lt);
        EXPECT(memcmp(logits, m.acts.logits, m.act_sizes[ACT_logits] * sizeof(float)) == 0);
        free(logits);
        model_free(&m);
    }
    Config c; recur_config(&c, SCHEME_TRM);
    c.halting.bias_init = 20.0f;
    Model m; int tok[162], tgt[162], used[162];
    tiny_model(&c, 14, &m, tok, tgt);
    model_alloc(&m, 2, 1, 0);
    model_forward(&m, tok, NULL, 5);
    float *logits = malloc(m.act_sizes[ACT_logits] * sizeof(float));
    memcpy(logits, m.acts.logits, m.act_sizes[ACT_logits] * sizeof(float));
    model_loops_used(&m, used);
    EXPECT(used[0] == 1 && used[161] == 1);
    m.params.bhalt[0] = -20.0f;   // never halts: 1 step by --iters 1 must give the same answer
    model_forward(&m, tok, NULL, 1);
    EXPECT(memcmp(logits, m.acts.logits, m.act_sizes[ACT_logits] * sizeof(float)) == 0);
    model_forward(&m, tok, NULL, 5);
    model_loops_used(&m, used);
    EXPECT(used[0] == 5 && used[161] == 5);
    free(logits);
    model_free(&m);
}

// A gradcheck must be able to fail: corrupt one gradient entry and see it caught.
TEST(model_gradcheck_catches_wrong_gradient) {
    Config c; tiny_config(&c, HALT_NONE);
    TaskShape shape; task_shape(&shape, coords, &c, 0, 0);
    Rng r; rng_seed(&r, 3);
    Model m; model_init(&m, &c, &shape, &r);
    model_alloc(&m, 2, 3, 1);
    int tok[162], tgt[162];
    random_batch(&r, &shape, 2, tok, tgt);
    // forward/backward, then compare a deliberately scaled gradient against differences
    model_zero_grad(&m);
    model_forward(&m, tok, tgt, 3);
    model_backward(&m);
    size_t i = 5;   // an entry of wte
    float g = m.grads.wte[i] * 1.5f;
    float *p = &m.params.wte[i], saved = *p;
    *p = saved + 1e-2f; double lp = model_forward(&m, tok, tgt, 3);
    *p = saved - 1e-2f; double lm = model_forward(&m, tok, tgt, 3);
    *p = saved;
    double fd = (lp - lm) / 2e-2;
    EXPECTF(fabs(g - fd) / fmax(fabs(g), fabs(fd)) > 0.2, "scaled gradient %g not told apart from fd %g", g, fd);
    EXPECTF(fabs(m.grads.wte[i] - fd) / fmax(fabs(m.grads.wte[i]), fabs(fd)) < 2e-2,
            "true gradient %g vs fd %g", m.grads.wte[i], fd);
    model_free(&m);
}

// Inference keeps one loop slot; the answer must not depend on how many slots are kept.
// Also the inference allocation's shared layer buffers (La = 1): pre-norm, local and mlp mixers,
// convswiglu.
TEST(model_ring_slots_do_not_change_forward) {
    for (int h = 0; h < 7; h++) {
        Config c; tiny_config(&c, h == 1 || h == 6 ? HALT_ACT : HALT_NONE);
        c.halting.bias_init = -2.0f;
        if (h == 2) c.model.norm = NORM_PRE;
        if (h == 3) c.model.mixer = MIXER_LOCAL;
        if (h == 4) c.model.mixer = MIXER_MLP;
        if (h >= 5) c.model.ffn = FFN_CONVSWIGLU;   // convswiglu: its c buffer shared by the layers too
        if (h == 6) c.model.conv_axis = CONV_GRID;
        Model m; int tok[162], tgt[162];
        tiny_model(&c, 11, &m, tok, tgt);
        model_alloc(&m, 2, 6, 1);
        double l6 = model_forward(&m, tok, tgt, 6);
        float *logits6 = malloc(m.act_sizes[ACT_logits] * sizeof(float));
        memcpy(logits6, m.acts.logits, m.act_sizes[ACT_logits] * sizeof(float));
        int run6 = m.loops_run;
        model_alloc(&m, 2, 1, 0);
        double l1 = model_forward(&m, tok, tgt, 6);
        EXPECT(m.loops_run == run6);
        EXPECT(l1 == l6);
        EXPECT(memcmp(logits6, m.acts.logits, m.act_sizes[ACT_logits] * sizeof(float)) == 0);
        free(logits6);
        model_free(&m);
    }
}

TEST(model_act_halting_extremes) {
    Config c; tiny_config(&c, HALT_ACT);
    TaskShape shape; task_shape(&shape, coords, &c, 0, 0);
    int tok[162], tgt[162];
    Rng r; rng_seed(&r, 5);
    random_batch(&r, &shape, 2, tok, tgt);
    int used[162];
    // a halting bias far above zero: p ~ 1 at the first loop, everybody stops there
    c.halting.bias_init = 20.0f;
    Model m; model_init(&m, &c, &shape, &r);
    model_alloc(&m, 2, 1, 0);
    model_forward(&m, tok, tgt, 8);
    EXPECT(m.loops_run == 1);
    model_loops_used(&m, used);
    EXPECT(used[0] == 1 && used[161] == 1);
    EXPECT_NEAR(m.ponder, 2.0, 1e-5);   // N + R = 1 + 1
    model_free(&m);
    // far below zero: nobody reaches the threshold, all 8 loops run, R ~ 1
    c.halting.bias_init = -20.0f;
    model_init(&m, &c, &shape, &r);
    model_alloc(&m, 2, 1, 0);
    model_forward(&m, tok, tgt, 8);
    EXPECT(m.loops_run == 8);
    model_loops_used(&m, used);
    EXPECT(used[0] == 8 && used[100] == 8);
    EXPECT_NEAR(m.ponder, 9.0, 1e-4);
    model_free(&m);
}

// Training does not depend on the thread count: gemm splits big products by rows or columns of
// the output (each element the same sum), attention runs each (batch, head) pair on one thread,
// element-wise loops are per row, and the gradient norm adds fixed chunks in order. Three
// optimizer steps (with clipping) on 1 and 3 threads give the same bits, at a size where the
// products really are split.
TEST(model_training_same_on_any_thread_count) {
    Config c;
    config_defaults(&c);
    c.model.d_model = 64; c.model.n_heads = 4; c.model.n_layers = 1;
    c.recursion.loops = 2;
    c.train.batch = 16; c.train.lr = 3e-3f; c.train.clip = 0.5f;
    TaskShape shape; task_shape(&shape, coords, &c, 0, 0);
    int tok[16 * 81], tgt[16 * 81];
    uint8_t q[81], a[81];
    Rng gen; rng_seed(&gen, 5);
    for (int i = 0; i < 16; i++) {
        sudoku_generate(&gen, 30, 40, q, a, NULL);
        for (int j = 0; j < 81; j++) { tok[i * 81 + j] = q[j]; tgt[i * 81 + j] = a[j]; }
    }
    float *after[2];
    for (int run = 0; run < 2; run++) {
        threads_set(run == 0 ? 1 : 3);
        Rng r; rng_seed(&r, 1);
        Model m; model_init(&m, &c, &shape, &r);
        model_alloc(&m, 16, c.recursion.loops, 1);
        Optimizer o; optim_init(&o, &m, &c.train);
        for (int step = 0; step < 3; step++) {
            model_zero_grad(&m);
            model_forward(&m, tok, tgt, c.recursion.loops);
            model_backward(&m);
            optim_step(&o, &m, &c.train);
        }
        after[run] = malloc(m.num_params * sizeof(float));
        memcpy(after[run], m.params_memory, m.num_params * sizeof(float));
        if (run == 1) {
            size_t differ = 0;
            for (size_t i = 0; i < m.num_params; i++) differ += after[0][i] != after[1][i];
            EXPECTF(differ == 0, "%zu of %zu parameters differ between 1 and 3 threads", differ, m.num_params);
        }
        optim_free(&o);
        model_free(&m);
    }
    free(after[0]); free(after[1]);
    threads_set(0);
}

// A tiny model must overfit 16 fixed puzzles to 100% cell accuracy: loss, gradients and
// optimizer really wired together.
TEST(model_overfits_16_sudoku) {
    threads_set(1);   // tiny matrices: one thread is fastest
    Config c;
    config_defaults(&c);
    c.model.d_model = 64; c.model.n_heads = 4; c.model.n_layers = 1;
    c.recursion.loops = 2;
    c.train.batch = 16; c.train.lr = 3e-3f; c.train.warmup = 20; c.train.steps = 1000;
    c.train.lr_schedule = SCHED_CONSTANT; c.train.weight_decay = 0.0f; c.train.ema = 0.0f;
    TaskShape shape; task_shape(&shape, coords, &c, 0, 0);
    Rng r; rng_seed(&r, 1);
    int tok[16 * 81], tgt[16 * 81], pred[16 * 81];
    uint8_t q[81], a[81];
    for (int i = 0; i < 16; i++) {
        sudoku_generate(&r, 30, 40, q, a, NULL);
        for (int j = 0; j < 81; j++) { tok[i * 81 + j] = q[j]; tgt[i * 81 + j] = a[j]; }
    }
    Model m; model_init(&m, &c, &shape, &r);
    model_alloc(&m, 16, c.recursion.loops, 1);
    Optimizer o; optim_init(&o, &m, &c.train);
    double acc = 0.0;
    long step;
    for (step = 0; step < c.train.steps; step++) {
        model_zero_grad(&m);
        model_forward(&m, tok, tgt, c.recursion.loops);
        model_backward(&m);
        optim_step(&o, &m, &c.train);
        if (step % 25 == 24) {
            model_predict(&m, pred);
            int right = 0;
            for (int i = 0; i < 16 * 81; i++) right += pred[i] == tgt[i];
            acc = right / (16.0 * 81.0);
            if (acc == 1.0) break;
        }
    }
    EXPECTF(acc == 1.0, "cell accuracy %.4f after %ld steps (loss %.4f)", acc, step, m.ce_loss);
    printf("    overfit: 100%% cells after %ld steps, loss %.4f\n", step + 1, m.ce_loss);
    optim_free(&o);
    model_free(&m);
}

// For the parameter-free exits' tests: a model of config c (init stream 3) allocated for
// inference on batches of B, and a random batch of B puzzles in tok.
static void exit_model(const Config *c, Model *m, int *tok, int B) {
    TaskShape shape; task_shape(&shape, coords, c, 0, 0);
    Rng r; rng_seed(&r, 3);
    model_init(m, c, &shape, &r);
    model_alloc(m, B, 1, 0);
    int *tgt = malloc(sizeof(int) * (size_t)B * shape.seq_len);
    random_batch(&r, &shape, B, tok, tgt);
    free(tgt);
}

// The convergence exit (halting "converge", parameter-free) on a model trained without a
// halting head, run as a forward option: each puzzle stops at the first loop L where its
// answer has held for `patience` loops, and its answer is then exactly that of L fixed loops
// (its state is frozen from L on), and L - patience fixed loops gave the same answer already.
// The progressive loss's forward (DeepThinking): n loops without gradient, then k with, the
// loss scaled by its weight. Its gradient is checked with the n-loop prefix held fixed (the
// state entering the window is replayed), for fixed looping and for ACT, with and without
// input injection.
TEST(model_gradcheck_progressive) {
    const HaltKind kinds[] = {HALT_NONE, HALT_ACT};
    for (int i = 0; i < 4; i++) {
        Config c;
        tiny_config(&c, kinds[i % 2]);
        c.recursion.loops = 5;
        c.model.input_injection = i < 2;
        ForwardOpts fo = {.loops = 4, .halting = HALT_DEFAULT, .window = 2, .loss_scale = 0.3f};
        double worst = check_opts(&c, &fo);
        EXPECTF(worst < 1e-2, "%s, injection %d: worst rel err %.3e", HALT_NAMES[kinds[i % 2]],
                c.model.input_injection, worst);
    }
}

// A training step with the progressive loss accumulates exactly (1 − α) · the K-loop gradient
// plus α · the gradient of its (n, k) forward, and resumes: the draw depends on the step only.
TEST(schedule_progressive_step) {
    Config c;
    tiny_config(&c, HALT_NONE);
    c.recursion.loops = 6;
    int tok[2 * 81], tgt[2 * 81];
    Model m; tiny_model(&c, 9, &m, tok, tgt);
    model_alloc(&m, 2, 6, 1);
    float alpha = 0.25f;
    Schedule s; schedule_init(&s, &m, 1, alpha, 42);
    size_t P = m.num_params;
    float *g = malloc(P * sizeof(float)), *full = malloc(P * sizeof(float));
    long step = 17;
    model_zero_grad(&m);
    schedule_loss_grad(&s, &m, tok, tgt, 6, step);
    memcpy(g, m.grads_memory, P * sizeof(float));
    model_zero_grad(&m);
    model_forward(&m, tok, tgt, 6);
    model_backward(&m);
    memcpy(full, m.grads_memory, P * sizeof(float));
    int n, k, n2, k2;
    loop_progressive_draw(&m, 42, 6, step, &n, &k);
    loop_progressive_draw(&m, 42, 6, step, &n2, &k2);
    EXPECT(n == n2 && k == k2 && n >= 0 && k >= 1 && n + k <= 6);
    model_zero_grad(&m);
    model_forward_opts(&m, tok, tgt, &(ForwardOpts){.loops = n + k, .halting = HALT_DEFAULT, .window = k});
    model_backward(&m);
    double worst = 0.0, gmax = 0.0;
    for (size_t i = 0; i < P; i++) {
        double want = (1.0 - alpha) * full[i] + alpha * m.grads_memory[i];
        worst = fmax(worst, fabs(g[i] - want));
        gmax = fmax(gmax, fabs(want));
    }
    EXPECTF(worst <= 1e-5 * gmax, "progressive step gradient off by %.3e (scale %.3e)", worst, gmax);
    int varied = 0;   // the draws vary with the step
    for (long t = 0; t < 20; t++) { loop_progressive_draw(&m, 42, 6, t, &n2, &k2); varied |= n2 != n || k2 != k; }
    EXPECT(varied);
    free(g); free(full);
    schedule_free(&s);
    model_free(&m);
}

TEST(model_converge_exit) {
    Config c;
    tiny_config(&c, HALT_NONE);
    c.halting.patience = 2;
    enum { B = 8, K = 40 };
    Model m;
    int tok[B * 81], conv[B * 81], fixed[B * 81], used[B * 81];
    exit_model(&c, &m, tok, B);
    ForwardOpts o = {.loops = K, .halting = HALT_CONVERGE};
    model_forward_opts(&m, tok, NULL, &o);
    model_predict(&m, conv);
    model_loops_used(&m, used);
    int early = 0;
    for (int b = 0; b < B; b++) {
        int L = used[b * 81];
        EXPECTF(L >= 1 + c.halting.patience && L <= K, "puzzle %d stopped at loop %d", b, L);
        for (int t = 0; t < 81; t++) EXPECT(used[b * 81 + t] == L);
        early += L < K;
        for (int back = 0; back <= c.halting.patience && L < K; back++) {
            model_forward(&m, tok, NULL, L - back);
            model_predict(&m, fixed);
            EXPECTF(!memcmp(fixed + b * 81, conv + b * 81, sizeof(int) * 81),
                    "puzzle %d stopped at loop %d: its answer differs from %d fixed loops", b, L, L - back);
        }
    }
    EXPECTF(early > 0, "no puzzle stopped before loop %d", K);
    EXPECT(m.loops_run <= K);
    model_free(&m);
}

// The KL exit on B puzzles of tok at most K loops: each stops at a loop L in [2, K] with exactly
// the answer of L fixed loops, and some stop before K.
static void expect_kl_exit_as_fixed(Model *m, const int *tok, int B, int K) {
    int *got = malloc(sizeof(int) * (size_t)B * 81), *fixed = malloc(sizeof(int) * (size_t)B * 81);
    int *used = malloc(sizeof(int) * (size_t)B * 81);
    model_forward_opts(m, tok, NULL, &(ForwardOpts){.loops = K, .halting = HALT_KL});
    model_predict(m, got);
    model_loops_used(m, used);
    int early = 0;
    for (int b = 0; b < B; b++) {
        int L = used[b * 81];
        EXPECTF(L >= 2 && L <= K, "puzzle %d stopped at loop %d", b, L);
        early += L < K;
        model_forward(m, tok, NULL, L);
        model_predict(m, fixed);
        EXPECTF(!memcmp(fixed + b * 81, got + b * 81, sizeof(int) * 81),
                "puzzle %d stopped at loop %d: its answer differs from %d fixed loops", b, L, L);
    }
    EXPECTF(early > 0, "no puzzle stopped before loop %d", K);
    free(got); free(fixed); free(used);
}

// The KL exit (halting "kl", parameter-free, Huginn): a puzzle stops at the first loop L >= 2
// where successive loops' output distributions differ by KL < kl_eps at every cell; its
// answer is then exactly that of L fixed loops, and some puzzles stop before the last loop.
TEST(model_kl_exit) {
    Config c;
    tiny_config(&c, HALT_NONE);
    c.halting.kl_eps = 1e-2f;
    enum { B = 8, K = 40 };
    Model m;
    int tok[B * 81];
    exit_model(&c, &m, tok, B);
    expect_kl_exit_as_fixed(&m, tok, B, K);
    model_free(&m);
}

// Continuous batching gives every puzzle the answer and loops of a plain forward, whatever row
// it lands in and whichever puzzles run beside it: 11 puzzles through 4 rows, in input order
// and reversed, for fixed looping, the convergence exit and ACT; and for ACT with one layer per
// loop and halting.skip, whose halted cells skip the block (the plain forward runs them all).
static void stream_all(Model *m, int halting, int K, const int *tok, const int *order, int n, int tail,
                       int *pred, int *loops) {
    int B = m->B, live[8], S = 81, next = 0;
    model_stream_start(m, halting, K);
    for (int b = 0; b < B; b++) { live[b] = order[next]; model_stream_load(m, b, tok + (size_t)order[next++] * S); }
    for (int left = n, rows = B; left > 0;) {
        if (!model_stream_step(m)) continue;
        for (int b = 0; b < rows; b++) {
            if (!m->row_done[b] || live[b] < 0) continue;
            model_stream_read(m, b, pred + (size_t)live[b] * S, loops + (size_t)live[b] * S);
            left--;
            live[b] = next < n ? order[next] : -1;
            if (next < n) model_stream_load(m, b, tok + (size_t)order[next++] * S);
        }
        if (next == n && rows > 1 && tail) {   // the tail: the running rows moved together
            int k = 0;
            for (int b = 0; b < rows; b++)
                if (live[b] >= 0) { if (b != k) model_stream_move(m, k, b); live[k++] = live[b]; }
            for (int b = k; b < rows; b++) live[b] = -1;
            if (k > 0) model_stream_rows(m, rows = k);
        }
    }
    model_stream_rows(m, B);
}

TEST(model_stream_matches_forward) {
    enum { B = 4, N = 11, S = 81 };
    const struct { HaltKind kind; int K, skip, conv; } cases[] = {
        {HALT_NONE, 6, 0, 0}, {HALT_CONVERGE, 40, 0, 0}, {HALT_ACT, 8, 0, 0}, {HALT_KL, 40, 0, 0}, {HALT_ACT, 8, 1, 0},
        {HALT_ACT, 8, 1, 1}};   // convswiglu: a cell's FFN reads its neighbours, so no cell skips
    for (int c_i = 0; c_i < 6; c_i++) {
        Config c;
        tiny_config(&c, cases[c_i].kind == HALT_ACT ? HALT_ACT : HALT_NONE);
        c.halting.skip = cases[c_i].skip;   // exact with one layer per loop (model.c)
        if (cases[c_i].skip) c.model.n_layers = 1;
        if (cases[c_i].conv) c.model.ffn = FFN_CONVSWIGLU;
        c.halting.patience = 2;
        c.halting.kl_eps = 1e-2f;
        int K = cases[c_i].K;
        TaskShape shape; task_shape(&shape, coords, &c, 0, 0);
        Rng r; rng_seed(&r, 5);
        Model m; model_init(&m, &c, &shape, &r);
        // a random halting unit, so that ACT's positions stop at different loops
        for (size_t i = 0; i < m.param_sizes[PARAM_whalt]; i++) m.params.whalt[i] = 0.5f * rng_normal(&r);
        model_alloc(&m, B, 1, 0);
        int tok[(N + B) * S], tgt[(N + B) * S], ref[N * S], ref_l[N * S], got[N * S], got_l[N * S];
        int out[B * S], used[B * S], order[N];
        random_batch(&r, &shape, N + B, tok, tgt);
        EXPECT(!cases[c_i].skip || cases[c_i].conv || m.run_rows);
        EXPECT(!cases[c_i].conv || !m.run_rows);
        for (int i0 = 0; i0 < N; i0 += B) {   // the plain forward, B at a time
            ForwardOpts o = {.loops = K, .halting = cases[c_i].kind};
            model_forward_opts(&m, tok + (size_t)i0 * S, NULL, &o);
            model_predict(&m, out);
            model_loops_used(&m, used);
            int nb = N - i0 < B ? N - i0 : B;
            memcpy(ref + (size_t)i0 * S, out, sizeof(int) * nb * S);
            memcpy(ref_l + (size_t)i0 * S, used, sizeof(int) * nb * S);
        }
        int varied = 0;
        for (int i = 1; i < N * S; i++) varied |= ref_l[i] != ref_l[0];
        EXPECTF(cases[c_i].kind == HALT_NONE || varied, "%s: every puzzle ran the same loops",
                HALT_NAMES[cases[c_i].kind]);
        for (int run = 0; run < 4; run++) {   // in order / reversed, without / with the tail shrunk
            int rev = run & 1, tail = run >> 1;
            for (int i = 0; i < N; i++) order[i] = rev ? N - 1 - i : i;
            memset(got, 0xff, sizeof got);
            stream_all(&m, cases[c_i].kind, K, tok, order, N, tail, got, got_l);
            EXPECTF(!memcmp(got, ref, sizeof ref), "%s%s%s: answers differ from the plain forward",
                    HALT_NAMES[cases[c_i].kind], rev ? " (reversed)" : "", tail ? " (tail shrunk)" : "");
            EXPECTF(!memcmp(got_l, ref_l, sizeof ref_l), "%s%s%s: loops differ from the plain forward",
                    HALT_NAMES[cases[c_i].kind], rev ? " (reversed)" : "", tail ? " (tail shrunk)" : "");
        }
        model_free(&m);
    }
}

// halting.skip: with one layer per loop, the block run on the running positions alone gives
// their rows of the whole block's output; a halted position (its input unchanged since its
// last loop) is seen through the q, k, v row that loop left in qkv. Both mixers, pre- and
// post-norm, with and without rope; 5 of 2 x 81 positions still run.
TEST(model_block_rows_one_layer_exact) {
    for (int v = 0; v < 4; v++) {
        Config c; tiny_config(&c, HALT_ACT);
        c.model.n_layers = 1;
        if (v & 1) { c.task = TASK_MAZE; c.data.maze_size = 9; c.model.mixer = MIXER_LOCAL; c.model.positions = POS_NONE; }
        if (v & 2) { c.model.norm = NORM_PRE; c.model.positions = POS_ROPE; }
        TaskShape shape; task_shape(&shape, coords, &c, 0, 0);
        Rng r; rng_seed(&r, 11 + v);
        Model m; model_init(&m, &c, &shape, &r);
        model_alloc(&m, 2, 1, 0);
        EXPECT(m.acts.run_qkv != NULL);
        size_t NC = (size_t)m.B * m.T * m.C;
        float *x0 = malloc(NC * sizeof(float)), *x1 = malloc(NC * sizeof(float));
        float *ref = malloc(NC * sizeof(float));
        for (size_t i = 0; i < NC; i++) x0[i] = x1[i] = rng_normal(&r);
        int rows[5] = {3, 40, 80, 81, 150}, n = 5;
        for (int j = 0; j < n; j++)   // the running positions' states moved on
            for (int ch = 0; ch < m.C; ch++) x1[(size_t)rows[j] * m.C + ch] += rng_normal(&r);
        memcpy(ref, block_forward(&m, 0, 0, x1), NC * sizeof(float));
        block_forward(&m, 0, 0, x0);   // the previous loop: every q, k, v row from x0
        const float *got = block_forward_rows(&m, x1, rows, n);
        double worst = 0.0;
        for (int j = 0; j < n; j++)
            for (int ch = 0; ch < m.C; ch++) {
                size_t i = (size_t)rows[j] * m.C + ch;
                double d = fabs((double)got[i] - ref[i]);
                if (d > worst) worst = d;
            }
        EXPECTF(worst < 1e-4, "variant %d: running rows differ from the whole block by %g", v, worst);
        free(x0); free(x1); free(ref);
        model_free(&m);
    }
}

// ---- scheme huginn (huginn.c) -----------------------------------------------------------------

static void huginn_config(Config *c) {
    tiny_config(c, HALT_NONE);
    c->recursion.scheme = SCHEME_HUGINN;
    c->model.n_layers = 1;
    c->recursion.loops = 4;
    c->recursion.window = 2;
    c->recursion.hg_max_depth = 8;
}

// Gradients by finite differences: the prelude, the adapter's two halves, the core through a
// truncation window (the state entering it replayed), the coda; stacks of 0 to 2 blocks,
// pre-norm with gains, memory tokens, no noise, the local mixer.
TEST(model_gradcheck_huginn) {
    threads_set(2);
    for (int v = 0; v < 6; v++) {
        Config c; huginn_config(&c);
        if (v == 1) { c.recursion.window = 0; c.recursion.hg_prelude = 2; c.recursion.hg_coda = 0; c.model.memory_tokens = 2; }
        if (v == 2) { c.recursion.hg_prelude = 0; c.recursion.hg_coda = 2; c.model.norm = NORM_PRE; c.model.norm_gain = 1; }
        if (v == 3) { c.model.n_layers = 2; c.recursion.loops = 3; c.recursion.window = 3; }
        if (v == 4) { c.recursion.hg_noise_std = 0.0f; c.recursion.loops = 5; c.recursion.window = 1; }
        if (v == 5) c.model.mixer = MIXER_LOCAL;
        double worst = check_config(&c);
        EXPECTF(worst < 1e-2, "variant %d: worst rel err %.3e", v, worst);
    }
}

// The check must fail on a wrong gradient of each new part: an entry of the adapter's state
// half (W_s) and prelude half (W_e), of the prelude's block (weight set 1) and of the coda's
// (set 2), scaled by 1.5, is told apart from central differences; the true one is not.
TEST(model_huginn_catches_wrong_gradient) {
    Config c; huginn_config(&c);
    c.recursion.window = 0;
    Model m; int tok[162], tgt[162];
    tiny_model(&c, 3, &m, tok, tgt);
    model_alloc(&m, 2, 4, 1);
    model_zero_grad(&m);
    model_forward(&m, tok, tgt, 4);
    model_backward(&m);
    int C = m.C;
    size_t wfc_set = (size_t)m.L * 2 * m.F * C;   // one weight set of wfc
    struct { float *p, *g; const char *what; } e[4] = {
        {m.params.wadapt + 3 * 2 * C + 5, m.grads.wadapt + 3 * 2 * C + 5, "wadapt, state half"},
        {m.params.wadapt + 7 * 2 * C + C + 2, m.grads.wadapt + 7 * 2 * C + C + 2, "wadapt, prelude half"},
        {m.params.wfc + wfc_set + 11, m.grads.wfc + wfc_set + 11, "wfc of the prelude"},
        {m.params.wfc + 2 * wfc_set + 13, m.grads.wfc + 2 * wfc_set + 13, "wfc of the coda"},
    };
    for (int i = 0; i < 4; i++) {
        float saved = *e[i].p, h = 1e-2f;
        *e[i].p = saved + h; double lp = model_forward(&m, tok, tgt, 4);
        *e[i].p = saved - h; double lm = model_forward(&m, tok, tgt, 4);
        *e[i].p = saved;
        double fd = (lp - lm) / (2.0 * h), g = *e[i].g, wrong = 1.5 * g;
        EXPECTF(fabs(g) > 1e-4, "%s: gradient %g too small to test", e[i].what, g);
        EXPECTF(fabs(wrong - fd) / fmax(fabs(wrong), fabs(fd)) > 0.2, "%s: scaled gradient %g not told apart from fd %g",
                e[i].what, wrong, fd);
        EXPECTF(fabs(g - fd) / fmax(fabs(g), fabs(fd)) < 2e-2, "%s: gradient %g vs fd %g", e[i].what, g, fd);
    }
    model_free(&m);
}

// The sampled depth: a function of (seed, step) alone (so --resume draws the same), in
// [1, max_depth], varying with the step, mean r̄ + 1 (σ 0.5, r̄ 8: E = 9 before the cap of 32).
TEST(huginn_depth_draws) {
    Config c; huginn_config(&c);
    c.recursion.loops = 8; c.recursion.hg_max_depth = 0;
    EXPECT(huginn_max_depth(&c.recursion) == 32);
    double sum = 0.0;
    int lo = 1 << 30, hi = 0, n = 4000;
    for (long step = 0; step < n; step++) {
        int r = huginn_draw_depth(&c.recursion, 42, step);
        EXPECT(r == huginn_draw_depth(&c.recursion, 42, step));
        lo = r < lo ? r : lo; hi = r > hi ? r : hi;
        sum += r;
    }
    EXPECTF(lo >= 1 && hi <= 32 && hi > lo + 8, "depths in [%d, %d]", lo, hi);
    EXPECTF(fabs(sum / n - 9.0) < 0.25, "mean depth %.3f, expected about 9", sum / n);
    int differ = 0;
    for (long step = 0; step < 50; step++)
        differ += huginn_draw_depth(&c.recursion, 42, step) != huginn_draw_depth(&c.recursion, 43, step);
    EXPECT(differ > 10);
    c.recursion.hg_max_depth = 5;   // the cap
    for (long step = 0; step < 200; step++) EXPECT(huginn_draw_depth(&c.recursion, 42, step) <= 5);
}

// A training step (sampled depth, noise from (seed, step, row)) is a pure function of the
// weights, the batch and (seed, step): a model that ran other steps before gives the same loss
// and gradient bit for bit (resume is exact), its loops are the drawn depth, and its gradient
// is that of its own loss (central differences, gradient through every loop).
TEST(model_huginn_train_step) {
    threads_set(2);
    Config c; huginn_config(&c);
    c.recursion.window = 0;
    int tok[162], tgt[162], used[162];
    Model a, b;
    tiny_model(&c, 5, &a, tok, tgt);
    tiny_model(&c, 5, &b, tok, tgt);
    model_alloc(&a, 2, 0, 1);
    model_alloc(&b, 2, 0, 1);
    Schedule sa, sb;
    schedule_init(&sa, &a, 1, 0.0f, 77);
    schedule_init(&sb, &b, 1, 0.0f, 77);
    for (long step = 0; step < 3; step++) { model_zero_grad(&b); schedule_loss_grad(&sb, &b, tok, tgt, 4, step); }
    long step = 9;
    int r = huginn_draw_depth(&c.recursion, 77, step);
    model_zero_grad(&a); model_zero_grad(&b);
    double la = schedule_loss_grad(&sa, &a, tok, tgt, 4, step), lb = schedule_loss_grad(&sb, &b, tok, tgt, 4, step);
    EXPECT(la == lb);
    EXPECT(!memcmp(a.grads_memory, b.grads_memory, a.num_params * sizeof(float)));
    EXPECT(a.loops_run == r);
    model_loops_used(&a, used);
    EXPECT(used[0] == r && used[161] == r);
    // the step's noise is not a forward's: the same depth as a plain forward gives another loss
    double lf = model_forward(&b, tok, tgt, r);
    EXPECT(lf != la);
    float *g = malloc(a.num_params * sizeof(float));
    memcpy(g, a.grads_memory, a.num_params * sizeof(float));
    size_t idx[3] = {a.params.wadapt - a.params_memory + 17, a.params.wqkv - a.params_memory + 40,
                     a.params.wte - a.params_memory + 9};
    for (int i = 0; i < 3; i++) {
        float *p = a.params_memory + idx[i], saved = *p, h = 1e-2f;
        *p = saved + h; double lp = schedule_loss_grad(&sa, &a, tok, tgt, 4, step);
        *p = saved - h; double lm = schedule_loss_grad(&sa, &a, tok, tgt, 4, step);
        *p = saved;
        double fd = (lp - lm) / (2.0 * h);
        EXPECTF(fabs(g[idx[i]] - fd) / fmax(fmax(fabs(g[idx[i]]), fabs(fd)), 1e-4) < 2e-2, "entry %d: gradient %g vs fd %g",
                i, g[idx[i]], fd);
    }
    free(g);
    schedule_free(&sa); schedule_free(&sb);
    model_free(&a); model_free(&b);
}

// At inference a puzzle's initial state comes from its tokens alone: s_0 is the same bits
// whatever its row, the puzzles beside it, the batch size or the thread count, and so is its
// answer (its logits up to BLAS rounding: OpenBLAS's kernels may round a row differently by its
// place in the product); one loop slot gives the training allocation's bits; the KL exit
// (Huginn's) stops a puzzle at a loop L whose answer is that of L fixed loops, read through the
// coda; and eval's depth sweep continues a fixed-loop forward exactly.
static int huginn_logits_close(const float *a, const float *b, size_t n) {
    float mx = 0.0f, d = 0.0f;
    for (size_t i = 0; i < n; i++) { mx = fmaxf(mx, fabsf(a[i])); d = fmaxf(d, fabsf(a[i] - b[i])); }
    return d <= 1e-4f * mx;
}

TEST(model_huginn_inference) {
    Config c; huginn_config(&c);
    c.model.init_std = 0.1f;   // at 0.2 a random core never settles within 40 loops; at 0.1 it does
    enum { B = 4, K = 40 };
    int tok[B * 81], tok2[B * 81], p1[B * 81], p2[B * 81];
    Model m;
    exit_model(&c, &m, tok, B);
    size_t V = (size_t)m.Vout, TV = 81 * V, TC = 81 * (size_t)m.C;
    float *l1 = malloc(B * TV * sizeof(float)), *s1 = malloc(B * TC * sizeof(float));
    threads_set(1);
    model_forward(&m, tok, NULL, 6);
    memcpy(l1, m.acts.logits, B * TV * sizeof(float));
    memcpy(s1, m.acts.hg_s0, B * TC * sizeof(float));
    model_predict(&m, p1);
    for (int b = 0; b < B; b++) memcpy(tok2 + b * 81, tok + (B - 1 - b) * 81, 81 * sizeof(int));   // reversed
    threads_set(2);
    model_forward(&m, tok2, NULL, 6);
    model_predict(&m, p2);
    for (int b = 0; b < B; b++) {
        int r = B - 1 - b;
        EXPECTF(!memcmp(s1 + b * TC, m.acts.hg_s0 + r * TC, TC * sizeof(float)), "puzzle %d: s_0 moved with its row", b);
        EXPECTF(!memcmp(p1 + b * 81, p2 + r * 81, 81 * sizeof(int)), "puzzle %d: its answer moved with its row", b);
        EXPECTF(huginn_logits_close(l1 + b * TV, m.acts.logits + r * TV, TV), "puzzle %d: logits moved with its row", b);
    }
    model_alloc(&m, 1, 1, 0);
    model_forward(&m, tok + 2 * 81, NULL, 6);
    model_predict(&m, p2);
    EXPECT(!memcmp(s1 + 2 * TC, m.acts.hg_s0, TC * sizeof(float)));
    EXPECT(!memcmp(p1 + 2 * 81, p2, 81 * sizeof(int)));
    EXPECT(huginn_logits_close(l1 + 2 * TV, m.acts.logits, TV));
    model_alloc(&m, B, 4, 1);   // the training allocation (4 core slots + prelude + coda)
    model_forward(&m, tok, NULL, 6);
    EXPECT(!memcmp(l1, m.acts.logits, B * TV * sizeof(float)));
    model_alloc(&m, B, 1, 0);
    c.halting.kl_eps = 1e-2f;
    m.hc.kl_eps = 1e-2f;
    expect_kl_exit_as_fixed(&m, tok, B, K);
    // eval's depth sweep continues a fixed-loop forward: 6 then 4 more loops are 10 loops
    model_forward(&m, tok, NULL, 10);
    memcpy(l1, m.acts.logits, B * TV * sizeof(float));
    model_forward(&m, tok, NULL, 6);
    model_forward_opts(&m, tok, NULL, &(ForwardOpts){.loops = 10, .halting = HALT_NONE, .resume_loop = 6});
    EXPECT(!memcmp(l1, m.acts.logits, B * TV * sizeof(float)));
    free(l1); free(s1);
    model_free(&m);
    threads_set(0);
}
