// ops.h — the engine's element-wise and dense ops, forward and backward side by side.
// Conventions (llm.c): outputs first, then caches, then inputs and weights, sizes last.
// Backward ops ACCUMULATE (+=) into every gradient they write (the shared block receives
// gradient from every loop); a NULL gradient pointer means "not needed", skip it.
// N = number of rows (B*T), C = channels. Everything row-major, float32.
#ifndef LOOPT_OPS_H
#define LOOPT_OPS_H

// ---- token embedding ------------------------------------------------------------------
// out (N, C) = table[tok[n]] (overwrites); table (V, C); tok (N) in [0, V).
void embedding_forward(float *out, const int *tok, const float *table, int N, int C);
// dtable (V, C) += scatter of dout (N, C).
void embedding_backward(float *dtable, const float *dout, const int *tok, int N, int C);

// ---- coordinate embeddings: one learned table per axis, rows concatenated ---------------
// out (B, T, C) += sum_a table[ids[t*A + a]]; ids (T, A) are row indices into table (R, C)
// (the axis offsets already added by the caller); the same ids for every batch row.
// An id < 0 contributes nothing (memory tokens have no coordinates).
void coord_embed_forward(float *out, const int *ids, const float *table, int B, int T, int A, int C);
// dtable (R, C) += sum over b of dout (B, T, C) at the rows named by ids.
void coord_embed_backward(float *dtable, const float *dout, const int *ids, int B, int T, int A, int C);

// Backward ops accumulate into the input gradient (+=): the shared block receives gradient
// from every loop. The ones that take a mode may instead overwrite it (GRAD_SET) where the
// buffer is written for the first time, which saves zeroing it first (a memory pass).
enum { GRAD_SET = 0, GRAD_ADD = 1 };

// ---- linear (no bias) via gemm ------------------------------------------------------------
// out (N, OC) = inp (N, IC) @ w^T, w (OC, IC)  (overwrites out).
void linear_forward(float *out, const float *inp, const float *w, int N, int IC, int OC);
// dinp (N, IC) += dout @ w (= with GRAD_SET); dw (OC, IC) += dout^T @ inp. Either may be NULL.
void linear_backward(float *dinp, float *dw, const float *dout, const float *inp, const float *w,
                     int N, int IC, int OC, int mode);

// ---- RMSNorm (no gain by default) ---------------------------------------------------------
// out (N, C) = inp / sqrt(mean(inp^2) + eps) [* gain (C) if gain != NULL]; rstd (N) cached.
void rmsnorm_forward(float *out, float *rstd, const float *inp, const float *gain, int N, int C, float eps);
// The residual add before a norm, fused: r (N, C) += res, then out = rmsnorm(r) as above.
void residual_rmsnorm_forward(float *out, float *rstd, float *r, const float *res, const float *gain,
                              int N, int C, float eps);
// dinp (N, C) += ... (= with GRAD_SET), dgain (C) += ... (dgain ignored if gain == NULL).
void rmsnorm_backward(float *dinp, float *dgain, const float *dout, const float *inp, const float *gain,
                      const float *rstd, int N, int C, int mode);

// ---- SwiGLU activation ---------------------------------------------------------------------
// inp (N, 2F) holds [gate | up] per row; out (N, F) = silu(gate) * up.
void swiglu_forward(float *out, const float *inp, int N, int F);
// dinp (N, 2F) += ... (= with GRAD_SET)
void swiglu_backward(float *dinp, const float *dout, const float *inp, int N, int F, int mode);

// ---- residual / element-wise helpers ------------------------------------------------------
void add_forward(float *out, const float *a, const float *b, int n);      // out = a + b (out may alias a or b)
void axpy(float *y, float alpha, const float *x, int n);                  // y += alpha * x
void scale_inplace(float *x, float alpha, int n);                         // x *= alpha

// ---- rotary position embeddings, one group of channel pairs per axis -----------------------
// Applied in place to the q and k parts of qkv (B, T, 3C) (layout [q | k | v], heads of size
// hs = C / NH inside each). Each head's hs/2 rotation pairs are split into A equal groups
// (the last takes the remainder); group a rotates by angle pos[t*A + a] * base^(-2i/hs_a),
// i indexing pairs inside the group. A position < 0 means no rotation (memory tokens).
void rope_forward(float *qkv, const int *pos, int B, int T, int C, int NH, int A, float base);
// The same rotation transposed (inverse), in place on dqkv (B, T, 3C): gradient w.r.t. pre-rope q, k.
void rope_backward(float *dqkv, const int *pos, int B, int T, int C, int NH, int A, float base);

#endif
