// vexp.h — expf that the compiler can vectorise: the element-wise passes of the hot loops
// (SwiGLU, the attention softmax) call it for every element, and libm's expf is an opaque call
// that keeps those loops scalar (13% of a training step went to SwiGLU's expf alone).
//
// exp(x) = 2^n * exp(r), n = round(x / ln 2), r = x - n ln 2 in [-ln2/2, ln2/2] (ln 2 split in
// two parts so r is exact to float), exp(r) by Cephes' degree-7 polynomial; 2^n is built in the
// exponent bits. Relative error below 2e-7 (~2 ulp) for x in [-87, 88] (tests/test_ops.c sweeps
// it against double exp); 0 below -87.33 (where expf gives denormals), +inf above 88 (expf
// overflows only above 88.72: the callers take x <= 0 or feed a sigmoid, where it does not matter);
// NaN gives NaN.
// No branches and no libm call, so a loop over it vectorises at -O2 -march=native.
#ifndef LOOPT_VEXP_H
#define LOOPT_VEXP_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float vexpf(float x) {
    const float hi = 88.0f, lo = -87.33f;    // keeps n in [-126, 127]
    float xc = x > hi ? hi : (x >= lo ? x : lo);   // NaN -> lo: no NaN reaches the int cast
    // n = round(x / ln 2): adding 1.5 * 2^23 rounds to an integer in the low mantissa bits
    float t = xc * 1.44269504088896341f + 12582912.0f;
    float n = t - 12582912.0f;
    float r = xc - n * 0.693359375f;            // ln 2, high part (exact product)
    r = r - n * -2.12194440e-4f;                // ln 2, low part
    float r2 = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r2 + r + 1.0f;
    int32_t e = ((int32_t)n + 127) << 23;       // 2^n as a float's exponent bits
    float scale;
    memcpy(&scale, &e, sizeof scale);
    float y = p * scale;
    return x < lo ? 0.0f : (x > hi ? INFINITY : (x == x ? y : x));   // NaN in, NaN out
}

#endif
