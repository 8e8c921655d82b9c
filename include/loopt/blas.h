// blas.h — the one wrapper over OpenBLAS sgemm (src/nn/blas.c is the only file that
// includes cblas.h), a naive reference for tests, and the thread setting.
// All matrices are row-major. OpenBLAS runs single-threaded; gemm splits large products over
// the OpenMP threads itself, and runs on the calling thread inside an OpenMP parallel region.
#ifndef LOOPT_BLAS_H
#define LOOPT_BLAS_H

// C (M, N) = alpha * op(A) @ op(B) + beta * C, with op(A) (M, K) and op(B) (K, N);
// transA/transB nonzero means A is stored (K, M) / B is stored (N, K). Packed rows.
void gemm(int transA, int transB, int M, int N, int K, float alpha,
          const float *A, const float *B, float beta, float *C);
// Same with explicit leading dimensions (row strides), for views into wider tensors
// (e.g. one head's q inside qkv (B, T, 3C): lda = 3C).
void gemm_ex(int transA, int transB, int M, int N, int K, float alpha,
             const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);
// Naive triple loop with double accumulation: the reference the tests compare against.
void gemm_ref(int transA, int transB, int M, int N, int K, float alpha,
              const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);

// One thread setting for OpenBLAS and OpenMP; n <= 0 means all cores. Returns the count used.
int threads_set(int n);
// For `loopt bench`'s peak only: n > 0 hands every gemm whole to OpenBLAS's own pool of n
// threads (no split here); 0 returns to the split. threads_set also returns to the split.
void blas_use_own_threads(int n);

// The kernel family OpenBLAS picked for this CPU (or OPENBLAS_CORETYPE's), e.g. "Haswell":
// the same binary's speed and last-bit rounding depend on it, so benchmarks record it.
const char *blas_core_name(void);
// OpenBLAS's build description (version, DYNAMIC_ARCH, thread model, ...), for `loopt version`.
const char *blas_config(void);

#endif
