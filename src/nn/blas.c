// blas.c — the one wrapper over OpenBLAS (the ONLY file that includes cblas.h), the naive
// reference the tests compare it against, and the single thread setting for OpenBLAS + OpenMP.
// Everything is row-major; gemm must never be called from inside an OpenMP parallel region
// (OpenBLAS would either oversubscribe the cores or serialise behind a lock).
#include "loopt/blas.h"

#include <cblas.h>
#include <omp.h>
#include <stdlib.h>
#include <unistd.h>

// Declared by OpenBLAS's own cblas.h; repeated here so a reference-CBLAS header still compiles.
void openblas_set_num_threads(int num_threads);

void gemm_ex(int transA, int transB, int M, int N, int K, float alpha,
             const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    if (M <= 0 || N <= 0) return;
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemm(int transA, int transB, int M, int N, int K, float alpha,
          const float *A, const float *B, float beta, float *C) {
    // Packed rows: the leading dimension is the stored row length of each operand.
    int lda = transA ? M : K;   // A stored (K, M) or (M, K)
    int ldb = transB ? K : N;   // B stored (N, K) or (K, N)
    gemm_ex(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, N);
}

void gemm_ref(int transA, int transB, int M, int N, int K, float alpha,
              const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < N; j++) {
            double acc = 0.0;
            for (int k = 0; k < K; k++) {
                double a = transA ? A[(long)k * lda + i] : A[(long)i * lda + k];
                double b = transB ? B[(long)j * ldb + k] : B[(long)k * ldb + j];
                acc += a * b;
            }
            float *c = &C[(long)i * ldc + j];
            // beta == 0 must ignore C entirely (it may hold NaN garbage), as BLAS does.
            *c = (float)(alpha * acc + (beta == 0.0f ? 0.0 : (double)beta * *c));
        }
    }
}

int threads_set(int n) {
    if (n <= 0) n = omp_get_num_procs();
    if (n < 1) n = 1;
    openblas_set_num_threads(n);
    omp_set_num_threads(n);
    return n;
}

// libgomp reads OMP_WAIT_POLICY once, when it loads. Its default lets idle OpenMP workers spin,
// and OpenBLAS's own worker threads spin too: on 2 cores they fight, and a training step of
// configs/sudoku.json ran at 25.5 samples/s against 40.6 with OMP_WAIT_POLICY=PASSIVE (same
// losses). Unless the user chose a policy, re-execute once with PASSIVE set.
void threads_prepare(char **argv) {
    if (getenv("OMP_WAIT_POLICY")) return;
    if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
    execv("/proc/self/exe", argv);
    // exec failed (no /proc): carry on with the default policy
}
