// blas.c — the one wrapper over OpenBLAS (the ONLY file that includes cblas.h), the naive
// reference the tests compare it against, and the single thread setting for OpenBLAS + OpenMP.
// Everything is row-major.
//
// Threads: one pool, OpenMP's. OpenBLAS itself always runs on one thread (its pthread pool
// and libgomp's would spin-yield against each other: 13-15% of a 2-thread training step's CPU
// went to sched_yield). A large gemm is cut here into tiles of rows (or columns) of C whose
// shapes depend on the product's shape alone; OpenMP threads take tiles, each a single-threaded
// sgemm, and inside an OpenMP region (e.g. attention's loop over (batch, head) pairs) the
// calling thread runs them all. So training gives the same bits on any thread count on any CPU
// (an older split, one block per thread, relied on one OpenBLAS kernel's blocking and broke on
// another's: issue 13); tests/test_ops.c checks it, and tests/run.sh runs it under every
// OpenBLAS core type the CPU can execute. With one pool, libgomp's default wait policy
// (spin a little, then sleep) beat both PASSIVE and ACTIVE (docs/bench.md).
// Single-threaded sgemm calls from several threads at once are what OpenBLAS's FAQ prescribes
// for a multi-threaded caller; its threaded builds (Debian's pthreads 0.3.21 here) lock their
// buffer allocation, and the one-thread path takes no other lock, so the calls really overlap.
#include "loopt/blas.h"

#include <cblas.h>
#include <omp.h>

// Declared by OpenBLAS's own cblas.h; repeated here so a reference-CBLAS header still compiles.
void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);
char *openblas_get_config(void);

// Below this many multiply-adds a gemm stays on one thread (an 81x81x32 attention tile is 0.2M).
#define GEMM_SPLIT_MIN (1L << 20)
// A split product's longer side of C is cut into GEMM_PARTS tiles (so 2, 4 or 8 threads share
// them evenly), each a multiple of 16 rows or columns and at least GEMM_TILE_MIN: a tile of a
// weight-gradient product (K = batch*T) repacks the whole other operand, so thin tiles cost.
// Against the old one-block-per-thread split, configs/bench.json trained and inferred at the
// same speed within noise on 1 and 2 threads (docs/bench.md, "Tiles"); 4 parts and tiles of
// 64/128 rows were measured too.
#define GEMM_PARTS 8
#define GEMM_TILE_MIN 32

static int blas_own_threads = 0;   // >0: hand gemm to OpenBLAS's own pool of that many threads

static void sgemm1(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                   const float *B, int ldb, float beta, float *C, int ldc) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

// One tile of a split product: op(A) rows s..s+n of C, or op(B) columns s..s+n.
static void gemm_tile(int by_rows, int s, int n, int transA, int transB, int M, int N, int K,
                      float alpha, const float *A, int lda, const float *B, int ldb,
                      float beta, float *C, int ldc) {
    if (by_rows)   // A (M, K) at row s, or A stored (K, M) at column s
        sgemm1(transA, transB, n, N, K, alpha, A + (transA ? (size_t)s : (size_t)s * lda), lda,
               B, ldb, beta, C + (size_t)s * ldc, ldc);
    else           // B (K, N) at column s, or B stored (N, K) at row s
        sgemm1(transA, transB, M, n, K, alpha, A, lda,
               B + (transB ? (size_t)s * ldb : (size_t)s), ldb, beta, C + s, ldc);
}

void gemm_ex(int transA, int transB, int M, int N, int K, float alpha,
             const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    if (M <= 0 || N <= 0) return;
    if ((long)M * N * K < GEMM_SPLIT_MIN || blas_own_threads) {
        sgemm1(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    // The cut depends on the shape alone, never on the thread count, so every element of C
    // comes from the same sgemm call shape whether one thread runs all tiles or several share
    // them: the same bits on any thread count, whatever kernel OpenBLAS picks on this CPU.
    int by_rows = M >= N;
    int len = by_rows ? M : N;
    int tile = (len + GEMM_PARTS - 1) / GEMM_PARTS;
    tile = (tile + 15) / 16 * 16;
    if (tile < GEMM_TILE_MIN) tile = GEMM_TILE_MIN;
    int tiles = (len + tile - 1) / tile;
    int nt = omp_in_parallel() ? 1 : omp_get_max_threads();
    if (nt > tiles) nt = tiles;
    #pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1)
    for (int t = 0; t < tiles; t++) {
        int s = t * tile;
        int n = len - s < tile ? len - s : tile;
        gemm_tile(by_rows, s, n, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
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

const char *blas_core_name(void) {
    const char *name = openblas_get_corename();
    return name && *name ? name : "unknown";
}

const char *blas_config(void) {
    const char *s = openblas_get_config();
    return s && *s ? s : "unknown";
}
