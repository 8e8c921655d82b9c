// attention.c — multi-head self-attention without a mask (every cell sees every cell).
// QK^T and AV are GEMMs on strided views of qkv (B, T, 3C) — lda = 3C — so nothing is copied
// or transposed. The work is B*NH small problems (e.g. 64*4 of 81x81x32): one OpenMP loop over
// the (batch, head) pairs does each pair's whole chain (scores, softmax, A·V; in backward the
// four products and the softmax backward) on one thread, with single-threaded sgemm calls (gemm
// runs on the calling thread inside a parallel region), while its (T, T) tile is in cache.
// Pairs write disjoint slices of out / dqkv, so no two threads touch the same element.
#include "loopt/attention.h"

#include <math.h>
#include <stddef.h>

#include "loopt/blas.h"
#include "loopt/check.h"
#include "ops.h"
#include "vexp.h"

// Row-wise softmax of a (T, T) tile in place, the max subtracted so exp never overflows.
static void softmax_rows(float *a, int T) {
    for (int i = 0; i < T; i++, a += T) {
        float mx = a[0];
        #pragma omp simd reduction(max:mx)
        for (int j = 1; j < T; j++) mx = a[j] > mx ? a[j] : mx;
        #pragma omp simd
        for (int j = 0; j < T; j++) a[j] = vexpf(a[j] - mx);
        double sum = 0.0;
        #pragma omp simd reduction(+:sum)
        for (int j = 0; j < T; j++) sum += a[j];
        float inv = (float)(1.0 / sum);
        #pragma omp simd
        for (int j = 0; j < T; j++) a[j] *= inv;
    }
}

// Softmax backward of a (T, T) tile in place: d = a * (d - sum_j d_j * a_j), row by row.
static void softmax_rows_backward(float *d, const float *a, int T) {
    for (int i = 0; i < T; i++, a += T, d += T) {
        double dot = 0.0;
        #pragma omp simd reduction(+:dot)
        for (int j = 0; j < T; j++) dot += (double)d[j] * a[j];
        float fd = (float)dot;
        #pragma omp simd
        for (int j = 0; j < T; j++) d[j] = a[j] * (d[j] - fd);
    }
}

void attention_forward(float *out, float *att, const float *qkv, int B, int T, int C, int NH) {
    // out (B, T, C), att (B, NH, T, T), qkv (B, T, 3C)
    CHECK_SHAPE(B >= 0 && T > 0 && NH > 0 && C % NH == 0 && out != qkv);
    int hs = C / NH;
    int C3 = 3 * C;
    float scale = 1.0f / sqrtf((float)hs);
    #pragma omp parallel for schedule(static) if ((long)B * NH * T * T > 32768)
    for (int bh = 0; bh < B * NH; bh++) {
        int b = bh / NH, h = bh % NH;
        const float *q = qkv + (size_t)b * T * C3 + h * hs;   // (T, hs) view, row stride 3C
        const float *k = q + C;                               // (T, hs) view
        const float *v = q + 2 * C;                           // (T, hs) view
        float *a = att + (size_t)bh * T * T;                  // (T, T)
        float *o = out + (size_t)b * T * C + h * hs;          // (T, hs) view, row stride C
        gemm_ex(0, 1, T, T, hs, scale, q, C3, k, C3, 0.0f, a, T);   // scores = q k^T * scale
        softmax_rows(a, T);
        gemm_ex(0, 0, T, hs, T, 1.0f, a, T, v, C3, 0.0f, o, C);     // out_h = att @ v
    }
}

