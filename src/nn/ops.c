// ops.c — the engine's element-wise and dense ops (see ops.h beside it), each op's
// forward and backward side by side, llm.c style. Backward ops ACCUMULATE (+=) unless given
// GRAD_SET: the shared block is applied in every loop and receives gradient from each of them.
// Element-wise loops are OpenMP-parallel over rows; scatter-adds (embedding backward) stay
// serial because rows of the table collide and the work is tiny next to the GEMMs.
// No malloc here: all buffers come from the caller's arenas.
#include "ops.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "loopt/blas.h"
#include "loopt/check.h"
#include "vexp.h"

// Below this many floats an OpenMP fork costs more than the loop itself.
#define OMP_MIN_WORK 32768
// Channels per block in RMSNorm's gain gradient (a row segment of 128 bytes).
#define GAIN_BLOCK 32

// ---- token embedding ----------------------------------------------------------------------

void embedding_forward(float *out, const int *tok, const float *table, int N, int C) {
    // out (N, C), tok (N), table (V, C)
    CHECK_SHAPE(N >= 0 && C > 0);
    #pragma omp parallel for if ((long)N * C > OMP_MIN_WORK)
    for (int n = 0; n < N; n++) {
        const float *row = table + (size_t)tok[n] * C;
        float *o = out + (size_t)n * C;
        for (int c = 0; c < C; c++) o[c] = row[c];
    }
}

void embedding_backward(float *dtable, const float *dout, const int *tok, int N, int C) {
    // dtable (V, C), dout (N, C), tok (N). Serial: many rows share a token (race if parallel).
    CHECK_SHAPE(N >= 0 && C > 0);
    for (int n = 0; n < N; n++) {
        float *d = dtable + (size_t)tok[n] * C;
        const float *g = dout + (size_t)n * C;
        for (int c = 0; c < C; c++) d[c] += g[c];
    }
}

// ---- coordinate embeddings ------------------------------------------------------------------

void coord_embed_forward(float *out, const int *ids, const float *table, int B, int T, int A, int C) {
    // out (B, T, C), ids (T, A), table (R, C)
    CHECK_SHAPE(B >= 0 && T > 0 && A > 0 && C > 0);
    #pragma omp parallel for if ((long)B * T * C > OMP_MIN_WORK)
    for (int bt = 0; bt < B * T; bt++) {
        int t = bt % T;
        float *o = out + (size_t)bt * C;
        for (int a = 0; a < A; a++) {
            int id = ids[t * A + a];
            if (id < 0) continue;   // memory tokens carry no coordinates
            const float *row = table + (size_t)id * C;
            for (int c = 0; c < C; c++) o[c] += row[c];
        }
    }
}

void coord_embed_backward(float *dtable, const float *dout, const int *ids, int B, int T, int A, int C) {
    // dtable (R, C), dout (B, T, C), ids (T, A). Serial scatter-add: ids of different t collide.
    CHECK_SHAPE(B >= 0 && T > 0 && A > 0 && C > 0);
    for (int t = 0; t < T; t++) {
        for (int a = 0; a < A; a++) {
            int id = ids[t * A + a];
            if (id < 0) continue;
            float *d = dtable + (size_t)id * C;
            for (int b = 0; b < B; b++) {
                const float *g = dout + ((size_t)b * T + t) * C;
                for (int c = 0; c < C; c++) d[c] += g[c];
            }
        }
    }
}

// ---- linear (no bias) -----------------------------------------------------------------------

void linear_forward(float *out, const float *inp, const float *w, int N, int IC, int OC) {
    // out (N, OC) = inp (N, IC) @ w^T, w (OC, IC)
    CHECK_SHAPE(N >= 0 && IC > 0 && OC > 0 && out != inp);
    gemm(0, 1, N, OC, IC, 1.0f, inp, w, 0.0f, out);
}

void linear_backward(float *dinp, float *dw, const float *dout, const float *inp, const float *w,
                     int N, int IC, int OC, int mode) {
    // dinp (N, IC), dw (OC, IC), dout (N, OC), inp (N, IC), w (OC, IC)
    CHECK_SHAPE(N >= 0 && IC > 0 && OC > 0 && dinp != dout);
    if (dinp) gemm(0, 0, N, IC, OC, 1.0f, dout, w, mode == GRAD_ADD ? 1.0f : 0.0f, dinp);   // dinp (+)= dout @ w
    if (dw) gemm(1, 0, OC, IC, N, 1.0f, dout, inp, 1.0f, dw);      // dw += dout^T @ inp
}

// ---- RMSNorm --------------------------------------------------------------------------------

// One row: o (C) = x (C) normalised [* gain]; returns its rstd.
static inline float rmsnorm_row(float *o, const float *x, const float *gain, int C, float eps) {
    double ss = 0.0;   // double: the sum of squares of a wide row loses bits in float
    #pragma omp simd reduction(+:ss)
    for (int c = 0; c < C; c++) ss += (double)x[c] * x[c];
    float r = (float)(1.0 / sqrt(ss / C + eps));
    if (gain) for (int c = 0; c < C; c++) o[c] = x[c] * r * gain[c];
    else      for (int c = 0; c < C; c++) o[c] = x[c] * r;
    return r;
}

