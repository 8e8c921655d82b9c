// embed.c — the puzzle into the model: a batch's tokens and targets into the model's (B, T)
// arrays (memory-token slots first), the embedding e = wte[token] + Σ_axes wcoord[coord]
// (memory-token rows: wmem) and its backward. Every scheme embeds through here.
#include "embed.h"

#include <string.h>

#include "loopt/check.h"
#include "ops.h"

void embed_rows(Model *m, int b0, int nb) {
    int T = m->T, C = m->C, M = m->M;
    float *emb = m->acts.emb + (size_t)b0 * T * C;   // (nb, T, C)
    embedding_forward(emb, m->tokens + (size_t)b0 * T, m->params.wte, nb * T, C);
    for (int b = 0; b < nb; b++)
        if (M) memcpy(emb + (size_t)b * T * C, m->params.wmem, (size_t)M * C * sizeof(float));
    if (m->mc.positions == POS_COORDS && m->A)
        coord_embed_forward(emb, m->coord_ids, m->params.wcoord, nb, T, m->A, C);
}

void embed_forward(Model *m) { embed_rows(m, 0, m->B); }

void embed_backward(Model *m, const float *demb) {
    int B = m->B, T = m->T, C = m->C, M = m->M;
    if (m->mc.positions == POS_COORDS && m->A)
        coord_embed_backward(m->grads.wcoord, demb, m->coord_ids, B, T, m->A, C);
    for (int b = 0; b < B; b++) {
        const float *db = demb + (size_t)b * T * C;
        if (M) axpy(m->grads.wmem, 1.0f, db, M * C);
        embedding_backward(m->grads.wte, db + (size_t)M * C, m->tokens + (size_t)b * T + M, T - M, C);
    }
}

void embed_set_batch(Model *m, const int *tokens, const int *targets) {
    int B = m->B, T = m->T, M = m->M, S = m->shape.seq_len;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            m->tokens[b * T + t] = t < M ? 0 : tokens[b * S + t - M];
            m->targets[b * T + t] = (t < M || !targets) ? -1 : targets[b * S + t - M];
        }
}

void model_set_hints(Model *m, const int *hints) {
    CHECK(!hints || (m->Hn && m->hints), "model_set_hints: the model has no hint head, or is not training");
    m->hints_set = hints != NULL;
    if (!hints) return;
    int B = m->B, T = m->T, M = m->M, S = m->shape.seq_len;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) m->hints[b * T + t] = t < M ? -1 : hints[b * S + t - M];
}
