// twostate.c — the two-state recursion shared by the families TRM (trm.c) and HRM (hrm.c), on
// the same block as the plain loop. docs/schemes.md has the equations.
//
// Every position carries two states: y (the answer; HRM's z_H) and z (the reasoning; z_L).
// One update of z:  u = z + y + x,  z = f_0(u)            (x: the embedded puzzle, acts.emb)
// One update of y:  u = y + z,      y = f_{P-1}(u)        (y never sees x)
// A cycle is `updates` block applications, updates − 1 of z then one of y; a supervision step
// is `cycles` cycles (the family's Cycles). Training keeps gradient only in the last cycle,
// through its last `grad_updates` updates (trm all of them, hrm the last z- and the y-update:
// its one-step gradient). Those G updates write ring slots 0..G-1 of the activation arena;
// every other update runs in slot 0 before them and is overwritten (or in the spare slot G, for
// halting q's target step). Between supervision steps (y, z) are carried detached in
// acts.ycar/zcar. The head reads y; the halting logit q = whalt · y[position 0] + bhalt.
// Halting "q" (HRM's Q-learning head) has two rows, q_halt and q_continue: q_halt learns "the
// grid is right" like bce; q_continue learns σ of the next step's best value, read from one more
// supervision step run without gradient in a spare ring slot: σ(q_halt') at the sample's last
// allowed step, else σ(max(q_halt', q_continue')). A sample halts when q_halt > q_continue.
#include "twostate.h"

#include <math.h>
#include <string.h>

#include "block.h"
#include "embed.h"
#include "head.h"
#include "loopt/check.h"
#include "loopt/halting.h"
#include "ops.h"

static Cycles plan(const Model *m) { return m->scheme->cycles(&m->rc); }

int twostate_slots(const Model *m, int window, int training) {
    return training ? plan(m).grad_updates + (halt_rule(m->hc.kind)->sup_target != NULL) : 1;
}

void twostate_reset_row(Model *m, int b) {
    int T = m->T, C = m->C;
    for (int t = 0; t < T; t++) {
        memcpy(m->acts.ycar + ((size_t)b * T + t) * C, m->params.yinit, (size_t)C * sizeof(float));
        memcpy(m->acts.zcar + ((size_t)b * T + t) * C, m->params.zinit, (size_t)C * sizeof(float));
    }
}

// Update a of a cycle of `updates` (a < updates − 1: z, the last: y) in ring slot `slot`.
static void update(Model *m, int updates, int a, int slot) {
    int n = updates - 1;
    int NC = m->B * m->T * m->C;
    float *u = m->acts.u + (size_t)slot * NC;        // (N, C) block input, kept for backward
    float *y = m->acts.ycar, *z = m->acts.zcar;      // (N, C) each
    if (a < n) { add_forward(u, z, y, NC); add_forward(u, u, m->acts.emb, NC); }
    else add_forward(u, y, z, NC);
    const float *out = block_forward(m, slot, a < n ? 0 : m->P - 1, u);
    memcpy(a < n ? z : y, out, (size_t)NC * sizeof(float));
}

// The cycles of one supervision step on acts.emb; with grad the last cycle's last G updates
// keep their slots. Prefix save/replay (gradcheck) holds the state entering those G updates.
static void cycles_forward(Model *m, const Cycles *cy, int grad, int free_slot) {
    int A = cy->updates, G = cy->grad_updates;
    size_t NC = (size_t)m->B * m->T * m->C;
    if (grad && m->fwd.prefix == PREFIX_REPLAY) {
        memcpy(m->acts.ycar, m->acts.pre_y, NC * sizeof(float));
        memcpy(m->acts.zcar, m->acts.pre_z, NC * sizeof(float));
    } else {
        for (int c = 0; c < cy->cycles - grad; c++)
            for (int a = 0; a < A; a++) update(m, A, a, free_slot);
        if (grad)
            for (int a = 0; a < A - G; a++) update(m, A, a, free_slot);
        if (grad && m->fwd.prefix == PREFIX_SAVE) {
            memcpy(m->acts.pre_y, m->acts.ycar, NC * sizeof(float));
            memcpy(m->acts.pre_z, m->acts.zcar, NC * sizeof(float));
        }
    }
    if (grad)
        for (int a = A - G; a < A; a++) update(m, A, a, a - (A - G));
}

// Halting q, training: the target of q_continue from one more supervision step without gradient
// (spare ring slot W-1), then (y, z) restored. Held fixed under gradcheck (fwd.frozen).
static void continue_target(Model *m, const Cycles *cy) {
    const HaltRule *rule = halt_rule(m->halt);
    size_t NC = (size_t)m->B * m->T * m->C;
    float *qs = m->acts.qsave;
    memcpy(qs, m->acts.ycar, NC * sizeof(float));
    memcpy(qs + NC, m->acts.zcar, NC * sizeof(float));
    cycles_forward(m, cy, 0, m->W - 1);
    rule->sup_logits(m, m->acts.ycar);
    rule->sup_target(m);
    memcpy(m->acts.ycar, qs, NC * sizeof(float));
    memcpy(m->acts.zcar, qs + NC, NC * sizeof(float));
}

// Head, halting logits and loss on the answer state y.
static double finish(Model *m, const float *y, int with_targets) {
    int N = m->B * m->T;
    m->loss = m->ce_loss = 0.0;
    m->n_targets = 0;
    const HaltRule *rule = halt_rule(m->halt);
    double sum = head_forward(m, y, with_targets);
    if (rule->sup_logits) rule->sup_logits(m, y);
    if (!with_targets) return 0.0;
    for (int i = 0; i < N; i++) m->n_targets += m->targets[i] >= 0;
    m->ce_loss = m->n_targets ? sum / m->n_targets : 0.0;
    m->loss = m->ce_loss + (rule->sup_loss ? rule->sup_loss(m) : 0.0);
    return m->loss;
}