void attention_backward(float *dqkv, float *scratch, const float *dout, const float *qkv,
                        const float *att, int B, int T, int C, int NH, int mode) {
    // dqkv (B, T, 3C) += (or =), scratch (B, NH, T, T), dout (B, T, C), qkv (B, T, 3C), att (B, NH, T, T)
    CHECK_SHAPE(B >= 0 && T > 0 && NH > 0 && C % NH == 0);
    int hs = C / NH;
    int C3 = 3 * C;
    float scale = 1.0f / sqrtf((float)hs);
    float beta = mode == GRAD_ADD ? 1.0f : 0.0f;   // each (b, h) slice of dq, dk, dv is written once
    #pragma omp parallel for schedule(static) if ((long)B * NH * T * T > 32768)
    for (int bh = 0; bh < B * NH; bh++) {
        int b = bh / NH, h = bh % NH;
        size_t qoff = (size_t)b * T * C3 + h * hs;
        const float *q = qkv + qoff, *k = q + C, *v = q + 2 * C;   // (T, hs) views
        float *dq = dqkv + qoff, *dk = dq + C, *dv = dq + 2 * C;   // (T, hs) views
        const float *go = dout + (size_t)b * T * C + h * hs;       // (T, hs) view, stride C
        const float *a = att + (size_t)bh * T * T;                 // (T, T)
        float *da = scratch + (size_t)bh * T * T;                  // (T, T)
        gemm_ex(0, 1, T, T, hs, 1.0f, go, C, v, C3, 0.0f, da, T);        // datt = dout_h @ v^T
        gemm_ex(1, 0, T, hs, T, 1.0f, a, T, go, C, beta, dv, C3);        // dv += att^T @ dout_h
        softmax_rows_backward(da, a, T);                                 // da: d scores
        gemm_ex(0, 0, T, hs, T, scale, da, T, k, C3, beta, dq, C3);      // dq += dpre @ k * scale
        gemm_ex(1, 0, T, hs, T, scale, da, T, q, C3, beta, dk, C3);      // dk += dpre^T @ q * scale
    }
}

// ---- local attention over the 3x3 neighbourhood ---------------------------------------------
// Nine dot products per position and head. Forward is parallel over all positions (one maze
// of a big grid is a batch of 1), backward over the batch (positions of one sample scatter into
// each other's dk, dv, samples never do). Vectorised over the head's
// hs channels: each dot product in 8 lanes summed as a tree, each weighted sum over the nine
// neighbours accumulated in registers one channel vector at a time (an off-grid neighbour has
// weight 0 and points at the position's own row), the softmax with vexpf.

// a . b over n floats in 8 independent lanes (so the compiler may vectorise it), then a tree.
static inline float dot_lanes(const float *a, const float *b, int n) {
    float l[8] = {0};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) l[j] += a[i + j] * b[i + j];
    float s = ((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7]));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

// out (n) = sum_k w[k] * x[k] (n) over the K = LOCAL_K neighbours; with accumulate, out +=.
// 8 channels at a time, held in registers across the nine neighbours.
static inline void mix_rows(float *out, const float *w, const float *const *x, int n, int accumulate) {
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        float acc[8];
        for (int j = 0; j < 8; j++) acc[j] = accumulate ? out[i + j] : 0.0f;
        for (int k = 0; k < LOCAL_K; k++)
            for (int j = 0; j < 8; j++) acc[j] += w[k] * x[k][i + j];
        for (int j = 0; j < 8; j++) out[i + j] = acc[j];
    }
    for (; i < n; i++) {
        float acc = accumulate ? out[i] : 0.0f;
        for (int k = 0; k < LOCAL_K; k++) acc += w[k] * x[k][i];
        out[i] = acc;
    }
}

void local_attention_forward(float *out, float *att, const float *qkv, const int *nbr,
                             const float *bias, int B, int T, int C, int NH) {
    // out (B, T, C), att (B, NH, T, K), qkv (B, T, 3C), nbr (T, K), bias (NH, K)
    CHECK_SHAPE(B >= 0 && T > 0 && NH > 0 && C % NH == 0 && nbr != NULL);
    int hs = C / NH, C3 = 3 * C, K = LOCAL_K;
    float scale = 1.0f / sqrtf((float)hs);
    #pragma omp parallel for if ((long)B * T * C > 32768)
    for (long bt = 0; bt < (long)B * T; bt++) {   // every position writes only its own rows
        int b = (int)(bt / T), t = (int)(bt % T);
        const float *qkv_b = qkv + (size_t)b * T * C3;
        const int *nb = nbr + (size_t)t * K;
        for (int h = 0; h < NH; h++) {
            const float *q = qkv_b + (size_t)t * C3 + h * hs;             // (hs)
            const float *v[LOCAL_K];                                      // K x (hs)
            float *a = att + (((size_t)b * NH + h) * T + t) * K;          // (K)
            float mx = -INFINITY;
            for (int k = 0; k < K; k++) {
                int j = nb[k] < 0 ? t : nb[k];   // off the grid: weight 0 on the own row
                v[k] = qkv_b + (size_t)j * C3 + 2 * C + h * hs;
                if (nb[k] < 0) { a[k] = -INFINITY; continue; }
                a[k] = dot_lanes(q, qkv_b + (size_t)j * C3 + C + h * hs, hs) * scale + bias[h * K + k];
                mx = a[k] > mx ? a[k] : mx;
            }
            float sum = 0.0f;   // the position itself (k = 4) is always on the grid: sum >= 1
            for (int k = 0; k < K; k++) { a[k] = vexpf(a[k] - mx); sum += a[k]; }
            float inv = 1.0f / sum;
            for (int k = 0; k < K; k++) a[k] *= inv;
            mix_rows(out + ((size_t)b * T + t) * C + h * hs, a, v, hs, 0);
        }
    }
}

