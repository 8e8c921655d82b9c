// embed.h — the puzzle into the model (embed.c). Engine-private: the schemes call it.
#ifndef LOOPT_EMBED_H
#define LOOPT_EMBED_H

#include "loopt/model.h"

// tokens (B, seq_len) and targets (B, seq_len, or NULL: none) into m->tokens / m->targets, the
// memory-token slots first (token 0, no target).
void embed_set_batch(Model *m, const int *tokens, const int *targets);
// acts.emb (N, C) from m->tokens: every row, or rows [b0, b0 + nb) (a stream loads one row).
void embed_forward(Model *m);
void embed_rows(Model *m, int b0, int nb);
// Backward: demb (N, C) into the gradients of wte, wcoord and wmem.
void embed_backward(Model *m, const float *demb);

#endif
