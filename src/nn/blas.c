// blas.c — the one wrapper over OpenBLAS (the ONLY file that includes cblas.h), the naive
// reference the tests compare it against, and the single thread setting for OpenBLAS + OpenMP.
// Everything is row-major.
//
// Threads: one pool, OpenMP's. OpenBLAS itself always runs on one thread (its pthread pool
// and libgomp's would spin-yield against each other: 13-15% of a 2-thread training step's CPU
// went to sched_yield). A large gemm is split here into one block of rows (or columns) of C
// per OpenMP thread, each a single-threaded sgemm; inside an OpenMP region (e.g. attention's
// loop over (batch, head) pairs) gemm runs on the calling thread. At the model's shapes every
// element of C is the same sum over K in the same order whatever the split, so training does
// not depend on the thread count (tests/test_ops.c checks it). With one pool, libgomp's default
// wait policy (spin a little, then sleep) beat both PASSIVE and ACTIVE (docs/bench.md).
// Single-threaded sgemm calls from several threads at once are what OpenBLAS's FAQ prescribes
// for a multi-threaded caller; its threaded builds (Debian's pthreads 0.3.21 here) lock their
// buffer allocation, and the one-thread path takes no other lock, so the calls really overlap.
#include "loopt/blas.h"

#include <cblas.h>
#include <omp.h>

// Declared by OpenBLAS's own cblas.h; repeated here so a reference-CBLAS header still compiles.
void openblas_set_num_threads(int num_threads);

// Below this many multiply-adds a gemm stays on one thread (an 81x81x32 attention tile is 0.2M).
#define GEMM_SPLIT_MIN (1L << 20)
// Blocks of C start at multiples of this many rows/columns (the sgemm micro-kernel's width).
#define GEMM_SPLIT_ALIGN 16

static int blas_own_threads = 0;   // >0: hand gemm to OpenBLAS's own pool of that many threads

static void sgemm1(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                   const float *B, int ldb, float beta, float *C, int ldc) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemm_ex(int transA, int transB, int M, int N, int K, float alpha,
             const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    if (M <= 0 || N <= 0) return;
    int nt = omp_in_parallel() || blas_own_threads ? 1 : omp_get_max_threads();
    if (nt <= 1 || (long)M * N * K < GEMM_SPLIT_MIN) {
        sgemm1(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    // Split the longer side of C into nt aligned blocks. Rows i of C come from row i of op(A),
    // columns j from column j of op(B).
    int by_rows = M >= N;
    int len = by_rows ? M : N;
    int chunk = (len + nt - 1) / nt;
    chunk = (chunk + GEMM_SPLIT_ALIGN - 1) / GEMM_SPLIT_ALIGN * GEMM_SPLIT_ALIGN;
    #pragma omp parallel num_threads(nt)
    {
        int s = omp_get_thread_num() * chunk;
        int n = len - s < chunk ? len - s : chunk;
        if (n > 0) {
            if (by_rows)   // op(A) rows s..s+n: A (M, K) at row s, or A stored (K, M) at column s
                sgemm1(transA, transB, n, N, K, alpha, A + (transA ? (size_t)s : (size_t)s * lda), lda,
                       B, ldb, beta, C + (size_t)s * ldc, ldc);
            else           // op(B) columns s..s+n: B (K, N) at column s, or B stored (N, K) at row s
                sgemm1(transA, transB, M, n, K, alpha, A, lda,
                       B + (transB ? (size_t)s * ldb : (size_t)s), ldb, beta, C + s, ldc);
        }
    }
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
    openblas_set_num_threads(1);
    omp_set_num_threads(n);
    blas_own_threads = 0;
    return n;
}

void blas_use_own_threads(int n) {
    blas_own_threads = n > 0 ? n : 0;
    openblas_set_num_threads(n > 0 ? n : 1);
}
