// loss.h — cross-entropy on the output logits: softmax, or stable-max (TRM: s(x) = x+1 for
// x >= 0, 1/(1-x) for x < 0, normalised), which behaves better on small data.
#ifndef LOOPT_LOSS_H
#define LOOPT_LOSS_H

#include "loopt/config.h"

// logits (N, V); targets (N), a target < 0 is ignored (loss 0, no gradient).
// losses (N) = -log p[target] computed in double; probs (N, V) cached (softmax or stablemax p).
// Returns the sum of the losses in double.
double crossentropy_forward(float *losses, float *probs, const float *logits, const int *targets,
                            int N, int V, LossKind kind);
// dlogits (N, V) += scale * d(loss_n)/d(logits) for every row with a target >= 0.
void crossentropy_backward(float *dlogits, const float *probs, const float *logits, const int *targets,
                           int N, int V, float scale, LossKind kind);
// argmax (N) of logits (N, V).
void argmax_rows(int *out, const float *logits, int N, int V);

#endif
