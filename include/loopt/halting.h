// halting.h — Adaptive Computation Time per position (Graves 2016, as in the Universal
// Transformer): after loop k each still-running position computes p_k = sigmoid(w·y_k + b);
// it halts at the first loop N where the cumulative p reaches the threshold (1 − ε), or at
// the last loop. Its output is the mix  Σ_{k<N} p_k y_k + R y_N  with the remainder
// R = 1 − Σ_{k<N} p_k; the ponder cost is N + R. A halted position's state is frozen (other
// positions still attend to it).
#ifndef LOOPT_HALTING_H
#define LOOPT_HALTING_H

#include "loopt/model.h"

// Loop k (1-based) of at most K, ring slot `slot`: reads the block output y (N, C) and the
// previous state h_prev (N, C; unused at k = 1), writes halt_p/halt_w/halt_run of the slot,
// the new state h (N, C), and updates cum, n_halt and the output mix. With m->halt_frozen the
// halting loops recorded in n_halt are reused instead of the threshold test.
// Adds N + R of the positions that halt here to m->ponder_sum.
// Returns the number of positions still running after this loop.
int act_forward_step(Model *m, int k, int K, int slot, const float *y, const float *h_prev, float *h);

// Before the backward loop: hq[i] = dmix_i · y_{N_i} for positions whose halting loop is in the
// kept window (their y_N is the state h in that loop's slot).
void act_backward_prepare(Model *m);

// Backward of loop k's halting step: given dstate (gradient w.r.t. h_k) and dmix, writes dy
// (gradient w.r.t. the block output y_k) and leaves in dstate the part that flows straight to
// h_{k-1} (frozen positions); accumulates the halting unit's gradients. `ponder_scale` is
// τ / (number of positions).
void act_backward_step(Model *m, int k, int slot, float ponder_scale);

#endif