void rmsnorm_forward(float *out, float *rstd, const float *inp, const float *gain, int N, int C, float eps) {
    // out (N, C), rstd (N), inp (N, C), gain (C) or NULL
    CHECK_SHAPE(N >= 0 && C > 0 && eps > 0.0f);
    #pragma omp parallel for if ((long)N * C > OMP_MIN_WORK)
    for (int n = 0; n < N; n++)
        rstd[n] = rmsnorm_row(out + (size_t)n * C, inp + (size_t)n * C, gain, C, eps);
}

void residual_rmsnorm_forward(float *out, float *rstd, float *r, const float *res, const float *gain,
                              int N, int C, float eps) {
    // out (N, C), rstd (N), r (N, C) += res (N, C) first, gain (C) or NULL. One pass over the
    // rows instead of add_forward + rmsnorm_forward; the same results.
    CHECK_SHAPE(N >= 0 && C > 0 && eps > 0.0f);
    #pragma omp parallel for if ((long)N * C > OMP_MIN_WORK)
    for (int n = 0; n < N; n++) {
        float *x = r + (size_t)n * C;
        const float *a = res + (size_t)n * C;
        for (int c = 0; c < C; c++) x[c] = x[c] + a[c];
        rstd[n] = rmsnorm_row(out + (size_t)n * C, x, gain, C, eps);
    }
}

void rmsnorm_backward(float *dinp, float *dgain, const float *dout, const float *inp, const float *gain,
                      const float *rstd, int N, int C, int mode) {
    // dinp (N, C), dgain (C), dout (N, C), inp (N, C), gain (C) or NULL, rstd (N)
    // y = x * r * g with r = (mean(x^2) + eps)^(-1/2), dr/dx_c = -r^3 x_c / C, so
    // dx = r * (g dy) - x * r^3 * mean(x * g dy).
    CHECK_SHAPE(N >= 0 && C > 0 && dinp != dout);
    if (dinp) {
        #pragma omp parallel for if ((long)N * C > OMP_MIN_WORK)
        for (int n = 0; n < N; n++) {
            const float *x = inp + (size_t)n * C;
            const float *dy = dout + (size_t)n * C;
            float *dx = dinp + (size_t)n * C;
            float r = rstd[n];
            double dot = 0.0;   // sum_c x_c * g_c * dy_c (two loops: a branch inside would not vectorise)
            if (gain) {
                #pragma omp simd reduction(+:dot)
                for (int c = 0; c < C; c++) dot += (double)x[c] * dy[c] * gain[c];
            } else {
                #pragma omp simd reduction(+:dot)
                for (int c = 0; c < C; c++) dot += (double)x[c] * dy[c];
            }
            float k = (float)(dot / C) * r * r * r;
            if (mode == GRAD_SET) memset(dx, 0, (size_t)C * sizeof(float));   // one row, in cache
            for (int c = 0; c < C; c++) dx[c] += r * dy[c] * (gain ? gain[c] : 1.0f) - x[c] * k;
        }
    }
    if (dgain && gain) {
        // Parallel over blocks of GAIN_BLOCK channels, so no two threads write the same dgain
        // entry; each block walks the rows in order (the same sums as one channel at a time)
        // but reads a contiguous run of every row, and its inner loop vectorises.
        int nblocks = (C + GAIN_BLOCK - 1) / GAIN_BLOCK;
        #pragma omp parallel for if ((long)N * C > OMP_MIN_WORK)
        for (int bl = 0; bl < nblocks; bl++) {
            int c0 = bl * GAIN_BLOCK, w = C - c0 < GAIN_BLOCK ? C - c0 : GAIN_BLOCK;
            double acc[GAIN_BLOCK] = {0};
            for (int n = 0; n < N; n++) {
                const float *dy = dout + (size_t)n * C + c0, *x = inp + (size_t)n * C + c0;
                for (int i = 0; i < w; i++) acc[i] += (double)dy[i] * x[i] * rstd[n];
            }
            for (int i = 0; i < w; i++) dgain[c0 + i] += (float)acc[i];
        }
    }
}

// ---- SwiGLU ---------------------------------------------------------------------------------

void swiglu_forward(float *out, const float *inp, int N, int F) {
    // out (N, F), inp (N, 2F) = [gate | up]
    CHECK_SHAPE(N >= 0 && F > 0 && out != inp);
    #pragma omp parallel for if ((long)N * F > OMP_MIN_WORK)
    for (int n = 0; n < N; n++) {
        const float *g = inp + (size_t)n * 2 * F;
        const float *u = g + F;
        float *o = out + (size_t)n * F;
        #pragma omp simd
        for (int f = 0; f < F; f++) {
            float sig = 1.0f / (1.0f + vexpf(-g[f]));
            o[f] = g[f] * sig * u[f];
        }
    }
}

