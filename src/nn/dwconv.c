// dwconv.c — ConvSwiGLU's depthwise token convolution and SiLU (URM: the gated SwiGLU features
// SiLU(gate) ⊙ up are mixed with their K − 1 predecessors per channel before the down
// projection). The convolution reads its neighbours through a tap table (dwconv.h), so the same
// op runs along the flattened sequence or on the task's grid. No malloc here.
#include "dwconv.h"

#include <stddef.h>
#include <string.h>

#include "loopt/check.h"
#include "ops.h"
#include "vexp.h"

#define OMP_MIN_WORK 32768   // below this many floats an OpenMP fork costs more than the loop
#define CH_BLOCK 32          // channels per block of the weight gradient (one thread each)

int dwconv_ntaps(int K, int grid) { return grid ? K * K : K; }

void dwconv_build_taps(int *tap, int *inv, const int *pos, int T, int A, int K, int grid) {
    CHECK_SHAPE(T > 0 && K >= 1 && (!grid || A >= 2));
    int Kt = dwconv_ntaps(K, grid);
    for (int i = 0; i < T * Kt; i++) tap[i] = inv[i] = -1;
    if (!grid) {
        for (int t = 0; t < T; t++)
            for (int k = 0; k < K; k++) {
                int s = t - (K - 1) + k;
                tap[t * Kt + k] = s >= 0 ? s : -1;
            }
    } else {
        for (int t = 0; t < T; t++) {
            int r = pos[t * A], c = pos[t * A + 1];
            if (r < 0 || c < 0) { tap[t * Kt + Kt - 1] = t; continue; }   // a memory token: itself
            for (int s = 0; s < T; s++) {   // T is a grid's cells: this runs once per shape
                int rs = pos[s * A], cs = pos[s * A + 1];
                int i = rs - r + (K - 1), j = cs - c + (K - 1);
                if (rs >= 0 && cs >= 0 && i >= 0 && i < K && j >= 0 && j < K) tap[t * Kt + i * K + j] = s;
            }
        }
    }
    for (int t = 0; t < T; t++)
        for (int k = 0; k < Kt; k++) {
            int s = tap[t * Kt + k];
            if (s < 0) continue;
            CHECK(inv[s * Kt + k] < 0, "dwconv: positions %d and %d both read %d through tap %d",
                  inv[s * Kt + k], t, s, k);
            inv[s * Kt + k] = t;
        }
}

void dwconv_forward(float *out, const float *inp, const float *w, const float *bias, const int *tap,
                    int B, int T, int F, int Kt) {
    CHECK_SHAPE(B >= 0 && T > 0 && F > 0 && Kt > 0 && out != inp);
    #pragma omp parallel for if ((long)B * T * F * Kt > OMP_MIN_WORK)
    for (int bt = 0; bt < B * T; bt++) {
        int b = bt / T, t = bt % T;
        float *o = out + (size_t)bt * F;
        if (bias) memcpy(o, bias, (size_t)F * sizeof(float));
        else memset(o, 0, (size_t)F * sizeof(float));
        for (int k = 0; k < Kt; k++) {
            int s = tap[t * Kt + k];
            if (s < 0) continue;
            const float *x = inp + ((size_t)b * T + s) * F;
            for (int f = 0; f < F; f++) o[f] += w[(size_t)f * Kt + k] * x[f];
        }
    }
}

void dwconv_backward(float *dinp, float *dw, float *dbias, const float *dout, const float *inp,
                     const float *w, const int *tap, const int *inv, int B, int T, int F, int Kt, int mode) {
    CHECK_SHAPE(B >= 0 && T > 0 && F > 0 && Kt > 0 && dinp != dout);
    if (dinp) {
        #pragma omp parallel for if ((long)B * T * F * Kt > OMP_MIN_WORK)
        for (int bs = 0; bs < B * T; bs++) {
            int b = bs / T, s = bs % T;
            float *d = dinp + (size_t)bs * F;
            if (mode == GRAD_SET) memset(d, 0, (size_t)F * sizeof(float));
            for (int k = 0; k < Kt; k++) {
                int t = inv[s * Kt + k];
                if (t < 0) continue;
                const float *g = dout + ((size_t)b * T + t) * F;
                for (int f = 0; f < F; f++) d[f] += w[(size_t)f * Kt + k] * g[f];
            }
        }
    }
    if (dw || dbias) {
        // blocks of CH_BLOCK channels, one thread each; every sum runs over (b, t) in order
        int nblocks = (F + CH_BLOCK - 1) / CH_BLOCK;
        #pragma omp parallel for if ((long)B * T * F * Kt > OMP_MIN_WORK)
        for (int bl = 0; bl < nblocks; bl++) {
            int f0 = bl * CH_BLOCK, nf = F - f0 < CH_BLOCK ? F - f0 : CH_BLOCK;
            for (int k = 0; k < Kt && dw; k++) {
                double acc[CH_BLOCK] = {0};
                for (int b = 0; b < B; b++)
                    for (int t = 0; t < T; t++) {
                        int s = tap[t * Kt + k];
                        if (s < 0) continue;
                        const float *g = dout + ((size_t)b * T + t) * F + f0;
                        const float *x = inp + ((size_t)b * T + s) * F + f0;
                        for (int i = 0; i < nf; i++) acc[i] += (double)g[i] * x[i];
                    }
                for (int i = 0; i < nf; i++) dw[(size_t)(f0 + i) * Kt + k] += (float)acc[i];
            }
            if (dbias) {
                double acc[CH_BLOCK] = {0};
                for (int bt = 0; bt < B * T; bt++) {
                    const float *g = dout + (size_t)bt * F + f0;
                    for (int i = 0; i < nf; i++) acc[i] += g[i];
                }
                for (int i = 0; i < nf; i++) dbias[f0 + i] += (float)acc[i];
            }
        }
    }
}

void silu_forward(float *out, const float *inp, int n) {
    CHECK_SHAPE(n >= 0);
    #pragma omp parallel for simd if (n > OMP_MIN_WORK)
    for (int i = 0; i < n; i++) {
        float sig = 1.0f / (1.0f + vexpf(-inp[i]));
        out[i] = inp[i] * sig;
    }
}

void silu_backward(float *dinp, const float *dout, const float *inp, int n, int mode) {
    CHECK_SHAPE(n >= 0 && dinp != dout);
    #pragma omp parallel for simd if (n > OMP_MIN_WORK)
    for (int i = 0; i < n; i++) {
        float sig = 1.0f / (1.0f + vexpf(-inp[i]));
        float d = dout[i] * sig * (1.0f + inp[i] * (1.0f - sig));
        dinp[i] = mode == GRAD_ADD ? dinp[i] + d : d;
    }
}
