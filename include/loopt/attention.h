// attention.h — multi-head self-attention (no mask: every position sees every position).
// QK^T and AV are GEMMs on strided views of qkv, no copies; softmax subtracts the row max.
#ifndef LOOPT_ATTENTION_H
#define LOOPT_ATTENTION_H

// qkv (B, T, 3C) = [q | k | v], head h of q is channels [h*hs, (h+1)*hs), hs = C / NH.
// out (B, T, C) (overwritten), att (B, NH, T, T) caches the softmax probabilities.
void attention_forward(float *out, float *att, const float *qkv, int B, int T, int C, int NH);
// dqkv (B, T, 3C) += ...; scratch (B, NH, T, T) is workspace (contents ignored, overwritten).
void attention_backward(float *dqkv, float *scratch, const float *dout, const float *qkv,
                        const float *att, int B, int T, int C, int NH);

#endif
