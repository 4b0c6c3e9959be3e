// The C GEMM of the built-in backend: gemm_body.h compiled for AVX-512
// (6 × 32 tiles) and AVX2+FMA (6 × 16 tiles), chosen at run time. On an
// AVX-512 CPU the 6 × 16 tiles run when they were clearly faster (the same
// bits; vector_width.c). Without either (other CPUs, arm64)
// gk_sgemm_available() is 0 and GANKit's Swift kernel (BuiltinGEMM) runs instead.
#include "CGANKitKernels.h"
#include "vector_width.h"

#include <stdlib.h>

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

#if defined(__x86_64__)
// The product timed to choose the width: one packed block (MC rows, 256 columns, KC deep).
enum { timedRows = GK_MC, timedColumns = 256, timedDepth = GK_KC };

static double timePacked(void *context, int zmm) {
    const float *a = context, *b = a + timedRows * timedDepth;
    float *c = (float *)b + timedDepth * timedColumns;
    void *scratch = c + timedRows * timedColumns;
    double start = gk_seconds_now();
    if (zmm) {
        gk_sgemm_block_avx512(0, 0, 0, timedRows, 0, timedColumns, timedDepth, 1, a, timedDepth, b, timedColumns, 0,
                              c, timedColumns, scratch);
    } else {
        gk_sgemm_block_avx2(0, 0, 0, timedRows, 0, timedColumns, timedDepth, 1, a, timedDepth, b, timedColumns, 0, c,
                            timedColumns, scratch);
    }
    return gk_seconds_now() - start;
}

static gk_vector_choice packedChoice = GK_VECTOR_CHOICE_INIT;

static void choosePackedWidth(void) {
    size_t operands = timedRows * timedDepth + timedDepth * timedColumns;
    size_t bytes = (operands + timedRows * timedColumns) * sizeof(float) + gk_sgemm_scratch_bytes();
    float *buffers = NULL;
    if (posix_memalign((void **)&buffers, 64, bytes) != 0) return;  // keeps zmm
    for (size_t i = 0; i < operands; i++) buffers[i] = (float)(i % 13) * 0.125f - 0.75f;
    gk_choose_vector_width(&packedChoice, timePacked, buffers, 2.0 * timedRows * timedColumns * timedDepth);
    free(buffers);
}
#endif

int gk_sgemm_vector_width(double *rate256, double *rate512) {
    (void)rate256; (void)rate512;
#if defined(__x86_64__)
    if (gk_uses_avx512()) return gk_vector_width_of(&packedChoice, choosePackedWidth, rate256, rate512);
    if (gk_sgemm_available()) return 256;
#endif
    return 0;
}

int gk_sgemm_available(void) {
    const char *level = gk_kernel_level();
    return level[0] == 'A';  /* "AVX-512" or "AVX2+FMA" */
}

void gk_sgemm_block(int transA, int transB, size_t m0, size_t m1, size_t n0, size_t n1, size_t k, float alpha,
                    const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc,
                    void *scratch) {
#if defined(__x86_64__)
    if (gk_sgemm_vector_width(0, 0) == 512) {
        gk_sgemm_block_avx512(transA, transB, m0, m1, n0, n1, k, alpha, a, lda, b, ldb, beta, c, ldc, scratch);
    } else {
        gk_sgemm_block_avx2(transA, transB, m0, m1, n0, n1, k, alpha, a, lda, b, ldb, beta, c, ldc, scratch);
    }
#else
    (void)transA; (void)transB; (void)m0; (void)m1; (void)n0; (void)n1; (void)k; (void)alpha; (void)a; (void)lda;
    (void)b; (void)ldb; (void)beta; (void)c; (void)ldc; (void)scratch;
#endif
}
