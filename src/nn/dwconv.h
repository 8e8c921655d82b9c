// dwconv.h — ConvSwiGLU's parts (URM, model.ffn = "convswiglu"; dwconv.c): a depthwise
// convolution over the token axis, on a tap table that says which position each tap of each
// position reads, and SiLU. Forward and backward side by side; backward accumulates (+=)
// unless given GRAD_SET (ops.h). Engine-private: block.c calls them.
#ifndef LOOPT_DWCONV_H
#define LOOPT_DWCONV_H

// Taps per position for kernel K: K along the sequence, K·K on the grid (rows × columns).
int dwconv_ntaps(int K, int grid);

// The tap table of T positions (the first M memory tokens, then the puzzle's) for kernel K:
//   sequence (grid 0): tap k of position t reads position t − (K−1) + k, in the sequence order
//     of the model (memory tokens first, then the puzzle row-major), −1 before the start;
//   grid (grid 1): tap k = i·K + j of the cell at (row r, column c) = pos[t*A], pos[t*A + 1]
//     reads the cell at (r − (K−1) + i, c − (K−1) + j), −1 off the grid; a memory token
//     (coordinate < 0) has only its last tap, itself, and no cell reads it.
// Both are causal (the last tap is the position itself, as PyTorch's Conv1d/Conv2d with K − 1
// zeros of padding in front, cropped). tap (T, Kt); inv (T, Kt): inv[s, k] = the position t
// whose tap k reads s, or −1 (for a fixed k a position is read by at most one other).
void dwconv_build_taps(int *tap, int *inv, const int *pos, int T, int A, int K, int grid);

// out (B, T, F) = bias[f] + Σ_k w[f, k] · inp[b, tap[t, k], f]  (taps < 0 read zero);
// inp (B, T, F), w (F, Kt), bias (F) or NULL, tap (T, Kt). out must not alias inp.
void dwconv_forward(float *out, const float *inp, const float *w, const float *bias, const int *tap,
                    int B, int T, int F, int Kt);
// dinp (B, T, F) (+)= Σ_k w[f, k] · dout[b, inv[s, k], f]   (a gather: no two threads write one entry)
// dw (F, Kt) += Σ_{b,t} dout[b, t, f] · inp[b, tap[t, k], f];  dbias (F) += Σ_{b,t} dout[b, t, f]
// (each channel's sums in a fixed order, on any number of threads). Any gradient may be NULL.
void dwconv_backward(float *dinp, float *dw, float *dbias, const float *dout, const float *inp,
                     const float *w, const int *tap, const int *inv, int B, int T, int F, int Kt, int mode);

// out (n) = silu(inp) = inp · σ(inp); out may alias inp.
void silu_forward(float *out, const float *inp, int n);
// dinp (n) (+)= dout · σ(x)(1 + x(1 − σ(x))), x = inp.
void silu_backward(float *dinp, const float *dout, const float *inp, int n, int mode);

#endif