void swiglu_backward(float *dinp, const float *dout, const float *inp, int N, int F, int mode) {
    // dinp (N, 2F), dout (N, F), inp (N, 2F)
    // d silu(a)/da = sig(a) * (1 + a * (1 - sig(a))).
    CHECK_SHAPE(N >= 0 && F > 0 && dinp != dout);
    #pragma omp parallel for if ((long)N * F > OMP_MIN_WORK)
    for (int n = 0; n < N; n++) {
        const float *g = inp + (size_t)n * 2 * F;
        const float *u = g + F;
        const float *dy = dout + (size_t)n * F;
        float *dg = dinp + (size_t)n * 2 * F;
        float *du = dg + F;
        #pragma omp simd
        for (int f = 0; f < F; f++) {
            float sig = 1.0f / (1.0f + vexpf(-g[f]));
            float silu = g[f] * sig;
            float dgf = dy[f] * u[f] * sig * (1.0f + g[f] * (1.0f - sig));
            float duf = dy[f] * silu;
            dg[f] = mode == GRAD_ADD ? dg[f] + dgf : dgf;
            du[f] = mode == GRAD_ADD ? du[f] + duf : duf;
        }
    }
}

// ---- element-wise helpers -------------------------------------------------------------------

void add_forward(float *out, const float *a, const float *b, int n) {
    CHECK_SHAPE(n >= 0);
    #pragma omp parallel for if (n > OMP_MIN_WORK)
    for (int i = 0; i < n; i++) out[i] = a[i] + b[i];
}

void axpy(float *y, float alpha, const float *x, int n) {
    CHECK_SHAPE(n >= 0);
    #pragma omp parallel for if (n > OMP_MIN_WORK)
    for (int i = 0; i < n; i++) y[i] += alpha * x[i];
}

void scale_inplace(float *x, float alpha, int n) {
    CHECK_SHAPE(n >= 0);
    #pragma omp parallel for if (n > OMP_MIN_WORK)
    for (int i = 0; i < n; i++) x[i] *= alpha;
}

// ---- rotary position embeddings -------------------------------------------------------------
// Inside each head (hs channels) the hs/2 rotation pairs are adjacent channels (2p, 2p+1).
// They are split into A groups of P = (hs/2)/A pairs; the last group also takes the remainder,
// so it has P_a = hs/2 - (A-1)*P pairs. Pair i of group a (global pair p = a*P + i) rotates by
//     angle = pos[t*A + a] * base^(-i / P_a)        (= base^(-2i/hs_a) with hs_a = 2*P_a)
// so every axis gets the full frequency range from 1 down to ~1/base. A position < 0 leaves
// the whole group unrotated. The rotation depends only on (t, pair), so cos/sin are computed
// once per position (in double) and reused across batch rows, heads, q and k.

static void rope_apply(float *qkv, const int *pos, int B, int T, int C, int NH, int A, float base,
                       float sign) {
    // qkv (B, T, 3C); sign = +1 rotates (forward), -1 applies the transpose (backward)
    int hs = C / NH;
    int npairs = hs / 2;
    if (A <= 0 || npairs == 0) return;   // no axes (or 1-channel heads): nothing to rotate
    int P = npairs / A;
    #pragma omp parallel for if ((long)B * T * C > OMP_MIN_WORK)
    for (int t = 0; t < T; t++) {
        float cs[npairs];   // cos per pair (VLA on the thread's stack; no malloc)
        float sn[npairs];   // sin per pair
        for (int a = 0; a < A; a++) {
            int first = a * P;
            int Pa = (a == A - 1) ? npairs - first : P;
            int p0 = pos[t * A + a];
            for (int i = 0; i < Pa; i++) {
                if (p0 < 0) { cs[first + i] = 1.0f; sn[first + i] = 0.0f; continue; }
                double ang = (double)p0 * pow((double)base, -(double)i / Pa);
                cs[first + i] = (float)cos(ang);
                sn[first + i] = sign * (float)sin(ang);
            }
        }
        for (int b = 0; b < B; b++) {
            float *row = qkv + ((size_t)b * T + t) * 3 * C;
            for (int part = 0; part < 2; part++) {          // q then k; v is never rotated
                for (int h = 0; h < NH; h++) {
                    float *x = row + part * C + h * hs;
                    for (int p = 0; p < npairs; p++) {
                        float x0 = x[2 * p], x1 = x[2 * p + 1];
                        x[2 * p] = x0 * cs[p] - x1 * sn[p];
                        x[2 * p + 1] = x0 * sn[p] + x1 * cs[p];
                    }
                }
            }
        }
    }
}

void rope_forward(float *qkv, const int *pos, int B, int T, int C, int NH, int A, float base) {
    CHECK_SHAPE(B >= 0 && T > 0 && NH > 0 && C % NH == 0 && (C / NH) % 2 == 0 && A > 0);
    rope_apply(qkv, pos, B, T, C, NH, A, base, 1.0f);
}

void rope_backward(float *dqkv, const int *pos, int B, int T, int C, int NH, int A, float base) {
    // The rotation is orthogonal: its gradient map is the transpose, i.e. the angle negated.
    CHECK_SHAPE(B >= 0 && T > 0 && NH > 0 && C % NH == 0 && (C / NH) % 2 == 0 && A > 0);
    rope_apply(dqkv, pos, B, T, C, NH, A, base, -1.0f);
}
