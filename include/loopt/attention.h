// attention.h — multi-head self-attention (no mask: every position sees every position).
// QK^T and AV are GEMMs on strided views of qkv, no copies; softmax subtracts the row max.
#ifndef LOOPT_ATTENTION_H
#define LOOPT_ATTENTION_H

// qkv (B, T, 3C) = [q | k | v], head h of q is channels [h*hs, (h+1)*hs), hs = C / NH.
// out (B, T, C) (overwritten), att (B, NH, T, T) caches the softmax probabilities.
void attention_forward(float *out, float *att, const float *qkv, int B, int T, int C, int NH);
// dqkv (B, T, 3C) += ... (= with mode GRAD_SET, ops.h); scratch (B, NH, T, T) is workspace
// (contents ignored, overwritten).
void attention_backward(float *dqkv, float *scratch, const float *dout, const float *qkv,
                        const float *att, int B, int T, int C, int NH, int mode);

// Local attention (model.mixer "local"): each position attends only to its 3x3 grid
// neighbourhood, K = LOCAL_K offsets (dr, dc) in row-major order from (-1,-1) to (1,1),
// k = (dr+1)*3 + (dc+1); nbr (T, K) holds the neighbour's position or -1 (off the grid).
// Scores get a learned bias per head and offset, bias (NH, K), so heads can tell directions
// apart without any absolute position: the op is the same on a grid of any size.
// out (B, T, C) (overwritten), att (B, NH, T, K) caches the probabilities (0 off the grid).
#define LOCAL_K 9
void local_attention_forward(float *out, float *att, const float *qkv, const int *nbr,
                             const float *bias, int B, int T, int C, int NH);
// dqkv (B, T, 3C) +=, dbias (NH, K) +=; scratch (B, NH, T, K) is workspace.
void local_attention_backward(float *dqkv, float *dbias, float *scratch, const float *dout,
                              const float *qkv, const float *att, const int *nbr,
                              int B, int T, int C, int NH);

#endif