void local_attention_backward(float *dqkv, float *dbias, float *scratch, const float *dout,
                              const float *qkv, const float *att, const int *nbr,
                              int B, int T, int C, int NH) {
    // dqkv (B, T, 3C) +=, dbias (NH, K) +=, scratch (B, NH, T, K), dout (B, T, C)
    CHECK_SHAPE(B >= 0 && T > 0 && NH > 0 && C % NH == 0 && nbr != NULL);
    int hs = C / NH, C3 = 3 * C, K = LOCAL_K;
    float scale = 1.0f / sqrtf((float)hs);
    #pragma omp parallel for if ((long)B * T * C > 32768)
    for (int b = 0; b < B; b++) {
        const float *qkv_b = qkv + (size_t)b * T * C3;
        float *dqkv_b = dqkv + (size_t)b * T * C3;
        for (int t = 0; t < T; t++) {
            const int *nb = nbr + (size_t)t * K;
            for (int h = 0; h < NH; h++) {
                const float *q = qkv_b + (size_t)t * C3 + h * hs;
                float *dq = dqkv_b + (size_t)t * C3 + h * hs;
                const float *a = att + (((size_t)b * NH + h) * T + t) * K;
                float *ds = scratch + (((size_t)b * NH + h) * T + t) * K;    // d score (K)
                const float *go = dout + ((size_t)b * T + t) * C + h * hs;
                const float *key[LOCAL_K];                                    // K x (hs)
                // da_k = go . v_k; dv_k += a_k go
                float dot = 0.0f;
                for (int k = 0; k < K; k++) {
                    int j = nb[k] < 0 ? t : nb[k];   // off the grid: d score 0 on the own row
                    key[k] = qkv_b + (size_t)j * C3 + C + h * hs;
                    ds[k] = 0.0f;
                    if (nb[k] < 0) continue;
                    float *dv = dqkv_b + (size_t)j * C3 + 2 * C + h * hs, w = a[k];
                    ds[k] = dot_lanes(go, qkv_b + (size_t)j * C3 + 2 * C + h * hs, hs);
                    #pragma omp simd
                    for (int i = 0; i < hs; i++) dv[i] += w * go[i];
                    dot += ds[k] * w;
                }
                // softmax backward (ds: d score = a (da - a.da)); scores = scale q.k + bias:
                // dq += scale sum_k ds_k k_k, dk_k += scale ds_k q
                float g[LOCAL_K];
                for (int k = 0; k < K; k++) {
                    ds[k] = nb[k] < 0 ? 0.0f : a[k] * (ds[k] - dot);
                    g[k] = ds[k] * scale;
                }
                mix_rows(dq, g, key, hs, 1);
                for (int k = 0; k < K; k++) {
                    if (nb[k] < 0) continue;
                    float *dk = dqkv_b + (size_t)nb[k] * C3 + C + h * hs, gk = g[k];
                    #pragma omp simd
                    for (int i = 0; i < hs; i++) dk[i] += gk * q[i];
                }
            }
        }
    }
    // dbias: summed serially over the scratch (no races between the samples' threads)
    for (int b = 0; b < B; b++)
        for (int h = 0; h < NH; h++)
            for (int t = 0; t < T; t++) {
                const float *ds = scratch + (((size_t)b * NH + h) * T + t) * K;
                for (int k = 0; k < K; k++) dbias[h * K + k] += ds[k];
            }
}
