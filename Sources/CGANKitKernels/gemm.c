// The C GEMM of the built-in backend: gemm_body.h compiled for AVX-512
// (6 × 32 tiles) and AVX2+FMA (6 × 16 tiles), chosen at run time. Without
// either (other CPUs, arm64) gk_sgemm_available() is 0 and GANKit's Swift
// kernel (BuiltinGEMM) runs instead.
#include "CGANKitKernels.h"

#define GK_MR 6      /* rows of a register tile */
#define GK_KC 256    /* depth of a packed slice: a KC × NR micro-panel of B stays in L1 */
#define GK_MC 120    /* rows of a packed A block (multiple of MR): 120 KiB, L2 */
#define GK_NC 512    /* columns of a packed B block (multiple of 32): 512 KiB, L2 */

#if defined(__x86_64__)
#define GK_NAME(name) gk_##name##_avx2
#define GK_TARGET __attribute__((target("avx2,fma")))
#define GK_VECTOR_BYTES 32
#include "gemm_body.h"
#undef GK_NAME
#undef GK_TARGET
#undef GK_VECTOR_BYTES

#define GK_NAME(name) gk_##name##_avx512
#define GK_TARGET __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma")))
#define GK_VECTOR_BYTES 64
#include "gemm_body.h"
#undef GK_NAME
#undef GK_TARGET
#undef GK_VECTOR_BYTES
#endif

size_t gk_sgemm_scratch_bytes(void) { return (GK_MC * GK_KC + GK_KC * GK_NC) * sizeof(float); }

int gk_sgemm_available(void) {
    const char *level = gk_kernel_level();
    return level[0] == 'A';  /* "AVX-512" or "AVX2+FMA" */
}

void gk_sgemm_block(int transA, int transB, size_t m0, size_t m1, size_t n0, size_t n1, size_t k, float alpha,
                    const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc,
                    void *scratch) {
#if defined(__x86_64__)
    if (gk_kernel_level()[3] == '-') {  /* "AVX-512" */
        gk_sgemm_block_avx512(transA, transB, m0, m1, n0, n1, k, alpha, a, lda, b, ldb, beta, c, ldc, scratch);
    } else {
        gk_sgemm_block_avx2(transA, transB, m0, m1, n0, n1, k, alpha, a, lda, b, ldb, beta, c, ldc, scratch);
    }
#else
    (void)transA; (void)transB; (void)m0; (void)m1; (void)n0; (void)n1; (void)k; (void)alpha; (void)a; (void)lda;
    (void)b; (void)ldb; (void)beta; (void)c; (void)ldc; (void)scratch;
#endif
}
