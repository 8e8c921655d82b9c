// loss.c — cross-entropy on the output logits, with softmax or TRM's stable-max
// normalisation, and argmax for predictions. Per-row losses are computed in double
// (log-sum-exp with the max subtracted for softmax) so large logits neither overflow nor
// cancel. Rows with a negative target are ignored: loss 0, no gradient.
#include "loss.h"

#include <math.h>
#include <stddef.h>

#include "loopt/check.h"

// stable-max: s(x) = x + 1 for x >= 0, 1 / (1 - x) for x < 0 — linear growth instead of
// exponential, so a confident logit cannot blow the loss up (TRM's "stablemax").
static double smax_s(double x) { return x >= 0.0 ? x + 1.0 : 1.0 / (1.0 - x); }
// s'(x) = 1 for x >= 0, 1 / (1 - x)^2 for x < 0
static double smax_ds(double x) { return x >= 0.0 ? 1.0 : 1.0 / ((1.0 - x) * (1.0 - x)); }

// One row: fills p (V) with the normalised probabilities, returns -log p[y] (0 if y < 0).
static double ce_row(float *p, const float *x, int y, int V, LossKind kind) {
    // p (V), x (V)
    if (kind == LOSS_STABLEMAX) {
        double S = 0.0;
        for (int v = 0; v < V; v++) S += smax_s(x[v]);
        for (int v = 0; v < V; v++) p[v] = (float)(smax_s(x[v]) / S);
        return y >= 0 ? log(S) - log(smax_s(x[y])) : 0.0;
    }
    double mx = x[0];   // log-sum-exp with the max subtracted: exp never overflows
    for (int v = 1; v < V; v++) if (x[v] > mx) mx = x[v];
    double S = 0.0;
    for (int v = 0; v < V; v++) S += exp((double)x[v] - mx);
    for (int v = 0; v < V; v++) p[v] = (float)(exp((double)x[v] - mx) / S);
    return y >= 0 ? log(S) - ((double)x[y] - mx) : 0.0;
}

double crossentropy_forward(float *losses, float *probs, const float *logits, const int *targets,
                            int N, int V, LossKind kind) {
    // losses (N), probs (N, V), logits (N, V), targets (N)
    CHECK_SHAPE(N >= 0 && V > 1);
    for (int n = 0; n < N; n++)
        CHECK(targets[n] < V, "crossentropy: target %d out of range [0, %d) at row %d", targets[n], V, n);

    // The rows are cut into a fixed number of chunks (not one per thread) and the chunk sums
    // added in order, so the double total is the same whatever the thread count.
    enum { CHUNKS = 64 };
    double partial[CHUNKS];
    #pragma omp parallel for if ((long)N * V > 32768)
    for (int ch = 0; ch < CHUNKS; ch++) {
        int n0 = (int)((long)N * ch / CHUNKS), n1 = (int)((long)N * (ch + 1) / CHUNKS);
        double acc = 0.0;
        for (int n = n0; n < n1; n++) {
            double l = ce_row(probs + (size_t)n * V, logits + (size_t)n * V, targets[n], V, kind);
            losses[n] = (float)l;
            acc += l;
        }
        partial[ch] = acc;
    }
    double total = 0.0;
    for (int ch = 0; ch < CHUNKS; ch++) total += partial[ch];
    return total;
}

void crossentropy_backward(float *dlogits, const float *probs, const float *logits, const int *targets,
                           int N, int V, float scale, LossKind kind) {
    // dlogits (N, V) +=, probs (N, V), logits (N, V), targets (N)
    CHECK_SHAPE(N >= 0 && V > 1);
    #pragma omp parallel for if ((long)N * V > 32768)
    for (int n = 0; n < N; n++) {
        int y = targets[n];
        if (y < 0) continue;
        const float *x = logits + (size_t)n * V;
        const float *p = probs + (size_t)n * V;
        float *d = dlogits + (size_t)n * V;
        if (kind == LOSS_STABLEMAX) {
            // L = log S - log s(x_y), S = sum_j s(x_j):
            // dL/dx_j = s'(x_j) / S - [j == y] s'(x_y) / s(x_y)
            double S = 0.0;
            for (int v = 0; v < V; v++) S += smax_s(x[v]);
            for (int v = 0; v < V; v++) {
                double g = smax_ds(x[v]) / S;
                if (v == y) g -= smax_ds(x[y]) / smax_s(x[y]);
                d[v] += scale * (float)g;
            }
        } else {
            for (int v = 0; v < V; v++) d[v] += scale * (p[v] - (v == y ? 1.0f : 0.0f));
        }
    }
}

void argmax_rows(int *out, const float *logits, int N, int V) {
    // out (N), logits (N, V); ties go to the lowest index
    CHECK_SHAPE(N >= 0 && V > 0);
    #pragma omp parallel for if ((long)N * V > 32768)
    for (int n = 0; n < N; n++) {
        const float *x = logits + (size_t)n * V;
        int best = 0;
        for (int v = 1; v < V; v++) if (x[v] > x[best]) best = v;
        out[n] = best;
    }
}
