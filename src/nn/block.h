// block.h — the shared block (block.c): L layers of weight set `part` applied to a state, with
// their activations in ring slot `slot` of the arena. Engine-private: the schemes call it.
#ifndef LOOPT_BLOCK_H
#define LOOPT_BLOCK_H

#include "loopt/model.h"

// The block on x (N, C) for ring slot `slot`; returns the output (inside the slot's activations).
const float *block_forward(Model *m, int slot, int part, const float *x);
// Backward through the block of ring slot `slot`: dout (N, C) → returns dx (N, C) (one of the
// gacts ping-pong buffers). x is the block input used in forward.
float *block_backward(Model *m, int slot, int part, const float *x, const float *dout);
// The block on the running positions only (halting act, inference): x (N, C) is gathered in
// place to rows' n rows; returns the output (N, C), valid at those rows (block.c says when
// this is exact).
const float *block_forward_rows(Model *m, float *x, const int *rows, int n);

#endif
