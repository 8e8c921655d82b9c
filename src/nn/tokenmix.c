// tokenmix.c — the MLP token mixer (TRM-MLP), forward and backward. See tokenmix.h.
#include "tokenmix.h"

#include <stddef.h>
#include <string.h>

#include "loopt/blas.h"
#include "loopt/check.h"
#include "ops.h"

void tokenmix_forward(float *out, float *th, float *tg, const float *x, const float *wtfc,
                      const float *wtproj, int B, int T, int C, int Ft) {
    CHECK_SHAPE(B >= 0 && T > 0 && C > 0 && Ft > 0);
    size_t TC = (size_t)T * C;
    for (int b = 0; b < B; b++)   // th_b (C, 2Ft) = x_b^T (C, T) @ wtfc^T (T, 2Ft)
        gemm_ex(1, 1, C, 2 * Ft, T, 1.0f, x + b * TC, C, wtfc, T, 0.0f, th + (size_t)b * C * 2 * Ft, 2 * Ft);
    swiglu_forward(tg, th, B * C, Ft);
    for (int b = 0; b < B; b++)   // out_b (T, C) = wtproj (T, Ft) @ tg_b^T (Ft, C)
        gemm_ex(0, 1, T, C, Ft, 1.0f, wtproj, Ft, tg + (size_t)b * C * Ft, Ft, 0.0f, out + b * TC, C);
}

void tokenmix_backward(float *dx, float *dwtfc, float *dwtproj, float *dtg, float *dth,
                       const float *dout, const float *x, const float *th, const float *tg,
                       const float *wtfc, const float *wtproj, int B, int T, int C, int Ft) {
    CHECK_SHAPE(B >= 0 && T > 0 && C > 0 && Ft > 0);
    size_t TC = (size_t)T * C;
    for (int b = 0; b < B; b++) {
        const float *go = dout + b * TC;                  // (T, C)
        const float *tgb = tg + (size_t)b * C * Ft;       // (C, Ft)
        // dtg_b (C, Ft) = go^T (C, T) @ wtproj (T, Ft); dwtproj (T, Ft) += go (T, C) @ tg_b (C, Ft)
        gemm_ex(1, 0, C, Ft, T, 1.0f, go, C, wtproj, Ft, 0.0f, dtg + (size_t)b * C * Ft, Ft);
        gemm_ex(0, 0, T, Ft, C, 1.0f, go, C, tgb, Ft, 1.0f, dwtproj, Ft);
    }
    swiglu_backward(dth, dtg, th, B * C, Ft, GRAD_SET);
    for (int b = 0; b < B; b++) {
        const float *dh = dth + (size_t)b * C * 2 * Ft;   // (C, 2Ft)
        const float *xb = x + b * TC;                     // (T, C)
        // dx_b (T, C) += wtfc^T (T, 2Ft) @ dh^T (2Ft, C); dwtfc (2Ft, T) += dh^T (2Ft, C) @ x_b^T (C, T)
        gemm_ex(1, 1, T, C, 2 * Ft, 1.0f, wtfc, T, dh, 2 * Ft, 1.0f, dx + b * TC, C);
        gemm_ex(1, 1, 2 * Ft, T, C, 1.0f, dh, 2 * Ft, xb, C, 1.0f, dwtfc, T);
    }
}