// The results every forward of this recursion records: `steps` supervision steps, the last one
// with gradient when training (then a constant prefix precedes its kept updates: gradcheck
// replays the state entering them).
static void record(Model *m, int steps, int grad) {
    m->loops_run = steps;
    m->window_start = steps;
    m->prefix_len = grad;
}

// One supervision step from the carried state (training: cycles − 1 without gradient, then one
// with). Sets acts.qhalt and the loss = CE on y's logits + 0.5 · BCE(q, "whole grid right").
double twostate_train_step(Model *m, const int *tokens, const int *targets, const TrainStep *ts) {
    CHECK(ts->progressive == 0.0f, "the progressive loss runs with scheme loop");
    Cycles cy = plan(m);
    m->fwd = (ForwardOpts){.loops = 1, .halting = HALT_DEFAULT};
    m->halt = m->hc.kind;
    embed_set_batch(m, tokens, targets);
    embed_forward(m);
    int grad = m->training && targets;
    cycles_forward(m, &cy, grad, 0);
    if (grad && halt_rule(m->halt)->sup_target && !m->fwd.frozen) continue_target(m, &cy);
    record(m, 1, grad);
    m->ponder = 1.0;
    double loss = finish(m, m->acts.ycar, targets != NULL);
    if (isfinite(loss) && grad) twostate_backward(m);
    return loss;
}

double twostate_forward(Model *m, const int *tokens, const int *targets) {
    int B = m->B, T = m->T, C = m->C, steps = m->fwd.loops;
    size_t TC = (size_t)T * C;
    Cycles cy = plan(m);
    int grad = m->training && targets;
    embed_set_batch(m, tokens, targets);
    embed_forward(m);
    for (int b = 0; b < B; b++) twostate_reset_row(m, b);
    // halting at inference: a sample stops after the first step with q > 0; its y is kept in
    // acts.yhalt and its positions report that step in n_halt
    const HaltRule *rule = halt_rule(m->halt);
    int halting = rule->sup_halts && !grad;
    int running = B;
    for (int i = 0; i < B * T; i++) m->n_halt[i] = 0;
    int s = 1;
    if (grad && m->fwd.prefix == PREFIX_REPLAY) s = steps;   // the state entering the last cycle is restored
    for (; s <= steps && running > 0; s++) {
        cycles_forward(m, &cy, grad && s == steps, 0);
        if (!halting) continue;
        rule->sup_logits(m, m->acts.ycar);
        for (int b = 0; b < B; b++) {
            if (m->n_halt[b * T] || (!rule->sup_halts(m, b) && s < steps)) continue;
            memcpy(m->acts.yhalt + b * TC, m->acts.ycar + b * TC, TC * sizeof(float));
            for (int t = 0; t < T; t++) m->n_halt[b * T + t] = s;
            running--;
        }
    }
    if (!halting)
        for (int i = 0; i < B * T; i++) m->n_halt[i] = steps;
    if (grad && rule->sup_target && !m->fwd.frozen) {   // this is every sample's last step
        memset(m->last_step, 1, (size_t)B);
        continue_target(m, &cy);
    }
    record(m, steps, grad);
    double sum = 0.0;
    for (int i = 0; i < B * T; i++) sum += m->n_halt[i];
    m->ponder = sum / (B * T);
    return finish(m, halting ? m->acts.yhalt : m->acts.ycar, targets != NULL);
}

void twostate_backward(Model *m) {
    Cycles cy = plan(m);
    int B = m->B, T = m->T, C = m->C, A = cy.updates, G = cy.grad_updates, n = A - 1;
    int NC = B * T * C;
    GradTensors *g = &m->gacts;
    float *dy = g->dstate;                                    // (N, C) d loss / d y
    memset(dy, 0, (size_t)NC * sizeof(float));
    head_backward(m, m->acts.ycar, dy, 1.0f / (float)m->n_targets);
    const HaltRule *rule = halt_rule(m->halt);
    if (rule->sup_backward) rule->sup_backward(m, m->acts.ycar, dy);
    // back through the kept updates, newest first: the y-update's input u = y + z passes its
    // gradient to z (y entering the cycle is detached); each z-update's u = z + y + x passes
    // it to the previous z and to x
    memset(g->demb, 0, (size_t)NC * sizeof(float));
    const float *d = dy;
    for (int a = n; a >= A - G; a--) {
        int slot = a - (A - G);
        const float *u = m->acts.u + (size_t)slot * NC;
        float *du = block_backward(m, slot, a < n ? 0 : m->P - 1, u, d);
        if (a < n) axpy(g->demb, 1.0f, du, NC);
        d = du;
    }
    embed_backward(m, g->demb);
}

void twostate_validate(const Config *c, const char *name) {
    const char *s = SCHEME_NAMES[c->recursion.scheme];
    if (c->train.progressive > 0.0f)
        die(EXIT_USAGE, "%s: train.progressive: the progressive loss runs with scheme \"loop\", not \"%s\" "
            "(trm/hrm already train each supervision step from the carried state)", name, s);
    if (c->model.norm == NORM_PRE)
        die(EXIT_USAGE, "%s: model.norm: scheme \"%s\" needs \"post\": its two states are summed into every "
            "update, and without a norm on the block's output they grow with each one", name, s);
}
