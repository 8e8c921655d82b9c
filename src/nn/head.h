// head.h — the output head (head.c): the answer read from a state. Engine-private: the schemes
// and the halting rules call it.
#ifndef LOOPT_HEAD_H
#define LOOPT_HEAD_H

#include "loopt/model.h"

// logits (N, Vout) = wout · [rms](out); with targets also probs and losses, and with hints the
// hint head's. Returns Σ loss + train.hints · Σ hint loss (0 without targets).
double head_forward(Model *m, const float *out, int with_targets);
// Backward of head_forward (whose caches must be current): dout (N, C) += scale · d loss / d out.
void head_backward(Model *m, const float *out, float *dout, float scale);

#endif
