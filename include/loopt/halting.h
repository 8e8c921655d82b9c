// halting.h — the halting rules, one interface (halting.c holds them all). A rule decides when
// a position or a puzzle stops looping; the recursion code calls it and knows no rule by name.
//
// act — Adaptive Computation Time per position (Graves 2016, as in the Universal Transformer):
// after loop k each still-running position computes p_k = sigmoid(w·y_k + b); it halts at the
// first loop N where the cumulative p reaches the threshold (1 − ε), or at the last loop. Its
// output is the mix  Σ_{k<N} p_k y_k + R y_N  with the remainder R = 1 − Σ_{k<N} p_k; the
// ponder cost is N + R. A halted position's state is frozen (other positions still attend to it).
//
// bce, q — a head on the answer state y of trm/hrm, read after each supervision step:
// q = whalt·y[position 0] + bhalt; bce learns "the whole grid is right", q (HRM) adds a second
// row, q_continue, trained towards σ of the next step's best value. A puzzle stops at
// q_halt > 0 (bce) or q_halt > q_continue (q). docs/schemes.md has the equations.
#ifndef LOOPT_HALTING_H
#define LOOPT_HALTING_H

#include "loopt/model.h"

typedef struct {
    int head_rows;        // rows of the halting head whalt (rows, C), bhalt (rows); 0: none
    int skips;            // 1: with halting.skip, a streaming forward runs the block on the still
                          //    running positions only (block_forward_rows; act)

    // Scheme loop. After loop k (1-based) of at most K, ring slot `slot`: read the block output
    // y (N, C) and the previous state h_prev (N, C; NULL at k = 1), write the new state h
    // (N, C), each row's loops so far into n_halt and whether its answer is final into row_done.
    // Returns the positions still running (0 ends the loop early). Each row's own loop index is
    // m->row_k[b] (k for every row in a forward; a stream's rows differ: a row at its loop 1
    // starts a new puzzle, and h_prev is then not its own). With m->fwd.frozen the decisions
    // of the previous forward (n_halt) are replayed.
    int (*loop_step)(Model *m, int k, int K, int slot, const float *y, const float *h_prev, float *h);
    // The state the head reads after the loops (NULL: the last loop's state h). A rule with an
    // output of its own (act: the halting-weighted mix of the loops) takes the head's gradient
    // itself in loop_backward_prepare, and the loss has no deep supervision.
    const float *(*output)(const Model *m);
    // The last forward's ponder (NULL: the loops run), and a term added to the loss (NULL: none;
    // act: halting.ponder_cost · ponder).
    double (*ponder)(const Model *m);
    double (*loss_term)(const Model *m);
    // The rule's running state (act: the mix so far, the cumulative p, the ponder sum) saved after
    // loop fwd.prefix_loop and restored when a forward replays from there (gradcheck's prefix);
    // NULL: the state h alone carries it.
    void (*prefix_save)(Model *m);
    void (*prefix_restore)(Model *m);
    // Before the backward loop (may be NULL). scale: the head's loss scale (1 / targets, times
    // the forward's loss_scale); a rule with an output puts the head's gradient into dmix here.
    void (*loop_backward_prepare)(Model *m, float scale);
    // Backward of loop k's step: from dstate (d loss / d h_k) and dmix write dy (d loss / d y_k)
    // and leave in dstate what flows straight to h_{k-1}. ponder_scale = τ / positions.
    void (*loop_backward_step)(Model *m, int k, int slot, float ponder_scale);

    // Schemes trm, hrm (NULL for rules without a head). After a supervision step: the head's
    // logits from the answer state y (N, C) into acts.qhalt; the loss term (after the answer
    // head, with targets); its backward (dy += d term / d y, head gradients accumulate);
    // whether puzzle b stops; and, when set, the target of q_continue from the logits of the
    // step after this one (twostate.c runs that step without gradient, then calls it).
    void (*sup_logits)(Model *m, const float *y);
    double (*sup_loss)(Model *m);
    void (*sup_backward)(Model *m, const float *y, float *dy);
    int (*sup_halts)(const Model *m, int b);
    void (*sup_target)(Model *m);
} HaltRule;

// The rule of halting.kind `kind`.
const HaltRule *halt_rule(HaltKind kind);

#endif
